//! The Planning section: the agreements with numbers, a target date per stage, the action items
//! with their owners, due dates and state, and the calendar export (`calendar_export`).
//!
//! Every state chip comes from `tandem_domain::deadlines::state` at a moment this page keeps
//! fresh (`now`, ticked every half minute), so a deadline turns overdue on screen without an
//! edit. The ranges the agreements are checked against are the domain's constants: a value out
//! of range is refused next to its field and never written, so the agreement stays as it was.

use std::ops::RangeInclusive;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use tandem_domain::deadlines::{self, Due, DueState, NaiveDateTime};
use tandem_domain::planning::{CHECKIN_MINUTES, DECISION_WITHIN_DAYS, FEEDBACK_WITHIN_HOURS};
use tandem_domain::{
    Action, ActionId, DomainError, Person, PersonId, Role, StageId, TextField, Vacancy,
};

use super::calendar_export::CalendarExport;
use super::dates::local_now;
use super::field_dom;
use super::intake::NEW_STAGE_ID;
use super::live_text::LiveText;
use super::toast::use_toasts;
use crate::i18n::*;
use crate::pages::section_path;
use crate::session::SessionHandle;

type I18n = leptos_i18n::I18nContext<Locale>;

/// A dated thing's chip: on time, due soon, overdue or done.
pub fn due_chip(i18n: I18n, state: DueState) -> impl IntoView {
    let key = match state {
        DueState::OnTime => "on-time",
        DueState::DueSoon => "due-soon",
        DueState::Overdue => "overdue",
        DueState::Done => "done",
    };
    view! {
        <span class="status-chip" data-due=key>{move || match state {
            DueState::OnTime => t_string!(i18n, plan_on_time),
            DueState::DueSoon => t_string!(i18n, plan_due_soon),
            DueState::Overdue => t_string!(i18n, plan_overdue),
            DueState::Done => t_string!(i18n, plan_done),
        }}</span>
    }
}

/// The state of something due at `due` (as stored) at `now`; `None` when it has no due date
/// that reads and is not done.
fn state_of(due: Option<&str>, done: bool, now: NaiveDateTime) -> Option<DueState> {
    match due.and_then(|d| Due::parse(d).ok()) {
        Some(due) => Some(deadlines::state(due, done, now)),
        None => done.then_some(DueState::Done),
    }
}

#[component]
pub fn PlanningSection(session: SessionHandle) -> impl IntoView {
    // Chips follow the clock as well as the document. The interval is dropped (and stops) with
    // this section.
    let now = RwSignal::new(local_now());
    let tick = gloo_timers::callback::Interval::new(30_000, move || now.set(local_now()));
    StoredValue::new_local(tick);
    let version = session.with_value(|s| s.version);
    let read_only = Memo::new(move |_| {
        version.track();
        session.with_value(|s| s.read_only())
    });

    view! {
        <AgreementsForm session read_only />
        <StageTargets session read_only now />
        <ActionItems session read_only now />
        <CalendarExport session />
    }
}

// ---- agreements ---------------------------------------------------------------------------------

/// A setter of one numeric agreement; the domain checks its range again.
type SetNumber = fn(&mut Vacancy, u32) -> Result<Vec<u8>, DomainError>;

