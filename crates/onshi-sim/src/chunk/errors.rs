//! The data-entry errors the seeds record, injected into records with the truth kept.

use super::*;

impl<'a> Gen<'a> {
    // ------------------------------------------------------------------ errors

    pub(super) fn eligible(&self, kind: ErrorKind, rec: u32) -> bool {
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

    pub(super) fn errors_at_start(&mut self) {
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
    pub(super) fn inject(&mut self, rec: u32) {
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
    pub(super) fn apply(&mut self, kind: ErrorKind, rec: u32) -> bool {
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
}
