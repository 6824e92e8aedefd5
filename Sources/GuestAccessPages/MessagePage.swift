import Foundation

/// The pages that only say something, each one a title and a body from the catalogue.
enum MessagePage: String, Sendable {
    /// Every tracking token that leads nowhere: unknown, malformed, expired, revoked.
    case notFound = "not-found"
    case signedOut = "signed-out"
    case sessionEnded = "session-ended"
    case forbidden
    case rateLimited = "rate-limited"
    case unavailable
    case badRequest = "bad-request"

    var titleKey: String {
        switch self {
        case .notFound: "not_found_title"
        case .signedOut: "signed_out_title"
        case .sessionEnded: "session_ended_title"
        case .forbidden: "forbidden_title"
        case .rateLimited: "rate_limited_title"
        case .unavailable: "unavailable_title"
        case .badRequest: "bad_request_title"
        }
    }

    var bodyKey: String { titleKey.replacingOccurrences(of: "_title", with: "_body") }

    /// Whether the page offers the way back to the lookup form.
    var offersLookup: Bool { self != .rateLimited && self != .unavailable }
}
