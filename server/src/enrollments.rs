//! The programs service (issue 5): an account's devices and programs, every change to them
//! checked by the shared eligibility rule, stored with its audit record and, where the head-end
//! must hear of it, the sync message (in the outbox), all in one transaction. Program managers'
//! programs and entity groups too.

use crate::head_end::message::{CustomerAssetSync, DeviceSync, EnrollmentRef, SyncAction};
use crate::head_end::ASSET_SYNC;
use crate::store::{
    AuditEntry, DeviceSites, RegistrationUpdate, Store, StoreError, StoredDevice, StoredEnrollment,
    Tx,
};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use peakday_app::accounts::AccountId;
use peakday_app::activity::Actor;
use peakday_app::error::{AppError, FieldErrors};
use peakday_app::preferences::Saved;
use peakday_app::programs::{
    device_obstacle, eligible_devices, entity_group, AccountDevices, AccountFacts, AccountPrograms,
    CalendarDate, Device, DeviceForm, EnrollmentChange, EnrollmentStatus, EnrollmentView,
    LiveEnrollment, NewDevice, Program, ProgramDefinition, ProgramForm, ProgramOffer,
    ProgramStatus, ProgramSummary, ProgramsOverview, Registration,
};
use sqlx::AnyConnection;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum EnrollmentError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Refused(String),
    #[error("invalid fields")]
    Fields(FieldErrors),
}

impl From<EnrollmentError> for AppError {
    fn from(error: EnrollmentError) -> Self {
        match error {
            EnrollmentError::Store(error) => crate::portal::unavailable(error),
            EnrollmentError::NotFound => AppError::NotFound,
            EnrollmentError::Refused(message) => AppError::Invalid(message),
            EnrollmentError::Fields(fields) => AppError::InvalidFields(fields),
        }
    }
}

fn refused<T>(message: impl Into<String>) -> Result<T, EnrollmentError> {
    Err(EnrollmentError::Refused(message.into()))
}

/// Everything the rules need about one account, read on one connection.
struct AccountState {
    sites: DeviceSites,
    devices: Vec<StoredDevice>,
    enrollments: Vec<StoredEnrollment>,
    programs: Vec<Program>,
    zone: TimeZone,
}

impl AccountState {
    async fn load(
        store: &Store,
        conn: &mut AnyConnection,
        account: AccountId,
    ) -> Result<Self, StoreError> {
        Ok(Self {
            sites: Store::device_sites_of(conn, account).await?,
            devices: Store::devices_of(conn, account).await?,
            enrollments: Store::live_enrollments_of(conn, account).await?,
            programs: Store::programs(conn).await?,
            zone: store.utility_zone_on(conn).await?,
        })
    }

    fn program(&self, id: i64) -> Option<&Program> {
        self.programs.iter().find(|program| program.id == id)
    }

    fn device(&self, id: i64) -> Result<&StoredDevice, EnrollmentError> {
        self.devices.iter().find(|device| device.device.id == id).ok_or(EnrollmentError::NotFound)
    }

    fn enrollment(&self, id: i64) -> Result<&StoredEnrollment, EnrollmentError> {
        self.enrollments
            .iter()
            .find(|enrollment| enrollment.id == id)
            .ok_or(EnrollmentError::NotFound)
    }

    fn today(&self) -> CalendarDate {
        let date = Timestamp::now().to_zoned(self.zone.clone()).date();
        CalendarDate::new(date.year() as u16, date.month() as u8, date.day() as u8)
            .expect("jiff gives real dates")
    }

    /// Devices as people see them, with the last sync in the utility's time.
    fn devices(&self) -> Vec<Device> {
        self.devices
            .iter()
            .map(|stored| {
                let mut device = stored.device.clone();
                device.last_sync =
                    stored.last_sync_at.map(|at| crate::store::local_time(&self.zone, at));
                device
            })
            .collect()
    }

