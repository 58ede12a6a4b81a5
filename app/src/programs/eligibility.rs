//! Who may join which program, and why not (issue 5): the one rule the programs page, the
//! enrollment service and customer service all ask.
//!
//! A device may join a program when the program is active and in season, the account has no
//! medical or life-support flag (demand response only), the device's kind is one the program
//! controls and meets its specifications, the device is in no other enrollment, and the service
//! point behind which it sits is on an eligible rate class and not already in another program of
//! the same kind (two demand-response programs would curtail the same load twice).

use super::device::{Device, Registration};
use super::model::{DeviceKind, Program, ProgramKind, ProgramStatus};
use super::units::{CalendarDate, Capacity};
use serde::{Deserialize, Serialize};

/// What the rule needs to know about an account.
#[derive(Debug, Clone, Default)]
pub struct AccountFacts {
    /// A medical or life-support flag: the utility must never curtail this household.
    pub life_support: bool,
    /// Each electric service point's number and rate class.
    pub service_points: Vec<(String, String)>,
    pub devices: Vec<Device>,
    /// The account's live enrollments (pending or enrolled).
    pub enrollments: Vec<LiveEnrollment>,
}

/// An enrollment that is pending or enrolled, as the rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveEnrollment {
    pub program_id: super::ProgramId,
    pub program_name: String,
    pub program_kind: ProgramKind,
    pub service_point: String,
    pub devices: Vec<super::DeviceId>,
}

/// Why an account cannot join a program, in words for the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ineligibility {
    NotOffered,
    LifeSupport,
    SeasonOver {
        ended: CalendarDate,
    },
    RateClass {
        yours: Vec<String>,
        eligible: Vec<String>,
    },
    ConflictingProgram {
        program: String,
    },
    NoDeviceOfKind {
        kinds: Vec<DeviceKind>,
    },
    TooSmall {
        device: String,
        minimum: Capacity,
    },
    DeviceEnrolledElsewhere {
        device: String,
        program: String,
    },
    /// Left a program a moment ago: the head-end has not confirmed it is de-registered.
    BeingDeregistered {
        device: String,
    },
}

impl Ineligibility {
    pub fn message(&self) -> String {
        match self {
            Ineligibility::NotOffered => "This program is not open for enrollment.".to_owned(),
            Ineligibility::LifeSupport => "Your account has a medical or life-support flag, so we do not enroll it in demand-response programs online. Please contact us: we will talk through what is safe for your household.".to_owned(),
            Ineligibility::SeasonOver { ended } => format!("This program's season ended on {ended}."),
            Ineligibility::RateClass { yours, eligible } => format!(
                "Your rate ({}) is not one this program serves ({}).",
                yours.join(", "),
                eligible.join(", ")
            ),
            Ineligibility::ConflictingProgram { program } => format!(
                "You are enrolled in {program}, a program of the same kind for the same meter. Unenroll from it first to switch."
            ),
            Ineligibility::NoDeviceOfKind { kinds } => {
                let kinds: Vec<&str> = kinds.iter().map(|kind| kind.noun()).collect();
                format!("To enroll, add a device this program uses ({}) under My devices.", kinds.join(" or "))
            }
            Ineligibility::TooSmall { device, minimum } => {
                format!("Your {device} is smaller than the {minimum} kWh this program needs.")
            }
            Ineligibility::DeviceEnrolledElsewhere { device, program } => format!(
                "Your {device} is enrolled in {program}: a device takes part in one program at a time."
            ),
            Ineligibility::BeingDeregistered { device } => format!(
                "Your {device} is being de-registered from its last program; it can join again once that is done, usually within a minute."
            ),
        }
    }
}

/// Why one device cannot join a program, or `None` when it can.
pub fn device_obstacle(
    program: &Program,
    facts: &AccountFacts,
    device: &Device,
) -> Option<Ineligibility> {
    let rules = &program.definition.rules;
    if !rules.device_kinds.contains(&device.kind) {
        return Some(Ineligibility::NoDeviceOfKind { kinds: rules.device_kinds.clone() });
    }
    if let (DeviceKind::Battery, Some(minimum)) = (device.kind, rules.min_battery_kwh) {
        if device.capacity < minimum {
            return Some(Ineligibility::TooSmall { device: device.title(), minimum });
        }
    }
    if let Some(enrollment) = facts.enrollments.iter().find(|e| e.devices.contains(&device.id)) {
        return Some(Ineligibility::DeviceEnrolledElsewhere {
            device: device.title(),
            program: enrollment.program_name.clone(),
        });
    }
    if device.registration == Registration::DeregistrationPending {
        return Some(Ineligibility::BeingDeregistered { device: device.title() });
    }
    service_point_obstacle(program, facts, &device.service_point)
}

