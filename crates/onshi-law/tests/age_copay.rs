//! Legal age and the copay law: every named boundary and an exhaustive walk over birth dates.

use chrono::{Datelike, Days};
use onshi_ids::Scheme;
use onshi_law::*;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd_opt(y, m, day).unwrap()
}

fn pct(c: Copay) -> Option<u8> {
    c.ratio().map(|r| r.percent())
}

fn prev(x: Date) -> Date {
    x.pred_opt().unwrap()
}

fn next(x: Date) -> Date {
    x.succ_opt().unwrap()
}

const NON_LATE: [Scheme; 2] = [Scheme::Employee, Scheme::National];

// ------------------------------------------------------------------ legal age

#[test]
fn reaching_day_and_birthdays() {
    assert_eq!(reaching_day(d(1953, 11, 15), 70), d(2023, 11, 14));
    assert_eq!(reaching_day(d(1953, 11, 1), 70), d(2023, 10, 31));
    assert_eq!(reaching_day(d(2000, 1, 1), 6), d(2005, 12, 31));
    assert_eq!(nth_birthday(d(1950, 2, 10), 75), d(2025, 2, 10));
    // 29 February: age reached on 28 Feb, birthday treated as 1 March in common years
    assert_eq!(reaching_day(d(1952, 2, 29), 70), d(2022, 2, 28));
    assert_eq!(nth_birthday(d(1952, 2, 29), 70), d(2022, 3, 1));
    assert_eq!(reaching_day(d(1952, 2, 29), 72), d(2024, 2, 28));
    assert_eq!(nth_birthday(d(1952, 2, 29), 72), d(2024, 2, 29));
    assert_eq!(nth_birthday(d(2000, 5, 5), 0), d(2000, 5, 5));
    // saturation instead of overflow
    assert_eq!(nth_birthday(d(2000, 1, 1), u32::MAX), Date::MAX);
    assert_eq!(reaching_day(d(2000, 1, 1), 1_000_000), Date::MAX);
    assert_eq!(late_stage_from(Date::MAX), Date::MAX);
    let _ = (elderly_from(Date::MAX), preschool_last_day(Date::MAX), age_on(Date::MIN, Date::MAX));
    let _ = copay(Date::MIN, Date::MAX, Scheme::Employee, None);
    let _ = copay(Date::MAX, Date::MAX, Scheme::National, None);
}

#[test]
fn age_on_boundaries() {
    let b = d(2000, 4, 2);
    assert_eq!(age_on(b, d(2000, 4, 1)), 0);
    assert_eq!(age_on(b, b), 0);
    assert_eq!(age_on(b, d(2001, 3, 31)), 0);
    assert_eq!(age_on(b, d(2001, 4, 1)), 1);
    assert_eq!(age_on(b, d(2070, 3, 31)), 69);
    assert_eq!(age_on(b, d(2070, 4, 1)), 70);
    let leap = d(2000, 2, 29);
    assert_eq!(age_on(leap, d(2001, 2, 27)), 0);
    assert_eq!(age_on(leap, d(2001, 2, 28)), 1);
    assert_eq!(age_on(leap, d(2004, 2, 27)), 3);
    assert_eq!(age_on(leap, d(2004, 2, 28)), 4);
    let jan1 = d(2000, 1, 1);
    assert_eq!(age_on(jan1, d(2005, 12, 30)), 5);
    assert_eq!(age_on(jan1, d(2005, 12, 31)), 6);
}

// ------------------------------------------------------------------ named boundaries

