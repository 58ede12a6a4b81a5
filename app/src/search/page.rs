use super::{search_accounts, AccountMatch, SearchResults};
use crate::acting::account_path;
use crate::shell::{query_param, Loaded, ScrollTable};
use leptos::prelude::*;

/// The search box and, once something was searched, one page of results. A plain GET form:
/// the query is in the URL, so Back, bookmarks and a second tab all work, with or without WASM.
#[component]
pub fn SearchSection() -> impl IntoView {
    let (query, after) = (query_param("q"), query_param("after"));
    let results = query.clone().map(|text| {
        let data = search_accounts(text.clone(), after.clone());
        view! {
            <Loaded
                data
                show=move |results| view! { <ResultsList results query=text.clone() /> }.into_any()
            />
        }
    });
    view! {
        <section class="card" aria-labelledby="search-heading">
            <h2 id="search-heading">"Find an account"</h2>
            <form method="get" action="/agent" role="search" class="search-form">
                <div class="field">
                    <label for="search-q">"Search accounts"</label>
                    <input
                        id="search-q"
                        name="q"
                        type="search"
                        value=query.clone().unwrap_or_default()
                        aria-describedby="search-hint"
                        autocomplete="off"
                        spellcheck="false"
                    />
                    <p id="search-hint" class="hint">
                        "Account number, customer or recipient name, email, phone number (any layout) or service address."
                    </p>
                </div>
                <button type="submit" class="primary">"Search"</button>
            </form>
        </section>
        {results}
    }
}

#[component]
fn ResultsList(results: SearchResults, query: String) -> impl IntoView {
    let SearchResults { matches, next } = results;
    if matches.is_empty() {
        return view! {
            <p class="card" role="status">{format!("No accounts match “{}”.", query.trim())}</p>
        }
        .into_any();
    }
    let count = if next.is_some() {
        format!("Showing {} accounts; there are more.", matches.len())
    } else if matches.len() == 1 {
        "1 account found.".to_owned()
    } else {
        format!("{} accounts found.", matches.len())
    };
    let rows = matches.into_iter().map(|found| view! { <ResultRow found /> }).collect_view();
    let next_link = next.map(|cursor| {
        let href = format!(
            "/agent?q={}&after={}",
            encode_component(&query),
            encode_component(&cursor.encode())
        );
        view! { <p><a href=href>"Next page of results"</a></p> }
    });
    view! {
        <section aria-labelledby="results-heading">
            <h2 id="results-heading">"Results"</h2>
            <p role="status">{count}</p>
            <ScrollTable labelledby="results-heading" headers=&["Account number", "Name", "Service address", "Service points"]>
                {rows}
            </ScrollTable>
            {next_link}
        </section>
    }
    .into_any()
}

#[component]
fn ResultRow(found: AccountMatch) -> impl IntoView {
    let number = found.account_number.to_string();
    let points = found
        .service_points
        .iter()
        .map(|point| format!("{} {} ({})", point.fuel.label(), point.number, point.rate_class))
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <tr>
            <th scope="row">
                <a href=account_path(Some(&number), "")>
                    {number.clone()}
                    <span class="visually-hidden">{format!(", {}", found.customer_name)}</span>
                </a>
            </th>
            <td>{found.customer_name.clone()}</td>
            <td>{found.service_address}</td>
            <td>{points}</td>
        </tr>
    }
}

/// Percent-encoding of one query value.
fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(super::encode_component("w:o'neil|42"), "w%3Ao%27neil%7C42");
        assert_eq!(super::encode_component("Zoë 12"), "Zo%C3%AB%2012");
    }
}
