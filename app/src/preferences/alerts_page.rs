use super::{
    channel_field, communication_field, load_preferences, unreachable_by, AddRecipient,
    OptOutScope, PreferencesView, RecipientView, RemoveRecipient, SaveAlerts, SelectionStatus,
    SetOptOut, UpdateContact, RESUME_FIELD, STOP_FIELD,
};
use crate::acting::ActingFor;
use crate::contact::{EmailAddress, PhoneNumber};
use crate::error::AppError;
use crate::preferences::{Communication, PeakChannels};
use crate::recipients::{ContactDetails, ContactForm, RecipientName, MAX_ADDITIONAL_RECIPIENTS};
use crate::shell::{
    FormErrors, FormRefusal, Loaded, SaveBasis, SaveFeedback, SaveForm, SaveStatus, TextField,
};
use crate::utility::{Channel, Product};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/account/alerts`: the account's recipients, what each receives and how, and the
/// account-wide stops.
#[component]
pub fn AlertsPage() -> impl IntoView {
    let account = crate::acting::acting_for();
    view! {
        <Title text="Alerts & recipients" />
        <h1>"Alerts & recipients"</h1>
        <Loaded data=load_preferences(account.clone()) show=move |view| view! { <AlertsIsland account=account.clone() view /> }.into_any() />
    }
}

/// Lazy: the largest island, so its code is a module of its own (`cargo leptos build --split`),
/// fetched only on the pages that have it; every other page loads just the main module.
/// Measured (WASM + JS, brotli): every page 192.0 KB and the alerts pages 230.8 KB this way; with
/// the notifications island lazy too, every page 105.6 KB but 251.5 KB in all, as each split
/// module repeats the code the islands share.
#[island(lazy)]
fn AlertsIsland(account: Option<String>, view: PreferencesView) -> impl IntoView {
    crate::shell::mark_island_hydrated();
    ActingFor::provide(account.clone());
    let feedback = SaveFeedback::provide();
    let page = feedback.reload_after_saves(view, move || load_preferences(account.clone()));
    let parts = move || page.with(AlertsPart::of);
    view! {
        <SaveStatus />
        <p class="lead">
            {format!(
                "The primary recipient and up to {MAX_ADDITIONAL_RECIPIENTS} more people can get this account's alerts. Choose for each one what they receive and how."
            )}
        </p>
            // Each part is keyed by what it shows. A reload after a save rebuilds the parts whose
            // data changed (afresh: patching inputs in place can leave a previous render's values
            // behind) and leaves the others alone, with whatever is typed or open in them. One
            // `For` for every part: each keyed list is a copy of the diffing code in the WASM.
            <For each=parts key=AlertsPart::key let:part>
                {part.view(page)}
            </For>
    }
}

/// A part of the alerts page and its data.
enum AlertsPart {
    Recipient(RecipientView),
    /// Who the recipients are ([`PreferencesView::roster`]) and whether there is room for one
    /// more: the form is rebuilt when a recipient comes or goes, so one just added leaves it
    /// empty.
    AddRecipient {
        roster: u64,
        room: bool,
    },
    OptOuts(super::AccountOptOuts),
}

impl AlertsPart {
    fn of(view: &PreferencesView) -> Vec<Self> {
        let add = Self::AddRecipient { roster: view.roster(), room: view.recipients.has_room() };
        view.recipients
            .iter()
            .cloned()
            .map(Self::Recipient)
            .chain([add, Self::OptOuts(view.opt_outs)])
            .collect()
    }

    /// Changes when what the part shows does: a recipient's revision (a hash of the card's
    /// data); the roster, from 2^32 up; the four stops as bits, below 16. A hash landing below
    /// 2^32 is a 1-in-4-billion chance, and would only rebuild a card.
    fn key(&self) -> u64 {
        match self {
            Self::Recipient(view) => view.revision,
            Self::AddRecipient { roster, .. } => *roster,
            Self::OptOuts(stops) => [stops.email, stops.sms, stops.voice, stops.everything]
                .iter()
                .fold(0, |bits, &on| bits << 1 | u64::from(on)),
        }
    }

    fn view(self, page: ReadSignal<PreferencesView>) -> AnyView {
        match self {
            Self::Recipient(recipient) => view! { <RecipientCard recipient page /> }.into_any(),
            Self::AddRecipient { roster, room } => {
                view! { <AddRecipientSection roster room /> }.into_any()
            }
            Self::OptOuts(opt_outs) => view! { <OptOutsSection opt_outs page /> }.into_any(),
        }
    }
}

/// One recipient: contact details, edit and remove, alert channels and communications.
#[component]
fn RecipientCard(recipient: RecipientView, page: ReadSignal<PreferencesView>) -> impl IntoView {
    let RecipientView { recipient: person, is_primary, sms_consent, statuses, revision } =
        recipient;
    let id = person.id.0;
    let heading = format!("recipient-{id}");
    let name = person.contact.name.to_string();
    let contact = person.contact.clone();
    let text = |value: Option<String>| value.unwrap_or_else(|| "Not given".to_owned());
    let sms_line = match (&contact.sms, sms_consent) {
        (Some(number), Some(consent)) => format!("{number} · {}", consent.label()),
        (Some(number), None) => number.to_string(),
        (None, _) => "Not given".to_owned(),
    };
    view! {
        <section class="card recipient" aria-labelledby=heading.clone()>
            <div class="recipient__title">
                <h2 id=heading.clone()>{name.clone()}</h2>
                {is_primary.then(|| view! { <span class="tag">"Primary recipient"</span> })}
            </div>
            <dl class="facts">
                <div>
                    <dt>"Email"</dt>
                    <dd>{text(contact.email.as_ref().map(ToString::to_string))}</dd>
                </div>
                <div>
                    <dt>"Mobile phone (SMS)"</dt>
                    <dd>{sms_line}</dd>
                </div>
                <div>
                    <dt>"Phone (voice)"</dt>
                    <dd>{text(contact.voice.as_ref().map(ToString::to_string))}</dd>
                </div>
            </dl>
            <EditContactForm id revision name=name.clone() current=ContactForm::from_details(&contact) />
            <AlertsForm id revision contact=contact.clone() is_primary peak_channels=person.peak_channels communications=person.communications statuses page />
            {(!is_primary).then(|| view! { <RemoveRecipientForm id revision name=name.clone() /> })}
        </section>
    }
}

/// The four contact inputs of a form, read when it is submitted.
#[derive(Clone, Copy)]
struct ContactInputs([NodeRef<leptos::html::Input>; 4]);

impl ContactInputs {
    const FIELDS: [&'static str; 4] =
        [ContactForm::NAME, ContactForm::EMAIL, ContactForm::SMS, ContactForm::VOICE];

    fn new() -> Self {
        Self([NodeRef::new(), NodeRef::new(), NodeRef::new(), NodeRef::new()])
    }

    fn value(self, index: usize) -> String {
        self.0[index].get().map(|input| input.value()).unwrap_or_default()
    }

    /// The shared check of the whole form, run as Save is pressed: a bad form is not sent, its
    /// errors show at once, and the first bad field takes the focus.
    fn check_on_submit(self, errors: FormErrors, event: &leptos::ev::MouseEvent) {
        let form = ContactForm {
            name: self.value(0),
            email: self.value(1),
            sms: self.value(2),
            voice: self.value(3),
        };
        if let Err(fields) = form.parse() {
            event.prevent_default();
            let first_bad = Self::FIELDS.iter().position(|field| fields.get(field).is_some());
            errors.show(fields);
            if let Some(input) = first_bad.and_then(|index| self.0[index].get()) {
                let _ = input.focus();
            }
        }
    }
}

/// Name, Email, Mobile phone (SMS), Phone (voice): checked with the shared types as Save is
/// pressed (see [`ContactInputs::check_on_submit`]) and again by the server. A field that shows
/// an error is re-checked as it is typed in, so the message goes once it is fixed (checking on
/// blur would move the Save button under a pressing finger).
#[component]
fn ContactFields(
    prefix: String,
    initial: ContactForm,
    errors: FormErrors,
    inputs: ContactInputs,
) -> impl IntoView {
    let field = move |index: usize,
                      label: &'static str,
                      value: String,
                      kind: &'static str,
                      autocomplete: &'static str| {
        let key = ContactInputs::FIELDS[index];
        let message = errors.field(key);
        let recheck = move |text: String| {
            if message.get_untracked().is_none() {
                return;
            }
            match key {
                ContactForm::NAME => errors.check(key, RecipientName::parse(&text)),
                ContactForm::EMAIL if !text.trim().is_empty() => {
                    errors.check(key, EmailAddress::parse(&text))
                }
                ContactForm::SMS | ContactForm::VOICE if !text.trim().is_empty() => {
                    errors.check(key, PhoneNumber::parse(&text))
                }
                _ => errors.check(key, Ok::<(), String>(())),
            }
        };
        view! {
            <TextField
                id=format!("{prefix}-{key}")
                name=key
                label
                kind
                autocomplete
                value
                error=message
                node_ref=inputs.0[index]
                on_input=Callback::new(recheck)
            />
        }
    };
    view! {
        {field(0, "Name", initial.name, "text", "name")}
        {field(1, "Email", initial.email, "email", "email")}
        {field(2, "Mobile phone (SMS)", initial.sms, "tel", "tel")}
        {field(3, "Phone (voice)", initial.voice, "tel", "tel")}
        <p class="hint">"A name and at least one way to reach them. US and Canadian numbers need 10 digits; others start with + and the country code."</p>
    }
}

/// How a contact form first shows. After a form posted without WASM was refused, the refusal
/// comes back in the URL (see `provide_plain_post_refusal`) and the form opens with it, and
/// with what was typed when the refusal carried it. Every card's "Edit contact info" posts to
/// one server function: the refusal names the card (`keep_refusal_if_mine`, called as each
/// form's action is made), so the other cards' forms stay closed and as they were.
struct ContactStart {
    open: bool,
    typed: Option<ContactForm>,
}

impl ContactStart {
    fn of<A>(action: ServerAction<A>) -> Self
    where
        A: leptos::server_fn::ServerFn<Output = crate::shell::Saved, Error = AppError>,
        A: Clone + Send + Sync + 'static,
    {
        action.value().with_untracked(|value| match value {
            Some(Err(AppError::InvalidFields(fields))) if !fields.typed().is_empty() => {
                Self { open: true, typed: Some(ContactForm::from_typed(fields.typed())) }
            }
            Some(Err(_)) => Self { open: true, typed: None },
            _ => Self { open: false, typed: None },
        })
    }
}

/// What `?open=` names to show a disclosure open (see [`LazyDisclosure`]).
const OPEN_PARAMETER: &str = "open";

/// A disclosure whose content (a form) is built only once it is opened. Most visits open none:
/// built closed, the page's three kinds of closed forms were a fifth of what the server spent
/// on it (`scripts/profile.sh /account/alerts`), and as much HTML for the phone to parse and
/// hydrate. It opens as the page is shown when `open` (a refusal to show) or when the page's
/// `?open=` names it. Before the WASM has run, the closed content is a link to the page with it
/// open, so nothing needs the WASM.
#[component]
fn LazyDisclosure<F>(
    /// Its id, and what `?open=` names it by.
    name: String,
    open: bool,
    summary: &'static str,
    /// Words after the summary for screen readers, naming whose it is.
    #[prop(optional)]
    whose: Option<String>,
    content: F,
) -> impl IntoView
where
    F: Fn() -> AnyView + Send + Sync + 'static,
{
    let open = open || crate::shell::query_param(OPEN_PARAMETER).is_some_and(|asked| asked == name);
    let shown = RwSignal::new(open);
    let without_wasm = format!("?{OPEN_PARAMETER}={name}#{name}");
    view! {
        <details class="disclosure" id=name open=open>
            <summary on:click=move |_| shown.set(true)>
                {summary} {whose.map(|whose| view! { <span class="visually-hidden">{whose}</span> })}
            </summary>
            {move || {
                if shown.get() {
                    content()
                } else {
                    view! { <p><a href=without_wasm.clone()>"Show the form"</a></p> }.into_any()
                }
            }}
        </details>
    }
}

#[component]
fn AddRecipientSection(roster: u64, room: bool) -> impl IntoView {
    let action = ServerAction::<AddRecipient>::new();
    let start = ContactStart::of(action);
    let form = move || {
        let errors = FormErrors::follow(action);
        let inputs = ContactInputs::new();
        let initial = start.typed.clone().unwrap_or_default();
        view! {
            <SaveForm action>
                <SaveBasis part=roster />
                <ContactFields prefix="new".into() initial errors inputs />
                <FormRefusal errors />
                <button type="submit" class="primary" on:click=move |event| inputs.check_on_submit(errors, &event)>
                    "Save"
                </button>
            </SaveForm>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="add-recipient-heading">
            <h2 id="add-recipient-heading">"Add a recipient"</h2>
            {if room {
                view! {
                    <LazyDisclosure name="add-recipient".into() open=start.open summary="Add recipient" content=form />
                }
                    .into_any()
            } else {
                view! {
                    <p>{format!("This account has {MAX_ADDITIONAL_RECIPIENTS} additional recipients, the most allowed. Remove one to add another.")}</p>
                    <button type="button" class="secondary" disabled>
                        {format!("Add recipient (limit of {MAX_ADDITIONAL_RECIPIENTS} reached)")}
                    </button>
                }
                    .into_any()
            }}
        </section>
    }
}

/// "Edit contact info" of one recipient, filled in with their details (`current`), or opened
/// with what was typed when the server refused it.
#[component]
fn EditContactForm(id: i64, revision: u64, name: String, current: ContactForm) -> impl IntoView {
    let action = ServerAction::<UpdateContact>::new();
    crate::shell::keep_refusal_if_mine(action, &id.to_string());
    let start = ContactStart::of(action);
    let initial = start.typed.clone().unwrap_or(current);
    let form = move || {
        let errors = FormErrors::follow(action);
        let inputs = ContactInputs::new();
        let initial = initial.clone();
        view! {
            <SaveForm action>
                <SaveBasis part=revision />
                <input type="hidden" name=super::RECIPIENT_FIELD value=id.to_string() />
                <ContactFields prefix=format!("recipient-{id}") initial errors inputs />
                <FormRefusal errors />
                <button type="submit" class="primary" on:click=move |event| inputs.check_on_submit(errors, &event)>
                    "Save contact info"
                </button>
            </SaveForm>
        }
        .into_any()
    };
    view! {
        <LazyDisclosure name=format!("edit-contact-{id}") open=start.open summary="Edit contact info" whose=format!(" of {name}") content=form />
    }
}

#[component]
fn RemoveRecipientForm(id: i64, revision: u64, name: String) -> impl IntoView {
    let action = ServerAction::<RemoveRecipient>::new();
    crate::shell::keep_refusal_if_mine(action, &id.to_string());
    let refused = action.value().with_untracked(|value| matches!(value, Some(Err(_))));
    let whose = format!(" {name}");
    let form = move || {
        let errors = FormErrors::follow(action);
        let name = name.clone();
        view! {
            <SaveForm action>
                <SaveBasis part=revision />
                <input type="hidden" name=super::RECIPIENT_FIELD value=id.to_string() />
                <p>{format!("Remove {name}? They will stop getting alerts from this account.")}</p>
                <FormRefusal errors />
                <button type="submit" class="danger">{format!("Remove {name}")}</button>
            </SaveForm>
        }
        .into_any()
    };
    view! { <LazyDisclosure name=format!("remove-{id}") open=refused summary="Remove" whose content=form /> }
}

/// Seed 000's "Peak pricing alerts" channels and the communications, saved together.
#[component]
fn AlertsForm(
    id: i64,
    revision: u64,
    contact: ContactDetails,
    is_primary: bool,
    peak_channels: PeakChannels,
    communications: std::collections::BTreeSet<Communication>,
    statuses: Vec<(Communication, SelectionStatus)>,
    page: ReadSignal<PreferencesView>,
) -> impl IntoView {
    let action = ServerAction::<SaveAlerts>::new();
    crate::shell::keep_refusal_if_mine(action, &id.to_string());
    let errors = FormErrors::follow(action);
    let (product, utility, offered_channels, offered) = page.with_untracked(|p| {
        (
            p.product,
            p.utility_name.clone(),
            p.channels_offered.clone(),
            p.communications_offered.clone(),
        )
    });
    let channel_boxes = PeakChannels::CHANNELS
        .into_iter()
        .filter(|channel| offered_channels.contains(channel))
        .map(|channel| {
            let field_id = format!("recipient-{id}-channel-{}", channel.as_str());
            let checked = peak_channels.get(channel);
            // A channel that cannot reach this person is not offered, with the reason beside
            // it (the same rule the save checks). One chosen before stays, to be unticked.
            let reason =
                (!checked).then(|| unreachable_by(&contact, channel, is_primary)).flatten();
            let reason_id = format!("{field_id}-reason");
            let unreachable = reason.is_some();
            view! {
                <div class=if unreachable { "check check--described" } else { "check" }>
                    <input
                        type="checkbox"
                        id=field_id.clone()
                        name=channel_field(channel)
                        checked=checked
                        disabled=unreachable
                        aria-describedby=unreachable.then(|| reason_id.clone())
                    />
                    <label for=field_id>{channel_label(channel)}</label>
                    {reason.map(|reason| view! { <p class="hint" id=reason_id>{reason}</p> })}
                </div>
            }
        })
        .collect_view();
    let mail = offered_channels
        .contains(&Channel::Print)
        .then(|| view! { <p class="hint">{format!("Mail: managed by {utility}")}</p> });
    let communication_boxes = statuses
        .into_iter()
        .map(|(communication, status)| {
            let field_id = format!("recipient-{id}-{}", communication.as_str());
            let status_id = format!("{field_id}-status");
            view! {
                <div class="check check--described">
                    <input
                        type="checkbox"
                        id=field_id.clone()
                        name=communication_field(communication)
                        checked=communications.contains(&communication)
                        aria-describedby=status_id.clone()
                    />
                    <label for=field_id>{communication.label(product)}</label>
                    <p class="hint" id=status_id>
                        {communication.description(product)}
                        <StatusLine status />
                    </p>
                </div>
            }
        })
        .collect_view();
    view! {
        <SaveForm action>
            <SaveBasis part=revision />
            <input type="hidden" name=super::RECIPIENT_FIELD value=id.to_string() />
            <fieldset>
                <legend>"Peak pricing alerts"</legend>
                <div class="checks">{channel_boxes}</div>
                {mail}
            </fieldset>
            <fieldset>
                <legend>"Communications"</legend>
                <NoCommunicationsNote offered=offered.clone() product />
                {communication_boxes}
            </fieldset>
            <FormRefusal errors />
            <button type="submit" class="primary">"Save alerts"</button>
        </SaveForm>
    }
}

/// Seed 000: "a message explaining that no communications for a specific type of product are
/// available for a given customer account".
#[component]
fn NoCommunicationsNote(offered: Vec<Communication>, product: Product) -> impl IntoView {
    let no_peak_day = !offered.iter().any(|c| c.is_peak_day());
    no_peak_day.then(|| {
        view! {
            <p class="hint">
                {format!(
                    "This account has no {} communications: they are for electric service.",
                    product.label()
                )}
            </p>
        }
    })
}

fn channel_label(channel: Channel) -> &'static str {
    match channel {
        Channel::Sms => "SMS (text)",
        other => other.label(),
    }
}

/// "Selected: by email" or "Selected, not delivered: <reason>".
#[component]
fn StatusLine(status: SelectionStatus) -> impl IntoView {
    match status {
        SelectionStatus::NotSelected => None,
        SelectionStatus::Delivered(channels) => {
            let by: Vec<&str> = channels.iter().map(|c| c.noun()).collect();
            Some(view! { <span class="status status--ok">{format!(" Selected: sent by {}.", by.join(", "))}</span> }.into_any())
        }
        SelectionStatus::NotDelivered(reason) => Some(
            view! { <span class="status status--warn">{format!(" Selected, not delivered: {reason}.")}</span> }.into_any(),
        ),
    }
}

/// "Stop all email", "Stop all texts", "Stop all calls", "Unsubscribe from everything", each
/// reversible and each stated in words. One form: each button sends what it does (`stop` or
/// `resume`, naming the scope), so a refusal shows once, above the list, and the page carries
/// one form and its hidden fields rather than one per stop.
#[component]
fn OptOutsSection(
    opt_outs: super::AccountOptOuts,
    page: ReadSignal<PreferencesView>,
) -> impl IntoView {
    let action = ServerAction::<SetOptOut>::new();
    let errors = FormErrors::follow(action);
    let offered = page.with_untracked(|p| p.channels_offered.clone());
    let rows = OptOutScope::ALL
        .into_iter()
        .filter(|scope| match scope {
            OptOutScope::Channel(channel) => offered.contains(channel),
            OptOutScope::Everything => true,
        })
        .map(|scope| {
            let stopped = opt_outs.get(scope);
            let (field, label) = if stopped {
                (RESUME_FIELD, scope.resume_label())
            } else {
                (STOP_FIELD, scope.stop_label())
            };
            view! {
                <li>
                    {stopped.then(|| view! { <p class="status status--warn">{scope.stopped_sentence()}</p> })}
                    <button type="submit" name=field value=scope.as_str() class=if stopped { "secondary" } else { "danger" }>{label}</button>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="opt-outs-heading">
            <h2 id="opt-outs-heading">"Stop messages for this account"</h2>
            <p>"These apply to every recipient and every alert and notification. You can undo each one."</p>
            <SaveForm action>
                <SaveBasis />
                <FormRefusal errors />
                <ul class="opt-outs">{rows}</ul>
            </SaveForm>
        </section>
    }
}
