//! The legal day, date parsing and 和暦.

use chrono::{TimeZone, Utc};
use onshi_law::*;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn legal_today_is_japan_time() {
    assert_eq!(legal_today(Utc.with_ymd_and_hms(2024, 3, 31, 14, 59, 59).unwrap()), d(2024, 3, 31));
    assert_eq!(legal_today(Utc.with_ymd_and_hms(2024, 3, 31, 15, 0, 0).unwrap()), d(2024, 4, 1));
    // no daylight saving: the same offset in summer
    assert_eq!(legal_today(Utc.with_ymd_and_hms(2024, 7, 31, 15, 0, 0).unwrap()), d(2024, 8, 1));
    assert_eq!(legal_today(Utc.with_ymd_and_hms(2024, 12, 31, 15, 0, 0).unwrap()), d(2025, 1, 1));
}

#[test]
fn iso_strict() {
    assert_eq!(parse_iso_date("2024-04-01").unwrap(), d(2024, 4, 1));
    assert_eq!(parse_iso_date("2024-02-29").unwrap(), d(2024, 2, 29));
    assert_eq!(parse_iso_date("2024-02-30").unwrap_err(), DateError::Impossible { year: 2024, month: 2, day: 30 });
    assert!(parse_iso_date("2024-02-30").unwrap_err().to_string().contains("29 days"));
    assert_eq!(parse_iso_date("2023-02-29").unwrap_err().code(), "invalid_date");
    assert!(parse_iso_date("2024-13-01").unwrap_err().to_string().contains("month 13"));
    for bad in [
        "2024-4-1",
        "2024/04/01",
        "20240401",
        " 2024-04-01",
        "2024-04-01 ",
        "２０２４-04-01",
        "",
        "R6.4.1",
        "+024-04-01",
        "2024-04-0a",
    ] {
        assert!(matches!(parse_iso_date(bad), Err(DateError::Malformed { .. })), "{bad:?} must be malformed");
    }
    assert_eq!(parse_iso_date("x").unwrap_err().code(), "invalid_date");
}

#[test]
fn parse_date_gregorian_forms() {
    let day = d(2024, 4, 1);
    for s in [
        "2024-04-01",
        "2024/04/01",
        "2024/4/1",
        "2024.4.1",
        "20240401",
        "2024年4月1日",
        "2024年04月01日",
        " ２０２４／０４／０１ ",
        "2024-4-1",
    ] {
        assert_eq!(parse_date(s).unwrap_or_else(|e| panic!("{s}: {e}")), day, "{s}");
    }
    for bad in ["2024/04-01", "2024-04", "202404", "24-04-01", "2024/04/01/", "2024 04 01", "2024月4年1日"] {
        assert!(parse_date(bad).is_err(), "{bad:?} must fail");
    }
    // "2024年4月1" without 日 is tolerated (日 is optional), but other garbage after is not
    assert_eq!(parse_date("2024年4月1").unwrap(), d(2024, 4, 1));
    assert!(parse_date("2024年4月1日x").is_err());
    assert_eq!(parse_date("2024/02/30").unwrap_err(), DateError::Impossible { year: 2024, month: 2, day: 30 });
    assert_eq!(parse_date("20230229").unwrap_err().code(), "invalid_date");
}

#[test]
fn parse_date_wareki_full() {
    for (s, want) in [
        ("令和6年4月1日", d(2024, 4, 1)),
        ("令和元年5月1日", d(2019, 5, 1)),
        ("令和1年5月1日", d(2019, 5, 1)),
        ("平成31年4月30日", d(2019, 4, 30)),
        ("平成元年1月8日", d(1989, 1, 8)),
        ("昭和64年1月7日", d(1989, 1, 7)),
        ("昭和55年4月15日", d(1980, 4, 15)),
        ("昭和元年12月25日", d(1926, 12, 25)),
        ("大正15年12月24日", d(1926, 12, 24)),
        ("大正元年7月30日", d(1912, 7, 30)),
        ("明治45年7月29日", d(1912, 7, 29)),
        ("明治元年1月25日", d(1868, 1, 25)),
        ("令和６年４月１日", d(2024, 4, 1)),
        ("令和 6年 4月 1日", d(2024, 4, 1)),
        ("　令和　６年　４月　１日　", d(2024, 4, 1)),
        ("㋿6年4月1日", d(2024, 4, 1)),
        ("㍻31年4月30日", d(2019, 4, 30)),
        ("㍼55年4月15日", d(1980, 4, 15)),
    ] {
        assert_eq!(parse_date(s).unwrap_or_else(|e| panic!("{s}: {e}")), want, "{s}");
    }
}