    fn facts(&self) -> AccountFacts {
        AccountFacts {
            life_support: self.sites.life_support,
            service_points: self
                .sites
                .locations
                .iter()
                .map(|location| (location.number.clone(), location.rate_class.clone()))
                .collect(),
            devices: self.devices(),
            enrollments: self
                .enrollments
                .iter()
                .filter_map(|enrollment| {
                    let program = self.program(enrollment.program_id)?;
                    Some(LiveEnrollment {
                        program_id: program.id,
                        program_name: program.definition.name.clone(),
                        program_kind: program.definition.kind,
                        service_point: enrollment.service_point.clone(),
                        devices: enrollment.devices.clone(),
                    })
                })
                .collect(),
        }
    }

    /// Refuses `device` for `program` with the rule's reason, if it has one.
    fn check_device(
        &self,
        program: &Program,
        device: &StoredDevice,
    ) -> Result<(), EnrollmentError> {
        match device_obstacle(program, &self.facts(), &device.device) {
            Some(reason) => refused(reason.message()),
            None => Ok(()),
        }
    }
}

/// The programs service over the store.
#[derive(Clone)]
pub struct Enrollments {
    store: Store,
}

impl Enrollments {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    pub async fn devices(&self, account: AccountId) -> Result<AccountDevices, EnrollmentError> {
        let state =
            AccountState::load(&self.store, &mut *self.store.read().await?, account).await?;
        Ok(AccountDevices {
            devices: state.devices(),
            service_points: state.sites.locations.iter().map(|l| l.number.clone()).collect(),
        })
    }

    pub async fn programs(&self, account: AccountId) -> Result<AccountPrograms, EnrollmentError> {
        let state =
            AccountState::load(&self.store, &mut *self.store.read().await?, account).await?;
        let facts = state.facts();
        let devices = state.devices();
        let today = state.today();
        let offers = state
            .programs
            .iter()
            .filter_map(|program| {
                let enrollment = state.enrollments.iter().find(|e| e.program_id == program.id);
                if program.definition.status != ProgramStatus::Active && enrollment.is_none() {
                    return None;
                }
                let (eligible, reasons) = match eligible_devices(program, &facts, today) {
                    Ok(ids) => {
                        (devices.iter().filter(|d| ids.contains(&d.id)).cloned().collect(), vec![])
                    }
                    Err(reasons) => {
                        (vec![], reasons.iter().map(|reason| reason.message()).collect())
                    }
                };
                let enrollment = enrollment.map(|e| EnrollmentView {
                    id: e.id,
                    status: e.status,
                    service_point: e.service_point.clone(),
                    devices: devices
                        .iter()
                        .filter(|d| e.devices.contains(&d.id))
                        .cloned()
                        .collect(),
                });
                // Once enrolled, only devices behind the same meter may join.
                let eligible = match &enrollment {
                    Some(e) => eligible
                        .into_iter()
                        .filter(|d: &Device| d.service_point == e.service_point)
                        .collect(),
                    None => eligible,
                };
                Some(ProgramOffer { program: program.clone(), enrollment, eligible, reasons })
            })
            .collect();
        Ok(AccountPrograms { offers })
    }

