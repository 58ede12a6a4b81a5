//! Contact details: the ways a person can be reached, each a type that is valid once held.

mod email;

pub use email::{EmailAddress, EmailError};
