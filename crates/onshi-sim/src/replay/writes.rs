//! The registry's and the insurers' actions, and their follow-ups (links, confirmations, cases, deaths).

use super::*;

impl Shared {
    pub(super) fn fail(&self, what: &str, r: &Refusal) {
        if let Ok(mut f) = self.fatal.lock() {
            f.get_or_insert_with(|| format!("{what}: {} ({})", r.message, r.code));
        }
    }

    pub(super) async fn put_resident(&self, w: &Writer, my_number: &str, body: ResidentBody) {
        match w.front.put_resident(my_number, body).await {
            Ok(()) => w.count(|s| *s.applied.entry("resident").or_default() += 1),
            Err(r) if r.fatal => self.fail("registry", &r),
            Err(r) => w.count(|s| s.refuse("resident", my_number, &r)),
        }
    }

    pub(super) async fn enrol(&self, w: &Writer, e: Enrolment) {
        let mut body = e.body;
        let mut checked_with_card = false;
        for _ in 0..4 {
            match w.front.enrol(body.clone()).await {
                Ok(a) => {
                    if let Ok(mut m) = w.members.lock() {
                        m.insert(e.record, a.member_id);
                    }
                    let pending = a.linkage.as_ref().is_some_and(|l| l.state == "pending_confirmation");
                    self.linked(w, e.record, body.my_number.clone(), pending);
                    w.count(|s| *s.applied.entry("enrol").or_default() += 1);
                    return;
                }
                Err(r) if r.fatal => return self.fail("enrol", &r),
                Err(r) if w.onshi_rules && r.code == "copay_ratio_mismatch" && body.copay_ratio.is_some() => {
                    w.count(|s| {
                        s.refuse("enrol", &format!("R{:012}", e.record), &r);
                        *s.corrected.entry("copay_from_law").or_default() += 1;
                    });
                    body.copay_ratio = None;
                }
                Err(r) if w.onshi_rules && r.code == "linkage_rejected" && body.my_number.is_some() => {
                    let refused = body.my_number.take();
                    let search = SearchBody {
                        name: body.name.clone(),
                        birth_date: body.birth_date.clone(),
                        address: body.address.clone(),
                        sex: Some(body.sex),
                    };
                    let found = match w.front.search(search).await {
                        Ok(a) if a.verdict == "unique" => a.my_number.filter(|m| Some(m) != refused.as_ref()),
                        Ok(_) => None,
                        Err(r) if r.fatal => return self.fail("registry search", &r),
                        Err(_) => None,
                    };
                    if found.is_none() && !checked_with_card {
                        // the refusal's next step: the insurer checks what it typed against the copy of the
                        // person's My Number card it collected with the number, and sends the form again
                        checked_with_card = true;
                        if let Some(v) = self.card_copy(w, e.record).await {
                            w.count(|s| {
                                s.refuse("enrol", &format!("R{:012} (basic_four_from_card_copy)", e.record), &r);
                                *s.corrected.entry("basic_four_from_card_copy").or_default() += 1;
                            });
                            // the card this insurer issues carries the corrected birth date
                            if let Ok(mut r) = w.reissued.lock() {
                                r.insert(e.record, v.birth_date.clone());
                            }
                            (body.name, body.name_kana, body.birth_date) = (v.name, v.name_kana, v.birth_date);
                            (body.sex, body.address, body.my_number) = (v.sex, v.address, Some(v.my_number));
                            continue;
                        }
                    }
                    let how = if found.is_some() { "link_from_registry_search" } else { "link_withheld" };
                    w.count(|s| {
                        s.refuse("enrol", &format!("R{:012} ({how})", e.record), &r);
                        *s.corrected.entry(how).or_default() += 1;
                    });
                    body.my_number = found;
                }
                Err(r) => {
                    w.count(|s| s.refuse("enrol", &format!("R{:012}", e.record), &r));
                    return;
                }
            }
        }
        w.count(|s| *s.refused.entry("enrol: gave up after corrections".into()).or_default() += 1);
    }

    /// What the copy of the record's person's My Number card shows (the registry's record of the true person),
    /// when the person has a My Number the registry knows.
    async fn card_copy(&self, w: &Writer, record: u64) -> Option<ResidentView> {
        let my_number = self.truth.get(&record)?.to_string();
        w.front.resident(&my_number).await.ok()
    }

