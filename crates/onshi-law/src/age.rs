//! Legal age (年齢計算ニ関スル法律, 民法第143条).
//!
//! Age counts from the day of birth (年齢計算ニ関スル法律 第1項: 出生ノ日ヨリ之ヲ起算ス), and a year
//! ends at the end of the day before the day corresponding to the start (民法第143条第2項); when
//! there is no corresponding day (born 29 February, common year) it ends on the last day of the
//! month. So a person *reaches* age N on the day before the Nth birthday, and a status that starts
//! "when N is reached" starts on the Nth birthday itself.
//!
//! Every function saturates instead of failing: a date beyond chrono's range becomes
//! [`Date::MAX`] (or [`Date::MIN`]).

use chrono::{Datelike, NaiveDate};

use crate::Date;

/// The Nth birthday: same month and day, `n` years later; someone born on 29 February has it
/// on 1 March in common years (the day after the age is reached, see [`reaching_day`]).
/// Saturates at [`Date::MAX`].
///
/// ```
/// use onshi_law::{nth_birthday, Date};
/// let d = |y, m, d| Date::from_ymd_opt(y, m, d).unwrap();
/// assert_eq!(nth_birthday(d(1950, 2, 10), 75), d(2025, 2, 10));
/// assert_eq!(nth_birthday(d(2000, 2, 29), 1), d(2001, 3, 1));
/// assert_eq!(nth_birthday(d(2000, 2, 29), 4), d(2004, 2, 29));
/// ```
pub fn nth_birthday(birth: Date, n: u32) -> Date {
    let Some(y) = i32::try_from(n).ok().and_then(|n| birth.year().checked_add(n)) else {
        return Date::MAX;
    };
    NaiveDate::from_ymd_opt(y, birth.month(), birth.day())
        .or_else(|| {
            // only 29 February can be missing in a year that chrono represents
            (birth.month() == 2 && birth.day() == 29).then(|| NaiveDate::from_ymd_opt(y, 3, 1)).flatten()
        })
        .unwrap_or(Date::MAX)
}

/// The day on which age `age` is reached: the day before the `age`th birthday (28 February for
/// someone born on 29 February, in common years). Saturates.
///
/// ```
/// use onshi_law::{reaching_day, Date};
/// let d = |y, m, d| Date::from_ymd_opt(y, m, d).unwrap();
/// assert_eq!(reaching_day(d(2018, 4, 2), 6), d(2024, 4, 1));
/// assert_eq!(reaching_day(d(2000, 2, 29), 1), d(2001, 2, 28));
/// ```
pub fn reaching_day(birth: Date, age: u32) -> Date {
    let b = nth_birthday(birth, age);
    if b == Date::MAX {
        return Date::MAX;
    }
    b.pred_opt().unwrap_or(Date::MIN)
}

/// The legal age on a day: `N` from [`reaching_day`]`(birth, N)` inclusive. Zero before birth.
///
/// ```
/// use onshi_law::{age_on, Date};
/// let d = |y, m, d| Date::from_ymd_opt(y, m, d).unwrap();
/// assert_eq!(age_on(d(2000, 4, 2), d(2006, 3, 31)), 5);
/// assert_eq!(age_on(d(2000, 4, 2), d(2006, 4, 1)), 6); // the day before the birthday
/// assert_eq!(age_on(d(2000, 1, 1), d(2005, 12, 31)), 6);
/// ```
pub fn age_on(birth: Date, on: Date) -> u32 {
    if on < birth {
        return 0;
    }
    // on ≥ birth, so the difference is ≥ 0 and fits in u32
    let n = u32::try_from(on.year() - birth.year()).unwrap_or(0);
    if on >= reaching_day(birth, n.saturating_add(1)) {
        n.saturating_add(1)
    } else if n > 0 && on < reaching_day(birth, n) {
        n - 1
    } else {
        n
    }
}

/// The last day of 未就学 (preschool) treatment: the first 31 March on or after the day the
/// child reaches 6 (健康保険法第74条第1項第1号: 六歳に達する日以後の最初の三月三十一日).
///
/// ```
/// use onshi_law::{preschool_last_day, Date};
/// let d = |y, m, d| Date::from_ymd_opt(y, m, d).unwrap();
/// assert_eq!(preschool_last_day(d(2018, 4, 1)), d(2024, 3, 31)); // reaches 6 on 31 March
/// assert_eq!(preschool_last_day(d(2018, 4, 2)), d(2025, 3, 31));
/// ```
pub fn preschool_last_day(birth: Date) -> Date {
    let r = reaching_day(birth, 6);
    let year = if r.month() <= 3 { Some(r.year()) } else { r.year().checked_add(1) };
    year.and_then(|y| NaiveDate::from_ymd_opt(y, 3, 31)).unwrap_or(Date::MAX)
}

/// The first day of the 70–74 treatment (高齢受給者): the 1st of the month after the month in
/// which 70 is reached (健康保険法第74条第1項第3号; for someone born on the 1st that is the
/// birthday month itself, since 70 is reached on the last day of the month before).
///
/// ```
/// use onshi_law::{elderly_from, Date};
/// let d = |y, m, d| Date::from_ymd_opt(y, m, d).unwrap();
/// assert_eq!(elderly_from(d(1953, 11, 15)), d(2023, 12, 1));
/// assert_eq!(elderly_from(d(1953, 11, 1)), d(2023, 11, 1));
/// assert_eq!(elderly_from(d(1953, 11, 2)), d(2023, 12, 1));
/// ```
pub fn elderly_from(birth: Date) -> Date {
    first_of_next_month(reaching_day(birth, 70))
}

/// The first day of 後期高齢者医療 by age, which is also the day employee and national health
/// insurance end: the 75th birthday (高齢者の医療の確保に関する法律 第50条・第52条).
pub fn late_stage_from(birth: Date) -> Date {
    nth_birthday(birth, 75)
}

fn first_of_next_month(d: Date) -> Date {
    let (y, m) = if d.month() == 12 { (d.year().checked_add(1), 1) } else { (Some(d.year()), d.month() + 1) };
    y.and_then(|y| NaiveDate::from_ymd_opt(y, m, 1)).unwrap_or(Date::MAX)
}
