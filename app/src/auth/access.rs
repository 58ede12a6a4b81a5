use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};

/// Every role a signed-in person can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Agent,
    ProgramManager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Customer, Role::Agent, Role::ProgramManager, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Agent => "agent",
            Role::ProgramManager => "program_manager",
            Role::Admin => "admin",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Customer => "Customer",
            Role::Agent => "Customer service agent",
            Role::ProgramManager => "Program manager",
            Role::Admin => "Administrator",
        }
    }

    /// Where this role lands after signing in.
    pub fn home(self) -> &'static str {
        match self {
            Role::Customer => "/account",
            Role::Agent => "/agent",
            Role::ProgramManager => "/programs",
            Role::Admin => "/admin",
        }
    }
}

/// Who may use a page or a server function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// A customer, and only on their own account.
    Customer,
    /// One account's data: a customer on their own account (from the session), or customer
    /// service acting for the account the request names (admin mode).
    Account,
    /// Customer service: agents and administrators, who find accounts and act for customers.
    CustomerService,
    /// Any staff member: agents, program managers, administrators.
    Staff,
    /// Program managers and administrators.
    ProgramManager,
    /// Administrators only.
    Admin,
    /// Integration partners (the head-end): no session; each request carries an HMAC signature
    /// of its body, so no signed-in person may call it.
    Partner,
    /// Anyone signed in, about their own sign-in (password, second factor, sessions).
    SignedIn,
}

impl Access {
    /// Whether a person with `role` may pass.
    pub fn permits(self, role: Role) -> bool {
        match self {
            Access::Public => true,
            Access::Customer => role == Role::Customer,
            Access::Account => matches!(role, Role::Customer | Role::Agent | Role::Admin),
            Access::CustomerService => matches!(role, Role::Agent | Role::Admin),
            Access::Staff => role != Role::Customer,
            Access::ProgramManager => matches!(role, Role::ProgramManager | Role::Admin),
            Access::Admin => role == Role::Admin,
            Access::Partner => false,
            Access::SignedIn => true,
        }
    }
}

/// Every page and who may open it: the one table the server's guard and the pages read.
/// A path matches an entry when it equals it or continues it after a `/`.
pub const PAGES: &[(&str, Access)] = &[
    ("/signin", Access::Public),
    ("/account", Access::Customer),
    ("/agent", Access::CustomerService),
    ("/programs", Access::ProgramManager),
    ("/admin", Access::Admin),
    ("/security", Access::SignedIn),
    // What the page guard shows in place of a page the viewer may not open.
    ("/not-allowed", Access::Public),
];

/// Who may open the page at `path`; `None` for paths that are not pages (the 404 page, files).
pub fn page_access(path: &str) -> Option<Access> {
    PAGES.iter().find_map(|(prefix, access)| {
        let rest = path.strip_prefix(prefix)?;
        (rest.is_empty() || rest.starts_with('/')).then_some(*access)
    })
}

/// Every server function and who may call it: the one declaration `authorize_call` reads
/// inside each function. A function missing here is refused to everyone, and a test that lists
/// the server's registered functions fails.
pub const SERVER_FUNCTIONS: &[(&str, Access)] = &[
    (<crate::auth::CurrentViewer as ServerFn>::PATH, Access::Public),
    (<crate::accounts::LoadAccount as ServerFn>::PATH, Access::Account),
    (<crate::preferences::LoadPreferences as ServerFn>::PATH, Access::Account),
    (<crate::preferences::AddRecipient as ServerFn>::PATH, Access::Account),
    (<crate::preferences::UpdateContact as ServerFn>::PATH, Access::Account),
    (<crate::preferences::RemoveRecipient as ServerFn>::PATH, Access::Account),
    (<crate::preferences::SaveAlerts as ServerFn>::PATH, Access::Account),
    (<crate::preferences::SetOptOut as ServerFn>::PATH, Access::Account),
    (<crate::preferences::SaveNotifications as ServerFn>::PATH, Access::Account),
    (<crate::activity::LoadActivity as ServerFn>::PATH, Access::Account),
    (<crate::search::SearchAccounts as ServerFn>::PATH, Access::CustomerService),
    (<crate::staff::LoadUtilityOverview as ServerFn>::PATH, Access::Staff),
    (<crate::staff::StaffMembers as ServerFn>::PATH, Access::Admin),
    (<crate::staff::CreateStaffMember as ServerFn>::PATH, Access::Admin),
    (<crate::staff::ChangeStaffRole as ServerFn>::PATH, Access::Admin),
    (<crate::staff::SetStaffDisabled as ServerFn>::PATH, Access::Admin),
    (<crate::staff::EndStaffSessions as ServerFn>::PATH, Access::Admin),
    (<crate::programs::LoadDevices as ServerFn>::PATH, Access::Account),
    (<crate::programs::LoadAccountPrograms as ServerFn>::PATH, Access::Account),
    (<crate::programs::RegisterDevice as ServerFn>::PATH, Access::Account),
    (<crate::programs::RemoveDevice as ServerFn>::PATH, Access::Account),
    (<crate::programs::Enroll as ServerFn>::PATH, Access::Account),
    (<crate::programs::AddEnrolledDevice as ServerFn>::PATH, Access::Account),
    (<crate::programs::ReplaceDevice as ServerFn>::PATH, Access::Account),
    (<crate::programs::Unenroll as ServerFn>::PATH, Access::Account),
    (<crate::programs::LoadProgramsOverview as ServerFn>::PATH, Access::ProgramManager),
    (<crate::programs::SaveProgram as ServerFn>::PATH, Access::ProgramManager),
    // A sign-in half-way through its steps, and a reset link, belong to nobody signed in yet:
    // each answers only about the request's own pending sign-in or the link it carries.
    (<crate::auth::LoadSignInStep as ServerFn>::PATH, Access::Public),
    (<crate::auth::LoadReset as ServerFn>::PATH, Access::Public),
    (<crate::auth::LoadSecurity as ServerFn>::PATH, Access::SignedIn),
    (<crate::auth::ChangePassword as ServerFn>::PATH, Access::SignedIn),
    (<crate::auth::EndOtherSessions as ServerFn>::PATH, Access::SignedIn),
    (<crate::auth::StartTwoStep as ServerFn>::PATH, Access::SignedIn),
    (<crate::auth::ConfirmTwoStep as ServerFn>::PATH, Access::SignedIn),
    (<crate::auth::TurnOffTwoStep as ServerFn>::PATH, Access::Customer),
    (<crate::auth::LoadAccountSignIn as ServerFn>::PATH, Access::CustomerService),
    (<crate::auth::EndCustomerSessions as ServerFn>::PATH, Access::CustomerService),
    (<crate::auth::SetCustomerSignInDisabled as ServerFn>::PATH, Access::CustomerService),
    (<crate::auth::ResetSecondFactor as ServerFn>::PATH, Access::Admin),
    (<crate::staff::HeldMessages as ServerFn>::PATH, Access::Admin),
    (<crate::staff::ReleaseMessage as ServerFn>::PATH, Access::Admin),
];

