//! The events service (issue 17), in the one shape of a change: state read inside the write
//! transaction, a pure plan from `peakday_app::events`, and the executor here storing its
//! effects, the DERMS messages and customers' notices (through the outbox) and the audit
//! records, all in one transaction.

use super::derms::{self, DermsChange, DispatchedDevice, PAGE_SIZE};
use super::store::{self, Place, ReservationChange, StoredEvent};
use super::time;
use crate::accounts;
use crate::programs;
use crate::store::audit;
use crate::store::{audit_entry, local_time, now, Backend, Store, StoreError, Tx};
use jiff::tz::TimeZone;
use peakday_app::accounts::AccountId;
use peakday_app::activity::{Actor, ChangeSource};
use peakday_app::auth::UserId;
use peakday_app::change::{ChangeError, Outcome};
use peakday_app::error::AppError;
use peakday_app::events::{
    self as events, AccountEvent, AccountEventChange, AccountEventState, AccountEvents, AwayPeriod,
    CalledBefore, CalledEvent, DermsNotice, DeviceAway, DeviceState, EventDevice, EventEffect,
    EventId, EventPhase, EventRequest, EventsService, HeldAway, HeldDevice, HeldEvent,
    ManagedEvent, OptOutAllowance, PeakDayRequest, ProgramEvent, ProgramEvents, ProposedEvent,
    Span, TimeAwayForm,
};
use peakday_app::programs::{DeviceId, EnrollmentStatus, Program, ProgramId};
use peakday_app::shell::Saved;
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// The outbox kind of customers' peak-day notices (sent by the delivery of messages).
pub const PEAK_DAY_NOTICE: &str = "peak_day_notice";

#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the change was refused: {0:?}")]
    Refused(ChangeError),
}

impl From<EventsError> for AppError {
    fn from(error: EventsError) -> Self {
        match error {
            EventsError::Store(error) => error.into(),
            EventsError::Refused(refusal) => refusal.into(),
        }
    }
}

impl From<ChangeError> for EventsError {
    fn from(refusal: ChangeError) -> Self {
        EventsError::Refused(refusal)
    }
}

/// The events service over the store.
#[derive(Clone)]
pub struct Events {
    store: Store,
}

/// How an event's time reads in the utility's zone.
struct Clock<'a> {
    zone: &'a TimeZone,
}

impl Clock<'_> {
    fn zoned(&self, at: i64) -> jiff::Zoned {
        jiff::Timestamp::from_second(at)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_zoned(self.zone.clone())
    }

    /// "2:00 PM": the clock every other time in the product reads in ([`local_time`]).
    fn time(&self, at: i64) -> String {
        self.zoned(at).strftime("%-I:%M %p").to_string()
    }

    /// "2:00–6:00 PM EDT", "11:00 AM–1:00 PM EDT"; "1:30 AM EST–3:30 AM EDT" when the clocks
    /// change during the event, so each time reads as what it was.
    fn hours(&self, span: Span) -> String {
        let (start, end) = (self.zoned(span.starts_at), self.zoned(span.ends_at));
        let same =
            |format: &str| start.strftime(format).to_string() == end.strftime(format).to_string();
        let start_format = match (same("%Z"), same("%p")) {
            (true, true) => "%-I:%M",
            (true, false) => "%-I:%M %p",
            (false, _) => "%-I:%M %p %Z",
        };
        format!("{}–{}", start.strftime(start_format), end.strftime("%-I:%M %p %Z"))
    }

    /// "Jul 15, 2026, 2:00–6:00 PM EDT".
    fn label(&self, span: Span) -> String {
        format!("{}, {}", self.zoned(span.starts_at).strftime("%b %-d, %Y"), self.hours(span))
    }

    /// "Jul 15, 2026, 8:00 AM EDT".
    fn moment(&self, at: i64) -> String {
        local_time(self.zone, at)
    }

    /// "from Jul 15, 2026, 8:00 AM EDT to Jul 17, 2026, 6:00 PM EDT": a period of time away.
    fn away(&self, span: Span) -> String {
        format!("from {} to {}", self.moment(span.starts_at), self.moment(span.ends_at))
    }
}

