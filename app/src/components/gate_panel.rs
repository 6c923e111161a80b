//! The gate at the top of the intake: the vacancy's status, exactly what keeps it from opening
//! (each item a link to its field), the two sign-offs, and the status change.
//!
//! The rule itself is `Vacancy::gate` in the domain crate; this panel only shows its answer and
//! calls `sign_off_now` and `change_status`, so the page and the rule cannot disagree.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use tandem_domain::changes::{Area, Section};
use tandem_domain::gate::{can_change_status, GateResult, Missing, StatusError};
use tandem_domain::intake::{IntakeText, RoleText};
use tandem_domain::{ItemList, SignOff, SignOffRole, Status, StatusChangeError};

use super::dates::when_text;
use super::field_dom;
use super::intake::{new_item_id, role_field_id, text_field_id, NEW_STAGE_ID};
use super::people::use_me;
use crate::i18n::*;
use crate::pages::section_path;
use crate::presence::safe_name;
use crate::session::SessionHandle;

/// Where the scorecard's "add a criterion" field is, for the gate's link to it.
const NEW_CRITERION_ID: &str = "new-criterion";

/// Why the last status change asked for on this device did not happen.
#[derive(Clone, PartialEq)]
enum Refusal {
    /// The gate is closed; the refusal lists what is missing as it reads now, so it never
    /// names a part someone has filled in since.
    Gate,
    NotAllowed,
}

pub fn status_text(i18n: leptos_i18n::I18nContext<Locale>, status: Status) -> String {
    match status {
        Status::Draft => t_string!(i18n, status_draft),
        Status::Open => t_string!(i18n, status_open),
        Status::OnHold => t_string!(i18n, status_on_hold),
        Status::Filled => t_string!(i18n, status_filled),
        Status::Closed => t_string!(i18n, status_closed),
    }
    .to_string()
}

fn missing_text(i18n: leptos_i18n::I18nContext<Locale>, m: Missing) -> String {
    match m {
        Missing::RoleTitle => t_string!(i18n, missing_role_title),
        Missing::Profile => t_string!(i18n, missing_profile),
        Missing::MustHave => t_string!(i18n, missing_must_have),
        Missing::Stage => t_string!(i18n, missing_stage),
        Missing::ContactAgreements => t_string!(i18n, missing_contact_agreements),
        Missing::Criterion => t_string!(i18n, missing_criterion),
        Missing::SignOff(SignOffRole::Recruiter) => t_string!(i18n, missing_sign_off_recruiter),
        Missing::SignOff(SignOffRole::HiringManager) => {
            t_string!(i18n, missing_sign_off_hiring_manager)
        }
        Missing::SignOffStale(SignOffRole::Recruiter) => t_string!(i18n, stale_sign_off_recruiter),
        Missing::SignOffStale(SignOffRole::HiringManager) => {
            t_string!(i18n, stale_sign_off_hiring_manager)
        }
    }
    .to_string()
}

fn sign_off_button_id(role: SignOffRole) -> String {
    format!("sign-off-{}", role.as_str())
}

/// The element a missing part is filled in at, and the section it is in.
fn missing_target(m: Missing) -> (&'static str, String) {
    match m {
        Missing::RoleTitle => ("intake", role_field_id(RoleText::Title)),
        Missing::Profile => ("intake", text_field_id(IntakeText::Profile)),
        Missing::MustHave => ("intake", new_item_id(ItemList::MustHaves)),
        Missing::Stage => ("intake", NEW_STAGE_ID.to_string()),
        Missing::ContactAgreements => ("intake", text_field_id(IntakeText::ContactAgreements)),
        Missing::Criterion => ("scorecard", NEW_CRITERION_ID.to_string()),
        Missing::SignOff(role) | Missing::SignOffStale(role) => {
            ("intake", sign_off_button_id(role))
        }
    }
}

