//! Tells this person what a partner just did that matters: removed something ("Sanne removed
//! the criterion ‘Rust’"), signed the intake off, submitted feedback. The session collects the
//! news as changes arrive (see `notices`); this shows each as a toast, whose region is the
//! page's `aria-live="polite"` region, so a screen reader hears it too.

use leptos::prelude::*;
use tandem_domain::deadlines::NaiveDate;

use super::dates::date_text;
use super::toast::use_toasts;
use crate::i18n::*;
use crate::notices::{Kind, News};
use crate::session::SessionHandle;

#[component]
pub fn PartnerNotices(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let news = session.with_value(|s| s.news);
    Effect::new(move |_| {
        if news.with(Vec::is_empty) {
            return;
        }
        let told = news.try_update(std::mem::take).unwrap_or_default();
        for item in told {
            toasts.notice(move || text(i18n, &item).into_any());
        }
    });
}

/// The notice's words; a partner the changes do not name is "someone".
fn text(i18n: leptos_i18n::I18nContext<Locale>, news: &News) -> impl IntoView {
    let someone = move || t_string!(i18n, notice_someone).to_string();
    match news.clone() {
        News::Removed { by, kind, name } => {
            let who = if by.is_empty() {
                someone()
            } else {
                by.join(", ")
            };
            let what = match kind {
                Kind::Checkin => NaiveDate::parse_from_str(&name, "%Y-%m-%d")
                    .map(|d| date_text(i18n, d, false))
                    .unwrap_or(name),
                _ => name,
            };
            let (who, what) = (move || who.clone(), move || what.clone());
            match kind {
                Kind::Criterion => {
                    t!(i18n, notice_removed_criterion, name = who, item = what).into_any()
                }
                Kind::Candidate => {
                    t!(i18n, notice_removed_candidate, name = who, item = what).into_any()
                }
                Kind::Item => t!(i18n, notice_removed_item, name = who, item = what).into_any(),
                Kind::Checkin => {
                    t!(i18n, notice_removed_checkin, name = who, item = what).into_any()
                }
            }
        }
        News::SignedOff { name } => {
            let who = if name.trim().is_empty() {
                someone()
            } else {
                name
            };
            t!(i18n, notice_signed_off, name = move || who.clone()).into_any()
        }
        News::Feedback { name, candidate } => {
            let who = if name.trim().is_empty() {
                someone()
            } else {
                name
            };
            t!(
                i18n,
                notice_feedback,
                name = move || who.clone(),
                item = move || candidate.clone()
            )
            .into_any()
        }
    }
}
