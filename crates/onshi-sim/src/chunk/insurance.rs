//! Insurance at the start: employers, numbers, the law's copay, each kind of enrolment.

use super::*;

impl<'a> Gen<'a> {
    // --------------------------------------------------------------- insurance

    pub(super) fn employee_probability(age: u32, sex: Sex, student: bool) -> f64 {
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
    pub(super) fn employer(&mut self, pref: u8) -> (u16, Option<String>) {
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

    pub(super) fn next_number(&mut self) -> String {
        self.number_seq += 1;
        format!("{}", (self.index + 1) * 1_000_000 + self.number_seq)
    }

    /// The copay ratio the law gives on `d` (what an insurer types).
    pub(super) fn law_copay(&self, person: u32, insurer: u16, d: Date) -> CopayRatio {
        let p = &self.p[person as usize];
        let scheme = self.ins_kind(insurer).scheme();
        let bracket = (p.age_on(d) >= 70 || scheme == Scheme::LateStageElderly).then(|| p.bracket_on(d));
        copay(p.birth, d, scheme, bracket).ratio().unwrap_or(CopayRatio::THIRTY)
    }

    /// Creates a record (the insurer's data rendered without error; errors come later).
    pub(super) fn new_record(
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
    pub(super) fn enrol_employee(&mut self, person: u32, job: (u16, Option<String>), on: Date) -> u32 {
        let number = self.next_number();
        self.p[person as usize].job = Some(job.clone());
        let slot = Slot { insurer: job.0, symbol: job.1, number, branch: 0 };
        self.new_record(person, slot, Relationship::Insured, None, on)
    }

    /// Enrols `person` as a dependent of the insured record `of`.
    pub(super) fn enrol_dependent(&mut self, person: u32, of: u32, on: Date) -> u32 {
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
    pub(super) fn enrol_national(&mut self, person: u32, on: Date, assoc: bool) -> u32 {
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
    pub(super) fn enrol_late(&mut self, person: u32, on: Date) -> u32 {
        let hh = self.p[person as usize].hh as usize;
        let pref = self.h[hh].addr.pref();
        let insurer = self.ctx.ins.late[usize::from(pref) - 1];
        self.number_seq += 1;
        let number = format!("{:08}", self.index * 1_000_000 + self.number_seq);
        self.new_record(person, Slot { insurer, symbol: None, number, branch: 0 }, Relationship::Insured, None, on)
    }

    pub(super) fn insurance_at_start(&mut self) {
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
}
