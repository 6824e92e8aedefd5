import CRawSQLite
import Foundation

/// One SQLite connection and its prepared point read, used without GRDB: the
/// tracking reference's raw variant, which tells GRDB's share of a lookup
/// from SQLite's own. Used by one caller at a time (`TrackingReference`
/// hands them out under a lock).
final class RawPointRead: @unchecked Sendable {
    private var db: OpaquePointer?
    private var statement: OpaquePointer?

    init(path: String, sql: String) throws {
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK,
            sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK
        else { throw RawPointReadError(message: String(cString: sqlite3_errmsg(db))) }
    }

    deinit {
        sqlite3_finalize(statement)
        sqlite3_close_v2(db)
    }

    /// The live row's order number for `digest`, or nil.
    func orderNumber(digest: [UInt8], now: Int64) throws -> String? {
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        _ = digest.withUnsafeBytes { sqlite3_bind_blob(statement, 1, $0.baseAddress, Int32($0.count), sqliteTransient) }
        switch sqlite3_step(statement) {
        case SQLITE_ROW:
            let expires = sqlite3_column_int64(statement, 1)
            let revoked = sqlite3_column_type(statement, 2) != SQLITE_NULL
            guard expires > now, !revoked, let text = sqlite3_column_text(statement, 0) else { return nil }
            return String(cString: text)
        case SQLITE_DONE:
            return nil
        default:
            throw RawPointReadError(message: String(cString: sqlite3_errmsg(db)))
        }
    }
}

struct RawPointReadError: Error {
    let message: String
}

/// SQLite's "copy the bytes now" destructor, which its C header spells as a cast of -1.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
