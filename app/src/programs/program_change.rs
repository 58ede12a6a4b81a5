//! A program manager's save of a program, in the shape of `crate::change`: the program as it
//! was (if it exists), whether another program has the name, and the new definition in; the
//! effect, the audit record and the confirmation out.

use super::{CalendarDate, Program, ProgramDefinition, ProgramForm, ProgramId, ProgramStatus};
use crate::change::{AuditRecord, ChangeError};
use crate::error::FieldErrors;

/// What to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgramEffect {
    Create(ProgramDefinition),
    Update(ProgramId, ProgramDefinition),
}

/// The refusal of a name another program has, beside the name field.
pub fn name_taken() -> ChangeError {
    ChangeError::field(ProgramForm::NAME, "Another program has this name.")
}

/// Creates a program (`id` is `None`) or changes program `id`, which was `before` (`None`: no
/// such program). `name_taken`: another program than this one has the definition's name.
/// `events_to_come`: the days of the program's events called and not over (none for a new one).
pub fn apply_program_save(
    id: Option<ProgramId>,
    before: Option<&Program>,
    name_taken_elsewhere: bool,
    events_to_come: &[CalendarDate],
    definition: &ProgramDefinition,
) -> Result<crate::change::Outcome<ProgramEffect>, ChangeError> {
    if name_taken_elsewhere {
        return Err(name_taken());
    }
    events_to_come_keep(definition, events_to_come)?;
    let fields = |definition: &ProgramDefinition| ProgramForm::of(definition).typed();
    let after = fields(definition);
    let after: Vec<(&str, &str)> = after.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let name = &definition.name;
    match id {
        None => Ok(crate::change::Outcome::new(format!("{name} was created."))
            .effect(ProgramEffect::Create(definition.clone()))
            .audit(
                AuditRecord::new("program.created", format!("Created program {name}"))
                    .after(&after),
            )),
        Some(id) => {
            let before = before.filter(|program| program.id == id).ok_or(ChangeError::NotFound)?;
            let before = fields(&before.definition);
            let before: Vec<(&str, &str)> =
                before.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            Ok(crate::change::Outcome::new(format!("{name} was saved."))
                .effect(ProgramEffect::Update(id, definition.clone()))
                .audit(
                    AuditRecord::new("program.changed", format!("Changed program {name}"))
                        .before(&before)
                        .after(&after),
                ))
        }
    }
}

