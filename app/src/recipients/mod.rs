//! The people who get an account's alerts: one primary recipient and up to ten more, each with a
//! name and at least one way to reach them (seed 000).

mod model;

pub use model::{
    ContactDetails, ContactForm, NameError, Recipient, RecipientId, RecipientName, Recipients,
    MAX_ADDITIONAL_RECIPIENTS, NEEDS_A_CONTACT,
};
