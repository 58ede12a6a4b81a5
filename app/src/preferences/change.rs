//! The rules of changing an account's preferences, as one pure function: the current state and a
//! change in; what to store, what to audit and what to tell the person out. The service runs it
//! inside the write transaction, so the state it sees is the state it changes.

use super::Recipient;
use super::{
    address_for, communications_offered, AccountOptOuts, Activity, Communication, Communications,
    NotificationMatrix, OptOutScope, PeakChannels, SmsConsent, Suppression,
};
use crate::accounts::ServicePoint;
use crate::change::{AuditRecord, ChangeError};
use crate::contact::PhoneNumber;
use crate::error::FieldErrors;
use crate::recipients::{ContactDetails, RecipientId, Recipients, MAX_ADDITIONAL_RECIPIENTS};
use crate::utility::{Channel, EligibilityRules, Product};
use serde::{Deserialize, Serialize};

/// An accepted change of preferences.
pub type Outcome = crate::change::Outcome<Effect>;
use std::collections::{BTreeMap, BTreeSet};

/// One change a customer (or an agent for them) asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PreferenceChange {
    AddRecipient(ContactDetails),
    UpdateContact(RecipientId, ContactDetails),
    RemoveRecipient(RecipientId),
    SetAlerts { recipient: RecipientId, channels: PeakChannels, communications: Communications },
    SetOptOut { scope: OptOutScope, stopped: bool },
    SetNotifications { recipient: RecipientId, matrix: NotificationMatrix },
}

/// The account as the rules see it, read inside the write transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreferencesState {
    pub product: Product,
    pub utility_name: String,
    pub channels_offered: Vec<Channel>,
    pub service_points: Vec<ServicePoint>,
    pub recipients: Recipients<Recipient>,
    pub opt_outs: AccountOptOuts,
    /// Consent of the account's mobile numbers; missing means never asked.
    pub sms_consent: BTreeMap<PhoneNumber, SmsConsent>,
    pub rules: EligibilityRules,
    /// Addresses marked undeliverable (hard bounces, disconnected numbers).
    pub undeliverable: BTreeSet<(Channel, String)>,
}

/// What to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// A new additional recipient, with nothing chosen yet.
    InsertRecipient(ContactDetails),
    UpdateRecipient(Recipient),
    DeleteRecipient(RecipientId),
    SetOptOuts(AccountOptOuts),
    /// Mark the number pending and queue its confirmation text (opting in through the portal
    /// comes with a confirmation text).
    RequestSmsConsent(PhoneNumber),
}

impl Effect {
    /// Whether it adds, changes or removes a recipient (and so what the account is found by).
    pub fn changes_recipients(&self) -> bool {
        matches!(
            self,
            Effect::InsertRecipient(_) | Effect::UpdateRecipient(_) | Effect::DeleteRecipient(_)
        )
    }
}

impl PreferencesState {
    /// Applies `change`, or says why not.
    pub fn apply(&self, change: &PreferenceChange) -> Result<Outcome, ChangeError> {
        match change {
            PreferenceChange::AddRecipient(contact) => self.add_recipient(contact),
            PreferenceChange::UpdateContact(id, contact) => self.update_contact(*id, contact),
            PreferenceChange::RemoveRecipient(id) => self.remove_recipient(*id),
            PreferenceChange::SetAlerts { recipient, channels, communications } => {
                self.set_alerts(*recipient, *channels, communications)
            }
            PreferenceChange::SetOptOut { scope, stopped } => {
                Ok(self.set_opt_out(*scope, *stopped))
            }
            PreferenceChange::SetNotifications { recipient, matrix } => {
                self.set_notifications(*recipient, matrix)
            }
        }
    }

    fn recipient(&self, id: RecipientId) -> Result<(&Recipient, bool), ChangeError> {
        self.recipients.find(id).ok_or(ChangeError::NotFound)
    }

    fn add_recipient(&self, contact: &ContactDetails) -> Result<Outcome, ChangeError> {
        if !self.recipients.has_room() {
            return Err(ChangeError::Rule(format!(
                "This account already has {MAX_ADDITIONAL_RECIPIENTS} additional recipients, the \
                 most allowed. Remove one to add another."
            )));
        }
        Ok(Outcome {
            effects: vec![Effect::InsertRecipient(contact.clone())],
            audit: vec![AuditRecord {
                action: "recipient.added",
                summary: format!("Added recipient {}", contact.name),
                before: None,
                after: Some(describe_contact(contact)),
            }],
            message: format!("Added {}. Choose below what they receive.", contact.name),
        })
    }

