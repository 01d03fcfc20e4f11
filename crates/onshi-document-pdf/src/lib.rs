//! The printed documents: a 資格確認書 on a card (85.6 × 54 mm, the size of the 保険証 it
//! replaces) and a 資格情報のお知らせ on A4, as PDF.
//!
//! Every name is drawn twice where the two differ: **as registered**, in IPAmj明朝 (the MJ文字
//! font that holds every character of the 戸籍 and 住民票: 髙, 﨑, 𠮷 …), and **as the claim
//! writes it** (JIS X 0208, from onshi-text), so that the person sees their own name and the clinic
//! can type the other. The signed QR code of onshi-document sits on each, so a clinic can verify
//! the paper offline. Fonts are subset by krilla: a card embeds only the glyphs it shows.
//!
//! And the way back: [`scan`] reads the QR text off a picture (PNG or JPEG: a scan or a photo of
//! the paper), for `onshi doc verify FILE`.
//!
//! Pure: bytes in (the document, its QR text, the font), bytes out. The caller reads the font file
//! once ([`FontFile::read`]) and keeps it.

use std::path::Path;
use std::sync::Arc;

use krilla::Document as Pdf;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use onshi_document::{Document, DocumentKind, Relationship};
use onshi_law::{Date, to_wareki};
use qrcode::{Color, EcLevel, QrCode};
use thiserror::Error;

/// Where Debian's fonts-ipamj-mincho puts IPAmj明朝.
pub const IPAMJ_PATH: &str = "/usr/share/fonts/truetype/ipamj/ipamjm.ttf";

/// Millimetres to PDF points.
fn mm(v: f32) -> f32 {
    v * 72.0 / 25.4
}

/// What can go wrong while printing.
#[derive(Debug, Error)]
pub enum PrintError {
    /// The font file is missing or not a font.
    #[error("font {path} is unusable: {reason}")]
    Font {
        /// Its path.
        path: String,
        /// Why.
        reason: String,
    },
    /// The QR text does not fit a QR code.
    #[error("QR text does not fit a QR code: {0}")]
    Qr(String),
    /// A character of the document has no glyph in the font: it would print as a blank box, so
    /// nothing is printed.
    #[error("the font has no glyph for {0:?} (U+{1:04X})")]
    MissingGlyph(char, u32),
    /// A picture could not be read, or holds no QR code (or more than one).
    #[error("no document QR code found in the picture: {0}")]
    Scan(String),
    /// The PDF could not be written (a bug in the layout, never the document's content).
    #[error("PDF could not be written: {0}")]
    Pdf(String),
}

impl PrintError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            PrintError::Font { .. } => "print_font_missing",
            PrintError::Qr(_) => "print_qr_too_long",
            PrintError::MissingGlyph(..) => "print_missing_glyph",
            PrintError::Scan(_) => "scan_no_qr",
            PrintError::Pdf(_) => "print_failed",
        }
    }

    /// The next step, for an operator.
    pub fn next_step(&self) -> &'static str {
        match self {
            PrintError::Font { .. } => "Install Debian's fonts-ipamj-mincho (or pass the path of ipamjm.ttf).",
            PrintError::MissingGlyph(..) => {
                "The name holds a character the font lacks: print with IPAmj明朝 (fonts-ipamj-mincho), which holds every MJ character."
            }
            PrintError::Scan(_) => {
                "QRコードが1つだけ写るように撮り直すか、QRコードの文字列（JPHI1:…）をそのまま渡してください。"
            }
            PrintError::Qr(_) | PrintError::Pdf(_) => {
                "Report this to the onshi maintainers with the document's serial."
            }
        }
    }
}

/// A font read once and shared by every document printed with it.
#[derive(Clone)]
pub struct FontFile {
    font: Font,
    bytes: Arc<Vec<u8>>,
}

impl FontFile {
    /// Read a TrueType font (IPAmj明朝: [`IPAMJ_PATH`]).
    pub fn read(path: &Path) -> Result<Self, PrintError> {
        let bytes = std::fs::read(path)
            .map_err(|e| PrintError::Font { path: path.display().to_string(), reason: e.to_string() })?;
        Self::from_bytes(bytes, &path.display().to_string())
    }

    /// A font from its bytes.
    pub fn from_bytes(bytes: Vec<u8>, name: &str) -> Result<Self, PrintError> {
        let bytes = Arc::new(bytes);
        let unusable = || PrintError::Font { path: name.to_owned(), reason: "not a TrueType/OpenType font".into() };
        ttf_parser::Face::parse(&bytes, 0).map_err(|_| unusable())?;
        let font = Font::new(bytes.clone().into(), 0).ok_or_else(unusable)?;
        Ok(FontFile { font, bytes })
    }

    /// The first character of `text` the font cannot draw.
    fn missing_glyph(&self, text: &str) -> Option<char> {
        let face = ttf_parser::Face::parse(&self.bytes, 0).ok()?;
        text.chars().filter(|c| !c.is_whitespace()).find(|&c| face.glyph_index(c).is_none())
    }
}

