//! The legal day, date parsing and 和暦 (Japanese era dates).

use std::fmt;

use chrono::{Datelike, FixedOffset, NaiveDate};

/// A calendar date (proleptic Gregorian), the legal day in Japan.
pub use chrono::NaiveDate as Date;

const fn ymd(y: i32, m: u32, d: u32) -> Date {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("invalid constant date"),
    }
}

/// The legal day in Japan (日本標準時, UTC+9, no daylight saving) at the instant `now`.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use onshi_law::{legal_today, Date};
/// // 2024-03-31 15:00 UTC is already 1 April in Japan.
/// let now = Utc.with_ymd_and_hms(2024, 3, 31, 15, 0, 0).unwrap();
/// assert_eq!(legal_today(now), Date::from_ymd_opt(2024, 4, 1).unwrap());
/// ```
pub fn legal_today(now: chrono::DateTime<chrono::Utc>) -> Date {
    match FixedOffset::east_opt(9 * 3600) {
        Some(jst) => now.with_timezone(&jst).date_naive(),
        None => now.date_naive(),
    }
}

/// Why a string is not a date. [`code`](DateError::code) is always `invalid_date`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// Not in an accepted notation.
    #[error("{input:?} is not a date: expected {expected}")]
    Malformed {
        /// The input (cut to 40 characters).
        input: String,
        /// The accepted notations.
        expected: &'static str,
    },
    /// Well-formed but no such day (2024-02-30, month 13).
    #[error("{year:04}-{month:02}-{day:02} does not exist{}", impossible_hint(*year, *month))]
    Impossible {
        /// Gregorian year.
        year: i32,
        /// Month as written.
        month: u32,
        /// Day as written.
        day: u32,
    },
    /// A 和暦 date outside its era (平成32年, 令和元年4月30日, 昭和64年1月8日, 昭和0年).
    #[error("{era}{}年{month}月{day}日 is outside {era} ({}){}", era_year_str(*year), era_span(*era), era_hint(*actual))]
    EraOutOfRange {
        /// The era written.
        era: Era,
        /// The era year written (0 when written as 0).
        year: u32,
        /// The month written.
        month: u32,
        /// The day written.
        day: u32,
        /// The Gregorian day that was meant, if it exists.
        actual: Option<Date>,
    },
    /// An era year with no day in its era (平成32年, 昭和65年, 令和0年).
    #[error("{era}{}年 is outside {era} ({}){}", era_year_str(*year), era_years(*era), era_year_hint(*era, *year))]
    EraYearOutOfRange {
        /// The era written.
        era: Era,
        /// The era year written (0 when written as 0).
        year: u32,
    },
    /// A year alone (`昭和55年`, `S55`) where a full date is required.
    #[error(
        "{year} ({}年) is a year without month and day; a date needs all three (e.g. {}4月1日)",
        year.gregorian(),
        year
    )]
    YearOnly {
        /// The year written.
        year: EraYear,
    },
}

impl DateError {
    /// Always `"invalid_date"`.
    pub fn code(&self) -> &'static str {
        "invalid_date"
    }
}

fn impossible_hint(year: i32, month: u32) -> String {
    if !(1..=12).contains(&month) {
        return format!(" (there is no month {month})");
    }
    match days_in_month(year, month) {
        Some(n) => format!(" ({year:04}-{month:02} has {n} days)"),
        None => " (year out of range)".to_owned(),
    }
}

fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    u32::try_from(next.signed_duration_since(first).num_days()).ok()
}

fn era_year_str(y: u32) -> String {
    if y == 1 { "元".to_owned() } else { y.to_string() }
}

fn era_span(era: Era) -> String {
    match era.last_day() {
        Some(last) => format!("{} – {}", era.first_day(), last),
        None => format!("from {}", era.first_day()),
    }
}

/// `元年–31年` for an era that ended, `from 元年` for the current one.
fn era_years(era: Era) -> String {
    match era.last_year() {
        Some(last) => format!("元年–{last}年"),
        None => "from 元年".to_owned(),
    }
}

