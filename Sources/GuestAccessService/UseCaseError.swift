/// Why a use case did not succeed, in the contract's words. Each case maps to
/// one fixed answer at the edge (`APIError`), and none carries more than the
/// contract lets a caller learn: `invalidCode` never says which check failed,
/// `unauthorized` never says what was wrong with a token.
public enum UseCaseError: Error, Sendable, Equatable {
    /// The input is malformed; the message is a fixed sentence naming a field.
    case invalidRequest(String)
    /// A verify attempt failed, for whatever reason.
    case invalidCode
    /// An access token was missing or not accepted.
    case unauthorized
    /// No such tracking token, order, or order the provider still knows.
    case notFound
    /// Storage or the order provider could not answer; worth retrying.
    case unavailable
}
