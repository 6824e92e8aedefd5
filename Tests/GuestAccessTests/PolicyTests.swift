import Foundation
import GuestAccessCore
import GuestAccessPolicy
import Testing

@testable import GuestAccessService

@Suite("Policy files")
struct PolicyTests {
    static let defaultPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("policy/default.yaml").path

    static func defaultText() throws -> String { try String(contentsOfFile: defaultPath, encoding: .utf8) }

    @Test("The default a service runs with is policy/default.yaml itself, embedded at build time")
    func defaultMatches() throws {
        #expect(Policy.defaultDocument == (try Self.defaultText()))
        #expect(try Policy.parse(yaml: Self.defaultText()) == Policy.default)
    }

    @Test("A typed policy written as a file reads back equal, with every section's own keys")
    func documentRoundTrip() throws {
        let changed = Policy.default.with {
            $0.provider.timeoutSeconds = 7
            $0.mail.timeoutSeconds = 11
            $0.storage.synchronous = .normal
            $0.risk.maxGuessProbabilityPerYear = 2.5e-5
        }
        for policy in [Policy.default, changed] {
            #expect(try Policy.parse(yaml: policy.document()) == policy)
        }
        // Two sections have a timeoutSeconds: each keeps its own.
        let parsed = try Policy.parse(yaml: changed.document())
        #expect(parsed.provider.timeoutSeconds == 7 && parsed.mail.timeoutSeconds == 11)
    }

    @Test(
        "A bad value is refused with an error naming its key",
        arguments: [
            ("ttlSeconds: 600", "ttlSeconds: 5", "codes.ttlSeconds"),
            ("maxBodyBytes: 8192", "maxBodyBytes: lots", "http.maxBodyBytes"),
            ("synchronous: full", "synchronous: sometimes", "storage.synchronous"),
            ("consecutivePerOrder: 100", "consecutivePerOrder: 1000", "failureBudget.consecutivePerOrder"),
            ("leewaySeconds: 30", "leewaySeconds: 300", "accessTokens.leewaySeconds"),
            ("maxGuessProbabilityPerYear: 1.0e-4", "maxGuessProbabilityPerYear: 2", "risk.maxGuessProbabilityPerYear"),
            ("  maxAttempts: 5\n", "  maxAttempts: 5\n  maxAtempts: 6\n", "codes.maxAtempts"),
            ("  idleTimeoutSeconds: 30\n", "", "http.idleTimeoutSeconds"),
            ("  ttlDays: 365\n", "", "trackingTokens"),
            ("dailyPerOrder: 20", "dailyPerOrder: true", "failureBudget.dailyPerOrder"),
            ("retentionDays: 365", "retentionDays: 0", "audit.retentionDays"),
            ("timeoutSeconds: 30", "timeoutSeconds: 0", "mail.timeoutSeconds"),
            ("ipv6PrefixLength: 64", "ipv6PrefixLength: 31", "rateLimits.ipv6PrefixLength"),
            ("ipv6PrefixLength: 64", "ipv6PrefixLength: 129", "rateLimits.ipv6PrefixLength"),
            ("ipv6PrefixLength: 64", "ipv6PrefixLength: 0", "rateLimits.ipv6PrefixLength"),
            ("ipv6PrefixLength: 64", "ipv6PrefixLength: 56.5", "rateLimits.ipv6PrefixLength"),
            ("  ipv6PrefixLength: 64\n", "", "rateLimits.ipv6PrefixLength"),
        ]
    )
    func badValue(original: String, replacement: String, key: String) throws {
        let text = try Self.defaultText()
        #expect(text.contains(original))
        #expect(throws: PolicyError.self) { try Policy.parse(yaml: text.replacingOccurrences(of: original, with: replacement)) }
        do {
            _ = try Policy.parse(yaml: text.replacingOccurrences(of: original, with: replacement))
        } catch {
            #expect(error.key == key)
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("The IPv6 prefix length of rate-limit keys is read from the policy, from 32 to 128 bits", arguments: [32, 48, 56, 128])
    func ipv6PrefixLength(length: Int) throws {
        let text = try Self.defaultText()
        #expect(Policy.default.rateLimits.ipv6PrefixLength == 64)
        let policy = try Policy.parse(yaml: text.replacingOccurrences(of: "ipv6PrefixLength: 64", with: "ipv6PrefixLength: \(length)"))
        #expect(policy.rateLimits.ipv6PrefixLength == length)
    }

    @Test("Non-YAML and non-mapping documents are refused")
    func garbage() {
        #expect(throws: PolicyError.self) { try Policy.parse(yaml: "- a\n- b") }
        #expect(throws: PolicyError.self) { try Policy.parse(yaml: "{{{{") }
        #expect(throws: PolicyError.self) { try Policy.parse(yaml: "") }
    }

    @Test("The default policy bounds the guess chance at 1e-4 over a year and over the access window, by the lifetime budget")
    func guessRisk() {
        let risk = GuessRisk(policy: .default)
        #expect(risk.year.guesses == 100 && risk.window.guesses == 100)
        #expect(risk.year.probability <= 1e-4 && risk.window.probability <= 1e-4)
        #expect(risk.isWithinBound)
        // The consecutive budget alone does not bound a year: the owner's successes reset it.
        var loose = Policy.default
        loose.failureBudget = FailureBudgetPolicy(consecutivePerOrder: 10, dailyPerOrder: 20, totalPerOrder: 100_000)
        #expect(GuessRisk(policy: loose).year.guesses == 20 * 365)
        #expect(!GuessRisk(policy: loose).isWithinBound)
    }

    @Test("The lifetime budget locks an order whose owner keeps succeeding in between")
    func lifetimeBudget() {
        let policy = Policy.default
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        var budget = OrderBudget(orderKey: "ORD-1", consecutiveFailures: 0, day: 0, dayFailures: 0)
        for day in 0..<40 {
            let today = now + Double(day) * 86400
            let code = StoredCode(
                orderKey: "ORD-1",
                codeDigest: [1],
                emailDigest: [2],
                kid: "k",
                expiresAt: today + 600,
                attempts: 0,
                used: false
            )
            for _ in 0..<3 {  // three wrong guesses a day …
                budget =
                    CodeVerification.decide(code: code, budget: budget, emailMatches: true, codeMatches: false, now: today, policy: policy)
                    .budget
            }
            // … and the owner succeeds every day, resetting the consecutive count.
            let decision = CodeVerification.decide(
                code: code,
                budget: budget,
                emailMatches: true,
                codeMatches: true,
                now: today,
                policy: policy
            )
            budget = decision.budget
            // 3 failures a day reach 99 by the end of day 32; on day 33 the 100th locks the order.
            if day < 33 { #expect(decision.success) } else { #expect(!decision.success) }
        }
        #expect(budget.totalFailures >= 100)
        #expect(budget.isLocked(on: Int((now + 40 * 86400).timeIntervalSince1970 / 86400), policy: policy.failureBudget))
    }
}
