//! The utility running this portal: its name, time zone, the peak-day product it offers and the
//! channels it sends on. One row of configuration, read by every capability.

mod model;

pub use model::{Channel, EligibilityRules, Product, UtilityOverview, UtilitySettings};
