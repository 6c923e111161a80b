//! The scorecard editor: criteria with name, description, category, weight and must-have flag;
//! each unfolds its anchored rating scale and suggested questions (`criterion_details`).
//!
//! The list follows which criteria there are and their order; each row follows its own
//! criterion's values and name; each text field its own text. So typing in one criterion's
//! description wakes that field alone, and a partner's weight change wakes that one row.

use leptos::prelude::*;
use tandem_domain::changes::Area;
use tandem_domain::scorecard::{MAX_WEIGHT, MIN_WEIGHT};
use tandem_domain::{Category, Criterion, CriterionId, DomainError, ItemList, TextField, Vacancy};

use super::criterion_details::{starter_anchors, CriterionDetails};
use super::live_text::LiveText;
use super::toast::use_toasts;
use crate::i18n::*;
use crate::session::SessionHandle;

#[component]
pub fn ScorecardEditor(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    let locked = session.with_value(|s| s.locked);
    let ids = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Criteria);
            s.vacancy.borrow().criterion_ids()
        })
    });
    let read_only = Memo::new(move |_| locked.get());
    provide_context(ReadOnly(read_only));
    let new_name = RwSignal::new(String::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = new_name.get_untracked();
        let s = session.get_value();
        let mut made = None;
        s.edit(|v| {
            v.add_criterion(name.trim(), Category::Competency)
                .map(|(id, c)| {
                    made = Some(id);
                    Some(c)
                })
        });
        // A new criterion starts with an anchored scale in its maker's language, to be edited.
        if let Some(id) = made {
            let texts = starter_anchors(i18n, s.vacancy.borrow().scale_max());
            s.edit(|v| v.fill_empty_anchors(&id, &texts));
        }
        new_name.set(String::new());
    };

    view! {
        <section class="scorecard" aria-labelledby="scorecard-heading">
            <h2 id="scorecard-heading">{t!(i18n, scorecard)}</h2>
            <Show when=move || ids.with(|i| i.is_empty())>
                <p class="empty">{t!(i18n, criteria_empty)}</p>
            </Show>
            <ol class="criteria">
                <For each=move || ids.get() key=|id| id.clone() let:id>
                    <CriterionRow session ids id />
                </For>
            </ol>
            <form class="add-criterion" on:submit=add>
                <label for="new-criterion">{t!(i18n, new_criterion_name)}</label>
                <input id="new-criterion" type="text" required
                    prop:value=move || new_name.get()
                    on:input=move |ev| new_name.set(event_target_value(&ev)) />
                <button type="submit" disabled=move || read_only.get()>{t!(i18n, add_criterion)}</button>
            </form>
        </section>
    }
}

/// Whether the scorecard may be edited; rows disable their controls when it may not.
#[derive(Clone, Copy)]
struct ReadOnly(Memo<bool>);

/// One edit of one criterion, run against the document by the row's buttons and fields.
type CriterionEdit = Box<dyn FnOnce(&mut Vacancy, &CriterionId) -> Result<Vec<u8>, DomainError>>;