    /// Applies one change in one write transaction: the account is read on it, the shared rules
    /// decide, and the change, its audit record and any sync message commit together.
    pub async fn change(
        &self,
        actor: Actor,
        account: AccountId,
        change: &EnrollmentChange,
    ) -> Result<Saved, EnrollmentError> {
        let mut tx = self.store.begin_write().await?;
        // On PostgreSQL two changes of one account would otherwise read the same state and
        // both pass its checks (a meter in two programs of a kind, messages out of order).
        Store::lock_account(&mut tx, account).await?;
        let state = AccountState::load(&self.store, &mut tx, account).await?;
        let record = &mut Record { tx: &mut tx, actor, account };
        let message = match *change {
            EnrollmentChange::AddDevice(ref device) => add_device(record, &state, device).await?,
            EnrollmentChange::RemoveDevice { device } => {
                remove_device(record, &state, device).await?
            }
            EnrollmentChange::Enroll { program, device } => {
                enroll(record, &state, program, device).await?
            }
            EnrollmentChange::AddToEnrollment { enrollment, device } => {
                add_to_enrollment(record, &state, enrollment, device).await?
            }
            EnrollmentChange::ReplaceDevice { enrollment, device, replacement } => {
                replace_device(record, &state, enrollment, device, replacement).await?
            }
            EnrollmentChange::Unenroll { enrollment } => {
                unenroll(record, &state, enrollment).await?
            }
        };
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Saved { message, version: 0 })
    }

    pub async fn overview(&self) -> Result<ProgramsOverview, EnrollmentError> {
        let programs = Store::programs(&mut *self.store.read().await?).await?;
        let counts = self.store.live_enrollment_counts().await?;
        Ok(ProgramsOverview {
            programs: programs
                .into_iter()
                .map(|program| ProgramSummary {
                    live_enrollments: counts.get(&program.id).copied().unwrap_or(0),
                    program,
                })
                .collect(),
            groups: self.store.entity_groups().await?,
        })
    }

    pub async fn save_program(
        &self,
        manager: i64,
        id: Option<i64>,
        definition: &ProgramDefinition,
    ) -> Result<Saved, EnrollmentError> {
        let name_taken = || {
            let mut fields = FieldErrors::default();
            fields.add(ProgramForm::NAME, "Another program has this name.");
            EnrollmentError::Fields(fields)
        };
        let mut tx = self.store.begin_write().await?;
        if Store::program_name_taken(&mut tx, &definition.name, id).await? {
            return Err(name_taken());
        }
        let before = match id {
            Some(id) => Some(Store::program(&mut tx, id).await?.ok_or(EnrollmentError::NotFound)?),
            None => None,
        };
        let (action, summary) = match id {
            Some(id) => {
                match Store::update_program(&mut tx, id, definition).await {
                    Err(error) if error.is_unique_violation() => return Err(name_taken()),
                    updated => updated?,
                };
                ("program.changed", format!("Changed program {}", definition.name))
            }
            None => {
                match Store::insert_program(&mut tx, definition).await {
                    Err(error) if error.is_unique_violation() => return Err(name_taken()),
                    inserted => inserted?,
                };
                ("program.created", format!("Created program {}", definition.name))
            }
        };
        let entry = AuditEntry {
            actor_user_id: Some(manager),
            account: None,
            source: peakday_app::activity::ChangeSource::Portal,
            action: action.to_owned(),
            summary,
            before: before.map(|program| program_fields(&program.definition)),
            after: Some(program_fields(definition)),
        };
        Store::append_audit(&mut tx, &entry).await?;
        tx.commit().await.map_err(StoreError::from)?;
        let verb = if id.is_some() { "saved" } else { "created" };
        Ok(Saved { message: format!("{} was {verb}.", definition.name), version: 0 })
    }
}

/// The program as the audit log keeps it: its form, field by field.
fn program_fields(definition: &ProgramDefinition) -> String {
    serde_json::to_string(&ProgramForm::of(definition)).unwrap_or_default()
}

/// The transaction, who acts, and on which account: what each audit record needs.
struct Record<'a> {
    tx: &'a mut Tx,
    actor: Actor,
    account: AccountId,
}

impl Record<'_> {
    async fn audit(
        &mut self,
        action: &str,
        summary: String,
        before: Option<&[(&str, &str)]>,
        after: Option<&[(&str, &str)]>,
    ) -> Result<(), StoreError> {
        let json = |fields: Option<&[(&str, &str)]>| {
            fields.map(|fields| {
                let map: BTreeMap<&str, &str> = fields.iter().copied().collect();
                serde_json::to_string(&map).unwrap_or_default()
            })
        };
        let entry = AuditEntry {
            actor_user_id: self.actor.user_id,
            account: Some(self.account),
            source: self.actor.source,
            action: action.to_owned(),
            summary,
            before: json(before),
            after: json(after),
        };
        Store::append_audit(self.tx, &entry).await
    }
}

