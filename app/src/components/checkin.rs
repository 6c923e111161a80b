//! The Check-in section: when the next weekly check-in is, its agenda made from the live state,
//! and the notes of each check-in with who attended.
//!
//! Nothing on the agenda is typed: `Vacancy::agenda` builds it from the deadlines, the action
//! items and the pipeline at the moment it is shown. The section re-reads it on every change to
//! the document (`version`) and once a minute, since a deadline passes without anyone editing.

use leptos::prelude::*;
use tandem_domain::agenda::{Agenda, Entry, Step};
use tandem_domain::checkin::{line_title, NoteLine};
use tandem_domain::deadlines::{DueState, Kind, NaiveDate, NaiveDateTime};
use tandem_domain::{Checkin, CheckinId, Person, PersonId, TextField};
use wasm_bindgen::JsCast;

use super::dates::{date_text, due_text, local_now};
use super::live_text::LiveText;
use super::partnership::PartnershipSection;
use super::toast::use_toasts;
use crate::i18n::*;
use crate::pages::section_path;
use crate::session::SessionHandle;

/// How often the agenda is made again while nobody edits: deadlines pass by themselves.
const AGENDA_EVERY_MS: u32 = 60_000;

/// A signal with the local time, set again every `every_ms` while its owner lives.
pub fn ticking_now(every_ms: u32) -> ReadSignal<NaiveDateTime> {
    let (now, set_now) = signal(local_now());
    let interval = gloo_timers::callback::Interval::new(every_ms, move || set_now.set(local_now()));
    // Dropping the interval stops it: it lives exactly as long as the component that asked.
    let kept = StoredValue::new_local(Some(interval));
    on_cleanup(move || kept.update_value(|i| drop(i.take())));
    now
}

type I18n = leptos_i18n::I18nContext<Locale>;

/// The words on a deadline's chip.
pub fn state_text(i18n: I18n, state: DueState) -> String {
    match state {
        DueState::Overdue => t_string!(i18n, chip_overdue),
        DueState::DueSoon => t_string!(i18n, chip_due_soon),
        DueState::OnTime | DueState::Done => t_string!(i18n, chip_on_time),
    }
    .to_string()
}

fn state_key(state: DueState) -> &'static str {
    match state {
        DueState::Overdue => "overdue",
        DueState::DueSoon => "due-soon",
        DueState::OnTime => "on-time",
        DueState::Done => "done",
    }
}

pub fn kind_text(i18n: I18n, kind: Kind) -> String {
    match kind {
        Kind::StageTarget => t_string!(i18n, kind_stage_target),
        Kind::Action => t_string!(i18n, kind_action),
        Kind::Feedback => t_string!(i18n, kind_feedback),
        Kind::Decision => t_string!(i18n, kind_decision),
    }
    .to_string()
}

/// A title as shown: never an empty line.
pub fn shown_title(i18n: I18n, title: &str) -> String {
    if title.trim().is_empty() {
        t_string!(i18n, untitled_item).to_string()
    } else {
        title.trim().to_string()
    }
}

/// The name of a thing's owner, looked up among the vacancy's people.
fn owner_text(i18n: I18n, people: &[Person], owner: Option<&str>) -> String {
    match owner {
        None => t_string!(i18n, owner_nobody).to_string(),
        Some(id) => people
            .iter()
            .find(|p| p.id.as_str() == id)
            .map(|p| p.name.trim().to_string())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| t_string!(i18n, owner_unknown).to_string()),
    }
}

#[component]
pub fn CheckinSection(session: SessionHandle) -> impl IntoView {
    let version = session.with_value(|s| s.version);
    let now = ticking_now(AGENDA_EVERY_MS);
    let people = Memo::new(move |_| {
        version.track();
        session.with_value(|s| s.vacancy.borrow().people())
    });
    view! {
        <NextCheckin session now />
        <AgendaView session now people />
        <PartnershipSection session />
        <CheckinNotes session now people />
    }
}

