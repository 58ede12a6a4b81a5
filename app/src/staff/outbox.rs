//! Messages to the head-end that failed too often and were set aside (`MAX_ATTEMPTS` in the
//! server's delivery): shown to administrators, who send one again once the cause is fixed,
//! or discard it, which lets the messages queued after it for the same account go.

use crate::error::AppError;
use crate::shell::Saved;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A message set aside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldMessage {
    pub id: i64,
    pub kind: String,
    /// What it holds back: later messages of the same account wait behind it.
    pub account: Option<String>,
    pub attempts: i64,
    pub last_error: String,
    /// When it was queued and set aside, in the utility's time zone.
    pub queued: String,
    pub set_aside: String,
}

/// The outbox operations administrators have. The server implements it.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait OutboxOperations: Send + Sync + 'static {
    async fn held_messages(&self) -> Result<Vec<HeldMessage>, AppError>;
    /// Sends `message` again (`discard` false) or gives up on it, recorded as `admin`'s.
    async fn release(
        &self,
        admin: crate::auth::UserId,
        message: i64,
        discard: bool,
    ) -> Result<Saved, AppError>;
}

/// The outbox operations as held in context.
#[cfg(feature = "ssr")]
pub type Outbox = std::sync::Arc<dyn OutboxOperations>;

#[cfg(feature = "ssr")]
fn outbox() -> Result<Outbox, AppError> {
    crate::service::service::<dyn OutboxOperations>()
}

crate::declare_access!(HeldMessages => Admin);
/// Messages to the head-end set aside after too many failed attempts.
#[server(endpoint = "held_messages")]
pub async fn held_messages() -> Result<Vec<HeldMessage>, AppError> {
    crate::auth::authorize_call::<HeldMessages>()?;
    outbox()?.held_messages().await
}

crate::declare_access!(ReleaseMessage => Admin);
/// Sends a set-aside message again, or discards it.
#[server(endpoint = "release_message")]
pub async fn release_message(message: i64, discard: bool) -> Result<Saved, AppError> {
    let admin = crate::auth::authorize_call::<ReleaseMessage>()?;
    let (outbox, answer) = (outbox()?, crate::shell::save_answer());
    answer(outbox.release(admin.user_id, message, discard).await)
}

/// The administrator's view of them, with Send again and Discard.
#[component]
pub fn HeldMessagesSection() -> impl IntoView {
    view! {
        <section aria-labelledby="held-heading">
            <h2 id="held-heading">"Messages to the head-end set aside"</h2>
            <crate::shell::Loaded data=held_messages() show=|held| view! { <HeldList held /> }.into_any() />
        </section>
    }
}

#[component]
fn HeldList(held: Vec<HeldMessage>) -> impl IntoView {
    let action = ServerAction::<ReleaseMessage>::new();
    let errors = crate::shell::FormErrors::follow(action);
    if held.is_empty() {
        return view! { <p class="card">"None: every message reached the head-end or is still being tried."</p> }
            .into_any();
    }
    let items = held
        .into_iter()
        .map(|message| {
            let account = message.account.clone().unwrap_or_else(|| "no account".to_owned());
            let (send_id, discard_id) = (message.id.to_string(), message.id.to_string());
            view! {
                <li class="card">
                    <h3>{format!("{} for account {account}", message.kind.replace('_', " "))}</h3>
                    <dl class="facts">
                        <div><dt>"Tried"</dt><dd>{format!("{} times", message.attempts)}</dd></div>
                        <div><dt>"Last error"</dt><dd>{message.last_error}</dd></div>
                        <div><dt>"Queued"</dt><dd>{message.queued}</dd></div>
                        <div><dt>"Set aside"</dt><dd>{message.set_aside}</dd></div>
                    </dl>
                    <p>"This account's later messages wait behind this one."</p>
                    <div class="actions">
                        <ActionForm action attr:class="inline-form">
                            <input type="hidden" name="message" value=send_id />
                            <input type="hidden" name="discard" value="false" />
                            <button type="submit" class="secondary">"Send again"</button>
                        </ActionForm>
                        <ActionForm action attr:class="inline-form">
                            <input type="hidden" name="message" value=discard_id />
                            <input type="hidden" name="discard" value="true" />
                            <button type="submit" class="danger">"Discard"</button>
                        </ActionForm>
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <crate::shell::FormRefusal errors />
        <ul class="card-list">{items}</ul>
    }
    .into_any()
}
