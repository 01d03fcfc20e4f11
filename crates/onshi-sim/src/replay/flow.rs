//! The two steps of the flow: the start state, then every day of the period.

use super::*;

/// Step 1 of the flow: the registry and the member records at the start.
pub(super) async fn load_start(sh: &Arc<Shared>, dir: &Path, period: &Period) -> Result<(), SimError> {
    let day0 = add_days(period.start, -365);
    let mut residents: BTreeMap<Date, Vec<ResidentRow>> = BTreeMap::new();
    for r in files::rows::<ResidentRow>(dir, "registry_start.csv")? {
        let r = r?;
        let birth = files::date_of(Path::new("registry_start.csv"), 0, "birth_date", &r.birth_date)?;
        // the registry at the start holds everyone born by the first day (those born on it: on it, before the
        // period's own actions)
        residents.entry(birth.max(day0)).or_default().push(r);
    }
    let mut members: BTreeMap<Date, Vec<MemberRow>> = BTreeMap::new();
    for m in files::rows::<MemberRow>(dir, "members.csv")? {
        let m = m?;
        let day = files::date_of(Path::new("members.csv"), 0, "reported_on", &m.reported_on)?;
        let en = enrolment_of_member(&m, false).map_err(|e| bad_row("members.csv", e))?;
        if let Ok(mut r) = sh.records.write() {
            r.add(en.record, &en.body, m.insured_record_id.as_deref().and_then(record_id));
        }
        // a record of the start is recorded before the first day at the latest, a newborn's on its birth day
        let born = files::date_of(Path::new("members.csv"), 0, "birth_date", &m.birth_date)?;
        members.entry(day.clamp(day0, add_days(period.start, -1)).max(born).min(period.start)).or_default().push(m);
    }
    let mut day = day0;
    while day <= period.start {
        sh.clock.set(day, 9);
        if let Some(rs) = residents.remove(&day) {
            let groups: Vec<Vec<(usize, ResidentRow)>> =
                (0..sh.writers.len()).flat_map(|w| rs.iter().map(move |r| vec![(w, r.clone())])).collect();
            run_groups(sh, groups, |sh, g| {
                Box::pin(async move {
                    for (w, r) in g {
                        match resident_body(&r.name, &r.name_kana, &r.birth_date, &r.sex, &r.address) {
                            Ok(body) => sh.put_resident(&sh.writers[w], &r.my_number, body).await,
                            Err(e) => sh.fail(
                                "registry_start.csv",
                                &Refusal { code: "unreadable".into(), message: e, fatal: true },
                            ),
                        }
                    }
                })
            })
            .await;
        }
        if let Some(ms) = members.remove(&day) {
            // insured first: a dependent needs its insured member
            let (insured, dependents): (Vec<MemberRow>, Vec<MemberRow>) =
                ms.into_iter().partition(|m| m.relationship == "insured");
            for wave in [insured, dependents] {
                let groups: Vec<Vec<(usize, MemberRow)>> =
                    (0..sh.writers.len()).flat_map(|w| wave.iter().map(move |m| vec![(w, m.clone())])).collect();
                run_groups(sh, groups, |sh, g| {
                    Box::pin(async move {
                        for (w, m) in g {
                            let writer = &sh.writers[w];
                            // onshi's insurers migrate without typing ratios (the law decides); the national
                            // system holds the ratio as typed
                            match enrolment_of_member(&m, !writer.onshi_rules) {
                                Ok(en) => sh.enrol(writer, en).await,
                                Err(e) => sh.fail(
                                    "members.csv",
                                    &Refusal { code: "unreadable".into(), message: e, fatal: true },
                                ),
                            }
                        }
                    })
                })
                .await;
            }
        }
        check_fatal(sh)?;
        day = add_days(day, 1);
    }
    Ok(())
}