#[test]
fn preschool_born_1_april_vs_2_april() {
    // born 1 April reaches 6 on 31 March and starts school that April: preschool ends that day
    let b1 = d(2017, 4, 1);
    assert_eq!(preschool_last_day(b1), d(2023, 3, 31));
    for s in NON_LATE {
        assert_eq!(
            copay(b1, d(2023, 3, 31), s, None),
            Copay::Covered { ratio: CopayRatio::TWENTY, basis: CopayBasis::Preschool }
        );
        assert_eq!(
            copay(b1, d(2023, 4, 1), s, None),
            Copay::Covered { ratio: CopayRatio::THIRTY, basis: CopayBasis::Working }
        );
    }
    // born 2 April reaches 6 on 1 April: one more year
    let b2 = d(2017, 4, 2);
    assert_eq!(preschool_last_day(b2), d(2024, 3, 31));
    assert_eq!(pct(copay(b2, d(2023, 4, 1), Scheme::Employee, None)), Some(20));
    assert_eq!(pct(copay(b2, d(2024, 3, 31), Scheme::Employee, None)), Some(20));
    assert_eq!(pct(copay(b2, d(2024, 4, 1), Scheme::Employee, None)), Some(30));
    // born 31 March: reaches 6 on 30 March, same 31 March
    assert_eq!(preschool_last_day(d(2017, 3, 31)), d(2023, 3, 31));
    // newborn
    assert_eq!(
        copay(b2, b2, Scheme::National, None),
        Copay::Covered { ratio: CopayRatio::TWENTY, basis: CopayBasis::Preschool }
    );
    assert_eq!(copay(b2, prev(b2), Scheme::National, None), Copay::BeforeBirth);
}

#[test]
fn turning_70_born_on_the_1st_vs_the_2nd() {
    // born on the 1st: 70 reached on the last day of the previous month → the birthday month
    let b1 = d(1953, 11, 1);
    assert_eq!(elderly_from(b1), d(2023, 11, 1));
    assert_eq!(pct(copay(b1, d(2023, 10, 31), Scheme::Employee, None)), Some(30));
    assert_eq!(
        copay(b1, d(2023, 11, 1), Scheme::Employee, None),
        Copay::Covered { ratio: CopayRatio::TWENTY, basis: CopayBasis::Elderly70 }
    );
    // born on the 2nd: 70 reached on the 1st of the birthday month → the month after
    let b2 = d(1953, 11, 2);
    assert_eq!(elderly_from(b2), d(2023, 12, 1));
    assert_eq!(pct(copay(b2, d(2023, 11, 30), Scheme::National, None)), Some(30));
    assert_eq!(pct(copay(b2, d(2023, 12, 1), Scheme::National, None)), Some(20));
    // born 1 January: 70 reached on 31 December → January of the 70th birthday year
    assert_eq!(elderly_from(d(1953, 1, 1)), d(2023, 1, 1));
    // born in December: the next January
    assert_eq!(elderly_from(d(1953, 12, 15)), d(2024, 1, 1));
    // 29 February: reaches 70 on 28 February (common year) → 1 March
    assert_eq!(elderly_from(d(1952, 2, 29)), d(2022, 3, 1));
}

#[test]
fn scenario_05_turning_70() {
    let b = d(1953, 11, 15);
    assert_eq!(pct(copay(b, d(2023, 11, 20), Scheme::Employee, None)), Some(30));
    assert_eq!(
        copay(b, d(2023, 12, 1), Scheme::Employee, None),
        Copay::Covered { ratio: CopayRatio::TWENTY, basis: CopayBasis::Elderly70 }
    );
    assert_eq!(
        copay(b, d(2023, 12, 1), Scheme::Employee, Some(IncomeBracket::ActiveEquivalent)),
        Copay::Covered { ratio: CopayRatio::THIRTY, basis: CopayBasis::Elderly70Active }
    );
    // General2 does not exist at 70–74: treated as General
    assert_eq!(pct(copay(b, d(2023, 12, 1), Scheme::Employee, Some(IncomeBracket::General2))), Some(20));
}

#[test]
fn scenario_09_copay_mismatch() {
    let b = d(1950, 2, 10);
    assert_eq!(pct(copay(b, d(2023, 4, 1), Scheme::Employee, None)), Some(20));
    assert_eq!(pct(copay(b, d(2023, 5, 1), Scheme::Employee, None)), Some(20));
}

