//! The card end to end without a server: a CA issues a card, the card signs a challenge after the PIN, a
//! verifier checks the presentation; every forgery is refused with its own code.

use onshi_card::pki::{self, Issuer};
use onshi_card::{Card, CardError, Issued, Presentation, Surface, Validity, challenge_message, verify_presentation};
use onshi_law::Date;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd_opt(y, m, day).expect("date")
}

fn issue(ca: &Issuer, name: &str, issued_on: Date) -> (Card, String) {
    let key = pki::new_key().expect("key");
    let spki = pki::public_key_der(&key.to_public_key()).expect("spki");
    let serial = pki::new_serial().expect("serial");
    let birth = d(1980, 4, 15);
    let expires = onshi_card::rules::certificate_expiry(birth, issued_on);
    let cert = ca.issue(&spki, &serial, issued_on, expires).expect("cert");
    let surface = Surface {
        format: onshi_card::chip::SURFACE_FORMAT.into(),
        my_number: "123456789018".into(),
        name: name.into(),
        birth_date: birth.to_string(),
        sex: "male".into(),
        address: "東京都千代田区永田町二丁目1番2号".into(),
        certificate_serial: serial,
        issued_on: issued_on.to_string(),
        certificate_expires_on: expires.to_string(),
    }
    .to_bytes()
    .expect("surface");
    let sig = ca.sign_surface(&surface);
    let reset = onshi_card::chip::new_reset_code().expect("reset");
    let card = Card::assemble(Issued { surface, surface_signature: sig, certificate: cert }, &key, "1234", &reset)
        .expect("card");
    (card, reset)
}

fn present(card: &Card) -> Presentation<'_> {
    Presentation {
        certificate: card.certificate_der(),
        surface: card.surface_bytes(),
        surface_signature: card.surface_signature(),
    }
}

fn ca() -> &'static Issuer {
    static CA: std::sync::OnceLock<Issuer> = std::sync::OnceLock::new();
    CA.get_or_init(|| Issuer::generate(d(2020, 1, 1)).expect("ca"))
}

#[test]
fn a_card_signs_after_the_right_pin_and_verifies() {
    let (mut card, _) = issue(ca(), "髙橋 一郎", d(2026, 5, 1));
    let v = verify_presentation(ca().anchor(), present(&card), d(2026, 12, 2)).expect("verified");
    assert_eq!(v.surface.name, "髙橋 一郎");
    assert_eq!(v.certificate.expires_on, d(2031, 4, 15));
    assert_eq!(v.certificate.valid_from, d(2026, 5, 1));
    assert!(matches!(v.validity, Validity::Valid { .. }));
    let msg = challenge_message("n1");
    let mut writes = 0;
    let sig = card.sign_with_pin("1234", &msg, |_| {
        writes += 1;
        Ok(())
    });
    let sig = sig.expect("signed");
    assert_eq!(writes, 2, "charged, then refunded");
    v.certificate.verify(&msg, &sig).expect("verifies");
    // a signature for another nonce does not pass for this one
    assert_eq!(v.certificate.verify(&challenge_message("n2"), &sig), Err(CardError::SignatureInvalid));
    // the CA round-trips through its files
    let again = Issuer::from_parts(&ca().key_der().expect("der"), ca().anchor().certificate_der()).expect("ca");
    assert!(verify_presentation(again.anchor(), present(&card), d(2026, 12, 2)).is_ok());
}

#[test]
fn three_wrong_pins_lock_and_erase_the_key_and_the_reset_code_restores_it() {
    let (mut card, reset) = issue(ca(), "山田 太郎", d(2026, 5, 1));
    let msg = challenge_message("n");
    let mut seen = Vec::new();
    let mut record = |c: &Card| {
        seen.push(c.pin_tries_left());
        Ok(())
    };
    assert_eq!(card.sign_with_pin("0000", &msg, &mut record), Err(CardError::PinWrong { tries_left: 2 }));
    assert_eq!(card.sign_with_pin("123", &msg, &mut record), Err(CardError::PinMalformed), "not charged");
    assert_eq!(card.sign_with_pin("1111", &msg, &mut record), Err(CardError::PinWrong { tries_left: 1 }));
    assert_eq!(card.sign_with_pin("2222", &msg, &mut record), Err(CardError::PinLocked));
    assert_eq!(card.sign_with_pin("1234", &msg, &mut record), Err(CardError::PinLocked), "even the right PIN");
    assert_eq!(seen, vec![2, 1, 0, 0], "charged before each check; the lock written");
    assert!(card.locked());
    // the lock survives the file: the PIN-encrypted key is gone, so restoring the counter alone does nothing
    let json = String::from_utf8(card.to_json().expect("json")).expect("utf8");
    assert!(json.contains("\"key\": null"), "{json}");
    let edited = json.replace("\"pin_tries_left\": 0", "\"pin_tries_left\": 3");
    let mut edited = Card::from_json(edited.as_bytes()).expect("edited");
    assert_eq!(edited.sign_with_pin("1234", &msg, |_| Ok(())), Err(CardError::PinLocked));
    // the municipal office resets it
    assert_eq!(card.reset_pin("0000000000000000", "4321"), Err(CardError::ResetCodeWrong));
    card.reset_pin(&reset, "4321").expect("reset");
    assert_eq!(card.pin_tries_left(), 3);
    assert!(card.sign_with_pin("4321", &msg, |_| Ok(())).is_ok());
}