/// The account's peak days as read for the rules and the page.
struct AccountView {
    state: AccountEventState,
    places: Vec<store::AccountPlace>,
    kinds: BTreeMap<DeviceId, peakday_app::programs::DeviceKind>,
}

impl Events {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    #[tracing::instrument(name = "events.program", skip_all, fields(program = program.0))]
    pub async fn program_events(&self, program: ProgramId) -> Result<ProgramEvents, EventsError> {
        let mut conn = self.store.read().await?;
        let program = programs::store::program(&mut conn, program)
            .await?
            .ok_or(EventsError::Refused(ChangeError::NotFound))?;
        let zone = self.store.utility_zone(&mut conn).await?;
        let clock = Clock { zone: &zone };
        let stored = store::events_of_program(&mut conn, program.id).await?;
        let mut tallies = store::tallies(&mut conn, program.id).await?;
        let mut histories = store::histories(&mut conn, program.id, |at| clock.moment(at)).await?;
        let definition = &program.definition;
        let called_this_season = store::called_between(
            &mut conn,
            program.id,
            definition.season_start,
            definition.season_end,
        )
        .await?;
        let groups = store::program_groups(&mut conn, program.id).await?;
        let now = now();
        let events = stored
            .into_iter()
            .map(|event| {
                let (tally, participation) = tallies.remove(&event.id).unwrap_or_default();
                ProgramEvent {
                    id: event.id,
                    day: event.day,
                    hours: clock.hours(event.span),
                    notice: clock.moment(event.notice_at),
                    target: event.target,
                    groups: event.groups,
                    phase: EventPhase::at(event.span, event.cancelled_at.is_some(), now),
                    cancel_reason: event.cancel_reason,
                    tally,
                    participation,
                    history: histories.remove(&event.id).unwrap_or_default(),
                }
            })
            .collect();
        Ok(ProgramEvents {
            called_this_season,
            events,
            groups,
            zone: zone.iana_name().unwrap_or("UTC").to_owned(),
            program,
        })
    }