#[test]
fn parse_date_wareki_abbreviated() {
    for (s, want) in [
        ("R6.4.1", d(2024, 4, 1)),
        ("R06.04.01", d(2024, 4, 1)),
        ("r6.4.1", d(2024, 4, 1)),
        ("R6/4/1", d(2024, 4, 1)),
        ("R6-4-1", d(2024, 4, 1)),
        ("S55.4.15", d(1980, 4, 15)),
        ("s55.4.15", d(1980, 4, 15)),
        ("H31.4.30", d(2019, 4, 30)),
        ("h1.1.8", d(1989, 1, 8)),
        ("T15.12.24", d(1926, 12, 24)),
        ("M45.7.29", d(1912, 7, 29)),
        ("Ｒ６．４．１", d(2024, 4, 1)),
        ("R1.5.1", d(2019, 5, 1)),
        ("R6年4月1日", d(2024, 4, 1)),
    ] {
        assert_eq!(parse_date(s).unwrap_or_else(|e| panic!("{s}: {e}")), want, "{s}");
    }
    for bad in ["R6.4", "R6.4.1.", "R6.4/1", "X6.4.1", "R.4.1", "R6..1", "令和", "令和6年", "R123456.1.1"] {
        assert!(parse_date(bad).is_err(), "{bad:?} must fail");
    }
}

#[test]
fn era_boundaries_are_refused() {
    for s in [
        "平成31年5月1日",
        "H31.5.1",
        "令和元年4月30日",
        "平成32年5月1日",
        "昭和64年1月8日",
        "昭和65年1月1日",
        "昭和元年12月24日",
        "大正15年12月25日",
        "明治45年7月30日",
        "明治元年1月24日",
        "令和0年5月1日",
        "平成0年1月8日",
    ] {
        let e = parse_date(s).unwrap_err();
        assert!(matches!(e, DateError::EraOutOfRange { .. }), "{s}: {e:?}");
        assert_eq!(e.code(), "invalid_date");
    }
    // the message says which day was meant
    let msg = parse_date("平成31年5月1日").unwrap_err().to_string();
    assert!(msg.contains("令和元年5月1日"), "{msg}");
    assert!(msg.contains("2019-04-30"), "{msg}");
    // an impossible day inside an era is Impossible, not out of range
    assert_eq!(parse_date("令和6年2月30日").unwrap_err(), DateError::Impossible { year: 2024, month: 2, day: 30 });
}

#[test]
fn era_table() {
    assert_eq!(Era::of(d(2019, 4, 30)), Some(Era::Heisei));
    assert_eq!(Era::of(d(2019, 5, 1)), Some(Era::Reiwa));
    assert_eq!(Era::of(d(1989, 1, 7)), Some(Era::Showa));
    assert_eq!(Era::of(d(1868, 1, 24)), None);
    assert_eq!(Era::Showa.last_day(), Some(d(1989, 1, 7)));
    assert_eq!(Era::Reiwa.last_day(), None);
    for w in Era::ALL.windows(2) {
        assert_eq!(w[0].last_day().unwrap().succ_opt().unwrap(), w[1].first_day());
        assert_eq!(w[0].next(), Some(w[1]));
    }
}

