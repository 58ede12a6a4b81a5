//! The delivery plan: for an account and a message, every (recipient, channel, address) with
//! Deliver or Suppressed(reason). The one place that decides whether a message goes out; the
//! pages explain a selection with it and the dispatcher will send with it.

use super::Recipient;
use super::{address_for, AccountOptOuts, Activity, Communication, PeakChannels, SmsConsent};
use crate::accounts::{Fuel, ServicePoint};
use crate::contact::PhoneNumber;
use crate::recipients::{RecipientId, Recipients};
use crate::utility::{Channel, EligibilityRules, Product};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What the plan is computed for: the account's recipients and everything that can stop a send.
pub struct Audience<'a> {
    pub product: Product,
    /// Channels the utility offers at all.
    pub channels_offered: &'a [Channel],
    pub rules: &'a EligibilityRules,
    pub service_points: &'a [ServicePoint],
    pub recipients: &'a Recipients<Recipient>,
    pub opt_outs: AccountOptOuts,
    /// Consent per mobile number; a number missing here was never asked.
    pub sms_consent: &'a BTreeMap<PhoneNumber, SmsConsent>,
    /// Addresses marked undeliverable (a hard bounce, a disconnected number).
    pub undeliverable: &'a BTreeSet<(Channel, String)>,
}

/// A message the plan is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Message {
    Communication(Communication),
    Activity(Activity),
}

/// Why a message will not go to one recipient on one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Suppression {
    /// The account has nothing this message is about (a peak-day message, no electric service).
    ProductNotOffered,
    /// The account fails the utility's eligibility rule.
    NotEligible(EligibilityFailure),
    /// The utility does not send on this channel.
    ChannelNotOffered,
    /// The recipient has this channel off.
    ChannelOff,
    UnsubscribedFromEverything,
    /// The account stopped this channel.
    AccountOptOut,
    /// The recipient has no address for this channel.
    NoContact,
    SmsNotConfirmed(SmsConsent),
    /// The address bounced or the number is disconnected.
    Undeliverable,
}

/// The eligibility rule an account failed (the utility's configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EligibilityFailure {
    /// No electric service point on one of `EligibilityRules::peak_day_rate_classes`.
    PeakDayRateClass,
}

impl Suppression {
    /// The reason in words: "Selected, not delivered: <this>".
    pub fn sentence(self, channel: Channel, product: Product) -> &'static str {
        match (self, channel) {
            (Suppression::ProductNotOffered, _) => {
                "this account has no electric service for peak day messages"
            }
            (Suppression::NotEligible(EligibilityFailure::PeakDayRateClass), _) => match product {
                Product::PeakTimeRebates => "not on a peak time rebate rate",
                Product::BehavioralDemandResponse => "not on a rate in the peak day program",
            },
            (Suppression::ChannelNotOffered, _) => "the utility does not send on this channel",
            (Suppression::ChannelOff, _) => "no alert channel is on for this recipient",
            (Suppression::UnsubscribedFromEverything, _) => {
                "the account is unsubscribed from everything"
            }
            (Suppression::AccountOptOut, Channel::Email) => "all email is stopped for this account",
            (Suppression::AccountOptOut, Channel::Sms) => "all texts are stopped for this account",
            (Suppression::AccountOptOut, Channel::Voice) => {
                "all calls are stopped for this account"
            }
            (Suppression::AccountOptOut, Channel::Print) => "all mail is stopped for this account",
            (Suppression::NoContact, Channel::Email) => "no email address",
            (Suppression::NoContact, Channel::Sms) => "no mobile number for texts",
            (Suppression::NoContact, Channel::Voice) => "no phone number for calls",
            (Suppression::NoContact, Channel::Print) => {
                "printed notices go to the account holder only"
            }
            (Suppression::SmsNotConfirmed(SmsConsent::OptedOut), _) => {
                "this mobile number replied STOP"
            }
            (Suppression::SmsNotConfirmed(_), _) => {
                "SMS not confirmed: the number has not replied YES yet"
            }
            (Suppression::Undeliverable, Channel::Email) => "the email address bounced",
            (Suppression::Undeliverable, _) => "the number could not be reached",
        }
    }

    /// Whether the reason is the recipient's own choice of channel rather than an obstacle.
    fn is_channel_choice(self) -> bool {
        matches!(self, Suppression::ChannelOff | Suppression::ChannelNotOffered)
    }
}

/// Deliver, or why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Deliver,
    Suppressed(Suppression),
}

