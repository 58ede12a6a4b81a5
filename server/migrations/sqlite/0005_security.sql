-- Security (issue 15): a sign-in throttle that reserves each attempt before a password is
-- checked, sign-in in steps (second factor, first password change, enrolling a second factor),
-- TOTP second factors with recovery codes, one-time reset links, the server's own keys for the
-- values it signs, SMS consent per account, and outbox leases that name their holder.

-- One row per throttle key ('pair:<email>|<client>', 'email:<email>', 'client:<address>',
-- 'device:<id>'): attempts are counted up before the password is checked, in one statement, so
-- parallel guesses cannot all pass the same check.
CREATE TABLE signin_throttle (
    throttle_key  TEXT    PRIMARY KEY,
    failures      INTEGER NOT NULL, -- attempts in the window not followed by a success
    blocked_until INTEGER NOT NULL, -- no attempt under this key before then
    updated_at    INTEGER NOT NULL
);
DROP TABLE signin_failures;

ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1));
ALTER TABLE users ADD COLUMN password_changed_at INTEGER;
-- RFC 6238 (TOTP) secret, base32; NULL: no second factor.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
-- The last time step a code was accepted for: a code is used once.
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

CREATE TABLE recovery_codes (
    user_id   INTEGER NOT NULL REFERENCES users (id),
    code_hash TEXT    NOT NULL, -- SHA-256 of the code
    used_at   INTEGER,
    PRIMARY KEY (user_id, code_hash)
);

-- A session signs in in steps; only an 'active' one is anyone's session.
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'active'
    CHECK (stage IN ('active', 'second_factor', 'new_password', 'enroll'));
-- The second factor being set up (JSON: secret and recovery codes), until it is confirmed.
ALTER TABLE sessions ADD COLUMN enrolling TEXT;
-- Wrong codes typed in this session's second-factor step.
ALTER TABLE sessions ADD COLUMN code_failures INTEGER NOT NULL DEFAULT 0;
-- What the customer sees in their list of sessions.
ALTER TABLE sessions ADD COLUMN client TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
-- A short public id for the list of sessions (the token hash never leaves the server).
ALTER TABLE sessions ADD COLUMN public_id TEXT NOT NULL DEFAULT '';

CREATE TABLE signin_resets (
    token_hash TEXT    PRIMARY KEY, -- SHA-256 of the link's token
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX signin_resets_by_user ON signin_resets (user_id);

-- Random keys the server signs its own values with (device cookies, refusals carried in a URL),
-- made once and shared by every instance.
CREATE TABLE server_keys (
    name       TEXT    PRIMARY KEY,
    secret     TEXT    NOT NULL, -- hex
    created_at INTEGER NOT NULL
);

-- SMS consent is each account's own: an account sees only what it asked and was answered. A
-- STOP from a number still stops every account at once, and is kept for the number.
CREATE TABLE account_sms_consent (
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    phone      TEXT    NOT NULL, -- E.164
    state      TEXT    NOT NULL CHECK (state IN ('pending', 'opted_in', 'opted_out')),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, phone)
);
CREATE INDEX account_sms_consent_by_phone ON account_sms_consent (phone);
CREATE TABLE sms_number_stops (
    phone      TEXT    PRIMARY KEY, -- E.164
    stopped_at INTEGER NOT NULL
);
INSERT INTO account_sms_consent (account_id, phone, state, updated_at)
    SELECT DISTINCT r.account_id, c.phone, c.state, c.updated_at
    FROM sms_consent c JOIN recipients r ON r.sms_phone = c.phone;
INSERT INTO sms_number_stops (phone, stopped_at)
    SELECT phone, updated_at FROM sms_consent WHERE state = 'opted_out';
DROP TABLE sms_consent;

-- Outbox leases name their holder: only the sender holding the lease may mark the message
-- delivered or failed. A message that failed too often is set aside (dead) for an operator.
ALTER TABLE outbox ADD COLUMN lease_token TEXT;
ALTER TABLE outbox ADD COLUMN dead_at INTEGER;
-- An operator gave up on a dead message: it no longer holds back its ordering key.
ALTER TABLE outbox ADD COLUMN discarded_at INTEGER;
