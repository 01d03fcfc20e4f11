//! One chunk of the world: its people and households, their insurance at the start, the year
//! they live through and the visits they make. Chunks are independent: a chunk's output depends
//! only on the config and its index.

use std::collections::BTreeMap;

use onshi_ids::{Branch, InstitutionCode, InsuredNumber, InsurerKind, MyNumber, Scheme, Symbol};
use onshi_law::{CopayRatio, Date, IncomeBracket, copay, elderly_from, late_stage_from};
use onshi_ledger::{MemberKey, Relationship, Sex};

use crate::config::Config;
use crate::data::{self, AGE_BANDS, DEATH_RATE, MALE_SHARE, NON_JIS_VARIANTS, tables};
use crate::insurers::Insurers;
use crate::model::*;
use crate::rng::{Rng, add_days, days_between, years_before};
use crate::text::{self, Addr};

mod errors;
mod insurance;
mod people;
mod start;
mod visits;
mod year;

/// What one chunk produces.
#[derive(Default)]
pub(crate) struct ChunkOut {
    pub registry_start: Vec<Resident>,
    pub registry: Vec<Resident>,
    pub members: Vec<Member>,
    pub records: Vec<Record>,
    pub truth: Vec<Truth>,
    pub events: Vec<Event>,
    pub visits: Vec<Visit>,
    pub persons: Vec<PersonInfo>,
    pub households: u64,
}

/// Shared, read-only inputs.
pub(crate) struct Ctx<'a> {
    pub cfg: &'a Config,
    pub ins: &'a Insurers,
}

struct Person {
    my_number: MyNumber,
    birth: Date,
    sex: Sex,
    surname: String,
    surname_kana: String,
    given: String,
    given_kana: &'static str,
    hh: u32,
    alive: bool,
    died_on: Option<Date>,
    born_in_period: bool,
    twin: Option<u32>,
    spouse: Option<u32>,
    /// mother, father (in the household)
    parents: [Option<u32>; 2],
    is_child: bool,
    /// The employer's insurer and office symbol, when employed.
    job: Option<(u16, Option<String>)>,
    records: Vec<u32>,
    cover: Option<u32>,
    bracket: IncomeBracket,
    bracket_changes: Vec<(Date, IncomeBracket)>,
    start_household: u64,
    start_name: String,
    start_surname: String,
    insurer_at_start: Option<u16>,
}

impl Person {
    fn name(&self) -> String {
        format!("{} {}", self.surname, self.given)
    }
    fn kana(&self) -> String {
        format!("{} {}", self.surname_kana, self.given_kana)
    }
    fn age_on(&self, d: Date) -> u32 {
        onshi_law::age_on(self.birth, d)
    }
    fn bracket_on(&self, d: Date) -> IncomeBracket {
        self.bracket_changes.iter().rev().find(|c| c.0 <= d).map_or(self.bracket, |c| c.1)
    }
}

struct Household {
    members: Vec<u32>,
    addr: Addr,
    welfare: bool,
    /// The household's 国保 card: insurer, number, next branch.
    nhi: Option<(u16, String, u8)>,
}

struct Rec {
    id: RecordId,
    person: u32,
    insurer: u16,
    key: MemberKey,
    rel: Relationship,
    insured: Option<u32>,
    deps: Vec<u32>,
    next_branch: u8,
    acquired_on: Date,
    acq_reported: Date,
    lost_on: Option<Date>,
    // as held by the insurer
    my_number: Option<MyNumber>,
    name: String,
    kana: String,
    birth: Date,
    address: String,
    error: Option<ErrorKind>,
    name_style: u8,
    addr_style: u8,
    copay: CopayRatio,
    bracket: Option<IncomeBracket>,
}

/// Everything of a chunk while it is being generated.
struct Gen<'a> {
    ctx: &'a Ctx<'a>,
    index: u64,
    rng: Rng,
    start: Date,
    end: Date,
    p: Vec<Person>,
    h: Vec<Household>,
    r: Vec<Rec>,
    out: ChunkOut,
    event_seq: u64,
    number_seq: u64,
    /// conditional probabilities of the exclusive error kinds, from the initial records
    p_err: [f64; 10],
    names: BTreeMap<String, Vec<u32>>,
}

impl<'a> Gen<'a> {
    fn new(ctx: &'a Ctx<'a>, index: u64, n: u32) -> Gen<'a> {
        let cfg = ctx.cfg;
        Gen {
            ctx,
            index,
            rng: Rng::new(cfg.seed, index),
            start: cfg.start,
            end: cfg.end(),
            p: Vec::with_capacity(n as usize + n as usize / 100),
            h: Vec::new(),
            r: Vec::new(),
            out: ChunkOut::default(),
            event_seq: 0,
            number_seq: 0,
            p_err: [0.0; 10],
            names: BTreeMap::new(),
        }
    }
}

const EXCLUSIVE: [ErrorKind; 10] = [
    ErrorKind::TwinSwap,
    ErrorKind::FamilySwap,
    ErrorKind::SameNameStranger,
    ErrorKind::MissingMyNumber,
    ErrorKind::BirthDateTypo,
    ErrorKind::WrongCopay,
    ErrorKind::KanaTypo,
    ErrorKind::KanjiTypo,
    ErrorKind::StaleName,
    ErrorKind::Moved,
];