    pub(super) async fn insurer_action(&self, w: &Writer, e: &EventLine) -> Result<(), String> {
        match e.kind.as_str() {
            "acquire" => {
                let en = enrolment_of_event(e)?;
                self.enrol(w, en).await;
            }
            "lose" => {
                let rid = field(e, "record_id", &e.record_id)?;
                let lost_on = field(e, "lost_on", &e.lost_on)?.to_owned();
                if record_id(rid).is_some_and(|r| w.lost_by_registry.lock().is_ok_and(|l| l.contains(&r))) {
                    w.count(|s| {
                        *s.skipped.entry("lose: already lost by the registry's death notice").or_default() += 1
                    });
                    return Ok(());
                }
                let (Some(id), Some(insurer)) = (record_id(rid).and_then(|r| w.member(r)), self.insurer_of(rid)) else {
                    w.count(|s| *s.skipped.entry("lose: record not enrolled").or_default() += 1);
                    return Ok(());
                };
                match w.front.lose(&insurer, &id, LossBody { lost_on }).await {
                    Ok(()) => w.count(|s| *s.applied.entry("lose").or_default() += 1),
                    Err(r) if r.fatal => self.fail("lose", &r),
                    Err(r) => w.count(|s| s.refuse("lose", rid, &r)),
                }
            }
            "change" => {
                let rid = field(e, "record_id", &e.record_id)?;
                let (Some(id), Some(insurer)) = (record_id(rid).and_then(|r| w.member(r)), self.insurer_of(rid)) else {
                    w.count(|s| *s.skipped.entry("change: record not enrolled").or_default() += 1);
                    return Ok(());
                };
                let mut body = ChangeBody {
                    effective_on: e.effective_on.clone(),
                    name: e.name.clone(),
                    name_kana: e.name_kana.clone(),
                    address: e.address.clone(),
                    income_bracket: bracket(e.income_bracket.as_deref())?,
                    copay_ratio: e.copay_ratio,
                    copay_ratio_reason: None,
                };
                if w.onshi_rules {
                    // under onshi the law gives the ratio from the bracket; insurers do not type it
                    body.copay_ratio = None;
                }
                if body.name.is_none()
                    && body.name_kana.is_none()
                    && body.address.is_none()
                    && body.income_bracket.is_none()
                    && body.copay_ratio.is_none()
                {
                    w.count(|s| *s.skipped.entry("change: nothing left to send").or_default() += 1);
                    return Ok(());
                }
                match w.front.change(&insurer, &id, body).await {
                    Ok(()) => w.count(|s| *s.applied.entry("change").or_default() += 1),
                    Err(r) if r.fatal => self.fail("change", &r),
                    Err(r) => w.count(|s| s.refuse("change", rid, &r)),
                }
            }
            "link_search" => {
                let rid = field(e, "record_id", &e.record_id)?;
                let record = record_id(rid).ok_or_else(|| format!("record_id {rid:?}"))?;
                self.link_search(w, record).await;
            }
            other => return Err(format!("unknown insurer action `{other}`")),
        }
        Ok(())
    }

    /// `link_search`: the insurer searches the registry with the basic four it holds for a record without a
    /// My Number (未登録者) and links a unique match.
    pub(super) async fn link_search(&self, w: &Writer, record: u64) {
        let (Some(member), Some(insurer)) = (w.member(record), self.insurer_of(&format!("R{record:012}"))) else {
            w.count(|s| *s.skipped.entry("link_search: record not enrolled").or_default() += 1);
            return;
        };
        if w.link(record).is_some() {
            w.count(|s| *s.skipped.entry("link_search: already linked").or_default() += 1);
            return;
        }
        match w.front.link_by_search(&insurer, &member).await {
            Ok(v) => {
                w.count(|s| *s.applied.entry("link_search").or_default() += 1);
                self.linked(w, record, v.my_number, v.state == "pending_confirmation");
            }
            Err(r) if r.fatal => self.fail("link search", &r),
            Err(r) => w.count(|s| s.refuse("link_search", &format!("R{record:012}"), &r)),
        }
    }

