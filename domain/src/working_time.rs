//! Working days and working hours in the Netherlands.
//!
//! The agreements of a vacancy are counted in working time ("feedback within 16 working hours",
//! "a decision within 3 working days"), so a deadline set on a Friday afternoon does not expire
//! over the weekend, nor over Easter. Holidays are computed from the year, not kept in a table
//! that runs out.
//!
//! The choices, made once here so every screen counts the same way:
//! - **The working day** runs from [`DAY_START`] (09:00) to [`DAY_END`] (17:00): eight hours,
//!   Monday to Friday. One figure for everyone, because the two partners' own hours are not
//!   recorded and a shared deadline must fall at the same moment for both.
//! - **Holidays** ([`Holiday`]) are the days most Dutch employers give off: Nieuwjaarsdag, Eerste
//!   and Tweede Paasdag, Koningsdag, Bevrijdingsdag in lustrum years only, Hemelvaartsdag, Eerste
//!   and Tweede Pinksterdag, Eerste and Tweede Kerstdag.
//!   - *Goede Vrijdag is a working day*: it is not a holiday under the Algemene termijnenwet and
//!     most collective agreements do not give it off.
//!   - *Bevrijdingsdag (5 May) counts only every fifth year* (2025, 2030, …): the common
//!     arrangement in collective agreements. The Algemene termijnenwet and the government as an
//!     employer count it every year; we follow what most of our users' employers do.
//! - **Times are local wall-clock times** (`NaiveDateTime`, in the vacancy's own time zone). The
//!   clocks change on Sunday nights, outside working hours, so counting working hours in
//!   wall-clock time is exact.
//!
//! Every function that walks the calendar is bounded by [`MAX_SPAN_DAYS`]: a number typed into a
//! shared document (or sent by a hostile peer) must not make the app walk the calendar for ever.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Weekday};

/// When the working day starts: 09:00.
pub const DAY_START: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(t) => t,
    None => panic!("09:00 is a valid time"),
};

/// When the working day ends: 17:00.
pub const DAY_END: NaiveTime = match NaiveTime::from_hms_opt(17, 0, 0) {
    Some(t) => t,
    None => panic!("17:00 is a valid time"),
};

/// The length of one working day: eight hours.
pub const HOURS_PER_DAY: i64 = 8;

/// The furthest any calculation here walks: about ten years of calendar days.
pub const MAX_SPAN_DAYS: u64 = 3660;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkingTimeError {
    /// The answer lies further away than [`MAX_SPAN_DAYS`] (or before the start), which no
    /// agreement of a vacancy needs: refused rather than computed slowly or wrongly.
    #[error("that is too far away to count in working time (more than about ten years)")]
    TooFar,
}

/// A Dutch public holiday on which most employers give the day off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Holiday {
    Nieuwjaarsdag,
    EerstePaasdag,
    TweedePaasdag,
    Koningsdag,
    Bevrijdingsdag,
    Hemelvaartsdag,
    EerstePinksterdag,
    TweedePinksterdag,
    EersteKerstdag,
    TweedeKerstdag,
}

impl Holiday {
    /// The Dutch name, as it appears on a calendar.
    pub fn dutch_name(self) -> &'static str {
        match self {
            Holiday::Nieuwjaarsdag => "Nieuwjaarsdag",
            Holiday::EerstePaasdag => "Eerste Paasdag",
            Holiday::TweedePaasdag => "Tweede Paasdag",
            Holiday::Koningsdag => "Koningsdag",
            Holiday::Bevrijdingsdag => "Bevrijdingsdag",
            Holiday::Hemelvaartsdag => "Hemelvaartsdag",
            Holiday::EerstePinksterdag => "Eerste Pinksterdag",
            Holiday::TweedePinksterdag => "Tweede Pinksterdag",
            Holiday::EersteKerstdag => "Eerste Kerstdag",
            Holiday::TweedeKerstdag => "Tweede Kerstdag",
        }
    }
}

/// Easter Sunday of `year` (Gregorian), by the anonymous Gregorian computus (Meeus/Jones/Butcher).
///
/// `None` only for years outside chrono's range.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    // Both are small and positive by construction (month 3 or 4, day 1..=31).
    NaiveDate::from_ymd_opt(year, month.unsigned_abs(), day.unsigned_abs())
}

