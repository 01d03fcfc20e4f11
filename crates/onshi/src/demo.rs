//! `onshi serve --demo`: a small hand-made world that exercises the trouble cases of the seeds, and beside it a
//! seeded generated world of a few thousand persons (`onshi_sim`), both loaded through the same use-cases as
//! every request, and a printed guide with working tokens and calls.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, anyhow};
use onshi_ids::MyNumber;
use onshi_law::Date;
use onshi_service::api::{
    CredentialBody, EnrolBody, IncomeBracketValue, LossBody, RelationshipValue, ResidentBody, SexValue,
};
use onshi_service::{Actor, Ctx, Service};
use onshi_store::AnyStore;

/// Residents at the start of the demo's generated world.
pub const GENERATED_PERSONS: u64 = 3_000;

/// The seed of the demo's generated world (printed, so that `onshi sim generate` can write the same world).
pub const GENERATED_SEED: u64 = 1;

/// Requests in flight while the generated world is loaded (the store commits them in groups).
const CONCURRENCY: usize = 64;

/// The My Number bodies the hand-made demo data uses (this file: 20,261,125,000 + 7·i; the demo cards:
/// 29,990,000,000 + 11·i): a generated resident never takes one.
const RESERVED_BODIES: [std::ops::Range<u64>; 2] = [20_261_125_000..20_261_126_000, 29_990_000_000..29_990_001_000];

const ADDRESS: &str = "東京都千代田区永田町二丁目1番2号";

struct Person {
    name: &'static str,
    kana: &'static str,
    birth: &'static str,
    sex: SexValue,
    address: &'static str,
}

struct Membership {
    insurer: &'static str,
    symbol: Option<&'static str>,
    number: &'static str,
    branch: &'static str,
    relationship: RelationshipValue,
    /// The name as the insurer typed it (None: as registered).
    insurer_name: Option<&'static str>,
    acquired_on: &'static str,
    bracket: Option<IncomeBracketValue>,
    lost_on: Option<&'static str>,
    linked: bool,
}

fn ctx() -> Ctx {
    Ctx { actor: Actor::admin(), request_id: "demo".into(), endpoint: "demo" }
}

fn p(name: &'static str, kana: &'static str, birth: &'static str, sex: SexValue, address: &'static str) -> Person {
    Person { name, kana, birth, sex, address }
}

#[allow(clippy::too_many_arguments)]
fn m(
    insurer: &'static str,
    symbol: Option<&'static str>,
    number: &'static str,
    branch: &'static str,
    relationship: RelationshipValue,
    acquired_on: &'static str,
    linked: bool,
) -> Membership {
    Membership {
        insurer,
        symbol,
        number,
        branch,
        relationship,
        insurer_name: None,
        acquired_on,
        bracket: None,
        lost_on: None,
        linked,
    }
}

