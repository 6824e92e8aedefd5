import Foundation
import GRDB
import GuestAccessCore

/// The service's one SQLite database: WAL, `synchronous` from policy, migrated
/// on open. Adapters of the core's store ports share it.
public final class GuestAccessDatabase: Sendable {
    /// File name inside the data directory.
    public static let fileName = "guest-access.sqlite"

    let pool: DatabasePool

    /// Opens (creating if needed) and migrates the database at `path`.
    /// `statementObserver`, if given, sees the SQL text (never the arguments)
    /// of every statement run: tests use it to show that every verify path
    /// runs the same statements.
    public init(
        path: String, synchronous: StoragePolicy.Synchronous, statementObserver: (@Sendable (String) -> Void)? = nil
    ) throws(StoreError) {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: synchronous == .full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
            if let statementObserver {
                db.trace(options: .statement) { event in
                    if case .statement(let statement) = event { statementObserver(statement.sql) }
                }
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw StoreError(error)
        }
    }

    /// Answers when SQLite can be read, for `/readyz`.
    public func isReachable() async -> Bool {
        (try? await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }

    /// The journal mode SQLite reports (expected: `wal`).
    public func journalMode() async throws -> String {
        try await pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// `PRAGMA integrity_check`'s answer (`ok` when sound).
    public func integrityCheck() async throws -> String {
        try await pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }

    /// Names of the migrations applied, oldest first.
    public func appliedMigrations() async throws -> [String] {
        try await pool.read { db in try Self.migrator.appliedMigrations(db) }
    }

    /// Runs `body` in a write transaction.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do { return try await pool.write(body) } catch { throw StoreError(error) }
    }

    /// Runs `body` in a transaction that takes the write lock before its first
    /// read (`BEGIN IMMEDIATE`), so a read-decide-write cannot interleave with
    /// another writer, in this process or another.
    func writeImmediate<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch {
            throw StoreError(error)
        }
    }

    /// Runs `body` on a read-only snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do { return try await pool.read(body) } catch { throw StoreError(error) }
    }
}
