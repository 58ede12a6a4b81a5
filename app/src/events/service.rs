use super::{AccountEvents, EventId, EventRequest, LocalMoment, ProgramEvents, TimeAwayId};
use crate::accounts::AccountId;
use crate::activity::Actor;
use crate::auth::UserId;
use crate::error::AppError;
use crate::programs::{DeviceId, ProgramId};
use crate::shell::Saved;

/// A change to an account's peak days as the browser asks for it, in the utility's local time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeakDayRequest {
    OptOut { event: EventId },
    ScheduleTimeAway { device: DeviceId, start: LocalMoment, end: LocalMoment },
    CancelTimeAway { id: TimeAwayId },
}

/// Events, reservations, opt-outs and time away.
#[async_trait::async_trait]
pub trait EventsService: Send + Sync + 'static {
    /// A program with its events and their reservations, for program managers.
    async fn program_events(&self, program: ProgramId) -> Result<ProgramEvents, AppError>;

    /// Calls an event of `program`: checked against its rules, devices reserved, the DERMS
    /// dispatch and the customers' advance notices queued, all together or not at all.
    async fn call_event(
        &self,
        manager: UserId,
        program: ProgramId,
        request: EventRequest,
    ) -> Result<Saved, AppError>;

    /// Cancels an event for `reason`, releasing every device.
    async fn cancel_event(
        &self,
        manager: UserId,
        event: EventId,
        reason: String,
    ) -> Result<Saved, AppError>;

    /// The account's peak days, its opt-outs left and its devices' time away.
    async fn account_events(&self, account: AccountId) -> Result<AccountEvents, AppError>;

    /// An opt-out or a change of time away, for the account.
    async fn change_peak_days(
        &self,
        actor: Actor,
        account: AccountId,
        request: PeakDayRequest,
    ) -> Result<Saved, AppError>;
}
