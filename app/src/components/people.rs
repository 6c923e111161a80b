//! The people of a vacancy: who is in it, in which role and colour, with this device's person
//! marked and their details editable; and `use_me`, which tells any part of the vacancy page who
//! this device is in it.

use leptos::prelude::*;
use tandem_domain::changes::{Area, Section};
use tandem_domain::{Person, PersonId, Role};

use crate::device::{use_device, Profile};
use crate::i18n::*;
use crate::presence::{safe_colour, safe_name};
use crate::session::SessionHandle;

/// This device's person in the open vacancy; `None` until they have said who they are.
#[derive(Clone, Copy)]
pub struct Me(pub Memo<Option<Person>>);

/// Provides [`Me`] to the vacancy page below; call once per open vacancy.
pub fn provide_me(session: SessionHandle) -> Memo<Option<Person>> {
    let person = use_device().person;
    let me = Memo::new(move |_| {
        let id = person.get();
        session.with_value(|s| {
            s.track(Area::Section(Section::People));
            s.vacancy.borrow().person(&id)
        })
    });
    provide_context(Me(me));
    me
}

/// Who this device is in the open vacancy (see [`provide_me`]).
pub fn use_me() -> Memo<Option<Person>> {
    expect_context::<Me>().0
}

pub fn role_text(i18n: leptos_i18n::I18nContext<Locale>, role: Role) -> String {
    match role {
        Role::Recruiter => t_string!(i18n, role_recruiter),
        Role::HiringManager => t_string!(i18n, role_hiring_manager),
        Role::Interviewer => t_string!(i18n, role_interviewer),
    }
    .to_string()
}

/// What is asked of someone in this role, in one sentence.
pub fn role_task(i18n: leptos_i18n::I18nContext<Locale>, role: Role) -> String {
    match role {
        Role::Recruiter => t_string!(i18n, role_task_recruiter),
        Role::HiringManager => t_string!(i18n, role_task_hiring_manager),
        Role::Interviewer => t_string!(i18n, role_task_interviewer),
    }
    .to_string()
}

/// A person's name as shown: theirs, cleaned, or their role when they gave none.
pub fn display_name(i18n: leptos_i18n::I18nContext<Locale>, person: &Person) -> String {
    let name = safe_name(&person.name);
    if name.is_empty() {
        role_text(i18n, person.role)
    } else {
        name
    }
}

/// Writes this device's person into the vacancy (joining it, or changing name or role), and
/// keeps the device's profile name in step, which partners see in the presence bar.
pub fn save_me(session: SessionHandle, name: &str, role: Role) {
    let device = use_device();
    let name = safe_name(name);
    let profile = device.profile.get_untracked();
    let id: PersonId = device.person.get_untracked();
    let now = js_sys::Date::now() as i64;
    let colour = profile.colour.clone();
    session
        .get_value()
        .edit(|v| v.set_person(&id, &name, role, &colour, now));
    if profile.name != name {
        device.save_profile(Profile { name, ..profile });
    }
}

#[component]
pub fn PeopleList(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let people = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Section(Section::People));
            s.vacancy.borrow().people()
        })
    });
    let editing = RwSignal::new(false);

    view! {
        <section class="people" aria-labelledby="people-heading">
            <h2 id="people-heading" class="visually-hidden">{t!(i18n, people_heading)}</h2>
            <ul class="people-list">
                <For each=move || people.get() key=|p| (p.id.clone(), p.name.clone(), p.role) let:person>
                    {
                        let mine = me.with_untracked(|m| m.as_ref().is_some_and(|m| m.id == person.id));
                        let colour = safe_colour(&person.colour);
                        let role = person.role;
                        let name = display_name(i18n, &person);
                        let chip = view! {
                            <span class="swatch" style:background=colour></span>
                            <span class="person-name">{name}</span>
                            <span class="person-role">{move || role_text(i18n, role)}</span>
                        };
                        // Your own chip is where you change your name or role: no extra row.
                        if mine {
                            view! {
                                <li class="person me" data-role=role.as_str()>
                                    <button type="button" class="person-edit"
                                        aria-expanded=move || editing.get().to_string()
                                        on:click=move |_| editing.update(|e| *e = !*e)>
                                        {chip}
                                        <span class="person-you">{t!(i18n, person_you)}</span>
                                        <span class="edit-mark" aria-hidden="true">"✎"</span>
                                        <span class="visually-hidden">" — "{t!(i18n, change_my_details)}</span>
                                    </button>
                                </li>
                            }.into_any()
                        } else {
                            view! { <li class="person" data-role=role.as_str()>{chip}</li> }.into_any()
                        }
                    }
                </For>
            </ul>
            <Show when=move || editing.get()>
                {move || me.get_untracked().map(|person| view! {
                    <PersonForm session initial=person.name.clone() role=person.role
                        submit_label=Signal::derive(move || t_string!(i18n, save).to_string())
                        on_done=Callback::new(move |_| editing.set(false)) />
                })}
            </Show>
        </section>
    }
}

/// The name and role of this device's person, as one small form; saving writes both.
#[component]
pub fn PersonForm(
    session: SessionHandle,
    initial: String,
    role: Role,
    submit_label: Signal<String>,
    #[prop(optional)] on_done: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(initial);
    let role = RwSignal::new(role);
    let tried = RwSignal::new(false);
    let blank = move || name.with(|n| safe_name(n).is_empty());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if blank() {
            return;
        }
        save_me(session, &name.get_untracked(), role.get_untracked());
        if let Some(done) = on_done {
            done.run(());
        }
    };
    view! {
        <form class="person-form" on:submit=submit>
            <label for="person-name">{t!(i18n, your_name)}</label>
            <input id="person-name" type="text" autocomplete="name" maxlength="60" aria-required="true"
                aria-invalid=move || (tried.get() && blank()).then_some("true")
                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            <fieldset class="role-choice">
                <legend>{t!(i18n, your_role)}</legend>
                {Role::ALL.into_iter().map(|r| view! {
                    <label class="role-option">
                        <input type="radio" name="person-role" value=r.as_str()
                            prop:checked=move || role.get() == r
                            on:change=move |_| role.set(r) />
                        <span>
                            <strong>{move || role_text(i18n, r)}</strong>
                            <small>{move || role_task(i18n, r)}</small>
                        </span>
                    </label>
                }).collect_view()}
            </fieldset>
            <Show when=move || tried.get() && blank()>
                <p class="error" role="alert">{t!(i18n, name_needed)}</p>
            </Show>
            <button type="submit">{move || submit_label.get()}</button>
        </form>
    }
}
