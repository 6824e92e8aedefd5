import Foundation
import GuestAccessCore
import PostgresNIO

/// A code request queued in one prepared statement, outside any explicit
/// transaction: the client's next turn, the `code.requested` audit row (the
/// columns `PostgresAuditTrail.insert` writes) and the request itself, atomic
/// as one statement is, in one round trip instead of five (begin, three
/// statements, commit). Data-modifying CTEs run exactly once; the turn is one
/// after the client's last, and never behind the turn being served.
struct EnqueueStatement: PostgresPreparedStatement {
    static let name = "guest_access_enqueue_v1"

    static let sql = """
        WITH turn AS (
            INSERT INTO queue_clients (client_digest, last_turn) VALUES ($1, (SELECT turn FROM queue_clock) + 1)
            ON CONFLICT (client_digest) DO UPDATE
                SET last_turn = GREATEST(queue_clients.last_turn + 1, (SELECT turn FROM queue_clock) + 1)
            RETURNING last_turn),
        audit AS (
            INSERT INTO audit_events (at_ms, kind, order_digest, kid, detail)
            VALUES ($2, $3, $4, $5, $6)
            RETURNING id)
        INSERT INTO code_requests (order_number, email_digest, email_kid, client_digest, requested_at_ms, next_attempt_at_ms,
            audit_id, turn, language)
        SELECT $7, $8, $9, $1, $10, $10, (SELECT id FROM audit), (SELECT last_turn FROM turn), $11
        """

    static let bindingDataTypes: [PostgresDataType] = [
        .bytea, .int8, .text, .bytea, .text, .text, .text, .bytea, .text, .int8, .text,
    ]

    typealias Row = ()

    let orderNumber: String
    let emailDigest: [UInt8]
    let emailKid: String
    let clientDigest: [UInt8]
    let language: ShopperLanguage
    let requestedAt: Date
    let audit: AuditEvent

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 11)
        try bindings.append(Data(clientDigest))
        bindings.append(audit.at.millisecondsSince1970)
        bindings.append(audit.kind.rawValue)
        try bindings.append(audit.orderDigest.map { Data($0) })
        bindings.append(audit.kid)
        bindings.append(audit.detail)
        bindings.append(orderNumber)
        try bindings.append(Data(emailDigest))
        bindings.append(emailKid)
        bindings.append(requestedAt.millisecondsSince1970)
        bindings.append(language.rawValue)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}
