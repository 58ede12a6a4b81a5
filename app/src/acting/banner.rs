use super::{account_path, acting_for};
use crate::accounts::{load_account, AccountOverview};
use crate::auth::signed_in;
use crate::error::AppError;
use crate::shell::ErrorNotice;
use leptos::prelude::*;
use leptos_meta::Title;
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
/// number, say) a page that says so and the way back to the search, and none of the page
/// below: it would only repeat the refusal.
#[component]
pub fn AdminMode() -> impl IntoView {
    let account = acting_for();
    let overview = load_account(account);
    // No `Suspense` and no `Resource`, as in `shell::Loaded`: the page below is built once,
    // when the account is there.
    Suspend::new(async move {
        match overview.await {
            Ok(overview) => view! { <ActingBanner overview /> <Outlet /> }.into_any(),
            Err(error) => view! { <AccountUnavailable error /> }.into_any(),
        }
    })
}

/// The page for an account that cannot be opened, titled for what went wrong. The number from
/// the address is not repeated: a crafted address would put its words on the page.
#[component]
fn AccountUnavailable(error: AppError) -> impl IntoView {
    let (heading, notice) = match error {
        AppError::NotFound => ("Account not found", None),
        other => ("This account cannot be opened", Some(other)),
    };
    view! {
        <Title text=heading />
        <section class="card narrow">
            <h1>{heading}</h1>
            {match notice {
                None => view! {
                    <p>"No account has that number. Check it, or search by name, phone number, email or service address."</p>
                }
                .into_any(),
                Some(error) => view! { <ErrorNotice error /> }.into_any(),
            }}
            <p><a href="/agent">"Back to the account search"</a></p>
        </section>
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