    /// Calls an event: rules checked, devices reserved, the DERMS dispatch (in pages) and the
    /// customers' advance notices queued, the viability kept in the event's history.
    #[tracing::instrument(name = "events.call", skip_all, fields(program = program.0))]
    pub async fn call(
        &self,
        manager: UserId,
        program: ProgramId,
        request: &EventRequest,
    ) -> Result<Saved, EventsError> {
        let mut tx = self.store.begin_write().await?;
        // Locked on PostgreSQL: two calls of one program count the season one after the other.
        let program = programs::store::program_for_change(&mut tx, program)
            .await?
            .ok_or(EventsError::Refused(ChangeError::NotFound))?;
        let zone = self.store.utility_zone(&mut tx).await?;
        let clock = Clock { zone: &zone };
        let proposed = time::proposed_event(&zone, request)?;
        let definition = &program.definition;
        // Read under the program's lock, as the season's count: of 40 identical calls sent at
        // once, one is called and the rest refused as doubles.
        let called = CalledBefore {
            this_season: store::called_between(
                &mut tx,
                program.id,
                definition.season_start,
                definition.season_end,
            )
            .await?,
            overlapping: store::live_events_overlapping(&mut tx, program.id, proposed.span)
                .await?
                .into_iter()
                .map(|event| CalledEvent {
                    label: clock.label(event.span),
                    span: event.span,
                    groups: event.groups,
                })
                .collect(),
        };
        let (devices, addresses) =
            store::program_devices(&mut tx, program.id, proposed.span).await?;
        let label = clock.label(proposed.span);
        let plan = events::plan_call(
            &program,
            &proposed,
            &request.groups,
            &label,
            now(),
            &called,
            &devices,
        )?;
        // Stored as customers are in fact told: a notice time already passed is now.
        let proposed = ProposedEvent { notice_at: plan.notice_at, ..proposed };
        let actor = Actor { user_id: Some(manager), source: ChangeSource::Portal };
        let id =
            store::insert_event(&mut tx, program.id, &proposed, &request.groups, actor).await?;
        let places: Vec<Place<'_>> = plan
            .places
            .iter()
            .map(|(index, state)| {
                let device = &devices[*index];
                Place {
                    device: device.device,
                    account: device.account,
                    state: *state,
                    entity_group: device.candidate.entity_group.as_deref().unwrap_or_default(),
                    capacity: device.capacity,
                }
            })
            .collect();
        let reserved = store::insert_places(&mut tx, id, &places).await?;
        store::reevaluate(&mut tx, id, "Event called", reserved).await?;
        let reserved: Vec<DispatchedDevice> = plan
            .places
            .iter()
            .filter(|(_, state)| *state == DeviceState::Reserved)
            .map(|(index, _)| dispatched(&devices[*index], &addresses[*index]))
            .collect();
        let pages = reserved.len().div_ceil(PAGE_SIZE).max(1);
        for (page, chunk) in
            reserved.chunks(PAGE_SIZE).chain(std::iter::once(&[][..])).take(pages).enumerate()
        {
            let change = DermsChange::Dispatch {
                program_id: program.id.0,
                program_name: definition.name.clone(),
                starts_at: derms::rfc3339(proposed.span.starts_at),
                ends_at: derms::rfc3339(proposed.span.ends_at),
                target_kw: proposed.target.to_string(),
                page: page as u32 + 1,
                pages: pages as u32,
                devices: chunk.to_vec(),
            };
            let key = format!("event-{}-dispatch-{}", id.0, page + 1);
            derms::queue(&mut tx, Some(id), &derms::event_order(id), key, change).await?;
        }
        let accounts: Vec<AccountId> = {
            let mut accounts: Vec<AccountId> = places
                .iter()
                .filter(|place| place.state == DeviceState::Reserved)
                .map(|place| place.account)
                .collect();
            accounts.sort_unstable();
            accounts.dedup();
            accounts
        };
        let words = NoticeWords::of(&program, &label, proposed.span, &clock);
        let notices = notices(id, &accounts, "called", &words, None);
        store::queue_notices(&mut tx, PEAK_DAY_NOTICE, &notices, plan.notice_at).await?;
        audit::append_audit(&mut tx, &audit_entry(actor, None, &plan.audit)).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Saved::new(plan.message))
    }

    /// Cancels an event for `reason`: its devices are released, the DERMS told, the accounts
    /// whose devices were reserved sent a cancellation notice.
    #[tracing::instrument(name = "events.cancel", skip_all, fields(event = event.0))]
    pub async fn cancel(
        &self,
        manager: UserId,
        event: EventId,
        reason: &str,
    ) -> Result<Saved, EventsError> {
        let mut tx = self.store.begin_write().await?;
        let stored = lock_event(&mut tx, event).await?;
        let program = programs::store::program(&mut tx, stored.program)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("event {}: no program", event.0)))?;
        let zone = self.store.utility_zone(&mut tx).await?;
        let clock = Clock { zone: &zone };
        let label = clock.label(stored.span);
        let managed = ManagedEvent {
            id: event,
            program: program.definition.name.clone(),
            span: stored.span,
            cancelled: stored.cancelled_at.is_some(),
            label: label.clone(),
        };
        let outcome = events::plan_cancel(&managed, reason, now())?;
        let accounts = store::reserved_accounts(&mut tx, event).await?;
        let actor = Actor { user_id: Some(manager), source: ChangeSource::Portal };
        execute(&mut tx, actor, None, &outcome).await?;
        let reason = reason.trim();
        let words = NoticeWords::of(&program, &label, stored.span, &clock);
        let notices = notices(event, &accounts, "cancelled", &words, Some(reason));
        store::queue_notices(&mut tx, PEAK_DAY_NOTICE, &notices, now()).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Saved::new(outcome.message))
    }

    #[tracing::instrument(name = "events.account", skip_all, fields(account = account.0))]
    pub async fn account_events(&self, account: AccountId) -> Result<AccountEvents, EventsError> {
        let mut conn = self.store.read().await?;
        let zone = self.store.utility_zone(&mut conn).await?;
        let clock = Clock { zone: &zone };
        let view = read_account(&mut conn, account, None, now(), &clock).await?;
        Ok(account_page(view, &clock, zone.iana_name().unwrap_or("UTC")))
    }

    /// An opt-out or a change of time away, in one write transaction with the account locked.
    #[tracing::instrument(name = "events.change", skip_all, fields(account = account.0))]
    pub async fn change(
        &self,
        actor: Actor,
        account: AccountId,
        request: &PeakDayRequest,
    ) -> Result<Saved, EventsError> {
        let mut tx = self.store.begin_write().await?;
        // On PostgreSQL two opt-outs of one account would otherwise both count the same
        // opt-outs used and both pass the season's limit.
        accounts::store::lock_account(&mut tx, account).await?;
        let zone = self.store.utility_zone(&mut tx).await?;
        let clock = Clock { zone: &zone };
        let only_for_opt_out = match request {
            PeakDayRequest::OptOut { event } => Some(*event),
            _ => None,
        };
        let view = read_account(&mut tx, account, only_for_opt_out, now(), &clock).await?;
        let change = match request {
            PeakDayRequest::OptOut { event } => AccountEventChange::OptOut { event: *event },
            PeakDayRequest::ScheduleTimeAway { device, start, end } => {
                let fields = [(TimeAwayForm::START, *start), (TimeAwayForm::END, *end)];
                time::refuse_skipped(&zone, &fields)?;
                let span = time::span(&zone, *start, *end)
                    .map_err(|_| time::too_far(TimeAwayForm::START))?;
                AccountEventChange::ScheduleTimeAway {
                    device: *device,
                    span,
                    label: clock.away(span),
                }
            }
            PeakDayRequest::CancelTimeAway { id } => AccountEventChange::CancelTimeAway { id: *id },
        };
        let outcome = view.state.apply(&change)?;
        execute(&mut tx, actor, Some(account), &outcome).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Saved::new(outcome.message))
    }
}

