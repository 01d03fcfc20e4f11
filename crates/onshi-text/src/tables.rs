//! The generated character tables (see `scripts/gen_tables.py` and `DATA-NOTICE.md`), parsed once.
//!
//! The data files are compiled in with `include_str!`; the first call of any lookup parses them into dense
//! arrays (about 130 KB), after which every lookup is one bounds check and one load.

use std::sync::OnceLock;

const VARIANTS: &str = include_str!("../data/variants.txt");
const COMPAT: &str = include_str!("../data/compat.txt");
const JIS0208: &str = include_str!("../data/jis0208.txt");
const CLAIM: &str = include_str!("../data/claim.txt");

/// CJK Unified Ideographs Extension A and the URO: `U+3400..=U+9FFF`.
const URO_START: u32 = 0x3400;
const URO_END: u32 = 0x9FFF;
/// CJK Compatibility Ideographs: `U+F900..=U+FAFF`.
const CMP_START: u32 = 0xF900;
const CMP_END: u32 = 0xFAFF;
/// CJK Compatibility Ideographs Supplement: `U+2F800..=U+2FA1F`.
const CMPS_START: u32 = 0x2F800;
const CMPS_END: u32 = 0x2FA1F;

const URO_LEN: usize = (URO_END - URO_START + 1) as usize;
const CMP_LEN: usize = (CMP_END - CMP_START + 1) as usize;
const CMPS_LEN: usize = (CMPS_END - CMPS_START + 1) as usize;

pub(crate) struct Tables {
    /// Standard form of `U+3400..=U+9FFF` then `U+F900..=U+FAFF`, 0 = the character itself.
    variant_bmp: Box<[u32]>,
    /// Standard forms of the other ideographs (supplementary planes), sorted by source.
    variant_sup: Box<[(u32, u32)]>,
    /// Unified ideograph of each compatibility ideograph, 0 = none (`U+F900..=U+FAFF`).
    compat_bmp: Box<[u32]>,
    /// Same for `U+2F800..=U+2FA1F`.
    compat_sup: Box<[u32]>,
    /// JIS X 0208 membership of the BMP, one bit per code point.
    jis: Box<[u64]>,
    /// The one official JIS X 0208 form (MJ縮退マップ) of an ideograph outside JIS X 0208, sorted by source.
    claim: Box<[(u32, u32)]>,
    /// Number of parsed lines, for the self-tests.
    #[cfg(test)]
    pub(crate) counts: (usize, usize, usize, usize),
}

fn pairs(data: &'static str) -> impl Iterator<Item = (char, char)> {
    data.lines().filter(|l| !l.starts_with('#')).filter_map(|l| {
        let mut fields = l.split('\t');
        let mut from = fields.next()?.chars();
        let mut to = fields.next()?.chars();
        match (from.next(), from.next(), to.next(), to.next()) {
            (Some(a), None, Some(b), None) => Some((a, b)),
            _ => None,
        }
    })
}

fn uro_or_cmp_index(u: u32) -> Option<usize> {
    match u {
        URO_START..=URO_END => Some((u - URO_START) as usize),
        CMP_START..=CMP_END => Some(URO_LEN + (u - CMP_START) as usize),
        _ => None,
    }
}

impl Tables {
    fn parse() -> Self {
        let mut variant_bmp = vec![0u32; URO_LEN + CMP_LEN].into_boxed_slice();
        let mut variant_sup = Vec::new();
        let mut n_variants = 0;
        for (from, to) in pairs(VARIANTS) {
            n_variants += 1;
            let u = u32::from(from);
            match uro_or_cmp_index(u) {
                Some(i) => variant_bmp[i] = u32::from(to),
                None => variant_sup.push((u, u32::from(to))),
            }
        }
        variant_sup.sort_unstable();
        let mut compat_bmp = vec![0u32; CMP_LEN].into_boxed_slice();
        let mut compat_sup = vec![0u32; CMPS_LEN].into_boxed_slice();
        let mut n_compat = 0;
        for (from, to) in pairs(COMPAT) {
            n_compat += 1;
            let u = u32::from(from);
            match u {
                CMP_START..=CMP_END => compat_bmp[(u - CMP_START) as usize] = u32::from(to),
                CMPS_START..=CMPS_END => compat_sup[(u - CMPS_START) as usize] = u32::from(to),
                _ => {}
            }
        }
        let mut jis = vec![0u64; 1024].into_boxed_slice();
        let mut n_jis = 0;
        for line in JIS0208.lines().filter(|l| !l.starts_with('#')) {
            for c in line.chars() {
                let u = u32::from(c);
                if u < 0x10000 {
                    jis[(u >> 6) as usize] |= 1 << (u & 63);
                    n_jis += 1;
                }
            }
        }
        let mut claim: Vec<(u32, u32)> = pairs(CLAIM).map(|(from, to)| (u32::from(from), u32::from(to))).collect();
        claim.sort_unstable();
        let _ = (n_variants, n_compat, n_jis);
        Tables {
            variant_bmp,
            variant_sup: variant_sup.into_boxed_slice(),
            compat_bmp,
            compat_sup,
            jis,
            #[cfg(test)]
            counts: (n_variants, n_compat, n_jis, claim.len()),
            claim: claim.into_boxed_slice(),
        }
    }

