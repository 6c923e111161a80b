//! The generator makes what it says: counted from the saved document, read back the way the app
//! reads it (`Vacancy::load`) and, for the history, straight from automerge.

use serde::Deserialize;
use tandem_domain::{IntakeText, TextField, Vacancy};
use tandem_large_vacancy::{backup, generate, Counts, Spec};
use tandem_protocol::backup::{open, MIN_ITERATIONS};
use tandem_protocol::ShareLink;

/// Issue 11's numbers, from the spec the benchmark uses.
#[test]
fn the_default_spec_is_issue_11s_large_vacancy() {
    let s = Spec::default();
    assert_eq!(s.candidates, 200);
    assert_eq!(
        s.candidates * s.interviews_per_candidate * s.interviewers_per_interview * s.criteria,
        8_000
    );
    assert_eq!(s.text_edits, 20_000);
}

/// A tenth of it, counted from the saved document. (The whole takes over a minute even
/// optimised: every edit's change bytes are read back from automerge's op columns, which grows
/// with the document; the benchmark prints the whole one's counts as generated.)
#[test]
fn the_generator_makes_what_its_spec_says() {
    let spec = Spec {
        candidates: 20,
        text_edits: 2_000,
        ..Spec::default()
    };
    let mut large = generate(&spec).expect("generates");
    assert_eq!(
        large.counts,
        Counts {
            candidates: 20,
            interviews: 40,
            feedback: 80,
            ratings: 800,
            text_edits: 2_000,
            // Skeleton, 4 people, 4 stages, 10 criteria, the edits, 20 candidates, 20 moves
            // to the second stage, 40 interviews, 80 feedback.
            changes: 1 + 4 + 4 + 10 + 2_000 + 20 + 20 + 40 + 80,
        }
    );
    let saved = large.vacancy.save();

    // What the app sees when it loads the stored snapshot.
    let v = Vacancy::load(&saved).expect("loads");
    assert_eq!(v.candidates().len(), 20);
    assert_eq!(v.interviews().len(), 40);
    let feedback = v.feedback();
    assert_eq!(feedback.len(), 80);
    let scored: usize = feedback
        .iter()
        .map(|f| f.ratings.iter().filter(|(_, r)| r.score.is_some()).count())
        .sum();
    assert_eq!(scored, 800);
    assert_eq!(v.criteria().len(), 10);
    assert_eq!(v.people().len(), 4);
    let typed: usize = IntakeText::ALL
        .into_iter()
        .map(TextField::Intake)
        .chain(
            v.criteria()
                .into_iter()
                .map(|c| TextField::CriterionDescription(c.id)),
        )
        .map(|f| v.text(&f).unwrap_or_default().len())
        .sum();
    // Some 7 in 8 keystrokes insert, the rest delete: most of the characters remain.
    assert!((1_000..2_000).contains(&typed), "{typed} characters typed");

    // The history: every change kept, and the text edits each one single-character splice.
    let doc = automerge::Automerge::load(&saved).expect("automerge loads it");
    let changes = doc.get_changes(&[]);
    assert_eq!(changes.len(), large.counts.changes);
    let single_op = changes.iter().filter(|c| c.len() == 1).count();
    assert_eq!(single_op, 2_000);
}

/// The app's backup content, read back (postcard is not self-describing: the same field order).
#[derive(Deserialize)]
struct BackupContent {
    version: u32,
    #[allow(dead_code)]
    made_at: f64,
    vacancies: Vec<VacancyData>,
    settings: Vec<(String, String)>,
    attachments: AttachmentData,
}

#[derive(Deserialize)]
struct VacancyData {
    doc: String,
    record_json: String,
    chunks: Vec<(String, Vec<u8>)>,
    outbox: Vec<(String, Vec<u8>)>,
}

#[derive(Deserialize)]
struct AttachmentData {
    blobs: Vec<(String, Vec<u8>)>,
    uploads: Vec<(String, String)>,
}

#[test]
fn the_backup_file_holds_the_vacancy_as_this_devices() {
    let spec = Spec {
        candidates: 3,
        text_edits: 50,
        ..Spec::default()
    };
    let mut large = generate(&spec).expect("generates");
    let link = ShareLink::random();
    let file = backup::file(
        &mut large,
        &link,
        1.0e12,
        "large vacancy benchmark",
        MIN_ITERATIONS,
    )
    .expect("writes");
    let plain = open(&file, "large vacancy benchmark").expect("opens with the passphrase");
    let content: BackupContent = postcard::from_bytes(&plain).expect("the app's shape");
    assert_eq!(content.version, 2);
    assert!(content.attachments.blobs.is_empty() && content.attachments.uploads.is_empty());
    assert_eq!(content.vacancies.len(), 1);
    let data = &content.vacancies[0];
    assert_eq!(data.doc, link.doc.to_string());
    assert!(data.outbox.is_empty());
    assert_eq!(data.chunks.len(), 1);
    assert!(data.chunks[0].0.starts_with(&format!("{}:", data.doc)));
    let v = Vacancy::load(&data.chunks[0].1).expect("the chunk loads");
    assert_eq!(v.candidates().len(), 3);
    let record: serde_json::Value = serde_json::from_str(&data.record_json).expect("JSON");
    assert_eq!(record["doc"], data.doc);
    assert_eq!(record["secret"], link.secret.to_base64());
    assert_eq!(record["title"], "Senior backend developer");
    assert_eq!(record["last_seq"], 0);
    // This device is the recruiter, who is in the vacancy.
    let person = content
        .settings
        .iter()
        .find(|(k, _)| k == "person-id")
        .map(|(_, v)| v.clone())
        .expect("a person id");
    assert_eq!(person.len(), 32);
    assert!(v.people().iter().any(|p| p.id.as_str() == person));
    assert!(content
        .settings
        .iter()
        .any(|(k, v)| k == "profile" && v == "#1d4ed8|Rita Recruiter"));
}
