//! Peak days (issue 17), the server's half: the events service ([`service`]) over its SQL
//! ([`store`]), the messages the DERMS hears ([`derms`]), and local dates and times placed in
//! the utility's zone ([`time`]), as every event window and time away is typed in local time
//! and the rules (`peakday_app::events`) compare instants.

pub mod derms;
pub mod participation;
pub mod service;
pub mod store;
pub mod time;

pub use service::{Events, PEAK_DAY_NOTICE};
