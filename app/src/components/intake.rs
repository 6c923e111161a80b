//! The intake form: the role, the free texts, the must-haves and nice-to-haves, the process.
//!
//! Every free text is a [`LiveText`], so both people type into the same intake at once. The
//! lists (must-haves, nice-to-haves, stages) are edited as the scorecard's criteria are: add,
//! reorder, remove with an undo for the last removal on this device.
//!
//! A list follows which items it holds and their order; a row follows its own item and text;
//! a text field its own text (see `watch`): typing in one field wakes that field alone.

use leptos::prelude::*;
use tandem_domain::changes::Area;
use tandem_domain::intake::{IntakeText, RoleText};
use tandem_domain::{CriterionId, IntakeItem, ItemId, ItemList, Stage, StageId, TextField};

use super::criterion_details::starter_anchors;
use super::live_text::LiveText;
use super::toast::use_toasts;
use crate::i18n::*;
use crate::pages::section_path;
use crate::session::SessionHandle;

/// The element id of a role field, for its label and for the gate's links to it.
pub fn role_field_id(f: RoleText) -> String {
    format!("intake-role-{}", f.key())
}

/// The element id of one of the intake's free texts.
pub fn text_field_id(f: IntakeText) -> String {
    format!("intake-{}", f.key())
}

/// The element id of the field that adds an item to a list (where "one must-have" is filled in).
pub fn new_item_id(list: ItemList) -> String {
    format!("new-{}", list.key())
}

pub const NEW_STAGE_ID: &str = "new-stage";

/// The name of a role field, as the intake and the report show it.
pub fn role_label(i18n: leptos_i18n::I18nContext<Locale>, field: RoleText) -> String {
    match field {
        RoleText::Title => t_string!(i18n, role_title),
        RoleText::Team => t_string!(i18n, role_team),
        RoleText::Location => t_string!(i18n, role_location),
        RoleText::Hours => t_string!(i18n, role_hours),
        RoleText::SalaryBand => t_string!(i18n, role_salary_band),
        RoleText::StartDate => t_string!(i18n, role_start_date),
    }
    .to_string()
}

/// The name of one of the intake's free texts, as the intake and the report show it.
pub fn intake_text_label(i18n: leptos_i18n::I18nContext<Locale>, field: IntakeText) -> String {
    match field {
        IntakeText::Profile => t_string!(i18n, intake_profile),
        IntakeText::TargetGroup => t_string!(i18n, intake_target_group),
        IntakeText::LabourMarket => t_string!(i18n, intake_labour_market),
        IntakeText::SellingPoints => t_string!(i18n, intake_selling_points),
        IntakeText::ContactAgreements => t_string!(i18n, intake_contact_agreements),
    }
    .to_string()
}

#[component]
pub fn IntakeEditor(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    let text = move |f: IntakeText| {
        let id = text_field_id(f);
        view! {
            <label for=id.clone()>{move || intake_text_label(i18n, f)}</label>
            <LiveText session field=TextField::Intake(f) id presence_key=format!("intake:{}", f.key()) multiline=true />
        }
    };

    view! {
        <section class="intake" aria-labelledby="role-heading">
            <h2 id="role-heading">{t!(i18n, intake_role)}</h2>
            <div class="role-fields">
                {RoleText::ALL.into_iter().map(|f| {
                    let id = role_field_id(f);
                    view! {
                        <div class="role-field">
                            <label for=id.clone()>{move || role_label(i18n, f)}</label>
                            <LiveText session field=TextField::Role(f) id presence_key=format!("intake:role:{}", f.key()) />
                        </div>
                    }
                }).collect_view()}
            </div>
        </section>
        <section class="intake" aria-labelledby="profile-heading">
            <h2 id="profile-heading">{t!(i18n, intake_profile_heading)}</h2>
            {text(IntakeText::Profile)}
        </section>
        <ItemsEditor session list=ItemList::MustHaves />
        <ItemsEditor session list=ItemList::NiceToHaves />
        <section class="intake" aria-labelledby="market-heading">
            <h2 id="market-heading">{t!(i18n, intake_market_heading)}</h2>
            {text(IntakeText::TargetGroup)}
            {text(IntakeText::LabourMarket)}
            {text(IntakeText::SellingPoints)}
        </section>
        <StagesEditor session />
        <section class="intake" aria-labelledby="contact-heading">
            <h2 id="contact-heading">{t!(i18n, intake_contact_heading)}</h2>
            <p class="hint">{t!(i18n, intake_contact_hint)}</p>
            {text(IntakeText::ContactAgreements)}
        </section>
    }
}

