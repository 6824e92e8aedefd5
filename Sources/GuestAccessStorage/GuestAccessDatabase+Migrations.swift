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
                    """)
        }
        return migrator
    }
}
