import Foundation
import GuestAccessCrypto
import Logging
import NIOSSL
import PostgresNIO

@testable import GuestAccessPostgres

/// The tests' PostgreSQL server, started by `scripts/test` and `.ci/run`
/// (`scripts/postgres_test_server.sh`), which export where it is. Each test
/// that needs PostgreSQL makes a database of its own.
enum TestPostgres {
    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "no test PostgreSQL server: run the tests with scripts/test (it starts one), or source scripts/postgres_test_server.sh"
        }
    }

    static var serverURL: String? { ProcessInfo.processInfo.environment["GUEST_ACCESS_TEST_POSTGRES_URL"] }
    static var passwordFile: String? { ProcessInfo.processInfo.environment["GUEST_ACCESS_TEST_POSTGRES_PASSWORD_FILE"] }

    static func password() throws -> String {
        guard let passwordFile else { throw NotConfigured() }
        return try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The second test server (`postgres_tls_test_server`): TLS only, and restartable by `control(_:)`.
    enum TLSServer {
        static var url: String? { ProcessInfo.processInfo.environment["GUEST_ACCESS_TEST_POSTGRES_TLS_URL"] }
        /// The CA that signed the server's certificate.
        static var caFile: String? { ProcessInfo.processInfo.environment["GUEST_ACCESS_TEST_POSTGRES_TLS_CA"] }

        /// Stops or starts the server (`pg_ctl`, waiting until done), as a `ChildProcess`: the server
        /// `pg_ctl start` leaves running gets none of the runner's descriptors, and the wait is for
        /// the script's exit, not for descriptors to close (which Foundation's `Process` waited for).
        static func control(_ action: String) async throws {
            guard let script = ProcessInfo.processInfo.environment["GUEST_ACCESS_TEST_POSTGRES_TLS_CTL"] else { throw NotConfigured() }
            let process = ChildProcess()
            process.executableURL = URL(fileURLWithPath: script)
            process.arguments = [action]
            try ProcessLaunch.run(process)
            while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
            guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        }
    }

    /// A new, empty database on the TLS server; returns its `--database` URL with `sslmode` (and the CA for `verify-full`).
    static func freshTLSDatabase(sslMode: String = "verify-full") async throws -> String {
        guard let url = TLSServer.url, let caFile = TLSServer.caFile else { throw NotConfigured() }
        let plain = try await freshDatabase(on: url + "?sslmode=require")
        let base = String(plain.prefix { $0 != "?" })
        return sslMode == "verify-full" ? base + "?sslmode=verify-full&sslrootcert=" + caFile : base + "?sslmode=" + sslMode
    }

    /// A new, empty database; returns its `--database` URL.
    static func freshDatabase(on serverURL: String? = Self.serverURL) async throws -> String {
        guard let serverURL else { throw NotConfigured() }
        let server = try PostgresSettings(url: serverURL)
        // Its creation time in the name: `postgres_test_prune` (scripts/postgres_test_server.sh) drops old ones.
        let name =
            "ga_test_\(Int(Date().timeIntervalSince1970))_"
            + Base64URL.encode(SecureRandom.bytes(9)).lowercased().map { $0.isLetter || $0.isNumber ? $0 : "x" }
        try await withConnection(serverURL) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(String(name))"), logger: logger)
        }
        return "postgres://\(server.username)@\(server.host):\(server.port)/\(String(name))?sslmode=\(server.sslMode.rawValue)"
    }

    /// Runs `body` on a connection of its own to the database at `url`.
    ///
    /// Bounded like the service's own store operations (`bounded`, 30 s): a test's read that meets a server
    /// being stopped may otherwise never return. One did: a watcher's read during the TLS server's stop left
    /// "PostgreSQL restarted under load" waiting for it with every task suspended and no socket open, until CI's
    /// time ran out.
    @discardableResult
    static func withConnection<T: Sendable>(
        _ url: String,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await bounded(.seconds(30)) { try await unboundedConnection(url, body) }
    }

    private static func unboundedConnection<T: Sendable>(
        _ url: String,
        _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let settings = try PostgresSettings(url: url)
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: settings.host,
                port: settings.port,
                username: settings.username,
                password: try password(),
                database: settings.database,
                tls: settings.sslMode == .disable ? .disable : .require(try NIOSSLContext(configuration: Self.tls(settings)))
            ),
            id: 1,
            logger: logger
        )
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// The tests' own connections check nothing but use TLS where the URL asks for it.
    static func tls(_ settings: PostgresSettings) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        return tls
    }

    static let logger = Logger(label: "test-postgres")
}