    fn update_contact(
        &self,
        id: RecipientId,
        contact: &ContactDetails,
    ) -> Result<Outcome, ChangeError> {
        let (current, is_primary) = self.recipient(id)?;
        let mut updated = current.clone();
        updated.contact = contact.clone();
        // A channel can be on only with its contact: channels whose contact is gone turn off.
        let mut turned_off = Vec::new();
        for channel in PeakChannels::CHANNELS {
            if updated.peak_channels.get(channel) && !has_contact(contact, channel) {
                updated.peak_channels.set(channel, false);
                turned_off.push(channel);
            }
        }
        updated
            .notifications
            .cells
            .retain(|(_, channel)| *channel == Channel::Print || has_contact(contact, *channel));
        let sms_in_use = updated.peak_channels.sms
            || updated.notifications.cells.iter().any(|(_, c)| *c == Channel::Sms);
        let mut message = format!("Saved the contact info of {}.", contact.name);
        for channel in &turned_off {
            let reason = Suppression::NoContact.sentence(*channel, self.product);
            message.push_str(&format!(" {} alerts are off now: {reason}.", channel.label()));
        }
        let outcome = Outcome {
            audit: vec![AuditRecord {
                action: "recipient.contact_changed",
                summary: format!("Changed the contact info of {}", contact.name),
                before: Some(describe_recipient(current, is_primary, self.product)),
                after: Some(describe_recipient(&updated, is_primary, self.product)),
            }],
            effects: vec![Effect::UpdateRecipient(updated)],
            message,
        };
        Ok(self.with_sms_consent(outcome, contact, sms_in_use))
    }

    fn remove_recipient(&self, id: RecipientId) -> Result<Outcome, ChangeError> {
        let (current, is_primary) = self.recipient(id)?;
        if is_primary {
            return Err(ChangeError::Rule(
                "The primary recipient cannot be removed. You can change their contact info instead."
                    .to_owned(),
            ));
        }
        Ok(Outcome {
            effects: vec![Effect::DeleteRecipient(id)],
            audit: vec![AuditRecord {
                action: "recipient.removed",
                summary: format!("Removed recipient {}", current.contact.name),
                before: Some(describe_recipient(current, false, self.product)),
                after: None,
            }],
            message: format!(
                "Removed {}. They get no more alerts from this account.",
                current.contact.name
            ),
        })
    }

    fn set_alerts(
        &self,
        id: RecipientId,
        channels: PeakChannels,
        communications: &Communications,
    ) -> Result<Outcome, ChangeError> {
        let (current, is_primary) = self.recipient(id)?;
        let name = &current.contact.name;
        for channel in channels.on() {
            self.check_channel(&current.contact, channel, is_primary)?;
        }
        let offered = communications_offered(&self.service_points);
        if let Some(missing) = communications.iter().find(|c| !offered.contains(c)) {
            return Err(ChangeError::Rule(format!(
                "{} is not available for this account.",
                missing.label(self.product)
            )));
        }
        let mut updated = current.clone();
        updated.peak_channels = channels;
        updated.communications = communications.clone();
        let outcome = Outcome {
            audit: vec![AuditRecord {
                action: "recipient.alerts_changed",
                summary: format!("Changed the alerts of {name}"),
                before: Some(describe_recipient(current, is_primary, self.product)),
                after: Some(describe_recipient(&updated, is_primary, self.product)),
            }],
            effects: vec![Effect::UpdateRecipient(updated)],
            message: format!("Saved the alerts of {name}."),
        };
        Ok(self.with_sms_consent(outcome, &current.contact, channels.sms))
    }

    fn set_opt_out(&self, scope: OptOutScope, stopped: bool) -> Outcome {
        let mut updated = self.opt_outs;
        updated.set(scope, stopped);
        let label = if stopped { scope.stop_label() } else { scope.resume_label() };
        Outcome {
            effects: vec![Effect::SetOptOuts(updated)],
            audit: vec![AuditRecord {
                action: "account.opt_out_changed",
                summary: label.to_owned(),
                before: Some(describe_opt_outs(self.opt_outs)),
                after: Some(describe_opt_outs(updated)),
            }],
            message: if stopped { scope.stopped_sentence() } else { scope.resumed_sentence() }
                .to_owned(),
        }
    }

