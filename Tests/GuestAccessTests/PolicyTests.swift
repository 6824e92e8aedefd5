import Foundation
import GuestAccessCore
import Testing

@Suite("Policy files")
struct PolicyTests {
    static let defaultPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("policy/default.yaml").path

    static func defaultText() throws -> String { try String(contentsOfFile: defaultPath, encoding: .utf8) }

    @Test("policy/default.yaml parses to exactly the compiled-in default")
    func defaultMatches() throws {
        #expect(try Policy.parse(yaml: Self.defaultText()) == Policy.default)
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
        ])
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

    @Test("Non-YAML and non-mapping documents are refused")
    func garbage() {
        #expect(throws: PolicyError.self) { try Policy.parse(yaml: "- a\n- b") }
        #expect(throws: PolicyError.self) { try Policy.parse(yaml: "{{{{") }
        #expect(throws: PolicyError.self) { try Policy.parse(yaml: "") }
    }

    @Test("The default policy bounds one order's yearly guess chance at 1e-4 through the failure budget")
    func guessRisk() {
        let risk = GuessRisk(policy: .default)
        #expect(risk.guessesPerYear == 100)
        #expect(risk.probabilityPerYear <= 1e-4)
        #expect(risk.isWithinBound)
        var loose = Policy.default
        loose.failureBudget = FailureBudgetPolicy(consecutivePerOrder: 100, dailyPerOrder: 100)
        loose.risk = RiskPolicy(maxGuessProbabilityPerYear: 1e-5)
        #expect(!GuessRisk(policy: loose).isWithinBound)
    }
}