/// The holidays of `year`, in calendar order.
pub fn holidays(year: i32) -> Vec<(NaiveDate, Holiday)> {
    let mut days = Vec::with_capacity(10);
    let mut push = |date: Option<NaiveDate>, holiday| {
        if let Some(date) = date {
            days.push((date, holiday));
        }
    };
    push(NaiveDate::from_ymd_opt(year, 1, 1), Holiday::Nieuwjaarsdag);
    if let Some(easter) = easter_sunday(year) {
        let after = |n| easter.checked_add_days(Days::new(n));
        push(Some(easter), Holiday::EerstePaasdag);
        push(after(1), Holiday::TweedePaasdag);
        push(koningsdag(year), Holiday::Koningsdag);
        if year.rem_euclid(5) == 0 {
            push(NaiveDate::from_ymd_opt(year, 5, 5), Holiday::Bevrijdingsdag);
        }
        push(after(39), Holiday::Hemelvaartsdag);
        push(after(49), Holiday::EerstePinksterdag);
        push(after(50), Holiday::TweedePinksterdag);
    }
    push(
        NaiveDate::from_ymd_opt(year, 12, 25),
        Holiday::EersteKerstdag,
    );
    push(
        NaiveDate::from_ymd_opt(year, 12, 26),
        Holiday::TweedeKerstdag,
    );
    // Easter falls between 22 March and 25 April, so Koningsdag or Bevrijdingsdag can land
    // before Hemelvaartsdag or even before Tweede Paasdag: sort rather than trust the order.
    crate::sorting::sort_by_key(&mut days, |(date, _)| *date);
    days
}

/// The king's (or queen's) birthday as celebrated: 27 April since 2014, moved to the 26th when
/// the 27th is a Sunday; before that Koninginnedag, 30 April, moved to the 29th on a Sunday.
fn koningsdag(year: i32) -> Option<NaiveDate> {
    let (day, sunday_instead) = if year >= 2014 { (27, 26) } else { (30, 29) };
    let date = NaiveDate::from_ymd_opt(year, 4, day)?;
    if date.weekday() == Weekday::Sun {
        NaiveDate::from_ymd_opt(year, 4, sunday_instead)
    } else {
        Some(date)
    }
}

/// The holiday on `date`, if it is one.
pub fn holiday(date: NaiveDate) -> Option<Holiday> {
    holidays(date.year())
        .into_iter()
        .find(|(d, _)| *d == date)
        .map(|(_, h)| h)
}

/// Whether `date` is a working day: Monday to Friday and not a [`Holiday`].
pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && holiday(date).is_none()
}

/// The first working day strictly after `date`.
pub fn next_working_day(date: NaiveDate) -> Result<NaiveDate, WorkingTimeError> {
    let mut day = date;
    // The longest run of days off is a few days (Christmas next to a weekend); the bound only
    // guards against walking off the end of chrono's calendar.
    for _ in 0..MAX_SPAN_DAYS {
        day = day.succ_opt().ok_or(WorkingTimeError::TooFar)?;
        if is_working_day(day) {
            return Ok(day);
        }
    }
    Err(WorkingTimeError::TooFar)
}

/// The date `days` working days after `date`: Friday + 1 is Monday, and a weekend or holiday
/// `date` counts from the next working day (Saturday + 1 is Monday). Zero days is `date` itself.
pub fn add_working_days(date: NaiveDate, days: u32) -> Result<NaiveDate, WorkingTimeError> {
    if u64::from(days) > MAX_SPAN_DAYS {
        return Err(WorkingTimeError::TooFar);
    }
    let mut day = date;
    for _ in 0..days {
        day = next_working_day(day)?;
    }
    Ok(day)
}

/// The moment `hours` working hours after `start`. See [`add_working_time`].
pub fn add_working_hours(
    start: NaiveDateTime,
    hours: u32,
) -> Result<NaiveDateTime, WorkingTimeError> {
    add_working_time(start, TimeDelta::hours(i64::from(hours)))
}

/// The moment `span` of working time after `start`.
///
/// Time outside working hours does not count: a start in the evening, at a weekend or on a
/// holiday counts from the next working day's [`DAY_START`]. A span that ends exactly at the end
/// of a working day ends at [`DAY_END`] that day, not at the next morning. A zero or negative
/// span is `start` itself.
pub fn add_working_time(
    start: NaiveDateTime,
    span: TimeDelta,
) -> Result<NaiveDateTime, WorkingTimeError> {
    if span <= TimeDelta::zero() {
        return Ok(start);
    }
    if span > day_length() * MAX_SPAN_DAYS as i32 {
        return Err(WorkingTimeError::TooFar);
    }
    let mut remaining = span;
    let mut at = start;
    loop {
        if !is_working_day(at.date()) || at.time() >= DAY_END {
            at = next_working_day(at.date())?.and_time(DAY_START);
            continue;
        }
        if at.time() < DAY_START {
            at = at.date().and_time(DAY_START);
        }
        let left_today = DAY_END - at.time();
        if remaining <= left_today {
            return Ok(at + remaining);
        }
        remaining -= left_today;
        at = next_working_day(at.date())?.and_time(DAY_START);
    }
}