fn era_year_hint(era: Era, year: u32) -> String {
    let g = i64::from(era.first_day().year()) + i64::from(year) - 1;
    match i32::try_from(g).ok().map(EraYear::all_in) {
        Some(mut years) if year > 0 => match years.next() {
            Some(y) => format!("; {g} is {y}"),
            None => String::new(),
        },
        _ => String::new(),
    }
}

fn era_hint(actual: Option<Date>) -> String {
    match actual {
        Some(d) => format!("; {} is {}", d, to_wareki(d)),
        None => String::new(),
    }
}

/// The Japanese eras (元号) since 明治.
///
/// First days: 明治 1868-01-25, 大正 1912-07-30, 昭和 1926-12-25, 平成 1989-01-08, 令和 2019-05-01.
/// 明治 is dated from 1868-01-25 (慶応4年1月1日 in the Gregorian calendar, to which the era was
/// made retroactive) as a practical start; dates before 明治6年 (1873) were lunisolar in Japan,
/// and this crate reads them as Gregorian.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Era {
    /// 明治 (M).
    Meiji,
    /// 大正 (T).
    Taisho,
    /// 昭和 (S).
    Showa,
    /// 平成 (H).
    Heisei,
    /// 令和 (R).
    Reiwa,
}

impl Era {
    /// All eras, oldest first.
    pub const ALL: [Era; 5] = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    /// 明治, 大正, 昭和, 平成 or 令和.
    pub const fn name_ja(self) -> &'static str {
        match self {
            Era::Meiji => "明治",
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    /// The one-letter abbreviation: M, T, S, H or R.
    pub const fn letter(self) -> char {
        match self {
            Era::Meiji => 'M',
            Era::Taisho => 'T',
            Era::Showa => 'S',
            Era::Heisei => 'H',
            Era::Reiwa => 'R',
        }
    }

    /// The first day of the era (元年).
    pub const fn first_day(self) -> Date {
        match self {
            Era::Meiji => ymd(1868, 1, 25),
            Era::Taisho => ymd(1912, 7, 30),
            Era::Showa => ymd(1926, 12, 25),
            Era::Heisei => ymd(1989, 1, 8),
            Era::Reiwa => ymd(2019, 5, 1),
        }
    }

    /// The last day of the era; `None` for the current one.
    pub fn last_day(self) -> Option<Date> {
        self.next().and_then(|n| n.first_day().pred_opt())
    }

    /// The last era year (31 for 平成: 平成31年 = 2019, its last day 4月30日); `None` for the
    /// current era.
    pub fn last_year(self) -> Option<u32> {
        self.last_day().and_then(|last| u32::try_from(self.year_of(last)).ok())
    }

    /// The era after this one.
    pub const fn next(self) -> Option<Era> {
        match self {
            Era::Meiji => Some(Era::Taisho),
            Era::Taisho => Some(Era::Showa),
            Era::Showa => Some(Era::Heisei),
            Era::Heisei => Some(Era::Reiwa),
            Era::Reiwa => None,
        }
    }

    /// The era of a date; `None` before 明治.
    pub fn of(d: Date) -> Option<Era> {
        Era::ALL.into_iter().rev().find(|e| d >= e.first_day())
    }

    /// The era year (1 = 元年) of a date of this era, counted from the era's first Gregorian year.
    pub fn year_of(self, d: Date) -> i32 {
        d.year() - self.first_day().year() + 1
    }

    /// The Gregorian date of `era year/month/day`, refusing impossible days and days outside
    /// the era.
    ///
    /// # Errors
    /// [`DateError::Impossible`] or [`DateError::EraOutOfRange`].
    ///
    /// ```
    /// use onshi_law::{Date, Era};
    /// assert_eq!(Era::Showa.date(64, 1, 7)?, Date::from_ymd_opt(1989, 1, 7).unwrap());
    /// assert!(Era::Showa.date(64, 1, 8).is_err());
    /// # Ok::<(), onshi_law::DateError>(())
    /// ```
    pub fn date(self, year: u32, month: u32, day: u32) -> Result<Date, DateError> {
        let out = |actual| DateError::EraOutOfRange { era: self, year, month, day, actual };
        if year == 0 || year > 1000 {
            return Err(out(None));
        }
        // year ≤ 1000, so the sum stays far inside i32
        let g = self.first_day().year() + year as i32 - 1;
        let d = NaiveDate::from_ymd_opt(g, month, day).ok_or(DateError::Impossible { year: g, month, day })?;
        let after_end = self.last_day().is_some_and(|last| d > last);
        if d < self.first_day() || after_end {
            return Err(out(Some(d)));
        }
        Ok(d)
    }
}

impl fmt::Display for Era {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_ja())
    }
}

