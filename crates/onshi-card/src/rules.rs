//! The pure rules of the card: how long a user certificate is valid, the grace period after expiry, the PIN
//! retry counter, how long a consent lasts, and how long a challenge may be answered. No I/O, no clock:
//! every function takes the day or the instant it decides for.

use chrono::{DateTime, Datelike, Duration, Months, Utc};
use onshi_law::{Date, nth_birthday};

/// Wrong PINs allowed before the 利用者証明用電子証明書's PIN locks (JPKI: 3).
pub const MAX_PIN_TRIES: u8 = 3;

/// Months after the month of expiry during which an expired certificate still confirms eligibility.
pub const GRACE_MONTHS: u32 = 3;

/// How long a consent to share medication and checkup information lasts (domain notes: 24 hours).
pub const CONSENT_HOURS: i64 = 24;

/// How long a challenge (nonce) may be answered.
pub const CHALLENGE_SECONDS: i64 = 120;

/// The last day a user certificate issued on `issued_on` to someone born on `birth` is valid: the holder's
/// 5th birthday after issuance (発行日後5回目の誕生日). A birthday on the day of issuance does not count (it
/// is not "after"); someone born on 29 February has the birthday on 1 March in common years, as everywhere
/// in onshi ([`onshi_law::nth_birthday`]). Saturates at [`Date::MAX`].
pub fn certificate_expiry(birth: Date, issued_on: Date) -> Date {
    // the first birthday strictly after the issue date
    let years = issued_on.year() - birth.year();
    let mut n = u32::try_from(years.max(0)).unwrap_or(0);
    while nth_birthday(birth, n) <= issued_on {
        if nth_birthday(birth, n) == Date::MAX {
            return Date::MAX;
        }
        n += 1;
    }
    nth_birthday(birth, n + 4)
}

/// The last day an expired certificate still confirms eligibility: the last day of the 3rd month after the
/// month of expiry (the ministry's rule for マイナ保険証 whose 電子証明書 has expired; the patient is
/// told to renew). Saturates at [`Date::MAX`].
pub fn grace_until(expires_on: Date) -> Date {
    let first_of_month = expires_on.with_day(1).unwrap_or(expires_on);
    first_of_month.checked_add_months(Months::new(GRACE_MONTHS + 1)).and_then(|d| d.pred_opt()).unwrap_or(Date::MAX)
}

/// What a certificate's dates say on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// Before the first valid day (a certificate dated in the future: refused).
    NotYetValid { from: Date },
    /// Inside its validity period.
    Valid { until: Date },
    /// Expired, but inside the grace period: works, with a notice to renew.
    Grace { expired_on: Date, until: Date },
    /// Expired and past the grace period: refused.
    Expired { expired_on: Date, grace_ended: Date },
}

impl Validity {
    /// Whether the certificate may be used on that day.
    pub fn usable(self) -> bool {
        matches!(self, Validity::Valid { .. } | Validity::Grace { .. })
    }
}

/// The validity on `today` of a certificate valid from `from` through `expires_on` (both legal days in Japan,
/// inclusive).
pub fn validity_on(from: Date, expires_on: Date, today: Date) -> Validity {
    if today < from {
        return Validity::NotYetValid { from };
    }
    if today <= expires_on {
        return Validity::Valid { until: expires_on };
    }
    let until = grace_until(expires_on);
    if today <= until {
        Validity::Grace { expired_on: expires_on, until }
    } else {
        Validity::Expired { expired_on: expires_on, grace_ended: until }
    }
}

/// The PIN retry counter as the chip keeps it: the tries left before the PIN locks.
///
/// The rule of a real chip, kept here too: an attempt is **charged before the PIN is checked** (and the
/// charge is written to the card first), and refunded only when the PIN was right. So a reader that
/// crashes, or is killed, between the check and the write never gives a free try.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PinCounter {
    tries_left: u8,
}

/// Why the counter refuses an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinLocked;

impl Default for PinCounter {
    fn default() -> Self {
        PinCounter::new()
    }
}

