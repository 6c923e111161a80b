//! Calendar export: an .ics file (RFC 5545) with the weekly check-in and every open deadline.
//!
//! Tandem has no server that could send reminders, so the partners' own calendars do it: the app
//! offers this file for download, and it imports into Google Calendar, Outlook and Apple Calendar.
//! The file is written with the `icalendar` crate, which escapes text (commas, semicolons,
//! backslashes, newlines), folds lines at 75 octets and ends them with CRLF.
//!
//! What goes in:
//! - the weekly check-in as one recurring event (`RRULE:FREQ=WEEKLY;BYDAY=…`), starting on the
//!   first agreed weekday on or after a date the caller keeps fixed (the vacancy's creation), so
//!   every export describes the same series;
//! - every deadline that is not done: a date as an all-day event, a moment as a 15-minute event
//!   starting at the deadline; both marked free (`TRANSP:TRANSPARENT`), as a deadline is not a
//!   meeting. Done items are left out.
//!
//! Identity and updates: every event's UID is a hash of the vacancy id and the item's kind and id,
//! so importing a newer export updates the events instead of duplicating them, and the calendar
//! provider never sees the vacancy's id. DTSTAMP is the export time, passed in (no clock here), and
//! SEQUENCE is that time in minutes: the file keeps no state, and a later export must read as the
//! newer revision to clients that compare sequences (Outlook, Apple).
//!
//! Time zones: times are local wall-clock times in the user's IANA zone. Outlook takes a
//! recurring event's zone from the file's VTIMEZONE, not from the zone's name; Google and Apple
//! read IANA names. So a known zone is written as `TZID=<name>` *with* a VTIMEZONE, in the form
//! Outlook reduces every zone to (one yearly daylight and one yearly standard rule). The `icalendar`
//! crate has no VTIMEZONE component (its components always gain a DTSTAMP and UID, which a
//! VTIMEZONE must not have), so that one block is written line by line with the crate's own
//! property writer and placed before the events. Known zones ([`time_zone_is_known`]) are the
//! European zones that follow the EU's clock changes (last Sunday of March and of October, at
//! 01:00 UTC), plus UTC itself. Any other zone gets *floating* times, which every calendar reads in
//! its own zone: right for a user exporting to their own calendar, and never an invented offset.
//! A full tz database would cover every zone, but measured in a small wasm build (after
//! wasm-bindgen and `wasm-opt -Oz`) chrono-tz adds about 880 KB (145 KB gzip) against this
//! module's whole `icalendar` writer at about 26 KB (10 KB gzip): more than a third of today's app.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, TimeDelta, Utc, Weekday};
use icalendar::{
    Calendar, CalendarDateTime, Component, DatePerhapsTime, Event, EventLike, Property,
};
use sha2::{Digest, Sha256};

use crate::agenda::{AgendaError, CheckinAgreement};
use crate::deadlines::{Dated, Due, Kind};

/// How long a timed deadline's event lasts in the calendar.
const DEADLINE_EVENT_MINUTES: i64 = 15;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IcsError {
    #[error(transparent)]
    Checkin(#[from] AgendaError),
    /// A date too close to the end of the calendar to add a day or an hour to.
    #[error("a date in the calendar export is out of range")]
    OutOfRange,
    /// The crate's writer reported a formatting error (it writes into a String, so in practice
    /// never; kept as an error rather than a panic).
    #[error("the calendar file could not be written")]
    Write,
}

/// The weekly check-in as the export shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinEvent {
    pub agreement: CheckinAgreement,
    /// The series starts on the first agreed weekday on or after this date. Keep it fixed (the
    /// vacancy's creation date) so every export describes the same series.
    pub from: NaiveDate,
    /// The event's title, in the user's language.
    pub title: String,
}

/// Everything the export needs, as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarInput {
    /// The vacancy's id; only a hash of it appears in the file.
    pub vacancy_id: String,
    /// The calendar's name, e.g. the vacancy's title.
    pub name: String,
    /// The user's IANA time zone, e.g. "Europe/Amsterdam"; all times below are local to it.
    pub time_zone: String,
    /// The moment of the export.
    pub stamp: DateTime<Utc>,
    pub checkin: Option<CheckinEvent>,
    /// Deadlines with their titles in the user's language; done ones are left out.
    pub deadlines: Vec<Dated>,
}