/// Refuses a definition that would strand an event already called: one outside the program's
/// season, or one of a program no longer active (events are called only in active programs, and
/// customers were told of this one). The manager cancels the event first, or keeps its day in the
/// season and the program active.
fn events_to_come_keep(
    definition: &ProgramDefinition,
    events_to_come: &[CalendarDate],
) -> Result<(), ChangeError> {
    let mut errors = FieldErrors::default();
    if let Some(day) = events_to_come.iter().min().filter(|day| **day < definition.season_start) {
        errors.add(
            ProgramForm::SEASON_START,
            format!("An event is called for {day}, before this start. Cancel it first, or start the season by then."),
        );
    }
    if let Some(day) = events_to_come.iter().max().filter(|day| **day > definition.season_end) {
        errors.add(
            ProgramForm::SEASON_END,
            format!("An event is called for {day}, after this end. Cancel it first, or end the season after it."),
        );
    }
    if let Some(day) =
        events_to_come.iter().min().filter(|_| definition.status != ProgramStatus::Active)
    {
        errors.add(
            ProgramForm::STATUS,
            format!("An event is called for {day}. Cancel it first, or keep the program active."),
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ChangeError::Fields(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programs::program_form::tests::thermostat_program;

    fn definition(name: &str) -> ProgramDefinition {
        ProgramForm { name: name.into(), ..thermostat_program() }.parse().unwrap()
    }

    #[test]
    fn a_new_program_is_created_with_its_form_audited() {
        let outcome =
            apply_program_save(None, None, false, &[], &definition("Cool Savings")).unwrap();
        assert_eq!(outcome.effects, [ProgramEffect::Create(definition("Cool Savings"))]);
        assert_eq!(outcome.message, "Cool Savings was created.");
        let audit = &outcome.audit[0];
        assert_eq!(audit.action, "program.created");
        assert_eq!(audit.before, None);
        assert_eq!(audit.after.as_ref().unwrap()[ProgramForm::NAME], "Cool Savings");
    }

    #[test]
    fn a_change_records_the_program_before_and_after() {
        let old = Program { id: ProgramId(3), definition: definition("Cool Savings") };
        let outcome = apply_program_save(
            Some(ProgramId(3)),
            Some(&old),
            false,
            &[],
            &definition("Cooler Savings"),
        )
        .unwrap();
        assert_eq!(
            outcome.effects,
            [ProgramEffect::Update(ProgramId(3), definition("Cooler Savings"))]
        );
        let audit = &outcome.audit[0];
        assert_eq!(audit.action, "program.changed");
        assert_eq!(audit.before.as_ref().unwrap()[ProgramForm::NAME], "Cool Savings");
        assert_eq!(audit.after.as_ref().unwrap()[ProgramForm::NAME], "Cooler Savings");
    }

    #[test]
    fn a_name_another_program_has_is_refused_beside_the_name() {
        let refusal =
            apply_program_save(None, None, true, &[], &definition("Cool Savings")).unwrap_err();
        assert_eq!(refusal, name_taken());
        let ChangeError::Fields(fields) = refusal else { panic!() };
        assert_eq!(fields.get(ProgramForm::NAME), Some("Another program has this name."));
    }

    #[test]
    fn a_season_that_would_leave_out_an_event_already_called_is_refused() {
        let old = Program { id: ProgramId(3), definition: definition("Cool Savings") };
        let day = |text: &str| CalendarDate::parse(text).unwrap();
        let season = |start: &str, end: &str| {
            ProgramForm {
                season_start: start.into(),
                season_end: end.into(),
                ..ProgramForm::of(&definition("Cool Savings"))
            }
            .parse()
            .unwrap()
        };
        let events = [day("2026-07-14"), day("2026-08-20")];
        let save = |definition: &ProgramDefinition| {
            apply_program_save(Some(ProgramId(3)), Some(&old), false, &events, definition)
        };
        let Err(ChangeError::Fields(fields)) = save(&season("2026-07-15", "2026-08-19")) else {
            panic!("a season leaving out both events is refused")
        };
        assert_eq!(
            fields.get(ProgramForm::SEASON_START),
            Some("An event is called for July 14, 2026, before this start. Cancel it first, or start the season by then.")
        );
        assert_eq!(
            fields.get(ProgramForm::SEASON_END),
            Some("An event is called for August 20, 2026, after this end. Cancel it first, or end the season after it.")
        );
        assert!(save(&season("2026-07-14", "2026-08-20")).is_ok(), "the events' own days are in");
        assert!(apply_program_save(
            Some(ProgramId(3)),
            Some(&old),
            false,
            &[],
            &season("2026-07-15", "2026-08-19")
        )
        .is_ok());
    }

    #[test]
    fn a_program_with_an_event_called_stays_active_until_the_event_is_cancelled() {
        let old = Program { id: ProgramId(3), definition: definition("Cool Savings") };
        let events = [CalendarDate::parse("2026-07-14").unwrap()];
        let save = |status: &str, events: &[CalendarDate]| {
            let definition = ProgramForm {
                status: status.into(),
                ..ProgramForm::of(&definition("Cool Savings"))
            }
            .parse()
            .unwrap();
            apply_program_save(Some(ProgramId(3)), Some(&old), false, events, &definition)
        };
        for status in ["retired", "draft"] {
            let Err(ChangeError::Fields(fields)) = save(status, &events) else {
                panic!("a {status} program cannot keep an event called")
            };
            assert_eq!(
                fields.get(ProgramForm::STATUS),
                Some("An event is called for July 14, 2026. Cancel it first, or keep the program active.")
            );
        }
        assert!(save("active", &events).is_ok());
        assert!(save("retired", &[]).is_ok(), "with no event to come it may retire");
    }

    #[test]
    fn a_program_that_does_not_exist_is_not_found() {
        let other = Program { id: ProgramId(4), definition: definition("Other") };
        assert_eq!(
            apply_program_save(Some(ProgramId(3)), None, false, &[], &definition("X")),
            Err(ChangeError::NotFound)
        );
        assert_eq!(
            apply_program_save(Some(ProgramId(3)), Some(&other), false, &[], &definition("X")),
            Err(ChangeError::NotFound)
        );
    }
}
