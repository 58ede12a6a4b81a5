//! A recipient as preferences know them: their contact (`crate::recipients`) and what they
//! chose to receive.

use super::{Communications, NotificationMatrix, PeakChannels};
use crate::recipients::{ContactDetails, RecipientId, Recipients};
use serde::{Deserialize, Serialize};

/// A recipient of an account's alerts and what they chose to receive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Recipient {
    pub id: RecipientId,
    pub contact: ContactDetails,
    /// The channels of the peak-day communications ("Peak pricing alerts").
    pub peak_channels: PeakChannels,
    /// The communications they chose.
    pub communications: Communications,
    /// Account notifications: each account activity by channel.
    pub notifications: NotificationMatrix,
}

impl Recipients<Recipient> {
    /// The recipient with this id, and whether it is the primary; `None` if it is not one of
    /// this account's.
    pub fn find(&self, id: RecipientId) -> Option<(&Recipient, bool)> {
        if self.primary.id == id {
            return Some((&self.primary, true));
        }
        self.additional.iter().find(|r| r.id == id).map(|r| (r, false))
    }
}