/// An item as a row shows it: the item and, while it is linked, its criterion's name.
type ShownItem = (IntakeItem, Option<String>);

#[component]
fn ItemsEditor(session: SessionHandle, list: ItemList) -> impl IntoView {
    let i18n = use_i18n();
    let locked = session.with_value(|s| s.locked);
    let ids = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Items(list));
            let items = s.vacancy.borrow().intake_items(list);
            items.into_iter().map(|i| i.id).collect::<Vec<_>>()
        })
    });
    let read_only = Memo::new(move |_| locked.get());
    let new_text = RwSignal::new(String::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = new_text.get_untracked();
        session
            .get_value()
            .edit(|v| v.add_intake_item(list, text.trim()).map(|(_, c)| Some(c)));
        new_text.set(String::new());
    };
    let heading_id = format!("{}-heading", list.key());
    let labelled_by = heading_id.clone();
    let new_id = new_item_id(list);

    view! {
        <section class="intake" aria-labelledby=labelled_by>
            <h2 id=heading_id>{move || match list {
                ItemList::MustHaves => t_string!(i18n, must_haves),
                ItemList::NiceToHaves => t_string!(i18n, nice_to_haves),
            }}</h2>
            <Show when=move || ids.with(|i| i.is_empty())>
                <p class="empty">{move || match list {
                    ItemList::MustHaves => t_string!(i18n, must_haves_empty),
                    ItemList::NiceToHaves => t_string!(i18n, nice_to_haves_empty),
                }}</p>
            </Show>
            <ol class="items">
                <For each=move || ids.get() key=|id| id.clone() let:id>
                    <ItemRow session list ids read_only id />
                </For>
            </ol>
            <form class="add-row" on:submit=add>
                <label for=new_id.clone()>{move || match list {
                    ItemList::MustHaves => t_string!(i18n, new_must_have),
                    ItemList::NiceToHaves => t_string!(i18n, new_nice_to_have),
                }}</label>
                <div class="add-line">
                    <input id=new_id type="text" required
                        prop:value=move || new_text.get()
                        on:input=move |ev| new_text.set(event_target_value(&ev)) />
                    <button type="submit" disabled=move || read_only.get()>{t!(i18n, add)}</button>
                </div>
            </form>
        </section>
    }
}

