//! The law as pure functions of dates: the legal day in Japan, 和暦, legal age and the
//! health-insurance copay law.
//!
//! # What lives here
//!
//! * [`legal_today`]: the legal day in Japan (UTC+9) for an instant. Nothing in this crate reads
//!   a clock; time is always a parameter.
//! * [`parse_iso_date`] (strict `YYYY-MM-DD`, what the HTTP API takes) and [`parse_date`] (ISO,
//!   `YYYY/MM/DD`, `YYYYMMDD`, 和暦 in full or abbreviated), [`to_wareki`], [`to_wareki_short`],
//!   [`Era`]; a 和暦 year alone ([`parse_wareki_year`], [`parse_era_year`], [`EraYear`]:
//!   `昭和55年` → 1980, `平成31年` and `令和元年` → 2019), which is never taken as a date. Every
//!   failure is a [`DateError`] with code `invalid_date`.
//! * Legal age ([`reaching_day`], [`nth_birthday`], [`age_on`]) following 年齢計算ニ関スル法律 and
//!   民法第143条: age N is reached on the day before the Nth birthday.
//! * The copay law: [`copay`] and its boundaries [`preschool_last_day`], [`elderly_from`],
//!   [`late_stage_from`]; [`IncomeBracket`], [`CopayRatio`], [`LimitCategory`].
//!
//! # Invariants
//!
//! * Every age rule goes through [`reaching_day`] / [`nth_birthday`]; nothing computes ages by
//!   subtracting years.
//! * For employee and national insurance, over a life the ratio is 2割 (preschool) → 3割 →
//!   2割 (or 3割 現役並み) from the 1st of a month → [`Copay::AgedOut`] exactly from the 75th
//!   birthday; 後期高齢者医療 depends on the income bracket only.
//! * Functions are total: dates at the edge of chrono's range saturate to [`Date::MAX`] /
//!   [`Date::MIN`] instead of panicking.
//!
//! ```
//! use onshi_ids::Scheme;
//! use onshi_law::{copay, parse_date, Copay, CopayBasis, CopayRatio};
//! let born = parse_date("昭和25年2月10日")?;
//! let on = parse_date("R5.4.1")?;
//! assert_eq!(
//!     copay(born, on, Scheme::National, None),
//!     Copay::Covered { ratio: CopayRatio::TWENTY, basis: CopayBasis::Elderly70 }
//! );
//! # Ok::<(), onshi_law::DateError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod age;
mod copay;
mod date;

pub use age::{age_on, elderly_from, late_stage_from, nth_birthday, preschool_last_day, reaching_day};
pub use copay::{
    Copay, CopayBasis, CopayRatio, GENERAL_2_FROM, IncomeBracket, LimitCategory, copay, copay_law_changes,
};
pub use date::{
    Date, DateError, Era, EraYear, legal_today, parse_date, parse_era_year, parse_iso_date, parse_wareki_year,
    to_wareki, to_wareki_short,
};