impl PinCounter {
    /// A fresh counter: [`MAX_PIN_TRIES`] tries.
    pub fn new() -> PinCounter {
        PinCounter { tries_left: MAX_PIN_TRIES }
    }

    /// A counter read back from a card; `None` when the value is impossible (more than the maximum).
    pub fn from_tries_left(tries_left: u8) -> Option<PinCounter> {
        (tries_left <= MAX_PIN_TRIES).then_some(PinCounter { tries_left })
    }

    pub fn tries_left(self) -> u8 {
        self.tries_left
    }

    pub fn locked(self) -> bool {
        self.tries_left == 0
    }

    /// The counter to write to the card before an attempt is checked, or [`PinLocked`].
    pub fn charge(self) -> Result<PinCounter, PinLocked> {
        match self.tries_left {
            0 => Err(PinLocked),
            n => Ok(PinCounter { tries_left: n - 1 }),
        }
    }

    /// The counter after a right PIN: full again.
    pub fn refund(self) -> PinCounter {
        PinCounter::new()
    }
}

/// Whether `pin` has the form of a 利用者証明用 PIN: exactly four ASCII digits.
pub fn pin_well_formed(pin: &str) -> bool {
    pin.len() == 4 && pin.bytes().all(|b| b.is_ascii_digit())
}

/// When a consent given at `given_at` ends.
pub fn consent_expires_at(given_at: DateTime<Utc>) -> DateTime<Utc> {
    given_at + Duration::hours(CONSENT_HOURS)
}

/// Whether a consent given at `given_at` still holds at `now` (it ends exactly 24 hours later).
pub fn consent_active(given_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    given_at <= now && now < consent_expires_at(given_at)
}

/// When a challenge handed out at `issued_at` stops being answerable.
pub fn challenge_expires_at(issued_at: DateTime<Utc>) -> DateTime<Utc> {
    issued_at + Duration::seconds(CHALLENGE_SECONDS)
}

