//! A streaming generator of just REGISTRY.csv and RECORDS.csv for `onshi reconcile` at national scale
//! (`reconcile-bench synth`): 40 M persons in minutes and in ≈ 11 GB, where onshi-sim's full world
//! (a year of life events, truth, members) would take hours and ≈ 24 GB.
//!
//! People are drawn from onshi-sim's own tables (its surnames by population, given names by sex with
//! their spellings, the postal towns; `crates/onshi-sim/data/`), born uniformly over 100 years; 1% are
//! one of a pair of twins (same birth date, surname and address). 2% of residents have no record. Each
//! record carries its person's basic four and My Number with these errors, at onshi-sim's default rates
//! ([`onshi_sim::ErrorRates::default`]) unless said otherwise:
//! - the twin's My Number (`twin_swap`); another person's (`family_swap + same_name_stranger`: the
//!   previous person's number, a wrong link);
//! - no My Number (`missing_my_number_employee`, 0.37%);
//! - a wrong birth date, one digit off: **0.05%** (onshi-sim's 0.0017% would give 700 records at 40 M;
//!   this rate makes ≈ 20,000 records whose owner is born on another day, the partitioned run's
//!   cross-partition case);
//! - a kana typo (`kana_typo`), another spelling of the given name (`kanji_typo`), the surname before a
//!   marriage (`stale_name`), an old address (`moved`);
//! - the address in another notation (「2-1-2」, 「4」 for 「4番地」) 20%, the name with a full-width space 10% (between
//!   onshi-sim's employee and public rates);
//! - an unreadable row (an impossible date) 0.001%; a record repeated (same id and number) 0.01%.
//!
//! Deterministic: the same persons and seed give the same bytes (chunks of [`CHUNK`] persons, each from
//! its own seed, generated on all cores and written in order).

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use chrono::{Days, NaiveDate};

const SURNAMES: &str = include_str!("../../onshi-sim/data/surnames.tsv");
const GIVEN_MALE: &str = include_str!("../../onshi-sim/data/given_male.tsv");
const GIVEN_FEMALE: &str = include_str!("../../onshi-sim/data/given_female.tsv");
const TOWNS: &str = include_str!("../../onshi-sim/data/towns.tsv");

/// Persons per chunk.
pub const CHUNK: u64 = 1 << 20;

/// SplitMix64: small, fast, good enough for synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// An index drawn by the cumulative weights `cum`.
    fn weighted(&mut self, cum: &[u64]) -> usize {
        let x = self.below(cum.last().copied().unwrap_or(1));
        cum.partition_point(|&c| c <= x)
    }
}

struct Given {
    kana: &'static str,
    spellings: Vec<&'static str>,
    cum: Vec<u64>,
}

struct Tables {
    surnames: Vec<(&'static str, &'static str)>,
    surname_cum: Vec<u64>,
    given: [Vec<Given>; 2],
    /// (prefecture, city, town, has 丁目)
    towns: Vec<(&'static str, &'static str, &'static str, bool)>,
}

fn cumulative(w: impl IntoIterator<Item = u64>) -> Vec<u64> {
    let mut acc = 0;
    w.into_iter()
        .map(|x| {
            acc += x.max(1);
            acc
        })
        .collect()
}

fn tables() -> Tables {
    let rows: Vec<(&str, u64, &str)> = SURNAMES
        .lines()
        .filter_map(|l| {
            let mut it = l.split('\t');
            Some((it.next()?, it.next()?.parse().ok()?, it.next()?))
        })
        .collect();
    let given = |src: &'static str| -> Vec<Given> {
        src.lines()
            .filter_map(|l| {
                let (kana, rest) = l.split_once('\t')?;
                let sp: Vec<(&str, u64)> = rest
                    .split(',')
                    .filter_map(|p| p.rsplit_once(':').and_then(|(s, w)| Some((s, w.parse().ok()?))))
                    .collect();
                (!sp.is_empty()).then(|| Given {
                    kana,
                    cum: cumulative(sp.iter().map(|s| s.1)),
                    spellings: sp.into_iter().map(|s| s.0).collect(),
                })
            })
            .collect()
    };
    let mut towns = Vec::new();
    let mut muni = ("", "");
    for line in TOWNS.lines() {
        match line.split('\t').collect::<Vec<_>>().as_slice() {
            ["M", _, pref, city, _] => muni = (pref, city),
            ["T", name, chome] if !muni.0.is_empty() => towns.push((muni.0, muni.1, *name, *chome == "1")),
            _ => {}
        }
    }
    Tables {
        surname_cum: cumulative(rows.iter().map(|r| r.1)),
        surnames: rows.iter().map(|r| (r.0, r.2)).collect(),
        given: [given(GIVEN_MALE), given(GIVEN_FEMALE)],
        towns,
    }
}