#[test]
fn seventy_fifth_birthday() {
    let b = d(1950, 2, 10);
    let day = late_stage_from(b);
    assert_eq!(day, d(2025, 2, 10));
    for s in NON_LATE {
        assert_eq!(pct(copay(b, d(2025, 2, 9), s, None)), Some(20));
        assert_eq!(copay(b, day, s, None), Copay::AgedOut { since: day });
        assert_eq!(copay(b, d(2030, 1, 1), s, Some(IncomeBracket::ActiveEquivalent)), Copay::AgedOut { since: day });
    }
    // 29 February: the 75th birthday in a common year is 1 March
    let leap = d(1948, 2, 29);
    assert_eq!(late_stage_from(leap), d(2023, 3, 1));
    assert_eq!(pct(copay(leap, d(2023, 2, 28), Scheme::National, None)), Some(20));
    assert_eq!(copay(leap, d(2023, 3, 1), Scheme::National, None), Copay::AgedOut { since: d(2023, 3, 1) });
    // a leap 75th birthday stays 29 February
    assert_eq!(late_stage_from(d(1949, 2, 28)), d(2024, 2, 28));
    assert_eq!(late_stage_from(d(1944, 2, 29)), d(2019, 3, 1));
    assert_eq!(late_stage_from(d(1945, 2, 28)), d(2020, 2, 28));
}

#[test]
fn late_stage_elderly_depends_on_bracket_only() {
    let b = d(1948, 6, 1);
    let s = Scheme::LateStageElderly;
    let on = d(2024, 6, 1);
    assert_eq!(
        copay(b, on, s, None),
        Copay::Covered { ratio: CopayRatio::TEN, basis: CopayBasis::LateStage(IncomeBracket::General) }
    );
    assert_eq!(pct(copay(b, on, s, Some(IncomeBracket::General))), Some(10));
    assert_eq!(
        copay(b, on, s, Some(IncomeBracket::General2)),
        Copay::Covered { ratio: CopayRatio::TWENTY, basis: CopayBasis::LateStage(IncomeBracket::General2) }
    );
    assert_eq!(pct(copay(b, on, s, Some(IncomeBracket::ActiveEquivalent))), Some(30));
    // 一般Ⅱ started 2022-10-01
    assert_eq!(pct(copay(b, d(2022, 9, 30), s, Some(IncomeBracket::General2))), Some(10));
    assert_eq!(pct(copay(b, d(2022, 10, 1), s, Some(IncomeBracket::General2))), Some(20));
    // a 68-year-old member through disability recognition: same rule, no AgedOut
    let young = d(1956, 1, 1);
    assert_eq!(pct(copay(young, d(2024, 6, 1), s, None)), Some(10));
    assert_eq!(copay(young, d(1955, 1, 1), s, None), Copay::BeforeBirth);
}

#[test]
fn strings_and_codes() {
    for b in [IncomeBracket::General, IncomeBracket::General2, IncomeBracket::ActiveEquivalent] {
        assert_eq!(IncomeBracket::parse(b.as_str()), Some(b));
        assert_eq!(serde_json::to_string(&b).unwrap(), format!("\"{}\"", b.as_str()));
        assert_eq!(serde_json::from_str::<IncomeBracket>(&format!("\"{}\"", b.as_str())).unwrap(), b);
    }
    assert_eq!(IncomeBracket::General2.as_str(), "general_2");
    assert_eq!(IncomeBracket::parse("General"), None);
    for p in [10u8, 20, 30] {
        let r = CopayRatio::from_percent(p).unwrap();
        assert_eq!(r.percent(), p);
        assert_eq!(r.national_code(), format!("0{p}"));
        assert_eq!(CopayRatio::from_national_code(r.national_code()), Some(r));
        assert_eq!(serde_json::to_string(&r).unwrap(), p.to_string());
        assert_eq!(serde_json::from_str::<CopayRatio>(&p.to_string()).unwrap(), r);
    }
    for p in [0u8, 1, 15, 40, 100, 255] {
        assert_eq!(CopayRatio::from_percent(p), None);
    }
    assert!(serde_json::from_str::<CopayRatio>("100").is_err());
    assert!(serde_json::from_str::<CopayRatio>("\"30\"").is_err());
    assert_eq!(CopayRatio::THIRTY.to_string(), "3割");
    let json = serde_json::to_value(Copay::Covered {
        ratio: CopayRatio::TWENTY,
        basis: CopayBasis::LateStage(IncomeBracket::General2),
    })
    .unwrap();
    assert_eq!(json["kind"], "covered");
    assert_eq!(json["ratio"], 20);
}

