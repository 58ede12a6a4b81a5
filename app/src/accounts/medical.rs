//! The medical or life-support flag: customer service sets or clears it, always with a note
//! saying why (the audit log keeps it). A flagged account is never enrolled in demand response
//! online (`programs::eligibility`).

use crate::change::{AuditRecord, ChangeError, Outcome};
use crate::shell::{provide_plain_post_refusal, FormErrors, FormRefusal, Loaded};
use leptos::prelude::*;

/// The note field of the form.
pub const NOTE: &str = "note";
/// The longest note kept.
pub const NOTE_LIMIT: usize = 500;

/// Sets (`set`) or clears the flag, now `current`, for the reason in `note`. The outcome's
/// effect is the new value.
pub fn apply_medical_flag(
    current: bool,
    set: bool,
    note: &str,
) -> Result<Outcome<bool>, ChangeError> {
    let note = crate::text::record_note(
        note,
        NOTE_LIMIT,
        "Say why, for the record: for example who asked and what they sent.",
    )
    .map_err(|message| ChangeError::field(NOTE, message))?;
    if current == set {
        return Err(ChangeError::rule(if set {
            "The flag is set already."
        } else {
            "The flag is clear already."
        }));
    }
    let (action, message, summary) = if set {
        (
            "account.medical_flag_set",
            "Medical flag set: demand-response programs are closed to this account online.",
            "Set the medical or life-support flag",
        )
    } else {
        (
            "account.medical_flag_cleared",
            "Medical flag cleared: demand-response programs are open to this account again.",
            "Cleared the medical or life-support flag",
        )
    };
    let state = |flag: bool| if flag { "set" } else { "clear" };
    Ok(Outcome::new(message).effect(set).audit(
        AuditRecord::new(action, summary)
            .before(&[("Medical flag", state(current))])
            .after(&[("Medical flag", state(set)), ("Note", note)]),
    ))
}

crate::declare_access!(LoadMedicalFlag => CustomerService);
/// Whether the account acted for has the flag.
#[server(endpoint = "medical_flag")]
pub async fn load_medical_flag(account: Option<String>) -> Result<bool, crate::error::AppError> {
    let accounts = crate::service::service::<dyn super::AccountsService>()?;
    let scope = crate::auth::account_scope::<LoadMedicalFlag>(account).await?;
    accounts.medical_flag(scope.account).await
}

crate::declare_access!(SetMedicalFlag => CustomerService);
/// Sets (`set` is `true`) or clears the flag, with a note.
#[server(endpoint = "set_medical_flag")]
pub async fn set_medical_flag(
    account: Option<String>,
    set: bool,
    note: String,
) -> Result<crate::shell::Saved, crate::error::AppError> {
    let answer = crate::shell::save_answer();
    let accounts = crate::service::service::<dyn super::AccountsService>()?;
    let scope = crate::auth::account_scope::<SetMedicalFlag>(account).await?;
    answer(accounts.set_medical_flag(scope.actor, scope.account, set, note).await)
}

/// The flag and its form, for customer service in admin mode.
#[component]
pub fn MedicalFlagSection(account: String) -> impl IntoView {
    provide_plain_post_refusal();
    view! {
        <section class="card" aria-labelledby="medical-heading">
            <h2 id="medical-heading">"Medical or life-support flag"</h2>
            <Loaded data=load_medical_flag(Some(account.clone())) show=|flag| view! { <MedicalFlagForm flag /> }.into_any() />
        </section>
    }
}

#[component]
fn MedicalFlagForm(flag: bool) -> impl IntoView {
    let action = ServerAction::<SetMedicalFlag>::new();
    let errors = FormErrors::follow(action);
    let (status, button) = if flag {
        ("Set: demand-response programs are closed to this account online.", "Clear the flag")
    } else {
        ("Not set.", "Set the flag")
    };
    view! {
        <p class=if flag { "status status--warn" } else { "status" }>{status}</p>
        <ActionForm action>
            <crate::acting::ActingInput />
            <input type="hidden" name="set" value=(!flag).to_string() />
            <div class="field">
                <label for="medical-note">"Note (why, for the record)"</label>
                <textarea id="medical-note" name=NOTE rows="2" maxlength="500" aria-describedby="medical-note-error"></textarea>
                <p id="medical-note-error" class="field-error">{move || errors.field(NOTE).get()}</p>
            </div>
            <FormRefusal errors />
            <button type="submit" class="secondary">{button}</button>
        </ActionForm>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_changes_only_with_a_note_and_only_to_the_other_value() {
        assert_eq!(
            apply_medical_flag(false, true, "  ").unwrap_err(),
            ChangeError::field(
                NOTE,
                "Say why, for the record: for example who asked and what they sent."
            )
        );
        assert_eq!(
            apply_medical_flag(true, true, "again").unwrap_err(),
            ChangeError::rule("The flag is set already.")
        );
        // The note is read later in the audit log: nothing in it may reorder what it says.
        assert!(matches!(
            apply_medical_flag(false, true, "asked by \u{202E}rotcod"),
            Err(ChangeError::Fields(fields)) if fields.get(NOTE).is_some()
        ));
        let set =
            apply_medical_flag(false, true, "Oxygen concentrator; letter from Dr. Ames").unwrap();
        assert_eq!(set.effects, [true]);
        assert_eq!(set.audit[0].action, "account.medical_flag_set");
        assert_eq!(
            set.audit[0].after.as_ref().unwrap()["Note"],
            "Oxygen concentrator; letter from Dr. Ames"
        );
        let cleared = apply_medical_flag(true, false, "Equipment returned").unwrap();
        assert_eq!(cleared.audit[0].action, "account.medical_flag_cleared");
    }
}
