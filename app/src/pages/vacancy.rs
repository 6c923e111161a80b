//! The vacancy page: title, share link, presence, sync state, and its sections (intake,
//! scorecard, candidates, planning, check-in), each at its own address under the vacancy; under
//! Candidates also a candidate, an interview (kit and feedback) and the comparison.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local_scoped;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use tandem_domain::changes::Area;
use tandem_domain::{CandidateId, InterviewId, Status, TextField};
use tandem_protocol::{DocId, LinkError, ShareLink};

use crate::components::{
    candidate_page::CandidatePage, candidates::CandidatesSection, checkin::CheckinSection,
    comparison::ComparisonPage, delete_vacancy::DeletedNotice, erase_candidate::FollowMove,
    gate_panel::GatePanel, intake::IntakeEditor, interview_page::InterviewPage,
    live_text::LiveText, overdue_notice::OverdueNotice, partner_notices::PartnerNotices,
    people::provide_me, people::PeopleList, planning::PlanningSection, presence_bar::PresenceBar,
    scorecard::ScorecardEditor, share_box::ShareBox, sync_status::SyncStatus,
    vacancy_data::VacancyData, vacancy_report::VacancyReport, welcome::Welcome,
};
use crate::device::{use_device, StoreState};
use crate::i18n::*;
use crate::pages::{section_path, vacancy_path};
use crate::problem::link_error_text;
use crate::pwa::use_pwa;
use crate::session::{Availability, Session, SessionHandle};

#[component]
pub fn VacancyPage() -> impl IntoView {
    let params = use_params_map();
    let section = Memo::new(move |_| params.with(|p| p.get("section")));
    let item = Memo::new(move |_| params.with(|p| p.get("item")));
    let vacancy_id = Memo::new(move |_| params.with(|p| p.get("id")));
    // One vacancy per `OpenVacancy`: another id in the address (a vacancy that moved, a link
    // to another one) makes a new one, so nothing of the previous vacancy (its session, its
    // signals, its effects) outlives the switch or sees the next one.
    move || {
        vacancy_id
            .get()
            .map(|id| view! { <OpenVacancy id section item /> })
    }
}

/// Opens the vacancy `id` from this device's storage (or its link) and shows it; closes it when
/// it goes.
#[component]
fn OpenVacancy(
    id: String,
    section: Memo<Option<String>>,
    item: Memo<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let device = StoredValue::new_local(use_device());
    let pwa = use_pwa();
    let store_state = device.with_value(|d| d.store_state);
    let session = RwSignal::new(None::<SessionHandle>);
    let error = RwSignal::new(None::<String>);
    // The open session, for closing it at the end: owned by this component, as the handle in
    // `session` is not (it is made in the task below, and disposed before this cleanup runs).
    let open = StoredValue::new_local(None::<Rc<Session>>);

    // Open the vacancy once storage is ready.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        if store_state.get() == StoreState::Opening {
            // Nothing opened yet: the run after "ready" opens it.
            return false;
        }
        let doc = id.clone();
        // Scoped to this page, so the session's signals are disposed with it.
        spawn_local_scoped(async move {
            let device = device.get_value();
            let record = match device.store() {
                Some(store) => store.vacancy(&doc).await.ok().flatten(),
                None => None,
            };
            // A vacancy this device already has opens with the link that is known to work,
            // whatever the address says: a bookmark without '#…' or a mistyped link must not
            // replace it.
            let link = match &record {
                Some(r) => Ok(r.link.clone()),
                None => {
                    let hash = web_sys::window()
                        .and_then(|w| w.location().hash().ok())
                        .unwrap_or_default();
                    ShareLink::from_parts(&doc, &hash)
                }
            };
            match link {
                Ok(link) => {
                    let s = Session::open(device, link, record).await;
                    open.set_value(Some(Rc::clone(&s)));
                    session.set(Some(StoredValue::new_local(s)));
                    // Now there is something worth keeping on this device.
                    pwa.ask_persistent_storage();
                }
                // The address this app leaves once a vacancy is stored: of no use on a
                // device that does not have it, which should say what to do instead.
                Err(LinkError::NoSecret) => {
                    error.set(Some(t_string!(i18n, link_not_on_device).to_string()))
                }
                Err(e) => error.set(Some(link_error_text(i18n, &e))),
            }
        });
        true
    });
    on_cleanup(move || {
        if let Some(s) = open.try_update_value(Option::take).flatten() {
            s.close();
        }
    });

    view! {
        <nav><A href="/">{"← "}{t!(i18n, back_home)}</A></nav>
        {move || {
            if let Some(e) = error.get() {
                return view! {
                    <section class="banner error" role="alert">
                        <h1>{t!(i18n, bad_link)}</h1>
                        <p>{e}</p>
                    </section>
                }.into_any();
            }
            match session.get() {
                None => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                Some(s) => view! { <VacancyView session=s section item /> }.into_any(),
            }
        }}
    }
}

