//! Contact details: the ways a person can be reached, each a type that is valid once held.

mod email;
mod phone;

pub use email::{EmailAddress, EmailError};
pub use phone::{PhoneError, PhoneNumber};
