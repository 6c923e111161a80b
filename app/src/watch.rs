//! Which views follow which part of the open vacancy, and waking exactly those.
//!
//! A view calls [`Watch::track`] for each [`Area`] it reads (inside a memo or an effect), and
//! the session hands every change's [`Touched`] to [`Watch::notify`]. One trigger per area,
//! made the first time a view asks for it: a keystroke in one criterion's description wakes
//! the views of that field alone, however many criteria and candidates the vacancy has.

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use tandem_domain::changes::{Area, Section, Touched};

#[derive(Default)]
pub struct Watch {
    triggers: RefCell<HashMap<Area, ArcTrigger>>,
}

impl Watch {
    /// Makes the running memo or effect re-run when `area` changes.
    pub fn track(&self, area: Area) {
        let trigger = self.triggers.borrow_mut().entry(area).or_default().clone();
        trigger.track();
    }

    /// Wakes the views of what a change touched. Something outside the known layout wakes
    /// every view, since nobody can say what it affects.
    pub fn notify(&self, touched: &Touched) {
        let everything = touched.contains(&Area::Section(Section::Other));
        // Cloned out first: a woken view may ask for a new area while this runs.
        let woken: Vec<ArcTrigger> = {
            let triggers = self.triggers.borrow();
            if everything {
                triggers.values().cloned().collect()
            } else {
                touched
                    .areas()
                    .filter_map(|a| triggers.get(a).cloned())
                    .collect()
            }
        };
        for trigger in woken {
            trigger.notify();
        }
    }

    /// Wakes every view (the document was read anew, or became read-only).
    pub fn notify_all(&self) {
        let woken: Vec<ArcTrigger> = self.triggers.borrow().values().cloned().collect();
        for trigger in woken {
            trigger.notify();
        }
    }
}
