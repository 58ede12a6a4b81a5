//! Peak days (issue 17): the server's half. This first part places local dates and times in the
//! utility's zone ([`time`]), as every event window and time away is typed in local time and
//! the rules (`peakday_app::events`) compare instants.

pub mod time;
