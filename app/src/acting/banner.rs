use super::{account_path, acting_for};
use crate::accounts::{load_account, AccountOverview};
use crate::auth::signed_in;
use crate::shell::ErrorNotice;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

/// The customer's pages a customer service agent can open for them, in navigation order.
const ACCOUNT_PAGES: &[(&str, &str)] = &[
    ("", "Account"),
    ("alerts", "Alerts & recipients"),
    ("notifications", "Account notifications"),
    ("programs", "Programs"),
    ("devices", "Devices"),
    ("events", "Peak days"),
    ("activity", "Activity"),
];

/// The frame of every admin-mode page: who is being acted for and by whom, the customer's
/// pages, and Exit back to the search. For an account that cannot be shown (none has that
/// number, say) one notice and the way back to the search, and none of the page: it would only
/// repeat the refusal.
#[component]
pub fn AdminMode() -> impl IntoView {
    let account = acting_for();
    let overview = Resource::new(move || account.clone(), load_account);
    // No `Suspense`, as in `shell::Loaded`: the page below is built once, when the account is
    // there.
    move || {
        Suspend::new(async move {
            match overview.await {
                Ok(overview) => view! { <ActingBanner overview /> <Outlet /> }.into_any(),
                Err(error) => view! {
                    <ErrorNotice error />
                    <p><a href="/agent">"Back to the account search"</a></p>
                }
                .into_any(),
            }
        })
    }
}

#[component]
fn ActingBanner(overview: AccountOverview) -> impl IntoView {
    let signed_in_as = signed_in().map(|viewer| format!(" Signed in as {}.", viewer.display_name));
    let number = overview.account_number.to_string();
    let links = ACCOUNT_PAGES
        .iter()
        .map(|(page, label)| {
            let href = account_path(Some(&number), page);
            view! { <li><A href=href exact=true>{*label}</A></li> }
        })
        .collect_view();
    let acting = format!("Acting for {}, account {number}.", overview.customer_name);
    view! {
        <section class="acting-banner" aria-label="Admin mode">
            <p>
                <strong>{acting}</strong>
                {signed_in_as}
            </p>
            <form method="get" action="/agent">
                <button type="submit" class="secondary">"Exit"</button>
            </form>
            <nav aria-label="Customer's pages">
                <ul class="nav-links">{links}</ul>
            </nav>
        </section>
    }
}