/// A year of an era (和暦の年): `昭和55年`, `令和元年`. It has at least one day in its era, so
/// `平成31年` (1 January – 30 April 2019) and `令和元年` (from 1 May 2019) both exist and are both
/// the Gregorian year 2019.
///
/// A year is not a date: nothing turns an `EraYear` into a [`Date`], and [`parse_date`] refuses
/// a year alone ([`DateError::YearOnly`]).
///
/// ```
/// use onshi_law::{Era, EraYear};
/// let y = EraYear::new(Era::Showa, 55)?;
/// assert_eq!((y.gregorian(), y.to_string(), y.short()), (1980, "昭和55年".to_owned(), "S55".to_owned()));
/// let names: Vec<String> = EraYear::all_in(2019).map(|y| y.to_string()).collect();
/// assert_eq!(names, ["平成31年", "令和元年"]);
/// # Ok::<(), onshi_law::DateError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct EraYear {
    era: Era,
    year: u32,
}

impl EraYear {
    /// Year `year` (1 = 元年) of `era`.
    ///
    /// # Errors
    /// [`DateError::EraYearOutOfRange`] for year 0, a year after the era's last (平成32年), or
    /// beyond 1000.
    pub fn new(era: Era, year: u32) -> Result<EraYear, DateError> {
        let within = year >= 1 && year <= era.last_year().unwrap_or(1000);
        if within { Ok(EraYear { era, year }) } else { Err(DateError::EraYearOutOfRange { era, year }) }
    }

    /// The era.
    pub fn era(self) -> Era {
        self.era
    }

    /// The era year, 1 for 元年.
    pub fn year(self) -> u32 {
        self.year
    }

    /// The Gregorian year.
    pub fn gregorian(self) -> i32 {
        // year ≤ 1000 (see `new`), so the sum stays far inside i32
        self.era.first_day().year() + self.year as i32 - 1
    }

    /// The era year of a date; `None` before 明治.
    pub fn of(d: Date) -> Option<EraYear> {
        let era = Era::of(d)?;
        u32::try_from(era.year_of(d)).ok().map(|year| EraYear { era, year })
    }

    /// The era years that overlap the Gregorian year `year`, oldest first: one, or two in a year
    /// an era changed (2019: 平成31年 and 令和元年; 1989: 昭和64年 and 平成元年). None before 1868.
    pub fn all_in(year: i32) -> impl Iterator<Item = EraYear> {
        Era::ALL.into_iter().filter_map(move |era| {
            let first = era.first_day().year();
            let last = era.last_day().map_or(i32::MAX, |d| d.year());
            let y = u32::try_from(i64::from(year) - i64::from(first) + 1).ok()?;
            (first..=last).contains(&year).then_some(())?;
            EraYear::new(era, y).ok()
        })
    }

    /// The abbreviated form: `S55`, `R1`.
    pub fn short(self) -> String {
        format!("{}{}", self.era.letter(), self.year)
    }
}

impl fmt::Display for EraYear {
    /// `昭和55年`, `令和元年`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}年", self.era.name_ja(), era_year_str(self.year))
    }
}