/// One line of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedDelivery {
    pub recipient: RecipientId,
    pub channel: Channel,
    /// Email address, E.164 number, or the service address for print; `None` without one.
    pub address: Option<String>,
    pub decision: Decision,
}

/// Communications an account can receive at all: peak-day messages need electric service.
pub fn communications_offered(service_points: &[ServicePoint]) -> Vec<Communication> {
    let electric = service_points.iter().any(|point| point.fuel == Fuel::Electric);
    Communication::ALL
        .into_iter()
        .filter(|c| !c.is_peak_day() || electric)
        .filter(|_| !service_points.is_empty())
        .collect()
}

/// Whether the account passes the utility's rule for `communication`.
pub fn eligibility(
    communication: Communication,
    rules: &EligibilityRules,
    service_points: &[ServicePoint],
) -> Result<(), EligibilityFailure> {
    if !communication.is_peak_day() || rules.peak_day_rate_classes.is_empty() {
        return Ok(());
    }
    let on_rate = service_points.iter().any(|point| {
        point.fuel == Fuel::Electric && rules.peak_day_rate_classes.contains(&point.rate_class)
    });
    if on_rate {
        Ok(())
    } else {
        Err(EligibilityFailure::PeakDayRateClass)
    }
}

impl Audience<'_> {
    /// The plan for `message`: a line per channel of every recipient who selected it, the
    /// primary recipient first.
    pub fn plan(&self, message: Message) -> Vec<PlannedDelivery> {
        let mut plan = Vec::new();
        for (index, recipient) in self.recipients.iter().enumerate() {
            let is_primary = index == 0;
            match message {
                Message::Communication(communication) => {
                    if !recipient.communications.contains(&communication) {
                        continue;
                    }
                    let account_block = self.account_block(communication);
                    for channel in PeakChannels::CHANNELS {
                        let decision = match account_block {
                            Some(reason) => Decision::Suppressed(reason),
                            None if !recipient.peak_channels.get(channel) => {
                                self.channel_block(channel).map_or(
                                    Decision::Suppressed(Suppression::ChannelOff),
                                    Decision::Suppressed,
                                )
                            }
                            None => self.decide(recipient, is_primary, channel),
                        };
                        plan.push(self.line(recipient, is_primary, channel, decision));
                    }
                }
                Message::Activity(activity) => {
                    for channel in recipient.notifications.channels_of(activity) {
                        let decision = self.decide(recipient, is_primary, channel);
                        plan.push(self.line(recipient, is_primary, channel, decision));
                    }
                }
            }
        }
        plan
    }

    /// A reason that stops `communication` for the whole account, whoever the recipient.
    fn account_block(&self, communication: Communication) -> Option<Suppression> {
        if !communications_offered(self.service_points).contains(&communication) {
            return Some(Suppression::ProductNotOffered);
        }
        eligibility(communication, self.rules, self.service_points)
            .err()
            .map(Suppression::NotEligible)
    }

    /// The utility not offering a channel comes before the recipient's choice.
    fn channel_block(&self, channel: Channel) -> Option<Suppression> {
        (!self.channels_offered.contains(&channel)).then_some(Suppression::ChannelNotOffered)
    }

    /// The checks for a channel the recipient chose, in order of who decided: the utility, the
    /// account, the recipient's details, the number's consent, the address's health.
    fn decide(&self, recipient: &Recipient, is_primary: bool, channel: Channel) -> Decision {
        let blocked = self
            .channel_block(channel)
            .or_else(|| self.opt_outs.everything.then_some(Suppression::UnsubscribedFromEverything))
            .or_else(|| self.channel_opted_out(channel).then_some(Suppression::AccountOptOut));
        if let Some(reason) = blocked {
            return Decision::Suppressed(reason);
        }
        let Some(address) = self.address(recipient, is_primary, channel) else {
            return Decision::Suppressed(Suppression::NoContact);
        };
        if channel == Channel::Sms {
            let consent = recipient
                .contact
                .sms
                .as_ref()
                .and_then(|number| self.sms_consent.get(number).copied())
                .unwrap_or(SmsConsent::NotAsked);
            if consent != SmsConsent::OptedIn {
                return Decision::Suppressed(Suppression::SmsNotConfirmed(consent));
            }
        }
        if self.undeliverable.contains(&(channel, address)) {
            return Decision::Suppressed(Suppression::Undeliverable);
        }
        Decision::Deliver
    }

    fn channel_opted_out(&self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.opt_outs.email,
            Channel::Sms => self.opt_outs.sms,
            Channel::Voice => self.opt_outs.voice,
            Channel::Print => false,
        }
    }

    /// Printed notices go to the service address, so only the account holder (the primary
    /// recipient) has one.
    fn address(&self, recipient: &Recipient, is_primary: bool, channel: Channel) -> Option<String> {
        match channel {
            Channel::Print => is_primary.then(|| "service address".to_owned()),
            _ => address_for(&recipient.contact, channel),
        }
    }

    fn line(
        &self,
        recipient: &Recipient,
        is_primary: bool,
        channel: Channel,
        decision: Decision,
    ) -> PlannedDelivery {
        PlannedDelivery {
            recipient: recipient.id,
            channel,
            address: self.address(recipient, is_primary, channel),
            decision,
        }
    }

    /// How a recipient's selection of `communication` stands, for the page.
    pub fn status(&self, recipient: RecipientId, communication: Communication) -> SelectionStatus {
        let lines: Vec<PlannedDelivery> = self
            .plan(Message::Communication(communication))
            .into_iter()
            .filter(|line| line.recipient == recipient)
            .collect();
        summarize(&lines, self.product)
    }
}

