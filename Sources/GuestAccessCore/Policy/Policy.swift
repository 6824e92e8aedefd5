/// Every limit guest-access enforces, loaded from `policy/*.yaml` and validated
/// at start. `Policy.default` is the compiled-in copy of `policy/default.yaml`
/// (a test keeps the two equal).
public struct Policy: Sendable, Equatable {
    public var http: HTTPPolicy
    public var trackingTokens: TrackingTokenPolicy
    public var codes: CodePolicy
    public var failureBudget: FailureBudgetPolicy
    public var accessTokens: AccessTokenPolicy
    public var rateLimits: RateLimitPolicy
    public var provider: ProviderPolicy
    public var storage: StoragePolicy
    public var risk: RiskPolicy
    public var audit: AuditPolicy
    public var mail: MailPolicy

    public static let `default` = Policy(
        http: HTTPPolicy(
            maxBodyBytes: 8192, maxHeaderBytes: 16384, maxHeaderCount: 64,
            requestTimeoutSeconds: 10, idleTimeoutSeconds: 30),
        trackingTokens: TrackingTokenPolicy(ttlDays: 365),
        codes: CodePolicy(
            ttlSeconds: 600, maxAttempts: 5, perOrderLimit: 3, perOrderWindowSeconds: 900,
            perEmailLimit: 5, perEmailWindowSeconds: 3600, responseFloorMilliseconds: 250),
        failureBudget: FailureBudgetPolicy(consecutivePerOrder: 100, dailyPerOrder: 20, totalPerOrder: 100),
        accessTokens: AccessTokenPolicy(
            ttlSeconds: 1800, leewaySeconds: 30, issuer: "guest-access", audience: "guest-access-storefront"),
        rateLimits: RateLimitPolicy(perClientBurst: 30, perClientPerSecond: 5, ipv6PrefixLength: 64),
        provider: ProviderPolicy(timeoutSeconds: 5, maxResponseBytes: 1_048_576),
        storage: StoragePolicy(synchronous: .full),
        risk: RiskPolicy(maxGuessProbabilityPerYear: 1.0e-4),
        audit: AuditPolicy(retentionDays: 365, maxEvents: 1_000_000),
        mail: MailPolicy(timeoutSeconds: 30, parallelDeliveries: 8, maxDeliveryAttempts: 4)
    )
}
