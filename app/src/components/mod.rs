//! The pieces pages are made of, each named after what the user sees.

pub mod calendar_export;
pub mod candidate_interviews;
pub mod candidate_page;
pub mod candidates;
pub mod checkin;
pub mod comparison;
pub mod criterion_details;
pub mod dates;
pub mod feedback_form;
pub mod feedback_owed;
pub mod field_dom;
pub mod gate_panel;
pub mod intake;
pub mod interview_kit;
pub mod interview_page;
pub mod live_text;
pub mod overdue_notice;
pub mod partnership;
pub mod people;
pub mod planning;
pub mod presence_bar;
pub mod scorecard;
pub mod settings;
pub mod share_box;
pub mod sync_status;
pub mod welcome;
