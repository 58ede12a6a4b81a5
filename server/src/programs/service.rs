//! The programs service (issue 5): an account's devices and programs, and every change to them,
//! in the one shape of a change (`peakday_app::change`): the account is read inside the write
//! transaction, [`EnrollmentState::apply`] decides, and the executor here stores the effects
//! (with the head-end sync messages they call for, in the outbox) and the audit records, all in
//! one transaction. Program managers' programs and entity groups too.

use super::store::{DeviceSites, RegistrationUpdate, StoredDevice};
use crate::accounts;
use crate::programs::head_end::message::{
    CustomerAssetSync, DeviceSync, EnrollmentRef, SyncAction,
};
use crate::programs::head_end::ASSET_SYNC;
use crate::programs::store;
use crate::store::audit;
use crate::store::audit_entry;
use crate::store::outbox;
use crate::store::{now, Store, StoreError, Tx};
use jiff::Timestamp;
use peakday_app::accounts::AccountId;
use peakday_app::activity::{Actor, ChangeSource};
use peakday_app::auth::UserId;
use peakday_app::change::ChangeError;
use peakday_app::error::AppError;
use peakday_app::programs::{
    self as programs, AccountDevices, AccountPrograms, CalendarDate, DeviceForm, EnrollmentChange,
    EnrollmentEffect, EnrollmentState, EnrollmentStatus, HeadEndAction, HeadEndChange,
    HeldEnrollment, Program, ProgramDefinition, ProgramEffect, ProgramId, ProgramSummary,
    ProgramsOverview, ProgramsService, Registration, SerialHolder,
};
use peakday_app::shell::Saved;
use sqlx::AnyConnection;

#[derive(Debug, thiserror::Error)]
pub enum EnrollmentError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the change was refused: {0:?}")]
    Refused(ChangeError),
}

impl From<EnrollmentError> for AppError {
    fn from(error: EnrollmentError) -> Self {
        match error {
            EnrollmentError::Store(error) => error.into(),
            EnrollmentError::Refused(refusal) => refusal.into(),
        }
    }
}

/// The account as read for the rules, with what the executor needs beside it (database ids of
/// service points, devices as stored for the head-end's messages).
struct Loaded {
    sites: DeviceSites,
    devices: Vec<StoredDevice>,
    state: EnrollmentState,
}

impl Loaded {
    async fn read(
        store: &Store,
        conn: &mut AnyConnection,
        account: AccountId,
    ) -> Result<Self, StoreError> {
        let sites = store::device_sites_of(conn, account).await?;
        let stored = store::devices_of(conn, account).await?;
        let enrollments = store::live_enrollments_of(conn, account).await?;
        let programs = store::programs(conn).await?;
        let zone = store.utility_zone(conn).await?;
        let date = Timestamp::now().to_zoned(zone.clone()).date();
        let today = CalendarDate::new(date.year() as u16, date.month() as u8, date.day() as u8)
            .expect("jiff gives real dates");
        let state = EnrollmentState {
            life_support: sites.life_support,
            service_points: sites
                .locations
                .iter()
                .map(|location| (location.number.clone(), location.rate_class.clone()))
                .collect(),
            // Devices as people see them, with the last sync in the utility's time.
            devices: stored
                .iter()
                .map(|stored| {
                    let mut device = stored.device.clone();
                    device.last_sync =
                        stored.last_sync_at.map(|at| crate::store::local_time(&zone, at));
                    device
                })
                .collect(),
            enrollments: enrollments
                .into_iter()
                .map(|e| HeldEnrollment {
                    id: e.id,
                    program_id: e.program_id,
                    service_point: e.service_point,
                    status: e.status,
                    devices: e.devices,
                })
                .collect(),
            programs,
            today,
            serial_holder: None,
        };
        Ok(Self { sites, devices: stored, state })
    }

    fn service_point_id(&self, number: &str) -> Result<i64, StoreError> {
        self.sites
            .locations
            .iter()
            .find(|location| location.number == number)
            .map(|location| location.id)
            .ok_or_else(|| StoreError::Corrupt(format!("service point {number} not loaded")))
    }

    fn stored_device(&self, id: programs::DeviceId) -> Result<&StoredDevice, StoreError> {
        self.devices
            .iter()
            .find(|stored| stored.device.id == id)
            .ok_or_else(|| StoreError::Corrupt(format!("device {} not loaded", id.0)))
    }

