//! Admin mode (issue 4): customer service acting for one customer under
//! `/agent/accounts/{account_number}/...`, on the customer's own pages, with a banner on every
//! page saying for whom and as whom.
//!
//! The pages are the customer's: they ask [`acting_for`] which account the URL names (none on a
//! customer's own pages) and pass it to their server functions, which check it
//! (`account_scope`). Islands have no router, so a page hands the account to its island, which
//! provides it as [`ActingFor`]; every save form then carries it (`SaveBasis`).

mod banner;

pub use banner::AdminMode;

use leptos::prelude::*;

/// The account number in an admin-mode URL: `None` on a customer's own pages. Read by page
/// components on the server (islands get it as a prop).
pub fn acting_for() -> Option<String> {
    use leptos_router::hooks::use_params_map;
    use_params_map().with_untracked(|params| params.get("number"))
}

/// In admin mode, the hidden input that names the account a server-rendered form acts for;
/// nothing on a customer's own pages.
#[component]
pub fn ActingInput() -> impl IntoView {
    acting_for().map(|number| view! { <input type="hidden" name="account" value=number /> })
}

/// The account an island's forms act for: `None` for the customer's own account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActingFor(pub Option<String>);

impl ActingFor {
    pub fn provide(account: Option<String>) {
        provide_context(Self(account));
    }

    /// The account the surrounding island acts for.
    pub fn current() -> Option<String> {
        use_context::<Self>().and_then(|acting| acting.0)
    }
}

/// Where a page of the account lives: `/account/...` for the customer, the same page under
/// `/agent/accounts/{number}/...` in admin mode. `page` is "" for the account's home.
pub fn account_path(account: Option<&str>, page: &str) -> String {
    let base = match account {
        Some(number) => format!("/agent/accounts/{number}"),
        None => "/account".to_owned(),
    };
    if page.is_empty() {
        base
    } else {
        format!("{base}/{page}")
    }
}

#[cfg(test)]
mod tests {
    use super::account_path;

    #[test]
    fn admin_mode_pages_mirror_the_customer_pages() {
        assert_eq!(account_path(None, ""), "/account");
        assert_eq!(account_path(None, "alerts"), "/account/alerts");
        assert_eq!(account_path(Some("3000012345"), ""), "/agent/accounts/3000012345");
        assert_eq!(
            account_path(Some("3000012345"), "activity"),
            "/agent/accounts/3000012345/activity"
        );
    }
}
