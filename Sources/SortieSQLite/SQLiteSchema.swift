import GRDB

/// The SQLite schema, as versioned migrations: a database is brought to the newest version on
/// open, and a migration that ran is never edited (add a new one instead).
enum SQLiteSchema {
    /// The tables the store writes, which its health check reads.
    static let writtenTables = ["customers", "conversations", "tasks", "messages", "idempotency_keys", "message_attempts", "consent_changes"]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: customers, conversations, tasks, messages") { db in
            try db.execute(sql: """
                CREATE TABLE customers (
                    id         TEXT PRIMARY KEY,
                    channel    TEXT NOT NULL,
                    address    TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    UNIQUE (channel, address)
                );
                CREATE TABLE conversations (
                    id                       TEXT PRIMARY KEY,
                    origin                   TEXT NOT NULL CHECK (origin IN ('outbound', 'inbound')),
                    state                    TEXT NOT NULL CHECK (state IN ('active', 'closed')),
                    channel                  TEXT NOT NULL,
                    customer_id              TEXT NOT NULL REFERENCES customers(id),
                    destination              TEXT NOT NULL,
                    agent_id                 TEXT,
                    entry_point              TEXT NOT NULL,
                    subject                  TEXT,
                    subject_key              TEXT,
                    previous_conversation_id TEXT REFERENCES conversations(id),
                    created_at               REAL NOT NULL,
                    closed_at                REAL,
                    wrap_up_reason           TEXT
                );
                -- The service's invariant: at most one active conversation per normalized destination.
                CREATE UNIQUE INDEX conversations_one_active_per_destination
                    ON conversations (channel, destination) WHERE state = 'active';
                CREATE INDEX conversations_by_customer ON conversations (customer_id, created_at);
                CREATE TABLE tasks (
                    id              TEXT PRIMARY KEY,
                    conversation_id TEXT NOT NULL UNIQUE REFERENCES conversations(id),
                    agent_id        TEXT NOT NULL,
                    channel         TEXT NOT NULL,
                    state           TEXT NOT NULL CHECK (state IN ('offered', 'accepted', 'completed')),
                    created_at      REAL NOT NULL,
                    accepted_at     REAL,
                    completed_at    REAL
                );
                -- An agent's activeOutbound: its open tasks per channel.
                CREATE INDEX tasks_open_by_agent ON tasks (agent_id, channel) WHERE state <> 'completed';
                CREATE TABLE messages (
                    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
                    id              TEXT NOT NULL UNIQUE,
                    conversation_id TEXT NOT NULL REFERENCES conversations(id),
                    direction       TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
                    body            TEXT NOT NULL,
                    subject         TEXT,
                    template        TEXT,
                    status          TEXT NOT NULL,
                    in_reply_to     TEXT,
                    created_at      REAL NOT NULL
                );
                CREATE INDEX messages_by_conversation ON messages (conversation_id, seq);
                -- The outbox: outbound messages the channel gateway has not taken yet.
                CREATE INDEX messages_outbox ON messages (seq) WHERE status = 'queued';
                """)
        }
        migrator.registerMigration("v2: idempotency keys") { db in
            try db.execute(sql: """
                -- A create's Idempotency-Key and the answer it gave, kept with the conversation it created.
                CREATE TABLE idempotency_keys (
                    key             TEXT PRIMARY KEY,
                    conversation_id TEXT NOT NULL REFERENCES conversations(id),
                    answer          BLOB NOT NULL,
                    created_at      REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3: idempotency keys scoped to the caller and bound to the body") { db in
            // SQLite cannot change a primary key in place: the table is rebuilt. Keys kept from
            // before have the open caller's scope (`Caller.open.scope`) and no body hash, which
            // matches no body.
            try db.execute(sql: """
                CREATE TABLE idempotency_keys_v3 (
                    scope           TEXT NOT NULL,
                    key             TEXT NOT NULL,
                    body_sha256     TEXT,
                    conversation_id TEXT NOT NULL REFERENCES conversations(id),
                    answer          BLOB NOT NULL,
                    created_at      REAL NOT NULL,
                    PRIMARY KEY (scope, key)
                );
                INSERT INTO idempotency_keys_v3 (scope, key, body_sha256, conversation_id, answer, created_at)
                    SELECT '4:open0:0:', key, NULL, conversation_id, answer, created_at FROM idempotency_keys;
                DROP TABLE idempotency_keys;
                ALTER TABLE idempotency_keys_v3 RENAME TO idempotency_keys;
                -- The purge deletes by age.
                CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
                """)
        }
        migrator.registerMigration("v4: the outbox's deliveries: attempts, errors, retries and leases") { db in
            try db.execute(sql: OutboxSchema.sqlite)
        }
        migrator.registerMigration("v5: consent changes and the customer's time zone") { db in
            try db.execute(sql: """
                -- The customer's IANA time zone, when known: the create's recipientTimeZone.
                ALTER TABLE customers ADD COLUMN time_zone TEXT;
                -- Every opt-out and opt-in, never updated nor deleted: the state of a key is its latest row.
                CREATE TABLE consent_changes (
                    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
                    id         TEXT NOT NULL UNIQUE,
                    channel    TEXT NOT NULL,
                    address    TEXT NOT NULL,
                    -- The entry point's name, or '*' for the whole tenant.
                    scope_key  TEXT NOT NULL,
                    change     TEXT NOT NULL CHECK (change IN ('opt-out', 'opt-in')),
                    source     TEXT NOT NULL CHECK (source IN ('keyword', 'api')),
                    by_kind    TEXT NOT NULL,
                    by_subject TEXT,
                    at         REAL NOT NULL
                );
                CREATE INDEX consent_changes_by_address ON consent_changes (channel, address, scope_key, seq);
                CREATE TRIGGER consent_changes_never_updated BEFORE UPDATE ON consent_changes
                    BEGIN SELECT RAISE(ABORT, 'consent changes are never updated'); END;
                CREATE TRIGGER consent_changes_never_deleted BEFORE DELETE ON consent_changes
                    BEGIN SELECT RAISE(ABORT, 'consent changes are never deleted'); END;
                """)
        }
        return migrator
    }
}

/// The outbox columns and the attempts table (see `Outbox` for the rules they hold).
enum OutboxSchema {
    static let sqlite = """
        ALTER TABLE messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE messages ADD COLUMN last_error TEXT;
        ALTER TABLE messages ADD COLUMN provider_message_id TEXT;
        -- NULL: due at once.
        ALTER TABLE messages ADD COLUMN next_attempt_at REAL;
        -- The lease of the dispatcher pushing it: its token and end.
        ALTER TABLE messages ADD COLUMN claim TEXT;
        ALTER TABLE messages ADD COLUMN claimed_until REAL;
        -- A conversation's queued messages, oldest first: only the first may be claimed.
        CREATE INDEX messages_queued_by_conversation ON messages (conversation_id, seq) WHERE status = 'queued';
        CREATE TABLE message_attempts (
            seq         INTEGER PRIMARY KEY AUTOINCREMENT,
            message_id  TEXT NOT NULL REFERENCES messages(id),
            at          REAL NOT NULL,
            http_status INTEGER,
            error       TEXT
        );
        CREATE INDEX message_attempts_by_message ON message_attempts (message_id, seq);
        """
}
