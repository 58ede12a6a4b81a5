use crate::search::SearchSection;
use leptos::prelude::*;
use leptos_meta::Title;

/// Customer service's home: find an account, then act for the customer (admin mode).
#[component]
pub fn AgentPage() -> impl IntoView {
    view! {
        <Title text="Customer service" />
        <h1>"Customer service"</h1>
        <SearchSection />
    }
}
