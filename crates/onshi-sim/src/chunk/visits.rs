//! The clinic visits, and the finish: link searches and the chunk's output.

use super::*;

impl<'a> Gen<'a> {
    // ------------------------------------------------------------------ visits

    pub(super) fn visits(&mut self) {
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
    pub(super) fn link_searches(&mut self) {
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

    pub(super) fn finish(&mut self, want_persons: bool) {
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