/// Why the service point `number` cannot join `program`, or `None` when it can.
fn service_point_obstacle(
    program: &Program,
    facts: &AccountFacts,
    number: &str,
) -> Option<Ineligibility> {
    let eligible = &program.definition.rules.rate_classes;
    let rate_class =
        facts.service_points.iter().find(|(sp, _)| sp == number).map(|(_, rate)| rate)?;
    if !eligible.is_empty() && !eligible.contains(rate_class) {
        return Some(Ineligibility::RateClass {
            yours: vec![rate_class.clone()],
            eligible: eligible.clone(),
        });
    }
    facts
        .enrollments
        .iter()
        .find(|e| {
            e.service_point == number
                && e.program_kind == program.definition.kind
                && e.program_id != program.id
        })
        .map(|e| Ineligibility::ConflictingProgram { program: e.program_name.clone() })
}

/// The devices that may join `program` now, or every reason none may. Account-wide reasons (not
/// offered, life support, season) come alone; otherwise one reason per obstacle, without repeats.
pub fn eligible_devices(
    program: &Program,
    facts: &AccountFacts,
    today: CalendarDate,
) -> Result<Vec<super::DeviceId>, Vec<Ineligibility>> {
    let definition = &program.definition;
    if definition.status != ProgramStatus::Active {
        return Err(vec![Ineligibility::NotOffered]);
    }
    if facts.life_support && definition.kind == ProgramKind::DemandResponse {
        return Err(vec![Ineligibility::LifeSupport]);
    }
    if today > definition.season_end {
        return Err(vec![Ineligibility::SeasonOver { ended: definition.season_end }]);
    }
    let rules = &definition.rules;
    if !rules.rate_classes.is_empty()
        && !facts.service_points.iter().any(|(_, rate)| rules.rate_classes.contains(rate))
    {
        let yours = facts.service_points.iter().map(|(_, rate)| rate.clone()).collect();
        return Err(vec![Ineligibility::RateClass { yours, eligible: rules.rate_classes.clone() }]);
    }
    let mut eligible = Vec::new();
    let mut reasons: Vec<Ineligibility> = Vec::new();
    for device in &facts.devices {
        match device_obstacle(program, facts, device) {
            None => eligible.push(device.id),
            Some(Ineligibility::NoDeviceOfKind { .. }) => {}
            Some(reason) if !reasons.contains(&reason) => reasons.push(reason),
            Some(_) => {}
        }
    }
    if !eligible.is_empty() {
        return Ok(eligible);
    }
    if reasons.is_empty() {
        reasons.push(Ineligibility::NoDeviceOfKind { kinds: rules.device_kinds.clone() });
    }
    Err(reasons)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::programs::program_form::tests::thermostat_program;
    use crate::programs::{DeviceId, ProgramForm, ProgramId};

    pub(crate) fn today() -> CalendarDate {
        CalendarDate::parse("2026-07-15").unwrap()
    }

    pub(crate) fn thermostat_dr() -> Program {
        Program { id: ProgramId(1), definition: thermostat_program().parse().unwrap() }
    }

    pub(crate) fn battery_byod() -> Program {
        let form = ProgramForm {
            name: "Battery Partners".into(),
            kind: "der_byod".into(),
            device_kinds: vec![DeviceKind::Battery, DeviceKind::EvCharger],
            min_battery_kwh: "10".into(),
            rate_classes: "".into(),
            ..thermostat_program()
        };
        Program { id: ProgramId(2), definition: form.parse().unwrap() }
    }

    pub(crate) fn device(id: i64, kind: DeviceKind, capacity: u32) -> Device {
        Device {
            id: DeviceId(id),
            kind,
            make: "Make".into(),
            model: "Model".into(),
            serial: format!("S{id}"),
            network_address: format!("10.0.0.{id}"),
            capacity: Capacity(capacity),
            service_point: "SP-1".into(),
            registration: Registration::NotRegistered,
            registration_detail: None,
            last_sync: None,
            enrolled_in: None,
            entity_group: None,
        }
    }

    pub(crate) fn facts(devices: Vec<Device>) -> AccountFacts {
        AccountFacts {
            life_support: false,
            service_points: vec![("SP-1".into(), "R-PTR".into())],
            devices,
            enrollments: vec![],
        }
    }

    #[test]
    fn a_thermostat_on_an_eligible_rate_may_join() {
        let facts =
            facts(vec![device(5, DeviceKind::Thermostat, 35), device(6, DeviceKind::Battery, 135)]);
        assert_eq!(eligible_devices(&thermostat_dr(), &facts, today()), Ok(vec![DeviceId(5)]));
        assert_eq!(eligible_devices(&battery_byod(), &facts, today()), Ok(vec![DeviceId(6)]));
    }

    #[test]
    fn life_support_blocks_demand_response_with_a_please_contact_us() {
        let mut facts =
            facts(vec![device(5, DeviceKind::Thermostat, 35), device(6, DeviceKind::Battery, 135)]);
        facts.life_support = true;
        let reasons = eligible_devices(&thermostat_dr(), &facts, today()).unwrap_err();
        assert_eq!(reasons, [Ineligibility::LifeSupport]);
        assert!(reasons[0].message().contains("Please contact us"));
        // Their own battery earning credits curtails nothing in the home.
        assert_eq!(eligible_devices(&battery_byod(), &facts, today()), Ok(vec![DeviceId(6)]));
    }

    #[test]
    fn the_rate_class_must_be_one_the_program_serves() {
        let mut facts = facts(vec![device(5, DeviceKind::Thermostat, 35)]);
        facts.service_points[0].1 = "R-GEN".into();
        let reasons = eligible_devices(&thermostat_dr(), &facts, today()).unwrap_err();
        assert_eq!(
            reasons[0].message(),
            "Your rate (R-GEN) is not one this program serves (R-PTR, R-TOU)."
        );
    }

    #[test]
    fn a_missing_or_small_device_is_named() {
        let none = eligible_devices(&thermostat_dr(), &facts(vec![]), today()).unwrap_err();
        assert_eq!(
            none[0].message(),
            "To enroll, add a device this program uses (smart thermostat) under My devices."
        );
        let small = facts(vec![device(6, DeviceKind::Battery, 80)]);
        let reasons = eligible_devices(&battery_byod(), &small, today()).unwrap_err();
        assert_eq!(
            reasons,
            [Ineligibility::TooSmall { device: small.devices[0].title(), minimum: Capacity(100) }]
        );
        assert!(reasons[0].message().contains("smaller than the 10 kWh"));
    }

    #[test]
    fn a_device_leaving_a_program_waits_for_the_head_end_before_joining_another() {
        let mut leaving = device(6, DeviceKind::Battery, 135);
        leaving.registration = Registration::DeregistrationPending;
        let reasons =
            eligible_devices(&battery_byod(), &facts(vec![leaving]), today()).unwrap_err();
        assert!(reasons[0].message().contains("is being de-registered"), "{reasons:?}");
    }

    #[test]
    fn the_season_must_not_be_over() {
        let facts = facts(vec![device(5, DeviceKind::Thermostat, 35)]);
        let october = CalendarDate::parse("2026-10-01").unwrap();
        let reasons = eligible_devices(&thermostat_dr(), &facts, october).unwrap_err();
        assert_eq!(reasons[0].message(), "This program's season ended on September 30, 2026.");
    }

    #[test]
    fn drafts_and_retired_programs_are_not_offered() {
        let mut program = thermostat_dr();
        program.definition.status = ProgramStatus::Retired;
        let facts = facts(vec![device(5, DeviceKind::Thermostat, 35)]);
        assert_eq!(
            eligible_devices(&program, &facts, today()),
            Err(vec![Ineligibility::NotOffered])
        );
    }

    #[test]
    fn a_second_program_of_the_same_kind_conflicts_and_devices_join_one_program() {
        let mut facts =
            facts(vec![device(5, DeviceKind::Thermostat, 35), device(6, DeviceKind::Battery, 135)]);
        facts.enrollments.push(LiveEnrollment {
            program_id: ProgramId(9),
            program_name: "Cool Savings".into(),
            program_kind: ProgramKind::DemandResponse,
            service_point: "SP-1".into(),
            devices: vec![DeviceId(6)],
        });
        let reasons = eligible_devices(&thermostat_dr(), &facts, today()).unwrap_err();
        assert_eq!(reasons, [Ineligibility::ConflictingProgram { program: "Cool Savings".into() }]);
        let reasons = eligible_devices(&battery_byod(), &facts, today()).unwrap_err();
        assert!(reasons[0].message().contains("enrolled in Cool Savings"), "{reasons:?}");
    }
}
