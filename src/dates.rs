//! Dates and months as the extracts write them: `dd/mm/yyyy` (or with `.` or `-`),
//! `yyyy-mm-dd`, `16 Sep 2025` (or `16-Sep-2025`, `16 September 2025`), or an Excel
//! serial day number; any of them may be followed by a time of day (`16/09/2025
//! 00:00`, `2025-09-16T00:00:00`), which is dropped. `mm/dd/yyyy` is never guessed:
//! a first part above 12 is fine (it is a day), a second part above 12 is an error,
//! not a swap.

use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// Excel's day 0 in the 1900 date system, allowing for its phantom 29 Feb 1900:
/// serial 60 is that phantom day, so serials from 61 on count from 1899-12-30.
const EXCEL_EPOCH: (i32, u32, u32) = (1899, 12, 30);

/// Serial numbers outside this range are not taken as dates (1 = 1900-01-01,
/// 2958465 = 9999-12-31); a plain number such as `7` is too small to be a date.
const EXCEL_SERIAL_MIN: i64 = 61;
const EXCEL_SERIAL_MAX: i64 = 2_958_465;

/// Parses a date in any accepted form. `None` when the text is not a date.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    parse_day(text).map(Day::date)
}

/// [`parse_date`], as a [`Day`]: the two shapes nearly every extract writes are
/// read digit by digit and checked by arithmetic, without making a `NaiveDate`.
#[inline]
pub(crate) fn parse_day(text: &str) -> Option<Day> {
    if let Some((year, month, day)) = fixed_shape(text.as_bytes()) {
        return Day::new(year, month, day);
    }
    parse_other_day(text)
}

/// [`parse_day`] for every shape but the two fixed ones: kept out of line, so that
/// the common case does not pay for this one's stack frame.
#[inline(never)]
fn parse_other_day(text: &str) -> Option<Day> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    let date = without_time(s);
    parse_iso(date)
        .or_else(|| parse_dmy(date))
        .or_else(|| parse_named_month(date))
        .or_else(|| parse_excel_serial(s))
        .map(Day::from)
}

/// `s` without a time of day after the date (` 00:00`, ` 00:00:00`, `T00:00:00`,
/// with a fraction of a second or a `Z`): spreadsheets and databases add one to
/// dates. Anything else after the date is left, so that it is not a date.
fn without_time(s: &str) -> &str {
    match s.rfind([' ', 'T']) {
        Some(i) if i > 0 && is_time_of_day(&s[i + 1..]) => s[..i].trim_end(),
        _ => s,
    }
}

