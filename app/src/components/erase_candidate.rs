//! Erasing a candidate for good, and following a vacancy that moved because of it.
//!
//! - [`EraseCandidate`], on a candidate's page: for the vacancy's creator, the way to erase
//!   the candidate with their history (see `crate::moving`); it explains the difference with
//!   removing, says what cannot be erased and where the name is still typed, and asks for the
//!   name before it starts. Everyone else reads who can do it.
//! - [`FollowMove`], on every vacancy page: once the relay says the vacancy moved, it follows
//!   to the new link, says so in a toast, and opens the vacancy there.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use tandem_domain::CandidateId;

use super::toast::use_toasts;
use crate::attachments::download::MemoError;
use crate::i18n::*;
use crate::moving::{self, EraseRefusal, FollowError};
use crate::pages::{section_path, vacancy_path};
use crate::problem::Problem;
use crate::session::SessionHandle;

/// The name of a top-level part of the vacancy, as [`tandem_domain::erasure`] names them.
fn section_name(i18n: leptos_i18n::I18nContext<Locale>, key: &str) -> &'static str {
    match key {
        "vacancy" => t_string!(i18n, title_label),
        "people" => t_string!(i18n, people_heading),
        "intake" => t_string!(i18n, intake),
        "scorecard" => t_string!(i18n, scorecard),
        "candidates" => t_string!(i18n, erase_other_candidates),
        "interviews" => t_string!(i18n, interviews_heading),
        "feedback" => t_string!(i18n, feedback_heading),
        "checkins" => t_string!(i18n, checkin),
        "decisions" => t_string!(i18n, decisions_heading),
        _ => t_string!(i18n, planning),
    }
}

#[component]
pub fn EraseCandidate(
    session: SessionHandle,
    id: StoredValue<CandidateId>,
    read_only: Memo<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let s = session.get_value();
    if !s.is_creator() {
        return view! { <p class="hint erase-who">{t!(i18n, erase_not_creator)}</p> }.into_any();
    }
    let (version, erasing) = (s.version, s.erasing);
    let name = Memo::new(move |_| {
        version.track();
        session.with_value(|s| {
            s.vacancy
                .borrow()
                .candidate(&id.get_value())
                .map(|c| c.name.trim().to_string())
                .unwrap_or_default()
        })
    });
    let mentions = Memo::new(move |_| {
        version.track();
        session.with_value(|s| {
            s.vacancy
                .borrow()
                .mentions(&id.get_value())
                .unwrap_or_default()
        })
    });
    let asking = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let refusal = RwSignal::new(None::<String>);
    let confirmed = move || typed.with(|t| t.trim().eq_ignore_ascii_case(&name.get()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !confirmed() || erasing.get_untracked() {
            return;
        }
        refusal.set(None);
        spawn_local(async move {
            let s = session.get_value();
            if let Err(e) = moving::start_erase(&s, &id.get_value()).await {
                let text = match e {
                    EraseRefusal::NotCreator => t_string!(i18n, erase_not_creator).to_string(),
                    EraseRefusal::Offline => t_string!(i18n, erase_offline).to_string(),
                    EraseRefusal::Unsent => t_string!(i18n, erase_unsent).to_string(),
                    EraseRefusal::Memo(MemoError::Offline) => {
                        t_string!(i18n, erase_offline).to_string()
                    }
                    EraseRefusal::Memo(MemoError::NotUploaded) => {
                        t_string!(i18n, erase_memo_not_sent).to_string()
                    }
                    EraseRefusal::Memo(MemoError::CannotOpen) => {
                        t_string!(i18n, erase_memo_unreadable).to_string()
                    }
                    EraseRefusal::Storage(e) => Problem::from(&e).text(i18n),
                };
                refusal.set(Some(text));
            }
        });
    };
    view! {
        <section class="erase-candidate" aria-labelledby="erase-heading">
            <Show when=move || asking.get()
                fallback=move || view! {
                    <button type="button" class="secondary danger-text" disabled=move || read_only.get()
                        on:click=move |_| asking.set(true)>{t!(i18n, erase_button)}</button>
                }>
                <h3 id="erase-heading">{t!(i18n, erase_heading, name = move || name.get())}</h3>
                <p>{t!(i18n, erase_intro, name = move || name.get())}</p>
                <p class="hint">{t!(i18n, delete_everyone_cannot)}</p>
                <Show when=move || !mentions.with(Vec::is_empty)>
                    <p class="banner warn" role="note">
                        {t!(i18n, erase_mentions, name = move || name.get(), places = move || {
                            mentions.get().iter().map(|k| section_name(i18n, k)).collect::<Vec<_>>().join(", ")
                        })}
                    </p>
                </Show>
                <form class="erase-confirm" on:submit=submit>
                    <label for="erase-name">{t!(i18n, erase_confirm_label)}</label>
                    <input id="erase-name" type="text" autocomplete="off" spellcheck="false"
                        prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev)) />
                    <div class="erase-actions">
                        <button type="submit" class="danger-solid" disabled=move || !confirmed() || erasing.get()>
                            {move || if erasing.get() {
                                t_string!(i18n, erase_busy)
                            } else {
                                t_string!(i18n, erase_confirm_button)
                            }}
                        </button>
                        <button type="button" class="secondary" on:click=move |_| {
                            asking.set(false);
                            typed.set(String::new());
                            refusal.set(None);
                        }>{t!(i18n, cancel)}</button>
                    </div>
                </form>
                <Show when=move || refusal.with(Option::is_some)>
                    <p class="banner error" role="alert">{move || refusal.get()}</p>
                </Show>
            </Show>
        </section>
    }
    .into_any()
}

/// Follows the vacancy once it moved; renders nothing, or what went wrong.
#[component]
pub fn FollowMove(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let moved = session.with_value(|s| s.moved);
    let failed = RwSignal::new(None::<String>);
    let navigate = StoredValue::new_local(use_navigate());
    Effect::new(move |_| {
        let Some(to) = moved.get() else { return };
        spawn_local(async move {
            let s = session.get_value();
            match moving::follow(&s, &to).await {
                Ok(followed) => {
                    let (here, lost) = (followed.erased_here, followed.unsent_left_behind);
                    toasts.notice(move || {
                        let told = if here {
                            t_string!(i18n, moved_erased_here)
                        } else {
                            t_string!(i18n, moved_followed)
                        };
                        let lost = lost.then(|| t_string!(i18n, moved_unsent_lost));
                        view! { <span>{told}" "{lost}</span> }.into_any()
                    });
                    // Listed, the new link is on this device and the address needs no secret.
                    let listed = s.storage.as_ref().is_some_and(|st| st.is_listed());
                    let path = match (listed, here) {
                        (true, true) => section_path(followed.link.doc, "candidates"),
                        (true, false) => vacancy_path(followed.link.doc),
                        (false, _) => followed.link.path(),
                    };
                    // Last: leaving the page disposes this component and the old session's
                    // signals, so nothing here may touch them afterwards.
                    let navigate = navigate.get_value();
                    navigate(&path, Default::default());
                }
                Err(FollowError::Storage(e)) => failed.set(Some(Problem::from(&e).text(i18n))),
                Err(FollowError::Copy(e)) => failed.set(Some(e.to_string())),
            }
        });
    });
    view! {
        <Show when=move || failed.with(Option::is_some)>
            <p class="banner error" role="alert">
                {t!(i18n, moved_failed)}" "{move || failed.get()}
            </p>
        </Show>
    }
}
