//! The one shape of every change in the product: a feature's state, read inside the write
//! transaction, and a requested change go into a pure `apply`; out comes an [`Outcome`] (what to
//! store, as the feature's effects; what to audit; what to tell the person) or a
//! [`ChangeError`]. The server's executor for the feature stores the effects and the audit
//! records and commits them together. Every rule lives in `apply`, unit tested without a
//! database.

use crate::error::{AppError, FieldErrors};
use std::collections::BTreeMap;

/// One record of the audit log, as every feature writes it: a dotted action
/// (`recipient.added`, `enrollment.created`, `staff.role_changed`), a sentence, and the fields
/// before and after (absent when there was nothing before, or nothing after).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub action: &'static str,
    pub summary: String,
    pub before: Option<BTreeMap<String, String>>,
    pub after: Option<BTreeMap<String, String>>,
}

impl AuditRecord {
    pub fn new(action: &'static str, summary: impl Into<String>) -> Self {
        debug_assert!(action.contains('.') && !action.contains(char::is_uppercase));
        Self { action, summary: summary.into(), before: None, after: None }
    }

    pub fn before(mut self, fields: &[(&str, &str)]) -> Self {
        self.before = Some(field_map(fields));
        self
    }

    pub fn after(mut self, fields: &[(&str, &str)]) -> Self {
        self.after = Some(field_map(fields));
        self
    }
}

fn field_map(fields: &[(&str, &str)]) -> BTreeMap<String, String> {
    fields.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect()
}

/// An accepted change: the feature's effects in the order to store them, its audit records,
/// and what was saved, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome<E> {
    pub effects: Vec<E>,
    pub audit: Vec<AuditRecord>,
    pub message: String,
}

impl<E> Outcome<E> {
    pub fn new(message: impl Into<String>) -> Self {
        Self { effects: Vec::new(), audit: Vec::new(), message: message.into() }
    }

    pub fn effect(mut self, effect: E) -> Self {
        self.effects.push(effect);
        self
    }

    pub fn audit(mut self, record: AuditRecord) -> Self {
        self.audit.push(record);
        self
    }
}

/// Why a change is refused. Nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeError {
    /// What the change names is not this account's (or no longer exists).
    NotFound,
    /// A rule refused it; the text says why and what to do.
    Rule(String),
    /// Refusals about fields of the form, shown beside each.
    Fields(FieldErrors),
}

impl ChangeError {
    pub fn rule(message: impl Into<String>) -> Self {
        ChangeError::Rule(message.into())
    }

    /// A refusal about one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut fields = FieldErrors::default();
        fields.add(field, message);
        ChangeError::Fields(fields)
    }
}

impl From<ChangeError> for AppError {
    fn from(error: ChangeError) -> Self {
        match error {
            ChangeError::NotFound => AppError::NotFound,
            ChangeError::Rule(message) => AppError::Invalid(message),
            ChangeError::Fields(fields) => AppError::InvalidFields(fields),
        }
    }
}