    /// The standard form of an ideograph (itself when it has none).
    #[inline]
    pub(crate) fn standard(&self, c: char) -> char {
        let u = u32::from(c);
        let to = match uro_or_cmp_index(u) {
            Some(i) => self.variant_bmp[i],
            None if u >= 0x20000 => {
                self.variant_sup.binary_search_by_key(&u, |&(f, _)| f).map_or(0, |i| self.variant_sup[i].1)
            }
            None => 0,
        };
        if to == 0 { c } else { char::from_u32(to).unwrap_or(c) }
    }

    /// The unified ideograph of a CJK compatibility ideograph (itself for any other character).
    #[inline]
    pub(crate) fn unified(&self, c: char) -> char {
        let u = u32::from(c);
        let to = match u {
            CMP_START..=CMP_END => self.compat_bmp[(u - CMP_START) as usize],
            CMPS_START..=CMPS_END => self.compat_sup[(u - CMPS_START) as usize],
            _ => 0,
        };
        if to == 0 { c } else { char::from_u32(to).unwrap_or(c) }
    }

    /// The one official JIS X 0208 form of an ideograph outside JIS X 0208 (MJ縮退マップ: JIS包摂規準・UCS統合規則,
    /// 法務省告示582号別表第四, 法務省戸籍法関連通達・通知), when the official schemes give exactly one.
    pub(crate) fn official_form(&self, c: char) -> Option<char> {
        let u = u32::from(c);
        let i = self.claim.binary_search_by_key(&u, |&(f, _)| f).ok()?;
        char::from_u32(self.claim[i].1)
    }

    #[inline]
    pub(crate) fn is_jis_x0208(&self, c: char) -> bool {
        let u = u32::from(c);
        u < 0x10000 && self.jis[(u >> 6) as usize] & (1 << (u & 63)) != 0
    }
}

pub(crate) fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(Tables::parse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_line_parses() {
        let lines = |d: &str| d.lines().filter(|l| !l.starts_with('#')).count();
        let t = tables();
        assert_eq!(t.counts.0, lines(VARIANTS));
        assert_eq!(t.counts.1, lines(COMPAT));
        // 6879 characters of JIS X 0208 plus the 7 JIS-mapping alternatives (U+301C, U+2212, ...).
        assert_eq!(t.counts.2, 6879 + 7);
        assert_eq!(t.counts.3, lines(CLAIM));
    }

    #[test]
    fn official_forms_are_jis_x0208_and_standard_equal() {
        // Every official form is in JIS X 0208, for a source outside it, and folds like its source: a
        // claim-ready name stays variant-equal to the stored one.
        let t = tables();
        for (from, to) in pairs(CLAIM) {
            assert!(!t.is_jis_x0208(from) && t.is_jis_x0208(to), "{from} → {to}");
            assert_eq!(t.standard(from), t.standard(to), "{from} → {to}");
            assert_eq!(t.official_form(from), Some(to));
        }
        assert_eq!(t.official_form('高'), None);
    }

    #[test]
    fn variant_targets_are_fixed_points() {
        // A standard form is its own standard form: folding once is enough.
        let t = tables();
        for (from, to) in pairs(VARIANTS) {
            assert_eq!(t.standard(to), to, "{from} → {to} → {}", t.standard(to));
        }
    }
}