/// Follows a change of the device's registration or enrollment (the head-end's answer): a
/// device now reservable joins its program's events still to come; one no longer reservable
/// leaves them. Each event is re-evaluated and the DERMS told.
pub async fn follow_registration(
    store: &Store,
    tx: &mut Tx,
    device: DeviceId,
) -> Result<(), StoreError> {
    let now = now();
    for (event, state) in store::upcoming_places_of_device(tx, device, now).await? {
        let still = store::program_device(tx, event.program, event.span, device).await?;
        let scope =
            events::EventScope { program: event.program, span: event.span, groups: &event.groups };
        let reservable = still.is_some_and(|(candidate, _)| {
            let mut candidate = candidate.candidate;
            // Its place in this very event is not a reservation elsewhere.
            candidate.reserved_for.retain(|(other, _)| *other != event.id);
            events::reservation(&scope, &candidate).is_ok()
        });
        if state == DeviceState::Reserved && !reservable {
            let left = store::set_states(tx, event.id, &[device], DeviceState::Released).await?;
            let cause = "A device left the program or the control system";
            store::reevaluate(tx, event.id, cause, left).await?;
            let release = DermsNotice::Release {
                event: event.id,
                devices: vec![device],
                reason: "deregistered",
            };
            tell(tx, &release).await?;
        }
    }
    let Some(program) = store::program_of_device(tx, device).await? else { return Ok(()) };
    let held: Vec<EventId> = store::upcoming_places_of_device(tx, device, now)
        .await?
        .into_iter()
        .map(|(event, _)| event.id)
        .collect();
    for event in store::upcoming_events(tx, program, now).await? {
        if held.contains(&event.id) {
            continue;
        }
        let Some((candidate, _)) = store::program_device(tx, program, event.span, device).await?
        else {
            continue;
        };
        let scope = events::EventScope { program, span: event.span, groups: &event.groups };
        if events::reservation(&scope, &candidate.candidate).is_err() {
            continue;
        }
        let place = Place {
            device,
            account: candidate.account,
            state: DeviceState::Reserved,
            entity_group: candidate.candidate.entity_group.as_deref().unwrap_or_default(),
            capacity: candidate.capacity,
        };
        let joined = store::insert_places(tx, event.id, &[place]).await?;
        store::reevaluate(tx, event.id, "A device joined", joined).await?;
        tell(tx, &DermsNotice::Join { event: event.id, devices: vec![device] }).await?;
        // The account hears of the event as those reserved at the call did (once: the notice's
        // key is the account's for the event).
        let program = programs::store::program(tx, program)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("event {}: no program", event.id.0)))?;
        let zone = store.utility_zone(tx).await?;
        let clock = Clock { zone: &zone };
        let label = clock.label(event.span);
        let words = NoticeWords::of(&program, &label, event.span, &clock);
        let notices = notices(event.id, &[candidate.account], "called", &words, None);
        store::queue_notices(tx, PEAK_DAY_NOTICE, &notices, event.notice_at.max(now)).await?;
    }
    Ok(())
}

