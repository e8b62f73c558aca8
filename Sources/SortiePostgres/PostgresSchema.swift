/// The PostgreSQL schema, as versioned migrations applied on start under an advisory lock, so
/// that instances starting together migrate once. A migration that ran is never edited.
enum PostgresSchema {
    /// The tables the store writes, which its health check reads.
    static let writtenTables = ["customers", "conversations", "tasks", "messages", "agent_channel_slots", "idempotency_keys", "message_attempts", "consent_changes"]

    /// `(version, SQL)`, oldest first.
    static let migrations: [(String, String)] = [
        ("v1: customers, conversations, tasks, messages, agent slots", """
            CREATE TABLE customers (
                id         TEXT PRIMARY KEY,
                channel    TEXT NOT NULL,
                address    TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                UNIQUE (channel, address)
            );
            CREATE TABLE conversations (
                seq                      BIGSERIAL NOT NULL,
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
                created_at               DOUBLE PRECISION NOT NULL,
                closed_at                DOUBLE PRECISION,
                wrap_up_reason           TEXT
            );
            -- The service's invariant: at most one active conversation per normalized destination, enforced here.
            CREATE UNIQUE INDEX conversations_one_active_per_destination
                ON conversations (channel, destination) WHERE state = 'active';
            CREATE INDEX conversations_by_customer ON conversations (customer_id, created_at, seq);
            CREATE TABLE tasks (
                id              TEXT PRIMARY KEY,
                conversation_id TEXT NOT NULL UNIQUE REFERENCES conversations(id),
                agent_id        TEXT NOT NULL,
                channel         TEXT NOT NULL,
                state           TEXT NOT NULL CHECK (state IN ('offered', 'accepted', 'completed')),
                created_at      DOUBLE PRECISION NOT NULL,
                accepted_at     DOUBLE PRECISION,
                completed_at    DOUBLE PRECISION
            );
            CREATE INDEX tasks_open_by_agent ON tasks (agent_id, channel) WHERE state <> 'completed';
            CREATE TABLE messages (
                seq             BIGSERIAL PRIMARY KEY,
                id              TEXT NOT NULL UNIQUE,
                conversation_id TEXT NOT NULL REFERENCES conversations(id),
                direction       TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
                body            TEXT NOT NULL,
                subject         TEXT,
                template        TEXT,
                status          TEXT NOT NULL,
                in_reply_to     TEXT,
                created_at      DOUBLE PRECISION NOT NULL
            );
            CREATE INDEX messages_by_conversation ON messages (conversation_id, seq);
            CREATE INDEX messages_outbox ON messages (seq) WHERE status = 'queued';
            -- One row per agent and channel, locked (SELECT … FOR UPDATE) by every create of that
            -- agent on that channel: the limit check and the insert are serialized per agent.
            CREATE TABLE agent_channel_slots (
                agent_id TEXT NOT NULL,
                channel  TEXT NOT NULL,
                PRIMARY KEY (agent_id, channel)
            );
            """),
        ("v2: idempotency keys", """
            CREATE TABLE idempotency_keys (
                key             TEXT PRIMARY KEY,
                conversation_id TEXT NOT NULL REFERENCES conversations(id),
                answer          BYTEA NOT NULL,
                created_at      DOUBLE PRECISION NOT NULL
            );
            """),
        // Keys kept from before have the open caller's scope (`Caller.open.scope`) and no body
        // hash, which matches no body.
        ("v3: idempotency keys scoped to the caller and bound to the body", """
            ALTER TABLE idempotency_keys ADD COLUMN scope TEXT NOT NULL DEFAULT '4:open0:0:';
            ALTER TABLE idempotency_keys ALTER COLUMN scope DROP DEFAULT;
            ALTER TABLE idempotency_keys ADD COLUMN body_sha256 TEXT;
            ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
            ALTER TABLE idempotency_keys ADD PRIMARY KEY (scope, key);
            CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
            """),
        ("v4: the outbox's deliveries: attempts, errors, retries and leases", """
            ALTER TABLE messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE messages ADD COLUMN last_error TEXT;
            ALTER TABLE messages ADD COLUMN provider_message_id TEXT;
            -- NULL: due at once.
            ALTER TABLE messages ADD COLUMN next_attempt_at DOUBLE PRECISION;
            -- The lease of the dispatcher pushing it: its token and end.
            ALTER TABLE messages ADD COLUMN claim TEXT;
            ALTER TABLE messages ADD COLUMN claimed_until DOUBLE PRECISION;
            -- A conversation's queued messages, oldest first: only the first may be claimed.
            CREATE INDEX messages_queued_by_conversation ON messages (conversation_id, seq) WHERE status = 'queued';
            CREATE TABLE message_attempts (
                seq         BIGSERIAL PRIMARY KEY,
                message_id  TEXT NOT NULL REFERENCES messages(id),
                at          DOUBLE PRECISION NOT NULL,
                http_status INTEGER,
                error       TEXT
            );
            CREATE INDEX message_attempts_by_message ON message_attempts (message_id, seq);
            """),
        ("v5: consent changes and the customer's time zone", """
            -- The customer's IANA time zone, when known: the create's recipientTimeZone.
            ALTER TABLE customers ADD COLUMN time_zone TEXT;
            -- Every opt-out and opt-in, never updated nor deleted: the state of a key is its latest row.
            CREATE TABLE consent_changes (
                seq        BIGSERIAL PRIMARY KEY,
                id         TEXT NOT NULL UNIQUE,
                channel    TEXT NOT NULL,
                address    TEXT NOT NULL,
                -- The entry point's name, or '*' for the whole tenant.
                scope_key  TEXT NOT NULL,
                change     TEXT NOT NULL CHECK (change IN ('opt-out', 'opt-in')),
                source     TEXT NOT NULL CHECK (source IN ('keyword', 'api')),
                by_kind    TEXT NOT NULL,
                by_subject TEXT,
                at         DOUBLE PRECISION NOT NULL
            );
            CREATE INDEX consent_changes_by_address ON consent_changes (channel, address, scope_key, seq);
            CREATE FUNCTION sortie_consent_changes_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'consent changes are never updated nor deleted'; END $$;
            CREATE TRIGGER consent_changes_immutable BEFORE UPDATE OR DELETE ON consent_changes
                FOR EACH ROW EXECUTE FUNCTION sortie_consent_changes_immutable();
            """),
    ]
}
