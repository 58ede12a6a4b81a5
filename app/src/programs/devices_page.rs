use super::{
    load_devices, AccountDevices, Device, DeviceForm, DeviceKind, RegisterDevice, Registration,
    RemoveDevice,
};
use crate::acting::{acting_for, ActingInput};
use crate::error::AppError;
use crate::shell::{
    provide_plain_post_refusal, FormErrors, FormRefusal, Loaded, SaveFeedback, SaveStatus,
    SelectField, TextField,
};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

/// `/account/devices`: the account's controllable devices, each with its head-end registration
/// and last sync, and a form to add one. Server-rendered with plain forms (no WASM).
#[component]
pub fn DevicesPage() -> impl IntoView {
    provide_plain_post_refusal();
    SaveFeedback::provide();
    let account = acting_for();
    let title = if account.is_some() { "Devices" } else { "My devices" };
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <p class="lead">"Smart thermostats, EV chargers, batteries and solar inverters that can take part in the utility's programs. Add a device here, then enroll it under Programs."</p>
        <SaveStatus />
        <Loaded data=load_devices(account) show=|devices| view! { <DevicesSections devices /> }.into_any() />
    }
}

#[component]
fn DevicesSections(devices: AccountDevices) -> impl IntoView {
    let remove = ServerAction::<RemoveDevice>::new();
    let errors = FormErrors::follow(remove);
    // A refused plain post of the add-device form comes back in the URL: read it here, on the
    // server, and hand its field errors to the form.
    let add_errors = FormErrors::follow(ServerAction::<RegisterDevice>::new());
    let list = if devices.devices.is_empty() {
        view! { <p class="card">"No devices yet."</p> }.into_any()
    } else {
        let items = devices
            .devices
            .into_iter()
            .map(|device| view! { <DeviceCard device remove /> })
            .collect_view();
        view! { <ul class="card-list">{items}</ul> }.into_any()
    };
    view! {
        <section aria-labelledby="devices-heading">
            <h2 id="devices-heading">"Devices"</h2>
            <FormRefusal errors />
            {list}
        </section>
        <section class="card" aria-labelledby="add-device-heading">
            <h2 id="add-device-heading">"Add a device"</h2>
            <AddDeviceForm account=acting_for() service_points=devices.service_points refused=add_errors.refusal_now() />
        </section>
    }
}

/// What people read about a device's registration, and whether it is settled.
pub fn registration_line(device: &Device) -> (String, &'static str) {
    let class = match device.registration {
        Registration::Registered => "status status--ok",
        Registration::Failed => "status status--warn",
        _ => "status",
    };
    let mut line = device.registration.label().to_owned();
    if let Some(detail) = &device.registration_detail {
        line = format!("{line}: {detail}");
    }
    (line, class)
}

/// The device's facts: registration, last sync, where it is and what it is in.
#[component]
pub fn DeviceFacts(device: Device) -> impl IntoView {
    let (registration, class) = registration_line(&device);
    let last_sync = device.last_sync.clone().unwrap_or_else(|| "Not yet".to_owned());
    let program = device.enrolled_in.clone().map(|program| match &device.entity_group {
        Some(group) => format!("{program} (entity group {group})"),
        None => program,
    });
    view! {
        <dl class="facts">
            <div><dt>"Head-end registration"</dt><dd class=class>{registration}</dd></div>
            <div><dt>"Last sync"</dt><dd>{last_sync}</dd></div>
            <div><dt>"Serial"</dt><dd>{device.serial}</dd></div>
            <div><dt>"Network address"</dt><dd>{device.network_address}</dd></div>
            <div><dt>"Service point"</dt><dd>{device.service_point}</dd></div>
            <div><dt>"Program"</dt><dd>{program.unwrap_or_else(|| "None".to_owned())}</dd></div>
        </dl>
    }
}