#[component]
pub fn GatePanel(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    // Sign-offs are given by the vacancy's people, each in their own role.
    let me = use_me();
    let (doc, locked) = session.with_value(|s| (s.doc, s.locked));
    let status = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Status);
            s.vacancy.borrow().status()
        })
    });
    // The gate reads the whole intake (is each required part filled in?): it re-runs on every
    // keystroke there, and stops here when what is missing stays the same.
    let missing = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Section(Section::Intake));
            s.track(Area::Section(Section::Scorecard));
            s.track(Area::Status);
            s.vacancy.borrow().gate().missing
        })
    });
    let sign_offs = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::SignOffs);
            s.vacancy.borrow().sign_offs()
        })
    });
    let read_only = Memo::new(move |_| locked.get());
    let refusal = RwSignal::new(None::<Refusal>);
    // Closing or filling ends the search for candidates: asked once more, in place.
    let confirming = RwSignal::new(None::<Status>);
    let needs_confirming = |to: Status| matches!(to, Status::Closed | Status::Filled);
    // A refusal answers one attempt; once the status moves on (here or on the partner's side)
    // it no longer applies.
    Effect::new(move |_| {
        status.track();
        refusal.set(None);
        confirming.set(None);
    });
    let navigate = use_navigate();

    let go_to = move |m: Missing| {
        let (section, id) = missing_target(m);
        if section == "intake" {
            field_dom::focus_element(&id);
        } else {
            navigate(&section_path(doc, section), Default::default());
            // The section renders on the next turn; focus its field once it is there.
            gloo_timers::callback::Timeout::new(50, move || field_dom::focus_element(&id)).forget();
        }
    };
    let missing_link = move |m: Missing| {
        let go_to = go_to.clone();
        let (_, id) = missing_target(m);
        view! {
            <li>
                <a href=format!("#{id}") on:click=move |ev| { ev.prevent_default(); go_to(m) }>
                    {move || missing_text(i18n, m)}
                </a>
            </li>
        }
    };

    let sign = move |role: SignOffRole| {
        let Some(me) = me.get_untracked() else { return };
        let now = js_sys::Date::now() as i64;
        let name = safe_name(&me.name);
        session
            .get_value()
            .edit(|v| v.sign_off_now(role, &me.id, &name, now).map(Some));
    };
    let may_sign = move |role: SignOffRole| {
        me.with(|m| m.as_ref().and_then(|m| m.role.sign_off_role()) == Some(role))
    };
    let change = move |to: Status| {
        let mut refused = None;
        session.get_value().edit(|v| match v.change_status(to) {
            Ok(change) => Ok((!change.is_empty()).then_some(change)),
            Err(StatusChangeError::Refused(StatusError::GateClosed(_))) => {
                refused = Some(Refusal::Gate);
                Ok(None)
            }
            Err(StatusChangeError::Refused(StatusError::NotAllowed { .. })) => {
                refused = Some(Refusal::NotAllowed);
                Ok(None)
            }
            Err(StatusChangeError::Domain(e)) => Err(e),
        });
        refusal.set(refused);
    };
    // Only the changes the vacancy's life allows from here are offered; opening is among them
    // while the gate is closed, and then says why it did not happen.
    let targets = move || {
        let from = status.get();
        Status::ALL
            .into_iter()
            .filter(|to| {
                *to != from && can_change_status(from, *to, &GateResult::default()).is_ok()
            })
            .collect::<Vec<_>>()
    };
    view! {
        <section class="gate" aria-labelledby="gate-heading">
            <h2 id="gate-heading">
                {t!(i18n, status)}": "
                <span class="status-chip" data-status=move || status.get().as_str()>{move || status_text(i18n, status.get())}</span>
            </h2>
            {move || {
                let list = missing.get();
                if list.is_empty() {
                    view! { <p class="gate-ok">{t!(i18n, gate_complete)}</p> }.into_any()
                } else {
                    view! {
                        <p class="gate-missing-intro">{t!(i18n, gate_missing)}</p>
                        <ul class="gate-missing">{list.into_iter().map(missing_link.clone()).collect_view()}</ul>
                    }.into_any()
                }
            }}
            <div class="sign-offs">
                {SignOffRole::ALL.into_iter().map(|role| {
                    let given = move || sign_offs.with(|list| list.iter().find(|s| s.role == role).cloned());
                    let stale = move || missing.with(|m| m.contains(&Missing::SignOffStale(role)));
                    view! {
                        <div class="sign-off" data-role=role.as_str()>
                            {move || given().filter(|s: &SignOff| !s.name.trim().is_empty()).map(|s| {
                                let at = s.at;
                                view! {
                                    <p class="signed" class:stale=stale>
                                        {move || match role {
                                            SignOffRole::Recruiter => t_string!(i18n, signed_recruiter),
                                            SignOffRole::HiringManager => t_string!(i18n, signed_hiring_manager),
                                        }}": "<strong>{s.name.clone()}</strong>", "{move || when_text(i18n, at)}
                                        <Show when=stale>
                                            " — "<em>{t!(i18n, sign_off_stale)}</em>
                                        </Show>
                                    </p>
                                }
                            })}
                            <Show when=move || may_sign(role) fallback=move || view! {
                                <Show when=move || given().is_none() || stale()>
                                    <p class="hint">{move || match role {
                                        SignOffRole::Recruiter => t_string!(i18n, sign_off_waiting_recruiter),
                                        SignOffRole::HiringManager => t_string!(i18n, sign_off_waiting_hiring_manager),
                                    }}</p>
                                </Show>
                            }>
                                <button type="button" id=sign_off_button_id(role)
                                    disabled=move || read_only.get()
                                    on:click=move |_| sign(role)>
                                    {move || match (role, stale()) {
                                        (SignOffRole::Recruiter, false) => t_string!(i18n, sign_off_recruiter),
                                        (SignOffRole::HiringManager, false) => t_string!(i18n, sign_off_hiring_manager),
                                        (SignOffRole::Recruiter, true) => t_string!(i18n, confirm_again_recruiter),
                                        (SignOffRole::HiringManager, true) => t_string!(i18n, confirm_again_hiring_manager),
                                    }}
                                </button>
                            </Show>
                        </div>
                    }
                }).collect_view()}
            </div>
            <div class="status-change">
                {move || targets().into_iter().map(|to| view! {
                    <button type="button" class="secondary" disabled=move || read_only.get()
                        aria-expanded=move || needs_confirming(to).then(|| (confirming.get() == Some(to)).to_string())
                        on:click=move |_| if needs_confirming(to) { confirming.set(Some(to)) } else { change(to) }>
                        {move || match to {
                            Status::Open => t_string!(i18n, set_open),
                            Status::OnHold => t_string!(i18n, set_on_hold),
                            Status::Filled => t_string!(i18n, set_filled),
                            Status::Closed => t_string!(i18n, set_closed),
                            Status::Draft => t_string!(i18n, status_draft),
                        }}
                    </button>
                }).collect_view()}
            </div>
            {move || confirming.get().map(|to| view! {
                <div class="banner confirm" role="alert">
                    <p>{move || match to {
                        Status::Filled => t_string!(i18n, confirm_filled),
                        _ => t_string!(i18n, confirm_closed),
                    }}</p>
                    <div class="confirm-actions">
                        <button type="button" class="danger" on:click=move |_| { confirming.set(None); change(to) }>
                            {move || match to {
                                Status::Filled => t_string!(i18n, confirm_filled_yes),
                                _ => t_string!(i18n, confirm_closed_yes),
                            }}
                        </button>
                        <button type="button" class="secondary" on:click=move |_| confirming.set(None)>{t!(i18n, cancel)}</button>
                    </div>
                </div>
            })}
            {move || refusal.get().map(|r| match r {
                Refusal::Gate => view! {
                    <Show when=move || missing.with(|m| !m.is_empty())>
                        <div class="banner error refusal" role="alert">
                            <p>{t!(i18n, open_refused)}</p>
                            <ul>{move || missing.get().into_iter().map(|m| view! { <li>{move || missing_text(i18n, m)}</li> }).collect_view()}</ul>
                        </div>
                    </Show>
                }.into_any(),
                Refusal::NotAllowed => view! {
                    <p class="banner error refusal" role="alert">{t!(i18n, status_not_allowed)}</p>
                }.into_any(),
            })}
        </section>
    }
}
