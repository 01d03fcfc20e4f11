//! Dumps, for every Unicode scalar value in U+0020..=U+323AF that jntajis knows something about, one TSV line:
//!
//! `HEX  in_jisx0208(0/1)  jis=<cands>  inf=<cands>  m582=<cands>  fam=<cands>  nta=<translit>`
//!
//! where `<cands>` are the MJ縮退マップ candidates (comma separated, the character itself left out) of each
//! scheme, and `nta` is the 国税庁 JIS縮退マップ transliteration (`!` when unmappable, empty when unchanged).
//! `in_jisx0208` is whether jntajis encodes the character in strict JIS X 0208 mode.

use jntajis::codec::mj_shrink::{MJShrinkScheme, MJShrinkSchemes, mj_shrink_candidates};
use jntajis::{ConversionMode, jnta_encode, jnta_shrink_translit};
use std::io::Write;

fn main() -> std::io::Result<()> {
    let schemes = [
        ("jis", MJShrinkScheme::JISIncorporationUCSUnificationRule),
        ("inf", MJShrinkScheme::InferenceByReadingAndGlyph),
        ("m582", MJShrinkScheme::MOJNotice582),
        ("fam", MJShrinkScheme::MOJFamilyRegisterActRelatedNotice),
    ];
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for u in 0x20u32..=0x323AF {
        let Some(c) = char::from_u32(u) else { continue };
        let s = c.to_string();
        let in0208 = jnta_encode(&s, ConversionMode::Jisx0208).is_ok();
        let mut cols = Vec::with_capacity(schemes.len());
        let mut any = in0208;
        for (name, scheme) in schemes {
            let cands: Vec<String> =
                mj_shrink_candidates(&s, MJShrinkSchemes::builder().with(scheme))
                    .filter(|x| x != &s)
                    .collect();
            any |= !cands.is_empty();
            cols.push(format!("{name}={}", cands.join(",")));
        }
        let nta = match jnta_shrink_translit(&s, Some("")) {
            Ok(x) if x == s => String::new(),
            Ok(x) => {
                any = true;
                x
            }
            Err(_) => "!".to_string(),
        };
        if any {
            writeln!(
                out,
                "{u:X}\t{}\t{}\tnta={nta}",
                u8::from(in0208),
                cols.join("\t")
            )?;
        }
    }
    out.flush()
}