/// The .ics file's text.
pub fn calendar(input: &CalendarInput) -> Result<String, IcsError> {
    let zone = Zone::named(&input.time_zone);
    let sequence = u32::try_from(input.stamp.timestamp().div_euclid(60)).unwrap_or(0);
    let uid = |kind: &str, id: &str| {
        let mut h = Sha256::new();
        for part in ["tandem/ics/v1", input.vacancy_id.as_str(), kind, id] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        let hex: String = h
            .finalize()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("{hex}@tandem")
    };

    let mut events = Vec::new();
    if let Some(checkin) = &input.checkin {
        let a = &checkin.agreement;
        let first = first_weekday_from(checkin.from, a.weekday)?.and_time(a.time);
        let end = first
            .checked_add_signed(a.length()?)
            .ok_or(IcsError::OutOfRange)?;
        let mut event = Event::new();
        event
            .uid(&uid("checkin", ""))
            .summary(&checkin.title)
            .starts(zone.at(first))
            .ends(zone.at(end))
            .add_property("RRULE", format!("FREQ=WEEKLY;BYDAY={}", byday(a.weekday)));
        events.push(event);
    }
    for item in input.deadlines.iter().filter(|d| !d.done) {
        let mut event = Event::new();
        event
            .uid(&uid(kind_key(item.kind), &item.id))
            .summary(&item.title)
            .add_property("TRANSP", "TRANSPARENT");
        match item.due {
            Due::On(date) => {
                let next = date
                    .checked_add_days(Days::new(1))
                    .ok_or(IcsError::OutOfRange)?;
                event
                    .starts(DatePerhapsTime::Date(date))
                    .ends(DatePerhapsTime::Date(next));
            }
            Due::At(moment) => {
                let end = moment
                    .checked_add_signed(TimeDelta::minutes(DEADLINE_EVENT_MINUTES))
                    .ok_or(IcsError::OutOfRange)?;
                event.starts(zone.at(moment)).ends(zone.at(end));
            }
        }
        events.push(event);
    }

    let mut cal = Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", "-//Tandem//Tandem//EN"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"))
        .name(&input.name);
    if let Zone::Rules { name, .. } = zone {
        cal.timezone(name);
    }
    for mut event in events {
        event.timestamp(input.stamp).sequence(sequence);
        cal.push(event.done());
    }
    let mut text = String::new();
    write!(text, "{}", cal.done()).map_err(|_| IcsError::Write)?;
    match zone.vtimezone()? {
        // Before the first event, so a reader that resolves zones as it goes has it in time.
        // Matched with the line break before it: a folded line continues with a space, so no
        // text inside a value (a vacancy named "BEGIN:VEVENT") can match.
        Some(vtimezone) => Ok(match text.find("\r\nBEGIN:VEVENT\r\n") {
            Some(at) => format!("{}{vtimezone}{}", &text[..at + 2], &text[at + 2..]),
            None => text,
        }),
        None => Ok(text),
    }
}

/// Whether [`calendar`] writes times in this zone with a TZID and VTIMEZONE (or in UTC, for UTC)
/// rather than as floating times; the app can tell its user which it will be.
pub fn time_zone_is_known(name: &str) -> bool {
    !matches!(Zone::named(name), Zone::Floating)
}

fn first_weekday_from(from: NaiveDate, weekday: Weekday) -> Result<NaiveDate, IcsError> {
    let ahead = (7 + weekday.num_days_from_monday() - from.weekday().num_days_from_monday()) % 7;
    from.checked_add_days(Days::new(u64::from(ahead)))
        .ok_or(IcsError::OutOfRange)
}

fn byday(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

fn kind_key(kind: Kind) -> &'static str {
    match kind {
        Kind::StageTarget => "stage-target",
        Kind::Action => "action",
        Kind::Feedback => "feedback",
        Kind::Decision => "decision",
    }
}

