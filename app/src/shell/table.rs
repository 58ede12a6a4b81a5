use leptos::prelude::*;

/// A data table that scrolls sideways inside its own region on a narrow screen (the page never
/// does), named by the heading `labelledby` and focusable so keyboard users can scroll it.
#[component]
pub fn ScrollTable(
    #[prop(into)] labelledby: String,
    /// The column headings.
    headers: &'static [&'static str],
    /// The rows (`<tr>`s).
    children: Children,
) -> impl IntoView {
    let headers =
        headers.iter().map(|header| view! { <th scope="col">{*header}</th> }).collect_view();
    view! {
        <div class="table-scroll" role="region" aria-labelledby=labelledby tabindex="0">
            <table>
                <thead><tr>{headers}</tr></thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