#[test]
fn wareki_output() {
    assert_eq!(to_wareki(d(2024, 4, 1)), "令和6年4月1日");
    assert_eq!(to_wareki(d(2019, 5, 1)), "令和元年5月1日");
    assert_eq!(to_wareki(d(2019, 4, 30)), "平成31年4月30日");
    assert_eq!(to_wareki(d(1989, 1, 7)), "昭和64年1月7日");
    assert_eq!(to_wareki(d(1989, 1, 8)), "平成元年1月8日");
    assert_eq!(to_wareki(d(1980, 4, 15)), "昭和55年4月15日");
    assert_eq!(to_wareki(d(1868, 1, 24)), "1868-01-24");
    assert_eq!(to_wareki_short(d(2024, 4, 1)), "R6.4.1");
    assert_eq!(to_wareki_short(d(2019, 5, 1)), "R1.5.1");
    assert_eq!(to_wareki_short(d(1980, 4, 15)), "S55.4.15");
    assert_eq!(to_wareki_short(d(1900, 1, 1)), "M33.1.1");
    assert_eq!(to_wareki_short(d(1800, 1, 1)), "1800-01-01");
}

/// Issue 2: 「昭和55年」 — a 和暦 year alone, as forms and old records write a birth year.
#[test]
fn wareki_year_alone() {
    for (s, want) in [
        ("昭和55年", 1980),
        ("昭和55", 1980),
        ("昭和 55 年", 1980),
        ("　昭和５５年　", 1980),
        ("㍼55年", 1980),
        ("S55", 1980),
        ("s55年", 1980),
        ("Ｓ５５", 1980),
        ("S055", 1980),
        ("令和元年", 2019),
        ("令和1年", 2019),
        ("R1", 2019),
        ("平成31年", 2019),
        ("H31", 2019),
        ("平成元年", 1989),
        ("昭和64年", 1989),
        ("昭和元年", 1926),
        ("大正15年", 1926),
        ("大正元年", 1912),
        ("明治45年", 1912),
        ("明治元年", 1868),
        ("令和6年", 2024),
        ("㋿6年", 2024),
        ("令和100年", 2118),
    ] {
        assert_eq!(parse_wareki_year(s).unwrap_or_else(|e| panic!("{s}: {e}")), want, "{s}");
    }
    // outside the era: refused, with the year that was meant
    for s in ["平成32年", "H32", "昭和65年", "大正16年", "明治46年", "令和0年", "平成0年", "R1001"] {
        let e = parse_wareki_year(s).unwrap_err();
        assert!(matches!(e, DateError::EraYearOutOfRange { .. }), "{s}: {e:?}");
        assert_eq!(e.code(), "invalid_date");
    }
    let msg = parse_wareki_year("平成32年").unwrap_err().to_string();
    assert!(msg.contains("2020 is 令和2年") && msg.contains("元年–31年"), "{msg}");
    // not an era year
    for s in [
        "",
        "1980",
        "1980年",
        "昭和",
        "昭和年",
        "昭和55年4月",
        "昭和55年4月15日",
        "S55.4.15",
        "X55",
        "昭和五十五年",
        "昭和55年x",
    ] {
        assert!(matches!(parse_wareki_year(s), Err(DateError::Malformed { .. })), "{s:?} must be malformed");
    }
    let y = parse_era_year("令和元年").unwrap();
    assert_eq!((y.era(), y.year(), y.gregorian()), (Era::Reiwa, 1, 2019));
}

/// A year is not a date: where a date is required, 「昭和55年」 is refused, and says why.
#[test]
fn a_year_alone_is_not_a_date() {
    for s in ["昭和55年", "S55", "令和元年", "平成31年", "R6"] {
        let e = parse_date(s).unwrap_err();
        assert!(matches!(e, DateError::YearOnly { .. }), "{s}: {e:?}");
        assert_eq!(e.code(), "invalid_date");
    }
    let msg = parse_date("昭和55年").unwrap_err().to_string();
    assert!(msg.contains("1980") && msg.contains("month and day"), "{msg}");
    // an impossible year alone is out of range, not a year
    assert!(matches!(parse_date("平成32年"), Err(DateError::EraYearOutOfRange { .. })));
    // the strict API form never takes one
    assert!(parse_iso_date("1980").is_err());
}

