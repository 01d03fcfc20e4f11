//! The replay's report: Markdown tables and an SVG chart of the wrong-answer rate against the reporting lag,
//! both policies side by side. The SVG is written here, by hand (a few lines and rectangles; no plotting
//! crate is needed and the output is byte-stable).

use std::fmt::Write as _;

use crate::measure::{Outcome, Tally, Why};
use crate::replay::{PolicyResult, ReplayReport};

/// What the report says about how it was made.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// The commands that made the world and the report.
    pub commands: Vec<String>,
    /// The machine, and whether it was loaded.
    pub machine: String,
    /// The file name of the SVG, as linked from the Markdown.
    pub svg_name: String,
}

fn pct(n: u64, d: u64) -> String {
    if d == 0 { "–".into() } else { format!("{:.3}%", 100.0 * n as f64 / d as f64) }
}

/// `1234567` → `1,234,567` (the reports' and the demo's counts).
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The onshi result and the legacy result at factor 1 (or the first legacy one).
fn main_pair(r: &ReplayReport) -> (Option<&PolicyResult>, Option<&PolicyResult>) {
    let onshi = r.policies.iter().find(|p| p.factor.is_none());
    let legacy = r
        .policies
        .iter()
        .find(|p| p.factor.is_some_and(|f| (f - 1.0).abs() < 1e-9))
        .or_else(|| r.policies.iter().find(|p| p.factor.is_some()));
    (onshi, legacy)
}

fn outcome_rows(w: &mut String, cols: &[&PolicyResult], tally: impl Fn(&PolicyResult) -> Tally) {
    let tallies: Vec<Tally> = cols.iter().map(|p| tally(p)).collect();
    for o in Outcome::ALL {
        if tallies.iter().all(|t| t.count(o) == 0) && matches!(o, Outcome::Unmatched | Outcome::Refused) {
            continue;
        }
        let _ = write!(w, "| {} |", o.label());
        for t in &tallies {
            let _ = write!(w, " {} | {} |", thousands(t.count(o)), pct(t.count(o), t.questions));
        }
        w.push('\n');
    }
    let _ = write!(w, "| **wrong answers** |");
    for t in &tallies {
        let _ = write!(w, " **{}** | **{}** |", thousands(t.wrong()), pct(t.wrong(), t.questions));
    }
    w.push('\n');
    let _ = write!(w, "| questions asked |");
    for t in &tallies {
        let _ = write!(w, " {} | |", thousands(t.questions));
    }
    w.push('\n');
}

fn header(w: &mut String, cols: &[&PolicyResult]) {
    let _ = write!(w, "| answer |");
    for p in cols {
        let _ = write!(w, " {} | share |", p.label);
    }
    w.push('\n');
    let _ = write!(w, "|---|");
    for _ in cols {
        w.push_str("---:|---:|");
    }
    w.push('\n');
}

fn by_path(p: &PolicyResult, path: &'static str) -> Tally {
    let mut t = Tally::default();
    if let Some(m) = p.tally.by_path.get(path) {
        for (o, n) in m {
            t.questions += n;
            t.outcomes.insert(*o, *n);
        }
    }
    t
}

