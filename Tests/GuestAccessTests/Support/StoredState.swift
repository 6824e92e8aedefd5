import Foundation
import GRDB
import PostgresNIO

/// The service's stored code, budget and queue state, from SQLite or
/// PostgreSQL alike, so invariant tests check both backends the same way.
struct StoredState {
    let environment: TestEnvironment

    struct CodeRow: Equatable {
        let attempts: Int
        let used: Bool
        let kid: String
    }

    struct BudgetRow: Equatable {
        let consecutive: Int
        let day: Int
        let dayFailures: Int
        let total: Int
    }

    /// Code requests not finished yet.
    func pendingRequests() async throws -> Int {
        if let url = environment.databaseURL {
            return try await TestPostgres.withConnection(url) { connection in
                var count = 0
                let rows = try await connection.query(
                    "SELECT count(*) FROM code_requests WHERE outcome IS NULL",
                    logger: TestPostgres.logger
                )
                for try await value in rows.decode(Int64.self) { count = Int(value) }
                return count
            }
        }
        return try DatabaseInspector(directory: environment.directory).requestCounts().pending
    }

    /// How the order's code requests ended, oldest first (nil: pending).
    func outcomes(of orderNumber: String) async throws -> [String?] {
        if let url = environment.databaseURL {
            return try await TestPostgres.withConnection(url) { connection in
                var outcomes: [String?] = []
                let rows = try await connection.query(
                    "SELECT outcome FROM code_requests WHERE order_number = \(orderNumber) ORDER BY id",
                    logger: TestPostgres.logger
                )
                for try await outcome in rows.decode(String?.self) { outcomes.append(outcome) }
                return outcomes
            }
        }
        return try DatabaseInspector(directory: environment.directory).read { db in
            try String?.fetchAll(db, sql: "SELECT outcome FROM code_requests WHERE order_number = ? ORDER BY id", arguments: [orderNumber])
        }
    }

    /// Every code row by order key (`""` is the decoy).
    func codes() async throws -> [String: CodeRow] {
        if let url = environment.databaseURL {
            return try await TestPostgres.withConnection(url) { connection in
                var rows: [String: CodeRow] = [:]
                let result = try await connection.query(
                    "SELECT order_key, attempts, used, kid FROM access_codes",
                    logger: TestPostgres.logger
                )
                for try await (key, attempts, used, kid) in result.decode((String, Int32, Bool, String).self) {
                    rows[key] = CodeRow(attempts: Int(attempts), used: used, kid: kid)
                }
                return rows
            }
        }
        return try DatabaseInspector(directory: environment.directory).read { db in
            var rows: [String: CodeRow] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT order_key, attempts, used, kid FROM access_codes") {
                rows[row["order_key"]] = CodeRow(attempts: row["attempts"], used: row["used"], kid: row["kid"])
            }
            return rows
        }
    }

    /// Every failure-budget row by order key (`""` is the decoy).
    func budgets() async throws -> [String: BudgetRow] {
        if let url = environment.databaseURL {
            return try await TestPostgres.withConnection(url) { connection in
                var rows: [String: BudgetRow] = [:]
                let result = try await connection.query(
                    "SELECT order_key, consecutive_failures, day, day_failures, total_failures FROM order_budgets",
                    logger: TestPostgres.logger
                )
                for try await (key, consecutive, day, dayFailures, total) in result.decode((String, Int32, Int32, Int32, Int32).self) {
                    rows[key] = BudgetRow(consecutive: Int(consecutive), day: Int(day), dayFailures: Int(dayFailures), total: Int(total))
                }
                return rows
            }
        }
        return try DatabaseInspector(directory: environment.directory).read { db in
            var rows: [String: BudgetRow] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT order_key, consecutive_failures, day, day_failures, total_failures FROM order_budgets"
            ) {
                rows[row["order_key"]] = BudgetRow(
                    consecutive: row["consecutive_failures"],
                    day: row["day"],
                    dayFailures: row["day_failures"],
                    total: row["total_failures"]
                )
            }
            return rows
        }
    }
}
