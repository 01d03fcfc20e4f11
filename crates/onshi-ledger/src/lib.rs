//! A member's qualification history, kept bitemporally, and the resolution of an eligibility
//! check on a service date.
//!
//! # Model
//!
//! A member record ([`MemberHistory`]) is what never changes about it ([`MemberStatic`]: the
//! key insurer/symbol/number/branch, relationship, birth date, sex) plus an **append-only** list
//! of [`Entry`]s. Each entry has two times:
//!
//! * `effective_on` — the legal date the change takes effect (valid time): the acquisition date
//!   (資格取得日), the first day without coverage (資格喪失日), the day a new address applies;
//! * `recorded_at` — when the system learned it (transaction time), with `seq` the global write
//!   order.
//!
//! So two questions have exact answers: *what is true on service date D* and *what did we know
//! at time T*: [`resolve`]`(history, D, Some(T))` answers "what would a check on D have said with
//! the knowledge at T", and `None` for T means "with everything known now".
//!
//! # Rules
//!
//! * Only entries with `recorded_at ≤ T` are considered, minus those voided by a
//!   [`Change::Void`] that is itself considered. A void never deletes: asked as of a time before
//!   the void, the voided entry still counts.
//! * `acquired_on` is the `effective_on` of the latest-recorded (highest `seq`) considered
//!   [`Change::Acquire`]; a later Acquire corrects the acquisition (its date and fields).
//!   `lost_on` likewise from the latest-recorded [`Change::Lose`].
//! * Status on D: `D < acquired_on` → [`Status::NotYetCovered`]; `lost_on ≤ D` → [`Status::Lost`];
//!   scheme not 後期高齢者医療 and `D ≥` 75th birthday → [`Status::AgedOut`]; else
//!   [`Status::Covered`].
//! * Personal fields, income bracket and copay override: start from the latest-recorded
//!   Acquire, then apply the Updates with `effective_on ≤ max(D, acquired_on)` in
//!   `(effective_on, seq)` order; fields that are `Some` replace.
//! * A [`Change::WithdrawCopay`] ends the copay override from its `effective_on` (it takes part
//!   in the Updates' order like a field set to none).
//! * A copay override never outlives the rule it was checked against: it ends on the first day
//!   after it was stated (its Update's `effective_on`, or the acquisition) on which the law's
//!   answer changes — an age boundary of [`onshi_law::copay_law_changes`] (preschool end, 70,
//!   75, 一般Ⅱ) or a change of income bracket — unless an Update states it again from then.
//! * `copay_ratio` = the override's ratio if any (and in force), else the law's
//!   ([`onshi_law::copay`]); only when covered.
//!
//! # Invariants kept by [`MemberHistory::append`]
//!
//! * `seq` strictly increases and `recorded_at` never goes back, so the entries known at any T
//!   are a prefix and appending an entry recorded after T never changes an answer asked as of T.
//! * The first entry is an Acquire on or after the birth date; a Lose or Update needs an
//!   acquisition, a loss is never before the acquisition, an Update never takes effect before
//!   it; a Void names an earlier entry that is not a Void and not already voided.
//!
//! [`resolve`] does not allocate and does not assume these invariants: on any history it
//! answers without panicking.
//!
//! ```
//! use onshi_ids::{Branch, InsuredNumber, InsurerNumber};
//! use onshi_law::Date;
//! use onshi_ledger::*;
//!
//! let d = |y, m, day| Date::from_ymd_opt(y, m, day).unwrap();
//! let statik = MemberStatic {
//!     key: MemberKey {
//!         insurer_number: InsurerNumber::parse("06139992").unwrap(),
//!         symbol: None,
//!         number: InsuredNumber::parse("500").unwrap(),
//!         branch: Branch::parse("00").unwrap(),
//!     },
//!     relationship: Relationship::Insured,
//!     birth_date: d(1953, 11, 15),
//!     sex: Sex::Male,
//! };
//! let acquire = Entry {
//!     seq: Seq(1),
//!     recorded_at: RecordedAt(1_000),
//!     effective_on: d(2010, 4, 1),
//!     change: Change::Acquire {
//!         name: "伊藤 正".into(),
//!         name_kana: "イトウ タダシ".into(),
//!         address: "東京都千代田区永田町二丁目1番2号".into(),
//!         income_bracket: None,
//!         copay_override: None,
//!     },
//! };
//! let mut h = MemberHistory::new(statik, acquire)?;
//! h.append(Entry { seq: Seq(2), recorded_at: RecordedAt(2_000), effective_on: d(2024, 4, 1), change: Change::Lose { reason: None } })?;
//!
//! let r = resolve(&h, d(2023, 12, 1), None).unwrap();
//! assert_eq!(r.status, Status::Covered);
//! assert_eq!(r.copay_ratio.map(|c| c.percent()), Some(20)); // 70–74
//! assert_eq!(resolve(&h, d(2024, 4, 1), None).unwrap().status, Status::Lost);
//! // as known before the loss was recorded
//! assert_eq!(resolve(&h, d(2024, 4, 1), Some(RecordedAt(1_500))).unwrap().status, Status::Covered);
//! # Ok::<(), LedgerError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod history;
mod resolve;
mod select;
mod types;

pub use history::LedgerError;
pub use resolve::{Resolution, Status, resolve};
pub use select::{PersonSelection, Selection, select, select_by_number, select_for_person};
pub use types::{
    Change, CopayOverride, Entry, LossReason, MemberHistory, MemberKey, MemberStatic, RecordedAt, Relationship, Seq,
    Sex,
};