/// The Markdown report.
pub fn markdown(r: &ReplayReport, cx: &Context) -> String {
    let mut w = String::new();
    let (onshi, legacy) = main_pair(r);
    let _ = writeln!(w, "# What the counter is told: onshi and the national system on one synthetic world\n");
    let _ = writeln!(
        w,
        "{} persons at the start, seed {}, {} to {}: {} life events and {} clinic visits replayed in simulated \
         time through `onshi_service::Service` on the embedded SQLite store, each visit's eligibility question \
         asked of every policy and compared with the truth. The model (lags, errors, what each policy does) is in \
         [sim-format.md](sim-format.md); the policies are the two implementations of `onshi_service::Policy`.\n",
        thousands(r.period.persons),
        r.period.seed,
        r.period.start,
        r.period.end,
        thousands(r.events),
        thousands(r.visits)
    );
    let _ = writeln!(w, "Made with:\n\n```sh");
    for c in &cx.commands {
        let _ = writeln!(w, "{c}");
    }
    let _ = writeln!(w, "```\n");
    if !cx.machine.is_empty() {
        let _ = writeln!(w, "Machine: {}.\n", cx.machine);
    }
    if !cx.svg_name.is_empty() {
        let _ = writeln!(w, "![wrong-answer rate against the reporting lag]({})\n", cx.svg_name);
    }
    let cols: Vec<&PolicyResult> = [onshi, legacy].into_iter().flatten().collect();
    let _ = writeln!(w, "## Every answer, both policies\n");
    let _ = writeln!(
        w,
        "The legacy column is the national system with the Board of Audit's registration lags (factor 1). Each \
         question counts once, under the first kind that applies (another person's data, then a wrong validity, \
         then the ratio, then 「●」).\n"
    );
    header(&mut w, &cols);
    outcome_rows(&mut w, &cols, |p| p.tally.clone());
    w.push('\n');
    for (path, title) in [
        ("card", "Asked by the card's numbers (資格確認書)"),
        ("my_number_card", "Asked by My Number card (マイナ保険証)"),
    ] {
        if cols.iter().all(|p| !p.tally.by_path.contains_key(path)) {
            continue;
        }
        let _ = writeln!(w, "### {title}\n");
        header(&mut w, &cols);
        outcome_rows(&mut w, &cols, |p| by_path(p, path));
        w.push('\n');
    }
    if let Some(o) = onshi {
        why_section(&mut w, o);
    }
    let _ = writeln!(w, "## Wrong answers against the reporting lag\n");
    let _ = writeln!(
        w,
        "The legacy policy run with its registration lag (insurer's record → 中間サーバー) multiplied by each \
         factor; 0 is a national system as fresh as the insurer's own record, 1 the Board of Audit's standard \
         days (協会けんぽ 29/19, 健保組合 8/7 days after the legal date, employer's notice included; 国保 2–3 \
         business days). onshi has no registration lag: its row is the same at every factor. The employer's or \
         person's notice to the insurer (notification lag) stays in both.\n"
    );
    let sweep: Vec<&PolicyResult> = r.policies.iter().filter(|p| p.factor.is_some()).collect();
    let _ = writeln!(
        w,
        "| registration lag factor | legacy: wrong | legacy: 10割 (valid shown invalid) | legacy: shown valid after loss | onshi: wrong |"
    );
    let _ = writeln!(w, "|---:|---:|---:|---:|---:|");
    for p in &sweep {
        let t = &p.tally;
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} |",
            p.factor.unwrap_or(0.0),
            pct(t.wrong(), t.questions),
            pct(t.count(Outcome::ValidShownInvalid), t.questions),
            pct(t.count(Outcome::InvalidShownValid), t.questions),
            onshi.map(|o| pct(o.tally.wrong(), o.tally.questions)).unwrap_or_else(|| "–".into())
        );
    }
    w.push('\n');
    let _ = writeln!(w, "## What the stores were told\n");
    let _ = writeln!(
        w,
        "Refusals are the service's answers to the insurers' requests; corrections are what the replay's insurers \
         did about them (onshi: a refused link is searched in the registry with the record's basic four, a refused \
         ratio is sent again without, so the law decides; a link graded B is confirmed with the person, or removed \
         when it is another person's). The insurers' follow-ups are applied too: `link_search` (a member without a \
         My Number linked from the registry's search), `death` (the registry's) and its acceptance by each \
         insurer holding a link, with the dependents' losses. Nothing is dropped silently.\n"
    );
    let _ = writeln!(w, "| store | applied | refused | corrected | not sent |");
    let _ = writeln!(w, "|---|---|---|---|---|");
    for (name, s) in &r.writers {
        let list = |m: Vec<(String, u64)>| {
            if m.is_empty() {
                "–".to_owned()
            } else {
                m.into_iter().map(|(k, v)| format!("{k}: {}", thousands(v))).collect::<Vec<_>>().join("; ")
            }
        };
        let _ = writeln!(
            w,
            "| {name} | {} | {} | {} | {} |",
            list(s.applied.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()),
            list(s.refused.iter().map(|(k, v)| (k.clone(), *v)).collect()),
            list(s.corrected.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()),
            list(s.skipped.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()),
        );
    }
    w.push('\n');
    let not_asked: Vec<String> = r
        .policies
        .iter()
        .filter(|p| p.not_asked > 0)
        .map(|p| format!("{}: {}", p.label, thousands(p.not_asked)))
        .collect();
    if !not_asked.is_empty() {
        let _ = writeln!(w, "Visits not asked (no card to ask by): {}.\n", not_asked.join(", "));
    }
    if let Some(p) = r.policies.iter().find(|p| p.not_asked_unregistered > 0) {
        let _ = writeln!(
            w,
            "Visits not asked: {} by newborns before their birth was registered (出生届, 0–14 days after the \
             birth) — no My Number yet, so no My Number card, and no card: no system can be asked (the counter uses \
             被保険者資格申立書 or refunds later). The same visits for every policy.\n",
            thousands(p.not_asked_unregistered)
        );
    }
    let _ = writeln!(w, "## Speed\n");
    let _ = writeln!(
        w,
        "Loading the start state: {:.1} s; the period: {:.1} s for {} events and {} eligibility questions \
         ({:.0} questions/s over {} policies).",
        r.load_seconds,
        r.period_seconds,
        thousands(r.events),
        thousands(r.checks),
        if r.period_seconds > 0.0 { r.checks as f64 / r.period_seconds } else { 0.0 },
        r.policies.len()
    );
    w
}