#[test]
fn wareki_year_output() {
    let y = |era, n| EraYear::new(era, n).unwrap();
    assert_eq!(y(Era::Showa, 55).to_string(), "昭和55年");
    assert_eq!(y(Era::Reiwa, 1).to_string(), "令和元年");
    assert_eq!(y(Era::Heisei, 31).to_string(), "平成31年");
    assert_eq!(y(Era::Showa, 55).short(), "S55");
    assert_eq!(y(Era::Reiwa, 1).short(), "R1");
    assert_eq!(EraYear::of(d(2019, 4, 30)), Some(y(Era::Heisei, 31)));
    assert_eq!(EraYear::of(d(2019, 5, 1)), Some(y(Era::Reiwa, 1)));
    assert_eq!(EraYear::of(d(1868, 1, 24)), None);
    let names = |g| EraYear::all_in(g).map(|y| y.to_string()).collect::<Vec<_>>();
    assert_eq!(names(2019), ["平成31年", "令和元年"]);
    assert_eq!(names(1989), ["昭和64年", "平成元年"]);
    assert_eq!(names(1926), ["大正15年", "昭和元年"]);
    assert_eq!(names(1912), ["明治45年", "大正元年"]);
    assert_eq!(names(1980), ["昭和55年"]);
    assert_eq!(names(1867), Vec::<String>::new());
    assert_eq!(Era::Heisei.last_year(), Some(31));
    assert_eq!(Era::Showa.last_year(), Some(64));
    assert_eq!(Era::Reiwa.last_year(), None);
    // every year from 1868 to 2100 prints in each of its eras and parses back
    for g in 1868..=2100 {
        let years: Vec<EraYear> = EraYear::all_in(g).collect();
        assert!(matches!(years.len(), 1 | 2), "{g}");
        for ey in years {
            assert_eq!(ey.gregorian(), g);
            assert_eq!(parse_era_year(&ey.to_string()).unwrap(), ey);
            assert_eq!(parse_era_year(&ey.short()).unwrap(), ey);
        }
    }
}

#[test]
fn wareki_roundtrip_every_day_1868_to_2100() {
    let mut day = d(1868, 1, 25);
    while day <= d(2100, 12, 31) {
        assert_eq!(parse_date(&to_wareki(day)).unwrap(), day, "{day}");
        assert_eq!(parse_date(&to_wareki_short(day)).unwrap(), day, "{day}");
        day = day.succ_opt().unwrap();
    }
}

proptest! {
    #[test]
    fn parse_never_panics(s in "\\PC{0,24}") {
        if let Err(e) = parse_date(&s) { prop_assert_eq!(e.code(), "invalid_date"); }
        if let Err(e) = parse_iso_date(&s) { prop_assert_eq!(e.code(), "invalid_date"); }
        if let Err(e) = parse_wareki_year(&s) { prop_assert_eq!(e.code(), "invalid_date"); }
    }

    #[test]
    fn parse_date_like_inputs_never_panic(
        era in "[明大昭平令MTSHRmtshr]?[治正和成]?",
        y in "[0-9０-９元]{0,6}",
        sep in "[-/.年月日 ]",
        m in "[0-9]{0,3}",
        day in "[0-9]{0,3}",
    ) {
        let s = format!("{era}{y}{sep}{m}{sep}{day}");
        let _ = parse_date(&s);
        // a year alone: parsed as a year or refused, never a date
        let year_only = format!("{era}{y}{}", if sep == "年" { "年" } else { "" });
        if let Ok(y) = parse_era_year(&year_only) {
            prop_assert_eq!(parse_wareki_year(&year_only).ok(), Some(y.gregorian()));
            prop_assert!(parse_date(&year_only).is_err());
        }
    }

    #[test]
    fn iso_roundtrip(days in 0i64..200_000) {
        let day = d(1500, 1, 1) + chrono::Days::new(days as u64);
        let s = day.format("%Y-%m-%d").to_string();
        prop_assert_eq!(parse_iso_date(&s).unwrap(), day);
        prop_assert_eq!(parse_date(&s).unwrap(), day);
        prop_assert_eq!(parse_date(&day.format("%Y%m%d").to_string()).unwrap(), day);
    }
}
