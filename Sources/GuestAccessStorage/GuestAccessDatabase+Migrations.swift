import GRDB

extension GuestAccessDatabase {
    /// Named migrations, in order. A shipped migration is never edited: a change
    /// is a new migration.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-tracking-tokens") { db in
            try db.execute(
                sql: """
                    CREATE TABLE tracking_tokens (
                        digest BLOB PRIMARY KEY NOT NULL CHECK (length(digest) = 32),
                        order_number TEXT NOT NULL,
                        created_at_ms INTEGER NOT NULL,
                        expires_at_ms INTEGER NOT NULL,
                        revoked_at_ms INTEGER
                    ) WITHOUT ROWID;
                    CREATE INDEX tracking_tokens_by_order ON tracking_tokens(order_number);
                    CREATE TABLE order_revocations (
                        order_number TEXT PRIMARY KEY NOT NULL,
                        revoked_at_ms INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("v2-access-codes") { db in
            try db.execute(
                sql: """
                    CREATE TABLE code_requests (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        order_number TEXT NOT NULL,
                        email_digest BLOB NOT NULL,
                        email_kid TEXT NOT NULL,
                        requested_at_ms INTEGER NOT NULL,
                        next_attempt_at_ms INTEGER NOT NULL,
                        delivery_attempts INTEGER NOT NULL DEFAULT 0,
                        outcome TEXT
                    );
                    CREATE INDEX code_requests_due ON code_requests(next_attempt_at_ms) WHERE outcome IS NULL;
                    CREATE INDEX code_requests_by_order ON code_requests(order_number) WHERE outcome IS NULL;
                    CREATE TABLE access_codes (
                        order_key TEXT PRIMARY KEY NOT NULL,
                        code_digest BLOB NOT NULL,
                        email_digest BLOB NOT NULL,
                        kid TEXT NOT NULL,
                        expires_at_ms INTEGER NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        used INTEGER NOT NULL DEFAULT 0
                    ) WITHOUT ROWID;
                    INSERT INTO access_codes (order_key, code_digest, email_digest, kid, expires_at_ms, attempts, used)
                    VALUES ('', randomblob(32), randomblob(32), '', 0, 0, 0);
                    CREATE TABLE order_budgets (
                        order_key TEXT PRIMARY KEY NOT NULL,
                        consecutive_failures INTEGER NOT NULL DEFAULT 0,
                        day INTEGER NOT NULL DEFAULT 0,
                        day_failures INTEGER NOT NULL DEFAULT 0
                    ) WITHOUT ROWID;
                    INSERT INTO order_budgets (order_key) VALUES ('');
                    CREATE TABLE code_issuance (
                        request_id INTEGER PRIMARY KEY NOT NULL,
                        order_number TEXT NOT NULL,
                        email_digest BLOB NOT NULL,
                        issued_at_ms INTEGER NOT NULL
                    );
                    CREATE INDEX code_issuance_by_order ON code_issuance(order_number, issued_at_ms);
                    CREATE INDEX code_issuance_by_email ON code_issuance(email_digest, issued_at_ms);
                    CREATE TABLE revoked_access_tokens (
                        jti TEXT PRIMARY KEY NOT NULL,
                        expires_at_ms INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("v3-lifetime-failure-budget") { db in
            try db.execute(sql: "ALTER TABLE order_budgets ADD COLUMN total_failures INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v4-verify-write-nonce") { db in
            // Every verify attempt rewrites these with a fresh random value, so every path
            // dirties the same pages: SQLite skips writing a row whose bytes do not change,
            // which made uncounted attempts commit measurably faster.
            try db.execute(
                sql: """
                    ALTER TABLE access_codes ADD COLUMN write_nonce INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE order_budgets ADD COLUMN write_nonce INTEGER NOT NULL DEFAULT 0;
                    """
            )
        }
        migrator.registerMigration("v5-audit-events") { db in
            // Security events, keyed by a keyed order digest: no order number,
            // email, code or token is ever written here.
            try db.execute(
                sql: """
                    CREATE TABLE audit_events (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        at_ms INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        order_digest BLOB CHECK (order_digest IS NULL OR length(order_digest) = 32),
                        kid TEXT,
                        detail TEXT
                    );
                    CREATE INDEX audit_events_by_order ON audit_events(order_digest, at_ms);
                    CREATE INDEX audit_events_by_time ON audit_events(at_ms);
                    """
            )
        }
        migrator.registerMigration("v6-reset-decoy-rows") { db in
            // Before this version a verify on a revoked order could copy that order's
            // failure counts into the shared decoy budget row, which then judged every
            // order without a budget of its own. Put the decoys back as v2 made them.
            try db.execute(
                sql: """
                    UPDATE order_budgets SET consecutive_failures = 0, day = 0, day_failures = 0, total_failures = 0
                    WHERE order_key = '';
                    UPDATE access_codes SET attempts = 0, used = 0 WHERE order_key = '';
                    """
            )
        }
        migrator.registerMigration("v7-code-request-turns") { db in
            // Client turns, leases for parallel workers, and the index the turn
            // query walks (pending requests by client, oldest first).
            try db.execute(
                sql: """
                    ALTER TABLE code_requests ADD COLUMN client_digest BLOB NOT NULL DEFAULT x'';
                    ALTER TABLE code_requests ADD COLUMN lease_until_ms INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX code_requests_turns ON code_requests(client_digest, id) WHERE outcome IS NULL;
                    """
            )
        }
        migrator.registerMigration("v8-audit-folding") { db in
            // Code requests that end without a code fold into one row per order,
            // outcome and hour (`count`, `window_ms`); a request points at its own
            // code.requested row so the fold can replace it.
            try db.execute(
                sql: """
                    ALTER TABLE audit_events ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
                    ALTER TABLE audit_events ADD COLUMN window_ms INTEGER;
                    CREATE INDEX audit_events_windows ON audit_events(window_ms, kind, detail) WHERE window_ms IS NOT NULL;
                    ALTER TABLE code_requests ADD COLUMN audit_id INTEGER;
                    """
            )
        }
        migrator.registerMigration("v9-code-request-fair-turns") { db in
            // Turns stamped at enqueue (start-time fair queuing) replace the per-claim window
            // over every pending request, which cost a full scan per claim under a flood.
            try db.execute(
                sql: """
                    ALTER TABLE code_requests ADD COLUMN turn INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE code_requests ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0;
                    DROP INDEX code_requests_turns;
                    CREATE INDEX code_requests_by_turn ON code_requests(turn, id) WHERE outcome IS NULL;
                    CREATE TABLE queue_clients (
                        client_digest BLOB PRIMARY KEY NOT NULL,
                        last_turn INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE queue_clock (id INTEGER PRIMARY KEY CHECK (id = 1), turn INTEGER NOT NULL);
                    INSERT INTO queue_clock (id, turn) VALUES (1, 0);
                    """
            )
        }
        migrator.registerMigration("v10-code-request-twins") { db in
            // The claim's twin check and the collapse at finish find an order-and-email's
            // pending rows by this index, not by scanning every pending request for the order.
            try db.execute(
                sql: """
                    CREATE INDEX code_requests_twins ON code_requests(order_number, email_digest, lease_until_ms) WHERE outcome IS NULL;
                    """
            )
        }
        migrator.registerMigration("v11-code-request-language") { db in
            // The language of the page or API call that asked: the email's. Older rows: English.
            try db.execute(sql: "ALTER TABLE code_requests ADD COLUMN language TEXT;")
        }
        return migrator
    }
}