/// A date in 和暦: `令和6年4月1日`, `令和元年5月1日`. Dates before 明治 are written in ISO form.
///
/// ```
/// use onshi_law::{to_wareki, Date};
/// assert_eq!(to_wareki(Date::from_ymd_opt(2019, 5, 1).unwrap()), "令和元年5月1日");
/// assert_eq!(to_wareki(Date::from_ymd_opt(2019, 4, 30).unwrap()), "平成31年4月30日");
/// ```
pub fn to_wareki(d: Date) -> String {
    match Era::of(d) {
        Some(era) => {
            let y = era.year_of(d);
            let y = if y == 1 { "元".to_owned() } else { y.to_string() };
            format!("{}{}年{}月{}日", era.name_ja(), y, d.month(), d.day())
        }
        None => d.format("%Y-%m-%d").to_string(),
    }
}

/// A date in abbreviated 和暦: `R6.4.1` (元年 is `1`). Dates before 明治 are written in ISO form.
///
/// ```
/// use onshi_law::{to_wareki_short, Date};
/// assert_eq!(to_wareki_short(Date::from_ymd_opt(2024, 4, 1).unwrap()), "R6.4.1");
/// ```
pub fn to_wareki_short(d: Date) -> String {
    match Era::of(d) {
        Some(era) => format!("{}{}.{}.{}", era.letter(), era.year_of(d), d.month(), d.day()),
        None => d.format("%Y-%m-%d").to_string(),
    }
}

const ISO_EXPECTED: &str = "YYYY-MM-DD";
const ANY_EXPECTED: &str = "YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD, 令和6年4月1日 or R6.4.1";

fn malformed(input: &str, expected: &'static str) -> DateError {
    DateError::Malformed { input: input.chars().take(40).collect(), expected }
}

/// Parses a strict ISO 8601 calendar date `YYYY-MM-DD` (the only form the HTTP API takes).
///
/// # Errors
/// [`DateError::Malformed`] for anything but exactly four digits, `-`, two digits, `-`, two
/// digits; [`DateError::Impossible`] for a day that does not exist.
///
/// ```
/// use onshi_law::parse_iso_date;
/// assert!(parse_iso_date("2024-02-29").is_ok());
/// assert_eq!(parse_iso_date("2024-02-30").unwrap_err().code(), "invalid_date");
/// assert!(parse_iso_date("2024-2-1").is_err());
/// ```
pub fn parse_iso_date(s: &str) -> Result<Date, DateError> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(malformed(s, ISO_EXPECTED));
    }
    match (digits(0..4), digits(5..7), digits(8..10)) {
        (Some(y), Some(m), Some(d)) => gregorian(y as i32, m, d),
        _ => Err(malformed(s, ISO_EXPECTED)),
    }
}

fn gregorian(year: i32, month: u32, day: u32) -> Result<Date, DateError> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or(DateError::Impossible { year, month, day })
}