    /// A record's link as the service answered it: in effect, or pending the insurer's confirmation (then due
    /// after [`Lags::confirm_link`]; at once before the period, whose links the 総点検 of 2023–24 confirmed).
    pub(super) fn linked(&self, w: &Writer, record: u64, my_number: Option<String>, pending: bool) {
        let Some(mn) = my_number else {
            w.set_link(record, None);
            return;
        };
        if !pending {
            w.set_link(record, Some(Link::To(mn)));
            return;
        }
        w.set_link(record, Some(Link::Pending(mn)));
        let writer = self.writers.iter().position(|x| std::ptr::eq(x, w)).unwrap_or(0);
        let today = onshi_law::legal_today(onshi_service::Clock::now(&*self.clock));
        let model = if today < self.start { crate::config::LagModel::ZERO } else { self.lags.confirm_link };
        self.schedule(today, model, record, Due::Confirm { writer, record });
    }

    /// Schedules `what` for the day `model` gives after `from`, drawn from a hash of the record (the same
    /// world gives the same days whatever the replay's scheduling).
    pub(super) fn schedule(&self, from: Date, model: crate::config::LagModel, record: u64, what: Due) {
        let (z, u) = crate::rng::hash_draws(crate::rng::mix(0xC0_4F_12_4E, record));
        let day = add_days(from, model.days_from(from, z, u).max(0));
        if let Ok(mut d) = self.due.lock() {
            d.entry(day).or_default().push(what);
        }
    }

    /// Does what was due today.
    pub(super) async fn do_due(&self, d: Due) {
        match d {
            Due::Confirm { writer, record } => self.confirm_link(&self.writers[writer], record).await,
            Due::Cases { writer, insurer } => self.work_counter_cases(&self.writers[writer], &insurer).await,
            Due::Accept { writer, event_id, insurer, member_id, died_on } => {
                self.accept_death(&self.writers[writer], &event_id, &insurer, &member_id, &died_on).await
            }
        }
    }

    /// The insurer accepts a death the registry offered (coverage ends the next day, 死亡), and ends its
    /// dependents' coverage on the same day (被扶養者 lose it with their insured person).
    pub(super) async fn accept_death(&self, w: &Writer, event_id: &str, insurer: &str, member_id: &str, died_on: &str) {
        match w.front.accept_registry_event(insurer, event_id).await {
            Ok(_) => w.count(|s| *s.applied.entry("registry_event: death accepted").or_default() += 1),
            Err(r) if r.fatal => return self.fail("registry event", &r),
            Err(r) => return w.count(|s| s.refuse("registry_event", member_id, &r)),
        }
        let Some(record) = w.record_of(member_id) else { return };
        let Some(lost_on) = onshi_law::parse_iso_date(died_on).ok().map(|d| add_days(d, 1).to_string()) else {
            return;
        };
        let dependents = self.records.read().ok().and_then(|r| r.dependents.get(&record).cloned()).unwrap_or_default();
        if let Ok(mut l) = w.lost_by_registry.lock() {
            l.insert(record);
        }
        for d in dependents {
            let Some(dm) = w.member(d) else { continue };
            match w.front.lose(insurer, &dm, LossBody { lost_on: lost_on.clone() }).await {
                Ok(()) => {
                    w.count(|s| *s.applied.entry("lose: a dependent with a death").or_default() += 1);
                    if let Ok(mut l) = w.lost_by_registry.lock() {
                        l.insert(d);
                    }
                }
                Err(r) if r.fatal => return self.fail("lose", &r),
                // already lost (before the death, or on the insurer's own notice)
                Err(_) => {}
            }
        }
    }

    /// The insurer confirms a pending link after asking the person (phone, mail): the right person is
    /// confirmed; another person's number is removed and the registry searched again.
    pub(super) async fn confirm_link(&self, w: &Writer, record: u64) {
        let Some(Link::Pending(mn)) = w.link(record) else { return };
        let rid = format!("R{record:012}");
        let (Some(member), Some(insurer)) = (w.member(record), self.insurer_of(&rid)) else { return };
        let right = self.truth.get(&record).is_some_and(|t| t.as_str() == mn);
        if right {
            match w.front.confirm_link(&insurer, &member, "phone").await {
                Ok(_) => {
                    w.count(|s| *s.corrected.entry("link_confirmed").or_default() += 1);
                    w.set_link(record, Some(Link::To(mn)));
                }
                Err(r) if r.fatal => self.fail("link confirm", &r),
                Err(r) => w.count(|s| s.refuse("link_confirm", &rid, &r)),
            }
            return;
        }
        // the person says the number is not theirs: the link is removed and the registry searched
        match w.front.unlink(&insurer, &member, "本人確認: 別人のマイナンバー").await {
            Ok(_) => {
                w.count(|s| *s.corrected.entry("link_removed_after_confirmation").or_default() += 1);
                w.set_link(record, None);
                Box::pin(self.link_search(w, record)).await;
            }
            Err(r) if r.fatal => self.fail("link remove", &r),
            Err(r) => w.count(|s| s.refuse("link_remove", &rid, &r)),
        }
    }

