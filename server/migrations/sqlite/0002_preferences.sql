-- Account Center preferences (seeds 000 and 003): recipients and what each receives, the
-- account-wide stops with the version every save is checked against, SMS consent per number,
-- undeliverable addresses, and the durable outbox for messages to send.

CREATE TABLE recipients (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts (id),
    is_primary     INTEGER NOT NULL CHECK (is_primary IN (0, 1)),
    name           TEXT    NOT NULL,
    email          TEXT,
    sms_phone      TEXT,    -- E.164
    voice_phone    TEXT,    -- E.164
    peak_email     INTEGER NOT NULL DEFAULT 0 CHECK (peak_email IN (0, 1)),
    peak_sms       INTEGER NOT NULL DEFAULT 0 CHECK (peak_sms IN (0, 1)),
    peak_voice     INTEGER NOT NULL DEFAULT 0 CHECK (peak_voice IN (0, 1)),
    communications TEXT    NOT NULL DEFAULT '',   -- comma-separated Communication names
    notifications  TEXT    NOT NULL DEFAULT '{}', -- JSON (app::preferences::NotificationMatrix)
    created_at     INTEGER NOT NULL,
    -- Seed 000: a name and at least one way to reach them.
    CHECK (email IS NOT NULL OR sms_phone IS NOT NULL OR voice_phone IS NOT NULL)
);
CREATE INDEX recipients_by_account ON recipients (account_id, is_primary DESC, id);
-- Exactly one primary per account: at most one here, at least one by the account's creation.
CREATE UNIQUE INDEX recipients_one_primary ON recipients (account_id) WHERE is_primary = 1;
CREATE INDEX recipients_by_sms_phone ON recipients (sms_phone);

CREATE TABLE account_preferences (
    account_id      INTEGER PRIMARY KEY REFERENCES accounts (id),
    version         INTEGER NOT NULL,
    stop_email      INTEGER NOT NULL DEFAULT 0 CHECK (stop_email IN (0, 1)),
    stop_sms        INTEGER NOT NULL DEFAULT 0 CHECK (stop_sms IN (0, 1)),
    stop_voice      INTEGER NOT NULL DEFAULT 0 CHECK (stop_voice IN (0, 1)),
    stop_everything INTEGER NOT NULL DEFAULT 0 CHECK (stop_everything IN (0, 1)),
    updated_at      INTEGER NOT NULL
);

-- SMS consent belongs to the number: a STOP from it stops every recipient using it.
CREATE TABLE sms_consent (
    phone      TEXT    PRIMARY KEY, -- E.164
    state      TEXT    NOT NULL CHECK (state IN ('pending', 'opted_in', 'opted_out')),
    updated_at INTEGER NOT NULL
);

CREATE TABLE undeliverable_addresses (
    channel   TEXT    NOT NULL CHECK (channel IN ('email', 'sms', 'voice')),
    address   TEXT    NOT NULL,
    reason    TEXT    NOT NULL,
    marked_at INTEGER NOT NULL,
    PRIMARY KEY (channel, address)
);

-- Messages to send, written in the transaction that decides them, so none is lost; the
-- idempotency key makes writing the same message twice a no-op.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL UNIQUE,
    payload         TEXT    NOT NULL, -- JSON
    created_at      INTEGER NOT NULL,
    available_at    INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    delivered_at    INTEGER,
    last_error      TEXT
);
CREATE INDEX outbox_pending ON outbox (available_at) WHERE delivered_at IS NULL;

-- A sentence for people reading the history; `action` stays the stable name for programs.
ALTER TABLE audit_log ADD COLUMN summary TEXT NOT NULL DEFAULT '';
