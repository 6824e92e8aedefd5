import HTTPTypes
import Hummingbird

/// Header names the service reads or writes that HTTPTypes does not name:
/// made once, not parsed on every request.
extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let contentTypeOptions = Self("X-Content-Type-Options")!
    static let forwardedFor = Self("X-Forwarded-For")!
}
