//! The rules of changing an account's devices and enrollments, as one pure function
//! ([`EnrollmentState::apply`], the shape of `crate::change`): the account as read inside the
//! write transaction and the change in; the effects to store (with the head-end messages they
//! call for), the audit records and the confirmation out. The server's executor stores them.

use super::eligibility::{device_obstacle, eligible_devices, AccountFacts, LiveEnrollment};
use super::view::{AccountPrograms, EnrollmentStatus, EnrollmentView, ProgramOffer};
use super::{
    entity_group, CalendarDate, Device, DeviceForm, DeviceId, EnrollmentChange, EnrollmentId,
    NewDevice, Program, ProgramId, ProgramStatus,
};
use crate::activity::ChangeSource;
use crate::change::{AuditRecord, ChangeError};

/// An accepted change of devices or enrollments.
pub type Outcome = crate::change::Outcome<EnrollmentEffect>;

/// A live (pending or enrolled) enrollment of the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldEnrollment {
    pub id: EnrollmentId,
    pub program_id: ProgramId,
    /// The electric service point (meter) it covers, by number.
    pub service_point: String,
    pub status: EnrollmentStatus,
    /// The devices in it now.
    pub devices: Vec<DeviceId>,
}

/// Where the make and serial of a device being added are registered already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SerialHolder {
    ThisAccount,
    /// Another account, by number: customer service may be told, the customer never.
    OtherAccount(String),
}

/// The account's devices and enrollments as the rules see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentState {
    /// A medical or life-support flag: no demand response.
    pub life_support: bool,
    /// Each electric service point's number and rate class.
    pub service_points: Vec<(String, String)>,
    /// The account's devices, as people see them.
    pub devices: Vec<Device>,
    pub enrollments: Vec<HeldEnrollment>,
    /// Every program, active or not.
    pub programs: Vec<Program>,
    /// Today in the utility's zone (seasons are calendar dates there).
    pub today: CalendarDate,
    /// For a change that adds a device: where its make and serial are already, if anywhere.
    pub serial_holder: Option<SerialHolder>,
}

/// What to store, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnrollmentEffect {
    AddDevice(NewDevice),
    RemoveDevice(DeviceId),
    /// A pending enrollment; [`EnrollmentRef::Created`] names it in the effects after it.
    CreateEnrollment {
        program: ProgramId,
        service_point: String,
    },
    SetStatus {
        enrollment: EnrollmentId,
        status: EnrollmentStatus,
    },
    Join {
        enrollment: EnrollmentRef,
        device: DeviceId,
        entity_group: String,
    },
    Leave {
        enrollment: EnrollmentId,
        device: DeviceId,
    },
    /// One customer asset sync message to the head-end; each device in it becomes pending
    /// (registration or de-registration) until the head-end answers.
    TellHeadEnd {
        enrollment: EnrollmentRef,
        program: ProgramId,
        service_point: String,
        status: EnrollmentStatus,
        devices: Vec<HeadEndChange>,
    },
}

/// An enrollment named by an effect: one that exists, or the one this change creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrollmentRef {
    Existing(EnrollmentId),
    Created,
}

/// One device of a head-end message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadEndChange {
    pub device: DeviceId,
    pub action: HeadEndAction,
    pub entity_group: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadEndAction {
    Register,
    Deregister,
}

impl HeadEndChange {
    fn register(device: &Device, entity_group: String) -> Self {
        Self { device: device.id, action: HeadEndAction::Register, entity_group }
    }

    /// Leaving the group it was registered in.
    fn deregister(device: &Device) -> Self {
        let entity_group = device.entity_group.clone().unwrap_or_default();
        Self { device: device.id, action: HeadEndAction::Deregister, entity_group }
    }
}

/// The head-end message about `devices` of an enrollment of `program` at `service_point`.
fn tell_head_end(
    enrollment: EnrollmentRef,
    program: &Program,
    service_point: &str,
    status: EnrollmentStatus,
    devices: Vec<HeadEndChange>,
) -> EnrollmentEffect {
    EnrollmentEffect::TellHeadEnd {
        enrollment,
        program: program.id,
        service_point: service_point.to_owned(),
        status,
        devices,
    }
}

