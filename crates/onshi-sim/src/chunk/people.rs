//! People and households: who lives in the chunk, twins, families, couples, doppelgängers.

use super::*;

impl<'a> Gen<'a> {
    // ------------------------------------------------------------------ people

    pub(super) fn new_my_number(&self, local: u64) -> MyNumber {
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

    pub(super) fn surname(&mut self) -> (String, String) {
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

    pub(super) fn given(&mut self, sex: Sex) -> (String, &'static str) {
        let t = tables();
        let list = &t.given[usize::from(sex == Sex::Female)];
        let g = &list[self.rng.below(list.len())];
        let s = g.spellings[self.rng.weighted(&g.cum)].0;
        (s.to_owned(), g.kana)
    }

    pub(super) fn add_person(&mut self, birth: Date, sex: Sex) -> u32 {
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
    pub(super) fn people(&mut self, n: u32) {
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
    pub(super) fn adult_twins(&mut self, pool: &mut Pool) {
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
    pub(super) fn take_child(&mut self, pool: &mut Pool, lo: u32, hi: u32, pref: u32) -> Vec<u32> {
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
    pub(super) fn household(&mut self, members: Vec<u32>, sn: (String, String), other: &[u32]) -> u32 {
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

    pub(super) fn families_with_children(&mut self, pool: &mut Pool) {
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

    pub(super) fn make_twin(&mut self, a: u32, b: u32) {
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
    pub(super) fn distinct_given_names(&mut self, a: u32, b: u32) {
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

    pub(super) fn couples(&mut self, pool: &mut Pool) {
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
    pub(super) fn doppelgangers(&mut self) {
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
}
