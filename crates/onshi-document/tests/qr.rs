//! The signed QR end to end: sign, verify offline, and every way a verifier must say no.

use chrono::{Duration, TimeZone, Utc};
use onshi_document::*;
use onshi_law::Date;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd_opt(y, m, day).expect("test date")
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 1, 0, 0).single().expect("test instant")
}

struct World {
    system: DocumentSigner,
    keys: KeySet,
    doc: Document,
    text: String,
}

fn world() -> World {
    let system = DocumentSigner::generate(SYSTEM_ISSUER);
    let doc = example_document();
    let text = sign(&doc, &system).expect("sign");
    let keys = KeySet { keys: vec![system.published(d(2026, 1, 1), None).expect("publish")], fetched_at: now() };
    World { system, keys, doc, text }
}

fn empty_list(w: &World) -> RevocationList {
    let bytes = RevocationList { sequence: 1, issued_at: now(), entries: vec![] }.sign(&w.system).expect("sign list");
    RevocationList::open(&bytes, &w.keys).expect("open list")
}

#[test]
fn a_signed_document_verifies_offline_with_every_field() {
    let w = world();
    assert!(w.text.starts_with(QR_PREFIX));
    // small enough for a QR code a card-size 資格確認書 can carry
    assert!(w.text.len() < 700, "{} characters", w.text.len());
    let list = empty_list(&w);
    let v = verify(&w.text, &w.keys, Some((&list, now())), d(2026, 12, 3), now());
    assert_eq!(v.code(), "document_genuine", "{v:?}");
    assert_eq!(v.document(), Some(&w.doc));
    assert!(matches!(&v, Verdict::Genuine { warnings, .. } if warnings.is_empty()));
    assert!(!v.next_step_ja().is_empty());
}

#[test]
fn every_single_character_changed_in_the_qr_text_fails() {
    let w = world();
    let list = empty_list(&w);
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let bytes = w.text.as_bytes();
    let mut codes = std::collections::BTreeMap::new();
    for i in QR_PREFIX.len()..bytes.len() {
        let mut altered = bytes.to_vec();
        let other = ALPHABET.iter().copied().find(|&c| c != bytes[i]).expect("another character");
        altered[i] = other;
        let altered = String::from_utf8(altered).expect("ascii");
        let v = verify(&altered, &w.keys, Some((&list, now())), d(2026, 12, 3), now());
        assert_ne!(v.code(), "document_genuine", "position {i} altered still verified");
        *codes.entry(v.code()).or_insert(0) += 1;
    }
    assert!(codes.contains_key("document_unreadable"), "{codes:?}");
}

/// A byte changed inside the signed COSE structure, then compressed and encoded again as a
/// forger would: the signature fails.
#[test]
fn one_byte_changed_inside_the_signed_payload_is_tampered() {
    use std::io::{Read, Write};
    let w = world();
    let body = w.text.strip_prefix(QR_PREFIX).expect("prefix");
    let zipped = base45::decode(body).expect("base45");
    let mut cose = Vec::new();
    flate2::read::ZlibDecoder::new(zipped.as_slice()).read_to_end(&mut cose).expect("inflate");
    // find the name bytes and change one of them (髙 → another character of the same UTF-8 length)
    let name = "髙橋 花子".as_bytes();
    let at = cose.windows(name.len()).position(|win| win == name).expect("name in payload");
    let mut forged = cose.clone();
    forged[at + 2] ^= 0x01;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&forged).expect("deflate");
    let text = format!("{QR_PREFIX}{}", base45::encode(z.finish().expect("deflate")));
    let v = verify(&text, &w.keys, None, d(2026, 12, 3), now());
    assert_eq!(v, Verdict::Tampered { reason: "signature" });
    assert!(v.message_ja().contains("改ざん"));
}

#[test]
fn a_revoked_document_fails_offline_with_the_cached_list() {
    let w = world();
    let entry = Revocation {
        serial: w.doc.serial.clone(),
        reason: RevocationReason::Reissued,
        revoked_on: d(2026, 12, 2),
        replaced_by: Some("01130012-000002".into()),
    };
    let other = Revocation {
        serial: "01130012-000000".into(),
        reason: RevocationReason::ReportedLost,
        revoked_on: d(2026, 1, 1),
        replaced_by: None,
    };
    let bytes = RevocationList { sequence: 7, issued_at: now(), entries: vec![entry.clone(), other] }
        .sign(&w.system)
        .expect("sign list");
    // the verifier has only the bytes and the keys: nothing else
    let list = RevocationList::open(&bytes, &w.keys).expect("open");
    let v = verify(&w.text, &w.keys, Some((&list, now())), d(2026, 12, 3), now());
    assert_eq!(v.code(), "document_revoked");
    assert!(matches!(&v, Verdict::Revoked { revocation, .. } if *revocation == entry));
    assert!(v.message_ja().contains("再交付"));
    // the day before the revocation takes effect it is still accepted
    let before = verify(&w.text, &w.keys, Some((&list, now())), d(2026, 12, 1), now());
    assert_eq!(before.code(), "document_genuine");
}