#[component]
fn CriterionRow(
    session: SessionHandle,
    ids: Memo<Vec<CriterionId>>,
    id: CriterionId,
) -> impl IntoView {
    let i18n = use_i18n();
    let ReadOnly(read_only) = expect_context::<ReadOnly>();
    let toasts = use_toasts();
    let id_for_place = id.clone();
    let place = Memo::new(move |_| {
        ids.with(|list| {
            let index = list.iter().position(|c| *c == id_for_place).unwrap_or(0);
            (index, list.len())
        })
    });
    let index = move || place.with(|p| p.0);
    let count = move || place.with(|p| p.1);
    // This criterion's own values and its name (its buttons are labelled with it). Its other
    // texts are followed by their own fields, so what this holds of them may be older: read
    // the document, not this, for them.
    let id_for_memo = id.clone();
    let criterion = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Criterion(id_for_memo.clone()));
            s.track(Area::Text(TextField::CriterionName(id_for_memo.clone())));
            s.vacancy.borrow().criterion(&id_for_memo)
        })
    });
    let get = move |f: fn(&Criterion) -> String| {
        criterion.with(|c| c.as_ref().map(f).unwrap_or_default())
    };
    let crit = StoredValue::new(id.clone());
    let edit = move |f: CriterionEdit| {
        let id = crit.get_value();
        session.get_value().edit(|v| f(v, &id).map(Some));
    };
    // The intake item this criterion was made from, while the two are linked: when one was
    // renamed, the row offers to give the other the same name.
    let crit_for_link = id.clone();
    let linked_item = Memo::new(move |_| {
        session.with_value(|s| {
            // The link is the criterion's and the item's: each names the other.
            s.track(Area::Criterion(crit_for_link.clone()));
            for list in ItemList::ALL {
                s.track(Area::Items(list));
            }
            let v = s.vacancy.borrow();
            let (list, item) = v.criterion_item(&crit_for_link)?;
            let field = TextField::IntakeItem(list, item);
            s.track(Area::Text(field.clone()));
            let text = v.text(&field)?;
            Some((field, text))
        })
    });
    let names_differ = move || {
        linked_item.with(|l| {
            l.as_ref()
                .is_some_and(|(_, text)| text.trim() != get(|c| c.name.clone()).trim())
        })
    };
    let rename_item = move |_| {
        let Some((field, _)) = linked_item.get_untracked() else {
            return;
        };
        let name = get(|c| c.name.clone());
        session.get_value().edit(|v| v.set_text(&field, &name));
    };
    let dom = id.as_str().to_string();
    let name_id = format!("crit-{dom}-name");
    let desc_id = format!("crit-{dom}-description");
    let cat_id = format!("crit-{dom}-category");
    let weight_id = format!("crit-{dom}-weight");
    let must_id = format!("crit-{dom}-must");

    view! {
        <li class="criterion" data-criterion=dom.clone()>
            <div class="criterion-head">
                <label for=name_id.clone() class="visually-hidden">{t!(i18n, criterion_name)}</label>
                <LiveText session field=TextField::CriterionName(id.clone()) id=name_id presence_key=format!("crit:{dom}:name") />
                <div class="row-actions">
                    <button type="button" aria-label=move || format!("{} ({})", t_string!(i18n, move_up), get(|c| c.name.clone()))
                        disabled=move || read_only.get() || index() == 0
                        on:click=move |_| { let to = index().saturating_sub(1); edit(Box::new(move |v, id| v.move_criterion(id, to))) }>"↑"</button>
                    <button type="button" aria-label=move || format!("{} ({})", t_string!(i18n, move_down), get(|c| c.name.clone()))
                        disabled=move || { read_only.get() || index() + 1 >= count() }
                        on:click=move |_| { let to = index() + 1; edit(Box::new(move |v, id| v.move_criterion(id, to))) }>"↓"</button>
                    <button type="button" class="danger" disabled=move || read_only.get() aria-label=move || format!("{} ({})", t_string!(i18n, remove), get(|c| c.name.clone()))
                        on:click=move |_| {
                            // As it is now, texts and all, for the undo.
                            let Some(gone) = session.with_value(|s| s.vacancy.borrow().criterion(&crit.get_value())) else { return };
                            edit(Box::new(|v, id| v.remove_criterion(id)));
                            // The undo where the person is looking; the toast outlives this row.
                            let name = gone.name.clone();
                            toasts.offer_undo(
                                move || { let name = name.clone(); t!(i18n, removed_criterion, name = move || name.clone()).into_any() },
                                move || {
                                    if let Some(s) = session.try_get_value() {
                                        s.edit(|v| v.restore_criterion(&gone).map(Some));
                                    }
                                },
                            );
                        }>"✕"</button>
                </div>
            </div>
            <Show when=move || linked_item.with(|l| l.is_some())>
                <p class="item-link">
                    <span class="linked">{t!(i18n, from_intake)}</span>
                    <Show when=names_differ>
                        " "<button type="button" class="secondary" disabled=move || read_only.get() on:click=rename_item>
                            {t!(i18n, rename_in_intake)}
                        </button>
                    </Show>
                </p>
            </Show>
            <label for=desc_id.clone()>{t!(i18n, criterion_description)}</label>
            <LiveText session field=TextField::CriterionDescription(id.clone()) id=desc_id presence_key=format!("crit:{dom}:description") multiline=true />
            <div class="criterion-meta">
                <label for=cat_id.clone()>{t!(i18n, category)}</label>
                <select id=cat_id disabled=move || read_only.get() on:change=move |ev| {
                    let cat = Category::parse(&event_target_value(&ev));
                    edit(Box::new(move |v, id| v.set_category(id, cat)))
                }>
                    {Category::ALL.into_iter().map(|c| view! {
                        <option value=c.as_str() selected=move || criterion.with(|t| t.as_ref().is_some_and(|t| t.category == c))>
                            {move || match c {
                                Category::Competency => t_string!(i18n, cat_competency),
                                Category::Experience => t_string!(i18n, cat_experience),
                                Category::Trait => t_string!(i18n, cat_trait),
                            }}
                        </option>
                    }).collect_view()}
                </select>
                <label for=weight_id.clone()>{t!(i18n, weight)}</label>
                // A choice on the scale, each step saying what it means: nothing off the scale
                // can be typed, so nothing is quietly changed into something else.
                <select id=weight_id disabled=move || read_only.get()
                    on:change=move |ev| {
                        if let Ok(w) = event_target_value(&ev).parse::<i64>() {
                            edit(Box::new(move |v, id| v.set_weight(id, w)))
                        }
                    }>
                    {(MIN_WEIGHT..=MAX_WEIGHT).map(|w| view! {
                        <option value=w.to_string()
                            selected=move || criterion.with(|t| t.as_ref().is_some_and(|t| t.weight == w))>
                            {move || format!("{w} · {}", weight_meaning(i18n, w))}
                        </option>
                    }).collect_view()}
                </select>
                <label class="check" for=must_id.clone()>
                    <input id=must_id.clone() type="checkbox" disabled=move || read_only.get()
                        prop:checked=move || criterion.with(|t| t.as_ref().is_some_and(|t| t.must_have))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            edit(Box::new(move |v, id| v.set_must_have(id, on)))
                        } />
                    {t!(i18n, must_have)}
                </label>
            </div>
            <CriterionDetails session criterion id=id.clone() read_only />
        </li>
    }
}

/// What a weight means, in words: 1 = nice to know … 5 = decisive.
fn weight_meaning(i18n: leptos_i18n::I18nContext<Locale>, weight: i64) -> &'static str {
    match weight {
        1 => t_string!(i18n, weight_1),
        2 => t_string!(i18n, weight_2),
        3 => t_string!(i18n, weight_3),
        4 => t_string!(i18n, weight_4),
        _ => t_string!(i18n, weight_5),
    }
}
