use crate::recipients::ContactDetails;
use crate::utility::{Channel, Product};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A communication a recipient can choose to receive . The peak-day ones read per the utility's product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Communication {
    PeakDayAlert,
    PeakDayResults,
    HighBillAlert,
}

impl Communication {
    pub const ALL: [Communication; 3] =
        [Communication::PeakDayAlert, Communication::PeakDayResults, Communication::HighBillAlert];

    pub fn as_str(self) -> &'static str {
        match self {
            Communication::PeakDayAlert => "peak_day_alert",
            Communication::PeakDayResults => "peak_day_results",
            Communication::HighBillAlert => "high_bill_alert",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == value)
    }

    /// Whether this is a peak-day communication of the utility's product (PTR or BDR).
    pub fn is_peak_day(self) -> bool {
        matches!(self, Communication::PeakDayAlert | Communication::PeakDayResults)
    }

    /// The name a customer reads, in the wording of the utility's product.
    pub fn label(self, product: Product) -> &'static str {
        use Product::*;
        match (self, product) {
            (Communication::PeakDayAlert, PeakTimeRebates) => "Peak Time Rebate day alert",
            (Communication::PeakDayAlert, BehavioralDemandResponse) => "Peak day alert",
            (Communication::PeakDayResults, PeakTimeRebates) => "Peak Time Rebate results",
            (Communication::PeakDayResults, BehavioralDemandResponse) => "Peak day results",
            (Communication::HighBillAlert, _) => "High bill alert",
        }
    }

    /// One line on what the message is and when it comes.
    pub fn description(self, product: Product) -> &'static str {
        use Product::*;
        match (self, product) {
            (Communication::PeakDayAlert, PeakTimeRebates) => {
                "The day before a peak time rebate day: use less from the peak hours and earn a credit."
            }
            (Communication::PeakDayAlert, BehavioralDemandResponse) => {
                "The day before a peak day: when demand peaks and how to help by using less."
            }
            (Communication::PeakDayResults, PeakTimeRebates) => {
                "After each peak time rebate day: how much you saved and the credit you earned."
            }
            (Communication::PeakDayResults, BehavioralDemandResponse) => {
                "After each peak day: how your use compared with similar homes."
            }
            (Communication::HighBillAlert, _) => {
                "When your bill is on track to be well above the usual, while there is time to act."
            }
        }
    }
}

/// The set of communications a recipient chose.
pub type Communications = BTreeSet<Communication>;

/// Seed 000 "Peak pricing alerts": the channels a recipient's alerts go out on. Print exists but
/// customers cannot control it, so it is not here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PeakChannels {
    pub email: bool,
    pub sms: bool,
    pub voice: bool,
}

impl PeakChannels {
    /// The channels a customer controls, in the order the page shows them.
    pub const CHANNELS: [Channel; 3] = [Channel::Email, Channel::Sms, Channel::Voice];

    pub fn get(self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.email,
            Channel::Sms => self.sms,
            Channel::Voice => self.voice,
            Channel::Print => false,
        }
    }

    pub fn set(&mut self, channel: Channel, on: bool) {
        match channel {
            Channel::Email => self.email = on,
            Channel::Sms => self.sms = on,
            Channel::Voice => self.voice = on,
            Channel::Print => {}
        }
    }

    pub fn on(self) -> impl Iterator<Item = Channel> {
        Self::CHANNELS.into_iter().filter(move |c| self.get(*c))
    }
}

/// The address a recipient's contact details give for a channel; `None` when there is none.
/// Print goes to the account's service address, which only the account holder has.
pub fn address_for(contact: &ContactDetails, channel: Channel) -> Option<String> {
    match channel {
        Channel::Email => contact.email.as_ref().map(|e| e.as_str().to_owned()),
        Channel::Sms => contact.sms.as_ref().map(|p| p.as_e164().to_owned()),
        Channel::Voice => contact.voice.as_ref().map(|p| p.as_e164().to_owned()),
        Channel::Print => None,
    }
}

/// Account-wide stops ("Stop all email", "Stop all texts", "Stop all calls", "Unsubscribe from
/// everything"). Each is reversible, and undoing "everything" brings back the channel stops as
/// they were: it is its own flag, not a rewrite of the other three.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AccountOptOuts {
    pub email: bool,
    pub sms: bool,
    pub voice: bool,
    pub everything: bool,
}

/// What an account-wide stop applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptOutScope {
    Channel(Channel),
    Everything,
}