    /// The insurer works the cases a counter opened: it asks the person (phone) whether the record is theirs;
    /// the right person's number is linked (a B link pending, confirmed in the same call with the person, an A
    /// link in effect at once); a record that is not the suggested person's is left for the insurer's search.
    pub(super) async fn work_counter_cases(&self, w: &Writer, insurer: &str) {
        let cases = match w.front.open_cases(insurer).await {
            Ok(c) => c.cases,
            Err(r) if r.fatal => return self.fail("cases", &r),
            Err(r) => return w.count(|s| s.refuse("cases", insurer, &r)),
        };
        for c in cases {
            let (None, Some(suggested)) = (&c.my_number, &c.suggested_my_number) else { continue };
            let Some(record) = w.record_of(&c.member_id) else { continue };
            if w.link(record).is_some() || self.truth.get(&record).is_none_or(|t| t.as_str() != suggested) {
                continue;
            }
            match w.front.link(insurer, &c.member_id, suggested, "窓口からのケース: 本人確認済み").await {
                Ok(v) => {
                    w.count(|s| *s.corrected.entry("link_from_counter_case").or_default() += 1);
                    let pending = v.state == "pending_confirmation";
                    w.set_link(
                        record,
                        Some(if pending { Link::Pending(suggested.clone()) } else { Link::To(suggested.clone()) }),
                    );
                    if pending {
                        self.confirm_link(w, record).await;
                    }
                }
                Err(r) if r.fatal => return self.fail("link", &r),
                Err(r) => w.count(|s| s.refuse("link_from_counter_case", &c.record_id, &r)),
            }
        }
    }

    pub(super) async fn registry_action(&self, w: &Writer, e: &EventLine) -> Result<(), String> {
        match e.kind.as_str() {
            "resident_add" | "resident_update" => {
                let body = resident_body(
                    field(e, "name", &e.name)?,
                    field(e, "name_kana", &e.name_kana)?,
                    field(e, "birth_date", &e.birth_date)?,
                    field(e, "sex", &e.sex)?,
                    field(e, "address", &e.address)?,
                )?;
                self.put_resident(w, field(e, "my_number", &e.my_number)?, body).await;
            }
            // onshi's registry records the death and offers it to every insurer holding a link; the national
            // system has no such feed (a death is the insurer's loss when the family reports it)
            "resident_remove" if w.onshi_rules => {
                let mn = field(e, "my_number", &e.my_number)?;
                match w.front.record_death(mn, &e.effective_on).await {
                    Ok(a) => {
                        w.count(|s| *s.applied.entry("death").or_default() += 1);
                        let writer = self.writers.iter().position(|x| std::ptr::eq(x, w)).unwrap_or(0);
                        let today = onshi_law::legal_today(onshi_service::Clock::now(&*self.clock));
                        for ev in a.offered {
                            let record = w.record_of(&ev.member_id).unwrap_or(0);
                            let due = Due::Accept {
                                writer,
                                event_id: ev.event_id,
                                insurer: ev.insurer_number,
                                member_id: ev.member_id,
                                died_on: a.died_on.clone(),
                            };
                            self.schedule(today, self.lags.accept_registry_event, record, due);
                        }
                    }
                    Err(r) if r.fatal => self.fail("death", &r),
                    Err(r) => w.count(|s| s.refuse("death", mn, &r)),
                }
            }
            "resident_remove" => w.count(|s| {
                *s.skipped.entry("resident_remove: the national system offers no death to insurers").or_default() += 1
            }),
            other => return Err(format!("unknown registry action `{other}`")),
        }
        Ok(())
    }

    pub(super) fn insurer_of(&self, rid: &str) -> Option<String> {
        let id = record_id(rid)?;
        self.records.read().ok()?.cards.get(&id).map(|c| c.insurer.clone())
    }

    pub(super) fn household_of_record(&self, rid: &str) -> String {
        record_id(rid)
            .and_then(|id| {
                let r = self.records.read().ok()?;
                r.cards.get(&id).map(|c| household_of(&c.insurer, c.symbol.as_deref(), &c.number))
            })
            .unwrap_or_else(|| format!("unknown {rid}"))
    }
}