#[component]
fn AgreementsForm(session: SessionHandle, read_only: Memo<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let version = session.with_value(|s| s.version);
    let agreements = Memo::new(move |_| {
        version.track();
        session.with_value(|s| s.vacancy.borrow().agreements())
    });
    let feedback = Memo::new(move |_| agreements.with(|a| a.feedback_within_hours));
    let decision = Memo::new(move |_| agreements.with(|a| a.decision_within_days));
    let minutes = Memo::new(move |_| agreements.with(|a| a.checkin_minutes));
    let weekday = Memo::new(move |_| agreements.with(|a| a.checkin_weekday));
    let time = Memo::new(move |_| {
        agreements.with(|a| a.checkin_time.map(|t| t.to_string()).unwrap_or_default())
    });
    let time_error = RwSignal::new(false);
    // A time set since (here or by the partner) answers the refusal.
    Effect::new(move |_| {
        if !time.get().is_empty() {
            time_error.set(false);
        }
    });
    let set_weekday = move |ev: leptos::ev::Event| {
        if let Ok(day) = event_target_value(&ev).parse::<u8>() {
            session
                .get_value()
                .edit(|v| v.set_checkin_weekday(day).map(Some));
        }
    };
    let set_time = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        time_error.set(value.is_empty());
        if !value.is_empty() {
            session
                .get_value()
                .edit(|v| v.set_checkin_time(&value).map(Some));
        }
    };

    view! {
        <section class="intake planning" aria-labelledby="agreements-heading">
            <h2 id="agreements-heading">{t!(i18n, plan_agreements_heading)}</h2>
            <p class="hint">{t!(i18n, plan_working_time_hint)}</p>
            <RangeField session read_only id="agreement-feedback" value=feedback range=FEEDBACK_WITHIN_HOURS
                label=|i| t_string!(i, plan_feedback_within).to_string()
                unit=|i| t_string!(i, plan_unit_working_hours).to_string()
                set=|v, n| v.set_feedback_within_hours(n) />
            <RangeField session read_only id="agreement-decision" value=decision range=DECISION_WITHIN_DAYS
                label=|i| t_string!(i, plan_decision_within).to_string()
                unit=|i| t_string!(i, plan_unit_working_days).to_string()
                set=|v, n| v.set_decision_within_days(n) />
            <h3>{t!(i18n, plan_checkin_heading)}</h3>
            <div class="checkin-fields">
                <div>
                    <label for="agreement-checkin-day">{t!(i18n, plan_checkin_day)}</label>
                    // `selected` picks the option as the list is first drawn; the value property
                    // follows later changes, which an option's attribute no longer does once
                    // someone has picked by hand.
                    <select id="agreement-checkin-day" disabled=move || read_only.get() on:change=set_weekday
                        prop:value=move || weekday.get().map(|d| d.to_string()).unwrap_or_default()>
                        <option value="" disabled selected=move || weekday.get().is_none()>{t!(i18n, plan_checkin_day_none)}</option>
                        {(0u8..7).map(|day| view! {
                            <option value=day.to_string() selected=move || weekday.get() == Some(day)>
                                {move || weekday_name(i18n, day)}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="agreement-checkin-time">{t!(i18n, plan_checkin_time)}</label>
                    <input id="agreement-checkin-time" type="time" required
                        aria-invalid=move || time_error.get().then_some("true")
                        aria-describedby="agreement-checkin-time-error"
                        disabled=move || read_only.get()
                        prop:value=move || time.get() on:change=set_time />
                </div>
            </div>
            <p id="agreement-checkin-time-error" class="error field-error" role="alert">
                {move || time_error.get().then(|| t_string!(i18n, plan_checkin_time_missing))}
            </p>
            <RangeField session read_only id="agreement-checkin-minutes" value=minutes range=CHECKIN_MINUTES
                label=|i| t_string!(i, plan_checkin_minutes).to_string()
                unit=|i| t_string!(i, plan_unit_minutes).to_string()
                set=|v, n| v.set_checkin_minutes(n) />
        </section>
    }
}

fn weekday_name(i18n: I18n, day: u8) -> &'static str {
    match day {
        0 => t_string!(i18n, plan_monday),
        1 => t_string!(i18n, plan_tuesday),
        2 => t_string!(i18n, plan_wednesday),
        3 => t_string!(i18n, plan_thursday),
        4 => t_string!(i18n, plan_friday),
        5 => t_string!(i18n, plan_saturday),
        _ => t_string!(i18n, plan_sunday),
    }
}

/// A number agreed within a range. What is typed is checked as it is typed; a value out of
/// range is refused beside the field and not written, and the agreement keeps its value.
#[component]
fn RangeField(
    session: SessionHandle,
    read_only: Memo<bool>,
    id: &'static str,
    value: Memo<u32>,
    range: RangeInclusive<u32>,
    label: fn(I18n) -> String,
    unit: fn(I18n) -> String,
    set: SetNumber,
) -> impl IntoView {
    let i18n = use_i18n();
    let (min, max) = (*range.start(), *range.end());
    // Whether what is in the field now is refused.
    let refused = RwSignal::new(false);
    // The agreement changed (here or by the partner): the field shows it, and a refusal of
    // what was typed before no longer applies.
    Effect::new(move |_| {
        value.track();
        refused.set(false);
    });
    let accepted = move |text: &str| {
        text.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (min..=max).contains(n))
    };
    let on_input = move |ev: leptos::ev::Event| {
        refused.set(accepted(&event_target_value(&ev)).is_none());
    };
    let on_change = move |ev: leptos::ev::Event| match accepted(&event_target_value(&ev)) {
        Some(n) if n != value.get_untracked() => {
            session.get_value().edit(|v| set(v, n).map(Some));
        }
        Some(_) => refused.set(false),
        None => refused.set(true),
    };
    let error_id = format!("{id}-error");

    view! {
        <div class="range-field">
            <label for=id>{move || label(i18n)}</label>
            <div class="number-line">
                <input id=id type="number" inputmode="numeric" min=min max=max step="1"
                    aria-invalid=move || refused.get().then_some("true")
                    aria-describedby=error_id.clone()
                    disabled=move || read_only.get()
                    prop:value=move || value.get().to_string()
                    on:input=on_input on:change=on_change />
                <span class="unit">{move || unit(i18n)}</span>
            </div>
            <p id=error_id class="error field-error" role="alert">
                <Show when=move || refused.get()>
                    {t!(i18n, plan_number_refused, min = move || min.to_string(), max = move || max.to_string(),
                        unit = move || unit(i18n), value = move || value.get().to_string())}
                </Show>
            </p>
        </div>
    }
}

