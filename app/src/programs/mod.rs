//! Programs, devices and enrollments (issue 5): program
//! managers define demand-response and bring-your-own-device programs; customers (and customer
//! service for them) register their devices, see which programs they may join and why not,
//! enroll, add, replace and unenroll devices; the head-end registers each device, and its
//! acknowledgement comes back as the device's registration status.

mod account_page;
mod api;
mod change;
mod device;
mod devices_page;
mod eligibility;
mod entity_group;
mod manager_page;
mod model;
mod program_change;
pub(crate) mod program_form;
#[cfg(feature = "ssr")]
mod service;
mod units;
mod view;

pub use account_page::AccountProgramsPage;
pub use api::*;
pub use change::{
    EnrollmentEffect, EnrollmentRef, EnrollmentState, HeadEndAction, HeadEndChange, HeldEnrollment,
    Outcome, SerialHolder, SERIAL_ELSEWHERE,
};
pub use device::{Device, DeviceForm, NewDevice, Registration};
pub use devices_page::DevicesPage;
pub use eligibility::{
    device_obstacle, eligible_devices, AccountFacts, Ineligibility, LiveEnrollment,
};
pub use entity_group::{entity_group, size_band, EntityGroupSummary};
pub use manager_page::{ProgramEditPage, ProgramsPage};
pub use model::{
    DeviceId, DeviceKind, EnrollmentId, Incentives, ParticipationRules, Performance, Program,
    ProgramDefinition, ProgramId, ProgramKind, ProgramStatus,
};
pub use program_change::{apply_program_save, name_taken, ProgramEffect};
pub use program_form::{ProgramForm, ProgramPost};
#[cfg(feature = "ssr")]
pub use service::ProgramsService;
pub use units::{CalendarDate, Capacity, Cents};
pub use view::{
    AccountDevices, AccountPrograms, EnrollmentStatus, EnrollmentView, ProgramOffer,
    ProgramSummary, ProgramsOverview,
};
