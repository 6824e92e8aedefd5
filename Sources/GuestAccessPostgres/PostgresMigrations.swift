import Foundation

/// Named migrations, in order, as literal SQL. A shipped migration is never
/// edited: a change is a new migration. The schema is the SQLite one's final
/// shape (`GuestAccessDatabase.migrator`, v1–v10) in PostgreSQL's types, with
/// the decoy rows every verify path reads when an order has no code or budget.
enum PostgresMigrations {
    struct Migration: Sendable {
        let name: String
        let sql: String

        /// The statements, split at the semicolons that end lines (none of
        /// the migrations has one inside a literal).
        var statements: [String] {
            sql.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
                .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }
        }
    }

    static let all: [Migration] = [
        Migration(
            name: "v1-schema",
            sql: """
                CREATE TABLE tracking_tokens (
                    digest BYTEA PRIMARY KEY CHECK (length(digest) = 32),
                    order_number TEXT NOT NULL,
                    created_at_ms BIGINT NOT NULL,
                    expires_at_ms BIGINT NOT NULL,
                    revoked_at_ms BIGINT
                );
                CREATE INDEX tracking_tokens_by_order ON tracking_tokens(order_number);
                CREATE TABLE order_revocations (
                    order_number TEXT PRIMARY KEY,
                    revoked_at_ms BIGINT NOT NULL
                );
                CREATE TABLE audit_events (
                    id BIGSERIAL PRIMARY KEY,
                    at_ms BIGINT NOT NULL,
                    kind TEXT NOT NULL,
                    order_digest BYTEA CHECK (order_digest IS NULL OR length(order_digest) = 32),
                    kid TEXT,
                    detail TEXT,
                    count BIGINT NOT NULL DEFAULT 1,
                    window_ms BIGINT
                );
                CREATE INDEX audit_events_by_order ON audit_events(order_digest, at_ms);
                CREATE INDEX audit_events_by_time ON audit_events(at_ms);
                CREATE UNIQUE INDEX audit_events_windows ON audit_events(window_ms, kind, order_digest, kid, detail) NULLS NOT DISTINCT
                    WHERE window_ms IS NOT NULL;
                CREATE TABLE code_requests (
                    id BIGSERIAL PRIMARY KEY,
                    order_number TEXT NOT NULL,
                    email_digest BYTEA NOT NULL,
                    email_kid TEXT NOT NULL,
                    client_digest BYTEA NOT NULL,
                    requested_at_ms BIGINT NOT NULL,
                    next_attempt_at_ms BIGINT NOT NULL,
                    delivery_attempts INTEGER NOT NULL DEFAULT 0,
                    lease_until_ms BIGINT NOT NULL DEFAULT 0,
                    lease_token BIGINT NOT NULL DEFAULT 0,
                    turn BIGINT NOT NULL DEFAULT 0,
                    audit_id BIGINT,
                    outcome TEXT
                );
                CREATE INDEX code_requests_by_turn ON code_requests(turn, id) WHERE outcome IS NULL;
                CREATE INDEX code_requests_due ON code_requests(next_attempt_at_ms) WHERE outcome IS NULL;
                CREATE INDEX code_requests_by_order ON code_requests(order_number) WHERE outcome IS NULL;
                CREATE INDEX code_requests_twins ON code_requests(order_number, email_digest, lease_until_ms) WHERE outcome IS NULL;
                CREATE TABLE queue_clients (
                    client_digest BYTEA PRIMARY KEY,
                    last_turn BIGINT NOT NULL
                );
                CREATE TABLE queue_clock (id INTEGER PRIMARY KEY CHECK (id = 1), turn BIGINT NOT NULL);
                INSERT INTO queue_clock (id, turn) VALUES (1, 0);
                CREATE TABLE access_codes (
                    order_key TEXT PRIMARY KEY,
                    code_digest BYTEA NOT NULL,
                    email_digest BYTEA NOT NULL,
                    kid TEXT NOT NULL,
                    expires_at_ms BIGINT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    used BOOLEAN NOT NULL DEFAULT false,
                    write_nonce BIGINT NOT NULL DEFAULT 0
                );
                INSERT INTO access_codes (order_key, code_digest, email_digest, kid, expires_at_ms)
                VALUES ('', gen_random_uuid()::text::bytea, gen_random_uuid()::text::bytea, '', 0);
                CREATE TABLE order_budgets (
                    order_key TEXT PRIMARY KEY,
                    consecutive_failures INTEGER NOT NULL DEFAULT 0,
                    day INTEGER NOT NULL DEFAULT 0,
                    day_failures INTEGER NOT NULL DEFAULT 0,
                    total_failures INTEGER NOT NULL DEFAULT 0,
                    write_nonce BIGINT NOT NULL DEFAULT 0
                );
                INSERT INTO order_budgets (order_key) VALUES ('');
                CREATE TABLE code_issuance (
                    request_id BIGINT PRIMARY KEY,
                    order_number TEXT NOT NULL,
                    email_digest BYTEA NOT NULL,
                    issued_at_ms BIGINT NOT NULL
                );
                CREATE INDEX code_issuance_by_order ON code_issuance(order_number, issued_at_ms);
                CREATE INDEX code_issuance_by_email ON code_issuance(email_digest, issued_at_ms);
                CREATE TABLE revoked_access_tokens (
                    jti TEXT PRIMARY KEY,
                    expires_at_ms BIGINT NOT NULL
                );
                """
        ),
        Migration(
            name: "v2-request-language",
            sql: """
                ALTER TABLE code_requests ADD COLUMN language TEXT;
                """
        ),
        // One shared decoy row let a verify of an order without rows wait for every other such
        // verify in the fleet (a timing signal, and a queue under a flood). Now there are 2,048
        // of each, and a verify locks two free ones (`FOR UPDATE SKIP LOCKED`): room for 1,024
        // verifies inside their transactions at once, 64 replicas' worth of 16 connections.
        // Their keys (`''`, `~decoy-NNNN`) can never be an order number.
        Migration(
            name: "v3-decoy-rows",
            sql: """
                ALTER TABLE access_codes ADD COLUMN decoy BOOLEAN NOT NULL DEFAULT false;
                UPDATE access_codes SET decoy = true WHERE order_key = '';
                INSERT INTO access_codes (order_key, code_digest, email_digest, kid, expires_at_ms, decoy)
                SELECT '~decoy-' || lpad(n::text, 4, '0'), gen_random_uuid()::text::bytea, gen_random_uuid()::text::bytea, '', 0, true
                FROM generate_series(1, 2047) AS n;
                CREATE INDEX access_codes_decoys ON access_codes(order_key) WHERE decoy;
                ALTER TABLE order_budgets ADD COLUMN decoy BOOLEAN NOT NULL DEFAULT false;
                UPDATE order_budgets SET decoy = true WHERE order_key = '';
                INSERT INTO order_budgets (order_key, decoy) SELECT '~decoy-' || lpad(n::text, 4, '0'), true FROM generate_series(1, 2047) AS n;
                CREATE INDEX order_budgets_decoys ON order_budgets(order_key) WHERE decoy;
                """
        ),
    ]
}
