//! A customer's controllable devices and their head-end registration.

use super::model::DeviceKind;
use super::units::Capacity;
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

/// The device form as posted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceForm {
    pub kind: String,
    pub make: String,
    pub model: String,
    pub serial: String,
    pub network_address: String,
    pub capacity: String,
    /// The number of the service point the device sits behind.
    pub service_point: String,
}

/// A valid new device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDevice {
    pub kind: DeviceKind,
    pub make: String,
    pub model: String,
    /// Upper case, as printed on the label.
    pub serial: String,
    pub network_address: String,
    pub capacity: Capacity,
    pub service_point: String,
}

impl DeviceForm {
    pub const KIND: &'static str = "kind";
    pub const MAKE: &'static str = "make";
    pub const MODEL: &'static str = "model";
    pub const SERIAL: &'static str = "serial";
    pub const NETWORK_ADDRESS: &'static str = "network_address";
    pub const CAPACITY: &'static str = "capacity";
    pub const SERVICE_POINT: &'static str = "service_point";

    /// The form as field name and value pairs, carried back with a refusal of a plain post so
    /// the form shows what was typed.
    pub fn typed(&self) -> Vec<(String, String)> {
        [
            (Self::KIND, &self.kind),
            (Self::MAKE, &self.make),
            (Self::MODEL, &self.model),
            (Self::SERIAL, &self.serial),
            (Self::NETWORK_ADDRESS, &self.network_address),
            (Self::CAPACITY, &self.capacity),
            (Self::SERVICE_POINT, &self.service_point),
        ]
        .into_iter()
        .map(|(field, value)| (field.to_owned(), value.clone()))
        .collect()
    }

    /// Checks every field at once. Whether the service point is the account's is the server's
    /// check (it knows the account).
    pub fn parse(&self) -> Result<NewDevice, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = DeviceKind::parse(&self.kind);
        if kind.is_none() {
            errors.add(Self::KIND, "Choose the kind of device.");
        }
        let mut text = |field, value: &str, what: &str, max: usize| {
            let value = value.trim();
            if value.is_empty() {
                errors.add(field, format!("Enter the {what}."));
            } else if value.chars().count() > max {
                errors.add(field, format!("The {what} has at most {max} characters."));
            } else if crate::text::has_forbidden_characters(value) {
                errors.add(
                    field,
                    format!("The {what} cannot contain {}.", crate::text::FORBIDDEN_CHARACTERS),
                );
            }
            value.to_owned()
        };
        let make = text(Self::MAKE, &self.make, "make (the brand)", 60);
        let model = text(Self::MODEL, &self.model, "model", 60);
        let serial = text(Self::SERIAL, &self.serial, "serial number", 40).to_ascii_uppercase();
        let network_address =
            text(Self::NETWORK_ADDRESS, &self.network_address, "network address", 64);
        if !serial.is_empty() && !serial.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            errors.add(Self::SERIAL, "A serial number has only letters, digits and dashes.");
        }
        if !network_address.is_empty() && !is_network_address(&network_address) {
            errors.add(
                Self::NETWORK_ADDRESS,
                "Enter the address the device shows, such as 00:1B:44:11:3A:B7 or 10.0.0.12.",
            );
        }
        let capacity =
            Capacity::parse(&self.capacity).map_err(|error| errors.add(Self::CAPACITY, error)).ok();
        let service_point = self.service_point.trim().to_owned();
        if service_point.is_empty() {
            errors.add(Self::SERVICE_POINT, "Choose where the device is.");
        }
        match (kind, capacity) {
            (Some(kind), Some(capacity)) if errors.is_empty() => Ok(NewDevice {
                kind,
                make,
                model,
                serial,
                network_address,
                capacity,
                service_point,
            }),
            _ => Err(errors),
        }
    }
}

/// A MAC or EUI-64 (hex pairs joined by `:` or `-`), an IPv4 or IPv6 address, or a vendor's
/// device id (letters, digits, `.`, `:`, `-`, `_`): what head-ends address devices by.
fn is_network_address(address: &str) -> bool {
    address.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '_'))
}

/// Where a device stands with the head-end (the head-end's registration flag, plus the
/// states in between that the customer should see).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Registration {
    /// Not in any enrollment; the head-end does not know it.
    NotRegistered,
    RegistrationPending,
    Registered,
    DeregistrationPending,
    Deregistered,
    /// The head-end refused the registration; the reason is kept beside it.
    Failed,
}