    fn set_notifications(
        &self,
        id: RecipientId,
        matrix: &NotificationMatrix,
    ) -> Result<Outcome, ChangeError> {
        let (current, is_primary) = self.recipient(id)?;
        let name = &current.contact.name;
        let channels: BTreeSet<Channel> =
            matrix.cells.iter().map(|(_, channel)| *channel).collect();
        for channel in channels {
            self.check_channel(&current.contact, channel, is_primary)?;
        }
        let high_usage_on =
            matrix.cells.iter().any(|(activity, _)| *activity == Activity::HighUsage);
        if high_usage_on && matrix.high_usage_kwh.is_none() {
            let mut errors = FieldErrors::default();
            errors
                .add("high_usage_kwh", "Enter the usage amount that triggers a high usage notice.");
            return Err(ChangeError::Fields(errors));
        }
        let mut updated = current.clone();
        updated.notifications = matrix.clone();
        let sms_in_use = matrix.cells.iter().any(|(_, channel)| *channel == Channel::Sms);
        let outcome = Outcome {
            effects: vec![Effect::UpdateRecipient(updated)],
            audit: vec![AuditRecord {
                action: "recipient.notifications_changed",
                summary: format!("Changed the account notifications of {name}"),
                before: Some(describe_notifications(&current.notifications)),
                after: Some(describe_notifications(matrix)),
            }],
            message: format!("Saved the account notifications of {name}."),
        };
        Ok(self.with_sms_consent(outcome, &current.contact, sms_in_use))
    }

    /// A channel may be chosen only if the utility sends on it and the recipient can be reached
    /// on it; print only by the account holder, whose service address it goes to.
    fn check_channel(
        &self,
        contact: &ContactDetails,
        channel: Channel,
        is_primary: bool,
    ) -> Result<(), ChangeError> {
        if !self.channels_offered.contains(&channel) {
            return Err(ChangeError::Rule(format!(
                "{} does not send messages by {}.",
                self.utility_name,
                channel.noun()
            )));
        }
        match unreachable_by(contact, channel, is_primary) {
            None => Ok(()),
            Some(reason) => Err(ChangeError::Rule(reason)),
        }
    }

    /// Adds the SMS opt-in to an outcome when texts are in use and the contact's mobile number
    /// was never asked (opting in through the portal comes with a confirmation text): the
    /// consent request, its audit record and a sentence saying a text is on its way.
    fn with_sms_consent(
        &self,
        mut outcome: Outcome,
        contact: &ContactDetails,
        sms_in_use: bool,
    ) -> Outcome {
        let Some(number) = contact.sms.as_ref().filter(|_| sms_in_use) else { return outcome };
        let consent = self.sms_consent.get(number).copied().unwrap_or(SmsConsent::NotAsked);
        if consent == SmsConsent::NotAsked {
            outcome.message.push_str(&format!(
                " We are sending a text to {number}: texts start once it replies YES."
            ));
            outcome.audit.push(consent_audit(number));
            outcome.effects.push(Effect::RequestSmsConsent(number.clone()));
        }
        outcome
    }
}

/// Why `channel` cannot reach this recipient, in a sentence; `None` when it can. Print goes to
/// the service address, so only to the account holder; every other channel needs the contact's
/// address for it. The form leaves such a choice out, and a save that makes it is refused.
pub fn unreachable_by(
    contact: &ContactDetails,
    channel: Channel,
    is_primary: bool,
) -> Option<String> {
    let reachable = match channel {
        Channel::Print => is_primary,
        _ => has_contact(contact, channel),
    };
    (!reachable).then(|| match channel {
        Channel::Print => "Printed notices go to the service address, so only the account \
                           holder can get them by mail."
            .to_owned(),
        _ => format!(
            "To get messages by {}, add {} for {} first.",
            channel.noun(),
            missing_contact_article(channel),
            contact.name
        ),
    })
}

/// Whether the contact details reach the recipient on `channel`; print goes to the service
/// address, not to a contact detail.
fn has_contact(contact: &ContactDetails, channel: Channel) -> bool {
    channel == Channel::Print || address_for(contact, channel).is_some()
}

fn missing_contact_article(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "an email address",
        Channel::Sms => "a mobile phone number",
        Channel::Voice => "a phone number",
        Channel::Print => "a postal address",
    }
}

