//! The eligibility question at a visit, asked of every policy and classified.

use super::*;

/// Refusals of a check by My Number card whose next step is the check by the 資格確認書's numbers: the replay's
/// receptionist follows it (the patient carries the 資格確認書 or 資格情報のお知らせ).
pub(super) const FOLLOW_BY_NUMBERS: [&str; 3] = ["link_pending_confirmation", "link_suspended", UNLINKED_UNCONFIRMED];

/// The refusal of a check by My Number card that opened a case for the insurer holding the record.
pub(super) const UNLINKED_UNCONFIRMED: &str = "unlinked_record_unconfirmed";

impl Shared {
    /// A counter's check opened a case for the insurer of the record it nearly matched: the insurer works its
    /// cases after [`Lags::confirm_link`] (one visit a record's insurer and day is enough).
    pub(super) fn counter_case_opened(&self, a: &Asker, v: &VisitRow) {
        let Some(rid) = v.covered_record_id.as_deref().or(v.card_record_id.as_deref()) else { return };
        let (Some(record), Some(insurer)) = (record_id(rid), self.insurer_of(rid)) else { return };
        let today = onshi_law::legal_today(onshi_service::Clock::now(&*self.clock));
        self.schedule(today, self.lags.confirm_link, record, Due::Cases { writer: a.writer, insurer });
    }

