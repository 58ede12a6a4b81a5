//! What the programs and devices pages show, as the server sends it.

use super::device::Device;
use super::entity_group::EntityGroupSummary;
use super::model::Program;
use serde::{Deserialize, Serialize};

/// Where an enrollment is: pending until the head-end has registered its devices,
/// then enrolled, until the customer (or an agent) unenrolls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrollmentStatus {
    Pending,
    Enrolled,
    Unenrolled,
}

impl EnrollmentStatus {
    pub const ALL: [EnrollmentStatus; 3] =
        [EnrollmentStatus::Pending, EnrollmentStatus::Enrolled, EnrollmentStatus::Unenrolled];

    pub fn as_str(self) -> &'static str {
        match self {
            EnrollmentStatus::Pending => "pending",
            EnrollmentStatus::Enrolled => "enrolled",
            EnrollmentStatus::Unenrolled => "unenrolled",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            EnrollmentStatus::Pending => "Enrollment pending: registering your devices",
            EnrollmentStatus::Enrolled => "Enrolled",
            EnrollmentStatus::Unenrolled => "Unenrolled",
        }
    }
}

/// A live enrollment (the subscription: customer, program, service point and devices).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentView {
    pub id: super::EnrollmentId,
    pub status: EnrollmentStatus,
    pub service_point: String,
    pub devices: Vec<Device>,
}

/// One active program as an account sees it: enrolled, open to some of its devices, or closed
/// to it with the reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramOffer {
    pub program: Program,
    pub enrollment: Option<EnrollmentView>,
    /// Devices that may join (to enroll, or to add to the enrollment).
    pub eligible: Vec<Device>,
    /// Why the account cannot enroll, when it is not enrolled and no device may join.
    pub reasons: Vec<String>,
}

/// The programs page of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPrograms {
    pub offers: Vec<ProgramOffer>,
}

/// The devices page of an account: its devices, and the service points a new one may sit behind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDevices {
    pub devices: Vec<Device>,
    pub service_points: Vec<String>,
}

/// A program in the program manager's list, with how many live enrollments it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramSummary {
    pub program: Program,
    pub live_enrollments: u32,
}

/// The program manager's page: every program and every entity group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramsOverview {
    pub programs: Vec<ProgramSummary>,
    pub groups: Vec<EntityGroupSummary>,
}