/// The demo's people and their coverage, in enrolment order (insured before dependents).
fn world() -> Vec<(Person, Vec<Membership>)> {
    use RelationshipValue::{Dependent, Insured};
    use SexValue::{Female, Male};
    vec![
        // A plain linked household of 協会けんぽ 東京: insured, spouse and a preschool child.
        (
            p("山田 太郎", "ヤマダ タロウ", "1980-04-15", Male, ADDRESS),
            vec![m("01130012", Some("10"), "1001", "00", Insured, "2024-04-01", true)],
        ),
        (
            p("山田 花子", "ヤマダ ハナコ", "1982-09-03", Female, ADDRESS),
            vec![m("01130012", Some("10"), "1001", "01", Dependent, "2024-04-01", true)],
        ),
        (
            p("山田 さくら", "ヤマダ サクラ", "2022-06-10", Female, ADDRESS),
            vec![m("01130012", Some("10"), "1001", "02", Dependent, "2022-06-10", true)],
        ),
        // 髙 is outside JIS X 0208: the claim-ready name shows 高, never ●.
        (
            p("髙橋 一郎", "タカハシ イチロウ", "1965-03-03", Male, "東京都港区芝公園四丁目2番8号"),
            vec![m("06139992", Some("7"), "2001", "00", Insured, "2010-04-01", true)],
        ),
        // The insurer typed 浜田 for a registered 濱田: linked as B (kanji variant).
        (
            p("濱田 美香", "ハマダ ミカ", "1990-12-12", Female, "大阪府大阪市北区梅田三丁目1番1号"),
            vec![Membership {
                insurer_name: Some("浜田 美香"),
                ..m("06139992", Some("7"), "2002", "00", Insured, "2015-04-01", true)
            }],
        ),
        // Twins as dependents: same number and birth date, different branch.
        (
            p("佐藤 勇", "サトウ イサム", "1978-01-20", Male, "神奈川県横浜市中区本町六丁目50番地10"),
            vec![m("06139992", Some("7"), "3001", "00", Insured, "2005-04-01", true)],
        ),
        (
            p("佐藤 翔太", "サトウ ショウタ", "2015-05-05", Male, "神奈川県横浜市中区本町六丁目50番地10"),
            vec![m("06139992", Some("7"), "3001", "01", Dependent, "2015-05-05", true)],
        ),
        (
            p("佐藤 健太", "サトウ ケンタ", "2015-05-05", Male, "神奈川県横浜市中区本町六丁目50番地10"),
            vec![m("06139992", Some("7"), "3001", "02", Dependent, "2015-05-05", true)],
        ),
        // 国保: born on the 1st, so the 70–74 ratio started in the birthday month.
        (
            p("斉藤 進", "サイトウ ススム", "1955-06-01", Male, "東京都世田谷区太子堂一丁目1番1号"),
            vec![m("138016", None, "4001", "00", Insured, "2015-04-01", true)],
        ),
        // 齋藤 (a different surname from 斉藤) with a 現役並み income: 3割 at 72.
        (
            p("齋藤 正", "サイトウ タダシ", "1954-02-10", Male, "東京都世田谷区太子堂一丁目1番1号"),
            vec![Membership {
                bracket: Some(IncomeBracketValue::ActiveEquivalent),
                ..m("138016", None, "4002", "00", Insured, "2015-04-01", true)
            }],
        ),
        // 後期高齢者医療 東京: born on 29 February.
        (
            p("鈴木 ハル", "スズキ ハル", "1948-02-29", Female, "東京都杉並区阿佐谷南一丁目15番1号"),
            vec![m("39131008", None, "5001", "00", Insured, "2023-03-01", true)],
        ),
        // A job change: lost 協会けんぽ on 1 Oct 2026, new 健保組合 from the same day.
        (
            p("田中 次郎", "タナカ ジロウ", "1988-07-07", Male, "東京都江東区豊洲三丁目2番20号"),
            vec![
                Membership {
                    lost_on: Some("2026-10-01"),
                    ..m("01130012", Some("10"), "1002", "00", Insured, "2018-04-01", true)
                },
                m("06139992", Some("7"), "6001", "00", Insured, "2026-10-01", true),
            ],
        ),
        // Same name, same birth date, different sex: the registry search needs the sex to be unique.
        (p("中村 光", "ナカムラ ヒカル", "1999-09-09", Male, "大阪府大阪市北区梅田三丁目1番1号"), vec![]),
        (p("中村 光", "ナカムラ ヒカル", "1999-09-09", Female, "大阪府大阪市北区梅田三丁目1番1号"), vec![]),
    ]
}