/// The event, locked on PostgreSQL for a change.
async fn lock_event(tx: &mut Tx, event: EventId) -> Result<StoredEvent, EventsError> {
    if Backend::of(tx) == Backend::Postgres {
        sqlx::query("SELECT id FROM events WHERE id = $1 FOR UPDATE")
            .bind(event.0)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::from)?;
    }
    store::event(tx, event).await?.ok_or(EventsError::Refused(ChangeError::NotFound))
}

fn dispatched(device: &events::Reservable, address: &str) -> DispatchedDevice {
    DispatchedDevice {
        device_id: device.device.0,
        entity_group: device.candidate.entity_group.clone().unwrap_or_default(),
        network_address: address.to_owned(),
        capacity_kw: device.capacity.to_string(),
    }
}

/// Each account's peak-day notice of `kind` (`called`, `cancelled`), keyed so it is queued
/// once, with what the delivery of messages needs to write it.
fn notices(
    event: EventId,
    accounts: &[AccountId],
    kind: &str,
    words: &NoticeWords<'_>,
    reason: Option<&str>,
) -> Vec<(String, serde_json::Value)> {
    accounts
        .iter()
        .map(|account| {
            let payload = serde_json::json!({
                "event_id": event.0,
                "account_id": account.0,
                "kind": kind,
                "program": words.program,
                "when": words.when,
                "ask": words.ask,
                "earn": words.earn,
                "reason": reason,
                "opt_out_path": "/account/events",
            });
            (format!("notice-{}-{}-{kind}", event.0, account.0), payload)
        })
        .collect()
}

/// What every notice of one event says.
struct NoticeWords<'a> {
    program: &'a str,
    /// "Jul 15, 2026, 2:00–6:00 PM EDT".
    when: &'a str,
    ask: String,
    earn: String,
}

impl<'a> NoticeWords<'a> {
    fn of(program: &'a Program, when: &'a str, span: Span, clock: &Clock<'_>) -> Self {
        let definition = &program.definition;
        Self {
            program: &definition.name,
            when,
            ask: events::ask(
                &definition.rules.device_kinds,
                &clock.time(span.starts_at),
                &clock.time(span.ends_at),
            ),
            earn: events::earn(definition.incentives.performance),
        }
    }
}

/// Stores an outcome's effects and audit records in `tx`.
async fn execute(
    tx: &mut Tx,
    actor: Actor,
    account: Option<AccountId>,
    outcome: &Outcome<EventEffect>,
) -> Result<(), EventsError> {
    // What each event's reservation moved by, since its last history entry.
    let mut moved: BTreeMap<EventId, ReservationChange> = BTreeMap::new();
    for effect in &outcome.effects {
        match effect {
            EventEffect::SetStates { event, devices, state } => {
                *moved.entry(*event).or_default() +=
                    store::set_states(tx, *event, devices, *state).await?
            }
            EventEffect::RecordOptOut { event } => {
                let account = account
                    .ok_or_else(|| StoreError::Corrupt("an opt-out without an account".into()))?;
                if !store::record_opt_out(tx, *event, account, actor).await? {
                    return Err(
                        ChangeError::rule("You have opted out of this event already.").into()
                    );
                }
            }
            EventEffect::AddTimeAway { device, span } => {
                let account = account
                    .ok_or_else(|| StoreError::Corrupt("time away without an account".into()))?;
                store::insert_time_away(tx, account, *device, *span).await?
            }
            EventEffect::CancelTimeAway { id } => {
                let account = account
                    .ok_or_else(|| StoreError::Corrupt("time away without an account".into()))?;
                store::cancel_time_away(tx, *id, account).await?
            }
            EventEffect::CancelEvent { event, reason } => {
                store::cancel_event(tx, *event, reason).await?;
                *moved.entry(*event).or_default() += store::release_all(tx, *event).await?
            }
            EventEffect::Reevaluate { event, cause } => {
                let change = moved.remove(event).unwrap_or_default();
                store::reevaluate(tx, *event, cause, change).await?
            }
            EventEffect::Tell(notice) => tell(tx, notice).await?,
        }
    }
    for record in &outcome.audit {
        audit::append_audit(tx, &audit_entry(actor, account, record)).await?;
    }
    Ok(())
}

