use super::StaffMember;
use crate::auth::UserId;
use crate::error::AppError;
use crate::shell::Saved;
use crate::utility::UtilityOverview;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn staff() -> Result<std::sync::Arc<dyn super::StaffService>, AppError> {
    crate::service::service()
}

crate::declare_access!(LoadUtilityOverview => Staff);
/// The utility's settings and book size, for every staff home.
#[server(endpoint = "utility_overview")]
pub async fn load_utility_overview() -> Result<UtilityOverview, AppError> {
    crate::auth::authorize_call::<LoadUtilityOverview>()?;
    crate::service::service::<dyn crate::utility::UtilityService>()?.utility_overview().await
}

crate::declare_access!(StaffMembers => Admin);
/// Every staff user, for administrators.
#[server(endpoint = "staff_members")]
pub async fn staff_members() -> Result<Vec<StaffMember>, AppError> {
    crate::auth::authorize_call::<StaffMembers>()?;
    staff()?.staff_members().await
}

crate::declare_access!(CreateStaffMember => Admin);
/// Adds a staff member who can sign in at once.
#[server(endpoint = "create_staff_member")]
pub async fn create_staff_member(
    name: String,
    email: String,
    role: String,
    password: String,
) -> Result<Saved, AppError> {
    let admin = crate::auth::authorize_call::<CreateStaffMember>()?;
    let (service, answer) = (staff()?, crate::shell::save_answer());
    let form = super::NewStaffForm { name, email, role, password };
    let result = match form.parse() {
        Ok(new) => service.create_staff(admin.user_id, new).await,
        Err(fields) => Err(AppError::InvalidFields(fields)),
    };
    // The page posts without WASM: a refusal takes what was typed back to the form, all but
    // the password.
    answer(result.map_err(|error| error.with_typed(form.typed())))
}

crate::declare_access!(ChangeStaffRole => Admin);
/// Gives a staff member another role. Their open sessions carry the new role from their next
/// request on.
#[server(endpoint = "change_staff_role")]
pub async fn change_staff_role(user: UserId, role: String) -> Result<Saved, AppError> {
    let admin = crate::auth::authorize_call::<ChangeStaffRole>()?;
    let (service, answer) = (staff()?, crate::shell::save_answer());
    answer(match crate::auth::StaffRole::parse(&role) {
        Some(role) => service.change_staff_role(admin.user_id, user, role).await,
        None => Err(AppError::Invalid("Choose a role.".to_owned())),
    })
}

crate::declare_access!(SetStaffDisabled => Admin);
/// Disables (or enables again) a staff member's sign-in; disabling ends their sessions at once.
#[server(endpoint = "set_staff_disabled")]
pub async fn set_staff_disabled(user: UserId, disabled: bool) -> Result<Saved, AppError> {
    let admin = crate::auth::authorize_call::<SetStaffDisabled>()?;
    let (service, answer) = (staff()?, crate::shell::save_answer());
    answer(service.set_staff_disabled(admin.user_id, user, disabled).await)
}

crate::declare_access!(EndStaffSessions => Admin);
/// Ends every session of one staff member: they must sign in again.
#[server(endpoint = "end_staff_sessions")]
pub async fn end_staff_sessions(user: UserId) -> Result<Saved, AppError> {
    let admin = crate::auth::authorize_call::<EndStaffSessions>()?;
    let (service, answer) = (staff()?, crate::shell::save_answer());
    answer(service.end_staff_sessions(admin.user_id, user).await)
}
