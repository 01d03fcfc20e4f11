//! The year the chunk lives through: deaths, jobs, birthdays that change the copay, births, marriages, moves.

use super::*;

impl<'a> Gen<'a> {
    // ------------------------------------------------------------ the year

    pub(super) fn emit(&mut self, at: Date, effective_on: Date, event_id: u64, cause: Cause, action: Action) {
        if at > self.end {
            return;
        }
        let at = at.max(self.start);
        self.out.events.push(Event { at, effective_on, reported_on: at, event_id, cause, action });
    }

    pub(super) fn new_event_id(&mut self) -> u64 {
        self.event_seq += 1;
        (self.index << 32) | self.event_seq
    }

    /// Registers a new record: the insurer records the acquisition after the notification lag (or ahead,
    /// for changes it knows ahead), never before the registry knows the person (`not_before`) nor before
    /// the insured person of a dependent; the card is issued on that day.
    pub(super) fn acquire(&mut self, rec: u32, eid: u64, cause: Cause, ahead: bool, not_before: Option<Date>) {
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
    pub(super) fn acquire_with_insured(&mut self, rec: u32, eid: u64, cause: Cause) {
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
    pub(super) fn record_acquisition(&mut self, rec: u32, eid: u64, cause: Cause, mut rep: Date) {
        let eff = self.r[rec as usize].acquired_on;
        if let Some(ins) = self.r[rec as usize].insured {
            rep = rep.max(self.r[ins as usize].acq_reported);
        }
        self.r[rec as usize].acq_reported = rep;
        let row = self.member_row(rec, rep);
        self.emit(rep, eff, eid, cause, Action::Acquire(Box::new(row)));
    }

    /// Ends a record on `on` (the first day without coverage) and its dependents'.
    pub(super) fn lose(&mut self, rec: u32, on: Date, reason: LossReason, eid: u64, cause: Cause) -> Vec<u32> {
        self.lose_on_notice(rec, on, reason, eid, cause, None)
    }

    /// [`Gen::lose`], the insurer recording it on `notice` when given (a dependent's loss travels on its
    /// insured person's 資格喪失届), else after the notification lag.
    pub(super) fn lose_on_notice(
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

    pub(super) fn change(&mut self, rec: u32, eff: Date, ch: MemberChange, eid: u64, cause: Cause, ahead: bool) {
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

    pub(super) fn live(&mut self) {
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

    pub(super) fn death(&mut self, person: u32, d: Date) {
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
    pub(super) fn join_public(&mut self, person: u32, on: Date, eid: u64, cause: Cause) {
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

    pub(super) fn job_change(&mut self, person: u32, d: Date, retire: bool) {
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

    pub(super) fn turning_70(&mut self, person: u32, d: Date) {
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

    pub(super) fn turning_75(&mut self, person: u32, d: Date) {
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

    pub(super) fn income(&mut self, d: Date) {
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

    pub(super) fn birth(&mut self, mother: u32, d: Date) {
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

    pub(super) fn marriage(&mut self, d: Date) {
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
    pub(super) fn report_personal(&mut self, rec: u32, person: u32, d: Date, eid: u64, cause: Cause, renamed: bool) {
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

    pub(super) fn personal_change(&self, rec: u32, person: u32, name: bool, address: bool) -> MemberChange {
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

    pub(super) fn move_household(&mut self, hh: u32, d: Date) {
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
}
