//! Local dates and times, as people type them, placed in the utility's zone.

use jiff::tz::{AmbiguousOffset, TimeZone};
use peakday_app::change::ChangeError;
use peakday_app::error::FieldErrors;
use peakday_app::events::{CallEventForm, EventRequest, LocalMoment, ProposedEvent, Span};

/// The instant (unix seconds) `moment` names in `zone`. A time a daylight-saving change skips
/// (02:30 on the spring-forward day) is taken as the same length after the change; a time it
/// repeats (01:30 on the fall-back day) as the first one.
pub fn instant(zone: &TimeZone, moment: LocalMoment) -> Result<i64, jiff::Error> {
    Ok(civil(moment).to_zoned(zone.clone())?.timestamp().as_second())
}

/// Whether `zone`'s clocks skip `moment`: 02:30 on the night they go forward never happens there.
fn is_skipped(zone: &TimeZone, moment: LocalMoment) -> bool {
    matches!(zone.to_ambiguous_zoned(civil(moment)).offset(), AmbiguousOffset::Gap { .. })
}

/// Refuses, beside each of `fields`, a time `zone`'s clocks skip. People mean the times they
/// type: `instant` would move 02:30 on the spring-forward night to 03:30, so an event or a time
/// away would silently start an hour late (or, from 02:30 to 03:30, come out empty).
pub fn refuse_skipped(zone: &TimeZone, fields: &[(&str, LocalMoment)]) -> Result<(), ChangeError> {
    let mut errors = FieldErrors::default();
    for (field, moment) in fields {
        if is_skipped(zone, *moment) && errors.get(field).is_none() {
            errors.add(
                field,
                format!(
                    "{} does not happen: clocks go forward an hour that night. \
                     Choose a time before or after the change.",
                    // As the rest of the product shows times: 12-hour, the day in words.
                    civil(*moment).strftime("%-I:%M %p on %B %-d, %Y")
                ),
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ChangeError::Fields(errors))
    }
}

/// The refusal, beside `field`, of a day the clock cannot place: only days near the ends of the
/// calendar (`instant` places every other, skipped and repeated times included), which no rule
/// would accept anyway.
pub fn too_far(field: &str) -> ChangeError {
    ChangeError::field(field, "That date is too far from today: choose a nearer one.")
}

fn civil(moment: LocalMoment) -> jiff::civil::DateTime {
    let (year, month, day) = moment.day.parts();
    let (hour, minute) = (moment.time.hour(), moment.time.minute());
    jiff::civil::date(year as i16, month as i8, day as i8).at(hour as i8, minute as i8, 0, 0)
}

/// The span from `from` to `to`, both local in `zone`.
pub fn span(zone: &TimeZone, from: LocalMoment, to: LocalMoment) -> Result<Span, jiff::Error> {
    Ok(Span::new(instant(zone, from)?, instant(zone, to)?))
}

/// A program manager's request, placed in the utility's zone for the rules; a time the clocks
/// skip is refused beside its field.
pub fn proposed_event(
    zone: &TimeZone,
    request: &EventRequest,
) -> Result<ProposedEvent, ChangeError> {
    let on_the_day = |time| LocalMoment { day: request.day, time };
    let (start, end) = (on_the_day(request.start), on_the_day(request.end));
    let notice = LocalMoment { day: request.notice_day, time: request.notice_time };
    refuse_skipped(
        zone,
        &[
            (CallEventForm::START, start),
            (CallEventForm::END, end),
            (CallEventForm::NOTICE_TIME, notice),
        ],
    )?;
    Ok(ProposedEvent {
        day: request.day,
        span: span(zone, start, end).map_err(|_| too_far(CallEventForm::START))?,
        notice_at: instant(zone, notice).map_err(|_| too_far(CallEventForm::NOTICE_DAY))?,
        target: request.target,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use peakday_app::events::check_call;
    use peakday_app::events::LocalTime;
    use peakday_app::programs::CalendarDate;
    use peakday_app::programs::{Capacity, DeviceKind, Program, ProgramForm, ProgramId};

    fn new_york() -> TimeZone {
        TimeZone::get("America/New_York").unwrap()
    }

    fn at(day: &str, hour: u8, minute: u8) -> LocalMoment {
        LocalMoment {
            day: CalendarDate::parse(day).unwrap(),
            time: LocalTime::new(hour, minute).unwrap(),
        }
    }

    const HOUR: i64 = 3600;

    #[test]
    fn a_summer_afternoon_is_four_hours_behind_utc() {
        let two_pm = instant(&new_york(), at("2026-07-15", 14, 0)).unwrap();
        assert_eq!(two_pm, 1_784_138_400, "18:00 UTC");
    }

    #[test]
    fn the_night_clocks_fall_back_is_an_hour_longer() {
        // 1 November 2026: 02:00 EDT becomes 01:00 EST.
        let night = span(&new_york(), at("2026-10-31", 22, 0), at("2026-11-01", 6, 0)).unwrap();
        assert_eq!(night.seconds(), 9 * HOUR);
        let window = span(&new_york(), at("2026-11-01", 0, 0), at("2026-11-01", 3, 0)).unwrap();
        assert_eq!(window.seconds(), 4 * HOUR, "midnight to 3 a.m. lasts four hours");
    }

    #[test]
    fn the_night_clocks_spring_forward_is_an_hour_shorter() {
        // 8 March 2026: 02:00 EST becomes 03:00 EDT.
        let night = span(&new_york(), at("2026-03-07", 22, 0), at("2026-03-08", 6, 0)).unwrap();
        assert_eq!(night.seconds(), 7 * HOUR);
        // 02:30 does not exist that night: it is placed after the change, as 03:30.
        let skipped = instant(&new_york(), at("2026-03-08", 2, 30)).unwrap();
        let after = instant(&new_york(), at("2026-03-08", 3, 30)).unwrap();
        assert_eq!(skipped, after);
        assert!(is_skipped(&new_york(), at("2026-03-08", 2, 30)));
        assert!(!is_skipped(&new_york(), at("2026-03-08", 3, 30)));
        assert!(!is_skipped(&new_york(), at("2026-03-08", 1, 59)));
        // 01:30 on the night clocks fall back happens twice, not never.
        assert!(!is_skipped(&new_york(), at("2026-11-01", 1, 30)));
    }

    #[test]
    fn time_away_across_the_change_overlaps_by_real_time() {
        let away = span(&new_york(), at("2026-10-31", 22, 0), at("2026-11-01", 1, 30)).unwrap();
        // 01:30 happens twice; the time away ends at the first, so an event from the second
        // 01:30 (EST) on does not overlap it.
        let event = Span::new(away.ends_at + HOUR, away.ends_at + 3 * HOUR);
        assert!(!away.overlaps(event));
        assert!(away.overlaps(Span::new(away.ends_at - 60, away.ends_at + HOUR)));
    }

    #[test]
    fn an_event_window_across_the_change_is_checked_in_real_hours() {
        let form = ProgramForm {
            name: "Winter Peaks".into(),
            kind: "demand_response".into(),
            status: "active".into(),
            season_start: "2026-06-01".into(),
            season_end: "2026-11-30".into(),
            device_kinds: vec![DeviceKind::Thermostat],
            max_events_per_season: "15".into(),
            max_event_hours: "3".into(),
            min_notice_hours: "24".into(),
            opt_outs_per_season: "3".into(),
            enrollment_credit: "$50".into(),
            performance_basis: "per_kwh".into(),
            performance_rate: "1.00".into(),
            ..ProgramForm::default()
        };
        let program = Program { id: ProgramId(1), definition: form.parse().unwrap() };
        let window = span(&new_york(), at("2026-11-01", 0, 0), at("2026-11-01", 3, 0)).unwrap();
        let event = ProposedEvent {
            day: at("2026-11-01", 0, 0).day,
            span: window,
            notice_at: window.starts_at - 48 * HOUR,
            target: Capacity(100),
        };
        let refusals = check_call(&program, &event, window.starts_at - 72 * HOUR, 0);
        assert_eq!(
            refusals.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["This program allows events of 3 hours at most; this one lasts 4 hours."]
        );
    }

    #[test]
    fn a_posted_form_becomes_instants_in_the_utilitys_zone() {
        let form = CallEventForm {
            day: "2026-07-15".into(),
            start: "14:00".into(),
            end: "18:00".into(),
            notice_day: "2026-07-14".into(),
            notice_time: "12:00".into(),
            target_kw: "50".into(),
            groups: String::new(),
        };
        let event = proposed_event(&new_york(), &form.parse().unwrap()).unwrap();
        assert_eq!(event.span, Span::new(1_784_138_400, 1_784_138_400 + 4 * HOUR));
        assert_eq!(event.notice_at, 1_784_138_400 - 26 * HOUR);
        assert_eq!(event.target, Capacity(500));
    }

    #[test]
    fn an_event_at_a_time_the_clocks_skip_is_refused_beside_that_time() {
        // 14 March 2027: 02:00 EST becomes 03:00 EDT; 02:30 never happens in New York.
        let form = |start: &str, end: &str, notice_time: &str| CallEventForm {
            day: "2027-03-14".into(),
            start: start.into(),
            end: end.into(),
            notice_day: "2027-03-14".into(),
            notice_time: notice_time.into(),
            target_kw: "50".into(),
            groups: String::new(),
        };
        let refused =
            |form: CallEventForm| match proposed_event(&new_york(), &form.parse().unwrap()) {
                Err(ChangeError::Fields(errors)) => errors,
                other => panic!("{other:?}"),
            };
        let errors = refused(form("02:30", "06:00", "00:30"));
        assert_eq!(
            errors.get(CallEventForm::START),
            Some("2:30 AM on March 14, 2027 does not happen: clocks go forward an hour that night. Choose a time before or after the change.")
        );
        assert_eq!(errors.get(CallEventForm::END), None);
        let errors = refused(form("01:00", "02:15", "02:00"));
        assert!(
            errors.get(CallEventForm::END).is_some()
                && errors.get(CallEventForm::NOTICE_TIME).is_some()
        );
        assert_eq!(errors.get(CallEventForm::START), None);

        let event =
            proposed_event(&new_york(), &form("01:00", "04:00", "00:30").parse().unwrap()).unwrap();
        assert_eq!(event.span.seconds(), 2 * HOUR, "01:00 EST to 04:00 EDT");
    }

    #[test]
    fn a_day_at_the_end_of_the_calendar_is_refused_as_too_far() {
        let form = CallEventForm {
            day: "9999-12-31".into(),
            start: "14:00".into(),
            end: "18:00".into(),
            notice_day: "2026-07-14".into(),
            notice_time: "12:00".into(),
            target_kw: "50".into(),
            groups: String::new(),
        };
        let Err(ChangeError::Fields(errors)) = proposed_event(&new_york(), &form.parse().unwrap())
        else {
            panic!("the clock cannot place 9999-12-31 18:00 in New York")
        };
        assert_eq!(
            errors.get(CallEventForm::START),
            Some("That date is too far from today: choose a nearer one.")
        );
    }
}