/// How the file writes local times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zone<'a> {
    /// A zone on the EU's clock-change rule: TZID with a VTIMEZONE.
    Rules {
        name: &'a str,
        /// Standard (winter) offset from UTC, in hours.
        standard: i8,
        standard_abbr: &'static str,
        daylight_abbr: &'static str,
    },
    /// UTC: written as UTC times.
    Utc,
    /// Anything else: floating times.
    Floating,
}

/// The zones that change clocks with the EU (last Sunday of March and of October, 01:00 UTC),
/// by their standard offset and abbreviations.
const EU_ZONES: &[(&[&str], i8, &str, &str)] = &[
    (
        &[
            "Europe/London",
            "Europe/Guernsey",
            "Europe/Isle_of_Man",
            "Europe/Jersey",
        ],
        0,
        "GMT",
        "BST",
    ),
    (&["Europe/Dublin"], 0, "GMT", "IST"),
    (
        &[
            "Europe/Lisbon",
            "Atlantic/Canary",
            "Atlantic/Madeira",
            "Atlantic/Faroe",
        ],
        0,
        "WET",
        "WEST",
    ),
    (
        &[
            "Europe/Amsterdam",
            "Europe/Andorra",
            "Europe/Belgrade",
            "Europe/Berlin",
            "Europe/Bratislava",
            "Europe/Brussels",
            "Europe/Budapest",
            "Europe/Busingen",
            "Europe/Copenhagen",
            "Europe/Gibraltar",
            "Europe/Ljubljana",
            "Europe/Luxembourg",
            "Europe/Madrid",
            "Europe/Malta",
            "Europe/Monaco",
            "Europe/Oslo",
            "Europe/Paris",
            "Europe/Podgorica",
            "Europe/Prague",
            "Europe/Rome",
            "Europe/San_Marino",
            "Europe/Sarajevo",
            "Europe/Skopje",
            "Europe/Stockholm",
            "Europe/Tirane",
            "Europe/Vaduz",
            "Europe/Vatican",
            "Europe/Vienna",
            "Europe/Warsaw",
            "Europe/Zagreb",
            "Europe/Zurich",
            "Africa/Ceuta",
            "Arctic/Longyearbyen",
        ],
        1,
        "CET",
        "CEST",
    ),
    (
        &[
            "Europe/Athens",
            "Europe/Bucharest",
            "Europe/Helsinki",
            "Europe/Kyiv",
            "Europe/Kiev",
            "Europe/Mariehamn",
            "Europe/Riga",
            "Europe/Sofia",
            "Europe/Tallinn",
            "Europe/Vilnius",
            "Asia/Nicosia",
            "Asia/Famagusta",
        ],
        2,
        "EET",
        "EEST",
    ),
];

