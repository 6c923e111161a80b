//! A large vacancy for the benchmarks of issue 11: one vacancy as a busy recruitment would leave
//! it, built through the domain's own edits so the document has the shape the app makes.
//!
//! - [`generate`]: the vacancy, by [`Spec`] (the default: 200 candidates, 8,000 scored ratings,
//!   20,000 text edits), and [`Counts`] of what went in.
//! - [`backup`]: the vacancy written as a device backup, the file a person restores on the home
//!   page. Why that form: it is a path a user has, and it carries the document's stored bytes, so
//!   the history (the 20,000 edits) arrives as it would on a device that typed them. The vacancy
//!   export (readable JSON) would not do: importing it makes a new document with its content as
//!   one change, so the history, which is what makes a long-edited document slow to load,
//!   would stay behind.
//!
//! Every edit is its own change, as in the app, where each keystroke commits one: the text
//! edits are single-character inserts and deletes made with [`Vacancy::set_text`], the app's own
//! path from "the field now reads X" to one splice. Ids, actor and texts are deterministic, so two
//! runs make the same document.

pub mod backup;

use tandem_domain::vacancy::test_support::create_deterministic;
use tandem_domain::{
    CandidateId, CandidateStage, Category, CriterionId, DomainError, FeedbackDraft, IntakeText,
    PersonId, Recommendation, Role, StageId, TextField, Vacancy,
};

/// What to build.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub candidates: usize,
    pub criteria: usize,
    /// Interviews per candidate, one in each of the first stages.
    pub interviews_per_candidate: usize,
    /// Interviewers who each submit feedback on every interview.
    pub interviewers_per_interview: usize,
    /// Single-character edits in the intake's free texts and the criteria's descriptions.
    pub text_edits: usize,
}

impl Default for Spec {
    /// Issue 11's large vacancy: 200 candidates × 2 interviews × 2 interviewers × 10 criteria
    /// = 8,000 scored ratings, and 20,000 text edits.
    fn default() -> Self {
        Spec {
            candidates: 200,
            criteria: 10,
            interviews_per_candidate: 2,
            interviewers_per_interview: 2,
            text_edits: 20_000,
        }
    }
}

/// What [`generate`] put into the vacancy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub candidates: usize,
    pub interviews: usize,
    pub feedback: usize,
    /// Ratings with a score (every rating here has one, and evidence).
    pub ratings: usize,
    /// Changes that are one single-character splice in a text.
    pub text_edits: usize,
    /// Every change in the document's history, the text edits included.
    pub changes: usize,
}

/// The generated vacancy, and who "this device" is in it (the recruiter).
pub struct Large {
    pub vacancy: Vacancy,
    pub counts: Counts,
    pub recruiter: PersonId,
    pub recruiter_name: &'static str,
    pub recruiter_colour: &'static str,
}

/// When everything happened: November 2026, a minute apart, so lists have a stable order.
const START_MS: i64 = 1_793_491_200_000; // 2026-11-01T00:00:00Z
const MINUTE_MS: i64 = 60_000;

const FIRST_NAMES: &[&str] = &[
    "Sanne", "Daan", "Fleur", "Bram", "Noor", "Luuk", "Eva", "Thijs", "Lotte", "Jesse", "Iris",
    "Sem", "Anouk", "Milan", "Femke", "Ruben", "Yara", "Stijn", "Maud", "Koen",
];
const LAST_NAMES: &[&str] = &[
    "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Vos",
];
const WORDS: &[&str] = &[
    "ervaring",
    "met",
    "backend",
    "systemen",
    "in",
    "een",
    "team",
    "dat",
    "zelf",
    "beslist",
    "over",
    "architectuur",
    "en",
    "kwaliteit",
    "de",
    "kandidaat",
    "werkt",
    "graag",
    "samen",
    "klanten",
    "Rust",
    "PostgreSQL",
    "krapte",
    "op",
    "arbeidsmarkt",
    "salaris",
    "hybride",
    "Utrecht",
    "groei",
    "mentor",
    "verantwoordelijkheid",
    "snel",
    "leren",
    "betrouwbaar",
];
const CRITERIA: &[&str] = &[
    "Systeemontwerp",
    "Rust",
    "Databases",
    "Samenwerken",
    "Eigenaarschap",
    "Communicatie",
    "Testen",
    "Leervermogen",
    "Klantgericht",
    "Prioriteren",
];

/// A small deterministic generator (xorshift64*): the same document every run, with no
/// dependency for it.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn person(n: u8) -> PersonId {
    PersonId(format!("{:032x}", 0xb0b0_0000_u64 + u64::from(n)))
}