#[component]
fn ItemRow(
    session: SessionHandle,
    list: ItemList,
    ids: Memo<Vec<ItemId>>,
    read_only: Memo<bool>,
    id: ItemId,
) -> impl IntoView {
    let i18n = use_i18n();
    let key = id.clone();
    // The item with its text and, while linked, its criterion's name: this row's own.
    let shown = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Items(list));
            // A criterion removed or restored makes or breaks the link.
            s.track(Area::Criteria);
            s.track(Area::Text(TextField::IntakeItem(list, key.clone())));
            let v = s.vacancy.borrow();
            let item = v.intake_items(list).into_iter().find(|i| i.id == key)?;
            let linked = item.criterion.as_ref().and_then(|c| {
                let name = TextField::CriterionName(c.clone());
                s.track(Area::Text(name.clone()));
                v.text(&name)
            });
            let shown: ShownItem = (item, linked);
            Some(shown)
        })
    });
    let key = id.clone();
    let place = Memo::new(move |_| {
        ids.with(|all| (all.iter().position(|i| *i == key).unwrap_or(0), all.len()))
    });
    let this = Memo::new(move |_| {
        let (index, count) = place.get();
        shown.get().map(|shown| (index, count, shown))
    });
    let index = move || this.with(|t| t.as_ref().map_or(0, |t| t.0));
    let count = move || this.with(|t| t.as_ref().map_or(0, |t| t.1));
    let text = move || this.with(|t| t.as_ref().map(|t| t.2 .0.text.clone()).unwrap_or_default());
    let linked = move || this.with(|t| t.as_ref().and_then(|t| t.2 .0.criterion.clone()));
    // A linked pair named differently: someone renamed one of them, so offer the same rename.
    let names_differ = move || {
        this.with(|t| {
            t.as_ref().is_some_and(|t| {
                t.2 .1
                    .as_ref()
                    .is_some_and(|name| name.trim() != t.2 .0.text.trim())
            })
        })
    };
    let item = StoredValue::new(id.clone());
    let doc = session.with_value(|s| s.doc);
    let dom = format!("{}-{}", list.key(), id.as_str());
    let field_id = format!("item-{dom}");
    let move_to = move |to: usize| {
        let id = item.get_value();
        session
            .get_value()
            .edit(|v| v.move_intake_item(list, &id, to).map(Some));
    };
    let toasts = use_toasts();
    let remove = move |_| {
        let Some(gone) = this.get_untracked().map(|t| t.2 .0) else {
            return;
        };
        let id = item.get_value();
        session
            .get_value()
            .edit(|v| v.remove_intake_item(list, &id).map(Some));
        // The undo where the person is looking; the toast outlives this row.
        let name = gone.text.clone();
        toasts.offer_undo(
            move || {
                let name = name.clone();
                t!(i18n, removed_item, name = move || name.clone()).into_any()
            },
            move || {
                if let Some(s) = session.try_get_value() {
                    s.edit(|v| v.restore_intake_item(list, &gone).map(Some));
                }
            },
        );
    };
    let make_criterion = move |_| {
        let id = item.get_value();
        let s = session.get_value();
        let mut made = None;
        s.edit(|v| {
            v.make_criterion(list, &id).map(|(criterion, change)| {
                made = change.is_some().then_some(criterion);
                change
            })
        });
        if let Some(criterion) = made {
            let texts = starter_anchors(i18n, s.vacancy.borrow().scale_max());
            s.edit(|v| v.fill_empty_anchors(&criterion, &texts));
        }
    };
    let rename_other = move |_| {
        let (Some(c), name) = (linked(), text()) else {
            return;
        };
        session
            .get_value()
            .edit(|v| v.set_text(&TextField::CriterionName(c), &name));
    };

    view! {
        <li class="item" data-item=dom.clone()>
            <div class="item-head">
                <label for=field_id.clone() class="visually-hidden">{move || match list {
                    ItemList::MustHaves => t_string!(i18n, must_have_item),
                    ItemList::NiceToHaves => t_string!(i18n, nice_to_have_item),
                }}</label>
                <LiveText session field=TextField::IntakeItem(list, id.clone()) id=field_id presence_key=format!("item:{dom}") />
                <div class="row-actions">
                    <button type="button" aria-label=move || format!("{} ({})", t_string!(i18n, move_up), text())
                        disabled=move || read_only.get() || index() == 0
                        on:click=move |_| move_to(index().saturating_sub(1))>"↑"</button>
                    <button type="button" aria-label=move || format!("{} ({})", t_string!(i18n, move_down), text())
                        disabled=move || { read_only.get() || index() + 1 >= count() }
                        on:click=move |_| move_to(index() + 1)>"↓"</button>
                    <button type="button" class="danger" aria-label=move || format!("{} ({})", t_string!(i18n, remove), text())
                        disabled=move || read_only.get() on:click=remove>"✕"</button>
                </div>
            </div>
            {(list == ItemList::MustHaves).then(|| view! {
                <p class="hint knock-out-question">{t!(i18n, must_have_question)}</p>
            })}
            <div class="item-link">
                {move || match linked() {
                    None => view! {
                        <button type="button" class="secondary" disabled=move || read_only.get() on:click=make_criterion>
                            {t!(i18n, make_criterion)}
                        </button>
                    }.into_any(),
                    Some(_) => view! {
                        <a class="linked" href=section_path(doc, "scorecard")>{t!(i18n, in_scorecard)}</a>
                        <Show when=names_differ>
                            <button type="button" class="secondary" disabled=move || read_only.get() on:click=rename_other>
                                {t!(i18n, rename_in_scorecard)}
                            </button>
                        </Show>
                    }.into_any(),
                }}
            </div>
        </li>
    }
}