async fn add_device(
    record: &mut Record<'_>,
    state: &AccountState,
    device: &NewDevice,
) -> Result<String, EnrollmentError> {
    let Some(location) = state.sites.locations.iter().find(|l| l.number == device.service_point)
    else {
        let mut fields = FieldErrors::default();
        fields.add(DeviceForm::SERVICE_POINT, "Choose one of this account's service points.");
        return Err(EnrollmentError::Fields(fields));
    };
    if let Some((owner, number)) =
        Store::serial_owner(record.tx, &device.make, &device.serial).await?
    {
        // Whether another account has this device is not the customer's to learn: customer
        // service, who can see both accounts, is told which and can resolve it.
        let message = if owner == record.account {
            "This device is on this account already.".to_owned()
        } else if record.actor.source == peakday_app::activity::ChangeSource::Agent {
            format!("A device with this make and serial is on account {number}. If it belongs here, remove it from that account first.")
        } else {
            "We could not add this device. If it is yours, contact us: customer service can sort it out.".to_owned()
        };
        let mut fields = FieldErrors::default();
        fields.add(DeviceForm::SERIAL, message);
        return Err(EnrollmentError::Fields(fields));
    }
    match Store::insert_device(record.tx, record.account, location.id, device).await {
        // Another request added the same serial a moment before (PostgreSQL lets both pass
        // the check above; the unique index takes one): answered as the check answers.
        Err(error) if error.is_unique_violation() => {
            let mut fields = FieldErrors::default();
            fields.add(DeviceForm::SERIAL, "We could not add this device. If it is yours, contact us: customer service can sort it out.");
            return Err(EnrollmentError::Fields(fields));
        }
        inserted => inserted?,
    };
    let capacity = format!("{} {}", device.capacity, device.kind.capacity_unit());
    let after: [(&str, &str); 7] = [
        ("Kind", device.kind.label()),
        ("Make", &device.make),
        ("Model", &device.model),
        ("Serial", &device.serial),
        ("Network address", &device.network_address),
        ("Capacity", &capacity),
        ("Service point", &device.service_point),
    ];
    let title = format!("{} {} {}", device.kind.label(), device.make, device.model);
    record.audit("device.added", format!("Added a device: {title}"), None, Some(&after)).await?;
    Ok(format!("Your {} {} was added. See Programs to enroll it.", device.make, device.model))
}

async fn remove_device(
    record: &mut Record<'_>,
    state: &AccountState,
    device: i64,
) -> Result<String, EnrollmentError> {
    let device = state.device(device)?;
    if let Some(program) = &device.device.enrolled_in {
        return refused(format!(
            "Your {} takes part in {program}: unenroll or replace it there first.",
            device.device.title()
        ));
    }
    Store::remove_device(record.tx, device.device.id).await?;
    let title = device.device.title();
    record
        .audit("device.removed", format!("Removed the {title}"), Some(&[("Device", &title)]), None)
        .await?;
    Ok(format!("Your {title} was removed."))
}

async fn add_to_enrollment(
    record: &mut Record<'_>,
    state: &AccountState,
    enrollment: i64,
    device: i64,
) -> Result<String, EnrollmentError> {
    let enrollment = state.enrollment(enrollment)?;
    let program = state.program(enrollment.program_id).ok_or(EnrollmentError::NotFound)?;
    let device = state.device(device)?;
    same_meter(enrollment, device)?;
    state.check_device(program, device)?;
    let group = join(record, program, enrollment.id, device).await?;
    queue_sync(
        record,
        state,
        program,
        enrollment,
        enrollment.status,
        &[(device, SyncAction::Register, group)],
    )
    .await?;
    let (title, name) = (device.device.title(), &program.definition.name);
    record
        .audit(
            "enrollment.device_added",
            format!("Added the {title} to {name}"),
            None,
            Some(&[("Devices", &title)]),
        )
        .await?;
    Ok(format!("Your {title} was added to {name}. Its registration is pending."))
}

