import Foundation
import GRDB
import Hummingbird

/// The load test's baselines, served on 127.0.0.1:PORT:
/// `GET /bare` answers a small JSON body; `POST /commit` inserts one row in a
/// SQLite WAL database at the given `synchronous` (one commit, as verify and
/// request-code each do) and answers a small JSON body.
///
/// Usage: baseline-server PORT DATABASE_PATH full|normal
@main
struct BaselineServer {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 4, let port = Int(arguments[1]) else {
            FileHandle.standardError.write(Data("usage: baseline-server PORT DATABASE_PATH full|normal\n".utf8))
            exit(2)
        }
        var configuration = Configuration()
        let synchronous = arguments[3] == "normal" ? "NORMAL" : "FULL"
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        configuration.busyMode = .timeout(5)
        let pool = try DatabasePool(path: arguments[2], configuration: configuration)
        try await pool.write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, body BLOB)")
        }

        let router = Router()
        router.get("/bare") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#))
            )
        }
        router.post("/commit") { _, _ -> Response in
            try await pool.write { db in
                try db.execute(
                    sql: "INSERT INTO rows (at_ms, body) VALUES (?, randomblob(32))",
                    arguments: [Int(Date().timeIntervalSince1970 * 1000)]
                )
            }
            return Response(
                status: .accepted,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"accepted"}"#))
            )
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}
