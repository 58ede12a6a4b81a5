-- Each event keeps its reservation's running tally: the devices reserved and their capacity,
-- moved by every change of a device's state in the same transaction. A re-evaluation then
-- reads one row instead of counting every device of the event (100,000 on a large event)
-- while holding the writer, and on PostgreSQL the tally's update locks the event, so two
-- opt-outs at once each record the other's release.
ALTER TABLE events ADD COLUMN reserved_devices BIGINT NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN reserved_tenths BIGINT NOT NULL DEFAULT 0;
UPDATE events SET
    reserved_devices = (SELECT COUNT(*) FROM event_devices ed
                        WHERE ed.event_id = events.id AND ed.state = 'reserved'),
    reserved_tenths = (SELECT COALESCE(SUM(ed.capacity_tenths), 0) FROM event_devices ed
                       WHERE ed.event_id = events.id AND ed.state = 'reserved');
