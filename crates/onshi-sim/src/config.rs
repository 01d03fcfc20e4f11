//! What a world is generated from: [`Config`], the error rates and the reporting lags.

use onshi_law::Date;

use crate::SimError;

/// The most persons one world may start with (record and card numbers are laid out for it).
pub const MAX_PERSONS: u64 = 100_000_000;

/// The parameters of a synthetic world. Two worlds made from equal configs are identical, byte for
/// byte.
///
/// ```
/// use onshi_sim::Config;
/// let cfg = Config::new(10_000, 42);
/// assert_eq!(cfg.days, 365);
/// assert_eq!(cfg.end().to_string(), "2026-03-31");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Residents at the start of the period (births during the period come on top).
    pub persons: u64,
    /// The seed of every random choice.
    pub seed: u64,
    /// The first day of the simulated period (default 2025-04-01, the start of a fiscal year).
    pub start: Date,
    /// The length of the simulated period in days (default 365).
    pub days: u32,
    /// How often insurers get things wrong; see [`ErrorRates`].
    pub error_rates: ErrorRates,
    /// How long insurers take to report; see [`Lags`].
    pub lags: Lags,
    /// Clinic visits (eligibility checks at the counter) per person and year, before the age
    /// weighting (default 11.0: OECD, doctor consultations per capita in Japan, 2021).
    pub visits_per_person_year: f64,
    /// The share of visits where the patient presents the My Number card (マイナ保険証) rather than the
    /// numbers of a 資格確認書 or insurance card (default 35%: 「利用率が3割台」, MHLW hearing of
    /// 2025-10-30 in the seeds).
    pub my_number_card_share: f64,
    /// Persons per chunk: the unit of streaming, of parallel work and of seeding (households are
    /// never split). Changing it changes the world. Default 16,384.
    pub chunk_persons: u32,
}

impl Config {
    /// The defaults with `persons` and `seed`.
    pub fn new(persons: u64, seed: u64) -> Self {
        Config {
            persons,
            seed,
            start: Date::from_ymd_opt(2025, 4, 1).unwrap_or(Date::MIN),
            days: 365,
            error_rates: ErrorRates::default(),
            lags: Lags::default(),
            visits_per_person_year: 11.0,
            my_number_card_share: 0.35,
            chunk_persons: 16_384,
        }
    }

    /// The last day of the period (`start + days − 1`).
    pub fn end(&self) -> Date {
        crate::rng::add_days(self.start, i64::from(self.days) - 1)
    }

    /// Checks the config.
    ///
    /// # Errors
    /// [`SimError::InvalidConfig`] when a figure is out of range (more than [`MAX_PERSONS`],
    /// a probability outside 0–1, a negative lag, a chunk under 1,000 persons …).
    pub fn validate(&self) -> Result<(), SimError> {
        let bad = |what: &str| Err(SimError::InvalidConfig(what.to_owned()));
        if self.persons > MAX_PERSONS {
            return bad("persons must be at most 100,000,000");
        }
        if self.days > 3 * 366 {
            return bad("days must be at most 1098 (three years)");
        }
        if !(1_000..=1_000_000).contains(&self.chunk_persons) {
            return bad("chunk_persons must be between 1,000 and 1,000,000");
        }
        if !(0.0..=366.0).contains(&self.visits_per_person_year) {
            return bad("visits_per_person_year must be between 0 and 366");
        }
        if !(0.0..=1.0).contains(&self.my_number_card_share) {
            return bad("my_number_card_share must be between 0 and 1");
        }
        if self.start.checked_add_days(chrono::Days::new(4000)).is_none() || self.start.year_ce().1 < 1950 {
            return bad("start must be a date from 1950 on");
        }
        self.error_rates.validate()?;
        self.lags.validate()
    }
}

impl Default for Config {
    /// 10,000 persons, seed 0.
    fn default() -> Self {
        Config::new(10_000, 0)
    }
}

use chrono::Datelike;

