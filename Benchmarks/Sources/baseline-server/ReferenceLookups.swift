import CRawSQLite
import GRDB
import Synchronization

/// The service's read pattern for its hot point lookups, for the reference
/// routes: a few read-only connections to a WAL database taken in turn (the
/// spare shared beyond them), GRDB's cached statement stepped through
/// SQLite's C API, one statement without a transaction, on the calling
/// thread.
final class ReferenceLookups: Sendable {
    private let connections: Mutex<[DatabaseQueue]>
    private let spare: DatabaseQueue

    init(path: String) throws {
        var readOnly = Configuration()
        readOnly.readonly = true
        connections = Mutex(try (0..<4).map { _ in try DatabaseQueue(path: path, configuration: readOnly) })
        spare = try DatabaseQueue(path: path, configuration: readOnly)
    }

    /// Steps `sql` with `key` bound (a blob or text; `second`, if given, as its
    /// second parameter) and hands the first row's handle to `read`, or
    /// answers nil when there is none.
    func first<T>(
        _ sql: String,
        blob: [UInt8]? = nil,
        text: String? = nil,
        second: String? = nil,
        _ read: (OpaquePointer) -> T
    ) throws -> T? {
        let taken = connections.withLock { $0.popLast() }
        defer { if let taken { connections.withLock { $0.append(taken) } } }
        return try (taken ?? spare).inDatabase { db -> T? in
            let handle = try db.cachedStatement(sql: sql).sqliteStatement
            defer {
                sqlite3_reset(handle)
                sqlite3_clear_bindings(handle)
            }
            if let blob {
                _ = blob.withUnsafeBytes { sqlite3_bind_blob(handle, 1, $0.baseAddress, Int32($0.count), sqliteTransient) }
            } else if var text {
                _ = text.withUTF8 { utf8 in
                    utf8.withMemoryRebound(to: CChar.self) {
                        sqlite3_bind_text(handle, 1, $0.baseAddress, Int32($0.count), sqliteTransient)
                    }
                }
            }
            if var second {
                _ = second.withUTF8 { utf8 in
                    utf8.withMemoryRebound(to: CChar.self) {
                        sqlite3_bind_text(handle, 2, $0.baseAddress, Int32($0.count), sqliteTransient)
                    }
                }
            }
            return sqlite3_step(handle) == SQLITE_ROW ? read(handle) : nil
        }
    }
}