    fn program(&self, id: ProgramId) -> Result<&Program, StoreError> {
        self.state
            .programs
            .iter()
            .find(|program| program.id == id)
            .ok_or_else(|| StoreError::Corrupt(format!("program {} not loaded", id.0)))
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

    #[tracing::instrument(name = "programs.devices", skip_all, fields(account = account.0))]
    pub async fn devices(&self, account: AccountId) -> Result<AccountDevices, EnrollmentError> {
        let loaded = Loaded::read(&self.store, &mut *self.store.read().await?, account).await?;
        Ok(AccountDevices {
            service_points: loaded.sites.locations.iter().map(|l| l.number.clone()).collect(),
            devices: loaded.state.devices,
        })
    }

    #[tracing::instrument(name = "programs.offers", skip_all, fields(account = account.0))]
    pub async fn programs(&self, account: AccountId) -> Result<AccountPrograms, EnrollmentError> {
        let loaded = Loaded::read(&self.store, &mut *self.store.read().await?, account).await?;
        Ok(loaded.state.offers())
    }

    /// Applies one change in one write transaction: the account is read on it, the shared rules
    /// decide, and the effects, audit records and any sync message commit together.
    #[tracing::instrument(name = "programs.change", skip_all, fields(account = account.0))]
    pub async fn change(
        &self,
        actor: Actor,
        account: AccountId,
        change: &EnrollmentChange,
    ) -> Result<Saved, EnrollmentError> {
        let mut tx = self.store.begin_write().await?;
        // On PostgreSQL two changes of one account would otherwise read the same state and
        // both pass its checks (a meter in two programs of a kind, messages out of order).
        accounts::store::lock_account(&mut tx, account).await?;
        let mut loaded = Loaded::read(&self.store, &mut tx, account).await?;
        if let EnrollmentChange::AddDevice(device) = change {
            loaded.state.serial_holder = store::serial_owner(&mut tx, &device.make, &device.serial)
                .await?
                .map(|(owner, number)| match owner == account {
                    true => SerialHolder::ThisAccount,
                    false => SerialHolder::OtherAccount(number),
                });
        }
        let outcome = loaded.state.apply(actor.source, change).map_err(EnrollmentError::Refused)?;
        let mut executor = Executor { tx: &mut tx, loaded: &loaded, account, created: None };
        for effect in &outcome.effects {
            executor.store(effect).await?;
        }
        for record in &outcome.audit {
            audit::append_audit(&mut tx, &audit_entry(actor, Some(account), record)).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Saved::new(outcome.message))
    }

    #[tracing::instrument(name = "programs.overview", skip_all)]
    pub async fn overview(&self) -> Result<ProgramsOverview, EnrollmentError> {
        let programs = store::programs(&mut *self.store.read().await?).await?;
        let counts = store::live_enrollment_counts(&mut *self.store.read().await?).await?;
        Ok(ProgramsOverview {
            programs: programs
                .into_iter()
                .map(|program| ProgramSummary {
                    live_enrollments: counts.get(&program.id).copied().unwrap_or(0),
                    program,
                })
                .collect(),
            groups: store::entity_groups(&mut *self.store.read().await?).await?,
        })
    }

    /// Creates program `id` (`None`) or changes it, as `manager`'s change.
    #[tracing::instrument(name = "programs.save_program", skip_all, fields(program = id.map(|id| id.0)))]
    pub async fn save_program(
        &self,
        manager: UserId,
        id: Option<ProgramId>,
        definition: &ProgramDefinition,
    ) -> Result<Saved, EnrollmentError> {
        let mut tx = self.store.begin_write().await?;
        let before = match id {
            Some(id) => store::program_for_change(&mut tx, id).await?,
            None => None,
        };
        let taken = store::program_name_taken(&mut tx, &definition.name, id).await?;
        // Read under the program's lock, which a call of an event takes too.
        let events_to_come = match id {
            Some(id) => store::days_of_events_to_come(&mut tx, id, now()).await?,
            None => Vec::new(),
        };
        let outcome =
            programs::apply_program_save(id, before.as_ref(), taken, &events_to_come, definition)
                .map_err(EnrollmentError::Refused)?;
        for effect in &outcome.effects {
            let stored = match effect {
                ProgramEffect::Create(definition) => {
                    store::insert_program(&mut tx, definition).await.map(drop)
                }
                ProgramEffect::Update(id, definition) => {
                    store::update_program(&mut tx, *id, definition).await
                }
            };
            match stored {
                // Two managers saving one name at once on PostgreSQL: both read it free; the
                // unique index takes one, and the other hears what the check would have said.
                Err(error) if error.is_unique_violation() => {
                    return Err(EnrollmentError::Refused(programs::name_taken()))
                }
                stored => stored?,
            }
        }
        let actor = Actor { user_id: Some(manager), source: ChangeSource::Portal };
        for record in &outcome.audit {
            audit::append_audit(&mut tx, &audit_entry(actor, None, record)).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Saved::new(outcome.message))
    }
}

/// Stores one change's effects, in order, in its transaction.
struct Executor<'a> {
    tx: &'a mut Tx,
    loaded: &'a Loaded,
    account: AccountId,
    /// The enrollment this change created, once created.
    created: Option<programs::EnrollmentId>,
}