/// Parses a date written the ways Japanese documents write it.
///
/// * ISO `2024-04-01`, `2024/04/01`, `2024.4.1`, `20240401`, `2024年4月1日` (1–2 digit month/day
///   with a separator);
/// * 和暦 in full: `令和6年4月1日`, `令和元年5月1日`, `平成31年4月30日`, `昭和55年4月15日`, also with
///   spaces between the parts and with the one-character era signs ㍻ ㋿ ㍼ ㍽ ㍾;
/// * abbreviated 和暦: `R6.4.1`, `R06.04.01`, `r6/4/1`, `S55.4.15`, `H31.4.30`, `T1.7.30`, `M45.7.29`.
///
/// Full-width digits, letters and punctuation are folded first; surrounding whitespace is
/// ignored. A 和暦 date must lie inside its era: `平成31年5月1日` and `昭和64年1月8日` are refused.
///
/// # Errors
/// [`DateError`] (code `invalid_date`) saying which part is wrong.
///
/// ```
/// use onshi_law::{parse_date, Date};
/// let d = Date::from_ymd_opt(2024, 4, 1).unwrap();
/// for s in ["2024-04-01", "2024/4/1", "20240401", "令和６年４月１日", "R6.4.1", "r06/04/01"] {
///     assert_eq!(parse_date(s)?, d, "{s}");
/// }
/// assert!(parse_date("平成31年5月1日").is_err());
/// # Ok::<(), onshi_law::DateError>(())
/// ```
pub fn parse_date(s: &str) -> Result<Date, DateError> {
    let folded = fold(s);
    let mut p = Cursor { rest: folded.trim() };
    if p.rest.is_empty() {
        return Err(malformed(s, ANY_EXPECTED));
    }
    let bad = || malformed(s, ANY_EXPECTED);

    if let Some(era) = p.era() {
        p.skip_spaces();
        let year = if p.eat('元') { 1 } else { p.number(4).ok_or_else(bad)? };
        p.skip_spaces();
        if p.rest.is_empty() || p.rest == "年" {
            // 「昭和55年」: a year, not a date
            return Err(EraYear::new(era, year).map_or_else(|e| e, |year| DateError::YearOnly { year }));
        }
        let sep = p.separator().ok_or_else(bad)?;
        p.skip_spaces();
        let month = p.number(2).ok_or_else(bad)?;
        p.skip_spaces();
        let sep2 = p.separator().ok_or_else(bad)?;
        p.skip_spaces();
        let day = p.number(2).ok_or_else(bad)?;
        p.skip_spaces();
        if !consistent(sep, sep2) || !p.finish(sep) {
            return Err(bad());
        }
        return era.date(year, month, day);
    }

    // Gregorian: YYYYMMDD or YYYY<sep>M<sep>D
    let run = p.digit_run();
    if run.len() == 8 && p.rest.is_empty() {
        let n = |r: std::ops::Range<usize>| run[r].parse::<u32>().ok();
        return match (n(0..4), n(4..6), n(6..8)) {
            (Some(y), Some(m), Some(d)) => gregorian(y as i32, m, d),
            _ => Err(bad()),
        };
    }
    if run.len() != 4 {
        return Err(bad());
    }
    let year: i32 = run.parse().map_err(|_| bad())?;
    p.skip_spaces();
    let sep = p.separator().ok_or_else(bad)?;
    p.skip_spaces();
    let month = p.number(2).ok_or_else(bad)?;
    p.skip_spaces();
    let sep2 = p.separator().ok_or_else(bad)?;
    p.skip_spaces();
    let day = p.number(2).ok_or_else(bad)?;
    p.skip_spaces();
    if !consistent(sep, sep2) || !p.finish(sep) {
        return Err(bad());
    }
    gregorian(year, month, day)
}

/// Full-width ASCII and the ideographic space to half-width; the one-character era signs
/// (㍾ ㍽ ㍼ ㍻ ㋿) to their two-character names.
fn fold(s: &str) -> String {
    let mut folded = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{FF01}'..='\u{FF5E}' => {
                folded.push(char::from_u32(c as u32 - 0xFEE0).unwrap_or(c));
            }
            '\u{3000}' => folded.push(' '),
            '\u{337E}' => folded.push_str("明治"),
            '\u{337D}' => folded.push_str("大正"),
            '\u{337C}' => folded.push_str("昭和"),
            '\u{337B}' => folded.push_str("平成"),
            '\u{32FF}' => folded.push_str("令和"),
            _ => folded.push(c),
        }
    }
    folded
}

const YEAR_EXPECTED: &str = "an era year: 昭和55年, 令和元年, S55 or R1";

