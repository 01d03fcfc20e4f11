//! 職権交付: every target group gets a 資格確認書 without asking; nobody with a usable card or a serving
//! 保険証 does; and whoever has none of the three holds no proof.

use onshi_card::Registration;
use onshi_card::rules::{Validity, validity_on};
use onshi_document::entitlement::*;
use onshi_law::Date;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd_opt(y, m, day).expect("test date")
}

const TODAY: (i32, u32, u32) = (2026, 6, 1);

fn today() -> Date {
    d(TODAY.0, TODAY.1, TODAY.2)
}

fn good_card() -> CardSituation {
    CardSituation {
        registration: Registration::Registered { since: d(2024, 1, 10) },
        certificate: validity_on(d(2023, 1, 1), d(2028, 1, 1), today()),
        body: validity_on(d(2023, 1, 1), d(2033, 1, 1), today()),
        returned: false,
    }
}

fn with_card(card: Option<CardSituation>) -> Situation {
    Situation { card, legacy_card_until: None, data_hidden: false, care_renewal_due: false }
}

#[test]
fn every_target_group_gets_one_without_asking() {
    let cases: Vec<(Situation, Option<IssueReason>)> = vec![
        (with_card(Some(good_card())), None),
        (with_card(None), Some(IssueReason::NoCard)),
        (
            with_card(Some(CardSituation { registration: Registration::NotRegistered, ..good_card() })),
            Some(IssueReason::NotRegistered),
        ),
        (
            with_card(Some(CardSituation {
                registration: Registration::CancellationPending {
                    requested_on: d(2026, 5, 20),
                    last_day: d(2026, 6, 30),
                },
                ..good_card()
            })),
            Some(IssueReason::RegistrationCancelled),
        ),
        (
            with_card(Some(CardSituation {
                registration: Registration::Cancelled { since: d(2026, 1, 1) },
                ..good_card()
            })),
            Some(IssueReason::RegistrationCancelled),
        ),
        // expired within the grace: still usable, nothing yet; past the grace: one
        (
            with_card(Some(CardSituation {
                certificate: validity_on(d(2021, 1, 1), d(2026, 4, 10), today()),
                ..good_card()
            })),
            None,
        ),
        (
            with_card(Some(CardSituation {
                certificate: validity_on(d(2021, 1, 1), d(2026, 2, 10), today()),
                ..good_card()
            })),
            Some(IssueReason::CardExpired),
        ),
        (
            with_card(Some(CardSituation { body: validity_on(d(2016, 1, 1), d(2026, 1, 10), today()), ..good_card() })),
            Some(IssueReason::CardExpired),
        ),
        (with_card(Some(CardSituation { returned: true, ..good_card() })), Some(IssueReason::CardReturned)),
        (Situation { data_hidden: true, ..with_card(Some(good_card())) }, Some(IssueReason::DataHidden)),
        (Situation { care_renewal_due: true, ..with_card(Some(good_card())) }, Some(IssueReason::CareRenewal)),
    ];
    for (i, (s, want)) in cases.iter().enumerate() {
        assert_eq!(ex_officio_reason(s, today()), *want, "case {i}: {s:?}");
        if let Some(r) = want {
            assert!(r.ex_officio());
            assert!(!r.label_ja().is_empty());
        }
    }
    assert!(matches!(validity_on(d(2021, 1, 1), d(2026, 4, 10), today()), Validity::Grace { .. }));
}

#[test]
fn no_certificate_while_a_legacy_card_serves_and_none_after_2025_12_01() {
    let mut s = with_card(None);
    s.legacy_card_until = Some(d(2026, 7, 31)); // its own expiry is later than the law allows
    assert_eq!(ex_officio_reason(&s, d(2025, 12, 1)), None);
    assert_eq!(ex_officio_reason(&s, d(2025, 12, 2)), Some(IssueReason::NoCard));
    s.legacy_card_until = Some(d(2025, 8, 31)); // a 国保 card expiring in the summer
    assert_eq!(ex_officio_reason(&s, d(2025, 8, 31)), None);
    assert_eq!(ex_officio_reason(&s, d(2025, 9, 1)), Some(IssueReason::NoCard));
    assert!(legacy_card_serves(Some(d(2025, 8, 31)), d(2025, 8, 31)));
    assert!(!legacy_card_serves(None, d(2024, 1, 1)));
}

#[test]
fn proof_is_a_usable_card_a_serving_legacy_card_or_a_valid_certificate() {
    let day = today();
    assert!(has_usable_proof(&with_card(Some(good_card())), false, day));
    assert!(!has_usable_proof(&with_card(None), false, day));
    assert!(has_usable_proof(&with_card(None), true, day));
    let pending = CardSituation {
        registration: Registration::CancellationPending { requested_on: d(2026, 5, 20), last_day: d(2026, 6, 30) },
        ..good_card()
    };
    assert!(
        has_usable_proof(&with_card(Some(pending)), false, day),
        "the card works until the cancellation takes effect"
    );
    let hidden = Situation { data_hidden: true, ..with_card(Some(good_card())) };
    assert!(!has_usable_proof(&hidden, false, day), "a hidden person's card answers nothing: they need the paper");
    // every ex officio target without a certificate has no proof; with one, they have
    for s in [with_card(None), with_card(Some(CardSituation { returned: true, ..good_card() })), hidden] {
        assert!(ex_officio_reason(&s, day).is_some());
        assert!(!has_usable_proof(&s, false, day));
        assert!(has_usable_proof(&s, true, day));
    }
}