/// Why onshi's wrong answers were wrong ([`crate::measure::explain`]), overall and by path, with examples.
fn why_section(w: &mut String, p: &PolicyResult) {
    let t = &p.tally;
    let _ = writeln!(w, "## Why onshi's wrong answers were wrong\n");
    let _ = writeln!(
        w,
        "Each wrong answer of onshi, by what the system had been told by the day of the visit \
         (`onshi_sim::measure::explain`): the life event's action (acquisition, loss, change) had not reached it \
         yet; the covering record was recorded but not linked to the patient's My Number; its link waited for \
         the insurer's confirmation; or the system had been told and still answered wrong.\n"
    );
    let paths = [("card", "by card's numbers"), ("my_number_card", "by My Number card")];
    let _ = write!(w, "| why | all | share |");
    for (_, title) in paths {
        let _ = write!(w, " {title} | share |");
    }
    let _ = writeln!(w, "\n|---|---:|---:|---:|---:|---:|---:|");
    let asked = |path: &str| t.by_path.get(path).map_or(0, |m| m.values().sum::<u64>());
    for why in Why::ALL {
        let _ = write!(
            w,
            "| {} | {} | {} |",
            why.label(),
            thousands(t.count_why(None, why)),
            pct(t.count_why(None, why), t.questions)
        );
        for (path, _) in paths {
            let n = t.count_why(Some(path), why);
            let _ = write!(w, " {} | {} |", thousands(n), pct(n, asked(path)));
        }
        w.push('\n');
    }
    let _ = write!(
        w,
        "| **truthful or honest** | **{}** | **{}** |",
        thousands(t.questions - t.wrong()),
        pct(t.questions - t.wrong(), t.questions)
    );
    for (path, _) in paths {
        let wrong: u64 =
            t.by_path.get(path).map_or(0, |m| m.iter().filter(|(o, _)| o.is_wrong()).map(|(_, n)| n).sum());
        let _ = write!(w, " **{}** | **{}** |", thousands(asked(path) - wrong), pct(asked(path) - wrong, asked(path)));
    }
    w.push_str("\n\n");
    if !t.followed.is_empty() {
        let list: Vec<String> = t.followed.iter().map(|(k, n)| format!("`{k}` {}", thousands(*n))).collect();
        let _ = writeln!(
            w,
            "Questions by My Number card refused with the next step \"check by the 資格確認書's numbers\" and asked \
             again so (counted under the My Number card, judged by the second answer): {}.\n",
            list.join(", ")
        );
    }
    let _ = writeln!(w, "By answer and why (every path):\n");
    let _ = writeln!(w, "| answer | why | count | example |");
    let _ = writeln!(w, "|---|---|---:|---|");
    let mut rows: std::collections::BTreeMap<(Outcome, Why), u64> = std::collections::BTreeMap::new();
    for m in t.why.values() {
        for (k, n) in m {
            *rows.entry(*k).or_default() += n;
        }
    }
    for ((o, why), n) in rows {
        let ex = t.why_examples.get(&(o, why)).and_then(|v| v.first()).cloned().unwrap_or_default();
        let _ = writeln!(w, "| {} | {} | {} | {} |", o.label(), why.code(), thousands(n), ex.replace('|', "/"));
    }
    w.push('\n');
}

