//! Starting text for a scorecard, in Dutch and English: the anchors of a four-level scale and a
//! bank of behavioural (STAR) interview questions per category.
//!
//! The document stores what people wrote, in their own language; these are only offered, and
//! once taken they are ordinary text that anyone edits. Anchors describe what can be observed in
//! the answers, so that a 3 means the same to every interviewer.

use crate::scorecard::Category;

/// The languages the interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Nl,
    En,
}

/// One question of the starter bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BankQuestion {
    pub category: Category,
    pub text: &'static str,
}

/// What each level of a 1–4 scale looks like in an answer; other scales get no starting text
/// (the words would not fit their steps), so the result is empty for them.
pub fn anchors(lang: Lang, scale_max: i64) -> Vec<String> {
    if scale_max != 4 {
        return Vec::new();
    }
    let texts: [&str; 4] = match lang {
        Lang::En => [
            "No concrete example: says what they would do, not what they did.",
            "One example, but with a lot of help or only partly their own doing; the result stays vague.",
            "Clear, recent examples of doing this on their own, with a result they can name.",
            "Several strong examples, also in difficult situations; others learn from how they do it.",
        ],
        Lang::Nl => [
            "Geen concreet voorbeeld: vertelt wat ze zouden doen, niet wat ze deden.",
            "Eén voorbeeld, maar met veel hulp of maar deels eigen werk; het resultaat blijft vaag.",
            "Duidelijke, recente voorbeelden waarin ze dit zelf deden, met een resultaat dat ze kunnen noemen.",
            "Meerdere sterke voorbeelden, ook in lastige situaties; anderen leren van hoe ze het aanpakken.",
        ],
    };
    texts.iter().map(|t| t.to_string()).collect()
}

/// The starter bank in one language, the questions for `first` first (a criterion's own
/// category), then the rest.
pub fn questions(lang: Lang, first: Category) -> Vec<BankQuestion> {
    let bank = match lang {
        Lang::En => EN,
        Lang::Nl => NL,
    };
    let mut out: Vec<BankQuestion> = bank
        .iter()
        .map(|(category, text)| BankQuestion {
            category: *category,
            text,
        })
        .collect();
    crate::sorting::sort_by_key(&mut out, |q| q.category != first);
    out
}

use Category::{Competency as C, Experience as E, Trait as T};

const EN: &[(Category, &str)] = &[
    (C, "Tell me about a time you had to convince someone who disagreed with you. What was the situation, what did you do, and what came of it?"),
    (C, "Describe a moment when a plan fell apart at the last minute. What did you do first, and how did it end?"),
    (C, "Give an example of a problem you solved that others had given up on. How did you go about it?"),
    (C, "Tell me about feedback that was hard to hear. What did you do with it afterwards?"),
    (C, "Describe a time you worked with someone you found difficult. What did you do, and what was the result?"),
    (C, "Tell me about a decision you had to take without all the information. How did you decide, and how did it turn out?"),
    (E, "Walk me through a recent piece of work you are proud of. What was your part in it, exactly?"),
    (E, "What is the hardest problem in your field you solved in the last year? What did you try first?"),
    (E, "Tell me about a mistake you made in your work. How did you notice it, and what did you change afterwards?"),
    (E, "Give an example of something you had to learn quickly for your work. How did you go about it?"),
    (E, "Tell me about a time you improved how your team works. What changed, and how do you know?"),
    (T, "Tell me about a time you took the initiative without being asked. What happened next?"),
    (T, "Describe a situation in which you had to stay calm under pressure. What did you do?"),
    (T, "Tell me about a time you changed your mind because of someone else's argument."),
    (T, "Give an example of when you did more than was expected of you. Why did you?"),
    (T, "Describe a time you had to say no to someone. How did you do it, and how did they take it?"),
];

const NL: &[(Category, &str)] = &[
    (C, "Vertel over een keer dat je iemand moest overtuigen die het niet met je eens was. Wat was de situatie, wat deed je, en wat leverde het op?"),
    (C, "Beschrijf een moment waarop een plan op het laatste moment misliep. Wat deed je als eerste, en hoe liep het af?"),
    (C, "Geef een voorbeeld van een probleem dat je oploste terwijl anderen het al hadden opgegeven. Hoe pakte je het aan?"),
    (C, "Vertel over feedback die je moeilijk vond om te horen. Wat heb je er daarna mee gedaan?"),
    (C, "Beschrijf een samenwerking met iemand die je lastig vond. Wat deed je, en wat was het resultaat?"),
    (C, "Vertel over een besluit dat je moest nemen zonder alle informatie. Hoe besliste je, en hoe pakte het uit?"),
    (E, "Neem me mee in recent werk waar je trots op bent. Wat was precies jouw deel?"),
    (E, "Wat is het lastigste vakinhoudelijke probleem dat je het afgelopen jaar hebt opgelost? Wat probeerde je eerst?"),
    (E, "Vertel over een fout die je in je werk maakte. Hoe merkte je het, en wat deed je daarna anders?"),
    (E, "Geef een voorbeeld van iets wat je voor je werk snel moest leren. Hoe pakte je dat aan?"),
    (E, "Vertel over een keer dat je de manier van werken in je team verbeterde. Wat veranderde er, en hoe weet je dat?"),
    (T, "Vertel over een keer dat je zelf het initiatief nam zonder dat iemand het vroeg. Wat gebeurde er daarna?"),
    (T, "Beschrijf een situatie waarin je onder druk kalm moest blijven. Wat deed je?"),
    (T, "Vertel over een keer dat je van mening veranderde door het argument van een ander."),
    (T, "Geef een voorbeeld van een keer dat je meer deed dan er van je werd verwacht. Waarom deed je dat?"),
    (T, "Beschrijf een keer dat je nee moest zeggen tegen iemand. Hoe deed je dat, en hoe reageerde die persoon?"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_offer_the_same_questions_per_category() {
        let shape = |bank: &[(Category, &str)]| bank.iter().map(|q| q.0).collect::<Vec<_>>();
        assert_eq!(shape(EN), shape(NL));
        for category in Category::ALL {
            assert!(EN.iter().filter(|q| q.0 == category).count() >= 5);
        }
    }

    #[test]
    fn a_criterion_sees_its_own_category_first() {
        for lang in [Lang::Nl, Lang::En] {
            let bank = questions(lang, Category::Trait);
            assert_eq!(bank.len(), EN.len());
            let first_other = bank.iter().position(|q| q.category != Category::Trait);
            assert!(bank[..first_other.unwrap()]
                .iter()
                .all(|q| q.category == Category::Trait));
            assert!(bank[first_other.unwrap()..]
                .iter()
                .all(|q| q.category != Category::Trait));
        }
    }

    #[test]
    fn anchors_fit_the_four_level_scale_only() {
        assert_eq!(anchors(Lang::Nl, 4).len(), 4);
        assert_eq!(anchors(Lang::En, 4).len(), 4);
        assert!(anchors(Lang::En, 5).is_empty());
    }
}
