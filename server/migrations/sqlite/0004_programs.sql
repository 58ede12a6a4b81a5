-- Programs, devices and enrollments (issue 5, seeds 001 and 004): program definitions, the
-- customers' controllable devices with their head-end registration, enrollments (the
-- subscription: account, program, service point, devices) with each device's entity group, and
-- the head-end acknowledgements received, so a replayed one changes nothing.

-- A medical or life-support flag: such an account is never enrolled in demand response online.
ALTER TABLE accounts ADD COLUMN life_support INTEGER NOT NULL DEFAULT 0 CHECK (life_support IN (0, 1));

CREATE TABLE programs (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    status     TEXT    NOT NULL CHECK (status IN ('draft', 'active', 'retired')),
    definition TEXT    NOT NULL, -- JSON (app::programs::ProgramDefinition)
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE devices (
    id                  INTEGER PRIMARY KEY,
    account_id          INTEGER NOT NULL REFERENCES accounts (id),
    service_point_id    INTEGER NOT NULL REFERENCES service_points (id),
    kind                TEXT    NOT NULL CHECK (kind IN ('thermostat', 'ev_charger', 'battery', 'solar_inverter')),
    make                TEXT    NOT NULL,
    model               TEXT    NOT NULL,
    serial              TEXT    NOT NULL,
    network_address     TEXT    NOT NULL,
    capacity_tenths     INTEGER NOT NULL CHECK (capacity_tenths > 0),
    registration        TEXT    NOT NULL DEFAULT 'not_registered' CHECK (registration IN
        ('not_registered', 'registration_pending', 'registered', 'deregistration_pending', 'deregistered', 'failed')),
    registration_detail TEXT,
    -- The newest head-end message about this device: only its acknowledgement may set the flag,
    -- so a late answer to an older message never undoes a newer change.
    sync_message        TEXT,
    last_sync_at        INTEGER,
    created_at          INTEGER NOT NULL,
    removed_at          INTEGER
);
CREATE INDEX devices_by_account ON devices (account_id, id);
-- One device, one owner: the same make and serial cannot be registered twice.
CREATE UNIQUE INDEX devices_one_per_serial ON devices (lower(make), serial) WHERE removed_at IS NULL;

CREATE TABLE enrollments (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts (id),
    program_id       INTEGER NOT NULL REFERENCES programs (id),
    service_point_id INTEGER NOT NULL REFERENCES service_points (id),
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'enrolled', 'unenrolled')),
    created_at       INTEGER NOT NULL,
    enrolled_at      INTEGER,
    unenrolled_at    INTEGER
);
CREATE INDEX enrollments_by_account ON enrollments (account_id, id);
CREATE UNIQUE INDEX enrollments_one_live_per_program ON enrollments (account_id, program_id)
    WHERE status <> 'unenrolled';

CREATE TABLE enrollment_devices (
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id),
    device_id     INTEGER NOT NULL REFERENCES devices (id),
    entity_group  TEXT    NOT NULL,
    added_at      INTEGER NOT NULL,
    removed_at    INTEGER
);
CREATE INDEX enrollment_devices_by_enrollment ON enrollment_devices (enrollment_id);
-- A device takes part in one enrollment at a time.
CREATE UNIQUE INDEX enrollment_devices_one_live ON enrollment_devices (device_id) WHERE removed_at IS NULL;

CREATE TABLE head_end_acknowledgements (
    message_id  TEXT    PRIMARY KEY,
    received_at INTEGER NOT NULL,
    response    TEXT    NOT NULL -- JSON: what was answered, answered again to a replay
);

-- Messages with the same ordering key (the account, for head-end sync) are delivered in the
-- order they were queued: a de-registration must never overtake the registration it undoes.
ALTER TABLE outbox ADD COLUMN ordering_key TEXT;
CREATE INDEX outbox_ordering ON outbox (ordering_key, id) WHERE delivered_at IS NULL;
