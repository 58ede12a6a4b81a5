use super::utility_summary::UtilitySummary;
use leptos::prelude::*;
use leptos_meta::Title;

/// The home of every staff member; agents land here.
#[component]
pub fn AgentPage() -> impl IntoView {
    view! {
        <Title text="Customer service" />
        <h1>"Customer service"</h1>
        <UtilitySummary />
    }
}