#[component]
fn DeviceCard(device: Device, remove: ServerAction<RemoveDevice>) -> impl IntoView {
    let title = device.title();
    let removable = device.enrolled_in.is_none();
    let id = device.id;
    view! {
        <li class="card device">
            <h3>{title.clone()}</h3>
            <DeviceFacts device />
            {removable.then(|| view! {
                <ActionForm action=remove attr:class="inline-form">
                    <ActingInput />
                    <input type="hidden" name="device" value=id.to_string() />
                    <button type="submit" class="danger">
                        "Remove" <span class="visually-hidden">{format!(" {title}")}</span>
                    </button>
                </ActionForm>
            })}
        </li>
    }
}

/// The add-device form: a plain form post, checked in the browser first with the same rules as
/// the server ([`DeviceForm::parse`]), so a form with mistakes is not sent and nothing typed is
/// lost. A refusal only the server can give (a serial registered already) comes back as
/// `refused`, as does any other, with what was typed. An island only for that check; lazy, so
/// its code is fetched on this page alone.
/// Measured (WASM + JS, brotli, release): this way its module is 14.0 KB, the shell 193.4 KB and
/// the whole portal 247.2 KB; with an `ActionForm` the module was 18.8 KB and the portal 251.3 KB
/// (over its 250 KB budget), and as a non-lazy island the shell was 203.1 KB (over 200 KB).
#[island(lazy)]
fn AddDeviceForm(
    account: Option<String>,
    service_points: Vec<String>,
    refused: Option<AppError>,
) -> impl IntoView {
    crate::shell::mark_island_hydrated();
    let errors = FormErrors::plain(refused);
    let kind = NodeRef::<leptos::html::Select>::new();
    let point = NodeRef::<leptos::html::Select>::new();
    let inputs: [NodeRef<leptos::html::Input>; 5] = std::array::from_fn(|_| NodeRef::new());
    let text_fields = [
        (DeviceForm::MAKE, "Make (brand)"),
        (DeviceForm::MODEL, "Model"),
        (DeviceForm::SERIAL, "Serial number"),
        (DeviceForm::NETWORK_ADDRESS, "Network address (MAC, IP or device ID)"),
        (DeviceForm::CAPACITY, "Capacity (kW; kWh for a battery)"),
    ]
    .into_iter()
    .zip(inputs)
    .map(|((key, label), node_ref)| {
        view! {
            <TextField id=format!("device-{key}") name=key label kind="text" autocomplete="off" node_ref value=errors.typed(key) error=errors.field(key) />
        }
    })
    .collect_view();
    let check = move |event: leptos::ev::MouseEvent| {
        let text =
            |index: usize| inputs[index].get().map(|input| input.value()).unwrap_or_default();
        let form = DeviceForm {
            kind: kind.get().map(|select| select.value()).unwrap_or_default(),
            make: text(0),
            model: text(1),
            serial: text(2),
            network_address: text(3),
            capacity: text(4),
            service_point: point.get().map(|select| select.value()).unwrap_or_default(),
        };
        if let Err(fields) = form.parse() {
            event.prevent_default();
            errors.show(fields);
        }
    };
    let kinds = DeviceKind::ALL
        .into_iter()
        .map(|kind| (kind.as_str().to_owned(), kind.label().to_owned()))
        .collect();
    let points = service_points.into_iter().map(|point| (point.clone(), point)).collect();
    let action = <RegisterDevice as ServerFn>::PATH;
    view! {
        <form method="post" action=action novalidate>
            {account.map(|number| view! { <input type="hidden" name="account" value=number /> })}
            <SelectField id="device-kind".into() name=DeviceForm::KIND label="Kind of device" options=kinds selected=errors.typed(DeviceForm::KIND) node_ref=kind error=errors.field(DeviceForm::KIND) />
            {text_fields}
            <SelectField id="device-service-point".into() name=DeviceForm::SERVICE_POINT label="Service point (the meter it sits behind)" options=points selected=errors.typed(DeviceForm::SERVICE_POINT) node_ref=point error=errors.field(DeviceForm::SERVICE_POINT) />
            <FormRefusal errors />
            <button type="submit" class="primary" on:click=check>"Add device"</button>
        </form>
    }
}