impl EnrollmentState {
    /// Applies `change`, asked for through `source` (customer service is told more about a
    /// serial found on another account), or says why not.
    pub fn apply(
        &self,
        source: ChangeSource,
        change: &EnrollmentChange,
    ) -> Result<Outcome, ChangeError> {
        match *change {
            EnrollmentChange::AddDevice(ref device) => self.add_device(source, device),
            EnrollmentChange::RemoveDevice { device } => self.remove_device(device),
            EnrollmentChange::Enroll { program, device } => self.enroll(program, device),
            EnrollmentChange::AddToEnrollment { enrollment, device } => {
                self.add_to_enrollment(enrollment, device)
            }
            EnrollmentChange::ReplaceDevice { enrollment, device, replacement } => {
                self.replace_device(enrollment, device, replacement)
            }
            EnrollmentChange::Unenroll { enrollment } => self.unenroll(enrollment),
        }
    }

    /// The active programs (and any the account is in) as the account sees them: each with its
    /// enrollment, the devices that may join it, or why none may.
    pub fn offers(&self) -> AccountPrograms {
        let facts = self.facts();
        let offers = self
            .programs
            .iter()
            .filter_map(|program| {
                let enrollment = self.enrollments.iter().find(|e| e.program_id == program.id);
                if program.definition.status != ProgramStatus::Active && enrollment.is_none() {
                    return None;
                }
                let (eligible, reasons) = match eligible_devices(program, &facts, self.today) {
                    Ok(ids) => (self.devices_among(&ids), vec![]),
                    Err(reasons) => (vec![], reasons.iter().map(|r| r.message()).collect()),
                };
                let enrollment = enrollment.map(|e| EnrollmentView {
                    id: e.id,
                    status: e.status,
                    service_point: e.service_point.clone(),
                    devices: self.devices_among(&e.devices),
                });
                // Once enrolled, only devices behind the same meter may join.
                let eligible = match &enrollment {
                    Some(e) => eligible
                        .into_iter()
                        .filter(|d| d.service_point == e.service_point)
                        .collect(),
                    None => eligible,
                };
                Some(ProgramOffer { program: program.clone(), enrollment, eligible, reasons })
            })
            .collect();
        AccountPrograms { offers }
    }