/// Loads the demo world and returns the guide to print.
pub async fn load(svc: &Arc<Service<AnyStore>>, admin: &str, addr: SocketAddr, data: &Path) -> anyhow::Result<String> {
    let cx = ctx();
    let err = |e: onshi_service::ServiceError| anyhow!("demo world: {e}");
    let mut numbers = Vec::new();
    for (i, (person, memberships)) in world().into_iter().enumerate() {
        let mn = MyNumber::from_body(&format!("{:011}", 20_261_125_000u64 + i as u64 * 7))
            .map_err(|e| anyhow!("demo My Number: {e}"))?;
        svc.put_resident(
            &cx,
            mn.as_str(),
            ResidentBody {
                name: person.name.into(),
                name_kana: person.kana.into(),
                birth_date: person.birth.into(),
                sex: person.sex,
                address: person.address.into(),
            },
        )
        .await
        .map_err(err)?;
        numbers.push((person.name, mn));
        for ms in memberships {
            let answer = svc
                .enrol(
                    &cx,
                    EnrolBody {
                        insurer_number: ms.insurer.into(),
                        symbol: ms.symbol.map(Into::into),
                        number: ms.number.into(),
                        branch: ms.branch.into(),
                        relationship: ms.relationship,
                        my_number: ms.linked.then(|| mn.as_str().to_owned()),
                        name: ms.insurer_name.unwrap_or(person.name).into(),
                        name_kana: person.kana.into(),
                        birth_date: person.birth.into(),
                        sex: person.sex,
                        address: person.address.into(),
                        acquired_on: ms.acquired_on.into(),
                        income_bracket: ms.bracket,
                        copay_ratio: None,
                        copay_ratio_reason: None,
                    },
                )
                .await
                .map_err(err)?;
            if let Some(lost_on) = ms.lost_on {
                svc.lose(&cx, &answer.member_id, LossBody { lost_on: lost_on.into() }).await.map_err(err)?;
            }
        }
    }
    let generated = load_generated(svc).await?;
    let clinic = svc
        .issue_credential(
            &cx,
            CredentialBody { role: "clinic".into(), subject: "1311234567".into(), ..Default::default() },
        )
        .await
        .map_err(err)?;
    let insurer = svc
        .issue_credential(
            &cx,
            CredentialBody { role: "insurer".into(), subject: "06139992".into(), ..Default::default() },
        )
        .await
        .map_err(err)?;
    let base = format!("http://{addr}");
    let mut out = String::new();
    let w = &mut out;
    writeln!(w, "onshi demo — serving {base} (data in {})", data.display()).context("format")?;
    writeln!(w).context("format")?;
    writeln!(w, "  admin token   {admin}").context("format")?;
    writeln!(w, "  clinic token  {}   (医療機関コード 1311234567)", clinic.token).context("format")?;
    writeln!(w, "  insurer token {}   (健保組合 06139992)", insurer.token).context("format")?;
    writeln!(w).context("format")?;
    writeln!(w, "Try (paste as is):").context("format")?;
    writeln!(w).context("format")?;
    writeln!(w, "  # 1. a linked member at the counter: valid, 3割, every field a receptionist needs")
        .context("format")?;
    writeln!(
        w,
        "  curl -s {base}/clinic/v1/eligibility -H 'Authorization: Bearer {}' -H 'Content-Type: application/json' \\\n    -d '{{\"insurer_number\":\"01130012\",\"symbol\":\"10\",\"number\":\"1001\",\"birth_date\":\"1980-04-15\"}}'",
        clinic.token
    )
    .context("format")?;
    writeln!(w).context("format")?;
    writeln!(
        w,
        "  # 2. twins share number and birth date: onshi asks for the branch instead of guessing (409 branch_required)"
    )
    .context("format")?;
    writeln!(
        w,
        "  curl -s {base}/clinic/v1/eligibility -H 'Authorization: Bearer {}' -H 'Content-Type: application/json' \\\n    -d '{{\"insurer_number\":\"06139992\",\"symbol\":\"7\",\"number\":\"3001\",\"birth_date\":\"2015-05-05\"}}'",
        clinic.token
    )
    .context("format")?;
    writeln!(w).context("format")?;
    writeln!(w, "  # 3. a registered 髙橋: the claim-ready name is 高橋, never ●").context("format")?;
    writeln!(
        w,
        "  curl -s {base}/clinic/v1/eligibility -H 'Authorization: Bearer {}' -H 'Content-Type: application/json' \\\n    -d '{{\"insurer_number\":\"06139992\",\"symbol\":\"7\",\"number\":\"2001\",\"birth_date\":\"1965-03-03\"}}'",
        clinic.token
    )
    .context("format")?;
    writeln!(w).context("format")?;
    writeln!(w, "The API reference: {base}/openapi.json").context("format")?;
    writeln!(w, "Residents of the demo registry:").context("format")?;
    for (name, mn) in numbers {
        writeln!(w, "  {mn}  {name}").context("format")?;
    }
    writeln!(w, "{}", generated.line()).context("format")?;
    Ok(out)
}