fn consent_audit(number: &PhoneNumber) -> AuditRecord {
    AuditRecord {
        action: "sms_consent.requested",
        summary: format!("Asked {number} to confirm texts"),
        before: Some(BTreeMap::from([(
            "Texts".to_owned(),
            SmsConsent::NotAsked.label().to_owned(),
        )])),
        after: Some(BTreeMap::from([("Texts".to_owned(), SmsConsent::Pending.label().to_owned())])),
    }
}

fn describe_contact(contact: &ContactDetails) -> BTreeMap<String, String> {
    let text = |value: Option<String>| value.unwrap_or_else(|| "none".to_owned());
    BTreeMap::from([
        ("Name".to_owned(), contact.name.to_string()),
        ("Email".to_owned(), text(contact.email.as_ref().map(ToString::to_string))),
        ("Mobile phone (SMS)".to_owned(), text(contact.sms.as_ref().map(ToString::to_string))),
        ("Phone (voice)".to_owned(), text(contact.voice.as_ref().map(ToString::to_string))),
    ])
}

/// A recipient as label → value, for the audit's before and after.
pub fn describe_recipient(
    recipient: &Recipient,
    is_primary: bool,
    product: Product,
) -> BTreeMap<String, String> {
    let mut map = describe_contact(&recipient.contact);
    let list =
        |items: Vec<&str>| if items.is_empty() { "none".to_owned() } else { items.join(", ") };
    map.insert(
        "Peak pricing alerts".to_owned(),
        list(recipient.peak_channels.on().map(Channel::label).collect()),
    );
    map.insert(
        "Communications".to_owned(),
        list(recipient.communications.iter().map(|c: &Communication| c.label(product)).collect()),
    );
    if is_primary {
        map.insert("Recipient".to_owned(), "Primary".to_owned());
    }
    map
}

fn describe_opt_outs(opt_outs: AccountOptOuts) -> BTreeMap<String, String> {
    let state = |stopped: bool| if stopped { "stopped" } else { "on" }.to_owned();
    BTreeMap::from([
        ("Email".to_owned(), state(opt_outs.email)),
        ("Texts".to_owned(), state(opt_outs.sms)),
        ("Calls".to_owned(), state(opt_outs.voice)),
        (
            "Everything".to_owned(),
            if opt_outs.everything { "unsubscribed" } else { "subscribed" }.to_owned(),
        ),
    ])
}

