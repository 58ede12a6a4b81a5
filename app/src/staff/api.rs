use super::StaffMember;
use crate::error::AppError;
use crate::utility::UtilityOverview;
use leptos::prelude::*;

/// The utility's settings and book size, for every staff home.
#[server(endpoint = "utility_overview")]
pub async fn load_utility_overview() -> Result<UtilityOverview, AppError> {
    use crate::auth::{authorize, services, Access};
    authorize(Access::Staff)?;
    services()?.utility_overview().await
}

/// Every staff user, for administrators.
#[server(endpoint = "staff_members")]
pub async fn staff_members() -> Result<Vec<StaffMember>, AppError> {
    use crate::auth::{authorize, services, Access};
    authorize(Access::Admin)?;
    services()?.staff_members().await
}
