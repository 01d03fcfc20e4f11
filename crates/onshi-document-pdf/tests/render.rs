//! The printed documents, rendered by poppler (pdftoppm, pdftotext, pdffonts: Debian's
//! poppler-utils, installed by scripts/test.sh) and read back: the registered name is drawn in
//! IPAmj明朝 beside the claim-ready one, and the QR code on the picture decodes (rqrr) to a text that
//! verifies as genuine. The pictures are kept in target/test-output/documents/ to be looked at.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{TimeZone, Utc};
use onshi_document::*;
use onshi_document_pdf::{FontFile, IPAMJ_PATH, render, scan};

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-output/documents");
    std::fs::create_dir_all(&dir).expect("test output dir");
    dir
}

fn run(cmd: &mut Command) -> String {
    let out =
        cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e} (install poppler-utils: bash scripts/test.sh does)"));
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Render, rasterise at `dpi`, decode the QR from the picture.
fn print_and_read(doc: &Document, name: &str, dpi: u32) -> (String, String, String) {
    let font = FontFile::read(Path::new(IPAMJ_PATH)).expect("IPAmj明朝 (fonts-ipamj-mincho)");
    let key = DocumentSigner::generate(SYSTEM_ISSUER);
    let qr = sign(doc, &key).expect("sign");
    let pdf = render(doc, &qr, &font).expect("render");
    let dir = out_dir();
    let pdf_path = dir.join(format!("{name}.pdf"));
    std::fs::write(&pdf_path, &pdf).expect("write pdf");
    // a card embeds only the glyphs it shows, not the 46 MB font
    assert!(pdf.len() < 400_000, "{name}.pdf is {} bytes", pdf.len());
    let fonts = run(Command::new("pdffonts").arg(&pdf_path));
    let text = run(Command::new("pdftotext").args(["-layout"]).arg(&pdf_path).arg("-"));
    let png_base = dir.join(name);
    run(Command::new("pdftoppm").args(["-png", "-r", &dpi.to_string(), "-singlefile"]).arg(&pdf_path).arg(&png_base));
    let png = std::fs::read(png_base.with_extension("png")).expect("png");
    let decoded = scan(&png).expect("the picture's QR code decodes");
    assert_eq!(decoded, qr, "{name}: the picture's QR is the signed text");
    let keys = KeySet { keys: vec![key.published(doc.issued_on, None).expect("publish")], fetched_at: Utc::now() };
    let now = Utc.with_ymd_and_hms(2026, 12, 3, 1, 0, 0).single().expect("instant");
    let v = verify(&decoded, &keys, None, doc.valid_from, now);
    assert_eq!(v.code(), "document_genuine");
    assert_eq!(v.document(), Some(doc));
    (fonts, text, decoded)
}

#[test]
fn a_certificate_card_shows_the_registered_name_in_ipamj_and_its_qr_verifies() {
    let doc = example_document();
    let (fonts, text, _) = print_and_read(&doc, "certificate-card", 600);
    assert!(fonts.contains("IPAmj"), "{fonts}");
    assert!(fonts.lines().any(|l| l.contains("IPAmj") && l.contains(" yes ")), "subset embedded: {fonts}");
    // the registered 髙 and the claim's 高, both on the card
    assert!(text.contains("髙橋 花子"), "{text}");
    assert!(text.contains("高橋 花子"), "{text}");
    for shown in [
        "資格確認書",
        "01130012",
        "1234",
        "5678",
        "（02）",
        "被保険者氏名",
        "髙橋 太郎",
        "資格取得年月日",
        "令和2年4月1日",
        "有効期限",
        "令和9年11月30日",
        "3割",
    ] {
        assert!(text.contains(shown), "{shown} missing from the card: {text}");
    }
}

#[test]
fn a_notice_on_a4_shows_the_ratio_and_its_qr_verifies() {
    let mut doc = example_document();
    doc.kind = DocumentKind::EligibilityNotice;
    doc.valid_until = None;
    doc.name = "𠮷田 﨑子".into();
    doc.claim_name = "吉田 崎子".into();
    doc.relationship = Relationship::Insured;
    doc.insured_person_name = None;
    doc.limit_category = onshi_law::LimitCategory::parse_code("A03");
    let (_, text, _) = print_and_read(&doc, "notice-a4", 200);
    for shown in [
        "資格情報のお知らせ",
        "𠮷田 﨑子",
        "吉田 崎子",
        "一部負担金の割合",
        "3割",
        "限度額適用区分",
        "ウ",
        "情報の基準日",
    ] {
        assert!(text.contains(shown), "{shown} missing from the notice: {text}");
    }
    assert!(!text.contains("被保険者氏名"));
}

#[test]
fn a_character_the_font_lacks_is_refused_not_printed_as_a_box() {
    let font = FontFile::read(Path::new(IPAMJ_PATH)).expect("IPAmj明朝");
    let key = DocumentSigner::generate(SYSTEM_ISSUER);
    let mut doc = example_document();
    doc.name = "髙橋 🙂".into(); // an emoji: no MJ font has it
    let qr = sign(&doc, &key).expect("sign");
    let err = render(&doc, &qr, &font).expect_err("refused");
    assert_eq!(err.code(), "print_missing_glyph");
    assert!(err.to_string().contains("U+1F642"), "{err}");
    assert!(FontFile::from_bytes(b"not a font".to_vec(), "junk").is_err());
}

#[test]
fn a_picture_without_a_qr_code_is_a_clear_error() {
    assert_eq!(scan(b"not a picture").expect_err("refused").code(), "scan_no_qr");
    let mut blank = Vec::new();
    image::DynamicImage::new_luma8(64, 64)
        .write_to(&mut std::io::Cursor::new(&mut blank), image::ImageFormat::Png)
        .expect("png");
    assert_eq!(scan(&blank).expect_err("refused").code(), "scan_no_qr");
}
