//! While a vacancy is open: a notice when one of its dated items becomes overdue.
//!
//! No server of ours sends reminders, so the open page watches for itself: it reads the agenda's
//! overdue items on every change to the document and every 30 seconds (a deadline passes without
//! anyone editing). What was already overdue when the page opened is one calm line; an item that
//! turns overdue while the page is open is an alert naming it. Each item is announced once per
//! opening of the page, so the notice never nags, and nothing asks for the browser's permission
//! to notify.

use std::collections::HashSet;

use leptos::prelude::*;
use tandem_domain::agenda::Entry;
use tandem_domain::changes::{Area, Section};
use tandem_domain::deadlines::Kind;
use tandem_domain::{CandidateId, InterviewId};
use tandem_protocol::DocId;

use super::checkin::{kind_text, shown_title};
use super::dates::local_now;
use crate::i18n::*;
use crate::pages::{candidate_path, interview_path, section_path};
use crate::session::{Availability, SessionHandle};

/// How often the page looks again while nobody edits.
const CHECK_EVERY_MS: u32 = 30_000;

/// What identifies an item across checks: its kind and its id in the document.
fn item_key(e: &Entry) -> String {
    format!("{:?}:{}", e.item.kind, e.item.id)
}

/// Where an item is dealt with: feedback in its form, a decision on the candidate's page, the
/// rest in Planning.
fn item_place(doc: DocId, e: &Entry) -> String {
    match e.item.kind {
        Kind::Feedback => {
            let interview = e.item.id.split('/').next().unwrap_or_default();
            // `?feedback` opens the page at the form, as the nudge links do.
            format!(
                "{}?feedback",
                interview_path(doc, &InterviewId(interview.to_string()))
            )
        }
        Kind::Decision => candidate_path(doc, &CandidateId(e.item.id.clone())),
        Kind::StageTarget | Kind::Action => section_path(doc, "planning"),
    }
}

/// How an alert names an item: feedback and decisions carry a candidate's name, so they say
/// what about the candidate is overdue.
fn item_title(i18n: leptos_i18n::I18nContext<Locale>, e: &Entry) -> String {
    let title = shown_title(i18n, &e.item.title);
    match e.item.kind {
        Kind::Feedback | Kind::Decision => format!("{}: {title}", kind_text(i18n, e.item.kind)),
        Kind::StageTarget | Kind::Action => title,
    }
}

/// The sections the overdue items are read from (and the stages, from the intake).
const OVERDUE_FROM: [Section; 8] = [
    Section::People,
    Section::Agreements,
    Section::Planning,
    Section::Candidates,
    Section::Interviews,
    Section::Feedback,
    Section::Checkins,
    Section::Decisions,
];

#[component]
pub fn OverdueNotice(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    let s = session.get_value();
    let (availability, doc) = (s.availability, s.doc);
    let tick = RwSignal::new(0u32);
    let interval =
        gloo_timers::callback::Interval::new(CHECK_EVERY_MS, move || tick.update(|t| *t += 1));
    let kept = StoredValue::new_local(Some(interval));
    on_cleanup(move || kept.update_value(|i| drop(i.take())));

    // Every item announced (or counted at opening) since the page opened.
    let seen = StoredValue::new(None::<HashSet<String>>);
    // What is overdue now, by key; the notices show only what still is.
    let overdue_now = RwSignal::new(Vec::<(String, String, String)>::new());
    // Overdue already when the page opened; the calm line counts those still overdue.
    let at_open = RwSignal::new(HashSet::<String>::new());
    let calm_dismissed = RwSignal::new(false);
    // Items that turned overdue while the page was open, oldest announcement first.
    let fresh = RwSignal::new(Vec::<String>::new());

    Effect::new(move |_| {
        // What the agenda is made of: everything dated, the stages and where candidates are;
        // not the intake's and the scorecard's texts, so typing there leaves this alone.
        session.with_value(|s| {
            for section in OVERDUE_FROM {
                s.track(Area::Section(section));
            }
            s.track(Area::Stages);
            s.track(Area::Status);
        });
        tick.track();
        // Before the document is here, nothing is overdue: that is no reason to announce.
        if availability.get() != Availability::Ready {
            return;
        }
        let overdue = session.with_value(|s| s.vacancy.borrow().agenda(local_now()).overdue);
        let keyed: Vec<(String, String, String)> = overdue
            .iter()
            .map(|e| (item_key(e), item_title(i18n, e), item_place(doc, e)))
            .collect();
        let mut newly = Vec::new();
        seen.update_value(|seen| match seen {
            None => {
                let first: HashSet<String> = keyed.iter().map(|(k, _, _)| k.clone()).collect();
                at_open.set(first.clone());
                *seen = Some(first);
            }
            Some(seen) => {
                for (key, _, _) in &keyed {
                    if seen.insert(key.clone()) {
                        newly.push(key.clone());
                    }
                }
            }
        });
        if overdue_now.get_untracked() != keyed {
            overdue_now.set(keyed);
        }
        if !newly.is_empty() {
            fresh.update(|f| f.extend(newly));
        }
    });

    let planning = StoredValue::new(section_path(doc, "planning"));
    let calm_count = move || {
        at_open.with(|open| {
            overdue_now.with(|now| now.iter().filter(|(k, _, _)| open.contains(k)).count())
        })
    };
    // The fresh items still overdue, with the title they have now.
    let alerts = move || {
        fresh.with(|f| {
            overdue_now.with(|now| {
                f.iter()
                    .filter_map(|key| now.iter().find(|(k, _, _)| k == key).cloned())
                    .collect::<Vec<_>>()
            })
        })
    };
    let show_calm = move || !calm_dismissed.get() && calm_count() > 0;
    let dismiss = move |key: String| fresh.update(|f| f.retain(|k| *k != key));

    view! {
        <div class="overdue-notices">
            {move || alerts().into_iter().map(|(key, title, place)| view! {
                <div class="overdue-notice" role="alert">
                    <p>
                        <strong>{t!(i18n, overdue_notice_label)}": "</strong>
                        {t!(i18n, overdue_now, title = move || title.clone())}
                    </p>
                    <div class="notice-actions">
                        <a href=place.clone()>{if place == planning.get_value() {
                            t_string!(i18n, overdue_see_planning)
                        } else {
                            t_string!(i18n, overdue_open)
                        }}" →"</a>
                        <button type="button" class="secondary" on:click=move |_| dismiss(key.clone())>
                            {t!(i18n, dismiss)}
                        </button>
                    </div>
                </div>
            }).collect_view()}
            <Show when=show_calm>
                <div class="overdue-calm" role="status">
                    <p>{move || match calm_count() {
                        1 => t!(i18n, overdue_on_open_single).into_any(),
                        _ => t!(i18n, overdue_on_open_many, count = calm_count).into_any(),
                    }}</p>
                    <div class="notice-actions">
                        <a href=planning.get_value()>{move || if calm_count() == 1 {
                            t_string!(i18n, overdue_see_planning)
                        } else {
                            t_string!(i18n, overdue_see_all)
                        }}" →"</a>
                        <button type="button" class="secondary" on:click=move |_| calm_dismissed.set(true)>
                            {t!(i18n, dismiss)}
                        </button>
                    </div>
                </div>
            </Show>
        </div>
    }
}
