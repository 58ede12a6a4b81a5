use serde::{Deserialize, Serialize};

/// The peak-day product a utility offers: one or the other, never both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Product {
    #[serde(rename = "PTR")]
    PeakTimeRebates,
    #[serde(rename = "BDR")]
    BehavioralDemandResponse,
}

impl Product {
    pub fn as_str(self) -> &'static str {
        match self {
            Product::PeakTimeRebates => "PTR",
            Product::BehavioralDemandResponse => "BDR",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "PTR" => Some(Product::PeakTimeRebates),
            "BDR" => Some(Product::BehavioralDemandResponse),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Product::PeakTimeRebates => "Peak Time Rebates",
            Product::BehavioralDemandResponse => "Behavioral Demand Response",
        }
    }
}

/// A way of reaching a customer. Print exists but customers cannot control it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Sms,
    Voice,
    Print,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Email, Channel::Sms, Channel::Voice, Channel::Print];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Voice => "voice",
            Channel::Print => "print",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|channel| channel.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Email => "Email",
            Channel::Sms => "Text (SMS)",
            Channel::Voice => "Voice call",
            Channel::Print => "Mail",
        }
    }

    /// The channel as the object of "by ...": "by email", "by text message".
    pub fn noun(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "text message",
            Channel::Voice => "voice call",
            Channel::Print => "mail",
        }
    }
}

/// The utility's eligibility configuration for communications ("eligibility rules are the
/// utility's configuration"). Stored as JSON; later capabilities add fields with defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityRules {
    /// Rate classes whose customers may receive peak-day communications; empty means every class.
    #[serde(default)]
    pub peak_day_rate_classes: Vec<String>,
}

/// The utility's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UtilitySettings {
    pub name: String,
    /// IANA zone name; delivery windows are computed in it.
    pub time_zone: String,
    pub product: Product,
    pub channels: Vec<Channel>,
    pub eligibility: EligibilityRules,
}

/// What staff homes show about the utility: its settings and the size of its book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UtilityOverview {
    pub settings: UtilitySettings,
    pub account_count: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_and_channel_round_trip_through_stored_names() {
        for product in [Product::PeakTimeRebates, Product::BehavioralDemandResponse] {
            assert_eq!(Product::parse(product.as_str()), Some(product));
        }
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
        }
        assert_eq!(Product::parse("both"), None);
    }

    #[test]
    fn eligibility_rules_missing_fields_default() {
        let rules: EligibilityRules = serde_json::from_str("{}").unwrap();
        assert!(rules.peak_day_rate_classes.is_empty());
    }
}