/// The chart: wrong-answer rate (y) against the registration-lag factor (x), legacy as a line over the
/// factors, onshi as its constant level; beside it, the kinds of wrong answers at factor 1.
pub fn svg(r: &ReplayReport) -> String {
    let (onshi, legacy) = main_pair(r);
    let sweep: Vec<(f64, f64)> =
        r.policies.iter().filter_map(|p| p.factor.map(|f| (f, 100.0 * p.tally.wrong_rate()))).collect();
    let onshi_rate = onshi.map_or(0.0, |o| 100.0 * o.tally.wrong_rate());
    let max_x = sweep.iter().map(|p| p.0).fold(1.0_f64, f64::max);
    let max_y = sweep.iter().map(|p| p.1).fold(onshi_rate, f64::max).max(0.1);
    let step = nice_step(max_y / 5.0);
    let top = (max_y / step).ceil() * step;
    let (x0, y0, pw, ph) = (70.0, 50.0, 430.0, 300.0);
    let px = |x: f64| x0 + pw * x / max_x;
    let py = |y: f64| y0 + ph - ph * y / top;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="430" viewBox="0 0 1000 430" font-family="sans-serif" font-size="13">"#
    );
    let _ = writeln!(s, r#"<rect width="1000" height="430" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="24" font-size="15" font-weight="bold">Wrong answers at the counter against the reporting lag ({} visits)</text>"#,
        x0,
        thousands(r.visits)
    );
    // axes and grid
    let mut y = 0.0;
    while y <= top + 1e-9 {
        let _ = writeln!(
            s,
            r##"<line x1="{x0}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}%</text>"##,
            py(y),
            x0 + pw,
            py(y),
            x0 - 6.0,
            py(y) + 4.0,
            trim(y)
        );
        y += step;
    }
    for &(f, _) in &sweep {
        let _ =
            writeln!(s, r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#, px(f), y0 + ph + 18.0, trim(f));
    }
    let _ = writeln!(
        s,
        r##"<line x1="{x0}" y1="{}" x2="{}" y2="{}" stroke="#333"/><line x1="{x0}" y1="{y0}" x2="{x0}" y2="{}" stroke="#333"/>"##,
        y0 + ph,
        x0 + pw,
        y0 + ph,
        y0 + ph
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">registration lag, × the Board of Audit's standard days (1 = 協会けんぽ 29/19, 健保組合 8/7)</text>"#,
        x0 + pw / 2.0,
        y0 + ph + 40.0
    );
    let _ = writeln!(
        s,
        r#"<text x="18" y="{:.1}" transform="rotate(-90 18 {:.1})" text-anchor="middle">wrong answers, % of questions</text>"#,
        y0 + ph / 2.0,
        y0 + ph / 2.0
    );
    // onshi: constant
    let _ = writeln!(
        s,
        r##"<line x1="{x0}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#1b7837" stroke-width="3"/>"##,
        py(onshi_rate),
        x0 + pw,
        py(onshi_rate)
    );
    // legacy: the sweep
    let pts: Vec<String> = sweep.iter().map(|&(f, v)| format!("{:.1},{:.1}", px(f), py(v))).collect();
    let _ = writeln!(s, r##"<polyline points="{}" fill="none" stroke="#b2182b" stroke-width="3"/>"##, pts.join(" "));
    for &(f, v) in &sweep {
        let _ = writeln!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="4" fill="#b2182b"/><text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#b2182b">{:.2}%</text>"##,
            px(f),
            py(v),
            px(f),
            py(v) - 9.0,
            v
        );
    }
    let _ = writeln!(
        s,
        r##"<rect x="{}" y="58" width="14" height="4" fill="#b2182b"/><text x="{}" y="64">national system (legacy)</text><rect x="{}" y="78" width="14" height="4" fill="#1b7837"/><text x="{}" y="84">onshi: {:.2}%</text>"##,
        x0 + 12.0,
        x0 + 32.0,
        x0 + 12.0,
        x0 + 32.0,
        onshi_rate
    );
    // the kinds at factor 1
    let kinds = [
        (Outcome::ValidShownInvalid, "#d6604d", "covered, shown invalid (10割)"),
        (Outcome::InvalidShownValid, "#f4a582", "shown valid after loss"),
        (Outcome::WrongCopay, "#92c5de", "wrong copay ratio"),
        (Outcome::WrongPerson, "#4d004b", "another person's data"),
        (Outcome::PlaceholderInName, "#878787", "「●」 in the name"),
        (Outcome::Refused, "#000000", "refused"),
    ];
    let bx = 600.0;
    let bars: Vec<(&str, Tally)> = [("onshi", onshi), ("legacy", legacy)]
        .into_iter()
        .filter_map(|(n, p)| p.map(|p| (n, p.tally.clone())))
        .collect();
    let bar_top = bars.iter().map(|(_, t)| 100.0 * t.wrong_rate()).fold(0.1_f64, f64::max);
    let bscale = ph / (bar_top * 1.1);
    let _ = writeln!(s, r#"<text x="{bx}" y="48" font-weight="bold">the kinds of wrong answers (factor 1)</text>"#);
    for (i, (name, t)) in bars.iter().enumerate() {
        let x = bx + 20.0 + i as f64 * 90.0;
        let mut ytop = y0 + ph;
        for (o, colour, _) in kinds {
            let h = 100.0 * t.count(o) as f64 / t.questions.max(1) as f64 * bscale;
            if h > 0.0 {
                ytop -= h;
                let _ = writeln!(s, r#"<rect x="{x:.1}" y="{ytop:.1}" width="50" height="{h:.1}" fill="{colour}"/>"#);
            }
        }
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{name}</text><text x="{:.1}" y="{:.1}" text-anchor="middle">{:.2}%</text>"#,
            x + 25.0,
            y0 + ph + 18.0,
            x + 25.0,
            ytop - 6.0,
            100.0 * t.wrong_rate()
        );
    }
    for (i, (_, colour, label)) in kinds.iter().enumerate() {
        let y = 70.0 + i as f64 * 22.0;
        let _ = writeln!(
            s,
            r#"<rect x="{}" y="{y}" width="14" height="14" fill="{colour}"/><text x="{}" y="{}">{label}</text>"#,
            bx + 210.0,
            bx + 230.0,
            y + 12.0
        );
    }
    s.push_str("</svg>\n");
    s
}

/// The counts as JSON: `{"period", "events", "visits", "checks", "load_seconds", "period_seconds",
/// "policies": [{"label", "factor", "questions", "wrong", "not_asked", "outcomes": {code: n}, "by_path":
/// {path: {code: n}}, "refusals": {code: n}}], "writers": {name: {"applied", "refused", "corrected",
/// "skipped"}}}`.
pub fn json(r: &ReplayReport) -> String {
    use serde_json::{Map, Value, json};
    let outcomes = |m: &std::collections::BTreeMap<Outcome, u64>| -> Value {
        Value::Object(m.iter().map(|(o, n)| (o.code().to_owned(), json!(n))).collect::<Map<_, _>>())
    };
    let policies: Vec<Value> = r
        .policies
        .iter()
        .map(|p| {
            json!({
                "label": p.label,
                "factor": p.factor,
                "questions": p.tally.questions,
                "wrong": p.tally.wrong(),
                "not_asked": p.not_asked,
                "not_asked_unregistered": p.not_asked_unregistered,
                "outcomes": outcomes(&p.tally.outcomes),
                "by_path": Value::Object(p.tally.by_path.iter().map(|(k, m)| ((*k).to_owned(), outcomes(m))).collect()),
                "refusals": p.tally.refusals,
                "followed_by_numbers": p.tally.followed,
                "examples": Value::Object(p.tally.examples.iter().map(|(o, v)| (o.code().to_owned(), json!(v))).collect()),
                "why": Value::Object(p.tally.why.iter().map(|(path, m)| {
                    let by: Map<String, Value> = m.iter().map(|((o, y), n)| (format!("{}/{}", o.code(), y.code()), json!(n))).collect();
                    ((*path).to_owned(), Value::Object(by))
                }).collect()),
            })
        })
        .collect();
    let writers: Map<String, Value> = r
        .writers
        .iter()
        .map(|(n, s)| {
            (n.clone(), json!({"applied": s.applied, "refused": s.refused, "corrected": s.corrected, "skipped": s.skipped, "examples": s.examples}))
        })
        .collect();
    let v = json!({
        "period": {"seed": r.period.seed, "start": r.period.start.to_string(), "end": r.period.end.to_string(), "persons": r.period.persons},
        "events": r.events,
        "visits": r.visits,
        "checks": r.checks,
        "load_seconds": r.load_seconds,
        "period_seconds": r.period_seconds,
        "policies": policies,
        "writers": writers,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

fn nice_step(raw: f64) -> f64 {
    let e = 10f64.powf(raw.max(1e-9).log10().floor());
    let m = raw / e;
    let n = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    n * e
}

fn trim(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_for_people() {
        assert_eq!(thousands(1_072_647), "1,072,647");
        assert_eq!(thousands(12), "12");
        assert_eq!(pct(1, 8), "12.500%");
        assert_eq!(pct(1, 0), "–");
        assert_eq!(nice_step(0.37), 0.5);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(trim(0.5), "0.5");
        assert_eq!(trim(2.0), "2");
    }
}