/// Builds the vacancy described by `spec`; see the module's overview.
pub fn generate(spec: &Spec) -> Result<Large, DomainError> {
    let mut counts = Counts::default();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut v, _) = create_deterministic("Senior backend developer", START_MS, 0);
    counts.changes += 1;

    let recruiter = person(1);
    let people = [
        (
            recruiter.clone(),
            "Rita Recruiter",
            Role::Recruiter,
            "#1d4ed8",
        ),
        (person(2), "Henk Manager", Role::HiringManager, "#15803d"),
    ];
    for (id, name, role, colour) in &people {
        v.set_author(Some(id.clone()));
        v.set_person(id, name, *role, colour, START_MS)?;
        counts.changes += 1;
    }
    let interviewers: Vec<PersonId> = (0..spec.interviewers_per_interview)
        .map(|i| person(10 + i as u8))
        .collect();
    for (i, id) in interviewers.iter().enumerate() {
        v.set_author(Some(id.clone()));
        let name = format!("Interviewer {}", i + 1);
        v.set_person(id, &name, Role::Interviewer, "#7e22ce", START_MS)?;
        counts.changes += 1;
    }
    v.set_author(Some(recruiter.clone()));

    let mut stages: Vec<StageId> = Vec::new();
    for name in ["Eerste gesprek", "Tweede gesprek", "Casus", "Aanbod"] {
        stages.push(v.add_stage(name)?.0);
        counts.changes += 1;
    }
    let mut criteria: Vec<CriterionId> = Vec::new();
    for i in 0..spec.criteria {
        let name = CRITERIA[i % CRITERIA.len()];
        criteria.push(v.add_criterion(name, Category::Competency)?.0);
        counts.changes += 1;
    }

    type_texts(&mut v, spec, &criteria, &mut rng, &mut counts)?;

    let mut at = START_MS + 7 * 24 * 60 * MINUTE_MS;
    for c in 0..spec.candidates {
        at += MINUTE_MS;
        let name = format!(
            "{} {}",
            FIRST_NAMES[c % FIRST_NAMES.len()],
            LAST_NAMES[(c / FIRST_NAMES.len()) % LAST_NAMES.len()]
        );
        v.set_author(Some(recruiter.clone()));
        let candidate = v.add_candidate(&name, at)?.0;
        counts.changes += 1;
        counts.candidates += 1;
        for round in 0..spec.interviews_per_candidate {
            let stage = &stages[round % stages.len()];
            if round > 0 {
                let to = CandidateStage::Stage(stage.clone());
                v.set_author(Some(recruiter.clone()));
                if v.move_candidate(&candidate, &to, at)?.is_some() {
                    counts.changes += 1;
                }
            }
            interview_with_feedback(
                &mut v,
                &candidate,
                stage,
                &interviewers,
                &criteria,
                (c, round),
                &mut rng,
                &mut counts,
            )?;
        }
    }
    Ok(Large {
        vacancy: v,
        counts,
        recruiter,
        recruiter_name: "Rita Recruiter",
        recruiter_colour: "#1d4ed8",
    })
}

/// The intake's free texts and the criteria's descriptions typed a character at a time, with a
/// backspace now and then and the caret moved back into the text sometimes, in sessions of a
/// few dozen keystrokes per field.
fn type_texts(
    v: &mut Vacancy,
    spec: &Spec,
    criteria: &[CriterionId],
    rng: &mut Rng,
    counts: &mut Counts,
) -> Result<(), DomainError> {
    let mut fields: Vec<TextField> = IntakeText::ALL.into_iter().map(TextField::Intake).collect();
    fields.extend(
        criteria
            .iter()
            .map(|c| TextField::CriterionDescription(c.clone())),
    );
    // The text of each field as typed so far, and the caret in it (ASCII: bytes are characters).
    let mut texts: Vec<(String, usize)> = vec![(String::new(), 0); fields.len()];
    let mut pending_word: Vec<u8> = Vec::new();
    let mut field = 0;
    let mut left_in_session = 0;
    while counts.text_edits < spec.text_edits {
        if left_in_session == 0 {
            field = rng.below(fields.len());
            left_in_session = 20 + rng.below(60);
            let (text, caret) = &mut texts[field];
            // Mostly on at the end; sometimes back into the text, at a word's start.
            *caret = if text.is_empty() || rng.below(4) > 0 {
                text.len()
            } else {
                let at = rng.below(text.len());
                text[..at].rfind(' ').map_or(0, |i| i + 1)
            };
        }
        left_in_session -= 1;
        let (text, caret) = &mut texts[field];
        if *caret > 0 && rng.below(8) == 0 {
            *caret -= 1;
            text.remove(*caret);
        } else {
            if pending_word.is_empty() {
                pending_word = format!("{} ", WORDS[rng.below(WORDS.len())]).into_bytes();
                pending_word.reverse();
            }
            let ch = pending_word.pop().map_or(' ', char::from);
            text.insert(*caret, ch);
            *caret += 1;
        }
        if v.set_text(&fields[field], text)?.is_some() {
            counts.text_edits += 1;
            counts.changes += 1;
        }
    }
    Ok(())
}

/// One interview of `candidate` in `stage`, and every interviewer's submitted feedback on it,
/// each scoring every criterion with a line of evidence.
#[allow(clippy::too_many_arguments)]
fn interview_with_feedback(
    v: &mut Vacancy,
    candidate: &CandidateId,
    stage: &StageId,
    interviewers: &[PersonId],
    criteria: &[CriterionId],
    (c, round): (usize, usize),
    rng: &mut Rng,
    counts: &mut Counts,
) -> Result<(), DomainError> {
    let day = 10 + (c % 18);
    let time = format!("2026-11-{day:02}T{:02}:00", 9 + round * 2 + (c % 3));
    let (interview, _) = v.add_interview(candidate, stage, Some(&time))?;
    counts.interviews += 1;
    counts.changes += 1;
    for interviewer in interviewers {
        let mut draft = FeedbackDraft::new(interview.clone());
        for criterion in criteria {
            let rating = draft.rating_mut(criterion);
            rating.score = Some(1 + rng.below(4) as i64);
            rating.evidence = format!("Voorbeeld {} uit het gesprek", 1 + rng.below(9));
        }
        draft.recommendation = Some(
            [
                Recommendation::StrongNo,
                Recommendation::No,
                Recommendation::Yes,
                Recommendation::StrongYes,
            ][rng.below(4)],
        );
        draft.note = "Vraag door op de casus.".to_string();
        v.set_author(Some(interviewer.clone()));
        let submitted_at = START_MS + 30 * 24 * 60 * MINUTE_MS + (c * 4 + round) as i64 * MINUTE_MS;
        v.submit_feedback(&draft, interviewer, submitted_at)?;
        counts.feedback += 1;
        counts.ratings += criteria.len();
        counts.changes += 1;
    }
    Ok(())
}