impl Executor<'_> {
    async fn store(&mut self, effect: &EnrollmentEffect) -> Result<(), EnrollmentError> {
        match effect {
            EnrollmentEffect::AddDevice(device) => {
                let site = self.loaded.service_point_id(&device.service_point)?;
                match store::insert_device(self.tx, self.account, site, device).await {
                    // Another request added the same serial a moment before (PostgreSQL lets
                    // both read no holder; the unique index takes one): answered as the rule
                    // answers a serial found elsewhere.
                    Err(error) if error.is_unique_violation() => {
                        return Err(EnrollmentError::Refused(ChangeError::field(
                            DeviceForm::SERIAL,
                            programs::SERIAL_ELSEWHERE,
                        )))
                    }
                    inserted => inserted?,
                };
            }
            EnrollmentEffect::RemoveDevice(device) => {
                store::remove_device(self.tx, *device).await?
            }
            EnrollmentEffect::CreateEnrollment { program, service_point } => {
                let site = self.loaded.service_point_id(service_point)?;
                let id = store::insert_enrollment(self.tx, self.account, *program, site).await?;
                self.created = Some(id);
            }
            EnrollmentEffect::SetStatus { enrollment, status } => {
                store::set_enrollment_status(self.tx, *enrollment, *status).await?
            }
            EnrollmentEffect::Join { enrollment, device, entity_group } => {
                let enrollment = self.enrollment(*enrollment)?;
                store::add_enrollment_device(self.tx, enrollment, *device, entity_group).await?
            }
            EnrollmentEffect::Leave { enrollment, device } => {
                store::remove_enrollment_device(self.tx, *enrollment, *device).await?
            }
            EnrollmentEffect::TellHeadEnd {
                enrollment,
                program,
                service_point,
                status,
                devices,
            } => {
                let enrollment = self.enrollment(*enrollment)?;
                let program = self.loaded.program(*program)?;
                self.queue_sync(enrollment, program, service_point, *status, devices).await?;
            }
        }
        Ok(())
    }

    fn enrollment(
        &self,
        reference: programs::EnrollmentRef,
    ) -> Result<programs::EnrollmentId, StoreError> {
        match reference {
            programs::EnrollmentRef::Existing(id) => Ok(id),
            programs::EnrollmentRef::Created => {
                self.created.ok_or_else(|| StoreError::Corrupt("no enrollment was created".into()))
            }
        }
    }

    /// Queues the customer asset sync message for `devices` and marks each one pending with it.
    async fn queue_sync(
        &mut self,
        enrollment: programs::EnrollmentId,
        program: &Program,
        service_point: &str,
        status: EnrollmentStatus,
        devices: &[HeadEndChange],
    ) -> Result<(), StoreError> {
        use rand::RngCore;
        let mut id = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut id);
        let message_id = format!("sync-{}", hex::encode(id));
        let account_number = &self.loaded.sites.account_number;
        let mut synced = Vec::with_capacity(devices.len());
        for change in devices {
            let device = &self.loaded.stored_device(change.device)?.device;
            synced.push(DeviceSync {
                // The head-end's API carries plain numbers.
                device_id: device.id.0,
                action: match change.action {
                    HeadEndAction::Register => SyncAction::Register,
                    HeadEndAction::Deregister => SyncAction::Deregister,
                },
                kind: device.kind.as_str().to_owned(),
                make: device.make.clone(),
                model: device.model.clone(),
                serial: device.serial.clone(),
                network_address: device.network_address.clone(),
                capacity: device.capacity.to_string(),
                capacity_unit: device.kind.capacity_unit().to_owned(),
                entity_group: change.entity_group.clone(),
            });
        }
        let message = CustomerAssetSync {
            message_id: message_id.clone(),
            created_at: Timestamp::now().to_string(),
            account_number: account_number.clone(),
            enrollment: EnrollmentRef {
                id: enrollment.0,
                program_id: program.id.0,
                program_name: program.definition.name.clone(),
                program_kind: program.definition.kind.as_str().to_owned(),
                status: status.as_str().to_owned(),
                service_point: service_point.to_owned(),
            },
            devices: synced,
        };
        for change in devices {
            let registration = match change.action {
                HeadEndAction::Register => Registration::RegistrationPending,
                HeadEndAction::Deregister => Registration::DeregistrationPending,
            };
            let update = RegistrationUpdate {
                registration,
                detail: None,
                sync_message: Some(&message_id),
                synced_at: None,
                if_message: None,
            };
            store::set_registration(self.tx, change.device, &update).await?;
        }
        let payload = serde_json::to_value(&message).expect("a sync message serializes");
        // One account's messages reach the head-end in the order they were made: an
        // unenrollment queued while its enrollment's registration waits out an outage must not
        // overtake it.
        outbox::enqueue(self.tx, ASSET_SYNC, &message_id, Some(account_number), &payload).await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl ProgramsService for Enrollments {
    async fn account_devices(&self, account: AccountId) -> Result<AccountDevices, AppError> {
        Ok(self.devices(account).await?)
    }

    async fn account_programs(&self, account: AccountId) -> Result<AccountPrograms, AppError> {
        Ok(self.programs(account).await?)
    }

    async fn change_enrollment(
        &self,
        actor: Actor,
        account: AccountId,
        change: EnrollmentChange,
    ) -> Result<Saved, AppError> {
        Ok(self.change(actor, account, &change).await?)
    }

    async fn programs_overview(&self) -> Result<ProgramsOverview, AppError> {
        Ok(self.overview().await?)
    }

    async fn save_program(
        &self,
        manager: UserId,
        program: Option<ProgramId>,
        definition: ProgramDefinition,
    ) -> Result<Saved, AppError> {
        Ok(self.save_program(manager, program, &definition).await?)
    }
}
