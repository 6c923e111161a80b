//! How the partnership is doing: per person how quickly feedback follows an interview, per
//! stage how long candidates stay in it. Plain numbers, the same for both partners, shown under
//! the comparison and in the weekly check-in; written to talk about, not to blame.
//!
//! The numbers are `Vacancy::partnership`; this view puts them into sentences. It is made again
//! at each change to the document and once a minute, since feedback turns overdue by itself.

use leptos::prelude::*;
use tandem_domain::{FeedbackPace, PersonId, StagePace};

use super::checkin::ticking_now;
use super::dates::offset_east;
use super::people::display_name;
use crate::i18n::*;
use crate::session::SessionHandle;

type I18n = leptos_i18n::I18nContext<Locale>;

const EVERY_MS: u32 = 60_000;

/// What the section shows, with names already looked up.
#[derive(Clone, PartialEq)]
struct Pace {
    people: Vec<(String, FeedbackPace)>,
    stages: Vec<(String, StagePace)>,
    /// The agreement: feedback within this many working hours.
    within_hours: u32,
}

/// "1 working hour", "3 working hours" (the number comes first in both languages).
fn working_hours(i18n: I18n, n: i64) -> String {
    let unit = match n {
        1 => t_string!(i18n, pace_unit_working_hour),
        _ => t_string!(i18n, pace_unit_working_hours),
    };
    format!("{n} {unit}")
}

/// A median working time, rounded up to what it stayed within: "an hour", "3 working hours".
fn median_text(i18n: I18n, minutes: i64) -> String {
    if minutes <= 60 {
        t_string!(i18n, pace_within_the_hour).to_string()
    } else {
        working_hours(i18n, (minutes + 59) / 60)
    }
}

/// A stay in calendar time: "less than an hour", "5 hours", "4 days".
fn stay_text(i18n: I18n, ms: i64) -> String {
    let hours = ms / 3_600_000;
    match hours {
        0 => t_string!(i18n, pace_under_an_hour).to_string(),
        1 => format!("1 {}", t_string!(i18n, pace_unit_hour)),
        2..=47 => format!("{hours} {}", t_string!(i18n, pace_unit_hours)),
        _ => format!("{} {}", (hours + 12) / 24, t_string!(i18n, pace_unit_days)),
    }
}

#[component]
pub fn PartnershipSection(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    let version = session.with_value(|s| s.version);
    let now = ticking_now(EVERY_MS);
    let pace = Memo::new(move |_| {
        version.track();
        let now = now.get();
        session.with_value(|s| {
            let v = s.vacancy.borrow();
            let p = v.partnership(now, offset_east());
            let people = v.people();
            let name = |id: &PersonId| {
                people
                    .iter()
                    .find(|p| &p.id == id)
                    .map(|p| display_name(i18n, p))
                    .unwrap_or_else(|| t_string!(i18n, owner_unknown).to_string())
            };
            let stages = v.stages();
            let stage_name = |id: &tandem_domain::StageId| {
                stages
                    .iter()
                    .find(|s| &s.id == id)
                    .map(|s| s.name.trim().to_string())
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| t_string!(i18n, pipeline_unnamed_stage).to_string())
            };
            Pace {
                people: p.people.into_iter().map(|f| (name(&f.person), f)).collect(),
                stages: p
                    .stages
                    .into_iter()
                    .map(|s| (stage_name(&s.stage), s))
                    .collect(),
                within_hours: v.agreements().feedback_within_hours,
            }
        })
    });
    let nothing = move || {
        pace.with(|p| {
            p.people.is_empty() && p.stages.iter().all(|s| s.1.stays == 0 && s.1.now_in == 0)
        })
    };

    let people = move || {
        let p = pace.get();
        let agreed = working_hours(i18n, i64::from(p.within_hours));
        p.people
            .into_iter()
            .map(|(name, f)| {
                let agreed = agreed.clone();
                let timing = match f.median_minutes {
                    Some(m) if f.submitted > 0 => {
                        let usual = median_text(i18n, m);
                        let (on_time, submitted) = (f.on_time, f.submitted);
                        view! {
                            {t!(i18n, pace_person_feedback, usual = move || usual.clone(), on_time = move || on_time, submitted = move || submitted, agreed = move || agreed.clone())}
                        }
                        .into_any()
                    }
                    _ => view! { {t!(i18n, pace_person_none)} }.into_any(),
                };
                let overdue = f.overdue;
                view! {
                    <li class="pace-person">
                        <strong>{name}</strong>": "{timing}
                        {(overdue > 0).then(|| view! {
                            " "<span class="chip" data-state="overdue">{t!(i18n, pace_overdue_now, n = move || overdue)}</span>
                        })}
                    </li>
                }
            })
            .collect_view()
    };
    let stages = move || {
        pace.get()
            .stages
            .into_iter()
            .map(|(name, s)| {
                let now_in = s.now_in;
                let stay = match s.median_ms {
                    Some(ms) if s.stays > 0 => {
                        let usual = stay_text(i18n, ms);
                        let stays = s.stays;
                        view! { {t!(i18n, pace_stage_stay, usual = move || usual.clone(), n = move || stays)} }
                            .into_any()
                    }
                    _ => view! { {t!(i18n, pace_stage_none)} }.into_any(),
                };
                view! {
                    <li class="pace-stage">
                        <strong>{name}</strong>": "{stay}"; "{t!(i18n, pace_stage_now, n = move || now_in)}
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <section class="partnership" aria-labelledby="partnership-heading">
            <h2 id="partnership-heading">{t!(i18n, pace_heading)}</h2>
            <Show when=nothing
                fallback=move || view! {
                    <p class="hint">{t!(i18n, pace_hint)}</p>
                    <Show when=move || pace.with(|p| !p.people.is_empty())>
                        <h3>{t!(i18n, pace_people_heading)}</h3>
                        <ul class="pace-list">{people}</ul>
                    </Show>
                    <Show when=move || pace.with(|p| !p.stages.is_empty())>
                        <h3>{t!(i18n, pace_stages_heading)}</h3>
                        <ul class="pace-list">{stages}</ul>
                    </Show>
                }>
                <p class="empty">{t!(i18n, pace_empty)}</p>
            </Show>
        </section>
    }
}
