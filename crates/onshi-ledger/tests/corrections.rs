//! Corrections kept in the history: the reason of a loss, a copay exception withdrawn, the copay exception
//! that ends by itself at the next change of the law, voids with who, and the stored form of old entries.

use onshi_ids::{Branch, InsuredNumber, InsurerNumber, Scheme};
use onshi_law::{CopayRatio, Date, IncomeBracket, copay, elderly_from, preschool_last_day};
use onshi_ledger::*;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd_opt(y, m, day).unwrap()
}

fn statik(insurer: &str, birth: Date) -> MemberStatic {
    MemberStatic {
        key: MemberKey {
            insurer_number: InsurerNumber::parse(insurer).unwrap(),
            symbol: None,
            number: InsuredNumber::parse("500").unwrap(),
            branch: Branch::parse("00").unwrap(),
        },
        relationship: Relationship::Insured,
        birth_date: birth,
        sex: Sex::Female,
    }
}

fn over(p: u8) -> Option<CopayOverride> {
    Some(CopayOverride { ratio: CopayRatio::from_percent(p).unwrap(), reason: "基準収入額適用".into() })
}

fn acquire(on: Date, bracket: Option<IncomeBracket>, ov: Option<CopayOverride>) -> Entry {
    Entry {
        seq: Seq(1),
        recorded_at: RecordedAt(100),
        effective_on: on,
        change: Change::Acquire {
            name: "斎藤 花子".into(),
            name_kana: "サイトウ ハナコ".into(),
            address: "東京都府中市宮西町二丁目24番地".into(),
            income_bracket: bracket,
            copay_override: ov,
        },
    }
}

fn entry(seq: u64, on: Date, change: Change) -> Entry {
    Entry { seq: Seq(seq), recorded_at: RecordedAt(seq as i64 * 100), effective_on: on, change }
}

fn update(bracket: Option<IncomeBracket>, ov: Option<CopayOverride>) -> Change {
    Change::Update { name: None, name_kana: None, address: None, income_bracket: bracket, copay_override: ov }
}

fn withdraw() -> Change {
    Change::WithdrawCopay { reason: "申請の取下げ".into() }
}

fn ratio(h: &MemberHistory, on: Date) -> Option<u8> {
    resolve(h, on, None).and_then(|r| r.copay_ratio).map(|r| r.percent())
}

fn ratio_known(h: &MemberHistory, on: Date, at: i64) -> Option<u8> {
    resolve(h, on, Some(RecordedAt(at))).and_then(|r| r.copay_ratio).map(|r| r.percent())
}

// ------------------------------------------------------------------ stored form