// ---- stage targets ------------------------------------------------------------------------------

/// A stage as its target row shows it: name and target date ("" when none).
type StageLine = (StageId, String, String);

#[component]
fn StageTargets(
    session: SessionHandle,
    read_only: Memo<bool>,
    now: RwSignal<NaiveDateTime>,
) -> impl IntoView {
    let i18n = use_i18n();
    let version = session.with_value(|s| s.version);
    let doc = session.with_value(|s| s.doc);
    let stages = Memo::new(move |_| {
        version.track();
        session.with_value(|s| {
            let v = s.vacancy.borrow();
            let targets = v.stage_targets();
            v.stages()
                .into_iter()
                .map(|stage| {
                    let date = targets
                        .iter()
                        .find(|t| t.stage == stage.id)
                        .map(|t| t.date.clone())
                        .unwrap_or_default();
                    (stage.id, stage.name, date)
                })
                .collect::<Vec<StageLine>>()
        })
    });
    let ids =
        Memo::new(move |_| stages.with(|l| l.iter().map(|s| s.0.clone()).collect::<Vec<_>>()));
    let navigate = use_navigate();
    let to_new_stage = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        navigate(&section_path(doc, "intake"), Default::default());
        // The intake renders on the next turn; focus its field once it is there.
        gloo_timers::callback::Timeout::new(50, || field_dom::focus_element(NEW_STAGE_ID)).forget();
    };

    view! {
        <section class="intake planning" aria-labelledby="targets-heading">
            <h2 id="targets-heading">{t!(i18n, plan_targets_heading)}</h2>
            <Show when=move || ids.with(|i| i.is_empty())>
                <p class="empty">
                    {t!(i18n, plan_targets_empty)}" "
                    <a href=section_path(doc, "intake") on:click=to_new_stage.clone()>{t!(i18n, plan_targets_add_stage)}</a>
                </p>
            </Show>
            <ol class="items targets">
                <For each=move || ids.get() key=|id| id.clone() let:id>
                    <StageTargetRow session stages read_only now id />
                </For>
            </ol>
        </section>
    }
}

#[component]
fn StageTargetRow(
    session: SessionHandle,
    stages: Memo<Vec<StageLine>>,
    read_only: Memo<bool>,
    now: RwSignal<NaiveDateTime>,
    id: StageId,
) -> impl IntoView {
    let i18n = use_i18n();
    let key = id.clone();
    let this = Memo::new(move |_| {
        stages.with(|all| {
            let index = all.iter().position(|s| s.0 == key)?;
            Some((index, all[index].1.clone(), all[index].2.clone()))
        })
    });
    let label = move || {
        this.with(|t| {
            t.as_ref().map(|(i, name, _)| {
                let name = if name.trim().is_empty() {
                    t_string!(i18n, plan_stage_unnamed).to_string()
                } else {
                    name.clone()
                };
                format!("{}. {name}", i + 1)
            })
        })
    };
    let date = move || this.with(|t| t.as_ref().map(|t| t.2.clone()).unwrap_or_default());
    let stage = StoredValue::new(id.clone());
    let set = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let id = stage.get_value();
        session
            .get_value()
            .edit(|v| v.set_stage_target(&id, (!value.is_empty()).then_some(value.as_str())));
    };
    let field_id = format!("target-{}", id.as_str());
    let chip = move || {
        let date = date();
        state_of(
            (!date.is_empty()).then_some(date.as_str()),
            false,
            now.get(),
        )
        .map(|state| due_chip(i18n, state))
    };

    view! {
        <li class="item target" data-stage=id.as_str().to_string()>
            <label for=field_id.clone()>{label}</label>
            <div class="due-line">
                <input id=field_id type="date" disabled=move || read_only.get()
                    prop:value=date on:change=set />
                {chip}
            </div>
        </li>
    }
}

