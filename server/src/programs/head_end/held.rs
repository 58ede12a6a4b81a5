//! Administrators' view of sync messages set aside after too many failed attempts
//! (`delivery::MAX_ATTEMPTS`): send one again once the cause is fixed, or discard it so the
//! account's later messages can go. Each decision is audited.

use crate::store::audit;
use crate::store::audit_entry;
use crate::store::outbox;
use crate::store::{local_time, Store, StoreError};
use peakday_app::activity::{Actor, ChangeSource};
use peakday_app::auth::UserId;
use peakday_app::change::AuditRecord;
use peakday_app::error::AppError;
use peakday_app::shell::Saved;
use peakday_app::staff::{HeldMessage, OutboxOperations};

/// [`OutboxOperations`] over the store.
#[derive(Clone)]
pub struct HeldMessages {
    store: Store,
}

impl HeldMessages {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

#[async_trait::async_trait]
impl OutboxOperations for HeldMessages {
    async fn held_messages(&self) -> Result<Vec<HeldMessage>, AppError> {
        let zone = self.store.utility_zone(&mut *self.store.read().await?).await?;
        Ok(outbox::dead_messages(&mut *self.store.read().await?)
            .await?
            .into_iter()
            .map(|message| HeldMessage {
                id: message.id,
                kind: message.kind,
                account: message.ordering_key,
                attempts: message.attempts,
                last_error: message.last_error.unwrap_or_default(),
                queued: local_time(&zone, message.created_at),
                set_aside: local_time(&zone, message.dead_at),
            })
            .collect())
    }

    async fn release(&self, admin: UserId, message: i64, discard: bool) -> Result<Saved, AppError> {
        let now = crate::store::now();
        let mut tx = self.store.begin_write().await?;
        if !outbox::revive_or_discard(&mut tx, message, discard, now).await? {
            return Err(AppError::NotFound);
        }
        let (action, summary) = if discard {
            ("outbox.discarded", format!("Discarded head-end message {message}"))
        } else {
            ("outbox.resent", format!("Sent head-end message {message} again"))
        };
        let actor = Actor { user_id: Some(admin), source: ChangeSource::Agent };
        let entry = audit_entry(actor, None, &AuditRecord::new(action, summary));
        audit::append_audit(&mut tx, &entry).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Saved::new(if discard {
            "Discarded: the account's later messages can go now."
        } else {
            "It goes again at once; if it fails again it waits out its retries as before."
        }))
    }
}
