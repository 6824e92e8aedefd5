public import GuestAccessCore
import Yams

extension Policy {
    /// Parses and validates a policy document. Every key must be present and
    /// known; the error names the first key at fault.
    public static func parse(yaml text: String) throws(PolicyError) -> Policy {
        guard text.utf8.count <= 256 * 1024 else { throw PolicyError(key: "", reason: "file is larger than 256 KiB") }
        let tree: Any?
        do {
            tree = try Yams.load(yaml: text)
        } catch {
            throw PolicyError(key: "", reason: "not valid YAML")
        }
        var root = try PolicyReader(path: "", value: tree)
        guard try root.int("version", 1...1) == 1 else { throw PolicyError(key: "version", reason: "must be 1") }

        var http = try root.section("http")
        let httpPolicy = HTTPPolicy(
            maxBodyBytes: try http.int("maxBodyBytes", 256...1_048_576),
            maxHeaderBytes: try http.int("maxHeaderBytes", 1024...65536),
            maxHeaderCount: try http.int("maxHeaderCount", 8...256),
            requestTimeoutSeconds: try http.int("requestTimeoutSeconds", 1...120),
            idleTimeoutSeconds: try http.int("idleTimeoutSeconds", 1...600)
        )
        try http.finish()

        var tracking = try root.section("trackingTokens")
        let trackingPolicy = TrackingTokenPolicy(ttlDays: try tracking.int("ttlDays", 1...3650))
        try tracking.finish()

        var codes = try root.section("codes")
        let codePolicy = CodePolicy(
            ttlSeconds: try codes.int("ttlSeconds", 60...3600),
            maxAttempts: try codes.int("maxAttempts", 1...10),
            perOrderLimit: try codes.int("perOrderLimit", 1...100),
            perOrderWindowSeconds: try codes.int("perOrderWindowSeconds", 60...86400),
            perEmailLimit: try codes.int("perEmailLimit", 1...1000),
            perEmailWindowSeconds: try codes.int("perEmailWindowSeconds", 60...86400),
            responseFloorMilliseconds: try codes.int("responseFloorMilliseconds", 0...5000)
        )
        try codes.finish()

        var budget = try root.section("failureBudget")
        let budgetPolicy = FailureBudgetPolicy(
            consecutivePerOrder: try budget.int("consecutivePerOrder", 1...100),
            dailyPerOrder: try budget.int("dailyPerOrder", 1...1000),
            totalPerOrder: try budget.int("totalPerOrder", 1...100_000)
        )
        try budget.finish()

        var access = try root.section("accessTokens")
        let accessPolicy = AccessTokenPolicy(
            ttlSeconds: try access.int("ttlSeconds", 60...86400),
            leewaySeconds: try access.int("leewaySeconds", 0...30),
            issuer: try access.string("issuer", maxLength: 128),
            audience: try access.string("audience", maxLength: 128)
        )
        try access.finish()

        var rate = try root.section("rateLimits")
        let ratePolicy = RateLimitPolicy(
            perClientBurst: try rate.int("perClientBurst", 1...100_000),
            perClientPerSecond: try rate.int("perClientPerSecond", 1...100_000),
            ipv6PrefixLength: try rate.int("ipv6PrefixLength", 32...128)
        )
        try rate.finish()

        var provider = try root.section("provider")
        let providerPolicy = ProviderPolicy(
            timeoutSeconds: try provider.int("timeoutSeconds", 1...60),
            maxResponseBytes: try provider.int("maxResponseBytes", 1024...16_777_216)
        )
        try provider.finish()

        var storage = try root.section("storage")
        let storagePolicy = StoragePolicy(synchronous: try storage.choice("synchronous", StoragePolicy.Synchronous.self))
        try storage.finish()

        var risk = try root.section("risk")
        let riskPolicy = RiskPolicy(maxGuessProbabilityPerYear: try risk.double("maxGuessProbabilityPerYear", above: 0, atMost: 1))
        try risk.finish()

        var audit = try root.section("audit")
        let auditPolicy = AuditPolicy(
            retentionDays: try audit.int("retentionDays", 1...3650),
            maxEvents: try audit.int("maxEvents", 10_000...100_000_000)
        )
        try audit.finish()

        var mail = try root.section("mail")
        let mailPolicy = MailPolicy(
            timeoutSeconds: try mail.int("timeoutSeconds", 1...300),
            parallelDeliveries: try mail.int("parallelDeliveries", 1...64),
            maxDeliveryAttempts: try mail.int("maxDeliveryAttempts", 1...20)
        )
        try mail.finish()

        try root.finish()
        let policy = Policy(
            http: httpPolicy,
            trackingTokens: trackingPolicy,
            codes: codePolicy,
            failureBudget: budgetPolicy,
            accessTokens: accessPolicy,
            rateLimits: ratePolicy,
            provider: providerPolicy,
            storage: storagePolicy,
            risk: riskPolicy,
            audit: auditPolicy,
            mail: mailPolicy
        )
        try policy.validateRelations()
        return policy
    }

    /// Rules that span keys.
    func validateRelations() throws(PolicyError) {
        if codes.maxAttempts > failureBudget.consecutivePerOrder || codes.maxAttempts > failureBudget.totalPerOrder {
            throw PolicyError(key: "codes.maxAttempts", reason: "must not exceed failureBudget.consecutivePerOrder or totalPerOrder")
        }
    }
}
