//! The SQL of programs, devices and enrollments.

mod devices;
mod enrollments;
mod programs;

pub use devices::*;
pub use enrollments::*;
pub use programs::*;