// ---- action items -------------------------------------------------------------------------------

#[component]
fn ActionItems(
    session: SessionHandle,
    read_only: Memo<bool>,
    now: RwSignal<NaiveDateTime>,
) -> impl IntoView {
    let i18n = use_i18n();
    let version = session.with_value(|s| s.version);
    let actions = Memo::new(move |_| {
        version.track();
        session.with_value(|s| s.vacancy.borrow().actions())
    });
    let people = Memo::new(move |_| {
        version.track();
        session.with_value(|s| s.vacancy.borrow().people())
    });
    // Document order: a row stays where it is while it is typed in, ticked off or re-dated.
    let ids =
        Memo::new(move |_| actions.with(|l| l.iter().map(|a| a.id.clone()).collect::<Vec<_>>()));
    let new_title = RwSignal::new(String::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let title = new_title.get_untracked();
        session
            .get_value()
            .edit(|v| v.add_action(title.trim(), None, None).map(|(_, c)| Some(c)));
        new_title.set(String::new());
    };

    view! {
        <section class="intake planning" aria-labelledby="actions-heading">
            <h2 id="actions-heading">{t!(i18n, plan_actions_heading)}</h2>
            <Show when=move || ids.with(|i| i.is_empty())>
                <p class="empty">{t!(i18n, plan_actions_empty)}</p>
            </Show>
            <Show when=move || !ids.with(|i| i.is_empty()) && people.with(|p| p.is_empty())>
                <p class="hint">{t!(i18n, plan_owners_none_yet)}</p>
            </Show>
            <ol class="items actions">
                <For each=move || ids.get() key=|id| id.clone() let:id>
                    <ActionRow session actions people read_only now id />
                </For>
            </ol>
            <form class="add-row" on:submit=add>
                <label for="new-action">{t!(i18n, plan_new_action)}</label>
                <div class="add-line">
                    <input id="new-action" type="text" required
                        prop:value=move || new_title.get()
                        on:input=move |ev| new_title.set(event_target_value(&ev)) />
                    <button type="submit" disabled=move || read_only.get()>{t!(i18n, add)}</button>
                </div>
            </form>
        </section>
    }
}

fn owner_option_text(i18n: I18n, p: &Person) -> String {
    let name = if p.name.trim().is_empty() {
        t_string!(i18n, guest).to_string()
    } else {
        p.name.clone()
    };
    let role = match p.role {
        Role::Recruiter => t_string!(i18n, plan_role_recruiter),
        Role::HiringManager => t_string!(i18n, plan_role_hiring_manager),
        Role::Interviewer => t_string!(i18n, plan_role_interviewer),
    };
    format!("{name} ({role})")
}