/// The rates at which insurers' records depart from the truth. Each is a probability per member
/// record unless said otherwise; a record carries at most one injected error. Every default is
/// derived in `docs/sim-format.md` from the figures of the 2023 総点検 quoted in the seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorRates {
    /// The My Number of the record's twin (総点検 試行: 8 of the 17 wrong links were twins; overall
    /// wrong links 1,142 in 15,713,895 = 0.0073%). Default 0.0073% × 8/17.
    pub twin_swap: f64,
    /// The My Number of a member of the same household (4 of 17). Default 0.0073% × 4/17.
    pub family_swap: f64,
    /// The My Number of a stranger with the same name (the rest, 5 of 17). Default 0.0073% × 5/17.
    pub same_name_stranger: f64,
    /// No My Number, for records of employee insurers only (約30万件, 0.37% of 被用者保険・国保組合
    /// members, could not be obtained). Default 0.37%.
    pub missing_my_number_employee: f64,
    /// A wrong birth date (2,779 birth-date/sex mismatches in 1.6億 records). Default 0.0017%.
    pub birth_date_typo: f64,
    /// A wrong copay ratio typed by the insurer (5,695 + 15,879 = 21,574, 0.018% of members).
    pub wrong_copay: f64,
    /// A kana typo. Part of the 約139万 name/address mismatches (0.87%). Default 0.15%.
    pub kana_typo: f64,
    /// A kanji typo (another kanji of the same reading). Default 0.12%.
    pub kanji_typo: f64,
    /// The surname from before a marriage the insurer never heard of. Default 0.1%.
    pub stale_name: f64,
    /// An old address (a move the insurer never heard of) at the start. Default 0.4%.
    pub moved: f64,
    /// Of records whose registered name holds a character outside JIS X 0208 (髙, 﨑, 𠮷), the
    /// share typed with the standard character (高). Default 50%.
    pub variant_non_jis: f64,
    /// Of records whose registered name holds an old form inside JIS X 0208 (澤, 齋, 邊, 嶋 …),
    /// the share typed with the new form. Default 10%.
    pub variant_jis: f64,
    /// Addresses written in another notation (2-1-2, full-width digits, 番地): employee insurers,
    /// which copy the employer's form. Default 40%.
    pub address_notation_employee: f64,
    /// The same for 国保 and 後期高齢者医療, which take the address from the registry. Default 5%.
    pub address_notation_public: f64,
    /// Names written in another notation (full-width space, no space, half-width kana): employee
    /// insurers. Default 20%.
    pub name_notation_employee: f64,
    /// The same for 国保 and 後期高齢者医療. Default 2%.
    pub name_notation_public: f64,
    /// Of moves during the period, the share an employee insurer never learns of. Default 5%.
    pub unreported_move_employee: f64,
    /// Of surname changes during the period, the share an employee insurer never learns of.
    /// Default 5%.
    pub unreported_name_change_employee: f64,
    /// Share of persons who get a stranger with the same name, sex and birth date elsewhere
    /// (same-name strangers are far too rare at 100,000 persons to arise by chance). Default 0.1%.
    pub doppelganger: f64,
}

impl Default for ErrorRates {
    fn default() -> Self {
        let wrong_link = 1_142.0 / 15_713_895.0;
        ErrorRates {
            twin_swap: wrong_link * 8.0 / 17.0,
            family_swap: wrong_link * 4.0 / 17.0,
            same_name_stranger: wrong_link * 5.0 / 17.0,
            missing_my_number_employee: 0.0037,
            birth_date_typo: 2_779.0 / 160_000_000.0,
            wrong_copay: 0.00018,
            kana_typo: 0.0015,
            kanji_typo: 0.0012,
            stale_name: 0.001,
            moved: 0.004,
            variant_non_jis: 0.5,
            variant_jis: 0.1,
            address_notation_employee: 0.4,
            address_notation_public: 0.05,
            name_notation_employee: 0.2,
            name_notation_public: 0.02,
            unreported_move_employee: 0.05,
            unreported_name_change_employee: 0.05,
            doppelganger: 0.001,
        }
    }
}

