use super::{PreferenceChange, PreferencesView};
use crate::accounts::AccountId;
use crate::activity::Actor;
use crate::error::AppError;
use crate::shell::Saved;

/// An account's preferences. Callers have authorized the viewer for the account.
#[async_trait::async_trait]
pub trait PreferencesService: Send + Sync + 'static {
    /// Recipients, their choices with delivery status, and the account-wide stops.
    async fn preferences(&self, account: AccountId) -> Result<PreferencesView, AppError>;

    /// Applies one change made by `actor`, if the account is still at `version` (a save based on
    /// an older page is refused with [`AppError::Conflict`]). The change, its audit records and
    /// the new version are stored together or not at all.
    async fn change_preferences(
        &self,
        actor: Actor,
        account: AccountId,
        version: i64,
        change: PreferenceChange,
    ) -> Result<Saved, AppError>;
}