/// The server's own HTTP handlers (everything that is neither a page nor a server function), as
/// method and path, and who may call them. `/` sends each role to its home, `/signin` and
/// `/signout` are plain forms that work without WASM, `/healthz` is for load balancers,
/// `/pkg/...` are the hashed front-end files; under `/api/v1/` are the integration endpoints,
/// signed by the partner system, and their OpenAPI document.
pub const HANDLERS: &[(&str, &str, Access)] = &[
    ("GET", "/", Access::Public),
    // Issues a one-time reset link and shows it to the administrator, once. (Listed before
    // `/signin` and `/signout`, which end the caller's session, as the access test calls
    // each handler in this order.)
    ("POST", "/admin/reset-link", Access::Admin),
    ("POST", "/signin", Access::Public),
    // The later steps of signing in, each for the request's own half-finished sign-in, and a
    // new password from a reset link (which carries its own one-time token).
    ("POST", "/signin/verify", Access::Public),
    ("POST", "/signin/new-password", Access::Public),
    ("POST", "/signin/two-step", Access::Public),
    ("POST", "/signin/reset", Access::Public),
    ("POST", "/signout", Access::Public),
    ("GET", "/healthz", Access::Public),
    ("GET", "/pkg/{file}", Access::Public),
    ("POST", "/api/v1/head-end/acknowledgements", Access::Partner),
    ("GET", "/api/v1/openapi.json", Access::Public),
];

/// Who may call the server function at `path` (its `ServerFn::PATH`).
pub fn server_function_access(path: &str) -> Option<Access> {
    SERVER_FUNCTIONS.iter().find(|(declared, _)| *declared == path).map(|(_, access)| *access)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_may_open_its_own_home() {
        for role in Role::ALL {
            let access = page_access(role.home()).expect("every home is a page");
            assert!(access.permits(role), "{role:?} cannot open {}", role.home());
        }
    }

    #[test]
    fn a_customer_may_not_open_staff_pages() {
        for page in ["/agent", "/programs", "/admin", "/agent/accounts/123"] {
            assert!(!page_access(page).unwrap().permits(Role::Customer), "{page}");
        }
    }

    #[test]
    fn staff_may_not_open_the_customer_home() {
        for role in [Role::Agent, Role::ProgramManager, Role::Admin] {
            assert!(!page_access("/account").unwrap().permits(role));
        }
    }

    #[test]
    fn an_agent_may_not_open_program_or_admin_pages() {
        assert!(!page_access("/programs").unwrap().permits(Role::Agent));
        assert!(!page_access("/admin").unwrap().permits(Role::Agent));
        assert!(!page_access("/admin").unwrap().permits(Role::ProgramManager));
    }

    #[test]
    fn only_customer_service_may_act_for_an_account() {
        assert!(Access::Account.permits(Role::Customer));
        assert!(Access::Account.permits(Role::Agent));
        assert!(Access::Account.permits(Role::Admin));
        assert!(!Access::Account.permits(Role::ProgramManager));
        assert!(!page_access("/agent/accounts/3000012345/alerts")
            .unwrap()
            .permits(Role::ProgramManager));
    }

    #[test]
    fn every_server_function_is_declared_once() {
        let mut paths: Vec<&str> = SERVER_FUNCTIONS.iter().map(|(path, _)| *path).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), SERVER_FUNCTIONS.len());
    }

    #[test]
    fn prefixes_match_whole_segments_only() {
        assert_eq!(page_access("/accounting"), None);
        assert_eq!(page_access("/account/alerts"), Some(Access::Customer));
        assert_eq!(page_access("/nowhere"), None);
    }

    #[test]
    fn roles_round_trip_through_stored_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
