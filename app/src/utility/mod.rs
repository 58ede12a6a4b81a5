//! The utility running this portal: its name, time zone, the peak-day product it offers and the
//! channels it sends on. One row of configuration, read by every capability.

mod model;
#[cfg(feature = "ssr")]
mod service;

pub use model::{Channel, EligibilityRules, Product, UtilityOverview, UtilitySettings};
#[cfg(feature = "ssr")]
pub use service::UtilityService;
