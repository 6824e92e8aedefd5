import Foundation
import GRDB

/// Reads the service's SQLite file directly, as an insider with the database would.
struct DatabaseInspector {
    let path: String

    init(directory: String) { path = directory + "/guest-access.sqlite" }

    func codeState(_ orderNumber: String) throws -> (attempts: Int, used: Bool)? {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT attempts, used FROM access_codes WHERE order_key = ?", arguments: [orderNumber])
                .map { ($0["attempts"], $0["used"]) }
        }
    }

    /// Every byte of the database and its WAL.
    func allBytes() -> Data {
        ["", "-wal"].reduce(into: Data()) { data, suffix in
            data += (try? Data(contentsOf: URL(fileURLWithPath: path + suffix))) ?? Data()
        }
    }

    /// Opens read-write (so SQLite can recover a WAL left by a crash), runs `body`, closes.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        let queue = try DatabaseQueue(path: path)
        return try queue.read(body)
    }

    func integrityCheck() throws -> String {
        try read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }

    /// Attempts per order's code, and lifetime failures per order.
    func counters() throws -> (attempts: [String: Int], failures: [String: Int]) {
        try read { db in
            let attempts = try Row.fetchAll(db, sql: "SELECT order_key, attempts FROM access_codes WHERE order_key <> ''")
            let failures = try Row.fetchAll(db, sql: "SELECT order_key, total_failures FROM order_budgets WHERE order_key <> ''")
            return (
                Dictionary(uniqueKeysWithValues: attempts.map { ($0["order_key"], $0["attempts"]) }),
                Dictionary(uniqueKeysWithValues: failures.map { ($0["order_key"], $0["total_failures"]) })
            )
        }
    }

    /// Code requests: all, and those still pending.
    func requestCounts() throws -> (all: Int, pending: Int, sent: Int) {
        try read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM code_requests") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM code_requests WHERE outcome IS NULL") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM code_requests WHERE outcome = 'sent'") ?? 0
            )
        }
    }

    /// Retries scheduled so far, over all code requests: each lookup or
    /// delivery that failed and will be tried again counts one.
    func deliveryRetries() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT coalesce(sum(delivery_attempts), 0) FROM code_requests") ?? 0 }
    }
}

extension DatabaseInspector {
    /// Writes to the live file, as an insider (or a corrupting fault) would.
    func write(_ body: (Database) throws -> Void) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write(body)
    }
}
