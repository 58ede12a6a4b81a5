use super::{
    load_programs_overview, DeviceKind, ProgramForm, ProgramKind, ProgramStatus, ProgramsOverview,
    SaveProgram,
};
use crate::error::AppError;
use crate::shell::{
    provide_plain_post_refusal, FormErrors, FormRefusal, Loaded, SaveFeedback, SaveStatus,
    ScrollTable, SelectField, TextField,
};
use crate::staff::UtilitySummary;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/programs`: the program manager's home. Every program with its live enrollments, every
/// entity group with its devices and capacity, and a form for a new program.
#[component]
pub fn ProgramsPage() -> impl IntoView {
    provide_plain_post_refusal();
    SaveFeedback::provide();
    view! {
        <Title text="Programs" />
        <h1>"Programs"</h1>
        <SaveStatus />
        <UtilitySummary />
        <Loaded data=load_programs_overview() show=|overview| view! { <Overview overview /> }.into_any() />
        <section class="card" aria-labelledby="new-program-heading">
            <h2 id="new-program-heading">"Create a program"</h2>
            <ProgramEditor form=new_program() program=None />
        </section>
    }
}

/// `/programs/{id}`: one program's definition, for editing.
#[component]
pub fn ProgramEditPage() -> impl IntoView {
    provide_plain_post_refusal();
    SaveFeedback::provide();
    let id = use_params_map().with_untracked(|params| {
        params.get("id").and_then(|id| id.parse::<i64>().ok()).map(super::ProgramId)
    });
    view! {
        <p><a href="/programs">"All programs"</a></p>
        <SaveStatus />
        <Loaded
            data=load_programs_overview()
            show=move |overview| {
                let found = overview.programs.into_iter().find(|summary| Some(summary.program.id) == id);
                match found {
                    Some(summary) => {
                        let name = summary.program.definition.name.clone();
                        view! {
                            <Title text=name.clone() />
                            <h1>{name}</h1>
                            <p><a href=format!("/programs/{}/events", summary.program.id)>"Events: call one, see reservations"</a></p>
                            <ProgramEditor form=ProgramForm::of(&summary.program.definition) program=Some(summary.program.id) />
                        }
                        .into_any()
                    }
                    None => view! { <crate::shell::NotFound /> }.into_any(),
                }
            }
        />
    }
}

/// A blank program: a draft, this year's summer, common limits.
fn new_program() -> ProgramForm {
    ProgramForm {
        kind: ProgramKind::DemandResponse.as_str().to_owned(),
        status: ProgramStatus::Draft.as_str().to_owned(),
        max_events_per_season: "15".into(),
        max_event_hours: "4".into(),
        min_notice_hours: "24".into(),
        opt_outs_per_season: "3".into(),
        performance_basis: "per_kwh".into(),
        ..ProgramForm::default()
    }
}

#[component]
fn Overview(overview: ProgramsOverview) -> impl IntoView {
    let rows = overview
        .programs
        .into_iter()
        .map(|summary| {
            let definition = summary.program.definition;
            let href = format!("/programs/{}", summary.program.id);
            let name = definition.name.clone();
            let row_id = format!("program-{}-row", summary.program.id);
            view! {
                <tr>
                    <th scope="row" id=row_id.clone()><a href=href.clone()>{name}</a></th>
                    <td>{definition.kind.label()}</td>
                    <td>{definition.status.label()}</td>
                    <td>{format!("{} to {}", definition.season_start, definition.season_end)}</td>
                    <td>{summary.live_enrollments}</td>
                    // Named "Events"; the row's program describes it (no hidden text inside a
                    // scrolling table, which would widen the page on a phone).
                    <td><a href=format!("{href}/events") aria-describedby=row_id>"Events"</a></td>
                </tr>
            }
        })
        .collect_view();
    let groups = if overview.groups.is_empty() {
        view! { <p class="card">"No devices are enrolled yet."</p> }.into_any()
    } else {
        let rows = overview
            .groups
            .into_iter()
            .map(|group| {
                view! {
                    <tr>
                        <th scope="row"><code>{group.group}</code></th>
                        <td>{group.program}</td>
                        <td>{group.kind.label()}</td>
                        <td>{group.devices}</td>
                        <td>{format!("{} {}", group.total_capacity, group.kind.capacity_unit())}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <p class="hint">"A group is program, device kind, size band and rate class: the head-end selects devices for events by group."</p>
            <ScrollTable labelledby="groups-heading" headers=&["Entity group", "Program", "Device kind", "Devices", "Total capacity"]>
                {rows}
            </ScrollTable>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="programs-heading">
            <h2 id="programs-heading">"All programs"</h2>
            <ScrollTable labelledby="programs-heading" headers=&["Program", "Kind", "Status", "Season", "Enrollments", "Events"]>
                {rows}
            </ScrollTable>
        </section>
        <section aria-labelledby="groups-heading">
            <h2 id="groups-heading">"Entity groups"</h2>
            {groups}
        </section>
    }
}

/// The program form: a new program (`program` is `None`) or an existing one.
#[component]
fn ProgramEditor(form: ProgramForm, program: Option<super::ProgramId>) -> impl IntoView {
    let action = ServerAction::<SaveProgram>::new();
    let errors = FormErrors::follow(action);
    // Refused: the form as it was sent, not as it was stored.
    let form = match errors.refusal_now() {
        Some(AppError::InvalidFields(fields)) if !fields.typed().is_empty() => {
            ProgramForm::from_typed(fields.typed())
        }
        _ => form,
    };
    let prefix = program.map_or_else(|| "new".to_owned(), |id| id.to_string());
    let text = {
        let prefix = prefix.clone();
        move |key: &'static str, label: &'static str, kind: &'static str, value: String| {
            view! {
                <TextField id=format!("program-{prefix}-{key}") name=key label kind autocomplete="off" value error=errors.field(key) />
            }
        }
    };
    let kinds = ProgramKind::ALL
        .into_iter()
        .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
        .collect();
    let statuses = ProgramStatus::ALL
        .into_iter()
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect();
    let bases = [("per_kwh", "Per kWh reduced"), ("per_event", "Per event")]
        .map(|(value, label)| (value.to_owned(), label.to_owned()))
        .to_vec();
    let device_boxes = DeviceKind::ALL
        .into_iter()
        .map(|kind| {
            let id = format!("program-{prefix}-{}", kind.as_str());
            view! {
                <div class="check">
                    <input type="checkbox" id=id.clone() name=kind.as_str() checked=form.device_kinds.contains(&kind) />
                    <label for=id>{kind.label()}</label>
                </div>
            }
        })
        .collect_view();
    let description_id = format!("program-{prefix}-description");
    let unavailability_id = format!("program-{prefix}-unavailability");
    let kinds_error = errors.field(ProgramForm::DEVICE_KINDS);
    view! {
        <ActionForm action attr:novalidate=true>
            {program.map(|id| view! { <input type="hidden" name="program" value=id.to_string() /> })}
            {text(ProgramForm::NAME, "Name", "text", form.name.clone())}
            <div class="field">
                <label for=description_id.clone()>"Description (customers read it)"</label>
                <textarea id=description_id name=ProgramForm::DESCRIPTION rows="3">{form.description.clone()}</textarea>
            </div>
            <SelectField id=format!("program-{prefix}-kind") name=ProgramForm::KIND label="Kind" options=kinds selected=form.kind.clone() error=errors.field(ProgramForm::KIND) />
            <SelectField id=format!("program-{prefix}-status") name=ProgramForm::STATUS label="Status (customers see active programs)" options=statuses selected=form.status.clone() error=errors.field(ProgramForm::STATUS) />
            {text(ProgramForm::SEASON_START, "Season starts", "date", form.season_start.clone())}
            {text(ProgramForm::SEASON_END, "Season ends", "date", form.season_end.clone())}
            <fieldset aria-describedby=format!("program-{prefix}-kinds-error")>
                <legend>"Eligible devices"</legend>
                <div class="checks">{device_boxes}</div>
                <p id=format!("program-{prefix}-kinds-error") class="field-error">{move || kinds_error.get()}</p>
            </fieldset>
            {text(ProgramForm::MIN_BATTERY_KWH, "Smallest battery accepted, kWh (blank for any)", "text", form.min_battery_kwh.clone())}
            {text(ProgramForm::RATE_CLASSES, "Eligible rate classes, comma-separated (blank for all)", "text", form.rate_classes.clone())}
            {text(ProgramForm::MAX_EVENTS, "Most events per season", "text", form.max_events_per_season.clone())}
            {text(ProgramForm::MAX_EVENT_HOURS, "Longest event, hours", "text", form.max_event_hours.clone())}
            {text(ProgramForm::MIN_NOTICE_HOURS, "Least notice before an event, hours", "text", form.min_notice_hours.clone())}
            {text(ProgramForm::OPT_OUTS, "Opt-outs ahead of an event per season (0: not allowed)", "text", form.opt_outs_per_season.clone())}
            <div class="check">
                <input type="checkbox" id=unavailability_id.clone() name=ProgramForm::UNAVAILABILITY checked=form.unavailability_allowed />
                <label for=unavailability_id>"Customers may schedule time away"</label>
            </div>
            {text(ProgramForm::ENROLLMENT_CREDIT, "Enrollment credit, $", "text", form.enrollment_credit.clone())}
            <SelectField id=format!("program-{prefix}-basis") name=ProgramForm::PERFORMANCE_BASIS label="Events are paid" options=bases selected=form.performance_basis.clone() error=errors.field(ProgramForm::PERFORMANCE_BASIS) />
            {text(ProgramForm::PERFORMANCE_RATE, "Rate, $", "text", form.performance_rate.clone())}
            <FormRefusal errors />
            <button type="submit" class="primary">{if program.is_some() { "Save program" } else { "Create program" }}</button>
        </ActionForm>
    }
}