/// Generates chunk `index` holding `n` persons at the start.
pub(crate) fn generate(ctx: &Ctx, index: u64, n: u32, want_persons: bool) -> ChunkOut {
    let cfg = ctx.cfg;
    let mut g = Gen::new(ctx, index, n);
    g.people(n);
    g.doppelgangers();
    g.insurance_at_start();
    g.errors_at_start();
    g.registry_and_members_at_start();
    if cfg.days > 0 {
        g.live();
        g.visits();
    }
    g.finish(want_persons);
    g.out
}

fn is_employee(kind: InsurerKind) -> bool {
    kind.scheme() == Scheme::Employee
}

impl<'a> Gen<'a> {
    fn ins_kind(&self, i: u16) -> InsurerKind {
        self.ctx.ins.list[usize::from(i)].kind
    }
}

const EV_DEATH: u8 = 0;
const EV_75: u8 = 1;
const EV_70: u8 = 2;
const EV_INCOME: u8 = 3;
const EV_RETIRE: u8 = 4;
const EV_JOB: u8 = 5;
const EV_MARRY: u8 = 6;
const EV_MOVE: u8 = 7;
const EV_BIRTH: u8 = 8;

/// Relative visit frequency by age (children and the old see doctors more); normalised so that
/// the population mean is `visits_per_person_year`.
fn visit_factor(age: u32) -> f64 {
    match age {
        0..=4 => 1.6,
        5..=14 => 0.8,
        15..=24 => 0.5,
        25..=44 => 0.6,
        45..=64 => 0.9,
        65..=74 => 1.5,
        _ => 2.2,
    }
}

/// Clinic `k` (0..64) of a prefecture: 医科 for k < 48, 調剤 (pharmacies) above.
fn clinic(seed: u64, pref: u8, k: u32) -> InstitutionCode {
    let digits = crate::rng::mix(seed ^ 0xC11, u64::from(pref) * 1000 + u64::from(k)) % 10_000_000;
    let table = if k < 48 { 1 } else { 4 };
    InstitutionCode::parse(&format!("{pref:02}{table}{digits:07}"))
        .or_else(|_| InstitutionCode::parse("1311234567"))
        .unwrap_or_else(|_| unreachable!("a constant institution code parses"))
}

/// Other spellings of a given name's reading.
fn given_alternatives(sex: Sex, kana: &str, given: &str) -> Option<Vec<&'static str>> {
    let list = &tables().given[usize::from(sex == Sex::Female)];
    let g = list.iter().find(|g| g.kana == kana)?;
    let v: Vec<&'static str> = g.spellings.iter().map(|s| s.0).filter(|&s| s != given).collect();
    (!v.is_empty()).then_some(v)
}

fn unreachable_number() -> InsuredNumber {
    InsuredNumber::parse("0").unwrap_or_else(|_| unreachable!("\"0\" is a valid insured number"))
}

fn unreachable_branch() -> Branch {
    Branch::parse("00").unwrap_or_else(|_| unreachable!("\"00\" is a valid branch"))
}

/// People not yet placed in a household, by sex and age.
struct Pool {
    b: [Vec<Vec<u32>>; 2],
}

impl Pool {
    /// Takes someone of `sex` (any when `None`) aged `lo..=hi`, as close to `pref` as possible.
    fn take(&mut self, rng: &mut Rng, sex: Option<Sex>, lo: u32, hi: u32, pref: u32) -> Option<u32> {
        let hi = hi.min(110);
        if lo > hi {
            return None;
        }
        let pref = pref.clamp(lo, hi);
        let sexes: [usize; 2] = match sex {
            Some(Sex::Male) => [0, 0],
            Some(Sex::Female) => [1, 1],
            None => {
                if rng.chance(0.5) {
                    [0, 1]
                } else {
                    [1, 0]
                }
            }
        };
        for dist in 0..=(hi - lo) {
            for age in [pref.checked_sub(dist), pref.checked_add(dist)].into_iter().flatten() {
                if age < lo || age > hi {
                    continue;
                }
                for &s in &sexes {
                    if let Some(id) = self.b[s][age as usize].pop() {
                        return Some(id);
                    }
                }
            }
        }
        None
    }
}

/// Where a new record sits: its insurer (index) and 記号・番号・枝番.
struct Slot {
    insurer: u16,
    symbol: Option<String>,
    number: String,
    branch: u8,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twins_never_share_a_given_name() {
        let cfg = Config::new(1000, 3);
        let ins = Insurers::build(3).expect("insurers");
        let ctx = Ctx { cfg: &cfg, ins: &ins };
        let mut g = Gen::new(&ctx, 0, 400);
        for i in 0..200 {
            let sex = if i % 2 == 0 { Sex::Female } else { Sex::Male };
            let (a, b) = (g.add_person(cfg.start, sex), g.add_person(cfg.start, sex));
            // the collision a random draw sometimes gives (2 pairs in a million persons)
            let (given, kana) = (g.p[a as usize].given.clone(), g.p[a as usize].given_kana);
            g.p[b as usize].given = given.clone();
            g.p[b as usize].given_kana = kana;
            g.make_twin(a, b);
            let (pa, pb) = (&g.p[a as usize], &g.p[b as usize]);
            assert_eq!(pa.given, given);
            assert_ne!(pa.given, pb.given);
            assert_ne!(pa.given_kana, pb.given_kana);
            assert_eq!((pa.birth, pa.twin, pb.twin), (pb.birth, Some(b), Some(a)));
        }
    }
}