#[component]
fn NextCheckin(session: SessionHandle, now: ReadSignal<NaiveDateTime>) -> impl IntoView {
    let i18n = use_i18n();
    let version = session.with_value(|s| s.version);
    let doc = session.with_value(|s| s.doc);
    let slot = Memo::new(move |_| {
        version.track();
        let now = now.get();
        session.with_value(|s| s.vacancy.borrow().next_checkin(now))
    });
    let planning = section_path(doc, "planning");

    view! {
        <section class="checkin" aria-labelledby="next-checkin-heading">
            <h2 id="next-checkin-heading">{t!(i18n, checkin_next_heading)}</h2>
            {move || match slot.get() {
                None => view! {
                    <p class="empty">{t!(i18n, checkin_not_agreed)}</p>
                    <a class="checkin-link" href=planning.clone()>{t!(i18n, checkin_agree_link)}" →"</a>
                }.into_any(),
                Some(slot) => {
                    let going_on = slot.start <= now.get();
                    let minutes = (slot.end - slot.start).num_minutes();
                    let planning = planning.clone();
                    view! {
                        <p class="next-checkin">
                            <strong class="next-day">{date_text(i18n, slot.start.date(), true)}</strong>
                            <span class="next-time">
                                {format!("{}–{}", slot.start.format("%H:%M"), slot.end.format("%H:%M"))}
                                " · "{t!(i18n, checkin_minutes, n = minutes)}
                            </span>
                            {going_on.then(|| view! { <span class="chip" data-state="now">{t!(i18n, checkin_going_on)}</span> })}
                        </p>
                        {slot.holiday.map(|h| view! {
                            <p class="banner warn holiday">
                                {t!(i18n, checkin_holiday, name = move || h.dutch_name())}" "
                                <a href=planning.clone()>{t!(i18n, checkin_change_in_planning)}</a>
                            </p>
                        })}
                    }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn AgendaView(
    session: SessionHandle,
    now: ReadSignal<NaiveDateTime>,
    people: Memo<Vec<Person>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let version = session.with_value(|s| s.version);
    let doc = session.with_value(|s| s.doc);
    let agenda = Memo::new(move |_| {
        version.track();
        let now = now.get();
        session.with_value(|s| s.vacancy.borrow().agenda(now))
    });
    let planning = StoredValue::new(section_path(doc, "planning"));

    // One dated item: its chip, title, and what it is, whose it is and when it is due.
    let entry = move |e: Entry| {
        let owner = people.with(|p| owner_text(i18n, p, e.item.owner.as_deref()));
        let due = due_text(i18n, &e.item.due.to_string());
        view! {
            <li>
                <a class="agenda-item" href=planning.get_value()>
                    <span class="chip" data-state=state_key(e.state)>{state_text(i18n, e.state)}</span>
                    <span class="agenda-title">{shown_title(i18n, &e.item.title)}</span>
                    <span class="agenda-meta">
                        {kind_text(i18n, e.item.kind)}" · "{owner}" · "{t!(i18n, due_by, date = move || due.clone())}
                    </span>
                </a>
            </li>
        }
    };
    let group = move |heading: &'static str,
                      title: fn(I18n) -> String,
                      empty: fn(I18n) -> String,
                      items: fn(&Agenda) -> Vec<Entry>| {
        view! {
            <div class="agenda-group" data-group=heading>
                <h3>{move || title(i18n)}</h3>
                {move || {
                    let list = agenda.with(items);
                    if list.is_empty() {
                        view! { <p class="empty">{move || empty(i18n)}</p> }.into_any()
                    } else {
                        view! { <ul class="agenda-list">{list.into_iter().map(entry).collect_view()}</ul> }.into_any()
                    }
                }}
            </div>
        }
    };
    let open_actions = move || {
        let list = agenda.with(|a| a.open_actions.clone());
        if list.is_empty() {
            return view! { <p class="empty">{t!(i18n, agenda_actions_empty)}</p> }.into_any();
        }
        let now = now.get();
        view! {
            <ul class="agenda-list">
                {list.into_iter().map(|a| {
                    let owner = people.with(|p| owner_text(i18n, p, a.owner.as_deref()));
                    let state = a.dated().map(|d| d.state(now));
                    let due = a.due.map(|d| due_text(i18n, &d.to_string()));
                    view! {
                        <li>
                            <a class="agenda-item" href=planning.get_value()>
                                {match state {
                                    Some(s) => view! { <span class="chip" data-state=state_key(s)>{state_text(i18n, s)}</span> }.into_any(),
                                    None => view! { <span class="chip" data-state="undated">{t!(i18n, chip_no_due)}</span> }.into_any(),
                                }}
                                <span class="agenda-title">{shown_title(i18n, &a.title)}</span>
                                <span class="agenda-meta">
                                    {owner}
                                    {due.map(|due| view! { " · "{t!(i18n, due_by, date = move || due.clone())} })}
                                </span>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let pipeline = move || {
        agenda.with(|a| {
            a.pipeline
                .iter()
                .map(|row| {
                    let name = match &row.step {
                        Step::Stage(stage) if stage.name.trim().is_empty() => {
                            t_string!(i18n, pipeline_unnamed_stage).to_string()
                        }
                        Step::Stage(stage) => stage.name.trim().to_string(),
                        Step::Hired => t_string!(i18n, pipeline_hired).to_string(),
                        Step::Rejected => t_string!(i18n, pipeline_rejected).to_string(),
                        Step::Unplaced => t_string!(i18n, pipeline_unplaced).to_string(),
                    };
                    let count = row.count;
                    view! {
                        <li class:none=count == 0>
                            <span class="stage-name">{name}</span>
                            <strong class="stage-count">{count}</strong>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let nobody = move || agenda.with(|a| a.pipeline.iter().all(|r| r.count == 0));

    view! {
        <section class="checkin agenda" aria-labelledby="agenda-heading">
            <h2 id="agenda-heading">{t!(i18n, agenda_heading)}</h2>
            <p class="hint">{t!(i18n, agenda_hint)}</p>
            {group("overdue", |i| t_string!(i, agenda_overdue).to_string(), |i| t_string!(i, agenda_overdue_empty).to_string(), |a| a.overdue.clone())}
            {group("due-soon", |i| t_string!(i, agenda_due_soon).to_string(), |i| t_string!(i, agenda_due_soon_empty).to_string(), |a| a.due_soon.clone())}
            <div class="agenda-group" data-group="actions">
                <h3>{t!(i18n, agenda_actions)}</h3>
                {open_actions}
            </div>
            {group("decisions", |i| t_string!(i, agenda_decisions).to_string(), |i| t_string!(i, agenda_decisions_empty).to_string(), |a| a.pending_decisions.clone())}
            <div class="agenda-group" data-group="pipeline">
                <h3>{t!(i18n, agenda_pipeline)}</h3>
                <ul class="pipeline">{pipeline}</ul>
                <Show when=nobody>
                    <p class="hint">{t!(i18n, agenda_pipeline_none)}</p>
                </Show>
            </div>
        </section>
    }
}

/// The element id of a check-in's `<details>`, and of its notes field.
fn checkin_dom_id(id: &CheckinId) -> String {
    format!("checkin-{}", id.as_str())
}

fn notes_dom_id(id: &CheckinId) -> String {
    format!("checkin-notes-{}", id.as_str())
}

/// Opens a check-in's details and puts the caret in its notes, once the row is on the page.
fn open_and_focus(id: &CheckinId) {
    let (details, notes) = (checkin_dom_id(id), notes_dom_id(id));
    gloo_timers::callback::Timeout::new(30, move || {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if let Some(d) = document.get_element_by_id(&details) {
            let _ = d.set_attribute("open", "");
        }
        if let Some(n) = document
            .get_element_by_id(&notes)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            n.scroll_into_view();
            let _ = n.focus();
        }
    })
    .forget();
}

#[component]
fn CheckinNotes(
    session: SessionHandle,
    now: ReadSignal<NaiveDateTime>,
    people: Memo<Vec<Person>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let version = session.with_value(|s| s.version);
    // Newest first: the one being held is on top, the history below it.
    let checkins = Memo::new(move |_| {
        version.track();
        let mut list = session.with_value(|s| s.vacancy.borrow().checkins());
        list.reverse();
        list
    });
    let read_only = Memo::new(move |_| {
        version.track();
        session.with_value(|s| s.read_only())
    });
    let ids =
        Memo::new(move |_| checkins.with(|l| l.iter().map(|c| c.id.clone()).collect::<Vec<_>>()));
    let today = Memo::new(move |_| now.get().date().format("%Y-%m-%d").to_string());
    let todays = Memo::new(move |_| {
        version.track();
        let today = today.get();
        session.with_value(|s| s.vacancy.borrow().checkin_on(&today))
    });
    // Which check-in starts open: the newest one when the section is shown.
    let first_open = checkins.with_untracked(|l| l.first().map(|c| c.id.clone()));
    let first_open = StoredValue::new(first_open);
    let start = move |_| {
        if let Some(id) = todays.get_untracked() {
            open_and_focus(&id);
            return;
        }
        let date = today.get_untracked();
        let mut made = None;
        session.get_value().edit(|v| {
            let (id, change) = v.add_checkin(&date)?;
            made = Some(id);
            Ok(Some(change))
        });
        if let Some(id) = made {
            open_and_focus(&id);
        }
    };

    view! {
        <section class="checkin notes" aria-labelledby="checkin-notes-heading">
            <h2 id="checkin-notes-heading">{t!(i18n, checkin_notes_heading)}</h2>
            <button type="button" class="start-checkin" disabled=move || read_only.get() on:click=start>
                {move || if todays.with(Option::is_some) {
                    t_string!(i18n, checkin_open_today)
                } else {
                    t_string!(i18n, checkin_start_today)
                }}
            </button>
            <Show when=move || ids.with(Vec::is_empty)>
                <p class="empty">{t!(i18n, checkin_notes_empty)}</p>
            </Show>
            <ol class="checkin-list">
                <For each=move || ids.get() key=|id| id.clone() let:id>
                    <CheckinRow session checkins people read_only today
                        open=first_open.with_value(|f| f.as_ref() == Some(&id)) id />
                </For>
            </ol>
        </section>
    }
}

#[component]
fn CheckinRow(
    session: SessionHandle,
    checkins: Memo<Vec<Checkin>>,
    people: Memo<Vec<Person>>,
    read_only: Memo<bool>,
    today: Memo<String>,
    open: bool,
    id: CheckinId,
) -> impl IntoView {
    let i18n = use_i18n();
    let version = session.with_value(|s| s.version);
    let doc = session.with_value(|s| s.doc);
    let key = id.clone();
    let this = Memo::new(move |_| checkins.with(|all| all.iter().find(|c| c.id == key).cloned()));
    let date = move || this.with(|c| c.as_ref().map(|c| c.date.clone()).unwrap_or_default());
    let date_shown = move || {
        NaiveDate::parse_from_str(&date(), "%Y-%m-%d")
            .map(|d| date_text(i18n, d, true))
            .unwrap_or_else(|_| date())
    };
    let me = StoredValue::new(id.clone());
    let key = id.clone();
    let lines = Memo::new(move |_| {
        version.track();
        session.with_value(|s| s.vacancy.borrow().checkin_lines(&key))
    });
    // The title of the last action made here, for the feedback under the lines.
    let added = RwSignal::new(None::<String>);
    let set_date = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        if value.is_empty() {
            // A check-in has a date: clearing the field puts it back rather than leaving a
            // blank field that says nothing was kept.
            if let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                input.set_value(&date());
            }
            return;
        }
        if value == date() {
            return;
        }
        let id = me.get_value();
        session
            .get_value()
            .edit(|v| v.set_checkin_date(&id, &value).map(Some));
    };
    let set_attended = move |person: PersonId, on: bool| {
        let id = me.get_value();
        session
            .get_value()
            .edit(|v| v.set_attended(&id, &person, on).map(Some));
    };
    let make_action = move |line: String| {
        let id = me.get_value();
        let mut made = false;
        session.get_value().edit(|v| {
            let (_, change) = v.action_from_checkin_line(&id, &line, None, None)?;
            made = true;
            Ok(Some(change))
        });
        if made {
            added.set(Some(line_title(&line).to_string()));
        }
    };
    let toasts = use_toasts();
    let remove = move |_| {
        let Some(gone) = this.get_untracked() else {
            return;
        };
        let id = me.get_value();
        session
            .get_value()
            .edit(|v| v.remove_checkin(&id).map(Some));
        // The undo where the person is looking; the toast outlives this row.
        let date = NaiveDate::parse_from_str(&gone.date, "%Y-%m-%d")
            .ok()
            .map(|d| date_text(i18n, d, false))
            .unwrap_or_default();
        toasts.offer_undo(
            move || {
                let date = date.clone();
                t!(i18n, checkin_removed, date = move || date.clone()).into_any()
            },
            move || {
                if let Some(s) = session.try_get_value() {
                    s.edit(|v| v.restore_checkin(&gone).map(Some));
                }
            },
        );
    };
    let dom = checkin_dom_id(&id);
    let date_id = format!("checkin-date-{}", id.as_str());
    let notes_id = notes_dom_id(&id);
    let planning = StoredValue::new(section_path(doc, "planning"));

    view! {
        <li class="checkin-entry">
            <details id=dom open=open>
                <summary>
                    <span>{t!(i18n, checkin_of, date = date_shown)}</span>
                    <Show when=move || date() == today.get()>
                        <span class="chip" data-state="now">{t!(i18n, checkin_today)}</span>
                    </Show>
                </summary>
                <div class="checkin-body">
                    <label for=date_id.clone()>{t!(i18n, checkin_date)}</label>
                    <input id=date_id type="date" required prop:value=date
                        disabled=move || read_only.get() on:change=set_date />
                    <fieldset class="attended">
                        <legend>{t!(i18n, checkin_attended)}</legend>
                        {move || {
                            let list = people.get();
                            if list.is_empty() {
                                return view! { <p class="hint">{t!(i18n, checkin_no_people)}</p> }.into_any();
                            }
                            list.into_iter().map(|p| {
                                let pid = p.id.clone();
                                let checked = {
                                    let pid = pid.clone();
                                    move || this.with(|c| c.as_ref().is_some_and(|c| c.attended.contains(&pid)))
                                };
                                let name = if p.name.trim().is_empty() { "?".to_string() } else { p.name.trim().to_string() };
                                view! {
                                    <label class="attendee">
                                        <input type="checkbox" class="visually-hidden"
                                            prop:checked=checked disabled=move || read_only.get()
                                            on:change=move |ev| set_attended(pid.clone(), event_target_checked(&ev)) />
                                        <span>{name}</span>
                                    </label>
                                }
                            }).collect_view().into_any()
                        }}
                    </fieldset>
                    <label for=notes_id.clone()>{t!(i18n, checkin_notes)}</label>
                    <p class="hint">{t!(i18n, checkin_notes_hint)}</p>
                    <LiveText session field=TextField::CheckinNotes(id.clone()) id=notes_id
                        presence_key=format!("checkin:{}", id.as_str()) multiline=true />
                    <Show when=move || lines.with(|l| !l.is_empty())>
                        <h3 class="lines-heading">{t!(i18n, checkin_lines_heading)}</h3>
                        <ul class="note-lines">
                            // Keyed, so a line the partner is not typing in keeps its button
                            // (and a tap on it) while the notes change around it.
                            <For each=move || lines.get().into_iter().enumerate()
                                key=|(i, l)| (*i, l.text.clone(), l.action.clone())
                                let:((_, NoteLine { text, action }))>
                                {
                                let line = text.clone();
                                let label = format!("{}: {}", t_string!(i18n, checkin_make_action), line_title(&text));
                                view! {
                                    <li class:made=action.is_some()>
                                        <span class="line-text">{text.trim().to_string()}</span>
                                        {match action {
                                            Some(_) => view! { <a class="chip made-chip" href=planning.get_value() data-state="made">{t!(i18n, checkin_is_action)}</a> }.into_any(),
                                            None => view! {
                                                <button type="button" class="secondary" aria-label=label
                                                    disabled=move || read_only.get()
                                                    on:click=move |_| make_action(line.clone())>
                                                    {t!(i18n, checkin_make_action)}
                                                </button>
                                            }.into_any(),
                                        }}
                                    </li>
                                }
                                }
                            </For>
                        </ul>
                    </Show>
                    <Show when=move || added.with(Option::is_some)>
                        <p class="action-added" role="status">
                            {t!(i18n, checkin_action_added, title = move || added.get().unwrap_or_default())}" "
                            <a href=planning.get_value()>{t!(i18n, checkin_action_owner_link)}" →"</a>
                        </p>
                    </Show>
                    <button type="button" class="danger remove-checkin" disabled=move || read_only.get() on:click=remove>
                        {t!(i18n, checkin_remove)}
                    </button>
                </div>
            </details>
        </li>
    }
}