#[test]
fn entries_stored_before_the_extensions_still_load() {
    let lose: Change = serde_json::from_str(r#"{"kind":"lose"}"#).unwrap();
    assert_eq!(lose, Change::Lose { reason: None });
    let void: Change = serde_json::from_str(r#"{"kind":"void","target":3,"reason":"誤登録"}"#).unwrap();
    assert_eq!(void, Change::Void { target: Seq(3), reason: "誤登録".into(), by: None });
    // and what is written without the new fields is byte-for-byte what was written before
    assert_eq!(serde_json::to_string(&Change::Lose { reason: None }).unwrap(), r#"{"kind":"lose"}"#);
    assert_eq!(
        serde_json::to_string(&Change::Void { target: Seq(3), reason: "x".into(), by: None }).unwrap(),
        r#"{"kind":"void","target":3,"reason":"x"}"#
    );
}

#[test]
fn the_new_fields_round_trip() {
    for c in [
        Change::Lose { reason: Some(LossReason::Death) },
        Change::WithdrawCopay { reason: "取下げ".into() },
        Change::Void { target: Seq(9), reason: "誤登録".into(), by: Some("06139992".into()) },
    ] {
        let s = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<Change>(&s).unwrap(), c, "{s}");
    }
    assert_eq!(
        serde_json::to_string(&Change::Lose { reason: Some(LossReason::Death) }).unwrap(),
        r#"{"kind":"lose","reason":"death"}"#
    );
    assert_eq!(Change::WithdrawCopay { reason: String::new() }.kind(), "withdraw_copay");
    assert_eq!((LossReason::Death.as_str(), LossReason::Death.label_ja()), ("death", "死亡"));
}

#[test]
fn a_loss_with_a_reason_is_a_loss() {
    let mut h = MemberHistory::new(statik("06139992", d(1950, 5, 10)), acquire(d(2010, 4, 1), None, None)).unwrap();
    h.append(entry(2, d(2024, 6, 2), Change::Lose { reason: Some(LossReason::Death) })).unwrap();
    assert_eq!(h.period(None), (d(2010, 4, 1), Some(d(2024, 6, 2))));
    assert_eq!(resolve(&h, d(2024, 6, 2), None).unwrap().status, Status::Lost);
    assert_eq!(resolve(&h, d(2024, 6, 1), None).unwrap().status, Status::Covered);
}

// ------------------------------------------------------------------ withdrawal

#[test]
fn a_withdrawn_exception_ends_on_its_day_and_was_in_force_as_known_before() {
    // 72, 現役並み by the law (3割), 2割 by the insurer's decision
    let birth = d(1952, 3, 10);
    let mut h = MemberHistory::new(
        statik("06139992", birth),
        acquire(d(2024, 4, 1), Some(IncomeBracket::ActiveEquivalent), over(20)),
    )
    .unwrap();
    assert_eq!(ratio(&h, d(2024, 8, 1)), Some(20));
    h.append(entry(2, d(2024, 9, 1), withdraw())).unwrap();
    assert_eq!(ratio(&h, d(2024, 8, 31)), Some(20));
    assert_eq!(ratio(&h, d(2024, 9, 1)), Some(30));
    let r = resolve(&h, d(2024, 9, 1), None).unwrap();
    assert_eq!((r.copay_override, r.copay_override_ended_on), (None, None));
    // what a clinic was told before the withdrawal was recorded
    assert_eq!(ratio_known(&h, d(2024, 9, 1), 150), Some(20));
    // withdrawing twice: nothing is in force any more
    let e = h.check_append(&entry(3, d(2024, 10, 1), withdraw())).unwrap_err();
    assert_eq!((e.reason(), e.field()), ("no_copay_override", Some("effective_on")));
    // a new exception stated after the withdrawal applies from its day
    h.append(entry(3, d(2024, 11, 1), update(None, over(20)))).unwrap();
    assert_eq!(ratio(&h, d(2024, 10, 31)), Some(30));
    assert_eq!(ratio(&h, d(2024, 11, 1)), Some(20));
    // voiding the withdrawal restores the exception in between
    h.append(entry(4, d(2024, 12, 1), Change::Void { target: Seq(2), reason: "誤".into(), by: Some("x".into()) }))
        .unwrap();
    assert_eq!(ratio(&h, d(2024, 9, 15)), Some(20));
    assert_eq!(ratio_known(&h, d(2024, 9, 15), 350), Some(30));
}

#[test]
fn a_withdrawal_needs_an_exception_in_force_and_an_acquisition() {
    let birth = d(1960, 3, 10);
    let h = MemberHistory::new(statik("06139992", birth), acquire(d(2020, 4, 1), None, None)).unwrap();
    let e = h.check_append(&entry(2, d(2021, 1, 1), withdraw())).unwrap_err();
    assert_eq!(e.reason(), "no_copay_override");
    let h = MemberHistory::new(statik("06139992", birth), acquire(d(2020, 4, 1), None, over(20))).unwrap();
    let e = h.check_append(&entry(2, d(2019, 1, 1), withdraw())).unwrap_err();
    assert_eq!(e.reason(), "change_before_acquired");
    let mut h = h;
    h.append(entry(2, d(2024, 1, 1), Change::Void { target: Seq(1), reason: "誤".into(), by: None })).unwrap();
    assert_eq!(h.check_append(&entry(3, d(2021, 1, 1), withdraw())).unwrap_err().reason(), "not_acquired");
}

// ------------------------------------------------------------------ the exception ends with its rule

#[test]
fn an_exception_stated_before_70_ends_when_the_elderly_ratio_starts() {
    let birth = d(1954, 11, 15);
    let from70 = elderly_from(birth); // 2024-12-01
    assert_eq!(from70, d(2024, 12, 1));
    let h = MemberHistory::new(statik("06139992", birth), acquire(d(2020, 4, 1), None, over(10))).unwrap();
    assert_eq!(ratio(&h, d(2024, 11, 30)), Some(10));
    let r = resolve(&h, from70, None).unwrap();
    assert_eq!(
        (r.copay_ratio.map(|c| c.percent()), r.copay_override, r.copay_override_ended_on),
        (Some(20), None, Some(from70))
    );
    assert_eq!(ratio(&h, d(2028, 1, 1)), Some(20));
    // restated from the 70th: it holds again
    let mut h = h;
    h.append(entry(2, from70, update(None, over(10)))).unwrap();
    assert_eq!(ratio(&h, d(2026, 1, 1)), Some(10));
    // …until 75, when the scheme itself ends
    assert_eq!(resolve(&h, d(2029, 11, 15), None).unwrap().status, Status::AgedOut);
}

#[test]
fn an_exception_ends_at_a_change_of_bracket_that_changes_the_law() {
    // 71, 現役並み by the law, 2割 by the insurer; then the bracket becomes 一般: the law says 2割 itself
    let birth = d(1953, 2, 10);
    let mut h = MemberHistory::new(
        statik("06139992", birth),
        acquire(d(2024, 4, 1), Some(IncomeBracket::ActiveEquivalent), over(20)),
    )
    .unwrap();
    h.append(entry(2, d(2024, 8, 1), update(Some(IncomeBracket::General), None))).unwrap();
    h.append(entry(3, d(2025, 8, 1), update(Some(IncomeBracket::ActiveEquivalent), None))).unwrap();
    assert_eq!(ratio(&h, d(2024, 7, 31)), Some(20));
    let r = resolve(&h, d(2024, 8, 1), None).unwrap();
    assert_eq!(r.copay_override_ended_on, Some(d(2024, 8, 1)));
    // back to 現役並み a year later: the old exception does not come back
    assert_eq!(ratio(&h, d(2025, 8, 1)), Some(30));
    assert_eq!(resolve(&h, d(2025, 8, 1), None).unwrap().copay_override_ended_on, Some(d(2024, 8, 1)));
    // as known before the bracket change was recorded, it was still in force
    assert_eq!(ratio_known(&h, d(2024, 9, 1), 150), Some(20));
}

#[test]
fn a_change_of_bracket_that_leaves_the_law_alone_keeps_the_exception() {
    // 45: 3割 whatever the bracket
    let birth = d(1980, 6, 1);
    let mut h = MemberHistory::new(statik("06139992", birth), acquire(d(2020, 4, 1), None, over(20))).unwrap();
    h.append(entry(2, d(2022, 4, 1), update(Some(IncomeBracket::ActiveEquivalent), None))).unwrap();
    assert_eq!(ratio(&h, d(2023, 1, 1)), Some(20));
    assert_eq!(resolve(&h, d(2023, 1, 1), None).unwrap().copay_override_ended_on, None);
}

#[test]
fn a_preschool_exception_ends_with_preschool() {
    let birth = d(2019, 7, 20);
    let end = preschool_last_day(birth); // 2026-03-31
    let h = MemberHistory::new(statik("06139992", birth), acquire(birth, None, over(10))).unwrap();
    assert_eq!(ratio(&h, end), Some(10));
    assert_eq!(ratio(&h, end.succ_opt().unwrap()), Some(30));
}

#[test]
fn a_late_stage_exception_stated_before_general_2_ends_on_its_first_day() {
    // 後期高齢者医療 (scheme from the 39 prefix), bracket 一般Ⅱ recorded before 2022-10-01
    let birth = d(1940, 5, 5);
    let h =
        MemberHistory::new(statik("39131008", birth), acquire(d(2022, 4, 1), Some(IncomeBracket::General2), over(30)))
            .unwrap();
    assert_eq!(h.statik.key.insurer_number.scheme(), Scheme::LateStageElderly);
    assert_eq!(ratio(&h, d(2022, 9, 30)), Some(30));
    assert_eq!(ratio(&h, d(2022, 10, 1)), Some(20));
}

/// Against a naive model, day by day: the exception stated on `s` applies on `day` iff the law (with the one
/// bracket change) gave the same answer on every day of `(s, day]`.
#[test]
fn the_exception_matches_a_day_by_day_model() {
    let insurers = ["06139992", "138016", "39131008"];
    let births = [d(1945, 3, 31), d(1952, 4, 1), d(1954, 12, 1), d(1957, 2, 28), d(2018, 4, 2)];
    let brackets =
        [None, Some(IncomeBracket::General), Some(IncomeBracket::General2), Some(IncomeBracket::ActiveEquivalent)];
    let mut checked = 0;
    for insurer in insurers {
        for birth in births {
            let scheme = InsurerNumber::parse(insurer).unwrap().scheme();
            for b0 in brackets {
                for b1 in brackets {
                    let acquired = d(2020, 4, 1).max(birth);
                    let stated = d(2021, 10, 1);
                    let bracket_change = d(2023, 4, 1);
                    let mut h = MemberHistory::new(statik(insurer, birth), acquire(acquired, b0, None)).unwrap();
                    h.append(entry(2, stated, update(None, over(10)))).unwrap();
                    if let Some(b1) = b1 {
                        h.append(entry(3, bracket_change, update(Some(b1), None))).unwrap();
                    }
                    let bracket_on = |day: Date| if day >= bracket_change { b1.or(b0) } else { b0 };
                    let law = |day: Date| copay(birth, day, scheme, bracket_on(day));
                    let mut day = stated;
                    let mut same_so_far = true;
                    while day < d(2031, 1, 1) {
                        if law(day) != law(stated) {
                            same_so_far = false;
                        }
                        let r = resolve(&h, day, None).unwrap();
                        if r.status == Status::Covered {
                            assert_eq!(
                                r.copay_override.is_some(),
                                same_so_far,
                                "{insurer} born {birth} {b0:?}→{b1:?} on {day}"
                            );
                            let want = if same_so_far { Some(10) } else { law(day).ratio().map(|r| r.percent()) };
                            assert_eq!(r.copay_ratio.map(|c| c.percent()), want, "{insurer} {birth} {day}");
                            checked += 1;
                        }
                        day = day.succ_opt().unwrap();
                    }
                }
            }
        }
    }
    assert!(checked > 100_000, "{checked}");
}