impl ErrorRates {
    /// Rates high enough that every kind of error appears in a world of 10,000 persons: the
    /// defaults with the rare kinds raised to 0.5–2%. For tests and demonstrations, not realism.
    pub fn stress() -> Self {
        ErrorRates {
            twin_swap: 0.01,
            family_swap: 0.01,
            same_name_stranger: 0.005,
            missing_my_number_employee: 0.02,
            birth_date_typo: 0.01,
            wrong_copay: 0.01,
            kana_typo: 0.01,
            kanji_typo: 0.01,
            stale_name: 0.01,
            moved: 0.02,
            variant_non_jis: 0.5,
            variant_jis: 0.3,
            address_notation_employee: 0.4,
            address_notation_public: 0.1,
            name_notation_employee: 0.2,
            name_notation_public: 0.05,
            unreported_move_employee: 0.2,
            unreported_name_change_employee: 0.2,
            doppelganger: 0.005,
        }
    }

    /// Every rate multiplied by `factor` (and capped at 1).
    pub fn scaled(&self, factor: f64) -> Self {
        let f = |x: f64| (x * factor).clamp(0.0, 1.0);
        ErrorRates {
            twin_swap: f(self.twin_swap),
            family_swap: f(self.family_swap),
            same_name_stranger: f(self.same_name_stranger),
            missing_my_number_employee: f(self.missing_my_number_employee),
            birth_date_typo: f(self.birth_date_typo),
            wrong_copay: f(self.wrong_copay),
            kana_typo: f(self.kana_typo),
            kanji_typo: f(self.kanji_typo),
            stale_name: f(self.stale_name),
            moved: f(self.moved),
            variant_non_jis: f(self.variant_non_jis),
            variant_jis: f(self.variant_jis),
            address_notation_employee: f(self.address_notation_employee),
            address_notation_public: f(self.address_notation_public),
            name_notation_employee: f(self.name_notation_employee),
            name_notation_public: f(self.name_notation_public),
            unreported_move_employee: f(self.unreported_move_employee),
            unreported_name_change_employee: f(self.unreported_name_change_employee),
            doppelganger: f(self.doppelganger),
        }
    }

    fn all(&self) -> [f64; 19] {
        [
            self.twin_swap,
            self.family_swap,
            self.same_name_stranger,
            self.missing_my_number_employee,
            self.birth_date_typo,
            self.wrong_copay,
            self.kana_typo,
            self.kanji_typo,
            self.stale_name,
            self.moved,
            self.variant_non_jis,
            self.variant_jis,
            self.address_notation_employee,
            self.address_notation_public,
            self.name_notation_employee,
            self.name_notation_public,
            self.unreported_move_employee,
            self.unreported_name_change_employee,
            self.doppelganger,
        ]
    }

    fn validate(&self) -> Result<(), SimError> {
        if self.all().iter().all(|p| (0.0..=1.0).contains(p)) {
            Ok(())
        } else {
            Err(SimError::InvalidConfig("every error rate must be a probability between 0 and 1".to_owned()))
        }
    }
}

/// A distribution of delays in days.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LagModel {
    /// Calendar days, log-normal with this median and log-standard-deviation `sigma`, rounded.
    LogNormal {
        /// The median, in days.
        median_days: f64,
        /// The spread of the logarithm (0 = always the median).
        sigma: f64,
    },
    /// A whole number of business days (Monday–Friday) drawn uniformly from `min..=max`.
    BusinessDays {
        /// Fewest business days.
        min: u32,
        /// Most business days.
        max: u32,
    },
}

impl LagModel {
    /// No delay.
    pub const ZERO: LagModel = LagModel::LogNormal { median_days: 0.0, sigma: 0.0 };

    fn valid(&self) -> bool {
        match *self {
            LagModel::LogNormal { median_days, sigma } => {
                (0.0..=365.0).contains(&median_days) && (0.0..=3.0).contains(&sigma)
            }
            LagModel::BusinessDays { min, max } => min <= max && max <= 260,
        }
    }

    /// A log-normal delay whose mean (before rounding to whole days) is `mean_days`: the median is
    /// `mean_days / exp(sigma² / 2)`.
    pub fn log_normal_with_mean(mean_days: f64, sigma: f64) -> LagModel {
        LagModel::LogNormal { median_days: mean_days.max(0.0) / (sigma * sigma / 2.0).exp(), sigma }
    }