impl OptOutScope {
    pub const ALL: [OptOutScope; 4] = [
        OptOutScope::Channel(Channel::Email),
        OptOutScope::Channel(Channel::Sms),
        OptOutScope::Channel(Channel::Voice),
        OptOutScope::Everything,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OptOutScope::Channel(channel) => channel.as_str(),
            OptOutScope::Everything => "everything",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == value)
    }

    /// The button that stops it.
    pub fn stop_label(self) -> &'static str {
        match self {
            OptOutScope::Channel(Channel::Email) => "Stop all email",
            OptOutScope::Channel(Channel::Sms) => "Stop all texts",
            OptOutScope::Channel(Channel::Voice) => "Stop all calls",
            OptOutScope::Channel(Channel::Print) => "Stop all mail",
            OptOutScope::Everything => "Unsubscribe from everything",
        }
    }

    /// The button that undoes it.
    pub fn resume_label(self) -> &'static str {
        match self {
            OptOutScope::Channel(Channel::Email) => "Resume email",
            OptOutScope::Channel(Channel::Sms) => "Resume texts",
            OptOutScope::Channel(Channel::Voice) => "Resume calls",
            OptOutScope::Channel(Channel::Print) => "Resume mail",
            OptOutScope::Everything => "Resubscribe",
        }
    }

    /// The state in words, for the page and the confirmation.
    pub fn stopped_sentence(self) -> &'static str {
        match self {
            OptOutScope::Channel(Channel::Email) => "All email from us is stopped for this account.",
            OptOutScope::Channel(Channel::Sms) => "All texts from us are stopped for this account.",
            OptOutScope::Channel(Channel::Voice) => "All calls from us are stopped for this account.",
            OptOutScope::Channel(Channel::Print) => "All mail from us is stopped for this account.",
            OptOutScope::Everything => {
                "This account is unsubscribed from every alert and notification by email, text and call."
            }
        }
    }

    pub fn resumed_sentence(self) -> &'static str {
        match self {
            OptOutScope::Channel(Channel::Email) => "Email is on again for this account.",
            OptOutScope::Channel(Channel::Sms) => "Texts are on again for this account.",
            OptOutScope::Channel(Channel::Voice) => "Calls are on again for this account.",
            OptOutScope::Channel(Channel::Print) => "Mail is on again for this account.",
            OptOutScope::Everything => {
                "This account is subscribed again: each recipient gets what they chose."
            }
        }
    }
}

impl AccountOptOuts {
    pub fn get(self, scope: OptOutScope) -> bool {
        match scope {
            OptOutScope::Channel(Channel::Email) => self.email,
            OptOutScope::Channel(Channel::Sms) => self.sms,
            OptOutScope::Channel(Channel::Voice) => self.voice,
            OptOutScope::Channel(Channel::Print) => false,
            OptOutScope::Everything => self.everything,
        }
    }

    pub fn set(&mut self, scope: OptOutScope, stopped: bool) {
        match scope {
            OptOutScope::Channel(Channel::Email) => self.email = stopped,
            OptOutScope::Channel(Channel::Sms) => self.sms = stopped,
            OptOutScope::Channel(Channel::Voice) => self.voice = stopped,
            OptOutScope::Channel(Channel::Print) => {}
            OptOutScope::Everything => self.everything = stopped,
        }
    }
}

/// SMS consent belongs to an account and a phone number, not a recipient: a YES confirms the
/// number for the accounts that asked it (another account's confirmation says nothing of this
/// one), and a STOP from the number ends it for every account. No record means "not asked".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsConsent {
    NotAsked,
    /// A confirmation text is queued or sent; nothing else goes out until the reply.
    Pending,
    OptedIn,
    /// The number texted STOP (or was opted out for the customer).
    OptedOut,
}

impl SmsConsent {
    pub fn as_str(self) -> &'static str {
        match self {
            SmsConsent::NotAsked => "not_asked",
            SmsConsent::Pending => "pending",
            SmsConsent::OptedIn => "opted_in",
            SmsConsent::OptedOut => "opted_out",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [SmsConsent::NotAsked, SmsConsent::Pending, SmsConsent::OptedIn, SmsConsent::OptedOut]
            .into_iter()
            .find(|consent| consent.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            SmsConsent::NotAsked => "Texts not set up",
            SmsConsent::Pending => "Waiting for confirmation: reply YES to the text we sent",
            SmsConsent::OptedIn => "Texts confirmed",
            SmsConsent::OptedOut => "Texts stopped from this phone (it replied STOP)",
        }
    }
}

/// Seed 003's communication activities: account events a recipient can be told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    Statements,
    Delinquency,
    PaymentReceived,
    AutoPay,
    ReturnedPayment,
    HighUsage,
}

