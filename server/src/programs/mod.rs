//! Programs, devices and enrollments: the service over the shared rules
//! (`peakday_app::programs::EnrollmentState`, `save_program`), their SQL (`store/`), and the
//! head-end / DERMS integration that hears of every registration change (`head_end/`).

pub mod head_end;
mod service;
pub mod store;

pub use service::{EnrollmentError, Enrollments};