/// Queues what the DERMS hears of `notice`.
async fn tell(tx: &mut Tx, notice: &DermsNotice) -> Result<(), StoreError> {
    let ids = |devices: &[DeviceId]| devices.iter().map(|device| device.0).collect::<Vec<_>>();
    let (event, change) = match notice {
        DermsNotice::OptOut { event, devices } => {
            (Some(*event), DermsChange::OptOut { device_ids: ids(devices) })
        }
        DermsNotice::Release { event, devices, reason } => (
            Some(*event),
            DermsChange::Release { device_ids: ids(devices), reason: (*reason).to_owned() },
        ),
        DermsNotice::Join { event, devices } => {
            let details = store::dispatch_details(tx, *event, devices).await?;
            let devices = details
                .into_iter()
                .map(|(device, entity_group, network_address, capacity)| DispatchedDevice {
                    device_id: device.0,
                    entity_group,
                    network_address,
                    capacity_kw: capacity.to_string(),
                })
                .collect();
            (Some(*event), DermsChange::Join { devices })
        }
        DermsNotice::Cancel { event, reason } => {
            (Some(*event), DermsChange::Cancel { reason: reason.clone() })
        }
        DermsNotice::Unavailable { device, span } => (
            None,
            DermsChange::Unavailable {
                device_id: device.0,
                starts_at: derms::rfc3339(span.starts_at),
                ends_at: derms::rfc3339(span.ends_at),
            },
        ),
    };
    let ordering = match (event, notice) {
        (Some(event), _) => derms::event_order(event),
        (None, DermsNotice::Unavailable { device, .. }) => format!("device:{}", device.0),
        (None, _) => "derms".to_owned(),
    };
    derms::queue(tx, event, &ordering, derms::message_id("event"), change).await
}

/// Reads the account's events, devices, opt-outs and time away; for an opt-out
/// (`only_for_opt_out`), the one event and what opting out of it reads (the devices' names,
/// the programs' rules, the opt-outs used) and no more: it runs holding SQLite's one writer.
async fn read_account(
    conn: &mut AnyConnection,
    account: AccountId,
    only_for_opt_out: Option<EventId>,
    now: i64,
    clock: &Clock<'_>,
) -> Result<AccountView, StoreError> {
    let places = store::account_places(conn, account, only_for_opt_out).await?;
    let devices = programs::store::devices_of(conn, account).await?;
    let programs = programs::store::programs(conn).await?;
    let opt_outs = store::opt_outs_of(conn, account).await?;
    let (enrollments, away) = match only_for_opt_out {
        Some(_) => (Vec::new(), Vec::new()),
        None => (
            programs::store::live_enrollments_of(conn, account).await?,
            store::time_away_of(conn, account).await?,
        ),
    };
    let enrolled_in = |device: DeviceId| {
        enrollments
            .iter()
            .find(|e| e.status == EnrollmentStatus::Enrolled && e.devices.contains(&device))
            .map(|e| e.program_id)
    };
    let mut events: Vec<HeldEvent> = Vec::new();
    for place in &places {
        match events.last_mut() {
            Some(last) if last.id == place.event.id => {
                last.devices.push((place.device, place.state))
            }
            _ => events.push(HeldEvent {
                id: place.event.id,
                program: place.event.program,
                span: place.event.span,
                cancelled: place.event.cancelled_at.is_some(),
                opted_out: place.opted_out,
                devices: vec![(place.device, place.state)],
                label: clock.label(place.event.span),
            }),
        }
    }
    let opt_outs_used = programs
        .iter()
        .map(|program| {
            let season = program.definition.season_start..=program.definition.season_end;
            let used = opt_outs
                .iter()
                .filter(|(id, day)| *id == program.id && season.contains(day))
                .count();
            (program.id, u32::try_from(used).unwrap_or(u32::MAX))
        })
        .collect();
    let kinds = devices.iter().map(|stored| (stored.device.id, stored.device.kind)).collect();
    let state = AccountEventState {
        now,
        events,
        opt_outs_used,
        devices: devices
            .iter()
            .map(|stored| HeldDevice {
                id: stored.device.id,
                title: device_title(&stored.device),
                program: enrolled_in(stored.device.id),
            })
            .collect(),
        away: away
            .into_iter()
            .map(|away| HeldAway {
                id: away.id,
                device: away.device,
                span: away.span,
                cancelled: away.cancelled,
                label: clock.away(away.span),
            })
            .collect(),
        programs,
    };
    Ok(AccountView { state, places, kinds })
}

