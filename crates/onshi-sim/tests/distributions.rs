//! The world follows the figures it is drawn from. One seeded world of 100,000 persons (about 3 s in release),
//! shared by every test here; each expectation comes from the data tables or from the published figure
//! cited beside it, never from a run of the generator. Tolerances are about four standard errors at this
//! size (households share a surname, so surnames get more room than ages).

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use onshi_ids::InsurerKind as K;
use onshi_ledger::{Change, Entry, MemberStatic, RecordedAt, Seq};
use onshi_sim::figures::{AGE_BANDS, MALE_SHARE, NON_JIS_VARIANTS, twin_delivery_share};
use onshi_sim::{Action, Cause, Config, Lags, Legacy, PersonInfo, World, world};

const PERSONS: u64 = 100_000;

fn config() -> Config {
    Config::new(PERSONS, 2025)
}

fn the_world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| world(&config()).expect("a world"))
}

/// The persons living at the start (not born during the period).
fn at_start() -> impl Iterator<Item = &'static PersonInfo> {
    the_world().persons.iter().filter(|p| !p.born_in_period)
}

// ------------------------------------------------------------------------------------------- surnames

/// `data/surnames.tsv`: surname, estimated population, reading.
fn surname_table() -> Vec<(&'static str, f64)> {
    include_str!("../data/surnames.tsv")
        .lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?, f.next()?.parse().ok()?))
        })
        .collect()
}

/// The registered surname with its variants outside JIS X 0208 written as the standard character the table
/// counts them under (髙橋 → 高橋).
fn standard(surname: &str) -> String {
    surname.chars().map(|c| NON_JIS_VARIANTS.iter().find(|v| v.1 == c).map_or(c, |v| v.0)).collect()
}

#[test]
fn surnames_follow_their_population_shares() {
    let table = surname_table();
    assert_eq!(table.len(), 1999);
    let total: f64 = table.iter().map(|s| s.1).sum();
    let mut count: HashMap<String, u64> = HashMap::new();
    let mut n = 0u64;
    for p in at_start() {
        *count.entry(standard(&p.surname)).or_default() += 1;
        n += 1;
    }
    // every surname is one of the table's
    let known: std::collections::HashSet<&str> = table.iter().map(|s| s.0).collect();
    let strays: Vec<&String> = count.keys().filter(|s| !known.contains(s.as_str())).take(5).collect();
    assert!(strays.is_empty(), "surnames outside the table: {strays:?}");

    let share = |s: &str| count.get(s).copied().unwrap_or(0) as f64 / n as f64;
    let mut report = String::new();
    let mut worst = 0.0f64;
    for (name, pop) in table.iter().take(10) {
        let (expected, observed) = (pop / total, share(name));
        let rel = (observed - expected).abs() / expected;
        worst = worst.max(rel);
        report.push_str(&format!("{name} {:.3}% vs {:.3}%\n", 100.0 * observed, 100.0 * expected));
    }
    assert!(worst <= 0.15, "a top-10 surname is off by more than 15%:\n{report}");
    // the head of the distribution as a whole: the 100 commonest surnames
    let head_expected: f64 = table.iter().take(100).map(|s| s.1).sum::<f64>() / total;
    let head_observed: f64 = table.iter().take(100).map(|s| share(s.0)).sum();
    assert!(
        (head_observed - head_expected).abs() / head_expected <= 0.04,
        "the 100 commonest surnames: {head_observed:.4} of persons, {head_expected:.4} in the table"
    );
    // and the long tail is there: rare surnames (below rank 1000) hold their share too
    let tail_expected: f64 = table.iter().skip(1000).map(|s| s.1).sum::<f64>() / total;
    let tail_observed: f64 = table.iter().skip(1000).map(|s| share(s.0)).sum();
    assert!(
        (tail_observed - tail_expected).abs() / tail_expected <= 0.10,
        "surnames below rank 1000: {tail_observed:.4} of persons, {tail_expected:.4} in the table"
    );
}

#[test]
fn registered_variants_outside_jis_x_0208_appear_at_their_share() {
    // of the persons whose surname has 高, 崎 or 吉, the share registered with 髙, 﨑 or 𠮷
    for (std_c, variant, expected) in NON_JIS_VARIANTS {
        let (mut with, mut of) = (0u64, 0u64);
        for p in at_start() {
            if p.surname.contains(variant) {
                with += 1;
                of += 1;
            } else if p.surname.contains(std_c) {
                of += 1;
            }
        }
        let observed = with as f64 / of.max(1) as f64;
        let sd = (expected * (1.0 - expected) / of.max(1) as f64).sqrt();
        // households share their surname: twice the binomial standard error, four times over
        assert!(
            (observed - expected).abs() <= 8.0 * sd + 0.005,
            "{variant} for {std_c}: {with} of {of} ({observed:.3}), expected {expected}"
        );
    }
}

// ------------------------------------------------------------------------------------------- ages

