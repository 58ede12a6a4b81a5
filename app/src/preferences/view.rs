use super::Recipient;
use super::{
    communications_offered, AccountOptOuts, Audience, Communication, PreferencesState,
    SelectionStatus, SmsConsent,
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