fn describe_notifications(matrix: &NotificationMatrix) -> BTreeMap<String, String> {
    Activity::ALL
        .into_iter()
        .map(|activity| {
            let channels: Vec<&str> = matrix.channels_of(activity).map(Channel::label).collect();
            let mut value =
                if channels.is_empty() { "none".to_owned() } else { channels.join(", ") };
            if let (Activity::HighUsage, Some(kwh)) = (activity, matrix.high_usage_kwh) {
                value.push_str(&format!(" (over {kwh} kWh)"));
            }
            (activity.label().to_owned(), value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{BillCycleDay, Fuel};
    use crate::recipients::ContactForm;

    fn contact(name: &str, email: &str, sms: &str, voice: &str) -> ContactDetails {
        ContactForm { name: name.into(), email: email.into(), sms: sms.into(), voice: voice.into() }
            .parse()
            .unwrap()
    }

    fn recipient(id: i64, details: ContactDetails) -> Recipient {
        Recipient {
            id: RecipientId(id),
            contact: details,
            peak_channels: PeakChannels::default(),
            communications: Communications::new(),
            notifications: NotificationMatrix::default(),
        }
    }

    fn state() -> PreferencesState {
        PreferencesState {
            product: Product::PeakTimeRebates,
            utility_name: "Demo Power & Light".into(),
            channels_offered: Channel::ALL.to_vec(),
            service_points: vec![ServicePoint {
                number: "SP-1".into(),
                fuel: Fuel::Electric,
                rate_class: "R-PTR".into(),
                ami: true,
                bill_cycle_day: BillCycleDay::new(3).unwrap(),
            }],
            recipients: Recipients {
                primary: recipient(1, contact("Jordan Rivera", "jordan@example.com", "", "")),
                additional: vec![recipient(2, contact("Sam Rivera", "sam@example.com", "", ""))],
            },
            opt_outs: AccountOptOuts::default(),
            sms_consent: BTreeMap::new(),
            rules: EligibilityRules { peak_day_rate_classes: vec!["R-PTR".into()] },
            undeliverable: BTreeSet::new(),
        }
    }

    fn rule(result: Result<Outcome, ChangeError>) -> String {
        match result {
            Err(ChangeError::Rule(message)) => message,
            other => panic!("expected a rule refusal, got {other:?}"),
        }
    }

    #[test]
    fn adding_a_recipient_inserts_it_and_audits_it() {
        let outcome = state()
            .apply(&PreferenceChange::AddRecipient(contact("Ana", "ana@example.com", "", "")))
            .unwrap();
        assert!(matches!(outcome.effects[..], [Effect::InsertRecipient(_)]));
        assert_eq!(outcome.audit[0].action, "recipient.added");
        assert_eq!(outcome.audit[0].after.as_ref().unwrap()["Email"], "ana@example.com");
        assert!(outcome.message.starts_with("Added Ana."));
    }

    #[test]
    fn the_tenth_additional_recipient_is_accepted_and_the_eleventh_refused() {
        let mut state = state();
        state.recipients.additional =
            (2..11).map(|id| recipient(id, contact("X", "x@example.com", "", ""))).collect();
        let add = PreferenceChange::AddRecipient(contact("Tenth", "t@example.com", "", ""));
        assert!(state.apply(&add).is_ok(), "9 additional: a 10th fits");
        state.recipients.additional.push(recipient(11, contact("X", "x@example.com", "", "")));
        let message = rule(state.apply(&add));
        assert!(message.contains("10 additional recipients"), "{message}");
    }

    /// The page rebuilds a recipient's card when its revision changes, and only then.
    #[test]
    fn a_recipients_revision_changes_with_what_their_card_shows_and_only_then() {
        let revisions = |state: &PreferencesState| -> Vec<u64> {
            state.view(1).recipients.iter().map(|r| r.revision).collect()
        };
        let before = revisions(&state());
        assert_eq!(revisions(&state()), before, "the same data, the same revisions");
        assert_eq!(state().view(2).recipients.primary.revision, before[0], "not the version");

        let mut renamed = state();
        renamed.recipients.additional[0].contact = contact("Sam R.", "sam@example.com", "", "");
        let after = revisions(&renamed);
        assert_eq!(after[0], before[0], "the primary's card is as it was");
        assert_ne!(after[1], before[1], "Sam's card changed");

        // Only a status on the card changes: the recipient's own choices are the same.
        let mut selected = state();
        selected.recipients.primary.communications.insert(Communication::HighBillAlert);
        selected.recipients.primary.peak_channels.email = true;
        let mut stopped = selected.clone();
        stopped.opt_outs.everything = true;
        let (selected_view, stopped_view) = (selected.view(1), stopped.view(1));
        let (shown, now) = (&selected_view.recipients.primary, &stopped_view.recipients.primary);
        assert_eq!(shown.recipient, now.recipient);
        assert_ne!(shown.statuses, now.statuses);
        assert_ne!(shown.revision, now.revision, "a status shown on the card changed");
    }

    /// A save made on an older page goes ahead only where the part it changes is as it was.
    #[test]
    fn a_save_on_an_older_page_stands_while_the_part_it_changes_is_as_it_was() {
        use crate::preferences::Basis;
        let page = state().view(4);
        let sams_alerts = PreferenceChange::SetAlerts {
            recipient: RecipientId(2),
            channels: PeakChannels { email: true, ..PeakChannels::default() },
            communications: Communications::new(),
        };
        let seen = |change: &PreferenceChange| Basis { version: 4, part: page.part_of(change) };

        // Another card was saved since (version 5): Sam's card, and the stops, are as they were.
        let mut renamed = state();
        renamed.recipients.primary.contact = contact("Jordan R.", "jordan@example.com", "", "");
        let now = renamed.view(5);
        assert!(now.still_as_seen(seen(&sams_alerts), &sams_alerts));
        let stop_sms = PreferenceChange::SetOptOut {
            scope: OptOutScope::Channel(Channel::Sms),
            stopped: true,
        };
        assert!(now.still_as_seen(seen(&stop_sms), &stop_sms));
        let rename_jordan = PreferenceChange::UpdateContact(
            RecipientId(1),
            contact("Jordan Q.", "jordan@example.com", "", ""),
        );
        assert!(!now.still_as_seen(seen(&rename_jordan), &rename_jordan), "Jordan's card changed");
        assert!(!now.still_as_seen(Basis::from(4), &sams_alerts), "without a part, the version");
        assert!(now.still_as_seen(Basis::from(5), &rename_jordan), "the newest page, anything");

        // Someone was added since: an addition made on the old roster is refused, Sam's alerts not.
        let mut grown = state();
        grown.recipients.additional.push(recipient(3, contact("Noor", "noor@example.com", "", "")));
        let now = grown.view(5);
        let add = PreferenceChange::AddRecipient(contact("Ana", "ana@example.com", "", ""));
        assert!(!now.still_as_seen(seen(&add), &add));
        assert!(now.still_as_seen(seen(&sams_alerts), &sams_alerts));

        // Sam was removed since, or a stop changed since: saves made on what was shown are refused.
        let mut removed = state();
        removed.recipients.additional.clear();
        assert!(!removed.view(5).still_as_seen(seen(&sams_alerts), &sams_alerts));
        let mut stopped = state();
        stopped.opt_outs.sms = true;
        assert!(!stopped.view(5).still_as_seen(seen(&stop_sms), &stop_sms));
    }

    #[test]
    fn the_primary_recipient_cannot_be_removed() {
        let message = rule(state().apply(&PreferenceChange::RemoveRecipient(RecipientId(1))));
        assert!(message.contains("primary recipient cannot be removed"));
        let outcome = state().apply(&PreferenceChange::RemoveRecipient(RecipientId(2))).unwrap();
        assert_eq!(outcome.effects, vec![Effect::DeleteRecipient(RecipientId(2))]);
    }

    #[test]
    fn another_accounts_recipient_is_not_found() {
        let change = PreferenceChange::RemoveRecipient(RecipientId(99));
        assert_eq!(state().apply(&change), Err(ChangeError::NotFound));
        let change =
            PreferenceChange::UpdateContact(RecipientId(99), contact("X", "x@example.com", "", ""));
        assert_eq!(state().apply(&change), Err(ChangeError::NotFound));
    }

    #[test]
    fn sms_alerts_need_a_mobile_number() {
        let change = PreferenceChange::SetAlerts {
            recipient: RecipientId(2),
            channels: PeakChannels { sms: true, ..Default::default() },
            communications: Communications::new(),
        };
        assert_eq!(
            rule(state().apply(&change)),
            "To get messages by text message, add a mobile phone number for Sam Rivera first."
        );
    }

    #[test]
    fn a_channel_reaches_a_recipient_only_with_its_address_and_print_only_the_holder() {
        let email_only = contact("Ana Ruiz", "ana@example.com", "", "");
        assert_eq!(unreachable_by(&email_only, Channel::Email, false), None);
        assert_eq!(
            unreachable_by(&email_only, Channel::Voice, false).as_deref(),
            Some("To get messages by voice call, add a phone number for Ana Ruiz first.")
        );
        assert!(unreachable_by(&email_only, Channel::Sms, false).is_some());
        assert_eq!(unreachable_by(&email_only, Channel::Print, true), None);
        assert!(unreachable_by(&email_only, Channel::Print, false)
            .is_some_and(|reason| reason.starts_with("Printed notices go to the service address")));
    }

    #[test]
    fn turning_sms_on_for_a_new_number_requests_consent_once() {
        let mut state = state();
        state.recipients.additional[0].contact = contact("Sam Rivera", "", "555-234-5678", "");
        let change = PreferenceChange::SetAlerts {
            recipient: RecipientId(2),
            channels: PeakChannels { sms: true, ..Default::default() },
            communications: [Communication::PeakDayAlert].into(),
        };
        let number = PhoneNumber::parse("5552345678").unwrap();
        let outcome = state.apply(&change).unwrap();
        assert!(outcome.effects.contains(&Effect::RequestSmsConsent(number.clone())));
        assert!(outcome.message.contains("We are sending a text to (555) 234-5678"));
        assert!(outcome.audit.iter().any(|record| record.action == "sms_consent.requested"));
        state.sms_consent.insert(number, SmsConsent::Pending);
        let outcome = state.apply(&change).unwrap();
        assert!(!outcome.effects.iter().any(|e| matches!(e, Effect::RequestSmsConsent(_))));
    }

    #[test]
    fn removing_a_contact_turns_its_channels_off_and_says_so() {
        let mut state = state();
        state.recipients.additional[0].peak_channels.email = true;
        state.recipients.additional[0]
            .notifications
            .cells
            .insert((Activity::Statements, Channel::Email));
        let change = PreferenceChange::UpdateContact(
            RecipientId(2),
            contact("Sam Rivera", "", "", "555-876-5432"),
        );
        let outcome = state.apply(&change).unwrap();
        let Effect::UpdateRecipient(updated) = &outcome.effects[0] else { panic!("an update") };
        assert!(!updated.peak_channels.email);
        assert!(updated.notifications.cells.is_empty());
        assert!(
            outcome.message.contains("Email alerts are off now: no email address."),
            "{}",
            outcome.message
        );
    }

    #[test]
    fn a_communication_the_account_is_not_offered_is_refused() {
        let mut state = state();
        state.service_points[0].fuel = Fuel::Gas;
        let change = PreferenceChange::SetAlerts {
            recipient: RecipientId(1),
            channels: PeakChannels { email: true, ..Default::default() },
            communications: [Communication::PeakDayAlert].into(),
        };
        assert!(rule(state.apply(&change)).contains("not available for this account"));
    }

    #[test]
    fn an_ineligible_communication_may_still_be_selected() {
        let mut state = state();
        state.service_points[0].rate_class = "R-1".into();
        let change = PreferenceChange::SetAlerts {
            recipient: RecipientId(1),
            channels: PeakChannels { email: true, ..Default::default() },
            communications: [Communication::PeakDayAlert].into(),
        };
        assert!(state.apply(&change).is_ok());
    }

    #[test]
    fn a_channel_the_utility_does_not_offer_is_refused() {
        let mut state = state();
        state.channels_offered = vec![Channel::Email, Channel::Print];
        state.recipients.primary.contact = contact("Jordan Rivera", "", "", "555-876-5432");
        let change = PreferenceChange::SetAlerts {
            recipient: RecipientId(1),
            channels: PeakChannels { voice: true, ..Default::default() },
            communications: Communications::new(),
        };
        assert_eq!(
            rule(state.apply(&change)),
            "Demo Power & Light does not send messages by voice call."
        );
    }

    #[test]
    fn stopping_and_resuming_a_channel_is_audited_with_before_and_after() {
        let change = PreferenceChange::SetOptOut {
            scope: OptOutScope::Channel(Channel::Email),
            stopped: true,
        };
        let outcome = state().apply(&change).unwrap();
        assert_eq!(
            outcome.effects,
            vec![Effect::SetOptOuts(AccountOptOuts { email: true, ..Default::default() })]
        );
        assert_eq!(outcome.audit[0].before.as_ref().unwrap()["Email"], "on");
        assert_eq!(outcome.audit[0].after.as_ref().unwrap()["Email"], "stopped");
        assert_eq!(outcome.message, "All email from us is stopped for this account.");
    }

    #[test]
    fn undoing_unsubscribe_all_keeps_the_channel_stops() {
        let mut state = state();
        state.opt_outs = AccountOptOuts { sms: true, everything: true, ..Default::default() };
        let outcome = state
            .apply(&PreferenceChange::SetOptOut { scope: OptOutScope::Everything, stopped: false })
            .unwrap();
        assert_eq!(
            outcome.effects,
            vec![Effect::SetOptOuts(AccountOptOuts { sms: true, ..Default::default() })]
        );
    }

    #[test]
    fn high_usage_notices_need_a_threshold() {
        let mut matrix = NotificationMatrix::default();
        matrix.cells.insert((Activity::HighUsage, Channel::Email));
        let change = PreferenceChange::SetNotifications {
            recipient: RecipientId(1),
            matrix: matrix.clone(),
        };
        assert!(matches!(state().apply(&change), Err(ChangeError::Fields(_))));
        matrix.high_usage_kwh = Some(900);
        let change = PreferenceChange::SetNotifications { recipient: RecipientId(1), matrix };
        let outcome = state().apply(&change).unwrap();
        assert_eq!(outcome.audit[0].after.as_ref().unwrap()["High usage"], "Email (over 900 kWh)");
    }

    #[test]
    fn printed_notices_are_for_the_account_holder_only() {
        let mut matrix = NotificationMatrix::default();
        matrix.cells.insert((Activity::Statements, Channel::Print));
        let primary = PreferenceChange::SetNotifications {
            recipient: RecipientId(1),
            matrix: matrix.clone(),
        };
        assert!(state().apply(&primary).is_ok());
        let additional = PreferenceChange::SetNotifications { recipient: RecipientId(2), matrix };
        assert!(rule(state().apply(&additional)).contains("only the account holder"));
    }
}
