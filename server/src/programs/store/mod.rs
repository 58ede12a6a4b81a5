//! The SQL of programs, devices and enrollments.

mod devices;
mod enrollments;
mod programs;

pub use devices::{RegistrationUpdate, StoredDevice};
pub use enrollments::{DeviceLocation, DeviceSites, StoredEnrollment};
