//! The first open of a vacancy on this device: who shared it and what it is, what is asked of
//! this person, that the others see each keystroke, and their name and role. Only then the page.
//!
//! The person who starts a vacancy sees it too (there is nobody to name as having shared it):
//! their partner should see a name and a role, not "Guest".

use leptos::prelude::*;
use tandem_domain::{Person, Role, Status};

use super::people::{display_name, role_text, PersonForm};
use crate::device::use_device;
use crate::i18n::*;
use crate::session::SessionHandle;

/// The role a newcomer most likely has: the one the vacancy still lacks.
fn likely_role(people: &[Person]) -> Role {
    let has = |role| people.iter().any(|p| p.role == role);
    if people.is_empty() {
        Role::Recruiter
    } else if !has(Role::HiringManager) {
        Role::HiringManager
    } else if !has(Role::Recruiter) {
        Role::Recruiter
    } else {
        Role::Interviewer
    }
}

/// Who shared the vacancy: the first person in it, the one who started it.
fn sharer(people: &[Person]) -> Option<&Person> {
    people.first()
}

#[component]
pub fn Welcome(session: SessionHandle) -> impl IntoView {
    let i18n = use_i18n();
    // Read once: the welcome describes the vacancy as it was found, and its form must not be
    // re-rendered (and lose what was typed) when a partner types elsewhere.
    let (people, title, status, owned) = session.with_value(|s| {
        let v = s.vacancy.borrow();
        (v.people(), v.title(), v.status(), s.owner.is_some())
    });
    // Closures, so a language switch on the welcome changes every line of it.
    let title = move || {
        if title.trim().is_empty() {
            t_string!(i18n, untitled).to_string()
        } else {
            title.clone()
        }
    };
    let profile_name = use_device().profile.get_untracked().name;
    let role = likely_role(&people);
    // A device that holds the owner secret made this document (an import, or the creator's own
    // device restored from a backup): nobody invited its user, whoever is listed first.
    let heading = match sharer(&people).filter(|_| !owned) {
        Some(p) => {
            let (name, their_role) = (display_name(i18n, p), p.role);
            let title = title.clone();
            let sharer_name = name.clone();
            // Mid-sentence, a role reads in lower case in both languages.
            let their_role = move || role_text(i18n, their_role).to_lowercase();
            view! {
                <h1 id="welcome-heading">{t!(i18n, welcome_invited, name = move || name.clone(), title)}</h1>
                <p>{t!(i18n, welcome_sharer_role, name = move || sharer_name.clone(), role = their_role)}</p>
            }
            .into_any()
        }
        None => {
            let title = title.clone();
            view! {
                <h1 id="welcome-heading">{t!(i18n, welcome_new, title)}</h1>
            }
            .into_any()
        }
    };
    let stage = move || match status {
        Status::Draft => t_string!(i18n, welcome_status_draft),
        Status::Open => t_string!(i18n, welcome_status_open),
        _ => t_string!(i18n, welcome_status_other),
    };

    view! {
        <section class="welcome card" aria-labelledby="welcome-heading">
            {heading}
            <p>{t!(i18n, welcome_what)}" "{stage}</p>
            <p class="hint live-hint">{t!(i18n, welcome_live)}</p>
            <h2>{t!(i18n, welcome_who)}</h2>
            <PersonForm session initial=profile_name role
                submit_label=Signal::derive(move || t_string!(i18n, welcome_continue).to_string())
                on_done=Callback::new(|_| {
                    // The page replaces the welcome; it starts at its top, not where the
                    // welcome's button was.
                    if let Some(w) = web_sys::window() {
                        w.scroll_to_with_x_and_y(0.0, 0.0);
                    }
                }) />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_domain::PersonId;

    fn person(role: Role) -> Person {
        Person {
            id: PersonId(format!("{role:?}")),
            name: String::new(),
            role,
            colour: String::new(),
            joined_at: 0,
        }
    }

    #[test]
    fn a_newcomer_is_offered_the_role_the_vacancy_still_lacks() {
        assert_eq!(likely_role(&[]), Role::Recruiter);
        assert_eq!(likely_role(&[person(Role::Recruiter)]), Role::HiringManager);
        assert_eq!(likely_role(&[person(Role::HiringManager)]), Role::Recruiter);
        assert_eq!(
            likely_role(&[person(Role::Recruiter), person(Role::HiringManager)]),
            Role::Interviewer
        );
        assert_eq!(
            likely_role(&[person(Role::Interviewer)]),
            Role::HiringManager,
            "an interviewer alone still leaves both partners to come"
        );
    }
}
