//! Server functions of the alerts and notifications pages. Each one authorizes, turns the form
//! into a [`PreferenceChange`] with the shared parsers, and hands it to the service.

use super::PreferencesView;
use crate::error::AppError;
use crate::shell::Saved;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Checked boxes arrive as `name[key]=on`; unchecked ones do not arrive at all.
pub type CheckedBoxes = Option<BTreeMap<String, String>>;

crate::declare_access!(LoadPreferences => Account);
/// An account's recipients, choices and account-wide stops: the signed-in customer's own, or in
/// admin mode the `account` customer service acts for (see `account_scope`).
#[server(endpoint = "preferences")]
pub async fn load_preferences(account: Option<String>) -> Result<PreferencesView, AppError> {
    let preferences = crate::service::service::<dyn super::PreferencesService>()?;
    let scope = crate::auth::account_scope::<LoadPreferences>(account).await?;
    preferences.preferences(scope.account).await
}

/// Runs one change, through server function `F`, on what the page showed: its version and the
/// revision of the part the form changes (see [`super::Basis`]). A refusal about fields carries
/// `typed` back, so a form posted without WASM comes back as it was typed.
#[cfg(feature = "ssr")]
async fn change<F: crate::auth::Guarded>(
    account: Option<String>,
    basis: super::Basis,
    change: Result<super::PreferenceChange, AppError>,
    typed: Vec<(String, String)>,
) -> Result<Saved, AppError> {
    let answer = crate::shell::save_answer();
    let preferences = crate::service::service::<dyn super::PreferencesService>()?;
    let scope = crate::auth::account_scope::<F>(account).await?;
    let result = match change {
        Ok(change) => {
            preferences.change_preferences(scope.actor, scope.account, basis, change).await
        }
        Err(error) => Err(error),
    };
    answer(result.map_err(|error| error.with_typed(typed)))
}

crate::declare_access!(AddRecipient => Account);
#[server(endpoint = "add_recipient")]
pub async fn add_recipient(
    account: Option<String>,
    version: i64,
    part: Option<u64>,
    #[server(flatten)] form: crate::recipients::ContactForm,
) -> Result<Saved, AppError> {
    let contact = form.parse().map_err(AppError::InvalidFields);
    change::<AddRecipient>(
        account,
        super::Basis { version, part },
        contact.map(super::PreferenceChange::AddRecipient),
        form.typed(),
    )
    .await
}

crate::declare_access!(UpdateContact => Account);
#[server(endpoint = "update_contact")]
pub async fn update_contact(
    account: Option<String>,
    version: i64,
    part: Option<u64>,
    recipient: i64,
    #[server(flatten)] form: crate::recipients::ContactForm,
) -> Result<Saved, AppError> {
    use crate::recipients::RecipientId;
    crate::shell::name_refused_form(recipient);
    let contact = form.parse().map_err(AppError::InvalidFields);
    change::<UpdateContact>(
        account,
        super::Basis { version, part },
        contact.map(|c| super::PreferenceChange::UpdateContact(RecipientId(recipient), c)),
        form.typed(),
    )
    .await
}

crate::declare_access!(RemoveRecipient => Account);
#[server(endpoint = "remove_recipient")]
pub async fn remove_recipient(
    account: Option<String>,
    version: i64,
    part: Option<u64>,
    recipient: i64,
) -> Result<Saved, AppError> {
    use crate::recipients::RecipientId;
    crate::shell::name_refused_form(recipient);
    let change_request = Ok(super::PreferenceChange::RemoveRecipient(RecipientId(recipient)));
    change::<RemoveRecipient>(account, super::Basis { version, part }, change_request, Vec::new())
        .await
}

crate::declare_access!(SaveAlerts => Account);
/// A recipient's peak pricing alert channels and communications, saved together.
#[server(endpoint = "save_alerts")]
pub async fn save_alerts(
    account: Option<String>,
    version: i64,
    part: Option<u64>,
    recipient: i64,
    channels: CheckedBoxes,
    communications: CheckedBoxes,
) -> Result<Saved, AppError> {
    crate::shell::name_refused_form(recipient);
    let change_request = super::forms::alerts_change(recipient, channels, communications);
    change::<SaveAlerts>(account, super::Basis { version, part }, change_request, Vec::new()).await
}

crate::declare_access!(SetOptOut => Account);
/// Stops or resumes a channel, or everything, for the whole account: the stops form's pressed
/// button, `stop=<scope>` or `resume=<scope>` (see `forms::opt_out_change`). Which it is says
/// what the page showed, so the form sends no part of its own.
#[server(endpoint = "set_opt_out")]
pub async fn set_opt_out(
    account: Option<String>,
    version: i64,
    stop: Option<String>,
    resume: Option<String>,
) -> Result<Saved, AppError> {
    let pressed = super::forms::opt_out_change(stop.as_deref(), resume.as_deref());
    let part = pressed.as_ref().ok().map(|(_, part)| *part);
    let change_request = pressed.map(|(change, _)| change);
    change::<SetOptOut>(account, super::Basis { version, part }, change_request, Vec::new()).await
}

crate::declare_access!(SaveNotifications => Account);
/// A recipient's account notification matrix.
#[server(endpoint = "save_notifications")]
pub async fn save_notifications(
    account: Option<String>,
    version: i64,
    part: Option<u64>,
    recipient: i64,
    cells: CheckedBoxes,
    high_usage_kwh: String,
) -> Result<Saved, AppError> {
    crate::shell::name_refused_form(recipient);
    let change_request = super::forms::notifications_change(recipient, cells, &high_usage_kwh);
    change::<SaveNotifications>(account, super::Basis { version, part }, change_request, Vec::new())
        .await
}