/// "smart thermostat (Ecobee SmartThermostat)": a device inside a sentence.
fn device_title(device: &peakday_app::programs::Device) -> String {
    format!("{} ({} {})", device.kind.noun(), device.make, device.model)
}

/// The page of the account's peak days.
fn account_page(view: AccountView, clock: &Clock<'_>, zone: &str) -> AccountEvents {
    let state = &view.state;
    let program = |id: ProgramId| state.programs.iter().find(|program| program.id == id);
    let title = |id: DeviceId| {
        state
            .devices
            .iter()
            .find(|device| device.id == id)
            .map(|device| device.title.clone())
            .unwrap_or_default()
    };
    let mut upcoming = Vec::new();
    let mut past = Vec::new();
    for held in &state.events {
        let Some(program) = program(held.program) else { continue };
        let phase = EventPhase::at(held.span, held.cancelled, state.now);
        let stored = &view
            .places
            .iter()
            .find(|place| place.event.id == held.id)
            .expect("read together")
            .event;
        let devices: Vec<EventDevice> = view
            .places
            .iter()
            .filter(|place| place.event.id == held.id)
            .map(|place| EventDevice {
                id: place.device,
                title: title(place.device),
                state: place.state,
                participation: participation(place),
            })
            .collect();
        // The ask names what the event adjusts: the devices taking part, not those away.
        let kinds: Vec<_> = devices
            .iter()
            .filter(|device| device.state == DeviceState::Reserved)
            .filter_map(|device| view.kinds.get(&device.id).copied())
            .collect();
        let opt_out_refused = match state.apply(&AccountEventChange::OptOut { event: held.id }) {
            Ok(_) => None,
            Err(ChangeError::Rule(reason)) => Some(reason),
            Err(_) => Some("This event cannot be opted out of.".to_owned()),
        };
        let allowed = program.definition.rules.opt_outs_per_season.unwrap_or(0);
        let used =
            state.opt_outs_used.iter().find(|(id, _)| *id == program.id).map_or(0, |(_, n)| *n);
        let event = AccountEvent {
            id: held.id,
            program: program.definition.name.clone(),
            day: stored.day,
            hours: clock.hours(held.span),
            phase,
            cancel_reason: stored.cancel_reason.clone(),
            devices,
            ask: events::ask(
                &kinds,
                &clock.time(held.span.starts_at),
                &clock.time(held.span.ends_at),
            ),
            earn: events::earn(program.definition.incentives.performance),
            opted_out: held.opted_out,
            opt_outs_left_after: opt_out_refused
                .is_none()
                .then(|| allowed.saturating_sub(used + 1)),
            opt_out_refused,
        };
        if held.span.ends_at > state.now {
            upcoming.push(event);
        } else {
            past.push(event);
        }
    }
    past.reverse();
    let mut enrolled: Vec<&Program> =
        state.devices.iter().filter_map(|device| device.program.and_then(program)).collect();
    enrolled.dedup_by_key(|program| program.id);
    let allowances = enrolled
        .iter()
        .map(|program| OptOutAllowance {
            program: program.definition.name.clone(),
            used: state
                .opt_outs_used
                .iter()
                .find(|(id, _)| *id == program.id)
                .map_or(0, |(_, n)| *n),
            allowed: program.definition.rules.opt_outs_per_season.filter(|n| *n > 0),
        })
        .collect();
    let devices = state
        .devices
        .iter()
        .filter_map(|device| {
            let program = program(device.program?)?;
            let periods = state
                .away
                .iter()
                .filter(|away| {
                    away.device == device.id && !away.cancelled && away.span.ends_at > state.now
                })
                .map(|away| AwayPeriod {
                    id: away.id,
                    from: clock.moment(away.span.starts_at),
                    to: clock.moment(away.span.ends_at),
                    cancellable: true,
                })
                .collect();
            Some(DeviceAway {
                device: device.id,
                title: device.title.clone(),
                program: program.definition.name.clone(),
                refused: (!program.definition.rules.unavailability_allowed)
                    .then(|| "This program does not allow scheduling time away.".to_owned()),
                periods,
            })
        })
        .collect();
    AccountEvents { upcoming, past, allowances, devices, zone: zone.to_owned() }
}

