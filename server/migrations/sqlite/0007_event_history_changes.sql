-- Each entry of an event's history records the change it follows: the devices (and their
-- capacity) that entered or left the reservation. The reservation at an entry is the sum of the
-- event's changes up to it. A re-evaluation then neither counts every device of the event (100,000
-- on a large event, while holding SQLite's writer) nor locks the event on PostgreSQL (which would
-- make opt-outs from one event wait for each other's commits), and two changes at once each
-- count the other's in whichever entry comes second.
ALTER TABLE event_history ADD COLUMN change_devices INTEGER NOT NULL DEFAULT 0;
ALTER TABLE event_history ADD COLUMN change_tenths INTEGER NOT NULL DEFAULT 0;
UPDATE event_history SET
    change_devices = reserved_devices - COALESCE((SELECT p.reserved_devices FROM event_history p
        WHERE p.event_id = event_history.event_id AND p.id < event_history.id
        ORDER BY p.id DESC LIMIT 1), 0),
    change_tenths = reserved_tenths - COALESCE((SELECT p.reserved_tenths FROM event_history p
        WHERE p.event_id = event_history.event_id AND p.id < event_history.id
        ORDER BY p.id DESC LIMIT 1), 0);
ALTER TABLE event_history DROP COLUMN reserved_devices;
ALTER TABLE event_history DROP COLUMN reserved_tenths;