    pub(super) async fn ask(&self, a: &Asker, v: &VisitRow, path_wanted: Presents) {
        let card = v.card_record_id.as_deref().and_then(record_id);
        let by_person = path_wanted == Presents::MyNumberCard && self.questions == Questions::AsPresented;
        // a newborn whose birth is not registered yet has no My Number, hence no My Number card, and no card
        let unregistered = self.registered.get(&v.my_number).is_some_and(|at| at.as_str() > v.service_date.as_str());
        if card.is_none() && unregistered {
            a.not_asked_unregistered.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let mut path = Presents::Card;
        let mut answer = None;
        let mut followed = None;
        if by_person {
            if let Some(r) = a.front.check_person(&v.institution_code, &v.my_number, &v.service_date).await {
                path = Presents::MyNumberCard;
                match r {
                    // the receptionist follows the refusal's next step: the numbers of the 資格確認書
                    Err(e) if FOLLOW_BY_NUMBERS.contains(&e.code.as_str()) && card.is_some() => {
                        if e.code == UNLINKED_UNCONFIRMED {
                            self.counter_case_opened(a, v);
                        }
                        followed = Some(e.code)
                    }
                    r => answer = Some(r),
                }
            }
        }
        if answer.is_none() {
            let info = card.and_then(|c| self.records.read().ok().and_then(|r| r.cards.get(&c).cloned()));
            let Some(mut info) = info else {
                a.not_asked.fetch_add(1, Ordering::Relaxed);
                return;
            };
            let reissued = card.and_then(|c| self.writers[a.writer].reissued.lock().ok()?.get(&c).cloned());
            if let Some(birth_date) = reissued {
                info.birth_date = birth_date;
            }
            let body = EligibilityBody {
                insurer_number: info.insurer,
                symbol: info.symbol,
                number: info.number,
                branch: Some(info.branch),
                birth_date: info.birth_date,
                service_date: Some(v.service_date.clone()),
            };
            answer = Some(a.front.check(&v.institution_code, body).await);
        }
        let Some(answer) = answer else { return };
        let Ok(patient) = MyNumber::parse(&v.my_number) else {
            a.not_asked.fetch_add(1, Ordering::Relaxed);
            return;
        };
        if let (Some(code), Ok(mut t)) = (&followed, a.tally.lock()) {
            *t.followed.entry(code.clone()).or_default() += 1;
        }
        let truth = Truth {
            patient,
            // a question asked again by the card's numbers is judged as one (and counted under the My Number card)
            path: if followed.is_some() { Presents::Card } else { path },
            card: card.map(RecordId),
            covered_by: v.covered_record_id.as_deref().and_then(record_id).map(RecordId),
            copay_ratio: v.copay_ratio,
        };
        let said;
        let shown = match answer {
            Ok(ans) => {
                said = describe(&ans);
                self.shown(&ans)
            }
            Err(r) if r.fatal => return self.fail("eligibility", &r),
            Err(r) => {
                said = format!("refused: {}", r.code);
                if let Ok(mut t) = a.tally.lock() {
                    *t.refusals.entry(r.code.clone()).or_default() += 1;
                }
                Shown {
                    verdict: Verdict::Refused,
                    record: None,
                    unknown_record: false,
                    record_person: None,
                    copay_ratio: None,
                    placeholder: false,
                    newer_notice: false,
                    pending_notice: false,
                }
            }
        };
        let outcome = classify(&truth, &shown);
        let why = explain(&truth, &shown, outcome, &self.known(a, v, &truth, &shown));
        let text = || {
            format!(
                "{} {} by {}{}: {said}; truth: {}{}",
                v.service_date,
                v.my_number,
                path.as_str(),
                v.card_record_id.as_deref().map(|c| format!(" (card {c})")).unwrap_or_default(),
                v.covered_record_id.as_deref().map_or("not covered".to_owned(), |r| format!("covered by {r}")),
                v.copay_ratio.map(|c| format!(" at {c}%")).unwrap_or_default()
            )
        };
        if let Ok(mut t) = a.tally.lock() {
            t.add(path, outcome);
            t.example(outcome, text);
            if let Some(why) = why {
                t.explain(path, outcome, why, text);
            }
        }
    }

    /// What the system had been told by the day of visit `v`, for [`explain`].
    pub(super) fn known(&self, a: &Asker, v: &VisitRow, truth: &Truth, shown: &Shown) -> Known {
        let Ok(day) = onshi_law::parse_iso_date(&v.service_date) else { return Known::default() };
        let w = &self.writers[a.writer.min(self.writers.len().saturating_sub(1))];
        let patient = truth.patient.as_str();
        let (mut k, mut linked, mut pending) = (Known::default(), false, false);
        if let Some(r) = truth.covered_by {
            k.covering_recorded = self.times.get(&r.0).and_then(|t| t.acquired_at).is_some_and(|at| at <= day);
            match w.link(r.0) {
                Some(Link::To(m)) => linked = m == patient,
                Some(Link::Pending(m)) => pending = m == patient,
                None => {}
            }
        }
        k.covering_linked = linked;
        k.covering_pending = pending;
        if let Some(t) = shown.record.and_then(|s| self.times.get(&s.0)) {
            k.shown_unreported = t.actions.iter().any(|&(eff, at, _)| eff <= day && at > day);
            k.shown_loss_known = t.actions.iter().any(|&(_, _, loss)| loss);
        }
        k
    }

    pub(super) fn shown(&self, a: &EligibilityAnswer) -> Shown {
        let verdict = match a.result.as_str() {
            "valid" => Verdict::Valid,
            "invalid" => Verdict::Invalid,
            _ => Verdict::NotFound,
        };
        let (record, unknown_record) = match &a.coverage {
            Some(c) => {
                let key = key_of(&c.insurer_number, c.symbol.as_deref(), &c.number, &c.branch);
                let id = self.records.read().ok().and_then(|r| r.by_key.get(&key).copied());
                (id.map(RecordId), id.is_none())
            }
            None => (None, false),
        };
        let has = |code: &str| a.notices.iter().any(|n| n.code == code);
        Shown {
            verdict,
            record,
            unknown_record,
            record_person: record.and_then(|r| self.truth.get(&r.0).copied()),
            copay_ratio: a.coverage.as_ref().and_then(|c| c.copay_ratio),
            placeholder: a.coverage.as_ref().is_some_and(|c| c.name_display.contains(PLACEHOLDER)),
            newer_notice: has("newer_qualification_exists"),
            pending_notice: has("new_coverage_may_be_pending"),
        }
    }
}

/// An answer in a few words, for examples.
pub(super) fn describe(a: &EligibilityAnswer) -> String {
    let notices: Vec<&str> = a.notices.iter().map(|n| n.code.as_str()).collect();
    let cov = a.coverage.as_ref().map(|c| {
        format!(
            " {}|{}|{}|{} {} {}",
            c.insurer_number,
            c.symbol.as_deref().unwrap_or(""),
            c.number,
            c.branch,
            c.name_display,
            c.copay_ratio.map(|r| format!("{r}%")).unwrap_or_default()
        )
    });
    format!("{}{} [{}]", a.result, cov.unwrap_or_default(), notices.join(","))
}
