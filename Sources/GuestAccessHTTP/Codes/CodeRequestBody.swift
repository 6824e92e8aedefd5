import Foundation
import GuestAccessCore

/// `POST /v1/access-codes` and `…/verify` bodies, checked on their own bytes only.
struct CodeRequestBody: Decodable {
    let orderNumber: String
    let email: String
    let code: String?

    /// A 400 for malformed input; nothing here looks at stored state.
    func validate(requireCode: Bool) throws {
        guard OrderNumber.isWellFormed(orderNumber) else { throw APIError.invalidRequest("orderNumber is not well-formed.") }
        guard EmailAddress.isAcceptable(email.trimmingCharacters(in: .whitespaces)) else {
            throw APIError.invalidRequest("email is not a valid address.")
        }
        if requireCode {
            guard let code, code.utf8.count == 6, code.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw APIError.invalidRequest("code must be 6 digits.")
            }
        } else if code != nil {
            throw APIError.invalidRequest("code is not expected here.")
        }
    }
}