/// The old device is de-registered and the new one registered, in one message.
async fn replace_device(
    record: &mut Record<'_>,
    state: &AccountState,
    enrollment: i64,
    device: i64,
    replacement: i64,
) -> Result<String, EnrollmentError> {
    let enrollment = state.enrollment(enrollment)?;
    let program = state.program(enrollment.program_id).ok_or(EnrollmentError::NotFound)?;
    let old = state.device(device)?;
    if !enrollment.devices.contains(&old.device.id) {
        return Err(EnrollmentError::NotFound);
    }
    let new = state.device(replacement)?;
    same_meter(enrollment, new)?;
    state.check_device(program, new)?;
    Store::remove_enrollment_device(record.tx, enrollment.id, old.device.id).await?;
    let old_group = old.device.entity_group.clone().unwrap_or_default();
    let group = join(record, program, enrollment.id, new).await?;
    let devices = [(old, SyncAction::Deregister, old_group), (new, SyncAction::Register, group)];
    queue_sync(record, state, program, enrollment, enrollment.status, &devices).await?;
    let (old, new, name) = (old.device.title(), new.device.title(), &program.definition.name);
    record
        .audit(
            "enrollment.device_replaced",
            format!("Replaced the {old} with the {new} in {name}"),
            Some(&[("Devices", &old)]),
            Some(&[("Devices", &new)]),
        )
        .await?;
    Ok(format!("Your {new} replaces the {old} in {name}. The change is being registered."))
}

async fn unenroll(
    record: &mut Record<'_>,
    state: &AccountState,
    enrollment: i64,
) -> Result<String, EnrollmentError> {
    let enrollment = state.enrollment(enrollment)?;
    let program = state.program(enrollment.program_id).ok_or(EnrollmentError::NotFound)?;
    Store::set_enrollment_status(record.tx, enrollment.id, EnrollmentStatus::Unenrolled).await?;
    let mut leaving = Vec::new();
    for id in &enrollment.devices {
        let device = state.device(*id)?;
        Store::remove_enrollment_device(record.tx, enrollment.id, *id).await?;
        leaving.push((
            device,
            SyncAction::Deregister,
            device.device.entity_group.clone().unwrap_or_default(),
        ));
    }
    queue_sync(record, state, program, enrollment, EnrollmentStatus::Unenrolled, &leaving).await?;
    let name = &program.definition.name;
    let before = enrollment.status.label();
    record
        .audit(
            "enrollment.ended",
            format!("Unenrolled from {name}"),
            Some(&[(name, before)]),
            Some(&[(name, "Unenrolled")]),
        )
        .await?;
    Ok(format!("You are unenrolled from {name}. Your devices are being de-registered."))
}

async fn enroll(
    record: &mut Record<'_>,
    state: &AccountState,
    program: i64,
    device: i64,
) -> Result<String, EnrollmentError> {
    let program = state.program(program).ok_or(EnrollmentError::NotFound)?;
    let device = state.device(device)?;
    let name = &program.definition.name;
    if state.enrollments.iter().any(|e| e.program_id == program.id) {
        return refused(format!("This account is enrolled in {name} already: add the device to that enrollment instead."));
    }
    match eligible_devices(program, &state.facts(), state.today()) {
        Err(reasons) => {
            let reasons: Vec<String> = reasons.iter().map(|reason| reason.message()).collect();
            return refused(reasons.join(" "));
        }
        Ok(ids) if !ids.contains(&device.device.id) => state.check_device(program, device)?,
        Ok(_) => {}
    }
    let id =
        Store::insert_enrollment(record.tx, record.account, program.id, device.service_point_id)
            .await?;
    let enrollment = StoredEnrollment {
        id,
        account: record.account,
        program_id: program.id,
        service_point_id: device.service_point_id,
        service_point: device.device.service_point.clone(),
        status: EnrollmentStatus::Pending,
        devices: vec![],
    };
    let group = join(record, program, id, device).await?;
    queue_sync(
        record,
        state,
        program,
        &enrollment,
        EnrollmentStatus::Pending,
        &[(device, SyncAction::Register, group)],
    )
    .await?;
    let title = device.device.title();
    record
        .audit(
            "enrollment.created",
            format!("Enrolled in {name}"),
            None,
            Some(&[(name.as_str(), "Pending"), ("Devices", &title)]),
        )
        .await?;
    Ok(format!(
        "You are enrolled in {name}. Your {title} is being registered with the utility's control system; it shows Registered here when that is done."
    ))
}

