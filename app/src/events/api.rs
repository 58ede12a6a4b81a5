//! Server functions of the peak-day pages: the program manager's events of a program, and an
//! account's peak days (in admin mode too). Each authorizes first, parses with the shared forms,
//! and hands one request to the service.

use super::{AccountEvents, CallEventForm, EventId, ProgramEvents, TimeAwayId};
use crate::error::AppError;
use crate::programs::{DeviceId, ProgramId};
use crate::shell::Saved;
use leptos::prelude::*;

crate::declare_access!(LoadProgramEvents => ProgramManager);
/// A program with its events and their reservations.
#[server(endpoint = "program_events")]
pub async fn load_program_events(program: ProgramId) -> Result<ProgramEvents, AppError> {
    crate::auth::authorize_call::<LoadProgramEvents>()?;
    crate::service::service::<dyn super::EventsService>()?.program_events(program).await
}

crate::declare_access!(CallEvent => ProgramManager);
/// Calls an event of `program`.
#[server(endpoint = "call_event")]
pub async fn call_event(
    program: ProgramId,
    #[server(flatten)] form: CallEventForm,
) -> Result<Saved, AppError> {
    let manager = crate::auth::authorize_call::<CallEvent>()?;
    let (events, answer) =
        (crate::service::service::<dyn super::EventsService>()?, crate::shell::save_answer());
    let result = match form.parse() {
        Ok(request) => events.call_event(manager.user_id, program, request).await,
        Err(fields) => Err(AppError::InvalidFields(fields)),
    };
    // The page posts without WASM: a refusal takes what was typed back to the form.
    answer(result.map_err(|error| error.with_typed(form.typed())))
}

crate::declare_access!(CancelEvent => ProgramManager);
/// Cancels an event, releasing its devices.
#[server(endpoint = "cancel_event")]
pub async fn cancel_event(event: EventId, reason: String) -> Result<Saved, AppError> {
    let manager = crate::auth::authorize_call::<CancelEvent>()?;
    let (events, answer) =
        (crate::service::service::<dyn super::EventsService>()?, crate::shell::save_answer());
    answer(events.cancel_event(manager.user_id, event, reason).await)
}

crate::declare_access!(LoadAccountEvents => Account);
/// The account's peak days.
#[server(endpoint = "account_events")]
pub async fn load_account_events(account: Option<String>) -> Result<AccountEvents, AppError> {
    let events = crate::service::service::<dyn super::EventsService>()?;
    let scope = crate::auth::account_scope::<LoadAccountEvents>(account).await?;
    events.account_events(scope.account).await
}

/// Runs one peak-day request through server function `F`. A refusal about fields carries
/// `typed` back, so the form comes back as it was typed.
#[cfg(feature = "ssr")]
async fn change<F: crate::auth::Guarded>(
    account: Option<String>,
    request: Result<super::PeakDayRequest, AppError>,
    typed: Vec<(String, String)>,
) -> Result<Saved, AppError> {
    let answer = crate::shell::save_answer();
    let events = crate::service::service::<dyn super::EventsService>()?;
    let scope = crate::auth::account_scope::<F>(account).await?;
    let result = match request {
        Ok(request) => events.change_peak_days(scope.actor, scope.account, request).await,
        Err(error) => Err(error),
    };
    answer(result.map_err(|error| error.with_typed(typed)))
}

crate::declare_access!(OptOut => Account);
/// Opts the account's devices out of an event.
#[server(endpoint = "opt_out")]
pub async fn opt_out(account: Option<String>, event: EventId) -> Result<Saved, AppError> {
    change::<OptOut>(account, Ok(super::PeakDayRequest::OptOut { event }), Vec::new()).await
}

crate::declare_access!(ScheduleTimeAway => Account);
/// Schedules time away for one device.
#[server(endpoint = "schedule_time_away")]
pub async fn schedule_time_away(
    account: Option<String>,
    device: DeviceId,
    start: String,
    end: String,
) -> Result<Saved, AppError> {
    let form = super::TimeAwayForm { start, end };
    let request = form
        .parse()
        .map(|(start, end)| super::PeakDayRequest::ScheduleTimeAway { device, start, end })
        .map_err(AppError::InvalidFields);
    change::<ScheduleTimeAway>(account, request, form.typed(device)).await
}

crate::declare_access!(CancelTimeAway => Account);
/// Cancels a period of time away still to come.
#[server(endpoint = "cancel_time_away")]
pub async fn cancel_time_away(account: Option<String>, id: TimeAwayId) -> Result<Saved, AppError> {
    change::<CancelTimeAway>(account, Ok(super::PeakDayRequest::CancelTimeAway { id }), Vec::new())
        .await
}