struct Person {
    number: String,
    surname: usize,
    given: usize,
    spelling: usize,
    female: bool,
    birth: NaiveDate,
    town: usize,
    block: [u32; 3],
}

/// Person `i`'s My Number: an affine bijection of the 11-digit bodies (the multiplier is coprime to 10),
/// then the check digit.
fn my_number(i: u64, seed: u64) -> String {
    const BODIES: u128 = 100_000_000_000;
    let body = (u128::from(i) * 7_919_000_003 + u128::from(seed) * 1_000_003) % BODIES;
    onshi_ids::MyNumber::from_body(&format!("{body:011}")).map(|n| n.as_str().to_owned()).unwrap_or_default()
}

fn person(t: &Tables, rng: &mut Rng, i: u64, seed: u64, base: NaiveDate) -> Person {
    let female = rng.chance(0.5);
    let given = &t.given[usize::from(female)];
    let g = rng.below(given.len() as u64) as usize;
    let spelling = given.get(g).map_or(0, |g| rng.weighted(&g.cum));
    Person {
        number: my_number(i, seed),
        surname: rng.weighted(&t.surname_cum),
        given: g,
        spelling,
        female,
        birth: base.checked_sub_days(Days::new(rng.below(36_525))).unwrap_or(base),
        town: rng.below(t.towns.len() as u64) as usize,
        block: [1 + rng.below(5) as u32, 1 + rng.below(30) as u32, 1 + rng.below(20) as u32],
    }
}

struct Look<'a> {
    name: String,
    kana: String,
    address: String,
    birth: String,
    sex: &'a str,
}

fn look<'a>(t: &'a Tables, p: &Person, notation: bool) -> Look<'a> {
    let (sk, sn) = t.surnames.get(p.surname).copied().unwrap_or(("山田", "ヤマダ"));
    let g = t.given[usize::from(p.female)].get(p.given);
    let gk = g.and_then(|g| g.spellings.get(p.spelling)).copied().unwrap_or("太郎");
    let gn = g.map_or("タロウ", |g| g.kana);
    let (pref, city, town, chome) = t.towns.get(p.town).copied().unwrap_or(("東京都", "千代田区", "永田町", true));
    let [a, b, c] = p.block;
    let address = match (notation, chome) {
        (true, true) => format!("{pref}{city}{town}{a}-{b}-{c}"),
        (false, true) => format!("{pref}{city}{town}{a}丁目{b}番{c}号"),
        (true, false) => format!("{pref}{city}{town}{b}"),
        (false, false) => format!("{pref}{city}{town}{b}番地"),
    };
    Look {
        name: format!("{sk} {gk}"),
        kana: format!("{sn} {gn}"),
        address,
        birth: p.birth.to_string(),
        sex: if p.female { "female" } else { "male" },
    }
}

