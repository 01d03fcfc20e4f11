//! Seeded randomness and date arithmetic. Every draw goes through a [`Rng`] made from the
//! world's seed and a stream number, so the world does not depend on thread scheduling.

use chrono::{Datelike, Days, Weekday};
use onshi_law::Date;
use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The generator used everywhere: ChaCha8, seeded per stream.
pub(crate) struct Rng(ChaCha8Rng);

/// SplitMix64 finaliser: spreads (seed, stream) over the seed space.
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(0x6A09_E667_F3BC_C909);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// The generator of stream `stream` of world `seed`.
    pub(crate) fn new(seed: u64, stream: u64) -> Self {
        Rng(ChaCha8Rng::seed_from_u64(mix(seed, stream)))
    }

    /// Uniform in [0, 1).
    pub(crate) fn f(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.f() < p
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n <= 1 { 0 } else { self.0.random_range(0..n) }
    }

    /// Uniform in `lo..=hi` (lo when hi < lo).
    pub(crate) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo { lo } else { self.0.random_range(lo..=hi) }
    }

    /// An index drawn by cumulative weights (`cum` strictly increasing at the chosen places,
    /// last element the total). 0 when empty or the total is 0.
    pub(crate) fn weighted(&mut self, cum: &[u64]) -> usize {
        let Some(&total) = cum.last() else { return 0 };
        if total == 0 {
            return 0;
        }
        let x = self.0.random_range(0..total);
        cum.partition_point(|&c| c <= x).min(cum.len() - 1)
    }

    /// An index drawn from small float weights.
    pub(crate) fn pick(&mut self, w: &[f64]) -> usize {
        let total: f64 = w.iter().sum();
        if total <= 0.0 {
            return 0;
        }
        let mut x = self.f() * total;
        for (i, &v) in w.iter().enumerate() {
            if x < v {
                return i;
            }
            x -= v;
        }
        w.len().saturating_sub(1)
    }

    /// Standard normal (Box–Muller).
    pub(crate) fn normal(&mut self) -> f64 {
        let u1 = self.f().max(1e-300);
        let u2 = self.f();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Poisson with mean `lambda` (Knuth below 30, normal approximation above).
    pub(crate) fn poisson(&mut self, lambda: f64) -> u32 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda > 30.0 {
            let x = lambda + lambda.sqrt() * self.normal();
            return x.round().max(0.0) as u32;
        }
        let l = (-lambda).exp();
        let mut k = 0u32;
        let mut p = 1.0;
        loop {
            p *= self.f();
            if p <= l {
                return k;
            }
            k += 1;
        }
    }

    /// Randomised rounding: `x` = 2.3 gives 2 or 3 with mean 2.3.
    pub(crate) fn round(&mut self, x: f64) -> u64 {
        let fl = x.floor().max(0.0);
        fl as u64 + u64::from(self.chance(x - fl))
    }
}

/// A standard normal and a uniform draw in [0, 1) from a hash: for draws that must not move the
/// generator's streams (a new kind of draw leaves every other part of a world as it was).
pub(crate) fn hash_draws(h: u64) -> (f64, f64) {
    let h1 = mix(h, 1);
    let h2 = mix(h, 2);
    let u1 = ((h1 >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    let u2 = (h2 >> 11) as f64 / (1u64 << 53) as f64;
    ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos(), u2)
}

/// `d + n` days, saturating at the ends of the calendar.
pub(crate) fn add_days(d: Date, n: i64) -> Date {
    if n >= 0 {
        d.checked_add_days(Days::new(n.unsigned_abs())).unwrap_or(Date::MAX)
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs())).unwrap_or(Date::MIN)
    }
}

/// `d + n` business days (Monday–Friday; national holidays are not modelled).
pub(crate) fn add_business_days(d: Date, n: u32) -> Date {
    let mut out = d;
    let mut left = n;
    while left > 0 {
        out = add_days(out, 1);
        if !matches!(out.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    out
}

/// Days from `a` to `b`.
pub(crate) fn days_between(a: Date, b: Date) -> i64 {
    (b - a).num_days()
}

/// The same day `years` years earlier (28 February for 29 February in common years).
pub(crate) fn years_before(d: Date, years: u32) -> Date {
    d.checked_sub_months(chrono::Months::new(years.saturating_mul(12))).unwrap_or(Date::MIN)
}

/// Cumulative sums of weights.
pub(crate) fn cum(w: &[u64]) -> Vec<u64> {
    let mut acc = 0u64;
    w.iter()
        .map(|&x| {
            acc += x;
            acc
        })
        .collect()
}