/// Step 2 of the flow: every day of the period. Returns (events, visits) read.
pub(super) async fn run_period(
    sh: &Arc<Shared>,
    dir: &Path,
    period: &Period,
    progress: bool,
) -> Result<(u64, u64), SimError> {
    let mut events = files::events(dir)?.peekable();
    let mut visits = files::rows::<VisitRow>(dir, "visits.csv")?.peekable();
    let days = (period.end - period.start).num_days().max(0) as u64 + 1;
    let bar = if progress {
        let b = indicatif::ProgressBar::new(days);
        b.set_style(
            indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:40}] day {pos}/{len} ({eta} left) {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let (mut n_events, mut n_visits) = (0u64, 0u64);
    let mut day = period.start;
    while day <= period.end {
        // the day's events
        let mut registry = Vec::new();
        let mut insurer = Vec::new();
        while let Some(Ok((at, _))) = events.peek() {
            if *at > day {
                break;
            }
            let Some(Ok((_, e))) = events.next() else { break };
            n_events += 1;
            if e.kind.starts_with("resident_") { registry.push(e) } else { insurer.push(e) }
        }
        if let Some(Err(_)) = events.peek() {
            if let Some(Err(e)) = events.next() {
                return Err(e);
            }
        }
        sh.clock.set(day, 9);
        let groups: Vec<Vec<(usize, EventLine)>> = (0..sh.writers.len())
            .flat_map(|w| {
                group_by(registry.clone(), |e| e.my_number.clone().unwrap_or_default())
                    .into_iter()
                    .map(move |g| g.into_iter().map(|e| (w, e)).collect())
            })
            .collect();
        run_groups(sh, groups, |sh, g| {
            Box::pin(async move {
                for (w, e) in g {
                    if let Err(m) = sh.registry_action(&sh.writers[w], &e).await {
                        sh.fail("events.jsonl", &Refusal { code: "unreadable".into(), message: m, fatal: true });
                    }
                }
            })
        })
        .await;
        // the cards of today's acquisitions are known from the event itself
        for e in &insurer {
            if e.kind == "acquire" {
                match enrolment_of_event(e) {
                    Ok(en) => {
                        if let Ok(mut r) = sh.records.write() {
                            r.add(en.record, &en.body, e.insured_record_id.as_deref().and_then(record_id));
                        }
                    }
                    Err(m) => return Err(bad_row("events.jsonl", m)),
                }
            }
        }
        let chain = |e: &EventLine| match e.kind.as_str() {
            "acquire" => household_of(
                e.insurer_number.as_deref().unwrap_or(""),
                e.symbol.as_deref().filter(|s| !s.is_empty()),
                e.number.as_deref().unwrap_or(""),
            ),
            _ => sh.household_of_record(e.record_id.as_deref().unwrap_or("")),
        };
        let chains = group_by(insurer, chain);
        let groups: Vec<Vec<(usize, EventLine)>> = (0..sh.writers.len())
            .flat_map(|w| chains.iter().map(move |c| c.iter().map(|e| (w, e.clone())).collect()))
            .collect();
        run_groups(sh, groups, |sh, g| {
            Box::pin(async move {
                for (w, e) in g {
                    if let Err(m) = sh.insurer_action(&sh.writers[w], &e).await {
                        sh.fail("events.jsonl", &Refusal { code: "unreadable".into(), message: m, fatal: true });
                    }
                }
            })
        })
        .await;
        // what the insurers do today about what was pending
        let due: Vec<Due> = match sh.due.lock() {
            Ok(mut d) => {
                let later = d.split_off(&add_days(day, 1));
                std::mem::replace(&mut *d, later).into_values().flatten().collect()
            }
            Err(_) => Vec::new(),
        };
        let groups: Vec<Vec<Due>> = due.into_iter().map(|d| vec![d]).collect();
        run_groups(sh, groups, |sh, g| {
            Box::pin(async move {
                for d in g {
                    sh.do_due(d).await;
                }
            })
        })
        .await;
        check_fatal(sh)?;

        // the day's visits, each asked of every policy
        sh.clock.set(day, 12);
        let mut today = Vec::new();
        while let Some(next) = visits.peek() {
            match next {
                Ok(v) if v.service_date.as_str() > day.to_string().as_str() => break,
                Ok(_) => {
                    if let Some(Ok(v)) = visits.next() {
                        today.push(v);
                    }
                }
                Err(_) => {
                    if let Some(Err(e)) = visits.next() {
                        return Err(e);
                    }
                }
            }
        }
        n_visits += today.len() as u64;
        let groups: Vec<Vec<(usize, VisitRow)>> = today
            .chunks(4)
            .flat_map(|c| (0..sh.askers.len()).map(move |a| c.iter().map(|v| (a, v.clone())).collect()))
            .collect();
        run_groups(sh, groups, |sh, g| {
            Box::pin(async move {
                for (a, v) in g {
                    let path = Presents::parse(&v.presents).unwrap_or(Presents::Card);
                    sh.ask(&sh.askers[a], &v, path).await;
                }
            })
        })
        .await;
        check_fatal(sh)?;
        bar.inc(1);
        day = add_days(day, 1);
    }
    bar.finish_and_clear();
    Ok((n_events, n_visits))
}