#[test]
fn limit_categories() {
    let expected = [
        ("A01", "ア"),
        ("A02", "イ"),
        ("A03", "ウ"),
        ("A04", "エ"),
        ("A05", "オ"),
        ("A06", "オ（境）"),
        ("B01", "現役並みⅢ"),
        ("B02", "現役並みⅡ"),
        ("B03", "現役並みⅠ"),
        ("B04", "一般"),
        ("B05", "低所得Ⅱ"),
        ("B06", "低所得Ⅰ"),
        ("B07", "低所得Ⅰ（老福）"),
        ("B08", "低所得Ⅰ（境）"),
        ("B09", "一般Ⅱ"),
        ("B10", "一般Ⅰ"),
    ];
    assert_eq!(LimitCategory::ALL.len(), expected.len());
    for (c, (code, label)) in LimitCategory::ALL.iter().zip(expected) {
        assert_eq!((c.code(), c.label_ja()), (code, label));
        assert_eq!(LimitCategory::parse_code(code), Some(*c));
    }
    assert_eq!(LimitCategory::parse_code("B11"), None);
    assert_eq!(LimitCategory::parse_code("a01"), None);
}

// ------------------------------------------------------------------ exhaustive walk

/// Every birth date 1930-01-01..=2025-12-31: the boundaries are where they must be and the law
/// changes exactly there.
#[test]
fn every_birth_date_1930_to_2025() {
    let mut b = d(1930, 1, 1);
    let mut n = 0u32;
    while b <= d(2025, 12, 31) {
        check_birth(b);
        n += 1;
        b = next(b);
    }
    assert_eq!(n, 35_064);
}

fn check_birth(b: Date) {
    // ---- boundaries
    let r6 = reaching_day(b, 6);
    let pl = preschool_last_day(b);
    assert_eq!((pl.month(), pl.day()), (3, 31), "{b}");
    assert!(pl >= r6 && pl < r6 + Days::new(366), "{b}: {pl} is not the first 31 March after {r6}");
    assert_eq!(age_on(b, r6), 6, "{b}");
    assert_eq!(age_on(b, prev(r6)), 5, "{b}");

    let r70 = reaching_day(b, 70);
    let ef = elderly_from(b);
    assert_eq!(ef.day(), 1, "{b}: 70–74 must start on a 1st");
    assert!(ef > r70 && ef <= r70 + Days::new(31), "{b}");
    let month_after_r70 = (r70.year() * 12 + r70.month0() as i32) + 1;
    assert_eq!(ef.year() * 12 + ef.month0() as i32, month_after_r70, "{b}");
    if b.day() == 1 {
        let bd70 = nth_birthday(b, 70);
        assert_eq!((ef.year(), ef.month()), (bd70.year(), bd70.month()), "{b}: born on the 1st");
    } else if (b.month(), b.day()) == (2, 29) {
        // reaches 70 on 28 February: March, which in a common year is the 'birthday' month
        assert_eq!((ef.month(), ef.day()), (3, 1), "{b}");
    } else {
        assert!(ef > nth_birthday(b, 70), "{b}");
    }
    assert_eq!(age_on(b, r70), 70);
    assert_eq!(age_on(b, prev(r70)), 69);

    let ls = late_stage_from(b);
    assert_eq!(ls, nth_birthday(b, 75));
    assert_eq!(age_on(b, prev(ls)), 75, "{b}: 75 is reached the day before the birthday");
    assert_eq!(age_on(b, prev(prev(ls))), 74, "{b}");
    if (b.month(), b.day()) == (2, 29) && !(ls.year() % 4 == 0 && (ls.year() % 100 != 0 || ls.year() % 400 == 0)) {
        assert_eq!((ls.month(), ls.day()), (3, 1));
    } else {
        assert_eq!((ls.month(), ls.day()), (b.month(), b.day()));
    }

    // ---- transitions happen exactly on the computed days
    for s in NON_LATE {
        let at = |day: Date, br| copay(b, day, s, br);
        assert_eq!(at(prev(b), None), Copay::BeforeBirth);
        assert_eq!(at(b, None), Copay::Covered { ratio: CopayRatio::TWENTY, basis: CopayBasis::Preschool });
        assert_eq!(at(pl, None), Copay::Covered { ratio: CopayRatio::TWENTY, basis: CopayBasis::Preschool });
        assert_eq!(at(next(pl), None), Copay::Covered { ratio: CopayRatio::THIRTY, basis: CopayBasis::Working });
        assert_eq!(at(prev(ef), None), Copay::Covered { ratio: CopayRatio::THIRTY, basis: CopayBasis::Working });
        assert_eq!(at(ef, None), Copay::Covered { ratio: CopayRatio::TWENTY, basis: CopayBasis::Elderly70 });
        assert_eq!(
            at(ef, Some(IncomeBracket::ActiveEquivalent)),
            Copay::Covered { ratio: CopayRatio::THIRTY, basis: CopayBasis::Elderly70Active }
        );
        assert_eq!(
            at(prev(ls), Some(IncomeBracket::General)),
            Copay::Covered { ratio: CopayRatio::TWENTY, basis: CopayBasis::Elderly70 }
        );
        assert_eq!(at(ls, None), Copay::AgedOut { since: ls });
        assert_eq!(at(ls, Some(IncomeBracket::ActiveEquivalent)), Copay::AgedOut { since: ls });
    }
    for br in [None, Some(IncomeBracket::General), Some(IncomeBracket::General2), Some(IncomeBracket::ActiveEquivalent)]
    {
        for day in [b, ef, ls, d(2030, 1, 1).max(b)] {
            let want = match br {
                Some(IncomeBracket::ActiveEquivalent) => 30,
                Some(IncomeBracket::General2) if day >= d(2022, 10, 1) => 20,
                _ => 10,
            };
            assert_eq!(pct(copay(b, day, Scheme::LateStageElderly, br)), Some(want), "{b} {day}");
        }
    }
}

