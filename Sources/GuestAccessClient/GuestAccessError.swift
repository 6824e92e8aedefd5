/// What a guest-access call can fail with.
///
/// A struct over a private enum (the way vapor/jwt-kit's `JWTError` does it),
/// not a public enum: a storefront switches on `errorType`, which is not an
/// enum, so its switch needs a `default:` today and still compiles the day a
/// type is added. An added enum case would have broken every exhaustive switch.
///
/// The contract's generic errors stay generic: `invalidCode` says only that
/// verification failed, never why (a wrong, expired or used-up code, a locked
/// or unknown order all look the same, so a guesser learns nothing), and
/// `unauthorized` only that a token or key was not accepted. No field adds
/// detail the service withheld: it sends one fixed sentence per code.
///
/// Two errors are equal when their type and every field are equal, so
/// `error == .invalidCode` and `#expect(throws: GuestAccessError.invalidCode)`
/// work; to ask only for the kind of failure, compare `errorType`.
public struct GuestAccessError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure. A struct with one static per kind rather than an
    /// enum, so that adding a kind is not a breaking change for callers.
    public struct ErrorType: Sendable, Hashable, CustomStringConvertible {
        enum Base: String, Sendable {
            case invalidRequest, invalidCode, unauthorized, notFound, payloadTooLarge, unsupportedMediaType, rateLimited, unavailable,
                timedOut, cancelled, transport, unexpectedResponse
        }

        let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// 400 `invalid_request`: the request was malformed; `message` says how, in the service's fixed sentence.
        public static let invalidRequest = Self(.invalidRequest)
        /// 401 `invalid_code`: any verification failure, never which one (telling them apart would help a guesser).
        public static let invalidCode = Self(.invalidCode)
        /// 401 `unauthorized`: the access token or admin key was not accepted, never why.
        public static let unauthorized = Self(.unauthorized)
        /// 404 `not_found`: unknown or revoked tracking token, unknown order (admin), unknown route.
        public static let notFound = Self(.notFound)
        /// 413 `payload_too_large`: the body was over the service's limit.
        public static let payloadTooLarge = Self(.payloadTooLarge)
        /// 415 `unsupported_media_type`: the body was not JSON.
        public static let unsupportedMediaType = Self(.unsupportedMediaType)
        /// 429 `rate_limited`: the per-client limit was hit; see `retryAfter`.
        public static let rateLimited = Self(.rateLimited)
        /// 503: storage or the order provider is down; see `retryAfter`.
        public static let unavailable = Self(.unavailable)
        /// No answer within the client's timeout.
        public static let timedOut = Self(.timedOut)
        /// The calling task was cancelled.
        public static let cancelled = Self(.cancelled)
        /// The service could not be reached (connection refused, reset, DNS); `message` names the cause's type.
        public static let transport = Self(.transport)
        /// An answer the contract does not describe; `status` and `code` say what came back.
        public static let unexpectedResponse = Self(.unexpectedResponse)

        /// The type's name, e.g. `invalidCode`.
        public var description: String { base.rawValue }
    }

    /// The stored fields, private so their representation can change (a
    /// copy-on-write class, another field) without changing the public API.
    private struct Fields: Sendable, Equatable {
        let errorType: ErrorType
        let message: String?
        let retryAfter: Int?
        let status: Int?
        let code: String?
    }

    private let fields: Fields

    private init(_ errorType: ErrorType, message: String? = nil, retryAfter: Int? = nil, status: Int? = nil, code: String? = nil) {
        fields = Fields(errorType: errorType, message: message, retryAfter: retryAfter, status: status, code: code)
    }

    /// The kind of failure: switch on it (with a `default:`) or compare it, e.g. `error.errorType == .invalidCode`.
    public var errorType: ErrorType { fields.errorType }

    /// For `invalidRequest`, the service's fixed sentence (it names the field,
    /// never echoes its value); for `transport`, the name of the underlying
    /// error's type (never its contents, which can hold a host or address).
    /// Nil otherwise.
    public var message: String? { fields.message }

    /// For `rateLimited` and `unavailable`: the seconds the service asked the
    /// caller to wait (`Retry-After`), nil when it did not say.
    public var retryAfter: Int? { fields.retryAfter }

    /// The HTTP status of the answer, where there was one; for
    /// `unexpectedResponse` the status that came back. Nil for `timedOut`,
    /// `cancelled`, `transport` and a request that could not be encoded.
    public var status: Int? { fields.status }

    /// The contract's error code (`invalid_code`, `rate_limited`, …) for the
    /// type; for `unexpectedResponse` the code the body carried, if any.
    public var code: String? { fields.code }

    /// The type and, for `invalidRequest` and `transport`, the fixed message:
    /// nothing a log line should not hold (no Retry-After, no status, no code
    /// from a body the contract does not describe).
    public var description: String {
        guard let message else { return "GuestAccessError.\(errorType)" }
        return "GuestAccessError.\(errorType): \(message)"
    }

    /// 400 `invalid_request`, with the service's fixed sentence.
    public static func invalidRequest(message: String) -> Self {
        Self(.invalidRequest, message: message, status: 400, code: "invalid_request")
    }

    /// 401 `invalid_code`: any verification failure.
    public static let invalidCode = Self(.invalidCode, status: 401, code: "invalid_code")

    /// 401 `unauthorized`: the access token or admin key was not accepted.
    public static let unauthorized = Self(.unauthorized, status: 401, code: "unauthorized")

    /// 404 `not_found`.
    public static let notFound = Self(.notFound, status: 404, code: "not_found")

    /// 413 `payload_too_large`.
    public static let payloadTooLarge = Self(.payloadTooLarge, status: 413, code: "payload_too_large")

    /// 415 `unsupported_media_type`.
    public static let unsupportedMediaType = Self(.unsupportedMediaType, status: 415, code: "unsupported_media_type")

    /// 429 `rate_limited`; retry after `retryAfter` seconds.
    public static func rateLimited(retryAfter: Int?) -> Self {
        Self(.rateLimited, retryAfter: retryAfter, status: 429, code: "rate_limited")
    }

    /// 503, whatever its body: the contract's `unavailable`; retry after `retryAfter` seconds.
    public static func unavailable(retryAfter: Int?) -> Self {
        Self(.unavailable, retryAfter: retryAfter, status: 503, code: "unavailable")
    }

    /// No answer within the client's timeout.
    public static let timedOut = Self(.timedOut)

    /// The calling task was cancelled.
    public static let cancelled = Self(.cancelled)

    /// The service could not be reached; `reason` is the underlying error's type name.
    public static func transport(_ reason: String) -> Self {
        Self(.transport, message: reason)
    }

    /// An answer the contract does not describe: its status and error code, if any.
    public static func unexpectedResponse(status: Int, code: String?) -> Self {
        Self(.unexpectedResponse, status: status, code: code)
    }

    /// A body this client could not encode: refused before anything was
    /// sent, so there is no status or code (and it is not equal to a 400).
    static let unencodableRequest = Self(.invalidRequest, message: "The request could not be encoded.")
}
