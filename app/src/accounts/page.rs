use super::{load_account, AccountOverview, ServicePoint};
use crate::shell::Loaded;
use leptos::prelude::*;
use leptos_meta::Title;

/// The customer's home: whose account this is, where, and the service points it covers. In
/// admin mode, the same for the customer acted for.
#[component]
pub fn AccountPage() -> impl IntoView {
    let acting = crate::acting::acting_for();
    let title = if acting.is_some() { "Account" } else { "My account" };
    let account = load_account(acting.clone());
    // Customer service's controls over the customer's sign-in, in admin mode.
    let sign_in = acting.map(|number| {
        crate::shell::provide_plain_post_refusal();
        crate::shell::SaveFeedback::provide();
        view! {
            <crate::shell::SaveStatus />
            <crate::auth::CustomerSignInSection account=number.clone() />
            <super::MedicalFlagSection account=number />
        }
    });
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <Loaded data=account show=|account| view! { <AccountDetails account /> }.into_any() />
        {sign_in}
    }
}

#[component]
fn AccountDetails(account: AccountOverview) -> impl IntoView {
    let points = account
        .service_points
        .into_iter()
        .map(|point| view! { <ServicePointCard point /> })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="account-heading">
            <h2 id="account-heading">"Account"</h2>
            <dl class="facts">
                <div>
                    <dt>"Account number"</dt>
                    <dd class="account-number">{account.account_number.to_string()}</dd>
                </div>
                <div>
                    <dt>"Name"</dt>
                    <dd>{account.customer_name}</dd>
                </div>
                <div>
                    <dt>"Service address"</dt>
                    <dd>{account.service_address}</dd>
                </div>
            </dl>
        </section>
        <section aria-labelledby="service-points-heading">
            <h2 id="service-points-heading">"Service points"</h2>
            <ul class="card-list">{points}</ul>
        </section>
    }
}

#[component]
fn ServicePointCard(point: ServicePoint) -> impl IntoView {
    let meter = if point.ami {
        "Smart meter (hourly readings)"
    } else {
        "Standard meter (monthly reading)"
    };
    view! {
        <li class="card">
            <h3>{format!("{} service point {}", point.fuel.label(), point.number)}</h3>
            <dl class="facts">
                <div>
                    <dt>"Rate"</dt>
                    <dd>{point.rate_class}</dd>
                </div>
                <div>
                    <dt>"Meter"</dt>
                    <dd>{meter}</dd>
                </div>
                <div>
                    <dt>"Billing period starts"</dt>
                    <dd>{format!("Day {} of each month", point.bill_cycle_day.get())}</dd>
                </div>
            </dl>
        </li>
    }
}
