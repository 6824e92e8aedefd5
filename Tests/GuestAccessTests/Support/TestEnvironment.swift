import Configuration
import Foundation
import GuestAccessCore
import GuestAccessCrypto
import GuestAccessHTTP
import GuestAccessPolicy

@testable import GuestAccessServer
@testable import GuestAccessService

/// A fresh data directory with a keyring, an orders file and an admin key file.
struct TestEnvironment {
    let directory: String
    let adminKey: String
    let ordersPath: String
    let adminKeyPath: String

    /// Where `policy` was written for the service to load, if one was given.
    let policyPath: String?
    /// The PostgreSQL database (`--database`) when the service runs on one; SQLite in `directory` otherwise.
    var databaseURL: String?

    /// `dataDirectory`, if given, must exist and be empty (a test's own mount, say).
    /// `policy`, if given, is written as a policy file (`Policy.document()`)
    /// and loaded by the service through `--policy`, as an operator's would be.
    init(
        orders: [Any]? = nil,
        typedOrders: [OrderDetail] = Fixtures.orders,
        policy: Policy? = nil,
        dataDirectory: String? = nil
    ) throws {
        directory = try dataDirectory ?? Self.temporaryDirectory()
        if let policy {
            policyPath = directory + "/policy.yaml"
            try Data(policy.document().utf8).write(to: URL(fileURLWithPath: policyPath!))
        } else {
            policyPath = nil
        }
        _ = try KeyringFile(dataDirectory: directory).create()
        ordersPath = directory + "/orders.json"
        if let orders {
            try JSONSerialization.data(withJSONObject: orders).write(to: URL(fileURLWithPath: ordersPath))
        } else {
            try Fixtures.json(typedOrders).write(to: URL(fileURLWithPath: ordersPath))
        }
        adminKey = "test-admin-" + Base64URL.encode(SecureRandom.bytes(24))
        TestLogs.secret(adminKey)
        adminKeyPath = directory + "/admin-key"
        guard FileManager.default.createFile(atPath: adminKeyPath, contents: Data(adminKey.utf8), attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown) }
    }

    /// An environment whose service keeps its state on `backend` (a fresh PostgreSQL database for `.postgres`).
    static func make(policy: Policy? = nil, backend: TestBackend) async throws -> TestEnvironment {
        var env = try TestEnvironment(policy: policy)
        if backend == .postgres { env.databaseURL = try await TestPostgres.freshDatabase() }
        return env
    }

    /// What the service has stored, read as an insider would, from either backend.
    var stored: StoredState { StoredState(environment: self) }

    var keyringPath: String { directory + "/keyring.json" }
    var outboxPath: String { directory + "/outbox.jsonl" }

    /// `mail.parallelDeliveries` of the default policy: how many lookups can be under way at once.
    static let parallelDeliveries = Policy.default.mail.parallelDeliveries

    /// A policy for tests of verified access: no response floor, no rate limit in the way.
    static var fastPolicy: Policy {
        var policy = Policy.default
        policy.codes.responseFloorMilliseconds = 0
        policy.rateLimits.perClientBurst = 100_000
        policy.rateLimits.perClientPerSecond = 100_000
        return policy
    }

    /// Messages the file mailer wrote, oldest first.
    func outbox() -> [[String: String]] {
        guard let text = try? String(contentsOfFile: outboxPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: String]
        }
    }

    /// Waits until the outbox holds `count` messages for `orderNumber`; returns the newest code.
    func waitForCode(_ orderNumber: String, count: Int = 1, timeout: Duration = .seconds(10)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let messages = outbox().filter { $0["orderNumber"] == orderNumber }
            if messages.count >= count, let code = messages.last?["code"] {
                TestLogs.secret(code)
                return code
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw CocoaError(.fileReadNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "no code for \(orderNumber) in the outbox"])
    }

    /// Configuration for an in-process service on an ephemeral loopback port;
    /// `extra` adds or (with "") removes settings.
    func reader(_ extra: [ConfigKey: String] = [:]) -> ConfigReader {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        func set(_ key: ConfigKey, _ content: ConfigContent) { values[AbsoluteConfigKey(key)] = .init(content, isSecret: false) }
        set(Setting.host.key, .string("127.0.0.1"))
        set(Setting.port.key, .int(0))
        set(Setting.dataDirectory.key, .string(directory))
        set(Setting.ordersFile.key, .string(ordersPath))
        set(Setting.adminKeyFile.key, .string(adminKeyPath))
        set(Setting.keyringPollMilliseconds.key, .int(100))
        set(Setting.mailer.key, .string("file:" + outboxPath))
        if let policyPath { set(Setting.policyFile.key, .string(policyPath)) }
        if let databaseURL, let passwordFile = TestPostgres.passwordFile {
            set(Setting.database.key, .string(databaseURL))
            set(Setting.databasePasswordFile.key, .string(passwordFile))
        }
        for (key, value) in extra {
            let content: ConfigContent = value == "true" ? .bool(true) : value == "false" ? .bool(false) : .string(value)
            values[AbsoluteConfigKey(key)] = value.isEmpty ? nil : .init(content, isSecret: false)
        }
        if extra[Setting.providerURL.key] != nil { values[AbsoluteConfigKey(Setting.ordersFile.key)] = nil }
        return ConfigReader(provider: InMemoryProvider(values: values))
    }

    static func temporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/guest-access-test-XXXXXX").utf8CString)
        guard let result = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        return String(cString: result)
    }
}