#[test]
fn a_failed_write_means_no_pin_was_checked() {
    let (mut card, _) = issue(ca(), "山田 太郎", d(2026, 5, 1));
    let r = card.sign_with_pin("1234", &challenge_message("n"), |_| Err(CardError::FileUnwritable("disk full".into())));
    assert_eq!(r.map(|_| ()), Err(CardError::FileUnwritable("disk full".into())));
    assert_eq!(card.pin_tries_left(), 3);
}

#[test]
fn the_card_file_round_trips_on_disk() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("card.json");
    let (mut card, _) = issue(ca(), "濱田 美香", d(2026, 5, 1));
    card.save(&path).expect("save");
    let p = path.clone();
    let _ = card.sign_with_pin("9999", b"x", |c| c.save(&p));
    let back = Card::load(&path).expect("load");
    assert_eq!(back.pin_tries_left(), 2);
    assert_eq!(back.surface().name, "濱田 美香");
    assert!(matches!(Card::load(&dir.path().join("none.json")), Err(CardError::FileUnreadable(_))));
    std::fs::write(&path, b"{\"format\": \"onshi-card/1\"}").expect("write");
    assert_eq!(Card::load(&path).map(|_| ()).map_err(|e| e.code()), Err("card_unreadable"));
}

#[test]
fn a_changed_name_is_refused() {
    let (card, _) = issue(ca(), "山田 太郎", d(2026, 5, 1));
    let mut s = card.surface().clone();
    s.name = "山田 次郎".into();
    let forged =
        card.with_parts(Some((&s.to_bytes().expect("bytes"), card.surface_signature())), None).expect("forged");
    let e = verify_presentation(ca().anchor(), present(&forged), d(2026, 12, 2)).map(|_| ());
    assert_eq!(e, Err(CardError::SurfaceAltered));
}

#[test]
fn a_swapped_certificate_is_refused() {
    let (a, _) = issue(ca(), "山田 太郎", d(2026, 5, 1));
    let (b, _) = issue(ca(), "山田 花子", d(2026, 5, 1));
    // A's surface with B's certificate: the surface names another certificate
    let swapped = a.with_parts(None, Some(b.certificate_der())).expect("swapped");
    let e = verify_presentation(ca().anchor(), present(&swapped), d(2026, 12, 2)).map(|_| ());
    assert_eq!(e, Err(CardError::CertificateMismatch));
    // B's surface and certificate on A's chip: the presentation passes, but A's key is bound to A's serial
    // and will not open, and a signature by any key but B's fails under B's certificate
    let mut both =
        a.with_parts(Some((b.surface_bytes(), b.surface_signature())), Some(b.certificate_der())).expect("both");
    let v = verify_presentation(ca().anchor(), present(&both), d(2026, 12, 2)).expect("presentation");
    let msg = challenge_message("n");
    assert_eq!(both.sign_with_pin("1234", &msg, |_| Ok(())).map(|_| ()), Err(CardError::PinWrong { tries_left: 2 }));
    let attacker = pki::new_key().expect("key");
    assert_eq!(v.certificate.verify(&msg, &pki::sign(&attacker, &msg)), Err(CardError::SignatureInvalid));
}

#[test]
fn another_ca_is_refused() {
    let other = Issuer::generate(d(2020, 1, 1)).expect("other CA");
    let (card, _) = issue(&other, "山田 太郎", d(2026, 5, 1));
    let e = verify_presentation(ca().anchor(), present(&card), d(2026, 12, 2)).map(|_| ());
    assert_eq!(e, Err(CardError::UntrustedIssuer));
    assert_eq!(CardError::UntrustedIssuer.code(), "card_untrusted_issuer");
}

#[test]
fn a_bit_flipped_certificate_is_refused() {
    let (card, _) = issue(ca(), "山田 太郎", d(2026, 5, 1));
    let mut der = card.certificate_der().to_vec();
    let n = der.len();
    der[n - 10] ^= 0x01; // inside the signature
    let forged = card.with_parts(None, Some(&der)).expect("forged");
    let e = verify_presentation(ca().anchor(), present(&forged), d(2026, 12, 2)).map(|_| ());
    assert_eq!(e, Err(CardError::CertificateForged));
    let garbage = card.with_parts(None, Some(b"not a certificate")).expect("garbage");
    let e = verify_presentation(ca().anchor(), present(&garbage), d(2026, 12, 2)).map_err(|e| e.code());
    assert_eq!(e.map(|_| ()), Err("card_certificate_malformed"));
}

#[test]
fn expired_certificates_work_in_the_grace_period_only() {
    // issued 2021-05-01 → expires 2026-04-15 → grace until 2026-07-31
    let (card, _) = issue(ca(), "山田 太郎", d(2021, 5, 1));
    let v = verify_presentation(ca().anchor(), present(&card), d(2026, 7, 31)).expect("grace");
    assert_eq!(v.validity, Validity::Grace { expired_on: d(2026, 4, 15), until: d(2026, 7, 31) });
    let e = verify_presentation(ca().anchor(), present(&card), d(2026, 8, 1)).map(|_| ());
    assert_eq!(e, Err(CardError::Expired { expired_on: "2026-04-15".into(), grace_ended: "2026-07-31".into() }));
    let e = verify_presentation(ca().anchor(), present(&card), d(2021, 4, 30)).map(|_| ()).map_err(|e| e.code());
    assert_eq!(e, Err("card_not_yet_valid"));
}
