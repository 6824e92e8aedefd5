import Foundation
import GRDB
public import GuestAccessCore
import Synchronization

/// The service's one SQLite database: WAL, `synchronous` from policy, migrated
/// on open. Adapters of the core's store ports share it.
public final class GuestAccessDatabase: Sendable {
    /// File name inside the data directory.
    public static let fileName = "guest-access.sqlite"

    let pool: DatabasePool
    /// Read-only connections for the hot point lookups (a tracking token, a
    /// revocation), used on the caller's thread (`lookup`): taken from this
    /// list and given back, so callers on different threads do not queue on
    /// one connection's dispatch queue (with one connection, waiting there
    /// was 5% of the tracking route's samples and most of its thread
    /// switches). `lookupConnections` of them; when all are taken, the caller
    /// takes turns on `spareLookup`.
    let lookups: Mutex<[DatabaseQueue]>
    let spareLookup: DatabaseQueue
    /// More than the cooperative pool has threads on a small machine; each holds at most its 512 KiB page cache.
    static let lookupConnections = 4

    /// Opens (creating if needed) and migrates the database at `path`.
    /// `statementObserver`, if given, sees the SQL text (never the arguments)
    /// of every statement run: tests use it to show that every verify path
    /// runs the same statements.
    public init(
        path: String,
        synchronous: StoragePolicy.Synchronous,
        statementObserver: (@Sendable (String) -> Void)? = nil
    ) throws(StoreError) {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -512")
            if let statementObserver {
                db.trace(options: .statement) { event in
                    if case .statement(let statement) = event { statementObserver(statement.sql) }
                }
            }
        }
        try Self.createPrivately(path)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // Set on the writer once the pool is open: GRDB's WAL setup runs after `prepareDatabase` and sets
            // NORMAL, which had silently turned the policy's `full` into `normal` (no sync at commit).
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: synchronous == .full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
            }
            try Self.migrator.migrate(pool)
            var readOnly = configuration
            readOnly.readonly = true
            // A lookup holds its caller's thread (one of the few the cooperative pool has): it waits at most a
            // quarter second for a lock (a WAL reader meets one only in rare cases such as recovery), then
            // fails as unavailable, a 503, instead of stalling every request for the pool's five seconds.
            readOnly.busyMode = .timeout(0.25)
            spareLookup = try DatabaseQueue(path: path, configuration: readOnly)
            lookups = Mutex(try (0..<Self.lookupConnections).map { _ in try DatabaseQueue(path: path, configuration: readOnly) })
        } catch {
            throw StoreError(error)
        }
    }

    /// Creates the database file 0600 before SQLite opens it (SQLite would create
    /// it under the umask, usually 0644), and takes group and other access away
    /// from an existing one. SQLite gives the WAL and shared-memory files the
    /// mode of the database file.
    static func createPrivately(_ path: String) throws(StoreError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw StoreError.unavailable(reason: "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw StoreError.unavailable(reason: "\(path) is not a regular file")
        }
        if UInt32(info.st_mode) & 0o077 != 0 && fchmod(fd, 0o600) != 0 {
            throw StoreError.unavailable(reason: "cannot restrict \(path) to its owner: \(String(cString: strerror(errno)))")
        }
        for companion in [path + "-wal", path + "-shm"] {
            var companionInfo = stat()
            if lstat(companion, &companionInfo) == 0, (companionInfo.st_mode & S_IFMT) == S_IFREG,
                UInt32(companionInfo.st_mode) & 0o077 != 0
            {
                chmod(companion, 0o600)
            }
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

    /// Runs one read-only statement on the calling thread, without a
    /// transaction or savepoint around it (one statement reads one snapshot),
    /// over a lookup connection taken for it (`lookups`): for the hot point
    /// lookups, whose indexed read takes microseconds, less than the hops to a
    /// GRDB queue and back that `read` makes (BENCHMARKS.md, "Load"). A WAL
    /// reader waits for no writer; callers beyond the four connections take
    /// turns on the spare one. (The pool's
    /// own synchronous read, tried first, deadlocked under load beside the
    /// pool's asynchronous reads.)
    func lookup<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        let taken = lookups.withLock { $0.popLast() }
        defer { if let taken { lookups.withLock { $0.append(taken) } } }
        do { return try (taken ?? spareLookup).inDatabase(body) } catch { throw StoreError(error) }
    }

    /// Runs `body` on a read-only snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do { return try await pool.read(body) } catch { throw StoreError(error) }
    }
}
