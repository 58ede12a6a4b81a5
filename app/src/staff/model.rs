use crate::auth::Role;
use serde::{Deserialize, Serialize};

/// A staff user as administrators see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub disabled: bool,
}