#[component]
fn StagesEditor(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    let locked = session.with_value(|s| s.locked);
    // The stages with their names and focus criteria (in the scorecard's order); what is typed
    // about who interviews and what a stage assesses is followed by those fields alone.
    let stages = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Stages);
            s.track(Area::Criteria);
            s.vacancy.borrow().stages()
        })
    });
    let read_only = Memo::new(move |_| locked.get());
    let ids = Memo::new(move |_| {
        stages.with(|list| list.iter().map(|s| s.id.clone()).collect::<Vec<_>>())
    });
    let new_name = RwSignal::new(String::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = new_name.get_untracked();
        session
            .get_value()
            .edit(|v| v.add_stage(name.trim()).map(|(_, c)| Some(c)));
        new_name.set(String::new());
    };

    view! {
        <section class="intake" aria-labelledby="stages-heading">
            <h2 id="stages-heading">{t!(i18n, stages)}</h2>
            <Show when=move || ids.with(|i| i.is_empty())>
                <p class="empty">{t!(i18n, stages_empty)}</p>
            </Show>
            <ol class="items stages">
                <For each=move || ids.get() key=|id| id.clone() let:id>
                    <StageRow session stages read_only id />
                </For>
            </ol>
            <form class="add-row" on:submit=add>
                <label for=NEW_STAGE_ID>{t!(i18n, new_stage)}</label>
                <div class="add-line">
                    <input id=NEW_STAGE_ID type="text" required
                        prop:value=move || new_name.get()
                        on:input=move |ev| new_name.set(event_target_value(&ev)) />
                    <button type="submit" disabled=move || read_only.get()>{t!(i18n, add)}</button>
                </div>
            </form>
        </section>
    }
}

#[component]
fn StageRow(
    session: SessionHandle,
    stages: Memo<Vec<Stage>>,
    read_only: Memo<bool>,
    id: StageId,
) -> impl IntoView {
    let i18n = use_i18n();
    let key = id.clone();
    let this = Memo::new(move |_| {
        stages.with(|all| {
            let index = all.iter().position(|s| s.id == key)?;
            Some((index, all.len(), all[index].clone()))
        })
    });
    let index = move || this.with(|t| t.as_ref().map_or(0, |t| t.0));
    let count = move || this.with(|t| t.as_ref().map_or(0, |t| t.1));
    let name = move || this.with(|t| t.as_ref().map(|t| t.2.name.clone()).unwrap_or_default());
    let stage = StoredValue::new(id.clone());
    let move_to = move |to: usize| {
        let id = stage.get_value();
        session
            .get_value()
            .edit(|v| v.move_stage(&id, to).map(Some));
    };
    let toasts = use_toasts();
    let remove = move |_| {
        let id = stage.get_value();
        // As it is now, texts and all, for the undo.
        let gone = session.with_value(|s| {
            let all = s.vacancy.borrow().stages();
            all.into_iter().find(|s| s.id == id)
        });
        let Some(gone) = gone else {
            return;
        };
        session.get_value().edit(|v| v.remove_stage(&id).map(Some));
        // The undo where the person is looking; the toast outlives this row.
        let name = gone.name.clone();
        toasts.offer_undo(
            move || {
                let name = name.clone();
                t!(i18n, removed_item, name = move || name.clone()).into_any()
            },
            move || {
                if let Some(s) = session.try_get_value() {
                    s.edit(|v| v.restore_stage(&gone).map(Some));
                }
            },
        );
    };
    let dom = id.as_str().to_string();
    let name_id = format!("stage-{dom}-name");
    let who_id = format!("stage-{dom}-interviewers");
    let what_id = format!("stage-{dom}-assesses");

    view! {
        <li class="item stage" data-stage=dom.clone()>
            <div class="item-head">
                <span class="stage-number" aria-hidden="true">{move || format!("{}.", index() + 1)}</span>
                <label for=name_id.clone() class="visually-hidden">{t!(i18n, stage_name)}</label>
                <LiveText session field=TextField::StageName(id.clone()) id=name_id presence_key=format!("stage:{dom}:name") />
                <div class="row-actions">
                    <button type="button" aria-label=move || format!("{} ({})", t_string!(i18n, move_up), name())
                        disabled=move || read_only.get() || index() == 0
                        on:click=move |_| move_to(index().saturating_sub(1))>"↑"</button>
                    <button type="button" aria-label=move || format!("{} ({})", t_string!(i18n, move_down), name())
                        disabled=move || { read_only.get() || index() + 1 >= count() }
                        on:click=move |_| move_to(index() + 1)>"↓"</button>
                    <button type="button" class="danger" aria-label=move || format!("{} ({})", t_string!(i18n, remove), name())
                        disabled=move || read_only.get() on:click=remove>"✕"</button>
                </div>
            </div>
            <label for=who_id.clone()>{t!(i18n, stage_interviewers)}</label>
            <LiveText session field=TextField::StageInterviewers(id.clone()) id=who_id presence_key=format!("stage:{dom}:interviewers") />
            <label for=what_id.clone()>{t!(i18n, stage_assesses)}</label>
            <LiveText session field=TextField::StageAssesses(id.clone()) id=what_id presence_key=format!("stage:{dom}:assesses") multiline=true />
            <FocusCriteria session stage=id.clone() this read_only />
        </li>
    }
}