    /// The mean delay in calendar days: `median · exp(sigma² / 2)` for a log-normal delay (rounding to whole
    /// days moves it by a few hundredths), and for business days their mean times 7/5 (weekends spread
    /// evenly; exact over a whole number of weeks).
    pub fn mean_days(&self) -> f64 {
        match *self {
            LagModel::LogNormal { median_days, sigma } => median_days * (sigma * sigma / 2.0).exp(),
            LagModel::BusinessDays { min, max } => f64::from(min + max) / 2.0 * 7.0 / 5.0,
        }
    }

    /// The same model with every delay multiplied by `factor` (business days rounded).
    pub fn scaled(self, factor: f64) -> LagModel {
        let f = factor.max(0.0);
        match self {
            LagModel::LogNormal { median_days, sigma } => LagModel::LogNormal { median_days: median_days * f, sigma },
            LagModel::BusinessDays { min, max } => LagModel::BusinessDays {
                min: (f64::from(min) * f).round() as u32,
                max: (f64::from(max) * f).round() as u32,
            },
        }
    }

    /// The delay for a standard normal draw `z` and a uniform draw `u` in [0, 1), counted from `from`:
    /// log-normal days use `z`, business days use `u`. Deterministic, so the generator and the legacy
    /// policy (which draws from a hash) share it.
    pub fn days_from(&self, from: onshi_law::Date, z: f64, u: f64) -> i64 {
        match *self {
            LagModel::LogNormal { median_days, sigma } => {
                if median_days <= 0.0 {
                    return 0;
                }
                (median_days * (sigma * z).exp()).round().clamp(0.0, 730.0) as i64
            }
            LagModel::BusinessDays { min, max } => {
                let span = f64::from(max - min + 1);
                let n = min + ((u.clamp(0.0, 0.999_999) * span) as u32).min(max - min);
                crate::rng::days_between(from, crate::rng::add_business_days(from, n))
            }
        }
    }
}

/// The Board of Audit's standard days from the legal date until a change of an employee insurer's member can
/// be seen through the My Number system (会計検査院, 「マイナンバー制度における地方公共団体による情報照会の
/// 実施状況について」, 2024-05-15, 注22, figures of 2017, quoted in the seeds): 協会けんぽ, as
/// (acquisition, loss).
pub const KYOKAI_STANDARD_DAYS: (f64, f64) = (29.0, 19.0);

/// The same for 健康保険組合: 8 days after an acquisition, 7 after a loss.
pub const SOCIETY_STANDARD_DAYS: (f64, f64) = (8.0, 7.0);