/// The QR code's modules for `text` (error correction M: a creased or stained card still reads).
fn qr_modules(text: &str) -> Result<(usize, Vec<bool>), PrintError> {
    let code =
        QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| PrintError::Qr(e.to_string()))?;
    let dark = code.to_colors().into_iter().map(|c| c == Color::Dark).collect();
    Ok((code.width(), dark))
}

/// Draw a QR code with its top-left corner at (x, y) (points, y down), `side` points wide
/// including the 4-module quiet zone.
fn draw_qr(surface: &mut Surface<'_>, text: &str, x: f32, y: f32, side: f32) -> Result<(), PrintError> {
    let (width, dark) = qr_modules(text)?;
    let module = side / (width as f32 + 8.0);
    let mut path = PathBuilder::new();
    for (i, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
        let (row, col) = (i / width, i % width);
        if let Some(r) =
            Rect::from_xywh(x + (col as f32 + 4.0) * module, y + (row as f32 + 4.0) * module, module, module)
        {
            path.push_rect(r);
        }
    }
    if let Some(p) = path.finish() {
        surface.set_fill(Some(krilla::paint::Fill::default()));
        surface.draw_path(&p);
    }
    Ok(())
}

fn text(surface: &mut Surface<'_>, font: &FontFile, x: f32, baseline: f32, size: f32, s: &str) {
    surface.draw_text(Point::from_xy(x, baseline), font.font.clone(), size, s, false, TextDirection::Auto);
}

fn line(surface: &mut Surface<'_>, x1: f32, y: f32, x2: f32) {
    let mut path = PathBuilder::new();
    if let Some(r) = Rect::from_xywh(x1, y, x2 - x1, 0.4) {
        path.push_rect(r);
    }
    if let Some(p) = path.finish() {
        surface.set_fill(Some(krilla::paint::Fill::default()));
        surface.draw_path(&p);
    }
}

fn date_ja(d: Date) -> String {
    format!("{}（{}）", to_wareki(d), d)
}

/// The rows a document shows, in order: (label, value).
fn rows(doc: &Document) -> Vec<(&'static str, String)> {
    let mut rows = vec![
        ("保険者番号", doc.insurer.as_str().to_owned()),
        ("保険者名称", doc.insurer_name.clone()),
        (
            "記号・番号（枝番）",
            format!(
                "{}{}{}",
                doc.symbol.as_ref().map(|s| format!("{} ・ ", s.as_str())).unwrap_or_default(),
                doc.number.as_str(),
                doc.branch.as_ref().map(|b| format!("（{}）", b.as_str())).unwrap_or_default()
            ),
        ),
        ("生年月日", date_ja(doc.birth_date)),
        ("本人・家族", doc.relationship.label_ja().to_owned()),
    ];
    if let (Relationship::Dependent, Some(n)) = (doc.relationship, &doc.insured_person_name) {
        rows.push(("被保険者氏名", n.clone()));
    }
    rows.push(("資格取得年月日", date_ja(doc.acquired_on)));
    if let Some(c) = doc.copay {
        rows.push(("一部負担金の割合", c.to_string()));
    }
    if let Some(l) = doc.limit_category {
        rows.push(("限度額適用区分", l.label_ja().to_owned()));
    }
    rows.push(("交付年月日", date_ja(doc.issued_on)));
    match doc.valid_until {
        Some(u) => rows.push(("有効期限", date_ja(u))),
        None => rows.push(("情報の基準日", date_ja(doc.valid_from))),
    }
    rows
}

/// The name as registered, and the claim-ready name when it is written differently.
fn names(doc: &Document) -> (String, Option<String>) {
    let claim = (doc.claim_name != doc.name).then(|| doc.claim_name.clone());
    (doc.name.clone(), claim)
}

/// Print `doc` with its signed QR text: a 資格確認書 on a card, a お知らせ on A4.
pub fn render(doc: &Document, qr_text: &str, font: &FontFile) -> Result<Vec<u8>, PrintError> {
    let rows = rows(doc);
    let shown: String = rows
        .iter()
        .flat_map(|(l, v)| [*l, v.as_str()])
        .map(str::to_owned)
        .chain([doc.name.clone(), doc.claim_name.clone(), doc.name_kana.clone().unwrap_or_default()])
        .collect();
    if let Some(c) = font.missing_glyph(&shown) {
        return Err(PrintError::MissingGlyph(c, u32::from(c)));
    }
    let (draw, size): (Draw, _) = match doc.kind {
        DocumentKind::EligibilityCertificate => (draw_card, (mm(85.6), mm(54.0))),
        DocumentKind::EligibilityNotice => (draw_a4, (mm(210.0), mm(297.0))),
    };
    let settings = PageSettings::from_wh(size.0, size.1).ok_or_else(|| PrintError::Pdf("page size".into()))?;
    let mut pdf = Pdf::new();
    {
        let mut page = pdf.start_page_with(settings);
        let mut s = page.surface();
        draw(&mut s, size, doc, &rows, qr_text, font)?;
        s.finish();
        page.finish();
    }
    pdf.finish().map_err(|e| PrintError::Pdf(format!("{e:?}")))
}

