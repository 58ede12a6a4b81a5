//! A program manager's save of a program, in the shape of `crate::change`: the program as it
//! was (if it exists), whether another program has the name, and the new definition in; the
//! effect, the audit record and the confirmation out.

use super::{Program, ProgramDefinition, ProgramForm, ProgramId};
use crate::change::{AuditRecord, ChangeError};

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
pub fn apply_program_save(
    id: Option<ProgramId>,
    before: Option<&Program>,
    name_taken_elsewhere: bool,
    definition: &ProgramDefinition,
) -> Result<crate::change::Outcome<ProgramEffect>, ChangeError> {
    if name_taken_elsewhere {
        return Err(name_taken());
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programs::program_form::tests::thermostat_program;

    fn definition(name: &str) -> ProgramDefinition {
        ProgramForm { name: name.into(), ..thermostat_program() }.parse().unwrap()
    }

    #[test]
    fn a_new_program_is_created_with_its_form_audited() {
        let outcome = apply_program_save(None, None, false, &definition("Cool Savings")).unwrap();
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
            apply_program_save(None, None, true, &definition("Cool Savings")).unwrap_err();
        assert_eq!(refusal, name_taken());
        let ChangeError::Fields(fields) = refusal else { panic!() };
        assert_eq!(fields.get(ProgramForm::NAME), Some("Another program has this name."));
    }

    #[test]
    fn a_program_that_does_not_exist_is_not_found() {
        let other = Program { id: ProgramId(4), definition: definition("Other") };
        assert_eq!(
            apply_program_save(Some(ProgramId(3)), None, false, &definition("X")),
            Err(ChangeError::NotFound)
        );
        assert_eq!(
            apply_program_save(Some(ProgramId(3)), Some(&other), false, &definition("X")),
            Err(ChangeError::NotFound)
        );
    }
}
