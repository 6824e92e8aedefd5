import Foundation
import GuestAccessCore
import NIOCore
import PostgresNIO

/// Code requests queued together in one prepared statement, outside any
/// explicit transaction: for each request its client's next turn, its
/// `code.requested` audit row (the columns `PostgresAuditTrail.insert`
/// writes) and the request itself, atomic as one statement is, in one round
/// trip and one commit however many requests `EnqueueBatcher` gathered.
///
/// The turns are those the requests would get queued one after another in
/// the order given: a client's `c` requests in the batch take the turns
/// `max(last, clock) + 1 … + c`, where `last` is the client's last turn and
/// `clock` the turn being served, and the client's row is written once (an
/// upsert may not touch a row twice in one statement), in the order of the
/// clients' digests: two statements locking rows of the same clients (two
/// replicas, or a flush still running after its bound) then wait for each
/// other instead of each holding a row the other needs (a deadlock fails
/// every request in both). Data-modifying CTEs run exactly once; `input`
/// calls `nextval` in the order the requests came, once each, so audit ids
/// follow arrival and each request keeps the id it was given.
struct EnqueueStatement: PostgresPreparedStatement {
    static let name = "guest_access_enqueue_v3"

    static let sql = """
        WITH input AS MATERIALIZED (
            SELECT given.*, nextval('audit_events_id_seq') AS audit_id
            FROM (
                SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::text[], $4::bytea[], $5::text[], $6::bool[], $7::text[],
                        $8::bool[], $9::text[], $10::bytea[], $11::text[], $12::bigint[], $13::text[])
                    WITH ORDINALITY AS given(client_digest, at_ms, kind, order_digest, kid, has_kid, detail, has_detail,
                        order_number, email_digest, email_kid, requested_at_ms, language, position)
                ORDER BY position) AS given),
        numbered AS (
            SELECT input.*, row_number() OVER (PARTITION BY client_digest ORDER BY position) AS k,
                count(*) OVER (PARTITION BY client_digest) AS c
            FROM input),
        clock AS (SELECT turn FROM queue_clock),
        turns AS (
            INSERT INTO queue_clients (client_digest, last_turn)
            SELECT client_digest, (SELECT turn FROM clock) + c FROM numbered
            GROUP BY client_digest, c ORDER BY client_digest
            ON CONFLICT (client_digest) DO UPDATE
                SET last_turn = GREATEST(queue_clients.last_turn - (SELECT turn FROM clock), 0) + excluded.last_turn
            RETURNING client_digest, last_turn),
        audit AS (
            INSERT INTO audit_events (id, at_ms, kind, order_digest, kid, detail)
            SELECT audit_id, at_ms, kind, NULLIF(order_digest, ''::bytea), CASE WHEN has_kid THEN kid END,
                CASE WHEN has_detail THEN detail END
            FROM numbered)
        INSERT INTO code_requests (order_number, email_digest, email_kid, client_digest, requested_at_ms, next_attempt_at_ms,
            audit_id, turn, language)
        SELECT numbered.order_number, numbered.email_digest, numbered.email_kid, numbered.client_digest,
            numbered.requested_at_ms, numbered.requested_at_ms, numbered.audit_id, turns.last_turn - numbered.c + numbered.k,
            numbered.language
        FROM numbered JOIN turns ON turns.client_digest = numbered.client_digest
        ORDER BY numbered.position
        """

    static let bindingDataTypes: [PostgresDataType] = [
        .byteaArray, .int8Array, .textArray, .byteaArray, .textArray, .boolArray, .textArray, .boolArray,
        .textArray, .byteaArray, .textArray, .int8Array, .textArray,
    ]

    typealias Row = ()

    /// One request as the statement takes it.
    struct Request: Sendable {
        let orderNumber: String
        let emailDigest: [UInt8]
        let emailKid: String
        let clientDigest: [UInt8]
        let language: ShopperLanguage
        let requestedAt: Date
        let audit: AuditEvent
    }

    let requests: [Request]

    /// Arrays of columns, one element per request (PostgreSQL's arrays here
    /// hold no NULLs): an audit row's order digest, 32 bytes when present,
    /// travels as empty for none; its key id and detail have flags.
    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 13)
        bindings.append(requests.map { ByteBuffer(bytes: $0.clientDigest) })
        bindings.append(requests.map { $0.audit.at.millisecondsSince1970 })
        bindings.append(requests.map { $0.audit.kind.rawValue })
        bindings.append(requests.map { ByteBuffer(bytes: $0.audit.orderDigest ?? []) })
        bindings.append(requests.map { $0.audit.kid ?? "" })
        bindings.append(requests.map { $0.audit.kid != nil })
        bindings.append(requests.map { $0.audit.detail ?? "" })
        bindings.append(requests.map { $0.audit.detail != nil })
        bindings.append(requests.map(\.orderNumber))
        bindings.append(requests.map { ByteBuffer(bytes: $0.emailDigest) })
        bindings.append(requests.map(\.emailKid))
        bindings.append(requests.map { $0.requestedAt.millisecondsSince1970 })
        bindings.append(requests.map { $0.language.rawValue })
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}
