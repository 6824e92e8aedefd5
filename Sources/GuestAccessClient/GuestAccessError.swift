/// What a guest-access call can fail with. The contract's generic errors stay
/// generic: `invalidCode` says only that verification failed (never why), and
/// `unauthorized` only that a token or key was not accepted.
public enum GuestAccessError: Error, Sendable, Equatable {
    /// 400: the request was malformed; `message` is the service's fixed sentence.
    case invalidRequest(message: String)
    /// 401 `invalid_code`: any verification failure.
    case invalidCode
    /// 401 `unauthorized`: the access token or admin key was not accepted.
    case unauthorized
    /// 404: unknown or revoked tracking token, unknown order (admin), unknown route.
    case notFound
    /// 413: the body was over the service's limit.
    case payloadTooLarge
    /// 415: the body was not JSON.
    case unsupportedMediaType
    /// 429: the per-client limit was hit; retry after `retryAfter` seconds.
    case rateLimited(retryAfter: Int?)
    /// 503: storage or the order provider is down; retry after `retryAfter` seconds.
    case unavailable(retryAfter: Int?)
    /// No answer within the client's timeout.
    case timedOut
    /// The calling task was cancelled.
    case cancelled
    /// The service could not be reached (connection refused, reset, DNS).
    case transport(String)
    /// An answer the contract does not describe (status and error code, if any).
    case unexpectedResponse(status: Int, code: String?)
}