/// The sections of a vacancy, in the order of the section bar.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Intake,
    Scorecard,
    Candidates,
    Planning,
    Checkin,
    /// The vacancy's data: export, report, removal. Not in the section bar: a link at the
    /// bottom of the page leads there.
    Data,
    /// The printable report, reached from the data page.
    Report,
}

impl Section {
    const ALL: [Section; 5] = [
        Section::Intake,
        Section::Scorecard,
        Section::Candidates,
        Section::Planning,
        Section::Checkin,
    ];

    fn key(self) -> &'static str {
        match self {
            Section::Intake => "intake",
            Section::Scorecard => "scorecard",
            Section::Candidates => "candidates",
            Section::Planning => "planning",
            Section::Checkin => "checkin",
            Section::Data => "data",
            Section::Report => "report",
        }
    }

    /// The section the address names; `None` in the address is the vacancy's own address,
    /// which opens where the work is: the intake while the vacancy is a draft (no intake, no
    /// vacancy), the scorecard once it is past that.
    fn from_address(section: Option<&str>, status: Status) -> Option<Section> {
        match section {
            None if status == Status::Draft => Some(Section::Intake),
            None => Some(Section::Scorecard),
            // An interview and the comparison belong with the candidates.
            Some("interview" | "compare") => Some(Section::Candidates),
            Some("data") => Some(Section::Data),
            Some("report") => Some(Section::Report),
            Some(key) => Section::ALL.into_iter().find(|s| s.key() == key),
        }
    }
}