/// How long after the legal date a change reaches a system, in two parts, because onshi removes one of
/// them (the model and its sources are in `docs/sim-format.md`):
///
/// 1. **Notification**: from the legal date to the insurer's own record. Employers notify within 5 days
///    (健康保険法施行規則 第24条・第29条), people notify their municipality within 14 days (国民健康保険法
///    施行規則). The generator draws it for every insurer action: it is the action's `reported_on`, the day it
///    reaches onshi, because the insurer records directly into onshi. Both policies live with it. A
///    dependent enrolled or lost with its insured person travels on the same notice (same day).
/// 2. **Registration**: from the insurer's record to the national system's 中間サーバー, which only the
///    legacy policy adds ([`crate::Legacy`]). The defaults are calibrated so that the **mean total**
///    (notification + registration) is the Board of Audit's standard days ([`KYOKAI_STANDARD_DAYS`]:
///    協会けんぽ acquisition 29 / loss 19 days after the legal date; [`SOCIETY_STANDARD_DAYS`]: 健保組合
///    8 / 7): each registration mean is the standard days less the employer notification's mean (3.83 days).
///    国保 and 後期 take 2–3 business days (a municipality's answer quoted in the seeds: 「反映には2~3営業日」).
///
/// Changes (name, address, copay) travel the acquisition channel.
#[derive(Clone, Debug, PartialEq)]
pub struct Lags {
    /// Employee insurers (協会けんぽ, 健保組合, 共済): the employer's notice. Default median 3 days,
    /// sigma 0.7 (mean 3.83 days; about a fifth later than the legal 5 days).
    pub notify_employee: LagModel,
    /// 国保 and 後期高齢者医療: the person's own notice to the municipality. Default median 5 days,
    /// sigma 0.9 (mean 7.5 days; the legal limit is 14 days, about 12% are later).
    pub notify_public: LagModel,
    /// 協会けんぽ acquisition, 日本年金機構's review and relay included: default mean 29 − 3.83 = 25.17 days
    /// (median 24.06, sigma 0.3).
    pub register_kyokai_acquire: LagModel,
    /// 協会けんぽ loss: default mean 19 − 3.83 = 15.17 days (median 14.50, sigma 0.3).
    pub register_kyokai_lose: LagModel,
    /// 健保組合 acquisition: default mean 8 − 3.83 = 4.17 days (median 3.98, sigma 0.3).
    pub register_society_acquire: LagModel,
    /// 健保組合 loss: default mean 7 − 3.83 = 3.17 days (median 3.03, sigma 0.3).
    pub register_society_lose: LagModel,
    /// 共済組合 acquisition (no published figure: 健保組合's).
    pub register_mutual_acquire: LagModel,
    /// 共済組合 loss (健保組合's).
    pub register_mutual_lose: LagModel,
    /// 国保 and 後期高齢者医療, every action (default 2–3 business days).
    pub register_public: LagModel,
    /// Of the changes known ahead (turning 70, turning 75, the 1 August re-determination), the share the
    /// insurer records before the day they apply (default 80%); the rest follow the notification lag.
    pub ahead_share: f64,
    /// From the day an insurer records a new member without a My Number (未登録者) to its registry search
    /// with the basic four (`link_search`): the employer or the person is first asked to complete the
    /// notice (補正), then the insurer searches (マイナンバー登録事務に係る横断的なガイドライン). Default
    /// log-normal, median 5 days, sigma 0.6 (mean 6; about 90% within 11 days: MHLW's ordinance asks
    /// for a new member's registration within 10 days of the acquisition, seed 002).
    pub link_search_new: LagModel,
    /// From the first day of the period to the registry search of a record held without a My Number
    /// since before it (the 約30万件 left in 2023 after the employers' drive, which the insurers were to
    /// take up with the persons themselves 「年内に」, seed 000). Default log-normal, median 30 days,
    /// sigma 0.8 (about 90% within three months).
    pub link_search_backlog: LagModel,
    /// From the day a link graded B is recorded to the insurer's confirmation of the person (本人確認
    /// 「電話や郵送などにより」, seed 000), drawn by the replay. Default log-normal, median 7 days, sigma 0.7
    /// (mean 9; a letter's round trip is the tail).
    pub confirm_link: LagModel,
    /// From the day the registry offers a resident's death to an insurer holding a link to its
    /// acceptance (drawn by the replay). Default 1–3 business days (assumption; the municipalities'
    /// 「2~3営業日」 for 国保, seed 000).
    pub accept_registry_event: LagModel,
}

impl Default for Lags {
    fn default() -> Self {
        let notify_employee = LagModel::LogNormal { median_days: 3.0, sigma: 0.7 };
        // the registration's mean is the standard days less the notification's, so that the total's mean is
        // the Board of Audit's figure
        let register =
            |standard: f64| LagModel::log_normal_with_mean((standard - notify_employee.mean_days()).max(0.0), 0.3);
        Lags {
            notify_employee,
            notify_public: LagModel::LogNormal { median_days: 5.0, sigma: 0.9 },
            register_kyokai_acquire: register(KYOKAI_STANDARD_DAYS.0),
            register_kyokai_lose: register(KYOKAI_STANDARD_DAYS.1),
            register_society_acquire: register(SOCIETY_STANDARD_DAYS.0),
            register_society_lose: register(SOCIETY_STANDARD_DAYS.1),
            register_mutual_acquire: register(SOCIETY_STANDARD_DAYS.0),
            register_mutual_lose: register(SOCIETY_STANDARD_DAYS.1),
            register_public: LagModel::BusinessDays { min: 2, max: 3 },
            ahead_share: 0.8,
            link_search_new: LagModel::LogNormal { median_days: 5.0, sigma: 0.6 },
            link_search_backlog: LagModel::LogNormal { median_days: 30.0, sigma: 0.8 },
            confirm_link: LagModel::LogNormal { median_days: 7.0, sigma: 0.7 },
            accept_registry_event: LagModel::BusinessDays { min: 1, max: 3 },
        }
    }
}

