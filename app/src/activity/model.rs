use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a change arrived (portal, agent, SMS keyword, email link, import, API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeSource {
    Portal,
    Agent,
    Sms,
    Email,
    Import,
    Api,
    System,
}

impl ChangeSource {
    pub const ALL: [ChangeSource; 7] = [
        ChangeSource::Portal,
        ChangeSource::Agent,
        ChangeSource::Sms,
        ChangeSource::Email,
        ChangeSource::Import,
        ChangeSource::Api,
        ChangeSource::System,
    ];

    /// The value stored in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeSource::Portal => "portal",
            ChangeSource::Agent => "agent",
            ChangeSource::Sms => "sms",
            ChangeSource::Email => "email",
            ChangeSource::Import => "import",
            ChangeSource::Api => "api",
            ChangeSource::System => "system",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|source| source.as_str() == value)
    }

    /// "By ..." on a customer's Activity page.
    pub fn by_label(self) -> &'static str {
        match self {
            ChangeSource::Portal => "you",
            ChangeSource::Agent => "customer service",
            ChangeSource::Sms => "text message",
            ChangeSource::Email => "email link",
            ChangeSource::Import => "import",
            ChangeSource::Api => "utility system",
            ChangeSource::System => "Peakday",
        }
    }
}

/// Who makes a change and how: recorded with it in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The signed-in user; `None` for changes from outside (an SMS keyword, an import).
    pub user_id: Option<crate::auth::UserId>,
    pub source: ChangeSource,
}

/// One field of a change: its value before and after (`None` where it did not exist).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One line of an account's Activity page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    /// When, in the utility's time zone, as people read it ("Nov 23, 2026, 9:41 AM EST").
    pub when: String,
    /// The same instant in RFC 3339 UTC, for `<time datetime>`.
    pub when_utc: String,
    pub source: ChangeSource,
    /// The staff member who made it, by name: shown to customer service only. A customer
    /// reads "by customer service".
    pub staff_member: Option<String>,
    pub summary: String,
    pub changes: Vec<FieldChange>,
}

/// An account's Activity page: its changes and, for customer service, its sign-ins and other
/// records that change nothing (sign-outs, a password changed). Each list is newest first and
/// has its own length, so a run of sign-ins never pushes a change out of sight.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AccountActivity {
    pub changes: Vec<ActivityEntry>,
    /// Empty for the customer, who sees only changes.
    pub sign_ins: Vec<ActivityEntry>,
}

impl AccountActivity {
    /// The most changes shown, newest first.
    pub const CHANGES_SHOWN: usize = 200;
    /// The most sign-in records shown to customer service, newest first.
    pub const SIGN_INS_SHOWN: usize = 20;
}

impl ActivityEntry {
    /// Who made the change, for the person reading: the customer reads "by you" and "by
    /// customer service"; customer service reads "by the customer" and "by customer service
    /// (Alex Agent)".
    pub fn by_line(&self, for_staff: bool) -> String {
        match (&self.staff_member, self.source) {
            (Some(name), source) => format!("by {} ({name})", source.by_label()),
            (None, ChangeSource::Portal) if for_staff => "by the customer".to_owned(),
            (None, source) => format!("by {}", source.by_label()),
        }
    }
}

/// The fields that differ between before and after; every field when one side is missing
/// (something added or removed).
pub fn field_changes(
    before: Option<&BTreeMap<String, String>>,
    after: Option<&BTreeMap<String, String>>,
) -> Vec<FieldChange> {
    let empty = BTreeMap::new();
    let (b, a) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
    let mut fields: Vec<&String> = b.keys().chain(a.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|field| b.get(*field) != a.get(*field))
        .map(|field| FieldChange {
            field: field.clone(),
            before: b.get(field).cloned(),
            after: a.get(field).cloned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn only_fields_that_differ_are_listed() {
        let before = map(&[("Name", "Sam"), ("Email", "none")]);
        let after = map(&[("Name", "Sam"), ("Email", "sam@example.com")]);
        let changes = field_changes(Some(&before), Some(&after));
        assert_eq!(
            changes,
            vec![FieldChange {
                field: "Email".into(),
                before: Some("none".into()),
                after: Some("sam@example.com".into())
            }]
        );
    }

    #[test]
    fn an_addition_lists_every_field_with_no_before() {
        let after = map(&[("Name", "Sam"), ("Email", "sam@example.com")]);
        let changes = field_changes(None, Some(&after));
        assert_eq!(changes.len(), 2);
        assert!(changes.iter().all(|change| change.before.is_none()));
    }

    #[test]
    fn each_reader_is_told_who_made_a_change_in_their_own_terms() {
        let entry = |source, staff_member: Option<&str>| ActivityEntry {
            when: String::new(),
            when_utc: String::new(),
            source,
            staff_member: staff_member.map(str::to_owned),
            summary: String::new(),
            changes: Vec::new(),
        };
        assert_eq!(entry(ChangeSource::Portal, None).by_line(false), "by you");
        assert_eq!(entry(ChangeSource::Portal, None).by_line(true), "by the customer");
        assert_eq!(entry(ChangeSource::Agent, None).by_line(false), "by customer service");
        assert_eq!(
            entry(ChangeSource::Agent, Some("Alex Agent")).by_line(true),
            "by customer service (Alex Agent)"
        );
    }

    #[test]
    fn sources_round_trip_through_stored_names() {
        for source in ChangeSource::ALL {
            assert_eq!(ChangeSource::parse(source.as_str()), Some(source));
        }
        assert_eq!(ChangeSource::parse("telepathy"), None);
    }
}