/// An enrollment covers one service point: its devices sit behind that meter.
fn same_meter(enrollment: &StoredEnrollment, device: &StoredDevice) -> Result<(), EnrollmentError> {
    if device.service_point_id == enrollment.service_point_id {
        Ok(())
    } else {
        refused(format!(
            "Your {} is at service point {}, and this enrollment covers {}.",
            device.device.title(),
            device.device.service_point,
            enrollment.service_point
        ))
    }
}

/// Puts `device` in the enrollment with its entity group; returns the group.
async fn join(
    record: &mut Record<'_>,
    program: &Program,
    enrollment: i64,
    device: &StoredDevice,
) -> Result<String, StoreError> {
    let group =
        entity_group(program, device.device.kind, device.device.capacity, &device.rate_class);
    Store::add_enrollment_device(record.tx, enrollment, device.device.id, &group).await?;
    Ok(group)
}

/// Queues the customer asset sync message for `devices` and marks each one pending with it.
async fn queue_sync(
    record: &mut Record<'_>,
    state: &AccountState,
    program: &Program,
    enrollment: &StoredEnrollment,
    status: EnrollmentStatus,
    devices: &[(&StoredDevice, SyncAction, String)],
) -> Result<(), StoreError> {
    use rand::RngCore;
    let mut id = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut id);
    let message_id = format!("sync-{}", hex::encode(id));
    let message = CustomerAssetSync {
        message_id: message_id.clone(),
        created_at: Timestamp::now().to_string(),
        account_number: state.sites.account_number.clone(),
        enrollment: EnrollmentRef {
            id: enrollment.id,
            program_id: program.id,
            program_name: program.definition.name.clone(),
            program_kind: program.definition.kind.as_str().to_owned(),
            status: status.as_str().to_owned(),
            service_point: enrollment.service_point.clone(),
        },
        devices: devices
            .iter()
            .map(|(device, action, group)| DeviceSync {
                device_id: device.device.id,
                action: *action,
                kind: device.device.kind.as_str().to_owned(),
                make: device.device.make.clone(),
                model: device.device.model.clone(),
                serial: device.device.serial.clone(),
                network_address: device.device.network_address.clone(),
                capacity: device.device.capacity.to_string(),
                capacity_unit: device.device.kind.capacity_unit().to_owned(),
                entity_group: group.clone(),
            })
            .collect(),
    };
    for (device, action, _) in devices {
        let registration = match action {
            SyncAction::Register => Registration::RegistrationPending,
            SyncAction::Deregister => Registration::DeregistrationPending,
        };
        let update = RegistrationUpdate {
            registration,
            detail: None,
            sync_message: Some(&message_id),
            synced_at: None,
            if_message: None,
        };
        Store::set_registration(record.tx, device.device.id, &update).await?;
    }
    let payload = serde_json::to_value(&message).expect("a sync message serializes");
    // One account's messages reach the head-end in the order they were made: an unenrollment
    // queued while its enrollment's registration waits out an outage must not overtake it.
    let account = Some(state.sites.account_number.as_str());
    Store::enqueue(record.tx, ASSET_SYNC, &message_id, account, &payload).await?;
    Ok(())
}
