import Foundation
import GuestAccessCrypto
import GuestAccessPostgres
import Logging
import PostgresNIO

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

    /// A new, empty database; returns its `--database` URL.
    static func freshDatabase() async throws -> String {
        guard let serverURL else { throw NotConfigured() }
        let server = try PostgresSettings(url: serverURL)
        let name = "ga_test_" + Base64URL.encode(SecureRandom.bytes(9)).lowercased().map { $0.isLetter || $0.isNumber ? $0 : "x" }
        try await withConnection(serverURL) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(String(name))"), logger: logger)
        }
        return "postgres://\(server.username)@\(server.host):\(server.port)/\(String(name))?sslmode=disable"
    }

    /// Runs `body` on a connection of its own to the database at `url`.
    @discardableResult
    static func withConnection<T: Sendable>(_ url: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let settings = try PostgresSettings(url: url)
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: settings.host,
                port: settings.port,
                username: settings.username,
                password: try password(),
                database: settings.database,
                tls: .disable
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

    static let logger = Logger(label: "test-postgres")
}
