//! Server functions of the devices and programs pages (an account's, in admin mode too) and of
//! the program manager's page. Each authorizes first, parses with the shared forms, and hands
//! one [`EnrollmentChange`] or program to the service.
// A server function takes one argument per form field; the forms have many.
#![allow(clippy::too_many_arguments)]

use super::{AccountDevices, AccountPrograms, ProgramsOverview};
use crate::error::AppError;
use crate::shell::Saved;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One change to an account's devices or enrollments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EnrollmentChange {
    AddDevice(super::NewDevice),
    /// Only a device in no live enrollment can be removed.
    RemoveDevice {
        device: super::DeviceId,
    },
    Enroll {
        program: super::ProgramId,
        device: super::DeviceId,
    },
    AddToEnrollment {
        enrollment: super::EnrollmentId,
        device: super::DeviceId,
    },
    /// The old device is de-registered, the new one registered, in one message.
    ReplaceDevice {
        enrollment: super::EnrollmentId,
        device: super::DeviceId,
        replacement: super::DeviceId,
    },
    Unenroll {
        enrollment: super::EnrollmentId,
    },
}

crate::declare_access!(LoadDevices => Account);
/// An account's devices with their registration status.
#[server(endpoint = "devices")]
pub async fn load_devices(account: Option<String>) -> Result<AccountDevices, AppError> {
    let programs = crate::service::service::<dyn super::ProgramsService>()?;
    let scope = crate::auth::account_scope::<LoadDevices>(account).await?;
    programs.account_devices(scope.account).await
}

crate::declare_access!(LoadAccountPrograms => Account);
/// The active programs as the account sees them: enrolled, open, or closed with the reasons.
#[server(endpoint = "account_programs")]
pub async fn load_account_programs(account: Option<String>) -> Result<AccountPrograms, AppError> {
    let programs = crate::service::service::<dyn super::ProgramsService>()?;
    let scope = crate::auth::account_scope::<LoadAccountPrograms>(account).await?;
    programs.account_programs(scope.account).await
}

/// Runs one change through server function `F`.
#[cfg(feature = "ssr")]
async fn change<F: crate::auth::Guarded>(
    account: Option<String>,
    change: Result<EnrollmentChange, AppError>,
) -> Result<Saved, AppError> {
    let answer = crate::shell::save_answer();
    let programs = crate::service::service::<dyn super::ProgramsService>()?;
    let scope = crate::auth::account_scope::<F>(account).await?;
    answer(match change {
        Ok(change) => programs.change_enrollment(scope.actor, scope.account, change).await,
        Err(error) => Err(error),
    })
}

crate::declare_access!(RegisterDevice => Account);
#[server(endpoint = "register_device")]
pub async fn register_device(
    account: Option<String>,
    kind: String,
    make: String,
    model: String,
    serial: String,
    network_address: String,
    capacity: String,
    service_point: String,
) -> Result<Saved, AppError> {
    let form =
        super::DeviceForm { kind, make, model, serial, network_address, capacity, service_point };
    let device = form.parse().map_err(AppError::InvalidFields);
    let result = change::<RegisterDevice>(account, device.map(EnrollmentChange::AddDevice)).await;
    // Without WASM the form posts plainly: a refusal takes what was typed back to it.
    result.map_err(|error| error.with_typed(form.typed()))
}

crate::declare_access!(RemoveDevice => Account);
#[server(endpoint = "remove_device")]
pub async fn remove_device(
    account: Option<String>,
    device: super::DeviceId,
) -> Result<Saved, AppError> {
    change::<RemoveDevice>(account, Ok(EnrollmentChange::RemoveDevice { device })).await
}

crate::declare_access!(Enroll => Account);
#[server(endpoint = "enroll")]
pub async fn enroll(
    account: Option<String>,
    program: super::ProgramId,
    device: super::DeviceId,
) -> Result<Saved, AppError> {
    change::<Enroll>(account, Ok(EnrollmentChange::Enroll { program, device })).await
}

crate::declare_access!(AddEnrolledDevice => Account);
#[server(endpoint = "add_enrolled_device")]
pub async fn add_enrolled_device(
    account: Option<String>,
    enrollment: super::EnrollmentId,
    device: super::DeviceId,
) -> Result<Saved, AppError> {
    let add = EnrollmentChange::AddToEnrollment { enrollment, device };
    change::<AddEnrolledDevice>(account, Ok(add)).await
}

crate::declare_access!(ReplaceDevice => Account);
#[server(endpoint = "replace_device")]
pub async fn replace_device(
    account: Option<String>,
    enrollment: super::EnrollmentId,
    device: super::DeviceId,
    replacement: super::DeviceId,
) -> Result<Saved, AppError> {
    let replace = EnrollmentChange::ReplaceDevice { enrollment, device, replacement };
    change::<ReplaceDevice>(account, Ok(replace)).await
}

crate::declare_access!(Unenroll => Account);
#[server(endpoint = "unenroll")]
pub async fn unenroll(
    account: Option<String>,
    enrollment: super::EnrollmentId,
) -> Result<Saved, AppError> {
    change::<Unenroll>(account, Ok(EnrollmentChange::Unenroll { enrollment })).await
}

crate::declare_access!(LoadProgramsOverview => ProgramManager);
/// Every program and entity group, for program managers.
#[server(endpoint = "programs_overview")]
pub async fn load_programs_overview() -> Result<ProgramsOverview, AppError> {
    crate::auth::authorize_call::<LoadProgramsOverview>()?;
    crate::service::service::<dyn super::ProgramsService>()?.programs_overview().await
}

crate::declare_access!(SaveProgram => ProgramManager);
/// Creates a program (no `program`) or changes one. A device kind's box posts `on` when ticked.
#[server(endpoint = "save_program")]
pub async fn save_program(
    program: Option<super::ProgramId>,
    #[server(flatten)] post: super::ProgramPost,
) -> Result<Saved, AppError> {
    let manager = crate::auth::authorize_call::<SaveProgram>()?;
    let (programs, answer) =
        (crate::service::service::<dyn super::ProgramsService>()?, crate::shell::save_answer());
    let form = post.form();
    let result = match form.parse() {
        Ok(definition) => programs.save_program(manager.user_id, program, definition).await,
        Err(fields) => Err(AppError::InvalidFields(fields)),
    };
    // The page posts without WASM: a refusal takes what was typed back to the form.
    answer(result.map_err(|error| error.with_typed(form.typed())))
}
