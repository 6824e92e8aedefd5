import Foundation
public import GuestAccessCore
public import Logging
import NIOSSL
import PostgresNIO
public import ServiceLifecycle

/// The service's PostgreSQL database: a connection pool (postgres-nio's
/// `PostgresClient`, run as a service), named migrations applied once under an
/// advisory lock however many replicas start together, and transactions for
/// the store adapters. Several `serve` processes on one database are one
/// service: every piece of state the contract promises across replicas lives
/// here.
public final class PostgresDatabase: Sendable, Service {
    let client: PostgresClient
    let logger: Logger

    /// `settings` says where and how to connect; the password is passed apart
    /// so it never sits in a URL, a log line or the process list.
    public init(settings: PostgresSettings, password: String?, logger: Logger) throws(StoreError) {
        var configuration = PostgresClient.Configuration(
            host: settings.host,
            port: settings.port,
            username: settings.username,
            password: password,
            database: settings.database,
            tls: .disable
        )
        switch settings.sslMode {
        case .disable:
            configuration.tls = .disable
        case .require:
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            configuration.tls = .require(tls)
        case .verifyFull:
            var tls = TLSConfiguration.makeClientConfiguration()
            if let caFile = settings.caFile { tls.trustRoots = .file(caFile) }
            tls.certificateVerification = .fullVerification
            configuration.tls = .require(tls)
        }
        configuration.options.maximumConnections = settings.maxConnections
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.additionalStartupParameters = [
            ("statement_timeout", "\(settings.statementTimeoutMilliseconds)"),
            // The stores' transactions rely on READ COMMITTED (a statement's snapshot is taken when it starts,
            // after the order's lock is held), whatever the role's or database's default.
            ("default_transaction_isolation", "read committed"),
            ("application_name", "guest-access"),
        ]
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// Runs the pool until graceful shutdown (stores fail with `unavailable` after).
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.client.run() }
    }

    /// Connects once, applies the migrations (see `migrate()`) and disconnects:
    /// what the assembly runs before it serves, on a pool of its own (a pool
    /// is run once, by the service group).
    public static func migrate(settings: PostgresSettings, password: String?, logger: Logger) async throws(StoreError) {
        var settings = settings
        settings.maxConnections = 1
        let database = try PostgresDatabase(settings: settings, password: password, logger: logger)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await database.client.run() }
                defer { group.cancelAll() }
                // Unreachable: fail within seconds. Reachable: wait as long as the migrations
                // (or another replica holding the lock while it runs them) take.
                try await database.migrateOnceReachable()
            }
        } catch {
            throw StoreError(postgres: error)
        }
    }

    /// Fails within `operationLimit` when the database does not answer (a start
    /// must not hang); once it answers, migrates however long that takes.
    private func migrateOnceReachable() async throws {
        let reachable = await isReachable(within: operationLimit)
        if !reachable { throw StoreError.unavailable(reason: "the database does not answer") }
        try await migrate()
    }

    /// Applies the migrations this version knows and has not applied, each in
    /// its own transaction, holding a session advisory lock so that replicas
    /// starting together wait for one another instead of racing. Runs on the
    /// dedicated one-connection pool of `migrate(settings:password:logger:)`,
    /// without the statement timeout or the operation bound: waiting for the
    /// lock, or a long migration, must not fail a start.
    func migrate() async throws(StoreError) {
        do {
            try await client.withConnection { connection in try await self.migrate(on: connection) }
        } catch {
            throw StoreError(postgres: error)
        }
    }

    private func migrate(on connection: PostgresConnection) async throws {
        do {
            try await connection.query("SET statement_timeout = 0", logger: self.logger)
            try await connection.query("SELECT pg_advisory_lock(\(Self.migrationLock))", logger: self.logger)
            do {
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS guest_access_migrations (
                        name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                    """,
                    logger: self.logger
                )
                var applied = Set<String>()
                for try await name in try await connection.query("SELECT name FROM guest_access_migrations", logger: self.logger)
                    .decode(String.self)
                {
                    applied.insert(name)
                }
                for migration in PostgresMigrations.all where !applied.contains(migration.name) {
                    try await connection.withTransaction(logger: self.logger) { connection in
                        // One statement per query: the extended protocol takes no more.
                        for statement in migration.statements {
                            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                        }
                        try await connection.query(
                            "INSERT INTO guest_access_migrations (name) VALUES (\(migration.name))",
                            logger: self.logger
                        )
                    }
                    self.logger.info("database migration applied", metadata: ["migration": "\(migration.name)"])
                }
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: self.logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: self.logger)
        }
    }

    /// Names of the migrations applied, in order.
    public func appliedMigrations() async throws(StoreError) -> [String] {
        try await connection { connection in
            var names: [String] = []
            for try await name in try await connection.query(
                "SELECT name FROM guest_access_migrations ORDER BY applied_at, name",
                logger: self.logger
            ).decode(String.self) {
                names.append(name)
            }
            return names
        }
    }

    /// Whether the database answers within `limit` (2 s for `/readyz`; a start
    /// allows a connection attempt's full timeout and more, for a loaded host).
    public func isReachable(within limit: Duration = .seconds(2)) async -> Bool {
        let (client, logger) = (client, logger)
        do {
            return try await bounded(limit) {
                try await client.query("SELECT 1", logger: logger)
                return true
            }
        } catch {
            return false
        }
    }

    /// Runs `body` in one transaction (READ COMMITTED); a thrown error rolls it back.
    @discardableResult
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws(StoreError) -> T {
        let (client, logger) = (client, logger)
        do {
            return try await bounded(operationLimit) {
                try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            }
        } catch {
            throw StoreError(postgres: error)
        }
    }

    /// Runs `body` on a leased connection, outside a transaction, within
    /// `limit` (`operationLimit` when nil).
    @discardableResult
    func connection<T: Sendable>(
        within limit: Duration? = nil,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws(StoreError) -> T {
        let client = client
        do {
            return try await bounded(limit ?? operationLimit) {
                try await client.withConnection { connection in try await body(connection) }
            }
        } catch {
            throw StoreError(postgres: error)
        }
    }

    /// Longest a store operation may take, waiting for a connection included,
    /// before the request gets 503: a connection attempt's timeout plus a
    /// statement's.
    var operationLimit: Duration { .seconds(10) }

    /// The key of the session advisory lock migrations run under ("guest-access migrations").
    static let migrationLock: Int64 = 0x6761_6D69_6772_6174
}
