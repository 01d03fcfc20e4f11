//! The rules a document keeps before it is signed.

use onshi_document::*;
use onshi_law::Date;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd_opt(y, m, day).expect("test date")
}

fn reason(doc: &Document) -> Option<(&'static str, &'static str)> {
    match doc.validate() {
        Ok(()) => None,
        Err(DocumentError::Invalid { field, reason }) => Some((field, reason)),
        Err(e) => panic!("unexpected {e}"),
    }
}

#[test]
fn the_example_is_valid() {
    assert_eq!(reason(&example_document()), None);
}

#[test]
fn a_certificate_is_valid_at_most_five_years() {
    let mut doc = example_document();
    doc.valid_from = d(2024, 12, 2);
    doc.issued_on = d(2024, 12, 2);
    doc.valid_until = Some(d(2029, 12, 1));
    assert_eq!(reason(&doc), None);
    doc.valid_until = Some(d(2029, 12, 2));
    assert_eq!(reason(&doc), Some(("valid_until", "longer_than_5_years")));
    // 民法第143条: from 29 February the period ends on 28 February
    doc.valid_from = d(2024, 2, 29);
    doc.valid_until = Some(d(2029, 2, 28));
    assert_eq!(reason(&doc), None);
    doc.valid_until = Some(d(2029, 3, 1));
    assert_eq!(reason(&doc), Some(("valid_until", "longer_than_5_years")));
    assert_eq!(certificate_latest_end(d(2024, 2, 29)), d(2029, 3, 1));
    doc.valid_until = None;
    assert_eq!(reason(&doc), Some(("valid_until", "certificate_needs_end")));
    doc.valid_until = Some(d(2024, 2, 28));
    assert_eq!(reason(&doc), Some(("valid_until", "before_start")));
}

#[test]
fn a_notice_needs_no_end_and_a_dependent_names_the_insured_person() {
    let mut doc = example_document();
    doc.kind = DocumentKind::EligibilityNotice;
    doc.valid_until = None;
    assert_eq!(reason(&doc), None);
    doc.insured_person_name = None;
    assert_eq!(reason(&doc), Some(("insured_person_name", "dependent_needs_insured_name")));
    doc.relationship = Relationship::Insured;
    assert_eq!(reason(&doc), None);
}

#[test]
fn serials_and_dates_in_order() {
    let mut doc = example_document();
    for bad in ["", "a b", "番号", &"x".repeat(MAX_SERIAL_LEN + 1)] {
        doc.serial = bad.to_owned();
        assert_eq!(reason(&doc), Some(("serial", "serial_format")), "{bad:?}");
    }
    let mut doc = example_document();
    doc.acquired_on = d(1980, 1, 1);
    assert_eq!(reason(&doc), Some(("acquired_on", "before_birth")));
    let mut doc = example_document();
    doc.valid_from = d(2019, 1, 1);
    assert_eq!(reason(&doc), Some(("valid_from", "before_acquisition")));
    let mut doc = example_document();
    doc.version = 0;
    assert_eq!(reason(&doc), Some(("version", "version_zero")));
}

#[test]
fn signing_refuses_an_invalid_document() {
    let key = DocumentSigner::generate(SYSTEM_ISSUER);
    let mut doc = example_document();
    doc.name = " ".into();
    assert!(matches!(sign(&doc, &key), Err(DocumentError::Invalid { field: "name", .. })));
}

#[test]
fn a_key_survives_its_pem() {
    let key = DocumentSigner::generate(SYSTEM_ISSUER);
    let pem = key.to_pkcs8_pem().expect("pem");
    let again = DocumentSigner::from_pkcs8_pem(&pem, SYSTEM_ISSUER).expect("read");
    assert_eq!(again.kid(), key.kid());
    assert!(
        DocumentSigner::from_pkcs8_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", SYSTEM_ISSUER)
            .is_err()
    );
}

#[test]
fn the_json_form_round_trips_and_names_the_wrong_field() {
    let doc = example_document();
    let json = serde_json::to_value(DocumentJson::from(&doc)).expect("json");
    assert_eq!(json["name_display"], "高橋 花子");
    assert_eq!(json["insured_name"], "髙橋 太郎");
    let back: DocumentJson = serde_json::from_value(json.clone()).expect("parse");
    assert_eq!(Document::try_from(back).expect("valid"), doc);
    for (field, value, reason) in [
        ("insurer_number", serde_json::json!("01130013"), "insurer_number"),
        ("birth_date", serde_json::json!("1990-02-30"), "birth_date"),
        ("copay_ratio", serde_json::json!(25), "copay_ratio"),
        ("relationship", serde_json::json!("spouse"), "relationship"),
        ("valid_until", serde_json::json!("2032-12-01"), "valid_until"),
    ] {
        let mut j = json.clone();
        j[field] = value;
        let parsed: DocumentJson = serde_json::from_value(j).expect("shape");
        match Document::try_from(parsed) {
            Err(DocumentError::Invalid { field: f, .. }) => assert_eq!(f, reason),
            other => panic!("{field}: {other:?}"),
        }
    }
    let mut j = json;
    j["unknown"] = serde_json::json!(1);
    assert!(serde_json::from_value::<DocumentJson>(j).is_err());
}