/// Draws one kind of document on its page of the given size (points).
type Draw =
    fn(&mut Surface<'_>, (f32, f32), &Document, &[(&'static str, String)], &str, &FontFile) -> Result<(), PrintError>;

fn draw_card(
    s: &mut Surface<'_>,
    (w, h): (f32, f32),
    doc: &Document,
    rows: &[(&'static str, String)],
    qr_text: &str,
    font: &FontFile,
) -> Result<(), PrintError> {
    let left = mm(3.0);
    text(s, font, left, mm(6.0), 9.0, doc.kind.label_ja());
    text(s, font, mm(22.0), mm(6.0), 5.0, &format!("{}  第{}版  {}", doc.insurer_name, doc.version, doc.serial));
    line(s, left, mm(7.5), w - mm(3.0));
    let (name, claim) = names(doc);
    text(s, font, left, mm(12.5), 5.0, "氏名");
    text(s, font, left + mm(6.0), mm(13.0), 10.0, &name);
    if let Some(c) = &claim {
        text(s, font, left + mm(6.0), mm(16.5), 5.0, &format!("（請求時の表記：{c}）"));
    }
    if let Some(k) = &doc.name_kana {
        text(s, font, left + mm(6.0), mm(9.5), 4.5, k);
    }
    let mut y = mm(20.5);
    for (label, value) in rows {
        text(s, font, left, y, 4.6, label);
        text(s, font, left + mm(17.0), y, 4.6, value);
        y += mm(2.9);
    }
    let side = mm(27.0);
    draw_qr(s, qr_text, w - side - mm(1.5), h - side - mm(1.5), side)?;
    Ok(())
}

fn draw_a4(
    s: &mut Surface<'_>,
    (w, _): (f32, f32),
    doc: &Document,
    rows: &[(&'static str, String)],
    qr_text: &str,
    font: &FontFile,
) -> Result<(), PrintError> {
    let left = mm(20.0);
    text(s, font, left, mm(30.0), 20.0, doc.kind.label_ja());
    text(s, font, left, mm(38.0), 9.0, &format!("{}  （第{}版  番号 {}）", doc.insurer_name, doc.version, doc.serial));
    line(s, left, mm(41.0), w - left);
    let intro = [
        "あなたの医療保険の資格情報をお知らせします。",
        "マイナ保険証（健康保険証として利用登録したマイナンバーカード）で受診してください。",
        "カードを読み取れないときは、このお知らせをマイナンバーカードと一緒にお見せください。",
        "負担割合や記号・番号が変わったときは、新しいお知らせをお送りします（古いものは使えなくなります）。",
    ];
    let mut y = mm(50.0);
    for l in intro {
        text(s, font, left, y, 10.0, l);
        y += mm(6.0);
    }
    y += mm(6.0);
    let (name, claim) = names(doc);
    text(s, font, left, y, 10.0, "氏名");
    text(s, font, left + mm(40.0), y, 18.0, &name);
    if let Some(k) = &doc.name_kana {
        text(s, font, left + mm(40.0), y - mm(8.0), 8.0, k);
    }
    y += mm(7.0);
    if let Some(c) = &claim {
        text(s, font, left + mm(40.0), y, 9.0, &format!("（レセプト等での表記：{c}）"));
        y += mm(6.0);
    }
    y += mm(3.0);
    for (label, value) in rows {
        text(s, font, left, y, 11.0, label);
        text(s, font, left + mm(40.0), y, 11.0, value);
        line(s, left, y + mm(2.0), w - left);
        y += mm(9.0);
    }
    let side = mm(50.0);
    let qr_y = y + mm(8.0);
    draw_qr(s, qr_text, left, qr_y, side)?;
    let note = [
        "この二次元コードには、記載内容と発行元の電子署名が入っています。",
        "医療機関・薬局は、回線がなくても偽造・改ざん・失効を確認できます。",
        "（onshi doc verify、または受付画面の「書面の確認」）",
    ];
    let mut ny = qr_y + mm(12.0);
    for l in note {
        text(s, font, left + side + mm(6.0), ny, 9.0, l);
        ny += mm(6.0);
    }
    Ok(())
}

/// The text of the one QR code in a picture (PNG or JPEG).
pub fn scan(picture: &[u8]) -> Result<String, PrintError> {
    let img = image::load_from_memory(picture).map_err(|e| PrintError::Scan(e.to_string()))?.to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    match grids.as_slice() {
        [one] => one.decode().map(|(_, text)| text).map_err(|e| PrintError::Scan(e.to_string())),
        [] => Err(PrintError::Scan("no QR code".into())),
        more => Err(PrintError::Scan(format!("{} QR codes", more.len()))),
    }
}
