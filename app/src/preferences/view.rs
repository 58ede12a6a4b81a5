use super::Recipient;
use super::{
    communications_offered, AccountOptOuts, Audience, Communication, PreferenceChange,
    PreferencesState, SelectionStatus, SmsConsent,
};
use crate::recipients::Recipients;
use crate::utility::{Channel, Product};
use serde::{Deserialize, Serialize};

/// Everything the alerts and notifications pages show about an account, with each selection's
/// delivery status already worked out by the rule engine on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreferencesView {
    /// Sent back with every save: a save based on an older version is refused.
    pub version: i64,
    pub utility_name: String,
    pub product: Product,
    pub channels_offered: Vec<Channel>,
    pub communications_offered: Vec<Communication>,
    pub recipients: Recipients<RecipientView>,
    pub opt_outs: AccountOptOuts,
}

/// What a save was based on: the version of the page it was made on and, from the page's forms,
/// the revision of the part of it the form changes (see [`PreferencesView::part_of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Basis {
    pub version: i64,
    pub part: Option<u64>,
}

impl From<i64> for Basis {
    /// A save that must be based on the newest page, whatever it changes.
    fn from(version: i64) -> Self {
        Self { version, part: None }
    }
}

impl PreferencesView {
    /// The revision of the part of the page `change` changes, as the page shows it: the
    /// recipient's card; for an addition, who the recipients are (see [`Self::roster`]); for a
    /// stop, whether it is on. `None` for a recipient the page does not have.
    pub fn part_of(&self, change: &PreferenceChange) -> Option<u64> {
        let card = |id: &crate::recipients::RecipientId| {
            self.recipients.iter().find(|r| r.recipient.id == *id).map(|r| r.revision)
        };
        match change {
            PreferenceChange::AddRecipient(_) => Some(self.roster()),
            PreferenceChange::UpdateContact(id, _)
            | PreferenceChange::RemoveRecipient(id)
            | PreferenceChange::SetAlerts { recipient: id, .. }
            | PreferenceChange::SetNotifications { recipient: id, .. } => card(id),
            PreferenceChange::SetOptOut { scope, .. } => Some(u64::from(self.opt_outs.get(*scope))),
        }
    }

    /// Who the recipients are: their count and largest id (ids only grow, so a recipient added
    /// changes the largest and one removed the count), from 2^32 up.
    pub fn roster(&self) -> u64 {
        let largest = self.recipients.iter().map(|r| r.recipient.id.0).max().unwrap_or(0) as u64;
        (self.recipients.iter().count() as u64) << 32 | (largest & 0xffff_ffff)
    }

    /// Whether a save of `change` made on `basis` still means what the person saw: the page
    /// was the newest, or the part the form changes is as it was on their page. So two cards
    /// saved within one round trip both land, while a card changed meanwhile (in another tab,
    /// by customer service) refuses a save made on its old state.
    pub fn still_as_seen(&self, basis: Basis, change: &PreferenceChange) -> bool {
        basis.version == self.version
            || basis.part.is_some_and(|part| self.part_of(change) == Some(part))
    }
}

impl crate::shell::Versioned for PreferencesView {
    fn version(&self) -> i64 {
        self.version
    }
}

/// One recipient with what the page needs to explain their choices.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecipientView {
    pub recipient: Recipient,
    pub is_primary: bool,
    /// Consent of their mobile number; `None` without one.
    pub sms_consent: Option<SmsConsent>,
    /// Each communication offered to the account and how the recipient's selection stands.
    pub statuses: Vec<(Communication, SelectionStatus)>,
    /// Changes whenever anything above does (a hash of it, made on the server): the page keys
    /// the recipient's card by it, so a reload rebuilds only the cards whose data changed.
    pub revision: u64,
}

impl RecipientView {
    fn with_revision(mut self) -> Self {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        self.revision = 0;
        self.revision = BuildHasherDefault::<DefaultHasher>::default().hash_one(&self);
        self
    }
}

impl PreferencesState {
    /// The rule engine's view of this state.
    pub fn audience(&self) -> Audience<'_> {
        Audience {
            product: self.product,
            channels_offered: &self.channels_offered,
            rules: &self.rules,
            service_points: &self.service_points,
            recipients: &self.recipients,
            opt_outs: self.opt_outs,
            sms_consent: &self.sms_consent,
            undeliverable: &self.undeliverable,
        }
    }

    /// What the pages show, at `version`.
    pub fn view(&self, version: i64) -> PreferencesView {
        let audience = self.audience();
        let offered = communications_offered(&self.service_points);
        let recipients = self.recipients.map(|recipient, is_primary| {
            RecipientView {
                recipient: recipient.clone(),
                is_primary,
                sms_consent: recipient.contact.sms.as_ref().map(|number| {
                    self.sms_consent.get(number).copied().unwrap_or(SmsConsent::NotAsked)
                }),
                statuses: offered
                    .iter()
                    .map(|communication| {
                        (*communication, audience.status(recipient.id, *communication))
                    })
                    .collect(),
                revision: 0,
            }
            .with_revision()
        });
        PreferencesView {
            version,
            utility_name: self.utility_name.clone(),
            product: self.product,
            channels_offered: self.channels_offered.clone(),
            communications_offered: offered,
            recipients,
            opt_outs: self.opt_outs,
        }
    }
}
