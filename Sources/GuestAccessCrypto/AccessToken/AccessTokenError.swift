/// Why an access token was refused. Callers answer every case with the same
/// 401; the case is for metrics and tests only.
public enum AccessTokenError: Error, Sendable, Equatable {
    case tooLarge, malformed, unsupportedAlgorithm, forbiddenHeader, unknownKey, badSignature
    case expired, notYetValid, wrongIssuer, wrongAudience, wrongScope, revoked
}
