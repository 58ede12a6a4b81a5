use super::{Basis, PreferenceChange, PreferencesView};
use crate::accounts::AccountId;
use crate::activity::Actor;
use crate::error::AppError;
use crate::shell::Saved;

/// An account's preferences. Callers have authorized the viewer for the account.
#[async_trait::async_trait]
pub trait PreferencesService: Send + Sync + 'static {
    /// Recipients, their choices with delivery status, and the account-wide stops.
    async fn preferences(&self, account: AccountId) -> Result<PreferencesView, AppError>;

    /// Applies one change made by `actor`, if what it was based on still stands (see
    /// [`PreferencesView::still_as_seen`]; otherwise it is refused with [`AppError::Conflict`]).
    /// The change, its audit records and the new version are stored together or not at all.
    async fn change_preferences(
        &self,
        actor: Actor,
        account: AccountId,
        basis: Basis,
        change: PreferenceChange,
    ) -> Result<Saved, AppError>;
}
