import AsyncHTTPClient
import Foundation
import GuestAccessCrypto
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// Several `serve` processes of one service, as an operator runs them: one
/// PostgreSQL database, one admin key, one orders file and one outbox, and
/// for each replica a data directory of its own holding a copy of one
/// keyring (replicas never share a data directory).
final class Fleet: Sendable {
    let env: TestEnvironment
    let directories: [String]
    private let arguments: [String]
    private let environment: [String: String]
    private let running: Mutex<[RunningProcess?]>
    private let ports: Mutex<[Int]>

    /// Makes `count` replicas and starts the first `started` of them; `arguments` are added to every `serve`.
    init(
        count: Int,
        started: Int? = nil,
        env: TestEnvironment,
        arguments: [String] = [],
        environment: [String: String] = [:]
    ) async throws {
        let databaseURL = try #require(env.databaseURL, "a fleet needs a PostgreSQL database")
        self.env = env
        self.environment = environment
        let keyring = try Data(contentsOf: URL(fileURLWithPath: env.keyringPath))
        var directories: [String] = []
        for index in 0..<count {
            let directory = env.directory + "/replica-\(index)"
            try FileManager.default.createDirectory(
                atPath: directory,
                withIntermediateDirectories: false,
                attributes: [.posixPermissions: 0o700]
            )
            guard
                FileManager.default.createFile(
                    atPath: directory + "/keyring.json",
                    contents: keyring,
                    attributes: [.posixPermissions: 0o600]
                )
            else { throw CocoaError(.fileWriteUnknown) }
            directories.append(directory)
        }
        self.directories = directories
        var common = [
            "serve", "--port", "0", "--admin-key-file", env.adminKeyPath, "--mailer", "file:" + env.outboxPath,
            "--database", databaseURL, "--database-password-file", try #require(TestPostgres.passwordFile),
        ]
        if !arguments.contains("--provider-url") { common += ["--orders", env.ordersPath] }
        if let policy = env.policyPath { common += ["--policy", policy] }
        self.arguments = common + arguments
        running = Mutex(Array(repeating: nil, count: count))
        ports = Mutex(Array(repeating: 0, count: count))
        for index in 0..<(started ?? count) { try await start(index) }
    }

    /// Starts replica `index` (again, after a kill).
    func start(_ index: Int) async throws {
        let process = try RunningProcess(arguments + ["--data-dir", directories[index]], environment: environment)
        running.withLock { $0[index] = process }
        let port = try await process.waitForPort()
        ports.withLock { $0[index] = port }
    }

    var count: Int { directories.count }

    /// Replica `index`'s process.
    func process(_ index: Int) -> RunningProcess { running.withLock { $0[index]! } }

    /// Replica `index`'s base URL.
    func base(_ index: Int) -> String { "http://127.0.0.1:\(ports.withLock { $0[index] })" }

    /// `kill -9` of replica `index`.
    func kill(_ index: Int) {
        running.withLock { processes in
            processes[index]?.signal(SIGKILL)
            processes[index]?.process.waitUntilExit()
        }
    }

    /// Ends every replica.
    func stop() {
        for index in 0..<count { kill(index) }
    }

    /// One request to replica `index`.
    func request(
        _ index: Int,
        _ path: String,
        method: HTTPMethod = .GET,
        bearer: String? = nil,
        body: String? = nil
    ) async throws -> (Int, String) {
        try await BinaryTests.request(base(index) + path, method: method, bearer: bearer, body: body)
    }

    /// One request to replica `index`, with the answer's `Retry-After`.
    func send(
        _ index: Int,
        _ path: String,
        method: HTTPMethod = .GET,
        body: String? = nil
    ) async throws -> (status: Int, retryAfter: String?, body: String) {
        var request = HTTPClientRequest(url: base(index) + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), response.headers.first(name: "Retry-After"), String(buffer: bytes))
    }

    /// A Prometheus counter's value on replica `index` (summed over its label sets that contain `labels`).
    func counter(_ index: Int, _ name: String, labels: String = "") async throws -> Double {
        let (status, text) = try await request(index, "/metrics", bearer: env.adminKey)
        #expect(status == 200)
        return text.split(separator: "\n").filter { $0.hasPrefix(name) && (labels.isEmpty || $0.contains(labels)) }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }
}
