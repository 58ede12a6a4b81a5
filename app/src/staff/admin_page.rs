use super::{staff_members, utility_summary::UtilitySummary, StaffMember};
use crate::shell::Loaded;
use leptos::prelude::*;
use leptos_meta::Title;

/// The administrator's home: the utility's settings and the staff who can sign in.
#[component]
pub fn AdminPage() -> impl IntoView {
    let staff = Resource::new(|| (), |_| staff_members());
    view! {
        <Title text="Administration" />
        <h1>"Administration"</h1>
        <UtilitySummary />
        <section>
            <h2 id="staff-heading">"Staff"</h2>
            <Loaded resource=staff show=|staff| view! { <StaffTable staff /> }.into_any() />
        </section>
    }
}

#[component]
fn StaffTable(staff: Vec<StaffMember>) -> impl IntoView {
    let rows = staff
        .into_iter()
        .map(|member| {
            let status = if member.disabled { "Disabled" } else { "Active" };
            view! {
                <tr>
                    <th scope="row">{member.display_name}</th>
                    <td>{member.email}</td>
                    <td>{member.role.label()}</td>
                    <td>{status}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" role="region" aria-labelledby="staff-heading" tabindex="0">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