/// A recipient's selection of one message, in words the page shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SelectionStatus {
    NotSelected,
    /// Selected, and it goes out on these channels.
    Delivered(Vec<Channel>),
    /// Selected, not delivered: the reason.
    NotDelivered(String),
}

/// One recipient's lines of a plan as a status: delivered on the channels that deliver, or the
/// reason nothing does, preferring an obstacle over the recipient's own channel choice.
pub fn summarize(lines: &[PlannedDelivery], product: Product) -> SelectionStatus {
    if lines.is_empty() {
        return SelectionStatus::NotSelected;
    }
    let delivered: Vec<Channel> = lines
        .iter()
        .filter(|line| line.decision == Decision::Deliver)
        .map(|line| line.channel)
        .collect();
    if !delivered.is_empty() {
        return SelectionStatus::Delivered(delivered);
    }
    let suppressed = lines.iter().filter_map(|line| match line.decision {
        Decision::Suppressed(reason) => Some((reason, line.channel)),
        Decision::Deliver => None,
    });
    let (reason, channel) = suppressed
        .clone()
        .find(|(reason, _)| !reason.is_channel_choice())
        .or_else(|| suppressed.clone().next())
        .unwrap_or((Suppression::ChannelOff, Channel::Email));
    SelectionStatus::NotDelivered(reason.sentence(channel, product).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::BillCycleDay;
    use crate::preferences::NotificationMatrix;
    use crate::recipients::ContactForm;

    fn point(fuel: Fuel, rate: &str) -> ServicePoint {
        ServicePoint {
            number: "SP-1".into(),
            fuel,
            rate_class: rate.into(),
            ami: true,
            bill_cycle_day: BillCycleDay::new(3).unwrap(),
        }
    }

    fn recipient(id: i64, email: &str, sms: &str) -> Recipient {
        let form = ContactForm {
            name: format!("R{id}"),
            email: email.into(),
            sms: sms.into(),
            voice: "".into(),
        };
        Recipient {
            id: RecipientId(id),
            contact: form.parse().unwrap(),
            peak_channels: PeakChannels {
                email: !email.is_empty(),
                sms: !sms.is_empty(),
                voice: false,
            },
            communications: [Communication::PeakDayAlert].into(),
            notifications: NotificationMatrix::default(),
        }
    }

    struct Fixture {
        rules: EligibilityRules,
        points: Vec<ServicePoint>,
        recipients: Recipients<Recipient>,
        opt_outs: AccountOptOuts,
        consent: BTreeMap<PhoneNumber, SmsConsent>,
        undeliverable: BTreeSet<(Channel, String)>,
        channels: Vec<Channel>,
    }

    impl Fixture {
        /// An eligible electric PTR account whose primary gets the peak day alert by email.
        fn new() -> Self {
            Self {
                rules: EligibilityRules { peak_day_rate_classes: vec!["R-PTR".into()] },
                points: vec![point(Fuel::Electric, "R-PTR")],
                recipients: Recipients {
                    primary: recipient(1, "jo@example.com", ""),
                    additional: vec![],
                },
                opt_outs: AccountOptOuts::default(),
                consent: BTreeMap::new(),
                undeliverable: BTreeSet::new(),
                channels: Channel::ALL.to_vec(),
            }
        }

        fn audience(&self) -> Audience<'_> {
            Audience {
                product: Product::PeakTimeRebates,
                channels_offered: &self.channels,
                rules: &self.rules,
                service_points: &self.points,
                recipients: &self.recipients,
                opt_outs: self.opt_outs,
                sms_consent: &self.consent,
                undeliverable: &self.undeliverable,
            }
        }

        fn decision(&self, channel: Channel) -> Decision {
            self.audience()
                .plan(Message::Communication(Communication::PeakDayAlert))
                .into_iter()
                .find(|line| line.channel == channel)
                .expect("a line per channel")
                .decision
        }

        fn status(&self) -> SelectionStatus {
            self.audience().status(RecipientId(1), Communication::PeakDayAlert)
        }
    }

    fn suppressed(reason: Suppression) -> Decision {
        Decision::Suppressed(reason)
    }

    #[test]
    fn an_eligible_recipient_with_email_on_gets_the_alert_by_email() {
        let f = Fixture::new();
        assert_eq!(f.decision(Channel::Email), Decision::Deliver);
        assert_eq!(f.decision(Channel::Sms), suppressed(Suppression::ChannelOff));
        assert_eq!(f.status(), SelectionStatus::Delivered(vec![Channel::Email]));
        let line = &f.audience().plan(Message::Communication(Communication::PeakDayAlert))[0];
        assert_eq!(line.address.as_deref(), Some("jo@example.com"));
    }

    #[test]
    fn a_communication_not_selected_has_no_plan() {
        let mut f = Fixture::new();
        f.recipients.primary.communications.clear();
        assert!(f.audience().plan(Message::Communication(Communication::PeakDayAlert)).is_empty());
        assert_eq!(f.status(), SelectionStatus::NotSelected);
    }

    #[test]
    fn peak_day_messages_need_electric_service() {
        let mut f = Fixture::new();
        f.points = vec![point(Fuel::Gas, "G-1")];
        assert_eq!(f.decision(Channel::Email), suppressed(Suppression::ProductNotOffered));
        assert_eq!(communications_offered(&f.points), vec![Communication::HighBillAlert]);
    }

    #[test]
    fn an_account_off_the_rebate_rate_is_not_eligible_and_says_so() {
        let mut f = Fixture::new();
        f.points = vec![point(Fuel::Electric, "R-1")];
        assert_eq!(
            f.decision(Channel::Email),
            suppressed(Suppression::NotEligible(EligibilityFailure::PeakDayRateClass))
        );
        assert_eq!(
            f.status(),
            SelectionStatus::NotDelivered("not on a peak time rebate rate".into())
        );
    }

    #[test]
    fn no_rate_classes_configured_means_every_rate_is_eligible() {
        let mut f = Fixture::new();
        f.rules.peak_day_rate_classes.clear();
        f.points = vec![point(Fuel::Electric, "R-1")];
        assert_eq!(f.decision(Channel::Email), Decision::Deliver);
    }

    #[test]
    fn a_channel_the_utility_does_not_offer_is_suppressed() {
        let mut f = Fixture::new();
        f.channels = vec![Channel::Sms, Channel::Voice, Channel::Print];
        assert_eq!(f.decision(Channel::Email), suppressed(Suppression::ChannelNotOffered));
    }

    #[test]
    fn every_channel_off_reads_as_no_channel_on() {
        let mut f = Fixture::new();
        f.recipients.primary.peak_channels = PeakChannels::default();
        assert_eq!(f.decision(Channel::Email), suppressed(Suppression::ChannelOff));
        assert_eq!(
            f.status(),
            SelectionStatus::NotDelivered("no alert channel is on for this recipient".into())
        );
    }

    #[test]
    fn an_account_wide_email_stop_suppresses_email() {
        let mut f = Fixture::new();
        f.opt_outs.email = true;
        assert_eq!(f.decision(Channel::Email), suppressed(Suppression::AccountOptOut));
        assert_eq!(
            f.status(),
            SelectionStatus::NotDelivered("all email is stopped for this account".into())
        );
    }

    #[test]
    fn unsubscribe_from_everything_wins_over_channel_stops() {
        let mut f = Fixture::new();
        f.opt_outs = AccountOptOuts { email: true, everything: true, ..Default::default() };
        assert_eq!(f.decision(Channel::Email), suppressed(Suppression::UnsubscribedFromEverything));
    }

    #[test]
    fn sms_goes_out_only_to_a_confirmed_number() {
        let mut f = Fixture::new();
        f.recipients.primary = recipient(1, "", "555-234-5678");
        let number = PhoneNumber::parse("5552345678").unwrap();
        assert_eq!(
            f.decision(Channel::Sms),
            suppressed(Suppression::SmsNotConfirmed(SmsConsent::NotAsked))
        );
        f.consent.insert(number.clone(), SmsConsent::Pending);
        assert_eq!(
            f.decision(Channel::Sms),
            suppressed(Suppression::SmsNotConfirmed(SmsConsent::Pending))
        );
        assert_eq!(
            f.status(),
            SelectionStatus::NotDelivered(
                "SMS not confirmed: the number has not replied YES yet".into()
            )
        );
        f.consent.insert(number.clone(), SmsConsent::OptedOut);
        assert_eq!(
            f.status(),
            SelectionStatus::NotDelivered("this mobile number replied STOP".into())
        );
        f.consent.insert(number, SmsConsent::OptedIn);
        assert_eq!(f.decision(Channel::Sms), Decision::Deliver);
    }

    #[test]
    fn a_stop_from_a_number_stops_every_recipient_who_uses_it() {
        // "An SMS opt-out applies to every SMS communication of every recipient
        // with that number."
        let mut f = Fixture::new();
        f.recipients.primary = recipient(1, "", "555-234-5678");
        f.recipients.additional.push(recipient(2, "", "(555) 234 5678"));
        f.consent.insert(PhoneNumber::parse("5552345678").unwrap(), SmsConsent::OptedOut);
        let plan = f.audience().plan(Message::Communication(Communication::PeakDayAlert));
        let sms: Vec<(i64, Decision)> = plan
            .iter()
            .filter(|line| line.channel == Channel::Sms)
            .map(|line| (line.recipient.0, line.decision))
            .collect();
        let stopped = suppressed(Suppression::SmsNotConfirmed(SmsConsent::OptedOut));
        assert_eq!(sms, vec![(1, stopped), (2, stopped)]);
    }

    #[test]
    fn a_channel_on_without_its_contact_is_suppressed_for_no_contact() {
        let mut f = Fixture::new();
        f.recipients.primary.peak_channels.voice = true;
        assert_eq!(f.decision(Channel::Voice), suppressed(Suppression::NoContact));
        assert_eq!(
            Suppression::NoContact.sentence(Channel::Email, Product::PeakTimeRebates),
            "no email address"
        );
    }

    #[test]
    fn an_undeliverable_address_is_suppressed() {
        let mut f = Fixture::new();
        f.undeliverable.insert((Channel::Email, "jo@example.com".into()));
        assert_eq!(f.decision(Channel::Email), suppressed(Suppression::Undeliverable));
        assert_eq!(f.status(), SelectionStatus::NotDelivered("the email address bounced".into()));
    }

    #[test]
    fn an_obstacle_is_named_before_a_channel_left_off() {
        // Email off, SMS on but unconfirmed: the page should talk about the SMS confirmation.
        let mut f = Fixture::new();
        f.recipients.primary = recipient(1, "jo@example.com", "555-234-5678");
        f.recipients.primary.peak_channels = PeakChannels { email: false, sms: true, voice: false };
        assert_eq!(
            f.status(),
            SelectionStatus::NotDelivered(
                "SMS not confirmed: the number has not replied YES yet".into()
            )
        );
    }

    #[test]
    fn behavioral_demand_response_wording_names_its_own_program() {
        let reason = Suppression::NotEligible(EligibilityFailure::PeakDayRateClass);
        assert_eq!(
            reason.sentence(Channel::Email, Product::BehavioralDemandResponse),
            "not on a rate in the peak day program"
        );
    }

    #[test]
    fn account_notifications_follow_each_recipients_matrix() {
        let mut f = Fixture::new();
        let mut extra = recipient(2, "sam@example.com", "");
        extra.notifications.cells.insert((Activity::Statements, Channel::Email));
        extra.notifications.cells.insert((Activity::Statements, Channel::Print));
        f.recipients.additional.push(extra);
        f.recipients.primary.notifications.cells.insert((Activity::Statements, Channel::Print));
        let plan = f.audience().plan(Message::Activity(Activity::Statements));
        let decisions: Vec<(i64, Channel, Decision)> =
            plan.iter().map(|l| (l.recipient.0, l.channel, l.decision)).collect();
        assert_eq!(
            decisions,
            vec![
                (1, Channel::Print, Decision::Deliver),
                (2, Channel::Email, Decision::Deliver),
                (2, Channel::Print, suppressed(Suppression::NoContact)),
            ]
        );
        assert!(f.audience().plan(Message::Activity(Activity::Delinquency)).is_empty());
    }
}
