import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// `--ops-port`: health probes and metrics on a listener of their own, so
/// the metrics need neither the admin key nor a route on the public port.
@Suite("The operations listener")
struct OperationsListenerTests {
    /// Starts `serve` with an operations listener; returns the process and both ports.
    static func start(_ env: TestEnvironment, environment: [String: String] = [:]) async throws -> (RunningProcess, Int, Int) {
        let process = try RunningProcess(
            [
                "serve", "--port", "0", "--ops-port", "0", "--data-dir", env.directory, "--orders", env.ordersPath,
                "--admin-key-file", env.adminKeyPath, "--drain-delay-seconds", "0",
            ],
            environment: environment
        )
        let port = try await process.waitForPort()
        let line = try await process.waitForLog("operations listener up")
        guard let range = line.range(of: "\"port\":\""), let opsPort = Int(line[range.upperBound...].prefix { $0.isNumber }) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return (process, port, opsPort)
    }

    @Test(
        "With an operations credential, /metrics is served only on the operations port and only with that credential; the probes answer on both ports"
    )
    func metricsMoveBehindTheirOwnCredential() async throws {
        let env = try TestEnvironment()
        let credential = "ops-credential-\(UUID().uuidString)"
        TestLogs.secret(credential)
        let (process, port, opsPort) = try await Self.start(env, environment: ["GUEST_ACCESS_OPS_CREDENTIAL": credential])
        defer { process.signal(SIGKILL) }
        let publicBase = "http://127.0.0.1:\(port)"
        let opsBase = "http://127.0.0.1:\(opsPort)"
        #expect(opsPort != port)

        // Public port: the API and probes as before, no /metrics even with the admin key.
        #expect(try await BinaryTests.request(publicBase + "/metrics", bearer: env.adminKey).0 == 404)
        #expect(try await BinaryTests.request(publicBase + "/healthz").0 == 200)
        #expect(try await BinaryTests.request(publicBase + "/v1/tracking/" + String(repeating: "A", count: 43)).0 == 404)

        // Operations port: probes open, metrics behind the operations credential (not the admin key).
        #expect(try await BinaryTests.request(opsBase + "/healthz").0 == 200)
        #expect(try await BinaryTests.request(opsBase + "/readyz").0 == 200)
        #expect(try await BinaryTests.request(opsBase + "/metrics").0 == 401)
        #expect(try await BinaryTests.request(opsBase + "/metrics", bearer: env.adminKey).0 == 401)
        let (status, metrics) = try await BinaryTests.request(opsBase + "/metrics", bearer: credential)
        #expect(status == 200)
        #expect(metrics.contains("guest_access_http_requests_total{"))
        // Nothing of the API is reachable there.
        #expect(
            try await BinaryTests.request(opsBase + "/v1/admin/tracking-tokens", method: .POST, bearer: env.adminKey, body: "{}").0 == 404
        )
        #expect(try await BinaryTests.request(opsBase + "/openapi.yaml").0 == 404)
        #expect(!process.stderr.contains(credential))
    }

    @Test("Without an operations credential, /metrics on the operations port is open, and still absent from the public port")
    func openMetrics() async throws {
        let env = try TestEnvironment()
        let (process, port, opsPort) = try await Self.start(env)
        defer { process.signal(SIGKILL) }
        #expect(try await BinaryTests.request("http://127.0.0.1:\(opsPort)/metrics").0 == 200)
        #expect(try await BinaryTests.request("http://127.0.0.1:\(port)/metrics", bearer: env.adminKey).0 == 404)
    }

    @Test("An operations credential shorter than 32 characters is refused at start")
    func shortCredential() async throws {
        let env = try TestEnvironment()
        let result = try await BinaryRunner.run(
            [
                "serve", "--port", "0", "--ops-port", "0", "--data-dir", env.directory, "--orders", env.ordersPath, "--admin-key-file",
                env.adminKeyPath,
            ],
            environment: ["GUEST_ACCESS_OPS_CREDENTIAL": "short-ops"]
        )
        #expect(result.status == 1)
        #expect(result.stderr.contains("operations credential"), "\(result.stderr)")
        #expect(!result.stderr.contains("short-ops"))
    }
}
