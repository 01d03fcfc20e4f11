//! The national system as the seeds describe it, as a [`Policy`] of the service: the same use-cases, four
//! rules changed.
//!
//! * **Visibility**: an entry reaches clinics only after the insurer's registration lag to the 中間サーバー
//!   ([`Lags::registration`], the Board of Audit's standard days less the employer's notice), counted from
//!   the day the insurer recorded it; a loss is answered with a plain 「無効」 (no pending notice).
//! * **Copay source**: the ratio as the insurer typed it.
//! * **Linking check**: none; a My Number given is linked.
//! * **Character set**: every character outside JIS X 0208 is shown as 「●」 (the seeds: 髙 → ●, 「●城県」).
//!
//! The lag of each entry is drawn from a hash of the member's key, the entry's legal date and kind, so the
//! same world gives the same answers whatever order the replay's concurrent writes took.

use onshi_ledger::{Change, Entry, MemberStatic, RecordedAt};
use onshi_service::{CopaySource, Policy};
use onshi_text::ClaimReady;

use crate::config::Lags;
use crate::rng::{add_days, mix};

/// The character the national system shows for one it cannot carry.
pub const PLACEHOLDER: char = '●';

/// The legacy policy, with its registration lags scaled by `factor` (1 = the defaults).
#[derive(Debug, Clone)]
pub struct Legacy {
    lags: Lags,
    factor: f64,
    name: String,
}

impl Legacy {
    /// The national system with the registration lags of `lags`, each multiplied by `factor`.
    pub fn new(lags: &Lags, factor: f64) -> Self {
        let factor = if factor.is_finite() { factor.max(0.0) } else { 1.0 };
        Legacy { lags: lags.clone(), factor, name: format!("legacy ×{factor}") }
    }

    /// The lag multiplier.
    pub fn factor(&self) -> f64 {
        self.factor
    }

    /// The days between the insurer's record of `entry` (on `recorded`) and its registration.
    pub fn registration_days(&self, statik: &MemberStatic, entry: &Entry, recorded: onshi_law::Date) -> i64 {
        let lose = matches!(entry.change, Change::Lose { .. });
        let model = self.lags.registration(statik.key.insurer_number.kind(), lose).scaled(self.factor);
        let (z, u) = draws(statik, entry);
        model.days_from(recorded, z, u)
    }
}

/// A standard normal and a uniform draw from the entry's identity (not its recording time or sequence,
/// which depend on the replay's scheduling).
fn draws(statik: &MemberStatic, entry: &Entry) -> (f64, f64) {
    let k = &statik.key;
    let mut h = 0x5EED_1E6A_C75F_u64;
    for part in [
        k.insurer_number.as_str(),
        k.symbol.as_ref().map_or("", |s| s.as_str()),
        k.number.as_str(),
        k.branch.as_str(),
        entry.change.kind(),
    ] {
        for b in part.bytes() {
            h = mix(h, u64::from(b));
        }
        h = mix(h, 0xFF);
    }
    h = mix(h, entry.effective_on.to_string().bytes().fold(0u64, |a, b| a * 31 + u64::from(b)));
    let u1 = ((h >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    let h2 = mix(h, 2);
    let u2 = ((h2 >> 11) as f64) / (1u64 << 53) as f64;
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    (z, u2)
}

fn legal_day(t: RecordedAt) -> onshi_law::Date {
    onshi_law::legal_today(t.to_datetime().unwrap_or_default())
}

impl Policy for Legacy {
    fn name(&self) -> &str {
        &self.name
    }

    fn visible(&self, statik: &MemberStatic, entry: &Entry, now: RecordedAt) -> bool {
        let recorded = legal_day(entry.recorded_at);
        add_days(recorded, self.registration_days(statik, entry, recorded)) <= legal_day(now)
    }

    fn pending_days(&self) -> Option<u32> {
        None
    }

    fn copay_source(&self) -> CopaySource {
        CopaySource::AsTyped
    }

    fn grades_links(&self) -> bool {
        false
    }

    /// The national system answers only through the links the insurers registered.
    fn answers_unlinked(&self) -> bool {
        false
    }

    fn display_name(&self, name: &str) -> ClaimReady {
        ClaimReady { text: cut_to_jis(name), substituted: Vec::new(), unmappable: Vec::new() }
    }
}

/// The name cut to JIS X 0208: every other character (but spaces) becomes 「●」.
pub fn cut_to_jis(name: &str) -> String {
    name.chars().map(|c| if c.is_whitespace() || onshi_text::is_jis_x0208(c) { c } else { PLACEHOLDER }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use onshi_ids::{Branch, InsuredNumber, InsurerNumber};
    use onshi_ledger::{MemberKey, Relationship, Seq, Sex};

    fn statik(insurer: &str) -> MemberStatic {
        MemberStatic {
            key: MemberKey {
                insurer_number: InsurerNumber::parse(insurer).unwrap(),
                symbol: None,
                number: InsuredNumber::parse("100").unwrap(),
                branch: Branch::parse("00").unwrap(),
            },
            relationship: Relationship::Insured,
            birth_date: onshi_law::Date::from_ymd_opt(1980, 1, 1).unwrap(),
            sex: Sex::Male,
        }
    }

    fn at(y: i32, m: u32, d: u32) -> RecordedAt {
        // 09:00 in Japan
        let t = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc();
        RecordedAt::from_datetime(t)
    }

    fn entry(change: Change) -> Entry {
        Entry {
            seq: Seq(1),
            recorded_at: at(2025, 5, 1),
            effective_on: onshi_law::Date::from_ymd_opt(2025, 4, 28).unwrap(),
            change,
        }
    }

    fn acquire() -> Change {
        Change::Acquire {
            name: "a".into(),
            name_kana: "ア".into(),
            address: "x".into(),
            income_bracket: None,
            copay_override: None,
        }
    }

    #[test]
    fn kyokai_acquisitions_wait_about_24_days_after_the_insurers_record() {
        let l = Legacy::new(&Lags::default(), 1.0);
        let s = statik("01130012");
        let e = entry(acquire());
        let days = l.registration_days(&s, &e, onshi_law::Date::from_ymd_opt(2025, 5, 1).unwrap());
        assert!((12..=60).contains(&days), "{days}");
        assert!(!l.visible(&s, &e, at(2025, 5, 10)));
        assert!(l.visible(&s, &e, at(2025, 8, 1)));
        // the same entry always gets the same lag
        assert_eq!(days, l.registration_days(&s, &e, onshi_law::Date::from_ymd_opt(2025, 5, 1).unwrap()));
    }

    #[test]
    fn national_health_insurance_waits_two_or_three_business_days() {
        let l = Legacy::new(&Lags::default(), 1.0);
        let s = statik("138016");
        let e = entry(Change::Lose { reason: None });
        // recorded on Thursday 2025-05-01: visible from Monday 5 or Tuesday 6 May
        assert!(!l.visible(&s, &e, at(2025, 5, 2)));
        assert!(l.visible(&s, &e, at(2025, 5, 6)));
    }

    #[test]
    fn factor_zero_is_onshi_visibility() {
        let l = Legacy::new(&Lags::default(), 0.0);
        let s = statik("01130012");
        assert!(l.visible(&s, &entry(acquire()), at(2025, 5, 1)));
    }

    #[test]
    fn names_outside_jis_x_0208_become_placeholders() {
        assert_eq!(cut_to_jis("髙橋 一郎"), "●橋 一郎");
        assert_eq!(cut_to_jis("濱田 美香"), "濱田 美香");
        assert_eq!(cut_to_jis("𠮷田 﨑"), "●田 ●");
    }
}
