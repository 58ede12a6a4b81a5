//! The one way a service writes an audit record: the shared [`AuditRecord`] of a change, by
//! whom and through what, about which account (none for staff and program changes).

use crate::store::AuditEntry;
use peakday_app::accounts::AccountId;
use peakday_app::activity::Actor;
use peakday_app::change::AuditRecord;
use std::collections::BTreeMap;

/// The stored form of `record`: before and after as JSON objects of field → value.
pub fn audit_entry(actor: Actor, account: Option<AccountId>, record: &AuditRecord) -> AuditEntry {
    let json = |map: &Option<BTreeMap<String, String>>| {
        map.as_ref().map(|map| serde_json::to_string(map).unwrap_or_default())
    };
    AuditEntry {
        actor_user_id: actor.user_id,
        account,
        source: actor.source,
        action: record.action.to_owned(),
        summary: record.summary.clone(),
        before: json(&record.before),
        after: json(&record.after),
    }
}