/// How much working time lies between `from` and `to`; zero when `to` is not after `from`.
///
/// This is the measure behind "feedback within N working hours" and behind how long a partner
/// took to give feedback.
pub fn working_time_between(
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<TimeDelta, WorkingTimeError> {
    if to <= from {
        return Ok(TimeDelta::zero());
    }
    let span_days = (to.date() - from.date()).num_days();
    if span_days > MAX_SPAN_DAYS as i64 {
        return Err(WorkingTimeError::TooFar);
    }
    let mut total = TimeDelta::zero();
    let mut day = from.date();
    loop {
        if is_working_day(day) {
            let open = day.and_time(DAY_START).max(from);
            let close = day.and_time(DAY_END).min(to);
            if close > open {
                total += close - open;
            }
        }
        if day >= to.date() {
            return Ok(total);
        }
        day = day.succ_opt().ok_or(WorkingTimeError::TooFar)?;
    }
}

fn day_length() -> TimeDelta {
    TimeDelta::hours(HOURS_PER_DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(y: i32, m: u32, day: u32, h: u32, min: u32) -> NaiveDateTime {
        d(y, m, day).and_hms_opt(h, min, 0).unwrap()
    }

    #[test]
    fn easter_by_the_computus() {
        assert_eq!(easter_sunday(2025), Some(d(2025, 4, 20)));
        assert_eq!(easter_sunday(2026), Some(d(2026, 4, 5)));
        assert_eq!(easter_sunday(2027), Some(d(2027, 3, 28)));
        // The extremes of the Gregorian range: 22 March and 25 April.
        assert_eq!(easter_sunday(2285), Some(d(2285, 3, 22)));
        assert_eq!(easter_sunday(2038), Some(d(2038, 4, 25)));
        assert_eq!(easter_sunday(2000), Some(d(2000, 4, 23)));
    }

    #[test]
    fn the_holidays_of_2025() {
        use Holiday::*;
        assert_eq!(
            holidays(2025),
            vec![
                (d(2025, 1, 1), Nieuwjaarsdag),
                (d(2025, 4, 20), EerstePaasdag),
                (d(2025, 4, 21), TweedePaasdag),
                // The 27th is a Sunday in 2025.
                (d(2025, 4, 26), Koningsdag),
                // A lustrum year.
                (d(2025, 5, 5), Bevrijdingsdag),
                (d(2025, 5, 29), Hemelvaartsdag),
                (d(2025, 6, 8), EerstePinksterdag),
                (d(2025, 6, 9), TweedePinksterdag),
                (d(2025, 12, 25), EersteKerstdag),
                (d(2025, 12, 26), TweedeKerstdag),
            ]
        );
    }

    #[test]
    fn the_holidays_of_2026_and_2027() {
        use Holiday::*;
        let h26 = holidays(2026);
        assert!(h26.contains(&(d(2026, 4, 6), TweedePaasdag)));
        assert!(h26.contains(&(d(2026, 4, 27), Koningsdag)));
        assert!(h26.contains(&(d(2026, 5, 14), Hemelvaartsdag)));
        assert!(h26.contains(&(d(2026, 5, 25), TweedePinksterdag)));
        assert!(
            !h26.iter().any(|(_, h)| *h == Bevrijdingsdag),
            "2026 is no lustrum year"
        );
        let h27 = holidays(2027);
        assert!(h27.contains(&(d(2027, 3, 29), TweedePaasdag)));
        assert!(h27.contains(&(d(2027, 5, 6), Hemelvaartsdag)));
        assert!(h27.contains(&(d(2027, 5, 17), TweedePinksterdag)));
        assert_eq!(
            holidays(2030)
                .iter()
                .filter(|(_, h)| *h == Bevrijdingsdag)
                .count(),
            1
        );
        // Before 2014: Koninginnedag, 30 April (2011: a Saturday, still the 30th).
        assert!(holidays(2011).contains(&(d(2011, 4, 30), Koningsdag)));
        assert!(
            holidays(2006).contains(&(d(2006, 4, 29), Koningsdag)),
            "30 April 2006 was a Sunday"
        );
    }

    #[test]
    fn working_days() {
        assert!(
            is_working_day(d(2025, 4, 18)),
            "Goede Vrijdag is a working day"
        );
        assert!(!is_working_day(d(2025, 4, 21)), "Tweede Paasdag");
        assert!(!is_working_day(d(2025, 5, 5)), "Bevrijdingsdag 2025");
        assert!(
            is_working_day(d(2026, 5, 5)),
            "Bevrijdingsdag 2026 is worked"
        );
        assert!(!is_working_day(d(2025, 11, 8)), "a Saturday");
        assert!(is_working_day(d(2025, 11, 10)), "a Monday");
        assert_eq!(holiday(d(2025, 12, 26)), Some(Holiday::TweedeKerstdag));
        assert_eq!(holiday(d(2025, 12, 27)), None);
    }

    #[test]
    fn adding_working_days_across_weekends() {
        // Friday 7 November 2025.
        assert_eq!(add_working_days(d(2025, 11, 7), 0), Ok(d(2025, 11, 7)));
        assert_eq!(add_working_days(d(2025, 11, 7), 1), Ok(d(2025, 11, 10)));
        assert_eq!(add_working_days(d(2025, 11, 7), 5), Ok(d(2025, 11, 14)));
        // From a Saturday, the first working day counted is Monday.
        assert_eq!(add_working_days(d(2025, 11, 8), 1), Ok(d(2025, 11, 10)));
    }

    #[test]
    fn adding_working_days_across_easter() {
        // 2025: Thursday 17 April + 1 is Goede Vrijdag; + 2 skips Easter Monday to Tuesday 22.
        assert_eq!(add_working_days(d(2025, 4, 17), 1), Ok(d(2025, 4, 18)));
        assert_eq!(add_working_days(d(2025, 4, 17), 2), Ok(d(2025, 4, 22)));
        // 2026: Friday 3 April + 1 is Tuesday 7 April.
        assert_eq!(add_working_days(d(2026, 4, 3), 1), Ok(d(2026, 4, 7)));
        // 2027: Friday 26 March + 1 is Tuesday 30 March.
        assert_eq!(add_working_days(d(2027, 3, 26), 1), Ok(d(2027, 3, 30)));
        // 2025: Friday 25 April + 1 skips Koningsdag (Saturday 26th) and lands on Monday 28th.
        assert_eq!(add_working_days(d(2025, 4, 25), 1), Ok(d(2025, 4, 28)));
        // 2026: Friday 24 April + 1 is Tuesday 28 April: Monday 27th is Koningsdag.
        assert_eq!(add_working_days(d(2026, 4, 24), 1), Ok(d(2026, 4, 28)));
    }

    #[test]
    fn adding_working_days_across_christmas_and_the_new_year() {
        // Wednesday 24 December 2025 + 1: Christmas Thursday and Friday, a weekend: Monday 29th.
        assert_eq!(add_working_days(d(2025, 12, 24), 1), Ok(d(2025, 12, 29)));
        // Wednesday 31 December 2025 + 1: Nieuwjaarsdag is Thursday, so Friday 2 January 2026.
        assert_eq!(add_working_days(d(2025, 12, 31), 1), Ok(d(2026, 1, 2)));
        assert_eq!(add_working_days(d(2025, 12, 31), 2), Ok(d(2026, 1, 5)));
    }

    #[test]
    fn adding_working_hours() {
        // Within one day, and ending exactly at the end of it.
        assert_eq!(
            add_working_hours(t(2025, 11, 10, 9, 0), 8),
            Ok(t(2025, 11, 10, 17, 0))
        );
        assert_eq!(
            add_working_hours(t(2025, 11, 10, 16, 0), 1),
            Ok(t(2025, 11, 10, 17, 0))
        );
        // Over the night.
        assert_eq!(
            add_working_hours(t(2025, 11, 10, 16, 0), 2),
            Ok(t(2025, 11, 11, 10, 0))
        );
        // Before opening and after closing.
        assert_eq!(
            add_working_hours(t(2025, 11, 10, 7, 30), 1),
            Ok(t(2025, 11, 10, 10, 0))
        );
        assert_eq!(
            add_working_hours(t(2025, 11, 10, 20, 0), 1),
            Ok(t(2025, 11, 11, 10, 0))
        );
        // Over a weekend: Friday 15:00 + 4 hours is Monday 11:00.
        assert_eq!(
            add_working_hours(t(2025, 11, 7, 15, 0), 4),
            Ok(t(2025, 11, 10, 11, 0))
        );
        // From a Saturday.
        assert_eq!(
            add_working_hours(t(2025, 11, 8, 12, 0), 1),
            Ok(t(2025, 11, 10, 10, 0))
        );
        // Zero hours is the start itself, wherever it is.
        assert_eq!(
            add_working_hours(t(2025, 11, 8, 12, 0), 0),
            Ok(t(2025, 11, 8, 12, 0))
        );
        // Minutes count too.
        assert_eq!(
            add_working_time(t(2025, 11, 10, 16, 45), TimeDelta::minutes(30)),
            Ok(t(2025, 11, 11, 9, 15))
        );
    }

    #[test]
    fn adding_working_hours_across_holidays() {
        // Thursday before Easter 2025, 14:00 + 16 hours: Goede Vrijdag is worked, Easter Monday
        // is not: 3 h Thursday, 8 h Friday, 5 h Tuesday 22 April.
        assert_eq!(
            add_working_hours(t(2025, 4, 17, 14, 0), 16),
            Ok(t(2025, 4, 22, 14, 0))
        );
        // Easter 2026 and 2027: Friday afternoon + 2 hours is Tuesday morning.
        assert_eq!(
            add_working_hours(t(2026, 4, 3, 16, 0), 2),
            Ok(t(2026, 4, 7, 10, 0))
        );
        assert_eq!(
            add_working_hours(t(2027, 3, 26, 16, 0), 2),
            Ok(t(2027, 3, 30, 10, 0))
        );
        // Christmas 2025 and the new year.
        assert_eq!(
            add_working_hours(t(2025, 12, 24, 16, 0), 2),
            Ok(t(2025, 12, 29, 10, 0))
        );
        assert_eq!(
            add_working_hours(t(2025, 12, 31, 16, 0), 2),
            Ok(t(2026, 1, 2, 10, 0))
        );
        // Hemelvaartsdag 2025 (Thursday 29 May).
        assert_eq!(
            add_working_hours(t(2025, 5, 28, 17, 0), 8),
            Ok(t(2025, 5, 30, 17, 0))
        );
    }

    #[test]
    fn working_time_between_two_moments() {
        let h = TimeDelta::hours;
        assert_eq!(
            working_time_between(t(2025, 11, 10, 9, 0), t(2025, 11, 10, 17, 0)),
            Ok(h(8))
        );
        assert_eq!(
            working_time_between(t(2025, 11, 7, 15, 0), t(2025, 11, 10, 11, 0)),
            Ok(h(4))
        );
        assert_eq!(
            working_time_between(t(2025, 11, 8, 0, 0), t(2025, 11, 9, 23, 0)),
            Ok(h(0))
        );
        assert_eq!(
            working_time_between(t(2025, 11, 10, 12, 0), t(2025, 11, 10, 11, 0)),
            Ok(h(0))
        );
        assert_eq!(
            working_time_between(t(2025, 4, 17, 14, 0), t(2025, 4, 22, 14, 0)),
            Ok(h(16))
        );
    }

    #[test]
    fn adding_and_measuring_agree() {
        let starts = [
            t(2025, 4, 17, 14, 0),
            t(2025, 12, 23, 8, 0),
            t(2026, 4, 2, 16, 30),
            t(2027, 3, 25, 12, 15),
            t(2025, 11, 8, 12, 0),
        ];
        for start in starts {
            for hours in [1, 3, 8, 9, 16, 40] {
                let end = add_working_hours(start, hours).unwrap();
                assert_eq!(
                    working_time_between(start, end),
                    Ok(TimeDelta::hours(i64::from(hours))),
                    "{start} + {hours} h = {end}"
                );
            }
        }
    }

    #[test]
    fn refuses_spans_nobody_agrees_to() {
        assert_eq!(
            add_working_days(d(2025, 1, 1), u32::MAX),
            Err(WorkingTimeError::TooFar)
        );
        assert_eq!(
            add_working_hours(t(2025, 1, 1, 9, 0), u32::MAX),
            Err(WorkingTimeError::TooFar)
        );
        assert_eq!(
            working_time_between(t(2025, 1, 1, 9, 0), t(2125, 1, 1, 9, 0)),
            Err(WorkingTimeError::TooFar)
        );
        // The end of chrono's calendar is an error, not a panic.
        assert_eq!(
            next_working_day(NaiveDate::MAX),
            Err(WorkingTimeError::TooFar)
        );
        assert_eq!(
            add_working_hours(NaiveDate::MAX.and_time(DAY_END), 1),
            Err(WorkingTimeError::TooFar)
        );
    }
}
