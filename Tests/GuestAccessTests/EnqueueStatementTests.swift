import Foundation
import GuestAccessCore
import Logging
import PostgresNIO
import Testing

@testable import GuestAccessPostgres

/// The batch statement on its own, one batch at a time, read back row by row.
@Suite("PostgreSQL enqueue statement")
struct EnqueueStatementTests {
    static func request(_ number: String, client: UInt8, audit: AuditEvent) -> EnqueueStatement.Request {
        EnqueueStatement.Request(
            orderNumber: number,
            emailDigest: [UInt8](repeating: 1, count: 32),
            emailKid: "k1",
            clientDigest: [client],
            language: .de,
            requestedAt: Date(timeIntervalSince1970: 1_780_000_000),
            audit: audit
        )
    }

    @Test("One batch gives each client's requests consecutive turns and audit ids in the order the requests came")
    func oneBatchKeepsArrivalOrder() async throws {
        try await StorePortTests.withPostgresStores { _, url in
            let at = Date(timeIntervalSince1970: 1_780_000_000)
            let digest = [UInt8](repeating: 7, count: 32)
            let events = [
                AuditEvent(at: at, kind: .codeRequested, orderDigest: digest, kid: "k1", detail: nil),
                AuditEvent(at: at, kind: .codeRequested, orderDigest: nil, kid: nil, detail: ""),
                AuditEvent(at: at, kind: .codeRequested, orderDigest: digest, kid: "k2", detail: "d"),
            ]
            // Clients A, B, A, C, A, B: the turns one-by-one queuing gives are 1, 1, 2, 1, 3, 2.
            let clients: [UInt8] = [0xA, 0xB, 0xA, 0xC, 0xA, 0xB]
            let requests = clients.enumerated().map { index, client in
                Self.request("ORD-\(index + 1)", client: client, audit: events[index % 3])
            }
            let rows = try await TestPostgres.withConnection(url) { connection in
                _ = try await connection.execute(EnqueueStatement(requests: requests), logger: Logger(label: "test"))
                var rows: [(String, Int64, String?, Bool, String?, String?)] = []
                let result = try await connection.query(
                    """
                    SELECT r.order_number, r.turn, r.language, a.order_digest IS NULL, a.kid, a.detail
                    FROM code_requests r JOIN audit_events a ON a.id = r.audit_id ORDER BY a.id
                    """,
                    logger: Logger(label: "test")
                )
                for try await row in result.decode((String, Int64, String?, Bool, String?, String?).self) { rows.append(row) }
                return rows
            }
            #expect(rows.map(\.0) == (1...6).map { "ORD-\($0)" })
            #expect(rows.map(\.1) == [1, 1, 2, 1, 3, 2])
            #expect(rows.allSatisfy { $0.2 == "de" })
            // Absent order digests, key ids and details are NULL; an empty detail stays empty.
            #expect(rows.map(\.3) == [false, true, false, false, true, false])
            #expect(rows.map(\.4) == ["k1", nil, "k2", "k1", nil, "k2"])
            #expect(rows.map(\.5) == [nil, "", "d", nil, "", "d"])
        }
    }
}