// ------------------------------------------------------------------------------------- the generated world

/// What loading the generated world did.
#[derive(Debug, Default)]
struct Generated {
    as_of: Option<Date>,
    residents: u64,
    members: u64,
    /// Enrolled without their My Number: the link was refused (graded C), as an injected error deserves.
    unlinked: u64,
    /// Refused outright, by code (none expected).
    refused: Vec<String>,
    seconds: f64,
}

impl Generated {
    /// The one line the demo prints about it.
    fn line(&self) -> String {
        let as_of = self.as_of.map(|d| d.to_string()).unwrap_or_default();
        let mut what = format!(
            "{} residents and {} member records loaded in {:.1} s",
            onshi_sim::report::thousands(self.residents),
            onshi_sim::report::thousands(self.members),
            self.seconds
        );
        if self.unlinked > 0 {
            what.push_str(&format!(", {} of them without its My Number (the link was graded C)", self.unlinked));
        }
        if !self.refused.is_empty() {
            what.push_str(&format!(", {} refused ({})", self.refused.len(), self.refused.join(", ")));
        }
        format!(
            "Beside them, a generated world (onshi sim, seed {GENERATED_SEED}, as of {as_of}): {what}; as files: \
             onshi sim generate --persons {GENERATED_PERSONS} --seed {GENERATED_SEED} --start {as_of} --days 0 --out DIR"
        )
    }
}

/// What one request of the load did.
enum Step {
    Done,
    Unlinked,
    Refused(String),
}

fn reserved(mn: &MyNumber) -> bool {
    let body = mn.as_str().get(..11).and_then(|b| b.parse::<u64>().ok()).unwrap_or(0);
    RESERVED_BODIES.iter().any(|r| r.contains(&body))
}

fn internal(what: &str) -> impl FnOnce(String) -> anyhow::Error + '_ {
    move |e| anyhow!("demo world: a generated {what} cannot be sent: {e}")
}

fn resident_body(r: &onshi_sim::Resident) -> anyhow::Result<ResidentBody> {
    Ok(ResidentBody {
        name: r.name.clone(),
        name_kana: r.name_kana.clone(),
        birth_date: r.birth_date.to_string(),
        sex: SexValue::try_from(r.sex.as_str().to_owned()).map_err(internal("resident"))?,
        address: r.address.clone(),
    })
}

/// The enrolment as the insurer typed it, but for the copay ratio: the law decides it (as an insurer migrating
/// its members into onshi does).
fn enrol_body(m: &onshi_sim::Member, linked: bool) -> anyhow::Result<EnrolBody> {
    Ok(EnrolBody {
        insurer_number: m.key.insurer_number.as_str().to_owned(),
        symbol: m.key.symbol.as_ref().map(|s| s.as_str().to_owned()),
        number: m.key.number.as_str().to_owned(),
        branch: m.key.branch.as_str().to_owned(),
        relationship: RelationshipValue::try_from(m.relationship.as_str().to_owned()).map_err(internal("member"))?,
        my_number: m.my_number.filter(|_| linked).map(|n| n.as_str().to_owned()),
        name: m.name.clone(),
        name_kana: m.name_kana.clone(),
        birth_date: m.birth_date.to_string(),
        sex: SexValue::try_from(m.sex.as_str().to_owned()).map_err(internal("member"))?,
        address: m.address.clone(),
        acquired_on: m.acquired_on.to_string(),
        income_bracket: m
            .income_bracket
            .map(|b| IncomeBracketValue::try_from(b.as_str().to_owned()))
            .transpose()
            .map_err(internal("member"))?,
        copay_ratio: None,
        copay_ratio_reason: None,
    })
}

fn fatal(e: &onshi_service::ServiceError) -> bool {
    matches!(e.kind, onshi_service::ErrorKind::Internal | onshi_service::ErrorKind::Unavailable)
}

async fn put_generated(svc: Arc<Service<AnyStore>>, r: onshi_sim::Resident) -> anyhow::Result<Step> {
    let body = resident_body(&r)?;
    match svc.put_resident(&ctx(), r.my_number.as_str(), body).await {
        Ok(_) => Ok(Step::Done),
        Err(e) if fatal(&e) => Err(anyhow!("demo world: {e}")),
        Err(e) => Ok(Step::Refused(format!("resident: {}", e.code))),
    }
}