#[test]
fn ages_follow_the_2020_census_pyramid() {
    let start = config().start;
    let mut bands = [0u64; 21];
    let mut n = 0u64;
    for p in at_start() {
        let age = onshi_law::age_on(p.birth_date, start);
        bands[(age / 5).min(20) as usize] += 1;
        n += 1;
    }
    assert_eq!(n, PERSONS);
    let total: f64 = AGE_BANDS.iter().map(|&b| f64::from(b)).sum();
    let mut report = String::new();
    let mut bad = Vec::new();
    for (i, (&count, &census)) in bands.iter().zip(AGE_BANDS.iter()).enumerate() {
        let expected = f64::from(census) / total;
        let observed = count as f64 / n as f64;
        let tolerance = 4.0 * (expected * (1.0 - expected) / n as f64).sqrt() + 0.0005;
        let label = if i == 20 { "100+".to_owned() } else { format!("{}–{}", i * 5, i * 5 + 4) };
        report.push_str(&format!("{label:>7} {:6.3}% census {:6.3}%\n", 100.0 * observed, 100.0 * expected));
        if (observed - expected).abs() > tolerance {
            bad.push(label);
        }
    }
    assert!(bad.is_empty(), "bands off the census: {bad:?}\n{report}");
}

#[test]
fn the_share_of_men_follows_the_census() {
    let total: f64 = AGE_BANDS.iter().map(|&b| f64::from(b)).sum();
    let expected: f64 = AGE_BANDS.iter().zip(MALE_SHARE).map(|(&b, m)| f64::from(b) * m).sum::<f64>() / total;
    let (men, n) = at_start().fold((0u64, 0u64), |(m, n), p| (m + u64::from(p.sex == onshi_ledger::Sex::Male), n + 1));
    let observed = men as f64 / n as f64;
    assert!((observed - expected).abs() <= 0.008, "men {observed:.4}, census {expected:.4}");
}

// ------------------------------------------------------------------------------------------- twins

#[test]
fn twins_are_born_at_the_multiple_birth_rate() {
    // a delivery is twins with probability q (人口動態統計, by birth year): of the persons born, 2q / (1 + q)
    // are twins
    let expected: f64 = at_start()
        .map(|p| {
            let q = twin_delivery_share(p.birth_date);
            2.0 * q / (1.0 + q)
        })
        .sum();
    let persons: HashMap<_, _> = the_world().persons.iter().map(|p| (p.my_number, p)).collect();
    let mut twins = 0u64;
    for p in at_start().filter(|p| p.twin.is_some()) {
        twins += 1;
        let t = p.twin.and_then(|t| persons.get(&t)).expect("the twin is a person of the world");
        assert_eq!(t.twin, Some(p.my_number), "twins are mutual");
        assert_eq!(t.birth_date, p.birth_date, "twins share a birth date");
        assert_ne!(t.name, p.name, "twins never share a name");
    }
    // about 1,400 twins: a standard error of about 2.7% on the pairs
    let rel = (twins as f64 - expected).abs() / expected;
    assert!(rel <= 0.12, "{twins} twins, {expected:.0} expected at the vital statistics' rate");
}

// ------------------------------------------------------------------------------------------- insurers

/// Members by insurer kind, 令和4年3月末 (厚生労働省「我が国の医療保険について」, 医療保険制度の体系), in
/// thousands: 協会けんぽ 40,270 (日本統計年鑑 第75回 表23-9: 40,265), 健保組合 28,380 (28,382), 共済組合
/// 8,690, 市町村国保 25,370, 国保組合 2,680, 後期高齢者医療 18,430.
const MEMBERS_2022: [(&str, f64); 6] = [
    ("協会けんぽ", 40_270.0),
    ("健保組合", 28_380.0),
    ("共済組合", 8_690.0),
    ("市町村国保", 25_370.0),
    ("国保組合", 2_680.0),
    ("後期高齢者医療", 18_430.0),
];

fn group(k: K) -> &'static str {
    match k {
        K::KyokaiKenpo => "協会けんぽ",
        K::HealthInsuranceSociety => "健保組合",
        K::NationalHealthInsurance => "市町村国保",
        K::NationalHealthInsuranceAssociation => "国保組合",
        K::LateStageElderly => "後期高齢者医療",
        _ => "共済組合",
    }
}

#[test]
fn members_are_spread_over_insurer_kinds_as_in_japan() {
    let w = the_world();
    let kind: HashMap<_, _> = w.insurers.iter().map(|i| (i.number, i.kind)).collect();
    let mut by: BTreeMap<&str, f64> = BTreeMap::new();
    for m in &w.members {
        *by.entry(group(kind[&m.key.insurer_number])).or_default() += 1.0;
    }
    let members: f64 = by.values().sum();
    let real: f64 = MEMBERS_2022.iter().map(|g| g.1).sum();
    let mut report = String::new();
    let mut bad = Vec::new();
    for (g, n) in MEMBERS_2022 {
        let (expected, observed) = (n / real, by.get(g).copied().unwrap_or(0.0) / members);
        report.push_str(&format!("{g} {:.1}% vs {:.1}%\n", 100.0 * observed, 100.0 * expected));
        // two points, and a fifth of the share for the small ones
        if (observed - expected).abs() > 0.02 || (observed - expected).abs() > 0.2 * expected {
            bad.push(g);
        }
    }
    assert!(bad.is_empty(), "member shares off the real ones: {bad:?}\n{report}");
    // about everyone is covered (public assistance, 生活保護, is about 1.6% of residents)
    let covered = members / PERSONS as f64;
    assert!((0.975..=0.995).contains(&covered), "{covered:.4} of residents are members");
}

