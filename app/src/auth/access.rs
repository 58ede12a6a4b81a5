#[cfg(feature = "ssr")]
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

/// Who may call a server function: declared beside the function with [`declare_access!`] and
/// read inside it by `authorize_call::<F>()`, which requires it, so a server function without
/// a declaration does not compile. The server's registered functions are checked against
/// [`server_functions`] by a test, which then calls each as every role.
#[cfg(feature = "ssr")]
pub trait Guarded: ServerFn {
    const ACCESS: Access;
}

/// One declared server function, collected at link time for [`server_functions`].
#[cfg(feature = "ssr")]
pub struct DeclaredAccess {
    pub path: &'static str,
    pub access: Access,
}

#[cfg(feature = "ssr")]
inventory::collect!(DeclaredAccess);

/// Declares who may call server function `F` (its generated type): `declare_access!(F => Account)`.
#[macro_export]
macro_rules! declare_access {
    ($function:ty => $access:ident) => {
        #[cfg(feature = "ssr")]
        impl $crate::auth::Guarded for $function {
            const ACCESS: $crate::auth::Access = $crate::auth::Access::$access;
        }
        #[cfg(feature = "ssr")]
        inventory::submit! {
            $crate::auth::DeclaredAccess {
                path: <$function as leptos::server_fn::ServerFn>::PATH,
                access: $crate::auth::Access::$access,
            }
        }
    };
}

/// Every declared server function and who may call it.
#[cfg(feature = "ssr")]
pub fn server_functions() -> impl Iterator<Item = (&'static str, Access)> {
    inventory::iter::<DeclaredAccess>.into_iter().map(|declared| (declared.path, declared.access))
}

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
#[cfg(feature = "ssr")]
pub fn server_function_access(path: &str) -> Option<Access> {
    server_functions().find(|(declared, _)| *declared == path).map(|(_, access)| access)
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

    #[cfg(feature = "ssr")]
    #[test]
    fn every_server_function_is_declared_once() {
        let mut paths: Vec<&str> = server_functions().map(|(path, _)| path).collect();
        let declared = paths.len();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), declared);
        assert!(declared >= 40, "the declarations beside the server functions are collected");
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
