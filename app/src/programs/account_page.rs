use super::devices_page::DeviceFacts;
use super::{
    load_account_programs, AccountPrograms, AddEnrolledDevice, Device, Enroll, EnrollmentView,
    ProgramOffer, ReplaceDevice, Unenroll,
};
use crate::acting::{account_path, acting_for, ActingInput};
use crate::shell::{
    provide_plain_post_refusal, FormErrors, FormRefusal, Loaded, SaveFeedback, SaveStatus,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/account/programs`: every program the utility offers, with the account's enrollment and
/// devices in it, or what it may enroll, or why it cannot. Server-rendered with plain forms.
#[component]
pub fn AccountProgramsPage() -> impl IntoView {
    provide_plain_post_refusal();
    SaveFeedback::provide();
    let account = acting_for();
    let devices_href = account_path(account.as_deref(), "devices");
    view! {
        <Title text="Programs" />
        <h1>"Programs"</h1>
        <p class="lead">
            "Earn credits by letting the utility use your smart devices on peak days. Add devices under "
            <a href=devices_href>"My devices"</a>"."
        </p>
        <SaveStatus />
        <Loaded data=load_account_programs(account) show=|programs| view! { <Offers programs /> }.into_any() />
    }
}

/// The page's forms, made once and shared by every program card.
#[derive(Clone, Copy)]
struct Actions {
    enroll: ServerAction<Enroll>,
    add: ServerAction<AddEnrolledDevice>,
    replace: ServerAction<ReplaceDevice>,
    unenroll: ServerAction<Unenroll>,
}

#[component]
fn Offers(programs: AccountPrograms) -> impl IntoView {
    let actions = Actions {
        enroll: ServerAction::new(),
        add: ServerAction::new(),
        replace: ServerAction::new(),
        unenroll: ServerAction::new(),
    };
    let errors = [
        FormErrors::follow(actions.enroll),
        FormErrors::follow(actions.add),
        FormErrors::follow(actions.replace),
        FormErrors::follow(actions.unenroll),
    ];
    if programs.offers.is_empty() {
        return view! { <p class="card">"No programs are open right now."</p> }.into_any();
    }
    let cards = programs
        .offers
        .into_iter()
        .map(|offer| view! { <OfferCard offer actions /> })
        .collect_view();
    view! {
        {errors.map(|errors| view! { <FormRefusal errors /> })}
        <ul class="card-list">{cards}</ul>
    }
    .into_any()
}

#[component]
fn OfferCard(offer: ProgramOffer, actions: Actions) -> impl IntoView {
    let program = offer.program;
    let heading = format!("program-{}-heading", program.id);
    let definition = program.definition;
    let rules =
        definition.rule_lines().into_iter().map(|line| view! { <li>{line}</li> }).collect_view();
    let body = match offer.enrollment {
        Some(enrollment) => {
            let program_name = definition.name.clone();
            view! { <Enrolled program_name enrollment eligible=offer.eligible actions /> }
                .into_any()
        }
        None if !offer.eligible.is_empty() => {
            view! { <EnrollForm program=program.id devices=offer.eligible action=actions.enroll /> }
                .into_any()
        }
        None => {
            let reasons =
                offer.reasons.into_iter().map(|reason| view! { <li>{reason}</li> }).collect_view();
            view! {
                <p class="status status--warn">"You cannot enroll yet"</p>
                <ul class="reasons">{reasons}</ul>
            }
            .into_any()
        }
    };
    view! {
        <li class="card program">
            <h2 id=heading>{definition.name.clone()}</h2>
            <p><span class="tag">{definition.kind.label()}</span></p>
            <p>{definition.description.clone()}</p>
            <p><strong>{definition.incentive_line()}</strong></p>
            <details class="disclosure">
                <summary>"Program rules" <span class="visually-hidden">{format!(" of {}", definition.name)}</span></summary>
                <ul>{rules}</ul>
            </details>
            {body}
        </li>
    }
}

/// Options of a device select: id and title.
fn device_options(devices: &[Device]) -> impl IntoView {
    devices
        .iter()
        .map(|device| view! { <option value=device.id.to_string()>{device.title()}</option> })
        .collect_view()
}

#[component]
fn EnrollForm(
    program: super::ProgramId,
    devices: Vec<Device>,
    action: ServerAction<Enroll>,
) -> impl IntoView {
    let id = format!("enroll-{program}-device");
    view! {
        <ActionForm action>
            <ActingInput />
            <input type="hidden" name="program" value=program.to_string() />
            <div class="field field--narrow">
                <label for=id.clone()>"Device to enroll"</label>
                <select id=id name="device">{device_options(&devices)}</select>
            </div>
            <button type="submit" class="primary">"Enroll"</button>
        </ActionForm>
    }
}

#[component]
fn Enrolled(
    program_name: String,
    enrollment: EnrollmentView,
    eligible: Vec<Device>,
    actions: Actions,
) -> impl IntoView {
    let class = match enrollment.status {
        super::EnrollmentStatus::Enrolled => "status status--ok",
        _ => "status",
    };
    let id = enrollment.id;
    let devices = enrollment
        .devices
        .into_iter()
        .map(|device| {
            let replace = (!eligible.is_empty()).then(|| {
                view! { <ReplaceForm enrollment=id device=device.clone() choices=eligible.clone() action=actions.replace /> }
            });
            view! {
                <li>
                    <h3>{device.title()}</h3>
                    <DeviceFacts device />
                    {replace}
                </li>
            }
        })
        .collect_view();
    let hint = eligible.is_empty().then(|| {
        view! { <p class="hint">"To add or replace a device, first add the new one under My devices."</p> }
    });
    let add = (!eligible.is_empty()).then(|| {
        let field = format!("enrollment-{id}-add");
        view! {
            <ActionForm action=actions.add attr:class="inline-form">
                <ActingInput />
                <input type="hidden" name="enrollment" value=id.to_string() />
                <label for=field.clone()>"Add a device"</label>
                <select id=field name="device">{device_options(&eligible)}</select>
                <button type="submit" class="secondary">"Add to program"</button>
            </ActionForm>
        }
    });
    let pending = (enrollment.status == super::EnrollmentStatus::Pending).then(|| {
        view! { <p class="hint">"The utility's control system confirms each device, usually within a minute. Reload this page to see it."</p> }
    });

    view! {
        <p class=class>{enrollment.status.label()}</p>
        {pending}
        <p>{format!("Service point {}", enrollment.service_point)}</p>
        <ul class="enrolled-devices">{devices}</ul>
        {add}
        {hint}
        // Two steps, with or without WASM: open, read what it means, confirm.
        <details class="disclosure">
            <summary>"Unenroll…"</summary>
            <p>{format!("Your devices leave {program_name} and are de-registered from the utility's control system. Credits already earned stay yours.")}</p>
            <ActionForm action=actions.unenroll attr:class="inline-form">
                <ActingInput />
                <input type="hidden" name="enrollment" value=id.to_string() />
                <button type="submit" class="danger">{format!("Unenroll from {program_name}")}</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn ReplaceForm(
    enrollment: super::EnrollmentId,
    device: Device,
    choices: Vec<Device>,
    action: ServerAction<ReplaceDevice>,
) -> impl IntoView {
    let field = format!("replace-{}", device.id);
    let label = format!("Replace the {} with", device.title());
    view! {
        <ActionForm action attr:class="inline-form">
            <ActingInput />
            <input type="hidden" name="enrollment" value=enrollment.to_string() />
            <input type="hidden" name="device" value=device.id.to_string() />
            <label for=field.clone()>{label}</label>
            <select id=field name="replacement">{device_options(&choices)}</select>
            <button type="submit" class="secondary">"Replace"</button>
        </ActionForm>
    }
}