/// Parses a 和暦 year alone, as forms and old records write a birth year: `昭和55年`, `令和元年`,
/// `平成31年`, `昭和 55 年`, `昭和５５年`, `㍼55年`, `S55`, `s55`, `R1`, `H31年` (the `年` is
/// optional). Full-width characters are folded and surrounding whitespace ignored, as in
/// [`parse_date`].
///
/// The year must have a day in its era: `平成31年` (until 30 April 2019) and `令和元年` are both
/// 2019, `昭和64年` (until 7 January 1989) is 1989, but `平成32年` and `昭和0年` are refused. A
/// Gregorian year is not taken here (a bare `1980` is not a 和暦 year).
///
/// # Errors
/// [`DateError::Malformed`] when the text is not an era year (including a full date: use
/// [`parse_date`]); [`DateError::EraYearOutOfRange`] for a year outside its era. The code is
/// `invalid_date`.
///
/// ```
/// use onshi_law::{parse_era_year, Era};
/// let y = parse_era_year("令和元年")?;
/// assert_eq!((y.era(), y.year(), y.gregorian()), (Era::Reiwa, 1, 2019));
/// assert_eq!(parse_era_year("平成31年")?.gregorian(), 2019);
/// assert!(parse_era_year("平成32年").is_err());
/// # Ok::<(), onshi_law::DateError>(())
/// ```
pub fn parse_era_year(s: &str) -> Result<EraYear, DateError> {
    let folded = fold(s);
    let mut p = Cursor { rest: folded.trim() };
    let bad = || malformed(s, YEAR_EXPECTED);
    let era = p.era().ok_or_else(bad)?;
    p.skip_spaces();
    let year = if p.eat('元') { 1 } else { p.number(4).ok_or_else(bad)? };
    p.skip_spaces();
    p.eat('年');
    p.skip_spaces();
    if !p.rest.is_empty() {
        return Err(bad());
    }
    EraYear::new(era, year)
}

/// The Gregorian year of a 和暦 year written alone: `昭和55年` → 1980, `令和元年` → 2019,
/// `平成31年` → 2019. See [`parse_era_year`] for the forms taken and the errors.
///
/// ```
/// use onshi_law::parse_wareki_year;
/// assert_eq!(parse_wareki_year("昭和55年")?, 1980);
/// assert_eq!(parse_wareki_year("S55")?, 1980);
/// assert!(onshi_law::parse_date("昭和55年").is_err(), "a year is not a date");
/// # Ok::<(), onshi_law::DateError>(())
/// ```
pub fn parse_wareki_year(s: &str) -> Result<i32, DateError> {
    parse_era_year(s).map(EraYear::gregorian)
}

/// `年` must be followed by `月`; punctuation must repeat itself.
fn consistent(a: char, b: char) -> bool {
    match a {
        '年' => b == '月',
        '月' => false,
        _ => a == b,
    }
}

struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<char> {
        self.rest.chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        match self.rest.strip_prefix(c) {
            Some(r) => {
                self.rest = r;
                true
            }
            None => false,
        }
    }

    fn skip_spaces(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t']);
    }

    fn era(&mut self) -> Option<Era> {
        for era in Era::ALL {
            if let Some(r) = self.rest.strip_prefix(era.name_ja()) {
                self.rest = r;
                return Some(era);
            }
        }
        let c = self.peek()?.to_ascii_uppercase();
        let era = Era::ALL.into_iter().find(|e| e.letter() == c)?;
        self.rest = &self.rest[1..];
        Some(era)
    }

    fn digit_run(&mut self) -> &'a str {
        let end = self.rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(self.rest.len());
        let (run, rest) = self.rest.split_at(end);
        self.rest = rest;
        run
    }

    /// 1..=max ASCII digits.
    fn number(&mut self, max: usize) -> Option<u32> {
        let run = self.digit_run();
        if run.is_empty() || run.len() > max {
            return None;
        }
        run.parse().ok()
    }

    fn separator(&mut self) -> Option<char> {
        let c = self.peek()?;
        if matches!(c, '-' | '/' | '.' | '年' | '月') {
            self.rest = &self.rest[c.len_utf8()..];
            Some(c)
        } else {
            None
        }
    }

    /// The end of input, after an optional `日` when the date was written with `年月`.
    fn finish(&mut self, sep: char) -> bool {
        if sep == '年' {
            self.eat('日');
            self.skip_spaces();
        }
        self.rest.is_empty()
    }
}