/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff`, optionally with `Z`, of a real time.
fn is_time_of_day(t: &str) -> bool {
    let t = t.strip_suffix('Z').unwrap_or(t);
    let (hms, fraction) = t.split_once('.').unwrap_or((t, "0"));
    let two = |p: &str, below: u32| {
        p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u32>().is_ok_and(|n| n < below)
    };
    let parts: Vec<&str> = hms.split(':').collect();
    let limits = [24, 60, 60];
    (2..=3).contains(&parts.len())
        && parts.iter().zip(limits).all(|(p, below)| two(p, below))
        && !fraction.is_empty()
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// The year, month and day of `dd/mm/yyyy` or `yyyy-mm-dd` exactly; `None` for
/// any other shape.
#[inline]
fn fixed_shape(t: &[u8]) -> Option<(i32, u32, u32)> {
    let t: &[u8; 10] = t.try_into().ok()?;
    let digit = |b: u8| {
        let d = b.wrapping_sub(b'0');
        (d < 10).then_some(u32::from(d))
    };
    let two = |i: usize| Some(digit(t[i])? * 10 + digit(t[i + 1])?);
    let four = |i: usize| Some(two(i)? * 100 + two(i + 2)?);
    if t[2] == b'/' && t[5] == b'/' {
        Some((four(6)? as i32, two(3)?, two(0)?))
    } else if t[4] == b'-' && t[7] == b'-' {
        Some((four(0)? as i32, two(5)?, two(8)?))
    } else {
        None
    }
}

/// A calendar date packed into a number that orders as dates do. A million rows
/// have three dates each: checking them this way, comparing them so in filters,
/// and making a `NaiveDate` only for the dates an output or a derived field (age,
/// days open) reads, is several times faster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Day(u32);

/// Years from this far before year 0 pack (chrono's own range is narrower).
const YEAR_BIAS: i32 = 1 << 19;

impl Day {
    /// The day, if it is a real one (proleptic Gregorian, as chrono counts).
    ///
    /// Worked out by table and arithmetic rather than by branching on the month:
    /// the months of an extract's dates come in no order a processor could predict.
    #[inline]
    pub(crate) fn new(year: i32, month: u32, day: u32) -> Option<Day> {
        const DAYS: [u32; 13] = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        let leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0));
        let days = DAYS.get(month as usize).copied().unwrap_or(0) + u32::from((month == 2) & leap);
        let in_range = (0..=9999).contains(&year) || NaiveDate::from_ymd_opt(year, 1, 1).is_some();
        let fits = (day >= 1) & (day <= days) & in_range;
        fits.then(|| Day(((year + YEAR_BIAS) as u32) << 9 | month << 5 | day))
    }

    pub(crate) fn date(self) -> NaiveDate {
        let (year, month, day) = ((self.0 >> 9) as i32 - YEAR_BIAS, (self.0 >> 5) & 15, self.0 & 31);
        NaiveDate::from_ymd_opt(year, month, day).expect("a Day is a real date")
    }
}

impl From<NaiveDate> for Day {
    fn from(d: NaiveDate) -> Day {
        Day::new(d.year(), d.month(), d.day()).expect("a NaiveDate is a real date")
    }
}

/// Explains why `text` is not an accepted date, for error messages.
pub(crate) fn date_problem(text: &str) -> String {
    let s = text.trim();
    let parts: Vec<&str> = s.split('/').collect();
    if parts.len() == 3 {
        if let (Ok(a), Ok(b)) = (parts[0].parse::<u32>(), parts[1].parse::<u32>())
            && b > 12
            && a <= 12
        {
            return format!(
                "\"{s}\" looks like a US-style date (month/day/year); write dates as dd/mm/yyyy or yyyy-mm-dd"
            );
        }
        if parts[2].trim().len() == 2 {
            return format!("\"{s}\" has a two-digit year; write it in full (dd/mm/yyyy or yyyy-mm-dd)");
        }
        return format!("\"{s}\" is not a real date (expected dd/mm/yyyy or yyyy-mm-dd)");
    }
    format!("\"{s}\" is not a date (expected dd/mm/yyyy, yyyy-mm-dd, 16 Sep 2025 or an Excel day number)")
}

/// Formats a date the way every output writes it: ISO `yyyy-mm-dd`.
pub(crate) fn format_date(d: NaiveDate) -> String {
    // chrono's formatter interprets "%Y-%m-%d" on every call; years outside
    // 0..=9999 (which it writes with a sign) still go through it.
    if (0..=9999).contains(&d.year()) {
        format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
    } else {
        d.format("%Y-%m-%d").to_string()
    }
}

fn parse_iso(s: &str) -> Option<NaiveDate> {
    let mut it = s.split('-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Day, month and a four-digit year, separated by `/`, `.` or `-` (the same one twice).
fn parse_dmy(s: &str) -> Option<NaiveDate> {
    let separator = s.chars().find(|c| ['/', '.', '-'].contains(c))?;
    let mut it = s.split(separator);
    let (d, m, y) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || !year_digits(y) || !digits(d, 2) || !digits(m, 2) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// One to `most` ASCII digits.
fn digits(p: &str, most: usize) -> bool {
    !p.is_empty() && p.len() <= most && p.bytes().all(|b| b.is_ascii_digit())
}

/// A year written in full: four digits.
fn year_digits(y: &str) -> bool {
    y.len() == 4 && digits(y, 4)
}

/// The months by name, as English dates write them.
const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// `16 Sep 2025`, `16-Sep-2025`, `16 September 2025` (also `Sept`), in any case:
/// the day first, the month by its name or its first three letters, a four-digit year.
fn parse_named_month(s: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = if s.contains('-') {
        s.split('-').collect()
    } else {
        s.split_whitespace().collect()
    };
    let [d, m, y] = parts[..] else {
        return None;
    };
    if !digits(d, 2) || !year_digits(y) {
        return None;
    }
    let m = m.to_ascii_lowercase();
    let month = MONTH_NAMES.iter().position(|name| {
        m == *name || (m.len() == 3 && name.starts_with(&m)) || (m == "sept" && *name == "september")
    })?;
    NaiveDate::from_ymd_opt(y.parse().ok()?, month as u32 + 1, d.parse().ok()?)
}

fn parse_excel_serial(s: &str) -> Option<NaiveDate> {
    // "44090" or "44090.0" (a date cell read as a number); a fraction is a time of day.
    let whole = match s.split_once('.') {
        Some((w, frac)) if frac.bytes().all(|b| b.is_ascii_digit()) => w,
        Some(_) => return None,
        None => s,
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let serial: i64 = whole.parse().ok()?;
    excel_serial_to_date(serial)
}

/// Converts an Excel (1900 system) serial day number to a date.
pub(crate) fn excel_serial_to_date(serial: i64) -> Option<NaiveDate> {
    if !(EXCEL_SERIAL_MIN..=EXCEL_SERIAL_MAX).contains(&serial) {
        return None;
    }
    let (y, m, d) = EXCEL_EPOCH;
    NaiveDate::from_ymd_opt(y, m, d)?.checked_add_days(chrono::Days::new(u64::try_from(serial).ok()?))
}

/// Whole years from `born` to `on` (0 before the first birthday; negative never).
pub(crate) fn whole_years(born: NaiveDate, on: NaiveDate) -> i64 {
    if on < born {
        return 0;
    }
    let mut years = i64::from(on.year() - born.year());
    if (on.month(), on.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    years.max(0)
}

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Month {
    pub(crate) year: i32,
    pub(crate) month: u32,
}

impl Month {
    pub(crate) fn of(date: NaiveDate) -> Self {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// Months from `earlier` to `self` (negative when `earlier` is later).
    pub(crate) fn months_since(self, earlier: Month) -> i64 {
        (i64::from(self.year) - i64::from(earlier.year)) * 12 + i64::from(self.month)
            - i64::from(earlier.month)
    }

    /// The month before this one.
    pub(crate) fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    pub(crate) fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a Month always holds a valid month")
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = String;

    /// Only `YYYY-MM` is a month.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let bad = || format!("\"{t}\" is not a month (expected YYYY-MM, e.g. 2026-11)");
        let (y, m) = t.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Month { year, month })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_shapes_agree_with_the_general_parser() {
        for t in [
            "01/02/2024",
            "31/12/1999",
            "29/02/2023",
            "00/01/2020",
            "2024-02-29",
            "2023-02-29",
            "2024-13-01",
            "1/2/2024x",
            "12/31/2024",
            "2024-1-011",
            "0000-01-01",
            "9999-12-31",
        ] {
            let general = parse_other_day(t).map(Day::date);
            if let Some((y, m, day)) = fixed_shape(t.as_bytes()) {
                assert_eq!(Day::new(y, m, day).map(Day::date), general, "{t}");
            }
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn accepts_the_three_forms() {
        assert_eq!(parse_date("16/09/2020"), Some(d(2020, 9, 16)));
        assert_eq!(parse_date("2020-09-16"), Some(d(2020, 9, 16)));
        assert_eq!(parse_date("44090"), Some(d(2020, 9, 16)));
        assert_eq!(parse_date("44090.0"), Some(d(2020, 9, 16)));
        assert_eq!(parse_date(" 1/2/2021 "), Some(d(2021, 2, 1)));
        assert_eq!(parse_date("2020-09-16 00:00:00"), Some(d(2020, 9, 16)));
    }

    #[test]
    fn accepts_what_real_exports_write() {
        let sep16 = Some(d(2025, 9, 16));
        for t in [
            "16 Sep 2025",
            "16-Sep-2025",
            "16 September 2025",
            "16 SEPT 2025",
            "16-09-2025",
            "16.09.2025",
            "16/09/2025 00:00",
            "16/09/2025 00:00:00",
            "2025-09-16T00:00:00",
            "2025-09-16T00:00:00.000Z",
            "16 Sep 2025 00:00",
            "45916.0",
            "16/09/2025 14:30",
        ] {
            assert_eq!(parse_date(t), sep16, "{t}");
        }
        for t in [
            "16/09/2025 foo",
            "16/09/2025 24:00",
            "16 Sep 25",
            "Sep 16 2025",
            "16 Sepember 2025",
            "16/09-2025",
            "32 Jan 2025",
            "16 Se 2025",
            "2025-09-16Tnoon",
            "00/00/0000",
        ] {
            assert_eq!(parse_date(t), None, "{t}");
        }
        assert!(date_problem("16 Sep 25").contains("16 Sep 2025"));
    }

    #[test]
    fn never_guesses_us_dates() {
        assert_eq!(parse_date("09/16/2020"), None);
        assert!(date_problem("09/16/2020").contains("US-style"));
        assert!(date_problem("26/11/26").contains("two-digit year"));
        assert_eq!(parse_date("31/02/2021"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("7"), None);
        assert_eq!(parse_date("2020-9-16x"), None);
    }

    #[test]
    fn excel_serials() {
        assert_eq!(excel_serial_to_date(61), Some(d(1900, 3, 1)));
        assert_eq!(excel_serial_to_date(45000), Some(d(2023, 3, 15)));
    }

    #[test]
    fn ages_in_whole_years() {
        assert_eq!(whole_years(d(2020, 3, 1), d(2021, 2, 28)), 0);
        assert_eq!(whole_years(d(2020, 3, 1), d(2021, 3, 1)), 1);
        assert_eq!(whole_years(d(2021, 3, 1), d(2020, 3, 1)), 0);
    }

    #[test]
    fn months() {
        let m: Month = "2026-01".parse().unwrap();
        assert_eq!(m.previous().to_string(), "2025-12");
        assert_eq!(m.months_since("2025-02".parse().unwrap()), 11);
        assert!("2026-1".parse::<Month>().is_err());
        assert!("2026-13".parse::<Month>().is_err());
        assert!("Nov 2026".parse::<Month>().is_err());
    }

    proptest::proptest! {
        /// Every form of a real date reads as that date, with or without a time.
        #[test]
        fn every_form_of_a_date_reads_as_that_date(y in 1900i32..2100, m in 1u32..13, day in 1u32..32, midnight in proptest::bool::ANY) {
            let Some(want) = NaiveDate::from_ymd_opt(y, m, day) else { return Ok(()) };
            let name = MONTH_NAMES[m as usize - 1];
            let short = &name[..3];
            let time = if midnight { " 00:00" } else { "" };
            for t in [
                format!("{day:02}/{m:02}/{y}"),
                format!("{day}/{m}/{y}"),
                format!("{day}.{m}.{y}"),
                format!("{day:02}-{m:02}-{y}"),
                format!("{y}-{m:02}-{day:02}"),
                format!("{day} {short} {y}"),
                format!("{day}-{short}-{y}"),
                format!("{day} {name} {y}"),
                format!("{day} {} {y}", short.to_uppercase()),
            ] {
                let t = format!("{t}{time}");
                proptest::prop_assert_eq!(parse_date(&t), Some(want), "{}", t);
            }
            // Month first is never read, where it could be taken for a day first.
            if day > 12 {
                let us = format!("{m:02}/{day:02}/{y}");
                proptest::prop_assert_eq!(parse_date(&us), None, "{}", us);
            }
        }

        #[test]
        fn a_day_is_a_real_date_exactly_when_chrono_says_so_and_orders_as_dates_do(
            a in (-3000i32..12000, 0u32..14, 0u32..33), b in (1990i32..2030, 1u32..13, 1u32..32),
        ) {
            let day = Day::new(a.0, a.1, a.2);
            proptest::prop_assert_eq!(day.map(Day::date), NaiveDate::from_ymd_opt(a.0, a.1, a.2));
            if let (Some(x), Some(y)) = (day, Day::new(b.0, b.1, b.2)) {
                proptest::prop_assert_eq!(x.cmp(&y), x.date().cmp(&y.date()));
                proptest::prop_assert_eq!(Day::from(x.date()), x);
            }
        }
    }
}
