//! Entity groups: the DERMS picks devices for an event by group, so a group holds
//! devices that respond alike and settle alike.
//!
//! The rule: `{program}-{device kind}-{size band}-{rate class}`, lower case, for example
//! `p2-battery-m-r-ptr`.
//! - the program (`p` and its id): its rules and incentives decide how a device may be used;
//! - the device kind: a battery discharges, a thermostat sheds load, an inverter curtails;
//! - the size band, by the device's capacity: `s`, `m` or `l` at the kind's thresholds below,
//!   so a dispatcher can reach a target in predictable steps;
//! - the rate class of the service point behind which the device sits: it decides settlement.

use super::model::{DeviceKind, Program};
use super::units::Capacity;

/// The upper bounds (exclusive, in tenths) of the small and medium bands of each kind.
fn band_limits(kind: DeviceKind) -> (u32, u32) {
    match kind {
        // Controllable air-conditioning load: a small home's unit, a large home's, more.
        DeviceKind::Thermostat => (30, 60),
        // Level 2 at 32 A (7.7 kW), at 48 A (11.5 kW), then faster chargers.
        DeviceKind::EvCharger => (77, 116),
        // Stored energy: under 10 kWh, 10 to 20 kWh (one or two home packs), more.
        DeviceKind::Battery => (100, 200),
        // Inverter rating: typical rooftop sizes.
        DeviceKind::SolarInverter => (50, 100),
    }
}

/// `s`, `m` or `l`.
pub fn size_band(kind: DeviceKind, capacity: Capacity) -> &'static str {
    let (small, medium) = band_limits(kind);
    match capacity.0 {
        c if c < small => "s",
        c if c < medium => "m",
        _ => "l",
    }
}

/// The entity group of a device of `kind` and `capacity`, enrolled in `program`, behind a service
/// point on `rate_class`.
pub fn entity_group(
    program: &Program,
    kind: DeviceKind,
    capacity: Capacity,
    rate_class: &str,
) -> String {
    format!(
        "{}-{}-{}-{}",
        program.code(),
        kind.as_str().replace('_', "-"),
        size_band(kind, capacity),
        rate_class.to_ascii_lowercase()
    )
}

/// A group as program managers see it: how many devices and how much capacity it holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EntityGroupSummary {
    pub group: String,
    pub program: String,
    pub kind: DeviceKind,
    pub devices: u32,
    pub total_capacity: Capacity,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programs::program_form::tests::thermostat_program;

    fn program(id: i64) -> Program {
        Program {
            id: crate::programs::model::ProgramId(id),
            definition: thermostat_program().parse().unwrap(),
        }
    }

    #[test]
    fn the_group_names_program_kind_band_and_rate_class() {
        assert_eq!(
            entity_group(&program(2), DeviceKind::Battery, Capacity(135), "R-PTR"),
            "p2-battery-m-r-ptr"
        );
        assert_eq!(
            entity_group(&program(1), DeviceKind::Thermostat, Capacity(25), "R-TOU"),
            "p1-thermostat-s-r-tou"
        );
        assert_eq!(
            entity_group(&program(7), DeviceKind::EvCharger, Capacity(192), "R-PTR"),
            "p7-ev-charger-l-r-ptr"
        );
    }

    #[test]
    fn bands_split_at_the_documented_thresholds() {
        assert_eq!(size_band(DeviceKind::Battery, Capacity(99)), "s");
        assert_eq!(size_band(DeviceKind::Battery, Capacity(100)), "m");
        assert_eq!(size_band(DeviceKind::Battery, Capacity(199)), "m");
        assert_eq!(size_band(DeviceKind::Battery, Capacity(200)), "l");
        assert_eq!(size_band(DeviceKind::EvCharger, Capacity(76)), "s");
        assert_eq!(size_band(DeviceKind::EvCharger, Capacity(77)), "m");
        assert_eq!(size_band(DeviceKind::SolarInverter, Capacity(100)), "l");
    }
}