impl Lags {
    /// No lag at all: every change reaches every system on its legal date.
    pub fn none() -> Self {
        let z = LagModel::ZERO;
        Lags {
            notify_employee: z,
            notify_public: z,
            register_kyokai_acquire: z,
            register_kyokai_lose: z,
            register_society_acquire: z,
            register_society_lose: z,
            register_mutual_acquire: z,
            register_mutual_lose: z,
            register_public: z,
            ahead_share: 1.0,
            link_search_new: z,
            link_search_backlog: z,
            confirm_link: z,
            accept_registry_event: z,
        }
    }

    /// The registration part for an insurer of `kind` and an action (`lose`: a loss; else an acquisition
    /// or a change).
    pub fn registration(&self, kind: onshi_ids::InsurerKind, lose: bool) -> LagModel {
        use onshi_ids::{InsurerKind as K, Scheme};
        match (kind, lose) {
            (K::KyokaiKenpo, true) => self.register_kyokai_lose,
            (K::KyokaiKenpo, false) => self.register_kyokai_acquire,
            (K::HealthInsuranceSociety, true) => self.register_society_lose,
            (K::HealthInsuranceSociety, false) => self.register_society_acquire,
            (k, _) if k.scheme() != Scheme::Employee => self.register_public,
            (_, true) => self.register_mutual_lose,
            (_, false) => self.register_mutual_acquire,
        }
    }

    /// The notification part for an insurer of `kind`.
    pub fn notification(&self, kind: onshi_ids::InsurerKind) -> LagModel {
        if kind.scheme() == onshi_ids::Scheme::Employee { self.notify_employee } else { self.notify_public }
    }

    fn validate(&self) -> Result<(), SimError> {
        let models = [
            self.notify_employee,
            self.notify_public,
            self.register_kyokai_acquire,
            self.register_kyokai_lose,
            self.register_society_acquire,
            self.register_society_lose,
            self.register_mutual_acquire,
            self.register_mutual_lose,
            self.register_public,
            self.link_search_new,
            self.link_search_backlog,
            self.confirm_link,
            self.accept_registry_event,
        ];
        if models.iter().all(LagModel::valid) && (0.0..=1.0).contains(&self.ahead_share) {
            Ok(())
        } else {
            Err(SimError::InvalidConfig(
                "lags: medians 0–365 days, sigma 0–3, business days min ≤ max ≤ 260, ahead_share 0–1".to_owned(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use onshi_ids::InsurerKind as K;

    #[test]
    fn default_lags_add_up_to_the_board_of_audit_standard_days() {
        let l = Lags::default();
        let total = |k: K, lose: bool| l.notification(k).mean_days() + l.registration(k, lose).mean_days();
        for (k, (acquire, lose)) in
            [(K::KyokaiKenpo, KYOKAI_STANDARD_DAYS), (K::HealthInsuranceSociety, SOCIETY_STANDARD_DAYS)]
        {
            assert!((total(k, false) - acquire).abs() < 1e-9, "{k:?} acquisition {}", total(k, false));
            assert!((total(k, true) - lose).abs() < 1e-9, "{k:?} loss {}", total(k, true));
        }
        assert_eq!(KYOKAI_STANDARD_DAYS, (29.0, 19.0));
        assert_eq!(SOCIETY_STANDARD_DAYS, (8.0, 7.0));
        assert_eq!(l.registration(K::NationalHealthInsurance, true), LagModel::BusinessDays { min: 2, max: 3 });
        // the medians the documentation quotes
        let LagModel::LogNormal { median_days, .. } = l.register_kyokai_acquire else { panic!() };
        assert!((median_days - 24.06).abs() < 0.01, "{median_days}");
        let LagModel::LogNormal { median_days, .. } = l.register_society_lose else { panic!() };
        assert!((median_days - 3.03).abs() < 0.01, "{median_days}");
    }

    #[test]
    fn a_log_normal_lag_has_the_mean_asked_for() {
        let m = LagModel::log_normal_with_mean(10.0, 0.5);
        assert!((m.mean_days() - 10.0).abs() < 1e-9);
        assert_eq!(LagModel::ZERO.mean_days(), 0.0);
    }
}
