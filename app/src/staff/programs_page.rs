use super::utility_summary::UtilitySummary;
use leptos::prelude::*;
use leptos_meta::Title;

/// The program manager's home.
#[component]
pub fn ProgramsPage() -> impl IntoView {
    view! {
        <Title text="Programs" />
        <h1>"Programs"</h1>
        <UtilitySummary />
    }
}
