//! The people who get an account's alerts: one primary recipient and up to ten more, each with a
//! name and at least one way to reach them. What each chooses to receive is in `preferences`.

mod model;

pub use model::{
    ContactDetails, ContactForm, NameError, RecipientId, RecipientName, Recipients,
    MAX_ADDITIONAL_RECIPIENTS, NEEDS_A_CONTACT,
};
