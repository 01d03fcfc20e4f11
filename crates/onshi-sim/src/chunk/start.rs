//! The rows at the start (registry and member records) and the reporting lags.

use super::*;

impl<'a> Gen<'a> {
    // ------------------------------------------------------- rows at the start

    pub(super) fn resident(&self, person: u32) -> Resident {
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

    pub(super) fn member_row(&self, rec: u32, reported_on: Date) -> Member {
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

    pub(super) fn registry_and_members_at_start(&mut self) {
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
    pub(super) fn notification_days(&mut self, rec: u32, from: Date) -> i64 {
        let m = self.ctx.cfg.lags.notification(self.ins_kind(self.r[rec as usize].insurer));
        let (z, u) = (self.rng.normal(), self.rng.f());
        m.days_from(from, z, u)
    }

    /// The day the insurer records an action on `rec` that takes effect on `effective`.
    pub(super) fn report_date(&mut self, rec: u32, effective: Date) -> Date {
        add_days(effective, self.notification_days(rec, effective))
    }

    /// The day the insurer records a change it knows ahead (turning 70 or 75, 1 August): before the day
    /// for `ahead_share` of them, else after the notification lag.
    pub(super) fn ahead_date(&mut self, rec: u32, effective: Date) -> Date {
        if self.rng.chance(self.ctx.cfg.lags.ahead_share) {
            add_days(effective, -self.rng.between(1, 14))
        } else {
            self.report_date(rec, effective)
        }
    }
}
