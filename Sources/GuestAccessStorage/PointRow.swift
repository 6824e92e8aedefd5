import GRDB
import GRDBSQLite

/// The hot point lookups' one-parameter statements, run on SQLite's own
/// statement handle: bind the key, step once, read the columns by position,
/// reset. GRDB's `Row.fetchOne` builds a cursor, copies the row and finds
/// columns by a lowercased name; on the tracking route that was 12% of the
/// service's CPU against 5% for SQLite's own work (BENCHMARKS.md, 2026-11-27).
/// The statement is GRDB's cached one, so GRDB still prepares and finalizes
/// it, and SQLite's trace (the tests' statement observer) still sees it.
struct PointRow: ~Copyable {
    private let handle: OpaquePointer

    private init(handle: OpaquePointer) { self.handle = handle }

    /// Runs `statement` with `key` bound to its one parameter and hands the
    /// first row, if any, to `read`. The statement is reset before this
    /// returns, ending its read transaction.
    static func fetch<T>(_ statement: Statement, key: Key, _ read: (borrowing PointRow) -> T) throws -> T? {
        try run(statement, key, nil, read)
    }

    /// `fetch(_:key:_:)` for a statement of two parameters.
    static func fetch<T>(_ statement: Statement, keys first: Key, _ second: Key, _ read: (borrowing PointRow) -> T) throws -> T? {
        try run(statement, first, second, read)
    }

    private static func run<T>(_ statement: Statement, _ first: Key, _ second: Key?, _ read: (borrowing PointRow) -> T) throws -> T? {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        // Every parameter bound, or none read: an unbound one would be NULL and match nothing.
        precondition(sqlite3_bind_parameter_count(handle) == (second == nil ? 1 : 2), "a point lookup binds every parameter")
        try bind(first, at: 1, statement)
        if let second { try bind(second, at: 2, statement) }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return read(PointRow(handle: handle))
        case SQLITE_DONE: return nil
        case let code: throw Self.error(code, statement)
        }
    }

    private static func bind(_ key: Key, at index: Int32, _ statement: Statement) throws {
        let handle = statement.sqliteStatement
        let bound: Int32
        switch key {
        case .blob(let bytes):
            bound = bytes.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), sqliteTransient) }
        case .text(let text):
            var text = text
            bound = text.withUTF8 { utf8 in
                utf8.withMemoryRebound(to: CChar.self) {
                    sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), sqliteTransient)
                }
            }
        }
        guard bound == SQLITE_OK else { throw Self.error(bound, statement) }
    }

    /// The key a point lookup binds.
    enum Key {
        case blob([UInt8])
        case text(String)
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func optionalInt64(_ column: Int32) -> Int64? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
    }

    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    private static func error(_ code: Int32, _ statement: Statement) -> DatabaseError {
        let message = sqlite3_db_handle(statement.sqliteStatement).flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
    }
}

/// SQLite's "copy the bytes now" destructor, which its C header spells as a cast of -1.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