#[component]
fn VacancyView(
    session: SessionHandle,
    section: Memo<Option<String>>,
    item: Memo<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let s = session.get_value();
    let (availability, problem, locked) = (s.availability, s.problem, s.locked);
    let (sync, peers, deleted) = (s.sync, s.peers, s.deleted);
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let link = s.link.to_url(&origin);
    // Partners see this device's name and colour as soon as it changes them.
    let profile = use_device().profile;
    Effect::new(move |_| {
        profile.track();
        session.with_value(|s| s.announce());
    });
    // The tab shows which vacancy it holds, which helps with several open.
    let title = Memo::new(move |_| {
        session.with_value(|s| {
            s.track(Area::Text(TextField::Title));
            s.vacancy.borrow().title()
        })
    });
    Effect::new(move |_| {
        let title = title.get();
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&if title.trim().is_empty() {
                "Tandem".to_string()
            } else {
                format!("{title} · Tandem")
            });
        }
    });
    on_cleanup(|| {
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title("Tandem");
        }
    });
    let heading = move || {
        let title = title.get();
        if title.trim().is_empty() {
            t_string!(i18n, untitled).to_string()
        } else {
            title
        }
    };
    // Once this device keeps the link, the secret leaves the address bar and the history.
    let link_kept = s.link_kept;
    let doc = s.doc;
    Effect::new(move |_| {
        if link_kept.get() {
            drop_secret_from_address(doc);
        }
    });
    // Only a change of what is shown re-renders the page below, not every status update.
    let shown = Memo::new(move |_| availability.get());
    // Someone who has not said who they are in this vacancy gets the welcome first; a document
    // this app may not edit (a newer app's) cannot take their entry, so it is shown as it is.
    let me = provide_me(session);
    let welcome = Memo::new(move |_| me.with(|m| m.is_none()) && !locked.get());
    // The page with its section bar (the vacancy itself, not the welcome or a wait).
    let with_bar = Memo::new(move |_| shown.get() == Availability::Ready && !welcome.get());
    // The vacancy's own address picks its section once, from the status when the vacancy is
    // first shown: opening the vacancy must not swap the page under the person who opened it.
    let landing = StoredValue::new(None::<Section>);
    let current = Memo::new(move |_| {
        let key = section.get();
        if key.is_none() {
            if let Some(s) = landing.get_value() {
                return Some(s);
            }
        }
        let status = session.with_value(|s| s.vacancy.borrow().status());
        let found = Section::from_address(key.as_deref(), status);
        if key.is_none() && availability.get() == Availability::Ready {
            landing.set_value(found);
        }
        found
    });
    let tab = move |target: Section| {
        view! {
            <a href=section_path(doc, target.key())
                aria-current=move || (current.get() == Some(target)).then_some("page")>
                {move || match target {
                    Section::Intake => t_string!(i18n, intake),
                    Section::Scorecard => t_string!(i18n, scorecard),
                    Section::Candidates => t_string!(i18n, candidates),
                    Section::Planning => t_string!(i18n, planning),
                    Section::Checkin => t_string!(i18n, checkin),
                    Section::Data => t_string!(i18n, data_heading),
                    Section::Report => t_string!(i18n, report_heading),
                }}
            </a>
        }
    };

    view! {
        <PartnerNotices session />
        <div class="vacancy-top">
            // Once the section bar is shown, the sync state rides in it, in sight while scrolling.
            // A deleted vacancy syncs no more and nobody is in it: its notice says so instead.
            <Show when=move || !with_bar.get() && !deleted.get()>
                <SyncStatus sync />
            </Show>
            <Show when=move || !deleted.get()>
                <PresenceBar peers />
            </Show>
        </div>
        // Not over the welcome: its links lead into a page the newcomer cannot see yet.
        <Show when=move || !welcome.get()>
            <OverdueNotice session />
        </Show>
        <Show when=move || problem.get().is_some()>
            <p class="banner error" role="alert">
                {move || problem.get().map(|p| p.text(i18n))}
                " "<button type="button" on:click=move |_| problem.set(None)>{t!(i18n, dismiss)}</button>
            </p>
        </Show>
        <DeletedNotice session />
        <FollowMove session />
        {move || match shown.get() {
            Availability::Deleted => view! { <section class="banner error" role="alert"><h1>{t!(i18n, bad_link)}</h1><p>{t!(i18n, deleted_not_found)}</p></section> }.into_any(),
            Availability::Waiting => view! { <section class="banner" role="status"><h1 class="visually-hidden">{t!(i18n, waiting_heading)}</h1><p>{t!(i18n, waiting_download)}</p></section> }.into_any(),
            // A link that opens nothing is a page of its own, with its heading, as a malformed one is.
            Availability::NotFound => view! { <section class="banner error" role="alert"><h1>{t!(i18n, bad_link)}</h1><p>{t!(i18n, not_found)}</p></section> }.into_any(),
            Availability::Denied => view! { <section class="banner error" role="alert"><h1>{t!(i18n, bad_link)}</h1><p>{t!(i18n, denied)}</p></section> }.into_any(),
            Availability::Ready if welcome.get() => view! { <Welcome session /> }.into_any(),
            Availability::Ready => view! {
                <header class="vacancy-header">
                    // The page's one heading of the first rank names the vacancy; the field
                    // below shows the same title for editing, so the heading is for assistive
                    // technology only.
                    <h1 class="visually-hidden">{heading}</h1>
                    <label for="vacancy-title">{t!(i18n, title_label)}</label>
                    <LiveText session field=TextField::Title id="vacancy-title".to_string() presence_key="title".to_string() />
                </header>
                <PeopleList session />
                // Stays at the top while scrolling: every section one tap away, and whether the
                // work has reached the server always in sight.
                <div class="section-bar">
                    <nav class="sections" aria-label=move || t_string!(i18n, sections)>
                        {Section::ALL.into_iter().map(tab).collect_view()}
                    </nav>
                    <Show when=move || !deleted.get()>
                        <SyncStatus sync />
                    </Show>
                </div>
                {move || match current.get() {
                    Some(Section::Intake) => view! { <GatePanel session /><IntakeEditor session /> }.into_any(),
                    Some(Section::Scorecard) => view! { <ScorecardEditor session /> }.into_any(),
                    Some(Section::Candidates) => match (section.get().as_deref(), item.get()) {
                        (Some("interview"), Some(id)) => view! { <InterviewPage session interview=InterviewId(id) /> }.into_any(),
                        (Some("compare"), _) => view! { <ComparisonPage session /> }.into_any(),
                        (_, Some(id)) => view! { <CandidatePage session candidate=CandidateId(id) /> }.into_any(),
                        _ => view! { <CandidatesSection session /> }.into_any(),
                    },
                    Some(Section::Planning) => view! { <PlanningSection session /> }.into_any(),
                    Some(Section::Checkin) => view! { <CheckinSection session /> }.into_any(),
                    Some(Section::Data) => view! { <VacancyData session /> }.into_any(),
                    Some(Section::Report) => view! { <VacancyReport session /> }.into_any(),
                    None => view! { <p class="empty">{t!(i18n, page_not_found)}</p> }.into_any(),
                }}
            }.into_any(),
        }}
        // Inviting others comes after saying who you are; a deleted vacancy's link opens nothing.
        <Show when=move || !welcome.get() && !deleted.get()>
            <ShareBox link=link.clone() />
            <p class="data-link">
                <a href=section_path(doc, Section::Data.key())>{t!(i18n, data_link)}</a>
            </p>
        </Show>
    }
}

/// Replaces `/v/<doc>#<secret>` (or a section's `/v/<doc>/<section>#<secret>`) in the address
/// bar by the same address without the fragment, in place: `replaceState`
/// rewrites the current history entry, so the secret is in neither the address bar nor the
/// history (where anyone who borrows the browser, or a synced history, would find it). The
/// share box still shows the whole link, from storage. Nothing happens if the page has since
/// moved on to another address.
fn drop_secret_from_address(doc: DocId) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let path = vacancy_path(doc);
    let here = location.pathname().unwrap_or_default();
    let ours = here == path || here.starts_with(&format!("{path}/"));
    if !ours || location.hash().unwrap_or_default().is_empty() {
        return;
    }
    if let Ok(history) = window.history() {
        let state = history.state().unwrap_or(wasm_bindgen::JsValue::NULL);
        let search = location.search().unwrap_or_default();
        let _ = history.replace_state_with_url(&state, "", Some(&format!("{here}{search}")));
    }
}
