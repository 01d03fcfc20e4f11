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

    // ------------------------------------------------------------------ people

    fn new_my_number(&self, local: u64) -> MyNumber {
        // a bijection of the global serial onto 11-digit bodies: (A·s + B) mod 10^11 with A
        // coprime to 10
        const M: u128 = 100_000_000_000;
        const A: u128 = 3_141_592_653;
        let s = u128::from(self.index) * (1 << 22) + u128::from(local);
        let b = u128::from(crate::rng::mix(self.ctx.cfg.seed, 0x4D59_4E55_4D42_4552)) % M;
        let body = (A * s + b) % M;
        MyNumber::from_body(&format!("{body:011}"))
            .unwrap_or_else(|_| MyNumber::parse("123456789018").unwrap_or_else(|_| unreachable!()))
    }

    fn surname(&mut self) -> (String, String) {
        let t = tables();
        let s = &t.surnames[self.rng.weighted(&t.surname_cum)];
        let mut reg = String::with_capacity(s.kanji.len() + 4);
        for c in s.kanji.chars() {
            match NON_JIS_VARIANTS.iter().find(|v| v.0 == c) {
                Some(v) if self.rng.chance(v.2) => reg.push(v.1),
                _ => reg.push(c),
            }
        }
        (reg, s.kana.to_owned())
    }

    fn given(&mut self, sex: Sex) -> (String, &'static str) {
        let t = tables();
        let list = &t.given[usize::from(sex == Sex::Female)];
        let g = &list[self.rng.below(list.len())];
        let s = g.spellings[self.rng.weighted(&g.cum)].0;
        (s.to_owned(), g.kana)
    }

    fn add_person(&mut self, birth: Date, sex: Sex) -> u32 {
        let local = self.p.len() as u64;
        let my_number = self.new_my_number(local);
        let (given, given_kana) = self.given(sex);
        self.p.push(Person {
            my_number,
            birth,
            sex,
            surname: String::new(),
            surname_kana: String::new(),
            given,
            given_kana,
            hh: u32::MAX,
            alive: true,
            died_on: None,
            born_in_period: false,
            twin: None,
            spouse: None,
            parents: [None, None],
            is_child: false,
            job: None,
            records: Vec::new(),
            cover: None,
            bracket: IncomeBracket::General,
            bracket_changes: Vec::new(),
            start_household: 0,
            start_name: String::new(),
            start_surname: String::new(),
            insurer_at_start: None,
        });
        local as u32
    }

    /// `n` people by the census pyramid, then households assembled from them.
    fn people(&mut self, n: u32) {
        let t = tables();
        let mut pool: [Vec<Vec<u32>>; 2] = [vec![Vec::new(); 111], vec![Vec::new(); 111]];
        for _ in 0..n {
            let band = self.rng.weighted(&t.band_cum);
            let age = if band == 20 {
                100 + self.rng.pick(&[40.0, 25.0, 15.0, 10.0, 6.0, 4.0]) as u32
            } else {
                band as u32 * 5 + self.rng.below(5) as u32
            };
            let sex = if self.rng.chance(MALE_SHARE[band]) { Sex::Male } else { Sex::Female };
            // born in (start − (age+1) years, start − age years]
            let hi = years_before(self.start, age);
            let lo = years_before(self.start, age + 1);
            let birth = add_days(hi, -self.rng.between(0, days_between(lo, hi) - 1));
            let id = self.add_person(birth, sex);
            pool[usize::from(sex == Sex::Female)][age as usize].push(id);
        }
        let mut pool = Pool { b: pool };
        self.adult_twins(&mut pool);
        self.families_with_children(&mut pool);
        self.couples(&mut pool);
        for s in 0..2 {
            for age in 0..=110 {
                while let Some(id) = pool.b[s][age].pop() {
                    let sn = self.surname();
                    self.household(vec![id], sn, &[]);
                }
            }
        }
    }

    /// Adults who are twins, at the share of twin deliveries of their birth year: pairs of people of the
    /// same age in the pool get the same birth date (most then live apart; children's twins are made
    /// with their families).
    fn adult_twins(&mut self, pool: &mut Pool) {
        for age in 18..=110u32 {
            let a = age as usize;
            let count = pool.b[0][a].len() + pool.b[1][a].len();
            let Some(&first) = pool.b[0][a].first().or(pool.b[1][a].first()) else { continue };
            let q = data::twin_delivery_share(self.p[first as usize].birth);
            let pairs = self.rng.round(count as f64 * q / (1.0 + q));
            let mut made = Vec::new();
            for _ in 0..pairs {
                let Some(x) = pool.take(&mut self.rng, None, age, age, age) else { break };
                let sex = self.rng.chance(0.65).then(|| self.p[x as usize].sex);
                let Some(y) = pool.take(&mut self.rng, sex, age, age, age).or_else(|| {
                    // the other sex when this one has run out
                    pool.take(&mut self.rng, None, age, age, age)
                }) else {
                    made.push(x);
                    break;
                };
                self.make_twin(x, y);
                made.extend([x, y]);
            }
            // back into the pool, at the bottom so the next draws are not all twins
            for x in made {
                pool.b[usize::from(self.p[x as usize].sex == Sex::Female)][a].insert(0, x);
            }
        }
    }

    /// Takes a child aged `lo..=hi` (near `pref`) and, at the twin share of its birth year, its twin.
    fn take_child(&mut self, pool: &mut Pool, lo: u32, hi: u32, pref: u32) -> Vec<u32> {
        let Some(c) = pool.take(&mut self.rng, None, lo, hi, pref) else { return Vec::new() };
        let mut out = vec![c];
        if self.rng.chance(data::twin_delivery_share(self.p[c as usize].birth)) {
            let age = self.p[c as usize].age_on(self.start);
            let sex = self.rng.chance(0.65).then(|| self.p[c as usize].sex);
            if let Some(tw) = pool.take(&mut self.rng, sex, age, age, age) {
                self.make_twin(c, tw);
                out.push(tw);
            }
        }
        out
    }

    /// Makes a household of `members` with the family surname `sn` (members listed in `other`
    /// keep their own surname, drawn fresh).
    fn household(&mut self, members: Vec<u32>, sn: (String, String), other: &[u32]) -> u32 {
        let addr = Addr::random(&mut self.rng);
        let hid = self.h.len() as u32;
        let other_sn = (!other.is_empty()).then(|| self.surname());
        for &m in &members {
            let p = &mut self.p[m as usize];
            p.hh = hid;
            if other.contains(&m) {
                if let Some(o) = &other_sn {
                    p.surname.clone_from(&o.0);
                    p.surname_kana.clone_from(&o.1);
                }
            } else {
                p.surname.clone_from(&sn.0);
                p.surname_kana.clone_from(&sn.1);
            }
        }
        self.h.push(Household { members, addr, welfare: false, nhi: None });
        hid
    }

    fn families_with_children(&mut self, pool: &mut Pool) {
        loop {
            let counts: Vec<u64> = (0..18).map(|a| (pool.b[0][a].len() + pool.b[1][a].len()) as u64).collect();
            let cum = crate::rng::cum(&counts);
            if cum.last().copied().unwrap_or(0) == 0 {
                break;
            }
            let a = self.rng.weighted(&cum) as u32;
            let mut children = self.take_child(pool, a, a, a);
            if children.is_empty() {
                break;
            }
            let m_pref = a + (31.0 + 4.5 * self.rng.normal()).round().clamp(18.0, 45.0) as u32;
            let mother = pool.take(&mut self.rng, Some(Sex::Female), a + 18, a + 45, m_pref);
            let m_age = mother.map_or(a + 31, |m| self.p[m as usize].age_on(self.start));
            let father = if mother.is_none() || self.rng.chance(0.88) {
                pool.take(&mut self.rng, Some(Sex::Male), m_age.saturating_sub(3).max(a + 18), m_age + 12, m_age + 2)
            } else {
                None
            };
            let guardian = if mother.is_none() && father.is_none() {
                pool.take(&mut self.rng, None, a + 18, 110, a + 35)
            } else {
                None
            };
            let mut members: Vec<u32> = [father, mother, guardian].into_iter().flatten().collect();
            let extra = self.rng.pick(&[0.42, 0.40, 0.14, 0.04]);
            let max_child = m_age.saturating_sub(18).min(29);
            for _ in 0..extra {
                let lo = a.saturating_sub(7);
                let hi = (a + 7).min(max_child);
                let pref = if self.rng.chance(0.5) { a + 3 } else { a.saturating_sub(3) };
                let more = self.take_child(pool, lo, hi, pref);
                children.extend(more);
            }
            for &c in &children {
                let cp = &mut self.p[c as usize];
                cp.parents = [mother, father.or(guardian)];
                cp.is_child = true;
            }
            if let (Some(m), Some(f)) = (mother, father) {
                self.p[m as usize].spouse = Some(f);
                self.p[f as usize].spouse = Some(m);
            }
            members.extend(&children);
            // three generations: the parents of the father (same surname) or of the mother
            let mut other = Vec::new();
            if self.rng.chance(0.12) {
                let gm = pool.take(&mut self.rng, Some(Sex::Female), m_age + 20, m_age + 42, m_age + 29);
                if let Some(gm) = gm {
                    let gm_age = self.p[gm as usize].age_on(self.start);
                    let gf = if self.rng.chance(0.5) {
                        pool.take(&mut self.rng, Some(Sex::Male), gm_age.saturating_sub(2), gm_age + 8, gm_age + 3)
                    } else {
                        None
                    };
                    if let Some(gf) = gf {
                        self.p[gm as usize].spouse = Some(gf);
                        self.p[gf as usize].spouse = Some(gm);
                    }
                    let olds: Vec<u32> = [Some(gm), gf].into_iter().flatten().collect();
                    if father.is_none() || self.rng.chance(0.4) {
                        other.extend(&olds);
                    }
                    for &o in &olds {
                        self.p[o as usize].is_child = false;
                    }
                    // the middle generation are their children
                    if let Some(parent) = if other.is_empty() { father } else { mother } {
                        self.p[parent as usize].parents = [Some(gm), gf];
                    }
                    members.extend(olds);
                }
            }
            let sn = self.surname();
            self.household(members, sn, &other);
        }
    }

    fn make_twin(&mut self, a: u32, b: u32) {
        let birth = self.p[a as usize].birth;
        self.p[b as usize].birth = birth;
        self.p[a as usize].twin = Some(b);
        self.p[b as usize].twin = Some(a);
        self.distinct_given_names(a, b);
    }

    /// Twins never share a given name, in writing or in reading: a registrar refuses a child's name
    /// that a living member of the same family register already has (戸籍法 第50条, 戸籍実務), and
    /// twins with the same basic four could not be told apart by anyone. Re-draws `b`'s given name
    /// (the random stream moves only when the names collide).
    fn distinct_given_names(&mut self, a: u32, b: u32) {
        for _ in 0..64 {
            let (pa, pb) = (&self.p[a as usize], &self.p[b as usize]);
            if pa.given != pb.given && pa.given_kana != pb.given_kana {
                return;
            }
            let (given, kana) = self.given(pb.sex);
            let pb = &mut self.p[b as usize];
            pb.given = given;
            pb.given_kana = kana;
        }
    }

    fn couples(&mut self, pool: &mut Pool) {
        for age in (18..=110u32).rev() {
            let married = match age {
                18..=24 => 0.03,
                25..=29 => 0.2,
                30..=39 => 0.3,
                40..=49 => 0.35,
                50..=59 => 0.55,
                60..=69 => 0.7,
                70..=79 => 0.72,
                80..=89 => 0.55,
                _ => 0.3,
            };
            let men = std::mem::take(&mut pool.b[0][age as usize]);
            let mut single = Vec::new();
            for m in men {
                if !self.rng.chance(married) {
                    single.push(m);
                    continue;
                }
                let Some(w) = pool.take(
                    &mut self.rng,
                    Some(Sex::Female),
                    age.saturating_sub(12).max(18),
                    age + 3,
                    age.saturating_sub(2),
                ) else {
                    single.push(m);
                    continue;
                };
                self.p[m as usize].spouse = Some(w);
                self.p[w as usize].spouse = Some(m);
                let mut members = vec![m, w];
                let w_age = self.p[w as usize].age_on(self.start);
                let child_p = match age {
                    45..=54 => 0.35,
                    55..=64 => 0.3,
                    65..=79 => 0.2,
                    _ => 0.0,
                };
                if self.rng.chance(child_p) && w_age >= 38 {
                    let lo = w_age.saturating_sub(40).max(18);
                    let hi = (w_age - 20).min(40);
                    if lo <= hi {
                        if let Some(c) = pool.take(&mut self.rng, None, lo, hi, (lo + hi) / 2) {
                            let cp = &mut self.p[c as usize];
                            cp.parents = [Some(w), Some(m)];
                            cp.is_child = true;
                            members.push(c);
                        }
                    }
                }
                let sn = self.surname();
                self.household(members, sn, &[]);
            }
            pool.b[0][age as usize] = single;
        }
    }

    /// Same-name, same-birth-date strangers: a person living alone takes the name, sex and
    /// birth date of someone in another household.
    fn doppelgangers(&mut self) {
        let pairs = self.rng.round(self.ctx.cfg.error_rates.doppelganger * self.p.len() as f64 / 2.0);
        // b lives alone and has no twin, so taking another's birth date breaks no family; a is an adult,
        // so b (who lives alone) stays one
        let alone: Vec<u32> = self
            .h
            .iter()
            .filter(|h| h.members.len() == 1 && self.p[h.members[0] as usize].twin.is_none())
            .map(|h| h.members[0])
            .collect();
        for _ in 0..pairs {
            if alone.len() < 2 {
                break;
            }
            let a = self.rng.below(self.p.len()) as u32;
            let b = alone[self.rng.below(alone.len())];
            if a == b || self.p[a as usize].hh == self.p[b as usize].hh || self.p[a as usize].age_on(self.start) < 20 {
                continue;
            }
            let (sn, sk, gv, gk, birth, sex) = {
                let pa = &self.p[a as usize];
                (pa.surname.clone(), pa.surname_kana.clone(), pa.given.clone(), pa.given_kana, pa.birth, pa.sex)
            };
            let pb = &mut self.p[b as usize];
            pb.surname = sn;
            pb.surname_kana = sk;
            pb.given = gv;
            pb.given_kana = gk;
            pb.birth = birth;
            pb.sex = sex;
        }
        for (i, p) in self.p.iter().enumerate() {
            self.names.entry(p.name()).or_default().push(i as u32);
        }
    }

    // --------------------------------------------------------------- insurance

    fn employee_probability(age: u32, sex: Sex, student: bool) -> f64 {
        let (m, f) = match age {
            0..=17 => (0.0, 0.0),
            18..=19 => (0.15, 0.12),
            20..=24 => (0.6, 0.6),
            25..=29 => (0.82, 0.72),
            30..=59 => (0.85, 0.52),
            60..=64 => (0.65, 0.35),
            65..=69 => (0.35, 0.18),
            70..=74 => (0.15, 0.07),
            _ => (0.0, 0.0),
        };
        let p = if sex == Sex::Male { m } else { f };
        if student { p * 0.3 } else { p }
    }

    /// An employer: its insurer (協会けんぽ 54%, 健保組合 36%, 共済 10% of the insured) and the
    /// office symbol.
    fn employer(&mut self, pref: u8) -> (u16, Option<String>) {
        let ins = self.ctx.ins;
        let p = usize::from(pref) - 1;
        match self.rng.pick(&[54.0, 36.0, 10.0]) {
            0 => (ins.kyokai[p], Some(format!("{:08}", self.rng.between(1, 99_999_999)))),
            1 => {
                let i = ins.society[self.rng.weighted(&ins.society_cum)];
                (i, Some(format!("{}", self.rng.between(1, 9_999))))
            }
            _ => {
                let (ids, cum) = &ins.mutual[p];
                let i = ids[self.rng.weighted(cum)];
                (i, Some(format!("{:02}", self.rng.between(1, 99))))
            }
        }
    }

    fn next_number(&mut self) -> String {
        self.number_seq += 1;
        format!("{}", (self.index + 1) * 1_000_000 + self.number_seq)
    }

    /// The copay ratio the law gives on `d` (what an insurer types).
    fn law_copay(&self, person: u32, insurer: u16, d: Date) -> CopayRatio {
        let p = &self.p[person as usize];
        let scheme = self.ins_kind(insurer).scheme();
        let bracket = (p.age_on(d) >= 70 || scheme == Scheme::LateStageElderly).then(|| p.bracket_on(d));
        copay(p.birth, d, scheme, bracket).ratio().unwrap_or(CopayRatio::THIRTY)
    }

    /// Creates a record (the insurer's data rendered without error; errors come later).
    fn new_record(
        &mut self,
        person: u32,
        slot: Slot,
        rel: Relationship,
        insured: Option<u32>,
        acquired_on: Date,
    ) -> u32 {
        let Slot { insurer, symbol, number, branch } = slot;
        let idx = self.r.len() as u32;
        let id = RecordId(self.index * 10_000_000 + u64::from(idx));
        let key = MemberKey {
            insurer_number: self.ctx.ins.list[usize::from(insurer)].number,
            symbol: symbol.and_then(|s| Symbol::parse(&s).ok()),
            number: InsuredNumber::parse(&number).unwrap_or_else(|_| unreachable_number()),
            branch: Branch::from_u8(branch.min(99)).unwrap_or_else(unreachable_branch),
        };
        let copay_d = if acquired_on < self.start { self.start } else { acquired_on };
        let copay_ratio = self.law_copay(person, insurer, copay_d);
        let p = &self.p[person as usize];
        let scheme = self.ins_kind(insurer).scheme();
        let bracket = (p.age_on(copay_d) >= 70 || scheme == Scheme::LateStageElderly).then(|| p.bracket_on(copay_d));
        let addr = self.h[p.hh as usize].addr.render(0);
        self.r.push(Rec {
            id,
            person,
            insurer,
            key,
            rel,
            insured,
            deps: Vec::new(),
            next_branch: 1,
            acquired_on,
            acq_reported: acquired_on,
            lost_on: None,
            my_number: Some(p.my_number),
            name: p.name(),
            kana: p.kana(),
            birth: p.birth,
            address: addr,
            error: None,
            name_style: 0,
            addr_style: 0,
            copay: copay_ratio,
            bracket,
        });
        let pm = &mut self.p[person as usize];
        pm.records.push(idx);
        pm.cover = Some(idx);
        idx
    }

    /// Enrols `person` as the insured of a new employee record.
    fn enrol_employee(&mut self, person: u32, job: (u16, Option<String>), on: Date) -> u32 {
        let number = self.next_number();
        self.p[person as usize].job = Some(job.clone());
        let slot = Slot { insurer: job.0, symbol: job.1, number, branch: 0 };
        self.new_record(person, slot, Relationship::Insured, None, on)
    }

    /// Enrols `person` as a dependent of the insured record `of`.
    fn enrol_dependent(&mut self, person: u32, of: u32, on: Date) -> u32 {
        let branch = self.r[of as usize].next_branch;
        self.r[of as usize].next_branch = branch.saturating_add(1);
        let (ins, sym, num) = {
            let r = &self.r[of as usize];
            (r.insurer, r.key.symbol.as_ref().map(|s| s.as_str().to_owned()), r.key.number.as_str().to_owned())
        };
        let slot = Slot { insurer: ins, symbol: sym, number: num, branch };
        let rec = self.new_record(person, slot, Relationship::Dependent, Some(of), on);
        self.r[of as usize].deps.push(rec);
        rec
    }

    /// Enrols `person` in the 国保 of their household's municipality (or its 国保組合).
    fn enrol_national(&mut self, person: u32, on: Date, assoc: bool) -> u32 {
        let hh = self.p[person as usize].hh as usize;
        let muni = self.h[hh].addr.muni as usize;
        let pref = self.h[hh].addr.pref();
        let insurer = match &self.h[hh].nhi {
            Some((i, _, _)) => *i,
            None if assoc => {
                let v = &self.ctx.ins.nhi_assoc[usize::from(pref) - 1];
                v[self.rng.below(v.len())]
            }
            None => self.ctx.ins.nhi_of_muni[muni],
        };
        if self.h[hh].nhi.is_none() {
            let number = self.next_number();
            self.h[hh].nhi = Some((insurer, number, 1));
        }
        let (num, branch) = match &mut self.h[hh].nhi {
            Some((_, n, b)) => {
                let br = *b;
                *b = b.saturating_add(1);
                (n.clone(), br)
            }
            None => (String::new(), 1),
        };
        let symbol = Some(format!("{:02}", 1 + (muni % 99)));
        self.new_record(person, Slot { insurer, symbol, number: num, branch }, Relationship::Insured, None, on)
    }

    /// Enrols `person` in their prefecture's 後期高齢者医療.
    fn enrol_late(&mut self, person: u32, on: Date) -> u32 {
        let hh = self.p[person as usize].hh as usize;
        let pref = self.h[hh].addr.pref();
        let insurer = self.ctx.ins.late[usize::from(pref) - 1];
        self.number_seq += 1;
        let number = format!("{:08}", self.index * 1_000_000 + self.number_seq);
        self.new_record(person, Slot { insurer, symbol: None, number, branch: 0 }, Relationship::Insured, None, on)
    }

    fn insurance_at_start(&mut self) {
        let start = self.start;
        let system_start = Date::from_ymd_opt(2008, 4, 1).unwrap_or(Date::MIN);
        for hid in 0..self.h.len() {
            self.h[hid].welfare = self.rng.chance(0.016);
            let members = self.h[hid].members.clone();
            if self.h[hid].welfare {
                continue;
            }
            let pref = self.h[hid].addr.pref();
            // income brackets of the 70+
            for &m in &members {
                let age = self.p[m as usize].age_on(start);
                if age >= 75 {
                    self.p[m as usize].bracket =
                        [IncomeBracket::General, IncomeBracket::General2, IncomeBracket::ActiveEquivalent]
                            [self.rng.pick(&[73.0, 20.0, 7.0])];
                } else if age >= 65 && self.rng.chance(0.10) {
                    self.p[m as usize].bracket = IncomeBracket::ActiveEquivalent;
                }
            }
            // employment
            let mut insured: BTreeMap<u32, u32> = BTreeMap::new();
            for &m in &members {
                let (age, sex, student) = {
                    let p = &self.p[m as usize];
                    let age = p.age_on(start);
                    (age, p.sex, p.is_child && (18..=22).contains(&age))
                };
                if age >= 75 || !self.rng.chance(Self::employee_probability(age, sex, student)) {
                    continue;
                }
                let job = self.employer(pref);
                let tenure_max = i64::from(age.saturating_sub(18)) * 365 + 1;
                let tenure = ((-(1.0 - self.rng.f()).ln() * 8.0 * 365.0) as i64).clamp(1, tenure_max);
                let r = self.enrol_employee(m, job, add_days(start, -tenure));
                insured.insert(m, r);
            }
            // dependents, 国保, 後期
            let assoc = self.rng.chance(0.1);
            let nhi_since = add_days(start, -self.rng.between(1, 15 * 365));
            for &m in &members {
                if insured.contains_key(&m) {
                    continue;
                }
                let (age, birth, spouse, parents) = {
                    let p = &self.p[m as usize];
                    (p.age_on(start), p.birth, p.spouse, p.parents)
                };
                if age >= 75 {
                    let since = late_stage_from(birth).max(system_start);
                    self.enrol_late(m, since);
                    continue;
                }
                let ins_of = |x: Option<u32>| x.and_then(|x| insured.get(&x).copied());
                let child = self.p[m as usize].is_child;
                let sponsor = if child {
                    ins_of(parents[1]).or(ins_of(parents[0]))
                } else {
                    ins_of(spouse).or_else(|| {
                        // an elderly parent living with an employed child
                        if age >= 60 && self.rng.chance(0.5) {
                            members
                                .iter()
                                .find(|&&c| self.p[c as usize].parents.contains(&Some(m)))
                                .and_then(|&c| insured.get(&c).copied())
                        } else {
                            None
                        }
                    })
                };
                match sponsor {
                    Some(of) => {
                        let since = self.r[of as usize].acquired_on.max(birth);
                        self.enrol_dependent(m, of, since);
                    }
                    _ => {
                        self.enrol_national(m, nhi_since.max(birth), assoc);
                    }
                }
            }
        }
        for p in self.p.iter_mut() {
            p.insurer_at_start = None;
        }
        for i in 0..self.p.len() {
            let ins = self.p[i].cover.map(|r| self.r[r as usize].insurer);
            self.p[i].insurer_at_start = ins;
        }
    }

    // ------------------------------------------------------------------ errors

    fn eligible(&self, kind: ErrorKind, rec: u32) -> bool {
        let r = &self.r[rec as usize];
        let p = &self.p[r.person as usize];
        match kind {
            // a twin's number reaches the record through the family's papers: twins who live apart are
            // not swapped
            ErrorKind::TwinSwap => p.twin.is_some_and(|t| self.p[t as usize].alive && self.p[t as usize].hh == p.hh),
            ErrorKind::FamilySwap => self.h[p.hh as usize].members.len() > 1,
            ErrorKind::SameNameStranger => self.names.get(&p.name()).is_some_and(|v| v.len() > 1),
            ErrorKind::MissingMyNumber => is_employee(self.ins_kind(r.insurer)),
            ErrorKind::KanjiTypo => {
                let t = tables();
                let alt_surname =
                    t.surnames.iter().position(|s| s.kanji == p.surname).is_some_and(|i| !t.same_reading[i].is_empty());
                alt_surname || given_alternatives(p.sex, p.given_kana, &p.given).is_some()
            }
            ErrorKind::StaleName => p.spouse.is_some() && p.sex == Sex::Female,
            ErrorKind::KanaTypo => true,
            _ => true,
        }
    }

    fn errors_at_start(&mut self) {
        let rates = &self.ctx.cfg.error_rates;
        let want = [
            rates.twin_swap,
            rates.family_swap,
            rates.same_name_stranger,
            rates.missing_my_number_employee,
            rates.birth_date_typo,
            rates.wrong_copay,
            rates.kana_typo,
            rates.kanji_typo,
            rates.stale_name,
            rates.moved,
        ];
        let n = self.r.len().max(1) as f64;
        for (k, kind) in EXCLUSIVE.iter().enumerate() {
            if *kind == ErrorKind::MissingMyNumber {
                self.p_err[k] = want[k];
                continue;
            }
            let eligible = (0..self.r.len() as u32).filter(|&r| self.eligible(*kind, r)).count() as f64;
            self.p_err[k] = if eligible == 0.0 { 0.0 } else { (want[k] * n / eligible).min(1.0) };
        }
        for rec in 0..self.r.len() as u32 {
            self.inject(rec);
        }
    }

    /// Draws the record's error (at most one) and renders what the insurer holds.
    fn inject(&mut self, rec: u32) {
        let rates = self.ctx.cfg.error_rates.clone();
        let employee = is_employee(self.ins_kind(self.r[rec as usize].insurer));
        let mut chosen = None;
        for (k, kind) in EXCLUSIVE.iter().enumerate() {
            if self.rng.chance(self.p_err[k]) && self.eligible(*kind, rec) && self.apply(*kind, rec) {
                chosen = Some(*kind);
                break;
            }
        }
        if chosen.is_none() {
            let name = self.r[rec as usize].name.clone();
            if let Some((std, non_jis)) = text::standardised(&name) {
                let p = if non_jis { rates.variant_non_jis } else { rates.variant_jis };
                if self.rng.chance(p) {
                    self.r[rec as usize].name = std;
                    chosen = Some(ErrorKind::Variant);
                }
            }
        }
        let (pa, pn) = if employee {
            (rates.address_notation_employee, rates.name_notation_employee)
        } else {
            (rates.address_notation_public, rates.name_notation_public)
        };
        if chosen.is_none() && self.rng.chance(pa) {
            let style = 1 + self.rng.below(4) as u8;
            let r = &mut self.r[rec as usize];
            r.addr_style = style;
            let person = r.person;
            let addr = self.h[self.p[person as usize].hh as usize].addr;
            self.r[rec as usize].address = addr.render(style);
            chosen = Some(ErrorKind::AddressNotation);
        }
        if chosen.is_none() && self.rng.chance(pn) {
            let style = 1 + self.rng.below(3) as u8;
            let r = &mut self.r[rec as usize];
            r.name_style = style;
            if style < 3 {
                r.name = text::name_in(&r.name, style);
            }
            r.kana = text::kana_in(&r.kana, style);
            chosen = Some(ErrorKind::NameNotation);
        }
        self.r[rec as usize].error = chosen;
    }

    /// Applies an exclusive error to the held data; false when it cannot be.
    fn apply(&mut self, kind: ErrorKind, rec: u32) -> bool {
        let person = self.r[rec as usize].person;
        let hh = self.p[person as usize].hh as usize;
        match kind {
            ErrorKind::TwinSwap => {
                let Some(t) = self.p[person as usize].twin else { return false };
                self.r[rec as usize].my_number = Some(self.p[t as usize].my_number);
            }
            ErrorKind::FamilySwap => {
                let others: Vec<u32> = self.h[hh].members.iter().copied().filter(|&m| m != person).collect();
                if others.is_empty() {
                    return false;
                }
                let o = others[self.rng.below(others.len())];
                self.r[rec as usize].my_number = Some(self.p[o as usize].my_number);
            }
            ErrorKind::SameNameStranger => {
                let me = &self.p[person as usize];
                let Some(v) = self.names.get(&me.name()) else { return false };
                let same_birth: Vec<u32> =
                    v.iter().copied().filter(|&o| o != person && self.p[o as usize].birth == me.birth).collect();
                let any: Vec<u32> = v.iter().copied().filter(|&o| o != person).collect();
                let pickf = if same_birth.is_empty() { &any } else { &same_birth };
                if pickf.is_empty() {
                    return false;
                }
                let o = pickf[self.rng.below(pickf.len())];
                self.r[rec as usize].my_number = Some(self.p[o as usize].my_number);
            }
            ErrorKind::MissingMyNumber => self.r[rec as usize].my_number = None,
            ErrorKind::BirthDateTypo => {
                let b = self.r[rec as usize].birth;
                let nb = match self.rng.below(3) {
                    0 => add_days(b, if self.rng.chance(0.5) { 1 } else { -1 }),
                    1 => years_before(b, 1),
                    _ => {
                        use chrono::Datelike;
                        Date::from_ymd_opt(b.year(), b.day(), b.month())
                            .filter(|&d| d != b)
                            .unwrap_or_else(|| add_days(b, 10))
                    }
                };
                self.r[rec as usize].birth = nb;
            }
            ErrorKind::WrongCopay => {
                let c = self.r[rec as usize].copay;
                self.r[rec as usize].copay =
                    if c == CopayRatio::THIRTY { CopayRatio::TWENTY } else { CopayRatio::THIRTY };
            }
            ErrorKind::KanaTypo => {
                let kana = self.r[rec as usize].kana.clone();
                match text::kana_typo(&mut self.rng, &kana) {
                    Some(k) => self.r[rec as usize].kana = k,
                    None => return false,
                }
            }
            ErrorKind::KanjiTypo => {
                let t = tables();
                let p = &self.p[person as usize];
                let alt_surname = t
                    .surnames
                    .iter()
                    .position(|s| s.kanji == p.surname)
                    .map(|i| &t.same_reading[i])
                    .filter(|v| !v.is_empty());
                let alt_given = given_alternatives(p.sex, p.given_kana, &p.given);
                let (surname, given) = (p.surname.clone(), p.given.clone());
                let name = match (alt_surname, alt_given) {
                    (Some(v), _) if self.rng.chance(0.5) => {
                        format!("{} {}", t.surnames[v[self.rng.below(v.len())] as usize].kanji, given)
                    }
                    (_, Some(g)) => format!("{} {}", surname, g[self.rng.below(g.len())]),
                    (Some(v), None) => format!("{} {}", t.surnames[v[self.rng.below(v.len())] as usize].kanji, given),
                    (None, None) => return false,
                };
                self.r[rec as usize].name = name;
            }
            ErrorKind::StaleName => {
                let (sn, sk) = self.surname();
                let p = &self.p[person as usize];
                if sn == p.surname {
                    return false;
                }
                self.r[rec as usize].name = format!("{} {}", sn, p.given);
                self.r[rec as usize].kana = format!("{} {}", sk, p.given_kana);
            }
            ErrorKind::Moved => {
                let cur = self.h[hh].addr;
                let old = if self.rng.chance(0.7) {
                    Addr::random_in(&mut self.rng, cur.muni)
                } else {
                    Addr::random(&mut self.rng)
                };
                if old == cur {
                    return false;
                }
                self.r[rec as usize].address = old.render(0);
            }
            _ => return false,
        }
        true
    }

    // ------------------------------------------------------- rows at the start

    fn resident(&self, person: u32) -> Resident {
        let p = &self.p[person as usize];
        Resident {
            my_number: p.my_number,
            name: p.name(),
            name_kana: p.kana(),
            birth_date: p.birth,
            sex: p.sex,
            address: self.h[p.hh as usize].addr.render(0),
        }
    }

    fn member_row(&self, rec: u32, reported_on: Date) -> Member {
        let r = &self.r[rec as usize];
        Member {
            record_id: r.id,
            key: r.key.clone(),
            relationship: r.rel,
            insured_record_id: r.insured.map(|i| self.r[i as usize].id),
            my_number: r.my_number,
            name: r.name.clone(),
            name_kana: r.kana.clone(),
            birth_date: r.birth,
            sex: self.p[r.person as usize].sex,
            address: r.address.clone(),
            acquired_on: r.acquired_on,
            income_bracket: r.bracket,
            copay_ratio: r.copay,
            reported_on,
        }
    }

    fn registry_and_members_at_start(&mut self) {
        for i in 0..self.p.len() as u32 {
            let res = self.resident(i);
            let p = &mut self.p[i as usize];
            p.start_name.clone_from(&res.name);
            p.start_surname.clone_from(&p.surname);
            p.start_household = self.index * 10_000_000 + u64::from(p.hh);
            self.out.registry_start.push(res);
        }
        // insured records come before their dependents (new_record order), so a dependent's report can be
        // kept on or after its insured's: an insurer cannot record a dependent of a member it has not
        // recorded. Every record of the start is recorded before the first day: one that begins after it
        // (a 75th birthday on the period's second day) was recorded ahead, as the 広域連合 does
        let day_before = add_days(self.start, -1);
        for rec in 0..self.r.len() as u32 {
            let acquired = self.r[rec as usize].acquired_on;
            let mut reported = self.report_date(rec, acquired).min(day_before);
            if acquired <= day_before {
                reported = reported.max(acquired);
            }
            if let Some(ins) = self.r[rec as usize].insured {
                reported = reported.max(self.r[ins as usize].acq_reported);
            }
            self.r[rec as usize].acq_reported = reported;
            let row = self.member_row(rec, reported);
            self.out.members.push(row);
        }
        self.out.households = self.h.len() as u64;
    }

    // -------------------------------------------------------------------- lags

    /// Days from the legal date to the insurer's own record (the notification lag), drawn from `from`.
    fn notification_days(&mut self, rec: u32, from: Date) -> i64 {
        let m = self.ctx.cfg.lags.notification(self.ins_kind(self.r[rec as usize].insurer));
        let (z, u) = (self.rng.normal(), self.rng.f());
        m.days_from(from, z, u)
    }

    /// The day the insurer records an action on `rec` that takes effect on `effective`.
    fn report_date(&mut self, rec: u32, effective: Date) -> Date {
        add_days(effective, self.notification_days(rec, effective))
    }

    /// The day the insurer records a change it knows ahead (turning 70 or 75, 1 August): before the day
    /// for `ahead_share` of them, else after the notification lag.
    fn ahead_date(&mut self, rec: u32, effective: Date) -> Date {
        if self.rng.chance(self.ctx.cfg.lags.ahead_share) {
            add_days(effective, -self.rng.between(1, 14))
        } else {
            self.report_date(rec, effective)
        }
    }

    // ------------------------------------------------------------ the year

    fn emit(&mut self, at: Date, effective_on: Date, event_id: u64, cause: Cause, action: Action) {
        if at > self.end {
            return;
        }
        let at = at.max(self.start);
        self.out.events.push(Event { at, effective_on, reported_on: at, event_id, cause, action });
    }

    fn new_event_id(&mut self) -> u64 {
        self.event_seq += 1;
        (self.index << 32) | self.event_seq
    }

    /// Registers a new record: the insurer records the acquisition after the notification lag (or ahead,
    /// for changes it knows ahead), never before the registry knows the person (`not_before`) nor before
    /// the insured person of a dependent; the card is issued on that day.
    fn acquire(&mut self, rec: u32, eid: u64, cause: Cause, ahead: bool, not_before: Option<Date>) {
        self.inject(rec);
        let eff = self.r[rec as usize].acquired_on;
        let mut rep = if ahead { self.ahead_date(rec, eff) } else { self.report_date(rec, eff) };
        if let Some(d) = not_before {
            rep = rep.max(d);
        }
        self.record_acquisition(rec, eid, cause, rep);
    }

    /// Registers a dependent enrolled on its insured person's notice (the employer's 資格取得届 lists the
    /// dependents with the insured person): recorded on the day the insured person's acquisition is.
    fn acquire_with_insured(&mut self, rec: u32, eid: u64, cause: Cause) {
        self.inject(rec);
        let rep = match self.r[rec as usize].insured {
            Some(ins) => self.r[ins as usize].acq_reported,
            None => {
                let eff = self.r[rec as usize].acquired_on;
                self.report_date(rec, eff)
            }
        };
        self.record_acquisition(rec, eid, cause, rep);
    }

    /// Emits the acquisition of `rec` recorded on `rep` (kept on or after its insured person's).
    fn record_acquisition(&mut self, rec: u32, eid: u64, cause: Cause, mut rep: Date) {
        let eff = self.r[rec as usize].acquired_on;
        if let Some(ins) = self.r[rec as usize].insured {
            rep = rep.max(self.r[ins as usize].acq_reported);
        }
        self.r[rec as usize].acq_reported = rep;
        let row = self.member_row(rec, rep);
        self.emit(rep, eff, eid, cause, Action::Acquire(Box::new(row)));
    }

    /// Ends a record on `on` (the first day without coverage) and its dependents'.
    fn lose(&mut self, rec: u32, on: Date, reason: LossReason, eid: u64, cause: Cause) -> Vec<u32> {
        self.lose_on_notice(rec, on, reason, eid, cause, None)
    }

    /// [`Gen::lose`], the insurer recording it on `notice` when given (a dependent's loss travels on its
    /// insured person's 資格喪失届), else after the notification lag.
    fn lose_on_notice(
        &mut self,
        rec: u32,
        on: Date,
        reason: LossReason,
        eid: u64,
        cause: Cause,
        notice: Option<Date>,
    ) -> Vec<u32> {
        if self.r[rec as usize].lost_on.is_some() {
            return Vec::new();
        }
        // a record that ends before it begins (a death between two jobs) never covers anyone: lost on the
        // day it was to begin
        let on = on.max(self.r[rec as usize].acquired_on);
        self.r[rec as usize].lost_on = Some(on);
        let person = self.r[rec as usize].person;
        if self.p[person as usize].cover == Some(rec) {
            self.p[person as usize].cover = None;
        }
        // an insurer cannot record the loss of a record it has not recorded yet
        let rep = match notice {
            Some(d) => d,
            None => self.report_date(rec, on),
        };
        let rep = rep.max(self.r[rec as usize].acq_reported);
        let id = self.r[rec as usize].id;
        self.emit(rep, on, eid, cause, Action::Lose { record_id: id, reason });
        let deps: Vec<u32> =
            self.r[rec as usize].deps.iter().copied().filter(|&d| self.r[d as usize].lost_on.is_none()).collect();
        let mut out = Vec::new();
        for d in deps {
            self.lose_on_notice(d, on, LossReason::InsuredLost, eid, cause, Some(rep));
            out.push(self.r[d as usize].person);
        }
        out
    }

    fn change(&mut self, rec: u32, eff: Date, ch: MemberChange, eid: u64, cause: Cause, ahead: bool) {
        // a change before the record begins (a move between two jobs) applies from its acquisition
        let eff = eff.max(self.r[rec as usize].acquired_on);
        let rep = if ahead { self.ahead_date(rec, eff) } else { self.report_date(rec, eff) };
        let rep = rep.max(self.r[rec as usize].acq_reported);
        if rep <= self.end {
            let r = &mut self.r[rec as usize];
            if let Some(n) = &ch.name {
                r.name.clone_from(n);
            }
            if let Some(k) = &ch.name_kana {
                r.kana.clone_from(k);
            }
            if let Some(a) = &ch.address {
                r.address.clone_from(a);
            }
            if ch.income_bracket.is_some() {
                r.bracket = ch.income_bracket;
            }
            if let Some(c) = ch.copay_ratio {
                if r.error != Some(ErrorKind::WrongCopay) {
                    r.copay = c;
                }
            }
        }
        self.emit(rep, eff, eid, cause, Action::Change(Box::new(ch)));
    }

    fn live(&mut self) {
        let start = self.start;
        let end = self.end;
        let years = f64::from(self.ctx.cfg.days) / 365.0;
        let mut sched: Vec<(Date, u8, u32, u32)> = Vec::new(); // date, kind, subject, tiebreak
        let n = self.p.len();
        let ndays = i64::from(self.ctx.cfg.days);
        let day = |rng: &mut Rng| add_days(start, rng.between(0, ndays - 1));
        for i in 0..n as u32 {
            let p = &self.p[i as usize];
            let age = p.age_on(start);
            let q = 1.0 - (1.0 - DEATH_RATE[data::band_of(age)]).powf(years);
            if self.rng.chance(q) {
                let d = day(&mut self.rng);
                sched.push((d, EV_DEATH, i, 0));
            }
            let employee = p.cover.is_some_and(|r| {
                let r = &self.r[r as usize];
                r.rel == Relationship::Insured && is_employee(self.ins_kind(r.insurer))
            });
            if employee && age < 65 && self.rng.chance(1.0 - (0.95f64).powf(years)) {
                let d = day(&mut self.rng);
                sched.push((d, EV_JOB, i, 0));
            }
            let retire = match age {
                60 => 0.25,
                61..=64 => 0.10,
                65 => 0.30,
                66..=74 => 0.12,
                _ => 0.0,
            };
            if employee && self.rng.chance(1.0 - (1.0f64 - retire).powf(years)) {
                let d = day(&mut self.rng);
                sched.push((d, EV_RETIRE, i, 0));
            }
            let e70 = elderly_from(p.birth);
            if e70 >= start && e70 <= end {
                sched.push((e70, EV_70, i, 0));
            }
            let b75 = late_stage_from(p.birth);
            if b75 >= start && b75 <= end {
                sched.push((b75, EV_75, i, 0));
            }
        }
        // income re-determination every 1 August in the period
        {
            use chrono::Datelike;
            for y in start.year()..=end.year() {
                if let Some(aug) = Date::from_ymd_opt(y, 8, 1).filter(|d| *d >= start && *d <= end) {
                    sched.push((aug, EV_INCOME, 0, 0));
                }
            }
        }
        // births: crude birth rate 6.3‰ (2022: 770,759 births), by mother's age
        let births = self.rng.round(0.0063 * n as f64 * years);
        let asfr = |age: u32| match age {
            20..=24 => 2.0,
            25..=29 => 7.0,
            30..=34 => 9.5,
            35..=39 => 5.5,
            40..=44 => 1.2,
            _ => 0.0,
        };
        let mothers: Vec<u32> = (0..n as u32)
            .filter(|&i| {
                let p = &self.p[i as usize];
                p.sex == Sex::Female && p.spouse.is_some() && asfr(p.age_on(start)) > 0.0
            })
            .collect();
        let w: Vec<u64> = mothers.iter().map(|&m| (asfr(self.p[m as usize].age_on(start)) * 10.0) as u64).collect();
        let wc = crate::rng::cum(&w);
        for k in 0..births {
            if mothers.is_empty() {
                break;
            }
            let m = mothers[self.rng.weighted(&wc)];
            let d = day(&mut self.rng);
            sched.push((d, EV_BIRTH, m, k as u32));
        }
        // marriages: 4.1‰ (2022: 504,930 couples); moves: 5% of households a year
        let marriages = self.rng.round(0.0041 * n as f64 * years);
        for k in 0..marriages {
            let d = day(&mut self.rng);
            sched.push((d, EV_MARRY, 0, k as u32));
        }
        for hh in 0..self.h.len() as u32 {
            if self.rng.chance(1.0 - (0.95f64).powf(years)) {
                let d = day(&mut self.rng);
                sched.push((d, EV_MOVE, hh, 0));
            }
        }
        sched.sort_unstable();
        for (d, kind, subject, _) in sched {
            match kind {
                EV_DEATH => self.death(subject, d),
                EV_JOB => self.job_change(subject, d, false),
                EV_RETIRE => self.job_change(subject, d, true),
                EV_70 => self.turning_70(subject, d),
                EV_75 => self.turning_75(subject, d),
                EV_INCOME => self.income(d),
                EV_BIRTH => self.birth(subject, d),
                EV_MARRY => self.marriage(d),
                EV_MOVE => self.move_household(subject, d),
                _ => {}
            }
        }
    }

    fn death(&mut self, person: u32, d: Date) {
        if !self.p[person as usize].alive {
            return;
        }
        let eid = self.new_event_id();
        let p = &mut self.p[person as usize];
        p.alive = false;
        p.died_on = Some(d);
        let mn = p.my_number;
        if let Some(s) = p.spouse.take() {
            self.p[s as usize].spouse = None;
        }
        let rep = add_days(d, self.rng.between(0, 7));
        self.emit(rep, d, eid, Cause::Death, Action::ResidentRemove { my_number: mn });
        if let Some(rec) = self.p[person as usize].cover {
            let next = add_days(d, 1);
            let deps = self.lose(rec, next, LossReason::Death, eid, Cause::Death);
            for dp in deps {
                self.join_public(dp, next, eid, Cause::Death);
            }
        }
    }

    /// Enrols someone who lost their coverage in 国保 (or 後期 from 75).
    fn join_public(&mut self, person: u32, on: Date, eid: u64, cause: Cause) {
        if !self.p[person as usize].alive || self.h[self.p[person as usize].hh as usize].welfare {
            return;
        }
        let rec = if self.p[person as usize].age_on(on) >= 75 {
            self.enrol_late(person, on)
        } else {
            self.enrol_national(person, on, false)
        };
        self.acquire(rec, eid, cause, false, None);
    }

    fn job_change(&mut self, person: u32, d: Date, retire: bool) {
        let p = &self.p[person as usize];
        if !p.alive {
            return;
        }
        let Some(rec) = p.cover else { return };
        if self.r[rec as usize].rel != Relationship::Insured
            || !is_employee(self.ins_kind(self.r[rec as usize].insurer))
        {
            return;
        }
        if p.age_on(d) >= 75 {
            return;
        }
        let eid = self.new_event_id();
        let cause = if retire { Cause::Retirement } else { Cause::JobChange };
        let deps = self.lose(rec, d, LossReason::EmploymentEnded, eid, cause);
        self.p[person as usize].job = None;
        if retire {
            self.join_public(person, d, eid, cause);
            for dp in deps {
                self.join_public(dp, d, eid, cause);
            }
            return;
        }
        let gap = if self.rng.chance(0.3) { self.rng.between(1, 60) } else { 0 };
        let on = add_days(d, gap);
        let pref = self.h[self.p[person as usize].hh as usize].addr.pref();
        let job = self.employer(pref);
        let new = self.enrol_employee(person, job, on);
        self.acquire(new, eid, cause, false, None);
        for dp in deps {
            if self.p[dp as usize].alive {
                let r = self.enrol_dependent(dp, new, on);
                self.acquire_with_insured(r, eid, cause);
            }
        }
    }

    fn turning_70(&mut self, person: u32, d: Date) {
        let p = &self.p[person as usize];
        if !p.alive {
            return;
        }
        let Some(rec) = p.cover else { return };
        if self.ins_kind(self.r[rec as usize].insurer).scheme() == Scheme::LateStageElderly {
            return;
        }
        let bracket = p.bracket_on(d);
        let eid = self.new_event_id();
        let ratio = self.law_copay(person, self.r[rec as usize].insurer, d);
        let ch = MemberChange {
            record_id: self.r[rec as usize].id,
            name: None,
            name_kana: None,
            address: None,
            income_bracket: Some(bracket),
            copay_ratio: Some(ratio),
        };
        self.change(rec, d, ch, eid, Cause::Turning70, true);
    }

    fn turning_75(&mut self, person: u32, d: Date) {
        if !self.p[person as usize].alive || self.h[self.p[person as usize].hh as usize].welfare {
            return;
        }
        let eid = self.new_event_id();
        let mut deps = Vec::new();
        if let Some(rec) = self.p[person as usize].cover {
            if self.ins_kind(self.r[rec as usize].insurer).scheme() == Scheme::LateStageElderly {
                return;
            }
            deps = self.lose(rec, d, LossReason::AgedOut, eid, Cause::Turning75);
        }
        if self.p[person as usize].bracket_on(d) == IncomeBracket::General && self.rng.chance(0.2) {
            self.p[person as usize].bracket_changes.push((d, IncomeBracket::General2));
        }
        // the 広域連合 knows the birthday and issues the card ahead
        let r = self.enrol_late(person, d);
        self.acquire(r, eid, Cause::Turning75, true, None);
        for dp in deps {
            self.join_public(dp, d, eid, Cause::Turning75);
        }
    }

    fn income(&mut self, d: Date) {
        for person in 0..self.p.len() as u32 {
            let p = &self.p[person as usize];
            // the 70-year-olds whose 高齢受給者 determination falls on this very day were just determined
            if !p.alive || p.age_on(d) < 70 || elderly_from(p.birth) == d {
                continue;
            }
            let Some(rec) = p.cover else { continue };
            if !self.rng.chance(0.05) {
                continue;
            }
            let late = self.ins_kind(self.r[rec as usize].insurer).scheme() == Scheme::LateStageElderly;
            let cur = p.bracket_on(d);
            let options: &[IncomeBracket] = if late {
                &[IncomeBracket::General, IncomeBracket::General2, IncomeBracket::ActiveEquivalent]
            } else {
                &[IncomeBracket::General, IncomeBracket::ActiveEquivalent]
            };
            let others: Vec<IncomeBracket> = options.iter().copied().filter(|&b| b != cur).collect();
            let nb = others[self.rng.below(others.len())];
            self.p[person as usize].bracket_changes.push((d, nb));
            let eid = self.new_event_id();
            let ratio = self.law_copay(person, self.r[rec as usize].insurer, d);
            let ch = MemberChange {
                record_id: self.r[rec as usize].id,
                name: None,
                name_kana: None,
                address: None,
                income_bracket: Some(nb),
                copay_ratio: Some(ratio),
            };
            self.change(rec, d, ch, eid, Cause::IncomeRedetermination, true);
        }
    }

    fn birth(&mut self, mother: u32, d: Date) {
        let m = &self.p[mother as usize];
        if !m.alive {
            return;
        }
        let father = m.spouse.filter(|&f| self.p[f as usize].alive);
        let hh = m.hh;
        let (sn, sk) = (m.surname.clone(), m.surname_kana.clone());
        let twins = self.rng.chance(data::twin_delivery_share(d));
        let eid = self.new_event_id();
        let mut babies = Vec::new();
        for _ in 0..if twins { 2 } else { 1 } {
            let sex = if self.rng.chance(0.512) { Sex::Male } else { Sex::Female };
            let b = self.add_person(d, sex);
            let bp = &mut self.p[b as usize];
            bp.surname.clone_from(&sn);
            bp.surname_kana.clone_from(&sk);
            bp.hh = hh;
            bp.born_in_period = true;
            bp.is_child = true;
            bp.parents = [Some(mother), father];
            bp.start_household = self.index * 10_000_000 + u64::from(hh);
            bp.start_name = bp.name();
            bp.start_surname = sn.clone();
            self.h[hh as usize].members.push(b);
            babies.push(b);
        }
        if let [a, b] = babies[..] {
            self.p[a as usize].twin = Some(b);
            self.p[b as usize].twin = Some(a);
            self.distinct_given_names(a, b);
            let bp = &mut self.p[b as usize];
            bp.start_name = bp.name();
        }
        for &b in &babies {
            let name = self.p[b as usize].name();
            self.names.entry(name).or_default().push(b);
            // 出生届 within 14 days (戸籍法 第49条); the insurer can record the child only once the registry
            // has given it a My Number
            let res = self.resident(b);
            let registered = add_days(d, self.rng.between(0, 14));
            self.emit(registered, d, eid, Cause::Birth, Action::ResidentAdd(res));
            if self.h[hh as usize].welfare {
                continue;
            }
            let sponsor = [father, Some(mother)].into_iter().flatten().find_map(|x| {
                self.p[x as usize].cover.filter(|&r| {
                    let r = &self.r[r as usize];
                    r.rel == Relationship::Insured && is_employee(self.ins_kind(r.insurer))
                })
            });
            let rec = match sponsor {
                Some(of) => self.enrol_dependent(b, of, d),
                None => self.enrol_national(b, d, false),
            };
            self.acquire(rec, eid, Cause::Birth, false, Some(registered));
        }
    }

    fn marriage(&mut self, d: Date) {
        // a bride 20–44 and a groom of about her age, both unmarried and not parents at home
        let mut parent_at_home = vec![false; self.p.len()];
        for c in &self.p {
            if c.alive {
                for q in c.parents.iter().flatten() {
                    if self.p[*q as usize].hh == c.hh {
                        parent_at_home[*q as usize] = true;
                    }
                }
            }
        }
        let free = |g: &Gen, i: u32, sex: Sex, lo: u32, hi: u32| {
            let p = &g.p[i as usize];
            let age = p.age_on(d);
            p.alive && p.sex == sex && p.spouse.is_none() && (lo..=hi).contains(&age) && !parent_at_home[i as usize]
        };
        let n = self.p.len();
        let Some(bride) = (0..8).find_map(|_| {
            let i = self.rng.below(n) as u32;
            free(self, i, Sex::Female, 20, 44).then_some(i)
        }) else {
            return;
        };
        let b_age = self.p[bride as usize].age_on(d);
        let Some(groom) = (0..400).find_map(|_| {
            let i = self.rng.below(n) as u32;
            (free(self, i, Sex::Male, b_age.saturating_sub(3).max(20), b_age + 8)
                && self.p[i as usize].hh != self.p[bride as usize].hh)
                .then_some(i)
        }) else {
            return;
        };
        let eid = self.new_event_id();
        let (renamed, keeper) = if self.rng.chance(0.947) { (bride, groom) } else { (groom, bride) };
        let (sn, sk) = {
            let k = &self.p[keeper as usize];
            (k.surname.clone(), k.surname_kana.clone())
        };
        self.p[renamed as usize].surname = sn;
        self.p[renamed as usize].surname_kana = sk;
        self.p[bride as usize].spouse = Some(groom);
        self.p[groom as usize].spouse = Some(bride);
        // a new household for the two
        for x in [bride, groom] {
            let old = self.p[x as usize].hh as usize;
            self.h[old].members.retain(|&m| m != x);
            self.p[x as usize].is_child = false;
        }
        let muni = self.h[self.p[groom as usize].hh as usize].addr.muni;
        let addr =
            if self.rng.chance(0.7) { Addr::random_in(&mut self.rng, muni) } else { Addr::random(&mut self.rng) };
        let hid = self.h.len() as u32;
        self.h.push(Household { members: vec![groom, bride], addr, welfare: false, nhi: None });
        self.p[bride as usize].hh = hid;
        self.p[groom as usize].hh = hid;
        for x in [renamed, keeper] {
            let res = self.resident(x);
            self.emit(d, d, eid, Cause::Marriage, Action::ResidentUpdate(res));
        }
        // insurance: the spouse without a job of their own becomes the other's dependent; 国保
        // members and dependents of parents re-enrol; employees report the change
        let insured_emp = |g: &Gen, x: u32| {
            g.p[x as usize].cover.filter(|&r| {
                let r = &g.r[r as usize];
                r.rel == Relationship::Insured && is_employee(g.ins_kind(r.insurer))
            })
        };
        for (x, other) in [(bride, groom), (groom, bride)] {
            match insured_emp(self, x) {
                Some(rec) => self.report_personal(rec, x, d, eid, Cause::Marriage, x == renamed),
                None => {
                    if let Some(rec) = self.p[x as usize].cover {
                        self.lose(rec, d, LossReason::JoinedOther, eid, Cause::Marriage);
                    }
                    if self.p[x as usize].age_on(d) >= 75 {
                        continue;
                    }
                    let rec = match insured_emp(self, other) {
                        Some(of) => self.enrol_dependent(x, of, d),
                        None => self.enrol_national(x, d, false),
                    };
                    self.acquire(rec, eid, Cause::Marriage, false, None);
                }
            }
        }
    }

    /// The insurer hears (or not) of a new name and/or address of `person` on record `rec`.
    fn report_personal(&mut self, rec: u32, person: u32, d: Date, eid: u64, cause: Cause, renamed: bool) {
        let employee = is_employee(self.ins_kind(self.r[rec as usize].insurer));
        let rates = &self.ctx.cfg.error_rates;
        let (p_move, p_name) =
            if employee { (rates.unreported_move_employee, rates.unreported_name_change_employee) } else { (0.0, 0.0) };
        let untouched = self.r[rec as usize].error.is_none();
        if renamed && untouched && self.rng.chance(p_name) {
            self.r[rec as usize].error = Some(ErrorKind::StaleName);
            // the address still reaches the insurer
            let ch = self.personal_change(rec, person, false, true);
            self.change(rec, d, ch, eid, cause, false);
            return;
        }
        if untouched && self.rng.chance(p_move) {
            self.r[rec as usize].error = Some(ErrorKind::Moved);
            if renamed {
                let ch = self.personal_change(rec, person, true, false);
                self.change(rec, d, ch, eid, cause, false);
            }
            return;
        }
        let ch = self.personal_change(rec, person, renamed, true);
        let r = &mut self.r[rec as usize];
        if matches!(r.error, Some(ErrorKind::Moved)) {
            r.error = None;
        }
        if renamed
            && matches!(
                r.error,
                Some(ErrorKind::StaleName | ErrorKind::KanaTypo | ErrorKind::KanjiTypo | ErrorKind::Variant)
            )
        {
            r.error = None;
        }
        self.change(rec, d, ch, eid, cause, false);
    }

    fn personal_change(&self, rec: u32, person: u32, name: bool, address: bool) -> MemberChange {
        let r = &self.r[rec as usize];
        let p = &self.p[person as usize];
        MemberChange {
            record_id: r.id,
            name: name.then(|| text::name_in(&p.name(), r.name_style.min(2))),
            name_kana: name.then(|| text::kana_in(&p.kana(), r.name_style)),
            address: address.then(|| self.h[p.hh as usize].addr.render(r.addr_style)),
            income_bracket: None,
            copay_ratio: None,
        }
    }

    fn move_household(&mut self, hh: u32, d: Date) {
        let alive: Vec<u32> =
            self.h[hh as usize].members.iter().copied().filter(|&m| self.p[m as usize].alive).collect();
        if alive.is_empty() {
            return;
        }
        let old = self.h[hh as usize].addr;
        let new = match self.rng.pick(&[45.0, 30.0, 25.0]) {
            0 => Addr::random_in(&mut self.rng, old.muni),
            1 => {
                let (ids, cum) = &tables().pref_munis[usize::from(old.pref()) - 1];
                let m = ids[self.rng.weighted(cum)];
                Addr::random_in(&mut self.rng, m)
            }
            _ => Addr::random(&mut self.rng),
        };
        if new == old {
            return;
        }
        let eid = self.new_event_id();
        self.h[hh as usize].addr = new;
        let nhi_moves = self.ctx.ins.nhi_of_muni[new.muni as usize] != self.ctx.ins.nhi_of_muni[old.muni as usize];
        if nhi_moves {
            self.h[hh as usize].nhi = None;
        }
        for m in alive {
            let res = self.resident(m);
            let rep = add_days(d, self.rng.between(0, 14));
            self.emit(rep, d, eid, Cause::Move, Action::ResidentUpdate(res));
            let Some(rec) = self.p[m as usize].cover else { continue };
            let kind = self.ins_kind(self.r[rec as usize].insurer);
            let leaves = match kind.scheme() {
                Scheme::National => nhi_moves,
                Scheme::LateStageElderly => new.pref() != old.pref(),
                Scheme::Employee => false,
            };
            if leaves {
                self.lose(rec, d, LossReason::MovedOut, eid, Cause::Move);
                self.join_public(m, d, eid, Cause::Move);
            } else {
                self.report_personal(rec, m, d, eid, Cause::Move, false);
            }
        }
    }

    // ------------------------------------------------------------------ visits

    fn visits(&mut self) {
        let cfg = self.ctx.cfg;
        let t_norm: f64 = {
            let tot: f64 = AGE_BANDS.iter().map(|&b| f64::from(b)).sum();
            AGE_BANDS.iter().enumerate().map(|(i, &b)| f64::from(b) * visit_factor(i as u32 * 5)).sum::<f64>() / tot
        };
        let mut visits = Vec::new();
        for person in 0..self.p.len() as u32 {
            let p = &self.p[person as usize];
            if p.records.is_empty() {
                continue;
            }
            let from = if p.birth > self.start { p.birth } else { self.start };
            let to = p.died_on.unwrap_or(self.end).min(self.end);
            if to < from {
                continue;
            }
            let span = days_between(from, to) + 1;
            let lambda = cfg.visits_per_person_year * visit_factor(p.age_on(from)) / t_norm * span as f64 / 365.0;
            let k = self.rng.poisson(lambda);
            for _ in 0..k {
                let d = add_days(from, self.rng.between(0, span - 1));
                visits.push((d, person));
            }
        }
        let share = cfg.my_number_card_share;
        visits.sort_unstable();
        for (d, person) in visits {
            let p = &self.p[person as usize];
            let covering = p.records.iter().copied().find(|&r| {
                let r = &self.r[r as usize];
                r.acquired_on <= d && r.lost_on.is_none_or(|l| d < l)
            });
            let card = p
                .records
                .iter()
                .copied()
                .filter(|&r| self.r[r as usize].acq_reported <= d)
                .max_by_key(|&r| (self.r[r as usize].acquired_on, r));
            let (ratio, bracket) = match covering {
                Some(r) => {
                    let scheme = self.ins_kind(self.r[r as usize].insurer).scheme();
                    let b = (p.age_on(d) >= 70 || scheme == Scheme::LateStageElderly).then(|| p.bracket_on(d));
                    (copay(p.birth, d, scheme, b).ratio(), b)
                }
                None => (None, None),
            };
            let pref = self.h[p.hh as usize].addr.pref();
            let institution_code = clinic(cfg.seed, pref, self.rng.below(64) as u32);
            // without a card the patient can only show the My Number card
            let presents =
                if card.is_none() || self.rng.chance(share) { Presents::MyNumberCard } else { Presents::Card };
            self.out.visits.push(Visit {
                service_date: d,
                my_number: p.my_number,
                institution_code,
                presents,
                card: card.map(|r| self.r[r as usize].id),
                expect: Expect {
                    covered_by: covering.map(|r| self.r[r as usize].id),
                    copay_ratio: ratio,
                    income_bracket: bracket,
                },
            });
        }
    }

    // ------------------------------------------------------------------ finish

    /// Every record held without a My Number (未登録者) is searched in the registry by its insurer
    /// ([`Action::LinkSearch`]): a record held since before the period after the backlog's delay from its
    /// first day, a new one after its own delay from the day the insurer recorded it; not when the record
    /// ended first. The delays are drawn from a hash of the seed and the record, not from the chunk's
    /// stream, so that the rest of the world is what it was without them.
    fn link_searches(&mut self) {
        let lags = &self.ctx.cfg.lags;
        let seed = self.ctx.cfg.seed;
        let mut searches = Vec::new();
        for r in &self.r {
            if r.my_number.is_some() || r.acq_reported > self.end {
                continue;
            }
            let (model, from) = if r.acq_reported < self.start {
                (lags.link_search_backlog, self.start)
            } else {
                (lags.link_search_new, r.acq_reported)
            };
            let (z, u) = crate::rng::hash_draws(crate::rng::mix(seed ^ 0x0011_4E5E_A4C4, r.id.0));
            let day = add_days(from, model.days_from(from, z, u).max(0)).max(r.acq_reported);
            if r.lost_on.is_some_and(|l| l <= day) {
                continue;
            }
            searches.push((day, r.id));
        }
        for (day, id) in searches {
            let eid = self.new_event_id();
            self.emit(day, day, eid, Cause::Unlinked, Action::LinkSearch { record_id: id });
        }
    }

    fn finish(&mut self, want_persons: bool) {
        let end = self.end;
        for i in 0..self.p.len() as u32 {
            if self.p[i as usize].alive {
                let res = self.resident(i);
                self.out.registry.push(res);
            }
        }
        for rec in 0..self.r.len() {
            let r = &self.r[rec];
            let p = &self.p[r.person as usize];
            self.out.truth.push(Truth { record_id: r.id, true_my_number: p.my_number, error: r.error });
            let held = r.acquired_on <= end && r.acq_reported <= end && r.lost_on.is_none_or(|l| l > end) && p.alive;
            if held {
                self.out.records.push(Record {
                    record_id: r.id,
                    my_number: r.my_number,
                    name: r.name.clone(),
                    name_kana: r.kana.clone(),
                    birth_date: r.birth,
                    sex: p.sex,
                    address: r.address.clone(),
                });
            }
        }
        self.link_searches();
        // events: by day, then registry before insurers, then creation order
        let phase = |a: &Action| match a {
            Action::ResidentAdd(_) | Action::ResidentUpdate(_) | Action::ResidentRemove { .. } => 0u8,
            // an insurer's search follows the day's other insurer actions (the record's changes first)
            Action::LinkSearch { .. } => 2,
            _ => 1,
        };
        let mut ev = std::mem::take(&mut self.out.events);
        let mut keyed: Vec<(Date, u8, usize)> =
            ev.iter().enumerate().map(|(i, e)| (e.at, phase(&e.action), i)).collect();
        keyed.sort_unstable();
        let mut slots: Vec<Option<Event>> = ev.drain(..).map(Some).collect();
        self.out.events = keyed.into_iter().filter_map(|(_, _, i)| slots[i].take()).collect();
        if want_persons {
            for p in &self.p {
                self.out.persons.push(PersonInfo {
                    my_number: p.my_number,
                    birth_date: p.birth,
                    sex: p.sex,
                    household: p.start_household,
                    twin: p.twin.map(|t| self.p[t as usize].my_number),
                    surname: p.start_surname.clone(),
                    name: p.start_name.clone(),
                    born_in_period: p.born_in_period,
                    died_on: p.died_on,
                    insurer_at_start: p.insurer_at_start.map(|i| self.ctx.ins.list[usize::from(i)].number),
                    is_child: p.is_child,
                });
            }
        }
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
