use leptos::prelude::*;

/// A labelled input with its error line below it. The input names the line as its description
/// and is `aria-invalid` while there is an error, so screen readers read the error out.
#[component]
pub fn TextField(
    id: String,
    name: &'static str,
    label: &'static str,
    /// The input's `type`.
    kind: &'static str,
    autocomplete: &'static str,
    error: Signal<Option<String>>,
    #[prop(optional)] value: String,
    /// What to type, shown between the label and the input and read with the input.
    #[prop(optional, into)]
    hint: Option<String>,
    #[prop(optional)] node_ref: NodeRef<leptos::html::Input>,
    /// Called with the text as it is typed.
    #[prop(optional)]
    on_input: Option<Callback<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by =
        if hint.is_some() { format!("{hint_id} {error_id}") } else { error_id.clone() };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p id=hint_id class="hint">{hint}</p> })}
            <input
                id=id
                name=name
                type=kind
                value=value
                autocomplete=autocomplete
                node_ref=node_ref
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=described_by
                on:input=move |event| {
                    if let Some(on_input) = on_input {
                        on_input.run(event_target_value(&event));
                    }
                }
            />
            <p id=error_id class="field-error">{move || error.get()}</p>
        </div>
    }
}

/// A labelled choice among `options` (value, label), with its error line below it.
#[component]
pub fn SelectField(
    id: String,
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    #[prop(optional)] selected: String,
    error: Signal<Option<String>>,
    #[prop(optional)] node_ref: NodeRef<leptos::html::Select>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let options = options
        .into_iter()
        .map(|(value, text)| {
            let is_selected = value == selected;
            view! { <option value=value selected=is_selected>{text}</option> }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select
                id=id
                name=name
                node_ref=node_ref
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=error_id.clone()
            >
                {options}
            </select>
            <p id=error_id class="field-error">{move || error.get()}</p>
        </div>
    }
}