impl<'a> Zone<'a> {
    fn named(name: &'a str) -> Zone<'a> {
        if matches!(
            name,
            "UTC" | "Etc/UTC" | "Etc/GMT" | "GMT" | "Etc/Universal" | "Etc/Zulu"
        ) {
            return Zone::Utc;
        }
        EU_ZONES
            .iter()
            .find(|(names, ..)| names.contains(&name))
            .map_or(
                Zone::Floating,
                |&(_, standard, standard_abbr, daylight_abbr)| Zone::Rules {
                    name,
                    standard,
                    standard_abbr,
                    daylight_abbr,
                },
            )
    }

    /// A local wall-clock time in this zone's form.
    fn at(&self, local: NaiveDateTime) -> CalendarDateTime {
        match *self {
            Zone::Rules { name, .. } => CalendarDateTime::WithTimezone {
                date_time: local,
                tzid: name.to_owned(),
            },
            Zone::Utc => CalendarDateTime::Utc(local.and_utc()),
            Zone::Floating => CalendarDateTime::Floating(local),
        }
    }

    /// The VTIMEZONE block for a zone with rules, as CRLF-terminated lines.
    fn vtimezone(&self) -> Result<Option<String>, IcsError> {
        let Zone::Rules {
            name,
            standard,
            standard_abbr,
            daylight_abbr,
        } = *self
        else {
            return Ok(None);
        };
        // The EU switches at 01:00 UTC: in local standard time that is 01:00 + the offset when
        // the clocks go forward, and in local summer time 01:00 + offset + 1 when they go back.
        // The first onsets given are those of 1996, when the EU rule took its present form.
        let offset = |hours: i8| format!("{:+03}00", hours);
        let (winter, summer) = (offset(standard), offset(standard + 1));
        let forward = format!("19960331T{:02}0000", 1 + standard);
        let back = format!("19961027T{:02}0000", 2 + standard);
        let lines = [
            ("BEGIN", "VTIMEZONE"),
            ("TZID", name),
            ("BEGIN", "DAYLIGHT"),
            ("TZOFFSETFROM", &winter),
            ("TZOFFSETTO", &summer),
            ("TZNAME", daylight_abbr),
            ("DTSTART", &forward),
            ("RRULE", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"),
            ("END", "DAYLIGHT"),
            ("BEGIN", "STANDARD"),
            ("TZOFFSETFROM", &summer),
            ("TZOFFSETTO", &winter),
            ("TZNAME", standard_abbr),
            ("DTSTART", &back),
            ("RRULE", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"),
            ("END", "STANDARD"),
            ("END", "VTIMEZONE"),
        ];
        let mut block = String::new();
        for (key, value) in lines {
            let line: String = Property::new(key, value)
                .try_into()
                .map_err(|_| IcsError::Write)?;
            block.push_str(&line);
        }
        Ok(Some(block))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, TimeZone};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(y: i32, m: u32, day: u32, h: u32, min: u32) -> NaiveDateTime {
        d(y, m, day).and_hms_opt(h, min, 0).unwrap()
    }

    fn input(time_zone: &str) -> CalendarInput {
        CalendarInput {
            vacancy_id: "3f2a9c".into(),
            name: "Backend developer".into(),
            time_zone: time_zone.into(),
            stamp: Utc.with_ymd_and_hms(2025, 11, 10, 8, 30, 0).unwrap(),
            checkin: Some(CheckinEvent {
                agreement: CheckinAgreement::new(
                    Weekday::Tue,
                    NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
                ),
                from: d(2025, 11, 6),
                title: "Wekelijkse check-in".into(),
            }),
            deadlines: vec![
                Dated {
                    kind: Kind::StageTarget,
                    id: "stage-1".into(),
                    title: "First interviews done".into(),
                    owner: None,
                    due: Due::On(d(2025, 11, 21)),
                    done: false,
                },
                Dated {
                    kind: Kind::Action,
                    id: "act-1".into(),
                    title: "Call back Jan, Piet; then Klaas\nand Marie".into(),
                    owner: Some("rana".into()),
                    due: Due::At(t(2025, 11, 12, 14, 0)),
                    done: false,
                },
                Dated {
                    kind: Kind::Action,
                    id: "act-2".into(),
                    title: "Already done".into(),
                    owner: None,
                    due: Due::On(d(2025, 11, 1)),
                    done: true,
                },
            ],
        }
    }

    /// The content lines, unfolded (RFC 5545 3.1), as (name with parameters, value).
    fn unfolded(ics: &str) -> Vec<String> {
        ics.replace("\r\n ", "")
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The lines of each VEVENT, in order.
    fn events(ics: &str) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        let mut current: Option<Vec<String>> = None;
        for line in unfolded(ics) {
            match line.as_str() {
                "BEGIN:VEVENT" => current = Some(Vec::new()),
                "END:VEVENT" => out.extend(current.take()),
                _ => {
                    if let Some(c) = current.as_mut() {
                        c.push(line);
                    }
                }
            }
        }
        out
    }

    fn has(lines: &[String], line: &str) -> bool {
        lines.iter().any(|l| l == line)
    }

    #[test]
    fn crlf_line_endings_and_the_envelope() {
        let ics = calendar(&input("Europe/Amsterdam")).unwrap();
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'), "a bare LF");
        assert!(!ics.replace("\r\n", "").contains('\r'), "a bare CR");
        let lines = unfolded(&ics);
        assert_eq!(lines[0], "BEGIN:VCALENDAR");
        for line in [
            "VERSION:2.0",
            "PRODID:-//Tandem//Tandem//EN",
            "METHOD:PUBLISH",
            "X-WR-TIMEZONE:Europe/Amsterdam",
        ] {
            assert!(has(&lines, line), "{line}");
        }
        assert_eq!(events(&ics).len(), 3, "the check-in and two open deadlines");
    }

    #[test]
    fn the_weekly_checkin_recurs_in_the_time_zone() {
        let ics = calendar(&input("Europe/Amsterdam")).unwrap();
        let checkin = &events(&ics)[0];
        assert!(has(checkin, "SUMMARY:Wekelijkse check-in"));
        assert!(has(checkin, "RRULE:FREQ=WEEKLY;BYDAY=TU"));
        // Thursday 6 November: the first Tuesday on or after it is the 11th.
        assert!(has(
            checkin,
            "DTSTART;TZID=Europe/Amsterdam:20251111T100000"
        ));
        assert!(has(checkin, "DTEND;TZID=Europe/Amsterdam:20251111T103000"));
        assert!(has(checkin, "DTSTAMP:20251110T083000Z"));
    }

    #[test]
    fn a_vtimezone_for_the_zone_before_the_events() {
        let ics = calendar(&input("Europe/Amsterdam")).unwrap();
        let vtimezone = [
            "BEGIN:VTIMEZONE",
            "TZID:Europe/Amsterdam",
            "BEGIN:DAYLIGHT",
            "TZOFFSETFROM:+0100",
            "TZOFFSETTO:+0200",
            "TZNAME:CEST",
            "DTSTART:19960331T020000",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
            "END:DAYLIGHT",
            "BEGIN:STANDARD",
            "TZOFFSETFROM:+0200",
            "TZOFFSETTO:+0100",
            "TZNAME:CET",
            "DTSTART:19961027T030000",
            "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
            "END:STANDARD",
            "END:VTIMEZONE",
            "BEGIN:VEVENT",
        ]
        .join("\r\n");
        assert!(ics.contains(&vtimezone), "{ics}");
        // The onsets given are real: the last Sundays of March and October 1996.
        assert_eq!(d(1996, 3, 31).weekday(), Weekday::Sun);
        assert_eq!(d(1996, 10, 27).weekday(), Weekday::Sun);
        // Lisbon and Helsinki switch at the same instant, at their own local hours.
        let lisbon = calendar(&input("Europe/Lisbon")).unwrap();
        assert!(lisbon.contains(
            "TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nTZNAME:WEST\r\nDTSTART:19960331T010000"
        ));
        let helsinki = calendar(&input("Europe/Helsinki")).unwrap();
        assert!(helsinki.contains(
            "TZOFFSETFROM:+0300\r\nTZOFFSETTO:+0200\r\nTZNAME:EET\r\nDTSTART:19961027T040000"
        ));
    }

    #[test]
    fn other_zones_float_and_utc_is_utc() {
        let ics = calendar(&input("America/New_York")).unwrap();
        assert!(
            !ics.contains("VTIMEZONE") && !ics.contains("TZID") && !ics.contains("X-WR-TIMEZONE")
        );
        assert!(has(&events(&ics)[0], "DTSTART:20251111T100000"), "floating");
        assert!(!time_zone_is_known("America/New_York"));
        let ics = calendar(&input("UTC")).unwrap();
        assert!(has(&events(&ics)[0], "DTSTART:20251111T100000Z"));
        assert!(!ics.contains("VTIMEZONE"));
        assert!(time_zone_is_known("UTC") && time_zone_is_known("Europe/Amsterdam"));
    }

    #[test]
    fn deadlines_as_all_day_and_timed_events() {
        let ics = calendar(&input("Europe/Amsterdam")).unwrap();
        let ev = events(&ics);
        let target = &ev[1];
        assert!(has(target, "SUMMARY:First interviews done"));
        assert!(has(target, "DTSTART;VALUE=DATE:20251121"));
        assert!(has(target, "DTEND;VALUE=DATE:20251122"));
        assert!(has(target, "TRANSP:TRANSPARENT"));
        let action = &ev[2];
        assert!(has(action, "DTSTART;TZID=Europe/Amsterdam:20251112T140000"));
        assert!(has(action, "DTEND;TZID=Europe/Amsterdam:20251112T141500"));
        assert!(!ics.contains("Already done"), "done items are left out");
    }

    #[test]
    fn text_is_escaped() {
        let ics = calendar(&input("Europe/Amsterdam")).unwrap();
        assert!(has(
            &events(&ics)[2],
            r"SUMMARY:Call back Jan\, Piet\; then Klaas\nand Marie"
        ));
        let mut with_backslash = input("Europe/Amsterdam");
        with_backslash.deadlines[0].title = r"C:\jobs".into();
        let ics = calendar(&with_backslash).unwrap();
        assert!(has(&events(&ics)[1], r"SUMMARY:C:\\jobs"));
    }

    #[test]
    fn long_lines_fold_at_75_octets() {
        let mut long = input("Europe/Amsterdam");
        long.deadlines[0].title = "Tweede gesprekken afronden met alle kandidaten — ook de late aanmelders uit België en Duitsland één voor één".into();
        let ics = calendar(&long).unwrap();
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        }
        assert!(ics.contains("\r\n "), "folded");
        assert!(
            has(
                &events(&ics)[1],
                &format!("SUMMARY:{}", long.deadlines[0].title)
            ),
            "unfolds to the title"
        );
    }

    #[test]
    fn uids_are_stable_and_distinct() {
        let uids = |ics: &str| -> Vec<String> {
            unfolded(ics)
                .into_iter()
                .filter(|l| l.starts_with("UID:"))
                .collect()
        };
        let first = calendar(&input("Europe/Amsterdam")).unwrap();
        let mut later = input("Europe/Amsterdam");
        later.stamp = Utc.with_ymd_and_hms(2025, 12, 1, 9, 0, 0).unwrap();
        later.deadlines[0].due = Due::On(d(2025, 11, 28));
        let second = calendar(&later).unwrap();
        assert_eq!(uids(&first), uids(&second), "same items, same UIDs");
        let all = uids(&first);
        assert_eq!(all.len(), 3);
        assert!(all
            .iter()
            .all(|u| u.ends_with("@tandem") && !u.contains("3f2a9c")));
        assert!(all[0] != all[1] && all[1] != all[2] && all[0] != all[2]);
        let mut other = input("Europe/Amsterdam");
        other.vacancy_id = "another".into();
        assert!(
            uids(&calendar(&other).unwrap())
                .iter()
                .all(|u| !all.contains(u)),
            "per vacancy"
        );
        // A later export is a newer revision.
        let seq = |ics: &str| -> u64 {
            unfolded(ics)
                .iter()
                .find_map(|l| l.strip_prefix("SEQUENCE:").map(|s| s.parse().unwrap()))
                .unwrap()
        };
        assert!(seq(&second) > seq(&first));
    }

    #[test]
    fn a_name_that_looks_like_a_line_does_not_move_the_time_zone() {
        let mut odd = input("Europe/Amsterdam");
        // Folded so that "BEGIN:VEVENT" ends a physical line of the calendar's name.
        odd.name = format!("{}BEGIN:VEVENT", "x".repeat(63));
        let ics = calendar(&odd).unwrap();
        let lines = unfolded(&ics);
        assert!(has(&lines, &format!("X-WR-CALNAME:{}", odd.name)));
        let at = |line: &str| lines.iter().position(|l| l == line).unwrap();
        assert_eq!(at("END:VTIMEZONE") + 1, at("BEGIN:VEVENT"));
    }

    #[test]
    fn without_a_checkin_or_deadlines() {
        let mut empty = input("Europe/Amsterdam");
        empty.checkin = None;
        empty.deadlines.clear();
        let ics = calendar(&empty).unwrap();
        assert!(events(&ics).is_empty());
        assert!(!ics.contains("VTIMEZONE"), "no times, no zone");
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn a_bad_checkin_length_is_an_error() {
        let mut bad = input("Europe/Amsterdam");
        if let Some(c) = bad.checkin.as_mut() {
            c.agreement.minutes = 0;
        }
        assert_eq!(
            calendar(&bad),
            Err(IcsError::Checkin(AgendaError::BadLength(0)))
        );
    }
}
