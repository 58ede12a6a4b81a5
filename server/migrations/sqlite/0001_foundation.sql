-- Foundation: the utility, accounts and service points, users, sessions, sign-in throttling and
-- the append-only audit log. Times are unix seconds, UTC. Booleans are 0/1.

CREATE TABLE utility_settings (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    name              TEXT    NOT NULL,
    time_zone         TEXT    NOT NULL,
    product           TEXT    NOT NULL CHECK (product IN ('PTR', 'BDR')),
    channels          TEXT    NOT NULL, -- comma-separated: email,sms,voice,print
    eligibility_rules TEXT    NOT NULL, -- JSON (app::utility::EligibilityRules)
    updated_at        INTEGER NOT NULL
);

CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    account_number  TEXT    NOT NULL UNIQUE,
    customer_name   TEXT    NOT NULL,
    service_address TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);

CREATE TABLE service_points (
    id                   INTEGER PRIMARY KEY,
    account_id           INTEGER NOT NULL REFERENCES accounts (id),
    service_point_number TEXT    NOT NULL UNIQUE,
    fuel                 TEXT    NOT NULL CHECK (fuel IN ('electric', 'gas')),
    rate_class           TEXT    NOT NULL,
    ami                  INTEGER NOT NULL CHECK (ami IN (0, 1)),
    bill_cycle_day       INTEGER NOT NULL CHECK (bill_cycle_day BETWEEN 1 AND 28)
);
CREATE INDEX service_points_by_account ON service_points (account_id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('customer', 'agent', 'program_manager', 'admin')),
    account_id    INTEGER REFERENCES accounts (id),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    INTEGER NOT NULL,
    -- A customer belongs to exactly one account; staff to none.
    CHECK ((role = 'customer') = (account_id IS NOT NULL))
);
CREATE INDEX users_by_account ON users (account_id);

CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY, -- SHA-256 of the cookie's token: a stolen table signs nobody in
    user_id      INTEGER NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE signin_failures (
    throttle_key TEXT    NOT NULL, -- 'account:<email>' or 'client:<address>'
    at           INTEGER NOT NULL
);
CREATE INDEX signin_failures_by_key ON signin_failures (throttle_key, at);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    actor_user_id INTEGER REFERENCES users (id),
    source        TEXT    NOT NULL CHECK (source IN ('portal', 'agent', 'sms', 'email', 'import', 'api', 'system')),
    account_id    INTEGER REFERENCES accounts (id),
    action        TEXT    NOT NULL,
    before_value  TEXT, -- JSON
    after_value   TEXT  -- JSON
);
CREATE INDEX audit_log_by_account ON audit_log (account_id, id);

CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
