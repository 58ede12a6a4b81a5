use super::load_utility_overview;
use crate::shell::Loaded;
use crate::utility::UtilityOverview;
use leptos::prelude::*;

/// The utility's configuration as every staff home shows it.
#[component]
pub fn UtilitySummary() -> impl IntoView {
    view! {
        <Loaded data=load_utility_overview() show=|overview| view! { <UtilityFacts overview /> }.into_any() />
    }
}

#[component]
fn UtilityFacts(overview: UtilityOverview) -> impl IntoView {
    let settings = overview.settings;
    let channels =
        settings.channels.iter().map(|channel| channel.label()).collect::<Vec<_>>().join(", ");
    view! {
        <section class="card" aria-labelledby="utility-heading">
            <h2 id="utility-heading">{settings.name}</h2>
            <dl class="facts">
                <div>
                    <dt>"Peak-day product"</dt>
                    <dd>{settings.product.label()}</dd>
                </div>
                <div>
                    <dt>"Channels offered"</dt>
                    <dd>{channels}</dd>
                </div>
                <div>
                    <dt>"Time zone"</dt>
                    <dd>{settings.time_zone}</dd>
                </div>
                <div>
                    <dt>"Customer accounts"</dt>
                    <dd>{overview.account_count.to_string()}</dd>
                </div>
            </dl>
        </section>
    }
}
