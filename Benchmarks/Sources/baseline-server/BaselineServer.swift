import Foundation
import GRDB
import Hummingbird
import Logging
import PostgresNIO

/// The load tests' baselines, served on 127.0.0.1:PORT:
/// `GET /bare` answers a small JSON body; `POST /commit` inserts one row and
/// answers a small JSON body: one commit, as verify and request-code each do.
/// The row goes to a SQLite WAL database at the given `synchronous`, or to a
/// PostgreSQL database through a postgres-nio pool of 16 connections (the
/// service's own pool size), without TLS on loopback. With SQLite it also
/// serves the reference routes `GET /track/:token` (`TrackingReference`) and
/// `GET /refetch` (`RefetchReference`), their tables in DATABASE_PATH-reference.
/// With `BASELINE_FRAME=service` in its environment it serves the service's
/// route table and middleware layers instead, with nothing in them, and the
/// two reference handlers at the service's paths (`ServiceFrame`); their tables
/// then hold the load test's handful of rows, not 10,000. `BASELINE_FRAME=folded`
/// serves the same with one empty layer instead of the service's four, and
/// `BASELINE_FRAME=headers` with that layer setting the contract's four headers.
///
/// Usage: baseline-server PORT DATABASE_PATH full|normal
///        baseline-server PORT postgres HOST:PORT/DATABASE USER PASSWORD_FILE
@main
struct BaselineServer {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard let port = arguments.count > 1 ? Int(arguments[1]) : nil else { usage() }
        if arguments.count == 6, arguments[2] == "postgres" {
            try await postgres(port: port, target: arguments[3], user: arguments[4], passwordFile: arguments[5])
        } else if arguments.count == 4 {
            try await sqlite(port: port, path: arguments[2], synchronous: arguments[3] == "normal" ? "NORMAL" : "FULL")
        } else {
            usage()
        }
    }

    static func usage() -> Never {
        FileHandle.standardError.write(
            Data(
                "usage: baseline-server PORT DATABASE_PATH full|normal\n       baseline-server PORT postgres HOST:PORT/DATABASE USER PASSWORD_FILE\n"
                    .utf8
            )
        )
        exit(2)
    }

    static func router(commit: @escaping @Sendable () async throws -> Void) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/bare") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#))
            )
        }
        router.post("/commit") { _, _ -> Response in
            try await commit()
            return Response(
                status: .accepted,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"accepted"}"#))
            )
        }
        return router
    }

    static func sqlite(port: Int, path: String, synchronous: String) async throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        let pool = try DatabasePool(path: path, configuration: configuration)
        // On the writer after the pool is open: GRDB's WAL setup sets NORMAL after `prepareDatabase` runs.
        try await pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        try await pool.write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, body BLOB)")
        }
        let frameSetting = ProcessInfo.processInfo.environment["BASELINE_FRAME"]
        let layers = frameSetting.flatMap(ServiceFrame.Layers.init(rawValue:))
        guard frameSetting == nil || layers != nil else { usage() }
        let frame = layers != nil
        let reference = try TrackingReference(path: path + "-reference", fillerRows: frame ? 3 : 10_000)
        let refetch = try RefetchReference(path: path + "-reference", fillerRows: frame ? 3 : 10_000)
        let router: Router<BasicRequestContext>
        if let layers {
            router = ServiceFrame.router(tracking: reference, refetch: refetch, layers: layers)
        } else {
            router = Self.router {
                try await pool.write { db in
                    try db.execute(
                        sql: "INSERT INTO rows (at_ms, body) VALUES (?, randomblob(32))",
                        arguments: [Int(Date().timeIntervalSince1970 * 1000)]
                    )
                }
            }
            reference.add(to: router)
            refetch.add(to: router)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }

    static func postgres(port: Int, target: String, user: String, passwordFile: String) async throws {
        let parts = target.split(separator: "/", maxSplits: 1)
        let hostPort = parts[0].split(separator: ":")
        guard parts.count == 2, hostPort.count == 2, let serverPort = Int(hostPort[1]) else { usage() }
        let password = try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        var configuration = PostgresClient.Configuration(
            host: String(hostPort[0]),
            port: serverPort,
            username: user,
            password: password,
            database: String(parts[1]),
            tls: .disable
        )
        configuration.options.maximumConnections = 16
        let client = PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "baseline"))
        let router = router {
            try await client.query(
                "INSERT INTO rows (at_ms, body) VALUES (\(Int(Date().timeIntervalSince1970 * 1000)), decode(md5(random()::text), 'hex'))"
            )
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            try await client.query("CREATE TABLE IF NOT EXISTS rows (id BIGSERIAL PRIMARY KEY, at_ms BIGINT NOT NULL, body BYTEA)")
            try await app.runService()
        }
    }
}
