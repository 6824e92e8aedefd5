import Foundation
import GuestAccessCore
import GuestAccessService

/// Request bodies as the HTTP edge reads them: the duplicate-key scan,
/// strict decoding, validation. Whatever is accepted must be well-formed,
/// and must survive a round trip through the encoder unchanged.
enum RequestBodyFuzz {
    static func run(_ bytes: [UInt8]) {
        guard let body = try? StrictJSON.decode(CodeRequestBody.self, from: bytes) else { return }
        for requireCode in [false, true] {
            guard (try? body.validate(requireCode: requireCode)) != nil else { continue }
            require(OrderNumber.isWellFormed(body.orderNumber), "accepted a malformed order number")
            require(EmailAddress.isAcceptable(body.email.trimmingCharacters(in: .whitespaces)), "accepted a malformed email")
            require(!body.email.contains("\r") && !body.email.contains("\n"), "accepted CR/LF in an email")
            if requireCode { require(body.code?.utf8.count == 6, "accepted a code that is not 6 digits") }
            let again = try? StrictJSON.decode(CodeRequestBody.self, from: Array((try? JSONEncoder().encode(body)) ?? Data()))
            require(again == body, "an accepted body does not round-trip")
        }
    }
}