    /// What the shared eligibility rule needs.
    pub fn facts(&self) -> AccountFacts {
        AccountFacts {
            life_support: self.life_support,
            service_points: self.service_points.clone(),
            devices: self.devices.clone(),
            enrollments: self
                .enrollments
                .iter()
                .filter_map(|enrollment| {
                    let program = self.program(enrollment.program_id).ok()?;
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

    fn devices_among(&self, ids: &[DeviceId]) -> Vec<Device> {
        self.devices.iter().filter(|d| ids.contains(&d.id)).cloned().collect()
    }

    fn program(&self, id: ProgramId) -> Result<&Program, ChangeError> {
        self.programs.iter().find(|program| program.id == id).ok_or(ChangeError::NotFound)
    }

    fn device(&self, id: DeviceId) -> Result<&Device, ChangeError> {
        self.devices.iter().find(|device| device.id == id).ok_or(ChangeError::NotFound)
    }

    fn enrollment(&self, id: EnrollmentId) -> Result<&HeldEnrollment, ChangeError> {
        self.enrollments.iter().find(|enrollment| enrollment.id == id).ok_or(ChangeError::NotFound)
    }

    /// The device's entity group in `program`: by kind, size band and its meter's rate class.
    fn group(&self, program: &Program, device: &Device) -> String {
        let rate_class = self
            .service_points
            .iter()
            .find(|(number, _)| *number == device.service_point)
            .map(|(_, rate)| rate.as_str())
            .unwrap_or_default();
        entity_group(program, device.kind, device.capacity, rate_class)
    }

    /// Refuses `device` for `program` with the rule's reason, if it has one.
    fn check_device(&self, program: &Program, device: &Device) -> Result<(), ChangeError> {
        match device_obstacle(program, &self.facts(), device) {
            Some(reason) => Err(ChangeError::Rule(reason.message())),
            None => Ok(()),
        }
    }

    fn add_device(&self, source: ChangeSource, device: &NewDevice) -> Result<Outcome, ChangeError> {
        if !self.service_points.iter().any(|(number, _)| *number == device.service_point) {
            return Err(ChangeError::field(
                DeviceForm::SERVICE_POINT,
                "Choose one of this account's service points.",
            ));
        }
        if let Some(holder) = &self.serial_holder {
            // Whether another account has this device is not the customer's to learn: customer
            // service, who can see both accounts, is told which and can resolve it.
            let message = match holder {
                SerialHolder::ThisAccount => "This device is on this account already.".to_owned(),
                SerialHolder::OtherAccount(number) if source == ChangeSource::Agent => format!(
                    "A device with this make and serial is on account {number}. If it belongs here, remove it from that account first."
                ),
                SerialHolder::OtherAccount(_) => SERIAL_ELSEWHERE.to_owned(),
            };
            return Err(ChangeError::field(DeviceForm::SERIAL, message));
        }
        let capacity = format!("{} {}", device.capacity, device.kind.capacity_unit());
        let title = format!("{} {} {}", device.kind.label(), device.make, device.model);
        let audit = AuditRecord::new("device.added", format!("Added a device: {title}")).after(&[
            ("Kind", device.kind.label()),
            ("Make", &device.make),
            ("Model", &device.model),
            ("Serial", &device.serial),
            ("Network address", &device.network_address),
            ("Capacity", &capacity),
            ("Service point", &device.service_point),
        ]);
        Ok(Outcome::new(format!(
            "Your {} {} was added. See Programs to enroll it.",
            device.make, device.model
        ))
        .effect(EnrollmentEffect::AddDevice(device.clone()))
        .audit(audit))
    }

    fn remove_device(&self, device: DeviceId) -> Result<Outcome, ChangeError> {
        let device = self.device(device)?;
        let title = device.title();
        if let Some(program) = &device.enrolled_in {
            return Err(ChangeError::rule(format!(
                "Your {title} takes part in {program}: unenroll or replace it there first."
            )));
        }
        Ok(Outcome::new(format!("Your {title} was removed."))
            .effect(EnrollmentEffect::RemoveDevice(device.id))
            .audit(
                AuditRecord::new("device.removed", format!("Removed the {title}"))
                    .before(&[("Device", &title)]),
            ))
    }

    fn enroll(&self, program: ProgramId, device: DeviceId) -> Result<Outcome, ChangeError> {
        let program = self.program(program)?;
        let device = self.device(device)?;
        let name = &program.definition.name;
        if self.enrollments.iter().any(|e| e.program_id == program.id) {
            return Err(ChangeError::rule(format!(
                "This account is enrolled in {name} already: add the device to that enrollment instead."
            )));
        }
        match eligible_devices(program, &self.facts(), self.today) {
            Err(reasons) => {
                let reasons: Vec<String> = reasons.iter().map(|reason| reason.message()).collect();
                return Err(ChangeError::Rule(reasons.join(" ")));
            }
            Ok(ids) if !ids.contains(&device.id) => self.check_device(program, device)?,
            Ok(_) => {}
        }
        let group = self.group(program, device);
        let title = device.title();
        Ok(Outcome::new(format!(
            "You are enrolled in {name}. Your {title} is being registered with the utility's control system; it shows Registered here when that is done."
        ))
        .effect(EnrollmentEffect::CreateEnrollment {
            program: program.id,
            service_point: device.service_point.clone(),
        })
        .effect(EnrollmentEffect::Join {
            enrollment: EnrollmentRef::Created,
            device: device.id,
            entity_group: group.clone(),
        })
        .effect(tell_head_end(
            EnrollmentRef::Created,
            program,
            &device.service_point,
            EnrollmentStatus::Pending,
            vec![HeadEndChange::register(device, group)],
        ))
        .audit(
            AuditRecord::new("enrollment.created", format!("Enrolled in {name}"))
                .after(&[(name.as_str(), "Pending"), ("Devices", &title)]),
        ))
    }

    fn add_to_enrollment(
        &self,
        enrollment: EnrollmentId,
        device: DeviceId,
    ) -> Result<Outcome, ChangeError> {
        let enrollment = self.enrollment(enrollment)?;
        let program = self.program(enrollment.program_id)?;
        let device = self.device(device)?;
        same_meter(enrollment, device)?;
        self.check_device(program, device)?;
        let group = self.group(program, device);
        let (title, name) = (device.title(), &program.definition.name);
        let at = EnrollmentRef::Existing(enrollment.id);
        Ok(Outcome::new(format!("Your {title} was added to {name}. Its registration is pending."))
            .effect(EnrollmentEffect::Join {
                enrollment: at,
                device: device.id,
                entity_group: group.clone(),
            })
            .effect(tell_head_end(
                at,
                program,
                &enrollment.service_point,
                enrollment.status,
                vec![HeadEndChange::register(device, group)],
            ))
            .audit(
                AuditRecord::new("enrollment.device_added", format!("Added the {title} to {name}"))
                    .after(&[("Devices", &title)]),
            ))
    }

    /// The old device is de-registered and the new one registered, in one message.
    fn replace_device(
        &self,
        enrollment: EnrollmentId,
        device: DeviceId,
        replacement: DeviceId,
    ) -> Result<Outcome, ChangeError> {
        let enrollment = self.enrollment(enrollment)?;
        let program = self.program(enrollment.program_id)?;
        let old = self.device(device)?;
        if !enrollment.devices.contains(&old.id) {
            return Err(ChangeError::NotFound);
        }
        let new = self.device(replacement)?;
        same_meter(enrollment, new)?;
        self.check_device(program, new)?;
        let group = self.group(program, new);
        let at = EnrollmentRef::Existing(enrollment.id);
        let (old_title, new_title) = (old.title(), new.title());
        let name = &program.definition.name;
        Ok(Outcome::new(format!(
            "Your {new_title} replaces the {old_title} in {name}. The change is being registered."
        ))
        .effect(EnrollmentEffect::Leave { enrollment: enrollment.id, device: old.id })
        .effect(EnrollmentEffect::Join {
            enrollment: at,
            device: new.id,
            entity_group: group.clone(),
        })
        .effect(tell_head_end(
            at,
            program,
            &enrollment.service_point,
            enrollment.status,
            vec![HeadEndChange::deregister(old), HeadEndChange::register(new, group)],
        ))
        .audit(
            AuditRecord::new(
                "enrollment.device_replaced",
                format!("Replaced the {old_title} with the {new_title} in {name}"),
            )
            .before(&[("Devices", &old_title)])
            .after(&[("Devices", &new_title)]),
        ))
    }

    fn unenroll(&self, enrollment: EnrollmentId) -> Result<Outcome, ChangeError> {
        let enrollment = self.enrollment(enrollment)?;
        let program = self.program(enrollment.program_id)?;
        let name = &program.definition.name;
        let mut outcome = Outcome::new(format!(
            "You are unenrolled from {name}. Your devices are being de-registered."
        ))
        .effect(EnrollmentEffect::SetStatus {
            enrollment: enrollment.id,
            status: EnrollmentStatus::Unenrolled,
        });
        let mut leaving = Vec::new();
        for id in &enrollment.devices {
            let device = self.device(*id)?;
            outcome =
                outcome.effect(EnrollmentEffect::Leave { enrollment: enrollment.id, device: *id });
            leaving.push(HeadEndChange::deregister(device));
        }
        Ok(outcome
            .effect(tell_head_end(
                EnrollmentRef::Existing(enrollment.id),
                program,
                &enrollment.service_point,
                EnrollmentStatus::Unenrolled,
                leaving,
            ))
            .audit(
                AuditRecord::new("enrollment.ended", format!("Unenrolled from {name}"))
                    .before(&[(name, enrollment.status.label())])
                    .after(&[(name, "Unenrolled")]),
            ))
    }
}

/// What a customer hears when a device's serial is on another account, and what a race between
/// two adds of one serial answers too.
pub const SERIAL_ELSEWHERE: &str =
    "We could not add this device. If it is yours, contact us: customer service can sort it out.";

/// An enrollment covers one service point: its devices sit behind that meter.
fn same_meter(enrollment: &HeldEnrollment, device: &Device) -> Result<(), ChangeError> {
    if device.service_point == enrollment.service_point {
        Ok(())
    } else {
        Err(ChangeError::rule(format!(
            "Your {} is at service point {}, and this enrollment covers {}.",
            device.title(),
            device.service_point,
            enrollment.service_point
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programs::eligibility::tests::{battery_byod, device, thermostat_dr, today};
    use crate::programs::{Capacity, DeviceKind, Registration};

    const PORTAL: ChangeSource = ChangeSource::Portal;

    /// A thermostat (5) and a battery (6) on SP-1 (R-PTR), a thermostat (7) on SP-2 (R-TOU).
    fn state() -> EnrollmentState {
        let mut elsewhere = device(7, DeviceKind::Thermostat, 40);
        elsewhere.service_point = "SP-2".into();
        EnrollmentState {
            life_support: false,
            service_points: vec![("SP-1".into(), "R-PTR".into()), ("SP-2".into(), "R-TOU".into())],
            devices: vec![
                device(5, DeviceKind::Thermostat, 35),
                device(6, DeviceKind::Battery, 135),
                elsewhere,
            ],
            enrollments: vec![],
            programs: vec![thermostat_dr(), battery_byod()],
            today: today(),
            serial_holder: None,
        }
    }

    /// `state` with thermostat 5 enrolled (enrollment 40) in the thermostat program.
    fn enrolled() -> EnrollmentState {
        let mut state = state();
        state.enrollments.push(HeldEnrollment {
            id: EnrollmentId(40),
            program_id: ProgramId(1),
            service_point: "SP-1".into(),
            status: EnrollmentStatus::Enrolled,
            devices: vec![DeviceId(5)],
        });
        state.devices[0].enrolled_in = Some("Smart Thermostat Rewards".into());
        state.devices[0].entity_group = Some("p1-thermostat-m-r-ptr".into());
        state.devices[0].registration = Registration::Registered;
        state
    }

    fn new_device(service_point: &str) -> NewDevice {
        NewDevice {
            kind: DeviceKind::Thermostat,
            make: "Ecobee".into(),
            model: "Premium".into(),
            serial: "EC123".into(),
            network_address: "10.1.1.1".into(),
            capacity: Capacity(30),
            service_point: service_point.into(),
        }
    }

    fn rule(result: Result<Outcome, ChangeError>) -> String {
        match result {
            Err(ChangeError::Rule(message)) => message,
            other => panic!("expected a rule's refusal, got {other:?}"),
        }
    }

    fn field(result: Result<Outcome, ChangeError>, name: &str) -> String {
        match result {
            Err(ChangeError::Fields(fields)) => fields.get(name).expect(name).to_owned(),
            other => panic!("expected a field refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_device_is_added_behind_one_of_the_accounts_service_points() {
        let outcome =
            state().apply(PORTAL, &EnrollmentChange::AddDevice(new_device("SP-2"))).unwrap();
        assert_eq!(outcome.effects, [EnrollmentEffect::AddDevice(new_device("SP-2"))]);
        assert_eq!(outcome.audit[0].action, "device.added");
        assert_eq!(outcome.audit[0].after.as_ref().unwrap()["Serial"], "EC123");
        assert_eq!(outcome.message, "Your Ecobee Premium was added. See Programs to enroll it.");

        let elsewhere = state().apply(PORTAL, &EnrollmentChange::AddDevice(new_device("SP-9")));
        assert_eq!(
            field(elsewhere, DeviceForm::SERVICE_POINT),
            "Choose one of this account's service points."
        );
    }

    #[test]
    fn a_serial_on_another_account_is_named_to_customer_service_only() {
        let mut state = state();
        let add = EnrollmentChange::AddDevice(new_device("SP-1"));
        state.serial_holder = Some(SerialHolder::ThisAccount);
        assert_eq!(
            field(state.apply(PORTAL, &add), DeviceForm::SERIAL),
            "This device is on this account already."
        );
        state.serial_holder = Some(SerialHolder::OtherAccount("3000099999".into()));
        let customer = field(state.apply(PORTAL, &add), DeviceForm::SERIAL);
        assert_eq!(customer, SERIAL_ELSEWHERE);
        assert!(!customer.contains("3000099999"));
        let agent = field(state.apply(ChangeSource::Agent, &add), DeviceForm::SERIAL);
        assert!(agent.contains("on account 3000099999"), "{agent}");
    }

    #[test]
    fn a_device_in_an_enrollment_is_not_removed_until_it_leaves() {
        let remove = |id| EnrollmentChange::RemoveDevice { device: DeviceId(id) };
        let refusal = rule(enrolled().apply(PORTAL, &remove(5)));
        assert!(
            refusal.contains(
                "takes part in Smart Thermostat Rewards: unenroll or replace it there first"
            ),
            "{refusal}"
        );
        let outcome = enrolled().apply(PORTAL, &remove(6)).unwrap();
        assert_eq!(outcome.effects, [EnrollmentEffect::RemoveDevice(DeviceId(6))]);
        assert_eq!(outcome.audit[0].action, "device.removed");
        assert_eq!(enrolled().apply(PORTAL, &remove(99)), Err(ChangeError::NotFound));
    }

    #[test]
    fn enrolling_creates_a_pending_enrollment_joins_the_device_and_tells_the_head_end() {
        let enroll = EnrollmentChange::Enroll { program: ProgramId(1), device: DeviceId(5) };
        let outcome = state().apply(PORTAL, &enroll).unwrap();
        let group = "p1-thermostat-m-r-ptr".to_owned();
        assert_eq!(
            outcome.effects,
            [
                EnrollmentEffect::CreateEnrollment {
                    program: ProgramId(1),
                    service_point: "SP-1".into()
                },
                EnrollmentEffect::Join {
                    enrollment: EnrollmentRef::Created,
                    device: DeviceId(5),
                    entity_group: group.clone()
                },
                EnrollmentEffect::TellHeadEnd {
                    enrollment: EnrollmentRef::Created,
                    program: ProgramId(1),
                    service_point: "SP-1".into(),
                    status: EnrollmentStatus::Pending,
                    devices: vec![HeadEndChange {
                        device: DeviceId(5),
                        action: HeadEndAction::Register,
                        entity_group: group
                    }],
                },
            ]
        );
        assert_eq!(outcome.audit[0].action, "enrollment.created");
        assert!(outcome.message.starts_with("You are enrolled in Smart Thermostat Rewards."));
    }

    #[test]
    fn an_account_enrolled_already_adds_to_its_enrollment_instead() {
        let enroll = EnrollmentChange::Enroll { program: ProgramId(1), device: DeviceId(7) };
        let refusal = rule(enrolled().apply(PORTAL, &enroll));
        assert_eq!(refusal, "This account is enrolled in Smart Thermostat Rewards already: add the device to that enrollment instead.");
    }

    #[test]
    fn enrolling_an_ineligible_device_names_the_rule() {
        // The battery is not a kind the thermostat program controls.
        let battery = EnrollmentChange::Enroll { program: ProgramId(1), device: DeviceId(6) };
        assert!(rule(state().apply(PORTAL, &battery))
            .contains("add a device this program uses (smart thermostat)"));
        // Life support: no demand response at all, said once.
        let mut flagged = state();
        flagged.life_support = true;
        let thermostat = EnrollmentChange::Enroll { program: ProgramId(1), device: DeviceId(5) };
        assert!(rule(flagged.apply(PORTAL, &thermostat)).contains("medical or life-support flag"));
        // An unknown program or device is not found, whatever the id.
        let unknown = EnrollmentChange::Enroll { program: ProgramId(9), device: DeviceId(5) };
        assert_eq!(state().apply(PORTAL, &unknown), Err(ChangeError::NotFound));
    }

    #[test]
    fn a_device_joins_an_enrollment_only_behind_its_meter() {
        let mut state = enrolled();
        state.devices.push(device(8, DeviceKind::Thermostat, 30));
        let join =
            EnrollmentChange::AddToEnrollment { enrollment: EnrollmentId(40), device: DeviceId(8) };
        let outcome = state.apply(PORTAL, &join).unwrap();
        assert!(matches!(
            outcome.effects[0],
            EnrollmentEffect::Join {
                enrollment: EnrollmentRef::Existing(EnrollmentId(40)),
                device: DeviceId(8),
                ..
            }
        ));
        assert!(
            matches!(&outcome.effects[1], EnrollmentEffect::TellHeadEnd { status: EnrollmentStatus::Enrolled, devices, .. } if devices.len() == 1)
        );
        assert_eq!(outcome.audit[0].action, "enrollment.device_added");

        let other_meter =
            EnrollmentChange::AddToEnrollment { enrollment: EnrollmentId(40), device: DeviceId(7) };
        assert!(rule(state.apply(PORTAL, &other_meter))
            .contains("is at service point SP-2, and this enrollment covers SP-1"));
        let again =
            EnrollmentChange::AddToEnrollment { enrollment: EnrollmentId(40), device: DeviceId(5) };
        assert!(rule(state.apply(PORTAL, &again)).contains("enrolled in Smart Thermostat Rewards"));
        let not_ours =
            EnrollmentChange::AddToEnrollment { enrollment: EnrollmentId(41), device: DeviceId(8) };
        assert_eq!(state.apply(PORTAL, &not_ours), Err(ChangeError::NotFound));
    }

    #[test]
    fn a_replacement_deregisters_the_old_device_and_registers_the_new_in_one_message() {
        let mut state = enrolled();
        state.devices.push(device(8, DeviceKind::Thermostat, 30));
        let replace = EnrollmentChange::ReplaceDevice {
            enrollment: EnrollmentId(40),
            device: DeviceId(5),
            replacement: DeviceId(8),
        };
        let outcome = state.apply(PORTAL, &replace).unwrap();
        assert_eq!(
            outcome.effects[0],
            EnrollmentEffect::Leave { enrollment: EnrollmentId(40), device: DeviceId(5) }
        );
        let EnrollmentEffect::TellHeadEnd { devices, .. } = &outcome.effects[2] else { panic!() };
        let actions: Vec<_> = devices.iter().map(|d| (d.device, d.action)).collect();
        assert_eq!(
            actions,
            [(DeviceId(5), HeadEndAction::Deregister), (DeviceId(8), HeadEndAction::Register)]
        );
        assert_eq!(
            devices[0].entity_group, "p1-thermostat-m-r-ptr",
            "de-registered from the group it was in"
        );

        // Only a device in the enrollment can be replaced.
        let not_in_it = EnrollmentChange::ReplaceDevice {
            enrollment: EnrollmentId(40),
            device: DeviceId(6),
            replacement: DeviceId(8),
        };
        assert_eq!(state.apply(PORTAL, &not_in_it), Err(ChangeError::NotFound));
    }

    #[test]
    fn unenrolling_releases_every_device_and_tells_the_head_end() {
        let outcome = enrolled()
            .apply(PORTAL, &EnrollmentChange::Unenroll { enrollment: EnrollmentId(40) })
            .unwrap();
        assert_eq!(
            outcome.effects[..2],
            [
                EnrollmentEffect::SetStatus {
                    enrollment: EnrollmentId(40),
                    status: EnrollmentStatus::Unenrolled
                },
                EnrollmentEffect::Leave { enrollment: EnrollmentId(40), device: DeviceId(5) },
            ]
        );
        assert!(
            matches!(&outcome.effects[2], EnrollmentEffect::TellHeadEnd { status: EnrollmentStatus::Unenrolled, devices, .. } if devices[0].action == HeadEndAction::Deregister)
        );
        let audit = &outcome.audit[0];
        assert_eq!(
            (audit.action, audit.after.as_ref().unwrap()["Smart Thermostat Rewards"].as_str()),
            ("enrollment.ended", "Unenrolled")
        );
    }

    #[test]
    fn offers_list_active_programs_with_the_devices_that_may_join_behind_the_enrolled_meter() {
        let offers = enrolled().offers().offers;
        assert_eq!(offers.len(), 2);
        let thermostat = &offers[0];
        assert_eq!(thermostat.enrollment.as_ref().unwrap().devices[0].id, DeviceId(5));
        // Thermostat 7 is eligible but behind SP-2: not offered to the SP-1 enrollment.
        assert!(
            thermostat.eligible.iter().all(|d| d.service_point == "SP-1"),
            "{:?}",
            thermostat.eligible
        );
        let mut closed = enrolled();
        closed.programs[1].definition.status = ProgramStatus::Draft;
        assert_eq!(
            closed.offers().offers.len(),
            1,
            "a program not active and not joined is not offered"
        );
    }
}