// ------------------------------------------------------------------------------------------- lags

/// Days from the legal date to the national system: the insurer's notification (`reported_on` − `effective_on`
/// in the events) plus the registration the legacy policy draws for the entry. A newborn's enrolment is left
/// out: it waits for the birth's registration (出生届, up to 14 days, 戸籍法 第49条) and the child's My Number,
/// a step of the registry the standard days (computed from the employer's notice deadlines) do not count.
#[test]
fn mean_reporting_lags_are_the_board_of_audit_standard_days() {
    let cfg = config();
    let w = the_world();
    let legacy = Legacy::new(&Lags::default(), 1.0);
    let kind: HashMap<_, _> = w.insurers.iter().map(|i| (i.number, i.kind)).collect();
    let mut statik: HashMap<_, MemberStatic> = HashMap::new();
    let static_of = |m: &onshi_sim::Member| MemberStatic {
        key: m.key.clone(),
        relationship: m.relationship,
        birth_date: m.birth_date,
        sex: m.sex,
    };
    for m in &w.members {
        statik.insert(m.record_id, static_of(m));
    }
    for e in &w.events {
        if let Action::Acquire(m) = &e.action {
            statik.insert(m.record_id, static_of(m));
        }
    }
    // (kind, lose) → (sum of days, count); only changes whose report cannot fall after the period
    let last_effective = cfg.end() - chrono::Days::new(90);
    let mut sums: BTreeMap<(K, bool), (f64, u64)> = BTreeMap::new();
    let mut public_business_days: BTreeMap<u32, u64> = BTreeMap::new();
    for e in &w.events {
        let (record, lose) = match &e.action {
            Action::Acquire(m) => (m.record_id, false),
            Action::Lose { record_id, .. } => (*record_id, true),
            _ => continue,
        };
        if e.effective_on > last_effective || (e.cause == Cause::Birth && !lose) {
            continue;
        }
        let s = statik.get(&record).expect("every record lost was enrolled");
        let change = if lose {
            Change::Lose { reason: None }
        } else {
            Change::Acquire {
                name: String::new(),
                name_kana: String::new(),
                address: String::new(),
                income_bracket: None,
                copay_override: None,
            }
        };
        let entry = Entry { seq: Seq(1), recorded_at: RecordedAt(0), effective_on: e.effective_on, change };
        let registration = legacy.registration_days(s, &entry, e.reported_on);
        let k = kind[&s.key.insurer_number];
        if k == K::NationalHealthInsurance {
            let to = e.reported_on + chrono::Days::new(registration as u64);
            let business = e.reported_on.iter_days().skip(1).take_while(|d| *d <= to).filter(|d| {
                use chrono::Datelike;
                d.weekday().number_from_monday() <= 5
            });
            *public_business_days.entry(business.count() as u32).or_default() += 1;
        }
        let notification = (e.reported_on - e.effective_on).num_days();
        let v = sums.entry((k, lose)).or_default();
        v.0 += (notification + registration) as f64;
        v.1 += 1;
    }
    let mean = |k: K, lose: bool| {
        let (sum, n) = sums.get(&(k, lose)).copied().unwrap_or((0.0, 0));
        assert!(n >= 300, "{k:?} {}: only {n} changes", if lose { "losses" } else { "acquisitions" });
        sum / n as f64
    };
    // 会計検査院 2024-05-15 注22 (the seeds): 協会けんぽ 29 days after an acquisition, 19 after a loss;
    // 健康保険組合 8 and 7. Tolerances: about four standard errors (協会けんぽ's lags spread over ±8 days).
    let measured = [
        ("協会けんぽ acquisition", mean(K::KyokaiKenpo, false), 29.0, 1.0),
        ("協会けんぽ loss", mean(K::KyokaiKenpo, true), 19.0, 0.8),
        ("健保組合 acquisition", mean(K::HealthInsuranceSociety, false), 8.0, 0.4),
        ("健保組合 loss", mean(K::HealthInsuranceSociety, true), 7.0, 0.4),
    ];
    let report: Vec<String> = measured.iter().map(|(w, m, f, _)| format!("{w} {m:.2} days (figure {f})")).collect();
    eprintln!("mean total lags: {report:?}");
    for (what, m, figure, tolerance) in measured {
        assert!((m - figure).abs() <= tolerance, "{what}: mean {m:.2} days, Board of Audit {figure}\n{report:?}");
    }
    // 国保: the registration takes 2–3 business days (a municipality's answer in the seeds)
    assert!(public_business_days.values().sum::<u64>() >= 300, "{public_business_days:?}");
    assert!(
        public_business_days.keys().all(|d| (2..=3).contains(d)) && public_business_days.len() == 2,
        "国保 registrations by business days: {public_business_days:?}"
    );
}