impl Registration {
    pub const ALL: [Registration; 6] = [
        Registration::NotRegistered,
        Registration::RegistrationPending,
        Registration::Registered,
        Registration::DeregistrationPending,
        Registration::Deregistered,
        Registration::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Registration::NotRegistered => "not_registered",
            Registration::RegistrationPending => "registration_pending",
            Registration::Registered => "registered",
            Registration::DeregistrationPending => "deregistration_pending",
            Registration::Deregistered => "deregistered",
            Registration::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Registration::NotRegistered => "Not registered",
            Registration::RegistrationPending => "Registration pending",
            Registration::Registered => "Registered",
            Registration::DeregistrationPending => "De-registration pending",
            Registration::Deregistered => "De-registered",
            Registration::Failed => "Registration failed",
        }
    }
}

/// A device as its owner and customer service see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: super::DeviceId,
    pub kind: DeviceKind,
    pub make: String,
    pub model: String,
    pub serial: String,
    pub network_address: String,
    pub capacity: Capacity,
    pub service_point: String,
    pub registration: Registration,
    /// The head-end's reason, when it refused.
    pub registration_detail: Option<String>,
    /// When the head-end last acknowledged this device, in the utility's time ("Jun 3, 2026,
    /// 2:05 PM"); `None` before the first acknowledgement.
    pub last_sync: Option<String>,
    /// The program the device is enrolled in, if any.
    pub enrolled_in: Option<String>,
    pub entity_group: Option<String>,
}

impl Device {
    /// "Home battery, Tesla Powerwall 2 (13.5 kWh)".
    pub fn title(&self) -> String {
        format!(
            "{}, {} {} ({} {})",
            self.kind.label(),
            self.make,
            self.model,
            self.capacity,
            self.kind.capacity_unit()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn battery() -> DeviceForm {
        DeviceForm {
            kind: "battery".into(),
            make: "Tesla".into(),
            model: "Powerwall 2".into(),
            serial: "tg-1180 ".into(),
            network_address: "00:1B:44:11:3A:B7".into(),
            capacity: "13.5".into(),
            service_point: "SP-100200300".into(),
        }
    }

    #[test]
    fn a_device_form_becomes_a_device() {
        let device = battery().parse().unwrap();
        assert_eq!(device.kind, DeviceKind::Battery);
        assert_eq!(device.serial, "TG-1180");
        assert_eq!(device.capacity, Capacity(135));
    }

    #[test]
    fn bad_device_fields_are_reported_together() {
        let form = DeviceForm {
            kind: "generator".into(),
            make: "".into(),
            serial: "12 34".into(),
            network_address: "http://10.0.0.1/".into(),
            capacity: "0".into(),
            service_point: " ".into(),
            ..battery()
        };
        let errors = form.parse().unwrap_err();
        for field in [
            DeviceForm::KIND,
            DeviceForm::MAKE,
            DeviceForm::SERIAL,
            DeviceForm::NETWORK_ADDRESS,
            DeviceForm::CAPACITY,
            DeviceForm::SERVICE_POINT,
        ] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        assert_eq!(errors.get(DeviceForm::MODEL), None);
    }

    #[test]
    fn make_and_model_refuse_control_and_text_direction_characters() {
        let form =
            DeviceForm { make: "Tes\0la".into(), model: "Power\u{202E}llaw".into(), ..battery() };
        let errors = form.parse().unwrap_err();
        assert!(errors.get(DeviceForm::MAKE).unwrap().contains(crate::text::FORBIDDEN_CHARACTERS));
        assert!(errors.get(DeviceForm::MODEL).unwrap().contains(crate::text::FORBIDDEN_CHARACTERS));
    }

    #[test]
    fn network_addresses_take_the_forms_head_ends_use() {
        for address in [
            "00:1B:44:11:3A:B7",
            "00-1B-44-11-3A-B7-00-01",
            "10.0.0.12",
            "fe80::1",
            "ecobee_511xyz",
        ] {
            assert!(is_network_address(address), "{address}");
        }
        for address in ["10.0.0.1/24", "a b", "<script>"] {
            assert!(!is_network_address(address), "{address}");
        }
    }

    #[test]
    fn registration_states_round_trip_through_stored_names() {
        for state in Registration::ALL {
            assert_eq!(Registration::parse(state.as_str()), Some(state));
        }
    }
}
