use super::{
    staff_members, utility_summary::UtilitySummary, ChangeStaffRole, CreateStaffMember,
    EndStaffSessions, NewStaffForm, SetStaffDisabled, StaffMember, STAFF_PASSWORD_MIN_LEN,
};
use crate::auth::{Role, StaffRole};
use crate::shell::{
    provide_plain_post_refusal, FormErrors, FormRefusal, Loaded, SaveFeedback, SaveStatus,
    ScrollTable, TextField,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The administrator's home: the utility's settings, and the staff who can sign in, with
/// their roles, a switch to disable each one's sign-in and to end their sessions.
///
/// Server-rendered, with plain forms: an administrator's page adds nothing to every visitor's
/// WASM, and each change comes back to this page confirmed (or with its refusal).
#[component]
pub fn AdminPage() -> impl IntoView {
    provide_plain_post_refusal();
    SaveFeedback::provide();
    view! {
        <Title text="Administration" />
        <h1>"Administration"</h1>
        <SaveStatus />
        <UtilitySummary />
        <section aria-labelledby="staff-heading">
            <h2 id="staff-heading">"Staff"</h2>
            <Loaded data=staff_members() show=|staff| view! { <StaffTable staff /> }.into_any() />
        </section>
        <AddStaffSection />
        <super::HeldMessagesSection />
    }
}

#[component]
fn StaffTable(staff: Vec<StaffMember>) -> impl IntoView {
    let role_action = ServerAction::<ChangeStaffRole>::new();
    let disable_action = ServerAction::<SetStaffDisabled>::new();
    let sessions_action = ServerAction::<EndStaffSessions>::new();
    let two_step_action = ServerAction::<crate::auth::ResetSecondFactor>::new();
    let errors = [
        FormErrors::follow(role_action),
        FormErrors::follow(disable_action),
        FormErrors::follow(sessions_action),
        FormErrors::follow(two_step_action),
    ];
    let rows = staff
        .into_iter()
        .map(|member| {
            let status = if member.disabled { "Disabled" } else { "Active" };
            let (id, name) = (member.id, member.display_name.clone());
            view! {
                <tr>
                    <th scope="row">{member.display_name}</th>
                    <td>{member.email}</td>
                    <td><RoleForm action=role_action id name=name.clone() role=member.role /></td>
                    <td>{status}</td>
                    <td class="actions">
                        <SignInForm action=disable_action id name=name.clone() disabled=member.disabled />
                        <EndSessionsForm action=sessions_action id name=name.clone() />
                        <ResetTwoStepForm action=two_step_action id name=name.clone() />
                        <ResetSignInForm id name />
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {errors.map(|errors| view! { <FormRefusal errors /> })}
        <ScrollTable labelledby="staff-heading" headers=&["Name", "Email", "Role", "Status", "Sign-in"]>
            {rows}
        </ScrollTable>
    }
}

/// "Role of <name>" with Save role.
#[component]
fn RoleForm(
    action: ServerAction<ChangeStaffRole>,
    id: crate::auth::UserId,
    name: String,
    role: Role,
) -> impl IntoView {
    let field_id = format!("staff-{id}-role");
    let options = StaffRole::ALL
        .into_iter()
        .map(|option| {
            let option = Role::from(option);
            view! { <option value=option.as_str() selected=option == role>{option.label()}</option> }
        })
        .collect_view();
    view! {
        <ActionForm action attr:class="inline-form">
            <input type="hidden" name="user" value=id.to_string() />
            <label for=field_id.clone() class="visually-hidden">{format!("Role of {name}")}</label>
            <select id=field_id name="role">{options}</select>
            <button type="submit" class="secondary">
                "Save role" <span class="visually-hidden">{format!(" of {name}")}</span>
            </button>
        </ActionForm>
    }
}

/// "Disable sign-in" (which ends their sessions) or "Enable sign-in".
#[component]
fn SignInForm(
    action: ServerAction<SetStaffDisabled>,
    id: crate::auth::UserId,
    name: String,
    disabled: bool,
) -> impl IntoView {
    let (label, class) =
        if disabled { ("Enable sign-in", "secondary") } else { ("Disable sign-in", "danger") };
    view! {
        <ActionForm action attr:class="inline-form">
            <input type="hidden" name="user" value=id.to_string() />
            <input type="hidden" name="disabled" value=(!disabled).to_string() />
            <button type="submit" class=class>
                {label} <span class="visually-hidden">{format!(" of {name}")}</span>
            </button>
        </ActionForm>
    }
}

#[component]
fn EndSessionsForm(
    action: ServerAction<EndStaffSessions>,
    id: crate::auth::UserId,
    name: String,
) -> impl IntoView {
    view! {
        <ActionForm action attr:class="inline-form">
            <input type="hidden" name="user" value=id.to_string() />
            <button type="submit" class="secondary">
                "End all sessions" <span class="visually-hidden">{format!(" of {name}")}</span>
            </button>
        </ActionForm>
    }
}

/// "Reset two-step verification": they set it up again at their next sign-in.
#[component]
fn ResetTwoStepForm(
    action: ServerAction<crate::auth::ResetSecondFactor>,
    id: crate::auth::UserId,
    name: String,
) -> impl IntoView {
    view! {
        <ActionForm action attr:class="inline-form">
            <input type="hidden" name="user" value=id.to_string() />
            <button type="submit" class="secondary">
                "Reset two-step" <span class="visually-hidden">{format!(" of {name}")}</span>
            </button>
        </ActionForm>
    }
}

/// "Reset sign-in": a one-time link to choose a new password, shown once on the next page.
#[component]
fn ResetSignInForm(id: crate::auth::UserId, name: String) -> impl IntoView {
    view! {
        <form method="post" action=crate::auth::RESET_LINK_PAGE class="inline-form">
            <input type="hidden" name="user" value=id.to_string() />
            <button type="submit" class="secondary">
                "Reset sign-in" <span class="visually-hidden">{format!(" of {name}")}</span>
            </button>
        </form>
    }
}

#[component]
fn AddStaffSection() -> impl IntoView {
    let action = ServerAction::<CreateStaffMember>::new();
    let errors = FormErrors::follow(action);
    let field = move |key: &'static str,
                      label: &'static str,
                      kind: &'static str,
                      autocomplete: &'static str| {
        view! {
            <TextField
                id=format!("new-staff-{key}")
                name=key
                label
                kind
                autocomplete
                value=errors.typed(key)
                error=errors.field(key)
            />
        }
    };
    let role_error = errors.field(NewStaffForm::ROLE);
    let typed_role = errors.typed(NewStaffForm::ROLE);
    let options = StaffRole::ALL
        .into_iter()
        .map(|role| {
            let role = Role::from(role);
            let selected = role.as_str() == typed_role;
            view! { <option value=role.as_str() selected=selected>{role.label()}</option> }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="add-staff-heading">
            <h2 id="add-staff-heading">"Add a staff member"</h2>
            <ActionForm action attr:novalidate=true>
                {field(NewStaffForm::NAME, "Name", "text", "off")}
                {field(NewStaffForm::EMAIL, "Email", "email", "off")}
                <div class="field">
                    <label for="new-staff-role">"Role"</label>
                    <select id="new-staff-role" name=NewStaffForm::ROLE aria-describedby="new-staff-role-error">
                        {options}
                    </select>
                    <p id="new-staff-role-error" class="field-error">{move || role_error.get()}</p>
                </div>
                {field(NewStaffForm::PASSWORD, "Initial password", "password", "new-password")}
                <p class="hint">{format!("At least {STAFF_PASSWORD_MIN_LEN} characters. It works once: at their first sign-in they choose their own and set up two-step verification. Give it to them in person or by phone, not by email.")}</p>
                <FormRefusal errors />
                <button type="submit" class="primary">"Add staff member"</button>
            </ActionForm>
        </section>
    }
}