/// Enrols a member; when its link is refused (an injected error: a twin's number, a stranger's), enrols it
/// again without the number, as an insurer does after 住基ネット照会 finds no unique match.
async fn enrol_generated(svc: Arc<Service<AnyStore>>, m: onshi_sim::Member, linked: bool) -> anyhow::Result<Step> {
    let unlinked = match svc.enrol(&ctx(), enrol_body(&m, linked)?).await {
        Ok(_) => return Ok(Step::Done),
        Err(e) if fatal(&e) => return Err(anyhow!("demo world: {e}")),
        Err(e) if e.code == "linkage_rejected" => enrol_body(&m, false)?,
        Err(e) => return Ok(Step::Refused(format!("{}: {}", m.record_id, e.code))),
    };
    match svc.enrol(&ctx(), unlinked).await {
        Ok(_) => Ok(Step::Unlinked),
        Err(e) if fatal(&e) => Err(anyhow!("demo world: {e}")),
        Err(e) => Ok(Step::Refused(format!("{}: {}", m.record_id, e.code))),
    }
}

/// Runs `f` over `items` with [`CONCURRENCY`] requests in flight and adds up what they did; returns how many
/// took effect.
async fn in_lanes<T, F, Fut>(items: Vec<T>, f: F, into: &mut Generated) -> anyhow::Result<u64>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = anyhow::Result<Step>> + Send,
{
    let mut lanes: Vec<Vec<T>> = (0..CONCURRENCY).map(|_| Vec::new()).collect();
    for (i, it) in items.into_iter().enumerate() {
        lanes[i % CONCURRENCY].push(it);
    }
    let mut set = tokio::task::JoinSet::new();
    for lane in lanes {
        let f = f.clone();
        set.spawn(async move {
            let mut steps = Vec::with_capacity(lane.len());
            for it in lane {
                steps.push(f(it).await?);
            }
            anyhow::Ok(steps)
        });
    }
    let mut applied = 0;
    while let Some(done) = set.join_next().await {
        for step in done.context("demo world: a loading task failed")?? {
            match step {
                Step::Done => applied += 1,
                Step::Unlinked => {
                    applied += 1;
                    into.unlinked += 1;
                }
                Step::Refused(what) => into.refused.push(what),
            }
        }
    }
    // the same order whatever the scheduling
    into.refused.sort();
    Ok(applied)
}

/// Generates the seeded world as of today (its residents and the member records insurers hold, no events)
/// and loads it: the residents, then the insured members, then their dependents.
async fn load_generated(svc: &Arc<Service<AnyStore>>) -> anyhow::Result<Generated> {
    let t = Instant::now();
    let today = onshi_law::legal_today(svc.now());
    let mut cfg = onshi_sim::Config::new(GENERATED_PERSONS, GENERATED_SEED);
    cfg.start = today;
    cfg.days = 0;
    let world = tokio::task::spawn_blocking(move || onshi_sim::world(&cfg))
        .await
        .context("demo world: the generator stopped")?
        .map_err(|e| anyhow!("demo world: [{}] {e}", e.code()))?;
    let mut out = Generated { as_of: Some(today), ..Generated::default() };

    let residents: Vec<onshi_sim::Resident> =
        world.registry_start.into_iter().filter(|r| !reserved(&r.my_number)).collect();
    let s = svc.clone();
    out.residents = in_lanes(residents, move |r| put_generated(s.clone(), r), &mut out).await?;

    // a dependent's insured member first
    let (insured, dependents): (Vec<onshi_sim::Member>, Vec<onshi_sim::Member>) =
        world.members.into_iter().partition(|m| m.insured_record_id.is_none());
    for wave in [insured, dependents] {
        let s = svc.clone();
        let enrol = move |m: onshi_sim::Member| {
            let linked = !m.my_number.as_ref().is_some_and(reserved);
            enrol_generated(s.clone(), m, linked)
        };
        out.members += in_lanes(wave, enrol, &mut out).await?;
    }
    out.seconds = t.elapsed().as_secs_f64();
    Ok(out)
}