/// One chunk: its REGISTRY.csv rows and its RECORDS.csv rows.
fn chunk(t: &Tables, seed: u64, first: u64, n: u64) -> (String, String) {
    let rates = onshi_sim::ErrorRates::default();
    let mut rng = Rng(seed ^ first.wrapping_mul(0xA24B_AED4_963E_E407));
    let base = NaiveDate::from_ymd_opt(2026, 9, 30).unwrap_or_default();
    let mut people: Vec<Person> = Vec::with_capacity(n as usize);
    for i in first..first + n {
        let mut p = person(t, &mut rng, i, seed, base);
        if let Some(prev) = people.last().filter(|_| rng.chance(0.005)) {
            // the second of twins
            p.surname = prev.surname;
            p.birth = prev.birth;
            p.town = prev.town;
            p.block = prev.block;
        }
        people.push(p);
    }
    let (mut reg, mut rec) = (String::with_capacity(n as usize * 130), String::with_capacity(n as usize * 140));
    for (k, p) in people.iter().enumerate() {
        let l = look(t, p, false);
        let _ = writeln!(reg, "{},{},{},{},{},{}", p.number, l.name, l.kana, l.birth, l.sex, l.address);
        if rng.chance(0.02) {
            continue; // no record
        }
        let prev = k.checked_sub(1).and_then(|j| people.get(j));
        let mut q = Person { number: p.number.clone(), ..*p };
        let mut number = p.number.clone();
        if let Some(prev) = prev {
            if prev.birth == p.birth && prev.surname == p.surname && rng.chance(rates.twin_swap * 200.0) {
                number = prev.number.clone(); // the twin's (twins are 1%: the rate among all records)
            } else if rng.chance(rates.family_swap + rates.same_name_stranger) {
                number = prev.number.clone();
            }
        }
        if rng.chance(rates.missing_my_number_employee) {
            number.clear();
        }
        if rng.chance(0.0005) {
            let days = 1 + rng.below(9);
            q.birth = if rng.chance(0.5) {
                q.birth.checked_add_days(Days::new(days))
            } else {
                q.birth.checked_sub_days(Days::new(days))
            }
            .unwrap_or(q.birth);
        }
        if rng.chance(rates.kanji_typo) {
            let spellings = t.given[usize::from(q.female)].get(q.given).map_or(1, |g| g.spellings.len());
            q.spelling = (q.spelling + 1) % spellings.max(1);
        }
        if rng.chance(rates.stale_name) {
            q.surname = rng.weighted(&t.surname_cum);
        }
        if rng.chance(rates.moved) {
            q.town = rng.below(t.towns.len() as u64) as usize;
        }
        let mut l = look(t, &q, rng.chance(0.2));
        if rng.chance(rates.kana_typo) {
            if let Some(c) = l.kana.pop() {
                l.kana.push(if c == 'ア' { 'イ' } else { 'ア' });
            }
        }
        if rng.chance(0.1) {
            l.name = l.name.replacen(' ', "\u{3000}", 1);
        }
        if rng.chance(0.00001) {
            l.birth = "2001-02-30".to_owned();
        }
        let id = first + k as u64;
        let row = format!("R{id:010},{number},{},{},{},{},{}\n", l.name, l.kana, l.birth, l.sex, l.address);
        rec.push_str(&row);
        if rng.chance(0.0001) {
            rec.push_str(&row);
        }
    }
    (reg, rec)
}

/// Writes DIR/registry.csv and DIR/records.csv for `persons` persons; returns (residents, records bytes).
pub fn generate(persons: u64, seed: u64, dir: &Path) -> anyhow::Result<(u64, u64)> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let t = tables();
    let open = |name: &str, header: &str| -> anyhow::Result<BufWriter<File>> {
        let p = dir.join(name);
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&p).with_context(|| format!("{}", p.display()))?);
        w.write_all(header.as_bytes())?;
        Ok(w)
    };
    let mut reg = open("registry.csv", "my_number,name,name_kana,birth_date,sex,address\n")?;
    let mut rec = open("records.csv", "record_id,my_number,name,name_kana,birth_date,sex,address\n")?;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let chunks = persons.div_ceil(CHUNK);
    let mut c = 0;
    while c < chunks {
        let hi = (c + threads).min(chunks);
        let done: anyhow::Result<Vec<(String, String)>> = std::thread::scope(|s| {
            let handles: Vec<_> = (c..hi)
                .map(|i| {
                    let t = &t;
                    s.spawn(move || chunk(t, seed, i * CHUNK, (persons - i * CHUNK).min(CHUNK)))
                })
                .collect();
            handles.into_iter().map(|h| h.join().map_err(|_| anyhow::anyhow!("a generator thread panicked"))).collect()
        });
        for (r, x) in done? {
            reg.write_all(r.as_bytes())?;
            rec.write_all(x.as_bytes())?;
        }
        c = hi;
    }
    reg.flush()?;
    rec.flush()?;
    let size = std::fs::metadata(dir.join("records.csv"))?.len();
    Ok((persons, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_bytes_and_mostly_right_records() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        generate(3_000, 5, &a).expect("generate");
        generate(3_000, 5, &b).expect("generate");
        for f in ["registry.csv", "records.csv"] {
            assert_eq!(std::fs::read(a.join(f)).expect("read"), std::fs::read(b.join(f)).expect("read"), "{f}");
        }
        let opts = onshi_reconcile::Options {
            progress: false,
            ..onshi_reconcile::Options::new(a.join("registry.csv"), a.join("records.csv"), a.join("out.csv"))
        };
        let s = onshi_reconcile::run(&opts).expect("reconcile");
        assert_eq!(s.registry_residents, 3_000);
        assert!((2_900..=3_000).contains(&s.records), "≈ 98% of persons have a record: {s:?}");
        assert!(s.a * 10 > s.records * 8, "most records are right: {s:?}");
        assert!(s.c > 0 && s.c * 20 < s.records, "a few are wrong: {s:?}");
    }
}