/// The scorecard criteria a stage assesses (its focus criteria), one checkbox each; the
/// interview kit of that stage (a later part) asks about exactly these.
#[component]
fn FocusCriteria(
    session: SessionHandle,
    stage: StageId,
    this: Memo<Option<(usize, usize, Stage)>>,
    read_only: Memo<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let doc = session.with_value(|s| s.doc);
    // The criteria's ids and names, in order: all a checkbox shows.
    let criteria = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Criteria);
            let v = s.vacancy.borrow();
            v.criterion_ids()
                .into_iter()
                .map(|id| {
                    let name = TextField::CriterionName(id.clone());
                    s.track(Area::Text(name.clone()));
                    (id, v.text(&name).unwrap_or_default())
                })
                .collect::<Vec<_>>()
        })
    });
    let stage = StoredValue::new(stage);
    let chosen = move |c: &CriterionId| {
        this.with(|t| t.as_ref().is_some_and(|t| t.2.focus_criteria.contains(c)))
    };
    let toggle = move |c: CriterionId, on: bool| {
        let stage = stage.get_value();
        session
            .get_value()
            .edit(|v| v.set_focus_criterion(&stage, &c, on).map(Some));
    };
    view! {
        <fieldset class="focus-criteria">
            <legend>{t!(i18n, stage_focus)}</legend>
            <Show when=move || criteria.with(|c| !c.is_empty())
                fallback=move || view! {
                    <p class="hint">{t!(i18n, stage_focus_none)}" "
                        <a href=section_path(doc, "scorecard")>{t!(i18n, stage_focus_to_scorecard)}</a>
                    </p>
                }>
                <ul class="focus-list">
                    <For each=move || criteria.get() key=|c| c.clone() let:c>
                        {
                            let (id, name) = c;
                            let checked = id.clone();
                            view! {
                                <li><label class="check">
                                    <input type="checkbox" prop:checked=move || chosen(&checked)
                                        disabled=move || read_only.get()
                                        on:change=move |ev| toggle(id.clone(), event_target_checked(&ev)) />
                                    <span>{if name.trim().is_empty() { t_string!(i18n, unnamed_criterion).to_string() } else { name.clone() }}</span>
                                </label></li>
                            }
                        }
                    </For>
                </ul>
            </Show>
        </fieldset>
    }
}
