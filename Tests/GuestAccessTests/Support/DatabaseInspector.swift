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
}