/// Whether a challenge handed out at `issued_at` may still be answered at `now`.
pub fn challenge_fresh(issued_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    issued_at <= now && now < challenge_expires_at(issued_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn expiry_is_the_fifth_birthday_after_issuance() {
        // born 15 April; issued 1 May 2026 → birthdays after: 2027, 2028, 2029, 2030, 2031
        assert_eq!(certificate_expiry(d(1980, 4, 15), d(2026, 5, 1)), d(2031, 4, 15));
        // issued the day before the birthday: that birthday is the first
        assert_eq!(certificate_expiry(d(1980, 4, 15), d(2026, 4, 14)), d(2030, 4, 15));
        // issued on the birthday: it does not count
        assert_eq!(certificate_expiry(d(1980, 4, 15), d(2026, 4, 15)), d(2031, 4, 15));
        // born 29 February: 1 March in common years, 29 February in leap years
        assert_eq!(certificate_expiry(d(2000, 2, 29), d(2026, 1, 10)), d(2030, 3, 1));
        assert_eq!(certificate_expiry(d(2000, 2, 29), d(2027, 1, 10)), d(2031, 3, 1));
        assert_eq!(certificate_expiry(d(2000, 2, 29), d(2023, 3, 2)), d(2028, 2, 29));
        // a baby issued a card on the day of birth
        assert_eq!(certificate_expiry(d(2026, 6, 10), d(2026, 6, 10)), d(2031, 6, 10));
    }

    #[test]
    fn grace_runs_to_the_end_of_the_third_month_after_expiry() {
        assert_eq!(grace_until(d(2026, 5, 10)), d(2026, 8, 31));
        assert_eq!(grace_until(d(2026, 11, 30)), d(2027, 2, 28));
        assert_eq!(grace_until(d(2027, 11, 1)), d(2028, 2, 29));
        assert_eq!(grace_until(d(2026, 1, 31)), d(2026, 4, 30));
        assert_eq!(grace_until(Date::MAX), Date::MAX);
    }

    #[test]
    fn validity_covers_every_window() {
        let (from, to) = (d(2026, 5, 1), d(2031, 4, 15));
        assert_eq!(validity_on(from, to, d(2026, 4, 30)), Validity::NotYetValid { from });
        assert_eq!(validity_on(from, to, from), Validity::Valid { until: to });
        assert_eq!(validity_on(from, to, to), Validity::Valid { until: to });
        let g = Validity::Grace { expired_on: to, until: d(2031, 7, 31) };
        assert_eq!(validity_on(from, to, d(2031, 4, 16)), g);
        assert_eq!(validity_on(from, to, d(2031, 7, 31)), g);
        assert_eq!(
            validity_on(from, to, d(2031, 8, 1)),
            Validity::Expired { expired_on: to, grace_ended: d(2031, 7, 31) }
        );
        assert!(g.usable());
        assert!(!validity_on(from, to, d(2031, 8, 1)).usable());
        assert!(!validity_on(from, to, d(2020, 1, 1)).usable());
    }

    #[test]
    fn the_pin_locks_after_three_wrong_tries_and_a_right_one_refunds() {
        let c = PinCounter::new();
        assert_eq!(c.tries_left(), 3);
        let c1 = c.charge().expect("1st");
        let c2 = c1.charge().expect("2nd");
        let c3 = c2.charge().expect("3rd");
        assert!(c3.locked());
        assert_eq!(c3.charge(), Err(PinLocked));
        // a right PIN on the last try refunds everything
        assert_eq!(c2.charge().map(PinCounter::refund), Ok(PinCounter::new()));
        assert_eq!(PinCounter::from_tries_left(4), None);
        assert_eq!(PinCounter::from_tries_left(0).map(PinCounter::locked), Some(true));
    }

    #[test]
    fn pins_are_four_digits() {
        for ok in ["0000", "1234", "9999"] {
            assert!(pin_well_formed(ok), "{ok}");
        }
        for bad in ["", "123", "12345", "12a4", "１２３４", " 123", "12 4"] {
            assert!(!pin_well_formed(bad), "{bad}");
        }
    }

    #[test]
    fn consent_lasts_24_hours_and_challenges_two_minutes() {
        let t = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).expect("t");
        assert!(consent_active(t, t));
        assert!(consent_active(t, t + Duration::hours(24) - Duration::seconds(1)));
        assert!(!consent_active(t, t + Duration::hours(24)));
        assert!(!consent_active(t, t - Duration::seconds(1)));
        assert!(challenge_fresh(t, t + Duration::seconds(119)));
        assert!(!challenge_fresh(t, t + Duration::seconds(120)));
        assert!(!challenge_fresh(t, t - Duration::seconds(1)));
    }

    proptest::proptest! {
        #[test]
        fn expiry_is_a_birthday_between_four_and_five_years_after_issuance(
            by in 1930i32..2026, bm in 1u32..=12, bd in 1u32..=28, off in 0i64..30_000
        ) {
            let birth = d(by, bm, bd);
            let issued = birth + Duration::days(off);
            let e = certificate_expiry(birth, issued);
            proptest::prop_assert_eq!((e.month(), e.day()), (bm, bd));
            let years = e.year() - issued.year();
            proptest::prop_assert!((4..=5).contains(&years), "{issued} → {e}");
            proptest::prop_assert!(e > issued);
            // exactly four birthdays lie strictly between issuance and expiry
            let between = (issued.year()..=e.year())
                .filter_map(|y| Date::from_ymd_opt(y, bm, bd))
                .filter(|b| *b > issued && *b < e)
                .count();
            proptest::prop_assert_eq!(between, 4);
        }

        #[test]
        fn grace_is_three_to_four_months(y in 2000i32..2100, m in 1u32..=12, day in 1u32..=28) {
            let e = d(y, m, day);
            let g = grace_until(e);
            proptest::prop_assert!(g >= e.checked_add_months(Months::new(3)).expect("add"));
            proptest::prop_assert!(g < e.checked_add_months(Months::new(4)).expect("add"));
            proptest::prop_assert_eq!(g.succ_opt().map(|n| n.day()), Some(1));
        }
    }
}