#[component]
fn ActionRow(
    session: SessionHandle,
    actions: Memo<Vec<Action>>,
    people: Memo<Vec<Person>>,
    read_only: Memo<bool>,
    now: RwSignal<NaiveDateTime>,
    id: ActionId,
) -> impl IntoView {
    let i18n = use_i18n();
    let key = id.clone();
    let this = Memo::new(move |_| actions.with(|all| all.iter().find(|a| a.id == key).cloned()));
    let title = move || this.with(|a| a.as_ref().map(|a| a.title.clone()).unwrap_or_default());
    let owner = move || this.with(|a| a.as_ref().and_then(|a| a.owner.clone()));
    let due = move || this.with(|a| a.as_ref().and_then(|a| a.due.clone()));
    let done = move || this.with(|a| a.as_ref().is_some_and(|a| a.done));
    // The date part of the due moment: what the date field shows.
    let due_date = move || {
        due()
            .map(|d| d.split('T').next().unwrap_or_default().to_string())
            .unwrap_or_default()
    };
    let action = StoredValue::new(id.clone());

    let set_owner = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let id = action.get_value();
        let owner = (!value.is_empty()).then_some(PersonId(value));
        session
            .get_value()
            .edit(|v| v.set_action_owner(&id, owner.as_ref()));
    };
    let set_due = move |ev: leptos::ev::Event| {
        let date = event_target_value(&ev);
        // A due moment keeps its time of day when its date is moved.
        let due = match (
            date.is_empty(),
            due().as_deref().and_then(|d| d.split_once('T')),
        ) {
            (true, _) => None,
            (false, Some((_, time))) => Some(format!("{date}T{time}")),
            (false, None) => Some(date),
        };
        let id = action.get_value();
        session
            .get_value()
            .edit(|v| v.set_action_due(&id, due.as_deref()));
    };
    let set_done = move |ev: leptos::ev::Event| {
        let checked = event_target_checked(&ev);
        let id = action.get_value();
        session
            .get_value()
            .edit(|v| v.set_action_done(&id, checked).map(Some));
    };
    let toasts = use_toasts();
    let remove = move |_| {
        let Some(gone) = this.get_untracked() else {
            return;
        };
        let id = action.get_value();
        session.get_value().edit(|v| v.remove_action(&id).map(Some));
        // The undo where the person is looking; the toast outlives this row.
        let name = gone.title.clone();
        toasts.offer_undo(
            move || {
                let name = name.clone();
                t!(i18n, removed_item, name = move || name.clone()).into_any()
            },
            move || {
                if let Some(s) = session.try_get_value() {
                    s.edit(|v| v.restore_action(&gone).map(Some));
                }
            },
        );
    };
    // A done item says so by its ticked box and struck-through title; a chip would repeat it.
    let chip = move || {
        state_of(due().as_deref(), done(), now.get())
            .filter(|state| *state != DueState::Done)
            .map(|state| due_chip(i18n, state))
    };
    // An owner who is not among the vacancy's people (yet): shown, not silently dropped.
    let unknown_owner =
        move || owner().filter(|o| people.with(|list| !list.iter().any(|p| &p.id == o)));

    let dom = id.as_str().to_string();
    let title_id = format!("action-{dom}-title");
    let owner_id = format!("action-{dom}-owner");
    let due_id = format!("action-{dom}-due");
    let done_id = format!("action-{dom}-done");

    view! {
        <li class="item action" class:done=done data-action=dom.clone()>
            <div class="item-head">
                <label for=title_id.clone() class="visually-hidden">{t!(i18n, plan_action_title)}</label>
                <LiveText session field=TextField::ActionTitle(id.clone()) id=title_id presence_key=format!("action:{dom}:title") />
                <div class="row-actions">
                    <button type="button" class="danger" aria-label=move || format!("{} ({})", t_string!(i18n, remove), title())
                        disabled=move || read_only.get() on:click=remove>"✕"</button>
                </div>
            </div>
            <div class="action-meta">
                <div>
                    <label for=owner_id.clone()>{t!(i18n, plan_action_owner)}</label>
                    <select id=owner_id disabled=move || read_only.get() on:change=set_owner
                        prop:value=move || owner().map(|o| o.0).unwrap_or_default()>
                        <option value="" selected=move || owner().is_none()>{t!(i18n, plan_owner_nobody)}</option>
                        {move || people.get().into_iter().map(|p| {
                            let pid = p.id.clone();
                            let text = owner_option_text(i18n, &p);
                            view! {
                                <option value=p.id.as_str().to_string() selected=move || owner().as_ref() == Some(&pid)>{text}</option>
                            }
                        }).collect_view()}
                        {move || unknown_owner().map(|o| view! {
                            <option value=o.as_str().to_string() selected>{t!(i18n, plan_owner_unknown)}</option>
                        })}
                    </select>
                </div>
                <div>
                    <label for=due_id.clone()>{t!(i18n, plan_action_due)}</label>
                    <input id=due_id type="date" disabled=move || read_only.get()
                        prop:value=due_date on:change=set_due />
                </div>
                <div class="action-state">
                    <label class="check-inline">
                        <input id=done_id type="checkbox" disabled=move || read_only.get()
                            prop:checked=done on:change=set_done />
                        {t!(i18n, plan_action_done)}
                    </label>
                    {chip}
                </div>
            </div>
        </li>
    }
}