impl Activity {
    pub const ALL: [Activity; 6] = [
        Activity::Statements,
        Activity::Delinquency,
        Activity::PaymentReceived,
        Activity::AutoPay,
        Activity::ReturnedPayment,
        Activity::HighUsage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Activity::Statements => "statements",
            Activity::Delinquency => "delinquency",
            Activity::PaymentReceived => "payment_received",
            Activity::AutoPay => "autopay",
            Activity::ReturnedPayment => "returned_payment",
            Activity::HighUsage => "high_usage",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Activity::Statements => "Statements",
            Activity::Delinquency => "Delinquency",
            Activity::PaymentReceived => "Payment received",
            Activity::AutoPay => "AutoPay notices",
            Activity::ReturnedPayment => "Returned payment (NSF)",
            Activity::HighUsage => "High usage",
        }
    }

    /// Seed 003's descriptions.
    pub fn description(self) -> &'static str {
        match self {
            Activity::Statements => "When a statement has been calculated and posted.",
            Activity::Delinquency => "When a payment is past due.",
            Activity::PaymentReceived => "When we receive a payment.",
            Activity::AutoPay => "When an automatic payment has been processed.",
            Activity::ReturnedPayment => "When a payment is returned unpaid (NSF).",
            Activity::HighUsage => "When usage this billing period goes over the amount you set.",
        }
    }
}

/// Seed 003: the account holder and each contact have their own matrix of activity by channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NotificationMatrix {
    /// An empty matrix is stored as `{}`.
    #[serde(default)]
    pub cells: BTreeSet<(Activity, Channel)>,
    /// The "set amount" of the high usage notification, in kWh per billing period.
    #[serde(default)]
    pub high_usage_kwh: Option<u32>,
}

impl NotificationMatrix {
    /// The matrix's channels in the order of the matrix's table.
    pub const CHANNELS: [Channel; 4] =
        [Channel::Email, Channel::Voice, Channel::Sms, Channel::Print];
    /// The range a high usage threshold may take.
    pub const HIGH_USAGE_KWH: std::ops::RangeInclusive<u32> = 1..=100_000;

    pub fn get(&self, activity: Activity, channel: Channel) -> bool {
        self.cells.contains(&(activity, channel))
    }

    /// The channels `activity` goes out on.
    pub fn channels_of(&self, activity: Activity) -> impl Iterator<Item = Channel> + '_ {
        Self::CHANNELS.into_iter().filter(move |channel| self.get(activity, *channel))
    }

    /// Parses the threshold field: blank is none; otherwise a whole number of kWh in range.
    pub fn parse_threshold(text: &str) -> Result<Option<u32>, String> {
        let text = text.trim().replace(',', "");
        if text.is_empty() {
            return Ok(None);
        }
        match text.parse::<u32>() {
            Ok(kwh) if Self::HIGH_USAGE_KWH.contains(&kwh) => Ok(Some(kwh)),
            _ => Err("Enter the high usage amount as a whole number of kWh, from 1 to 100,000."
                .to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_day_communications_read_in_the_utilitys_product_wording() {
        let ptr = Product::PeakTimeRebates;
        let bdr = Product::BehavioralDemandResponse;
        assert_eq!(Communication::PeakDayAlert.label(ptr), "Peak Time Rebate day alert");
        assert_eq!(Communication::PeakDayAlert.label(bdr), "Peak day alert");
        // The other product's options never appear: no BDR label mentions rebates.
        for communication in Communication::ALL {
            assert!(!communication.label(bdr).contains("Rebate"));
            assert!(!communication.description(bdr).contains("rebate"));
        }
        assert_eq!(
            Communication::HighBillAlert.label(ptr),
            Communication::HighBillAlert.label(bdr)
        );
    }

    #[test]
    fn undoing_unsubscribe_all_is_its_own_flag() {
        let mut opt_outs = AccountOptOuts { sms: true, ..Default::default() };
        opt_outs.set(OptOutScope::Everything, true);
        opt_outs.set(OptOutScope::Everything, false);
        assert_eq!(opt_outs, AccountOptOuts { sms: true, ..Default::default() });
    }

    #[test]
    fn high_usage_thresholds_are_whole_kwh_in_range() {
        assert_eq!(NotificationMatrix::parse_threshold(" "), Ok(None));
        assert_eq!(NotificationMatrix::parse_threshold("1,200"), Ok(Some(1200)));
        assert!(NotificationMatrix::parse_threshold("0").is_err());
        assert!(NotificationMatrix::parse_threshold("100001").is_err());
        assert!(NotificationMatrix::parse_threshold("12.5").is_err());
    }

    #[test]
    fn stored_names_round_trip() {
        for communication in Communication::ALL {
            assert_eq!(Communication::parse(communication.as_str()), Some(communication));
        }
        for activity in Activity::ALL {
            assert_eq!(Activity::parse(activity.as_str()), Some(activity));
        }
        for scope in OptOutScope::ALL {
            assert_eq!(OptOutScope::parse(scope.as_str()), Some(scope));
        }
        for consent in
            [SmsConsent::NotAsked, SmsConsent::Pending, SmsConsent::OptedIn, SmsConsent::OptedOut]
        {
            assert_eq!(SmsConsent::parse(consent.as_str()), Some(consent));
        }
    }
}
