//! `onshi serve --demo`: a small hand-made world that exercises the trouble cases of the seeds, loaded
//! through the same use-cases as every request, and a printed guide with working tokens and calls.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Context, anyhow};
use onshi_ids::MyNumber;
use onshi_service::api::{
    CredentialBody, EnrolBody, IncomeBracketValue, LossBody, RelationshipValue, ResidentBody, SexValue,
};
use onshi_service::{Actor, Ctx, Service};
use onshi_store::AnyStore;

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
pub async fn load(svc: &Service<AnyStore>, admin: &str, addr: SocketAddr, data: &Path) -> anyhow::Result<String> {
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
    let clinic = svc
        .issue_credential(&cx, CredentialBody { role: "clinic".into(), subject: "1311234567".into() })
        .await
        .map_err(err)?;
    let insurer = svc
        .issue_credential(&cx, CredentialBody { role: "insurer".into(), subject: "06139992".into() })
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
    Ok(out)
}