#[test]
fn a_revocation_list_is_accepted_only_intact_and_from_a_system_key() {
    let w = world();
    let bytes = RevocationList { sequence: 1, issued_at: now(), entries: vec![] }.sign(&w.system).expect("sign");
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x20;
        if let Ok(list) = RevocationList::open(&b, &w.keys) {
            // a flipped bit in an unprotected part would be harmless only if the content is the same
            assert_eq!(list, RevocationList::open(&bytes, &w.keys).expect("original"), "byte {i}");
        }
    }
    let insurer = DocumentSigner::generate("01130012");
    let refused = RevocationList { sequence: 1, issued_at: now(), entries: vec![] }.sign(&insurer);
    assert!(refused.is_err());
}

#[test]
fn dates_decide_expired_and_not_yet_valid_on_the_legal_day() {
    let w = world();
    let list = empty_list(&w);
    let at = |day| verify(&w.text, &w.keys, Some((&list, now())), day, now()).code();
    assert_eq!(at(d(2026, 11, 30)), "document_not_yet_valid");
    assert_eq!(at(d(2026, 12, 1)), "document_genuine");
    assert_eq!(at(d(2027, 11, 30)), "document_genuine");
    assert_eq!(at(d(2027, 12, 1)), "document_expired");
}

#[test]
fn an_unknown_key_and_a_key_of_another_insurer_are_refused() {
    let w = world();
    let stranger = DocumentSigner::generate(SYSTEM_ISSUER);
    let forged = sign(&w.doc, &stranger).expect("sign");
    let v = verify(&forged, &w.keys, None, d(2026, 12, 3), now());
    assert_eq!(v, Verdict::UnknownKey { kid: stranger.kid().to_owned() });

    // an insurer's key signs its own documents only
    let other = DocumentSigner::generate("06139996");
    assert!(sign(&w.doc, &other).is_err());
    // and a key set cannot make it sign for another insurer: key_not_allowed
    let own = DocumentSigner::generate("01130012");
    let text = sign(&w.doc, &own).expect("own insurer signs");
    let mut published = own.published(d(2026, 1, 1), None).expect("publish");
    let keys = KeySet { keys: vec![published.clone()], fetched_at: now() };
    assert_eq!(verify(&text, &keys, None, d(2026, 12, 3), now()).code(), "document_genuine");
    published.issuer = "06139996".into();
    let keys = KeySet { keys: vec![published.clone()], fetched_at: now() };
    assert_eq!(verify(&text, &keys, None, d(2026, 12, 3), now()), Verdict::Tampered { reason: "key_not_allowed" });
    // a key retired before the day of issue
    published.issuer = "01130012".into();
    published.valid_until = Some(d(2026, 11, 30));
    let keys = KeySet { keys: vec![published], fetched_at: now() };
    assert_eq!(verify(&text, &keys, None, d(2026, 12, 3), now()), Verdict::Tampered { reason: "key_not_allowed" });
}

#[test]
fn a_key_set_that_names_a_key_by_another_kid_verifies_nothing() {
    let w = world();
    let other = DocumentSigner::generate(SYSTEM_ISSUER);
    let mut swapped = other.published(d(2026, 1, 1), None).expect("publish");
    swapped.kid = w.system.kid().to_owned();
    let keys = KeySet { keys: vec![swapped], fetched_at: now() };
    assert_eq!(verify(&w.text, &keys, None, d(2026, 12, 3), now()), Verdict::Tampered { reason: "signature" });
}

#[test]
fn the_caches_age_is_told() {
    let w = world();
    let list = empty_list(&w);
    let missing = verify(&w.text, &w.keys, None, d(2026, 12, 3), now());
    assert!(
        matches!(&missing, Verdict::Genuine { warnings, .. } if warnings == &vec![CacheWarning::RevocationListMissing])
    );
    let old = now() - Duration::hours(30);
    let stale = verify(&w.text, &w.keys, Some((&list, old)), d(2026, 12, 3), now());
    assert!(
        matches!(&stale, Verdict::Genuine { warnings, .. } if warnings == &vec![CacheWarning::RevocationListStale { hours: 30 }])
    );
}

#[test]
fn what_is_not_a_document_is_unreadable_and_bombs_are_refused() {
    let w = world();
    let at = |text: &str| verify(text, &w.keys, None, d(2026, 12, 3), now());
    assert_eq!(
        at("HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N"),
        Verdict::Unreadable { reason: Unreadable::NotADocument }
    );
    assert_eq!(at(""), Verdict::Unreadable { reason: Unreadable::NotADocument });
    assert_eq!(at("JPHI1:abc"), Verdict::Unreadable { reason: Unreadable::Base45 });
    assert_eq!(at(&format!("JPHI1:{}", "0".repeat(5000))), Verdict::Unreadable { reason: Unreadable::TooLong });
    // 1 MiB of zeros compresses to about a kilobyte
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&vec![0u8; 1 << 20]).expect("deflate");
    let bomb = format!("{QR_PREFIX}{}", base45::encode(z.finish().expect("deflate")));
    assert!(bomb.len() < MAX_QR_TEXT);
    assert_eq!(at(&bomb), Verdict::Unreadable { reason: Unreadable::Compression });
    // spaces and a line break around a scanned text are fine
    assert_eq!(at(&format!("  {}\r\n", w.text)).code(), "document_genuine");
}
