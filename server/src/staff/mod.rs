//! Staff administration: the service over the shared rules (`peakday_app::staff::StaffState`)
//! and its SQL.

mod service;
pub mod store;

pub use service::{StaffAdmin, StaffError};
