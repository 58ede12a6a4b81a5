-- Peak days (issue 17): the events program managers call, each device's place in an event's
-- reservation, every re-evaluation of an event's viability, accounts' opt-outs, devices' time
-- away, and what the DERMS answers about each device's participation.

-- An event's phase (scheduled, active, completed) follows from the clock; only a cancellation is
-- stored. Times are unix seconds; `day` is the utility's local date (seasons are dates).
CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    program_id    INTEGER NOT NULL REFERENCES programs (id),
    day           TEXT    NOT NULL,
    starts_at     INTEGER NOT NULL,
    ends_at       INTEGER NOT NULL CHECK (ends_at > starts_at),
    notice_at     INTEGER NOT NULL,
    target_tenths INTEGER NOT NULL CHECK (target_tenths > 0),
    entity_groups TEXT    NOT NULL, -- JSON array of names; empty: all of the program's devices
    called_by     INTEGER REFERENCES users (id),
    created_at    INTEGER NOT NULL,
    cancelled_at  INTEGER,
    cancel_reason TEXT
);
CREATE INDEX events_by_program ON events (program_id, starts_at);

-- One row per device the event concerns: reserved, or set aside with the reason.
CREATE TABLE event_devices (
    event_id             INTEGER NOT NULL REFERENCES events (id),
    device_id            INTEGER NOT NULL REFERENCES devices (id),
    account_id           INTEGER NOT NULL REFERENCES accounts (id),
    state                TEXT    NOT NULL CHECK (state IN ('reserved', 'opted_out', 'unavailable', 'released')),
    entity_group         TEXT    NOT NULL,
    capacity_tenths      INTEGER NOT NULL,
    changed_at           INTEGER NOT NULL,
    participation        TEXT    CHECK (participation IN ('participated', 'did_not_participate')),
    participation_reason TEXT,
    delivered_tenths     INTEGER,
    PRIMARY KEY (event_id, device_id)
);
CREATE INDEX event_devices_by_device ON event_devices (device_id, event_id);
CREATE INDEX event_devices_by_account ON event_devices (account_id, event_id);

-- Each evaluation of an event's reservation against its target, newest last.
CREATE TABLE event_history (
    id               INTEGER PRIMARY KEY,
    event_id         INTEGER NOT NULL REFERENCES events (id),
    at               INTEGER NOT NULL,
    cause            TEXT    NOT NULL,
    reserved_devices INTEGER NOT NULL,
    reserved_tenths  INTEGER NOT NULL,
    target_tenths    INTEGER NOT NULL
);
CREATE INDEX event_history_by_event ON event_history (event_id, id);

-- An account opts out of an event once; the primary key answers a repeated or racing opt-out.
CREATE TABLE event_opt_outs (
    event_id   INTEGER NOT NULL REFERENCES events (id),
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    user_id    INTEGER REFERENCES users (id),
    source     TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (event_id, account_id)
);
CREATE INDEX event_opt_outs_by_account ON event_opt_outs (account_id, event_id);

-- A device's time away: no event uses it in [starts_at, ends_at).
CREATE TABLE time_away (
    id           INTEGER PRIMARY KEY,
    device_id    INTEGER NOT NULL REFERENCES devices (id),
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL CHECK (ends_at > starts_at),
    created_at   INTEGER NOT NULL,
    cancelled_at INTEGER
);
CREATE INDEX time_away_by_device ON time_away (device_id, starts_at);
CREATE INDEX time_away_by_account ON time_away (account_id, id);
