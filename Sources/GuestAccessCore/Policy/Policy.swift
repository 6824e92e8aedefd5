/// Every limit guest-access enforces, loaded from a policy file and validated
/// at start (`GuestAccessPolicy` parses it; `Policy.default` there is
/// `policy/default.yaml` embedded at build time). Encodable with the file's
/// own key names, so tests and tools can write a typed policy as a file.
public struct Policy: Sendable, Equatable, Encodable {
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

    public init(
        http: HTTPPolicy,
        trackingTokens: TrackingTokenPolicy,
        codes: CodePolicy,
        failureBudget: FailureBudgetPolicy,
        accessTokens: AccessTokenPolicy,
        rateLimits: RateLimitPolicy,
        provider: ProviderPolicy,
        storage: StoragePolicy,
        risk: RiskPolicy,
        audit: AuditPolicy,
        mail: MailPolicy
    ) {
        self.http = http
        self.trackingTokens = trackingTokens
        self.codes = codes
        self.failureBudget = failureBudget
        self.accessTokens = accessTokens
        self.rateLimits = rateLimits
        self.provider = provider
        self.storage = storage
        self.risk = risk
        self.audit = audit
        self.mail = mail
    }
}