/// The basis over a whole life, sampled weekly for one birth date in 17: Preschool, Working,
/// Elderly70, AgedOut, in that order, each phase once.
#[test]
fn ratio_is_monotone_over_a_life() {
    let mut b = d(1930, 1, 1);
    while b <= d(2025, 12, 31) {
        let mut phase = 0u8;
        let mut day = b;
        let end = nth_birthday(b, 76);
        while day <= end {
            let p = match copay(b, day, Scheme::Employee, None) {
                Copay::Covered { basis: CopayBasis::Preschool, ratio } => {
                    assert_eq!(ratio.percent(), 20);
                    0
                }
                Copay::Covered { basis: CopayBasis::Working, ratio } => {
                    assert_eq!(ratio.percent(), 30);
                    1
                }
                Copay::Covered { basis: CopayBasis::Elderly70, ratio } => {
                    assert_eq!(ratio.percent(), 20);
                    2
                }
                Copay::AgedOut { .. } => 3,
                other => panic!("{b} {day}: {other:?}"),
            };
            assert!(p == phase || p == phase + 1, "{b} {day}: phase {phase} → {p}");
            phase = p;
            day = day + Days::new(7);
        }
        assert_eq!(phase, 3, "{b}");
        b = b + Days::new(17);
    }
}

proptest! {
    #[test]
    fn copay_never_panics_and_age_is_consistent(
        b in -400_000i64..400_000, on in -400_000i64..400_000, s in 0usize..3, br in 0usize..4,
    ) {
        let epoch = d(2000, 1, 1);
        let birth = epoch.checked_add_signed(chrono::Duration::days(b)).unwrap();
        let service = epoch.checked_add_signed(chrono::Duration::days(on)).unwrap();
        let scheme = [Scheme::Employee, Scheme::National, Scheme::LateStageElderly][s];
        let bracket = [None, Some(IncomeBracket::General), Some(IncomeBracket::General2), Some(IncomeBracket::ActiveEquivalent)][br];
        let c = copay(birth, service, scheme, bracket);
        if service < birth { prop_assert_eq!(c, Copay::BeforeBirth); }
        let age = age_on(birth, service);
        if service >= birth {
            prop_assert!(service >= reaching_day(birth, age) || age == 0);
            prop_assert!(service < reaching_day(birth, age + 1));
            if scheme != Scheme::LateStageElderly {
                prop_assert_eq!(matches!(c, Copay::AgedOut { .. }), service >= nth_birthday(birth, 75));
                prop_assert_eq!(matches!(c, Copay::AgedOut { .. }), age >= 75 && service != reaching_day(birth, 75));
            }
        }
    }
}
