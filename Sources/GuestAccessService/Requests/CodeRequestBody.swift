import Foundation
public import GuestAccessCore

/// `POST /v1/access-codes` and `…/verify` bodies, checked on their own bytes only.
public struct CodeRequestBody: Codable, Sendable, Equatable, FlatStringBody {
    public static let knownKeys: Set<String> = ["orderNumber", "email", "code"]

    public let orderNumber: String
    public let email: String
    public let code: String?

    public init(orderNumber: String, email: String, code: String?) {
        self.orderNumber = orderNumber
        self.email = email
        self.code = code
    }

    /// As `JSONDecoder` reads it: `orderNumber` and `email` required, `code` optional.
    public init?(flatStrings fields: [String: String]) {
        guard let orderNumber = fields["orderNumber"], let email = fields["email"] else { return nil }
        self.init(orderNumber: orderNumber, email: email, code: fields["code"])
    }

    /// Refuses malformed input; nothing here looks at stored state, so the
    /// refusal depends only on the request's bytes.
    public func validate(requireCode: Bool) throws(RequestBodyError) {
        guard OrderNumber.isWellFormed(orderNumber) else { throw RequestBodyError("orderNumber is not well-formed.") }
        guard EmailAddress.isAcceptable(email.trimmingSpacesAndTabs) else {
            throw RequestBodyError("email is not a valid address.")
        }
        if requireCode {
            guard let code, code.utf8.count == 6, code.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw RequestBodyError("code must be 6 digits.")
            }
        } else if code != nil {
            throw RequestBodyError("code is not expected here.")
        }
    }
}
