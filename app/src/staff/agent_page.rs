use super::utility_summary::UtilitySummary;
use crate::search::SearchSection;
use leptos::prelude::*;
use leptos_meta::Title;

/// Customer service's home: find an account, then act for the customer (admin mode). The
/// utility's settings below say what customers are offered.
#[component]
pub fn AgentPage() -> impl IntoView {
    view! {
        <Title text="Customer service" />
        <h1>"Customer service"</h1>
        <SearchSection />
        <UtilitySummary />
    }
}