/// What the DERMS reported of one device, in words.
fn participation(place: &store::AccountPlace) -> Option<String> {
    match place.participation.as_deref()? {
        "participated" => Some(match place.delivered {
            Some(delivered) => format!("took part, {delivered} kW"),
            None => "took part".to_owned(),
        }),
        _ => Some(match place.participation_reason.as_deref() {
            Some("overridden") => "did not take part: changed by you during the event".to_owned(),
            Some("offline") => "did not take part: offline".to_owned(),
            _ => "did not take part".to_owned(),
        }),
    }
}

#[async_trait::async_trait]
impl EventsService for Events {
    async fn program_events(&self, program: ProgramId) -> Result<ProgramEvents, AppError> {
        Ok(Events::program_events(self, program).await?)
    }

    async fn call_event(
        &self,
        manager: UserId,
        program: ProgramId,
        request: EventRequest,
    ) -> Result<Saved, AppError> {
        Ok(self.call(manager, program, &request).await?)
    }

    async fn cancel_event(
        &self,
        manager: UserId,
        event: EventId,
        reason: String,
    ) -> Result<Saved, AppError> {
        Ok(self.cancel(manager, event, &reason).await?)
    }

    async fn account_events(&self, account: AccountId) -> Result<AccountEvents, AppError> {
        Ok(Events::account_events(self, account).await?)
    }

    async fn change_peak_days(
        &self,
        actor: Actor,
        account: AccountId,
        request: PeakDayRequest,
    ) -> Result<Saved, AppError> {
        Ok(self.change(actor, account, &request).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_events_hours_name_each_zone_when_the_clocks_change() {
        let zone = TimeZone::get("America/New_York").unwrap();
        let clock = Clock { zone: &zone };
        let at = |text: &str| text.parse::<jiff::Timestamp>().unwrap().as_second();
        // Jul 15, 2026, 14:00–18:00 EDT.
        let summer = Span::new(at("2026-07-15T18:00:00Z"), at("2026-07-15T22:00:00Z"));
        assert_eq!(clock.label(summer), "Jul 15, 2026, 2:00–6:00 PM EDT");
        assert_eq!(clock.time(summer.starts_at), "2:00 PM");
        // 11:00–13:00 EDT crosses noon.
        let noon = Span::new(at("2026-07-15T15:00:00Z"), at("2026-07-15T17:00:00Z"));
        assert_eq!(clock.hours(noon), "11:00 AM–1:00 PM EDT");
        // Mar 14, 2027: 01:30 EST, then the clocks go forward at 02:00; one hour later is 03:30 EDT.
        let spring = Span::new(at("2027-03-14T06:30:00Z"), at("2027-03-14T07:30:00Z"));
        assert_eq!(clock.label(spring), "Mar 14, 2027, 1:30 AM EST–3:30 AM EDT");
    }
}
