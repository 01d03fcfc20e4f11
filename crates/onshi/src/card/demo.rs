//! The demo's cards: `onshi serve --demo` places card files on the reception screen's reader and prints them
//! with their PIN — a plain check-in, a dependent, a name outside JIS X 0208, a card to lock, an expired card
//! inside and one outside the grace period, a revoked card, and a holder with overlapping coverage.
//!
//! The demo's people are found in the registry by their basic four (so this does not depend on how the demo
//! world numbers them); the ones only the card demo needs are registered here, with birthdays relative to
//! today so the expired cards are always where the demo says.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, anyhow};
use chrono::{Datelike, Duration, Months};
use onshi_ids::MyNumber;
use onshi_law::Date;
use onshi_service::api::{CredentialBody, EnrolBody, RelationshipValue, ResidentBody, SearchBody, SexValue};
use onshi_service::card_api::CardRevokeBody;
use onshi_service::{Actor, Ctx, Service};
use onshi_store::AnyStore;

/// The demo cards' PIN.
pub const DEMO_PIN: &str = "1234";

fn cx() -> Ctx {
    Ctx { actor: Actor::admin(), request_id: "demo-cards".into(), endpoint: "demo" }
}

fn iso(d: Date) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The birthday `days` ago (never 29 February) and the day after which exactly five birthdays lead to it.
fn expired_birthday(today: Date, days: i64) -> (Date, Date) {
    let mut b = today - Duration::days(days);
    if b.month() == 2 && b.day() == 29 {
        b -= Duration::days(1);
    }
    let issued = b.checked_sub_months(Months::new(60)).unwrap_or(b) + Duration::days(10);
    (b, issued)
}

struct Extra {
    name: &'static str,
    kana: &'static str,
    sex: SexValue,
    birth: Date,
    enrol: Vec<(&'static str, Option<&'static str>, &'static str, &'static str)>,
}

async fn register(svc: &Service<AnyStore>, i: u64, p: &Extra) -> anyhow::Result<MyNumber> {
    let err = |e: onshi_service::ServiceError| anyhow!("demo cards: {e}");
    let mn = MyNumber::from_body(&format!("{:011}", 29_990_000_000u64 + i * 11)).map_err(|e| anyhow!("{e}"))?;
    let address = "東京都新宿区西新宿二丁目8番1号";
    svc.put_resident(
        &cx(),
        mn.as_str(),
        ResidentBody {
            name: p.name.into(),
            name_kana: p.kana.into(),
            birth_date: iso(p.birth),
            sex: p.sex,
            address: address.into(),
        },
    )
    .await
    .map_err(err)?;
    for (insurer, symbol, number, acquired) in &p.enrol {
        svc.enrol(
            &cx(),
            EnrolBody {
                insurer_number: (*insurer).into(),
                symbol: symbol.map(Into::into),
                number: (*number).into(),
                branch: "00".into(),
                relationship: RelationshipValue::Insured,
                my_number: Some(mn.as_str().to_owned()),
                name: p.name.into(),
                name_kana: p.kana.into(),
                birth_date: iso(p.birth),
                sex: p.sex,
                address: address.into(),
                acquired_on: (*acquired).into(),
                income_bracket: None,
                copay_ratio: None,
                copay_ratio_reason: None,
            },
        )
        .await
        .map_err(err)?;
    }
    Ok(mn)
}

async fn find(svc: &Service<AnyStore>, name: &str, birth: &str, address: &str) -> Option<MyNumber> {
    let body = SearchBody { name: name.into(), birth_date: birth.into(), address: address.into(), sex: None };
    let a = svc.search_registry(&cx(), body).await.ok()?;
    a.my_number.and_then(|m| MyNumber::parse(&m).ok())
}

/// Issues one card in-process (the same use-case as `POST /registry/v1/cards`) and writes its file.
async fn issue(
    svc: &Service<AnyStore>,
    dir: &Path,
    file: &str,
    mn: &MyNumber,
    issued_on: Option<Date>,
) -> anyhow::Result<(String, String)> {
    let m = mn.as_str().to_owned();
    let (key, body) = tokio::task::spawn_blocking(move || super::card_request(&m, issued_on.map(iso)))
        .await
        .context("card key")??;
    let answer = svc.issue_card(&cx(), body).await.map_err(|e| anyhow!("demo card {file}: {e}"))?;
    let serial = answer.certificate_serial.clone();
    let path = dir.join(file);
    let reset = tokio::task::spawn_blocking(move || -> anyhow::Result<String> {
        let (card, reset) = super::finish_card(&key, &answer, DEMO_PIN)?;
        card.save(&path).map_err(|e| anyhow!("{e}"))?;
        Ok(reset)
    })
    .await
    .context("card file")??;
    Ok((serial, reset))
}

/// Places the demo's cards on the reader in `dir` and returns the guide to print.
pub async fn load(svc: &Service<AnyStore>, dir: &Path, base: &str) -> anyhow::Result<String> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating the reader directory {}", dir.display()))?;
    let today = onshi_law::legal_today(svc.now());
    let (grace_birthday, grace_issued) = expired_birthday(today, 40);
    let (old_birthday, old_issued) = expired_birthday(today, 200);
    let extras = [
        Extra {
            name: "小林 恵",
            kana: "コバヤシ メグミ",
            sex: SexValue::Female,
            birth: grace_birthday.with_year(grace_birthday.year() - 45).unwrap_or(grace_birthday),
            enrol: vec![("01130012", Some("20"), "7001", "2020-04-01")],
        },
        Extra {
            name: "加藤 浩",
            kana: "カトウ ヒロシ",
            sex: SexValue::Male,
            birth: old_birthday.with_year(old_birthday.year() - 52).unwrap_or(old_birthday),
            enrol: vec![("01130012", Some("20"), "7002", "2020-04-01")],
        },
        Extra {
            name: "渡辺 誠",
            kana: "ワタナベ マコト",
            sex: SexValue::Male,
            birth: Date::from_ymd_opt(1975, 11, 3).unwrap_or(today),
            // two insurers both valid today: the card check must flag it, never pick one
            enrol: vec![("06139992", Some("7"), "7003", "2025-04-01"), ("138016", None, "7003", "2025-10-01")],
        },
    ];
    let mut extra_numbers = Vec::new();
    for (i, p) in extras.iter().enumerate() {
        extra_numbers.push(register(svc, i as u64, p).await?);
    }
    let home = "東京都千代田区永田町二丁目1番2号";
    let known = [
        ("yamada-taro.card.json", "山田 太郎", "1980-04-15", home, "a plain check-in: 有効, 3割"),
        ("yamada-hanako.card.json", "山田 花子", "1982-09-03", home, "a dependent: 被保険者名 山田 太郎"),
        (
            "takahashi-ichiro.card.json",
            "髙橋 一郎",
            "1965-03-03",
            "東京都港区芝公園四丁目2番8号",
            "髙 drawn in IPAmj明朝, 高 on the claim",
        ),
        (
            "sato-isamu.card.json",
            "佐藤 勇",
            "1978-01-20",
            "神奈川県横浜市中区本町六丁目50番地10",
            "for practice: type a wrong PIN three times to lock it",
        ),
        (
            "hamada-mika-revoked.card.json",
            "濱田 美香",
            "1990-12-12",
            "大阪府大阪市北区梅田三丁目1番1号",
            "reported lost (revoked): refused",
        ),
    ];
    let mut lines = Vec::new();
    for (file, name, birth, address, what) in known {
        let Some(mn) = find(svc, name, birth, address).await else {
            tracing::warn!(name, "demo cards: resident not in the demo world; card skipped");
            continue;
        };
        let (serial, reset) = issue(svc, dir, file, &mn, None).await?;
        if file.contains("revoked") {
            svc.revoke_card(&cx(), &serial, CardRevokeBody { reason: "lost".into() })
                .await
                .map_err(|e| anyhow!("demo revoke: {e}"))?;
        }
        lines.push((file, what, reset));
    }
    let extra_cards = [
        (
            "kobayashi-megumi-grace.card.json",
            Some(grace_issued),
            "expired 40 days ago: accepted in the grace period, with a notice",
        ),
        ("kato-hiroshi-expired.card.json", Some(old_issued), "expired 200 days ago, past the grace period: refused"),
        ("watanabe-makoto-overlap.card.json", None, "two valid coverages (複数該当): flagged, never picked"),
    ];
    for ((file, issued, what), mn) in extra_cards.into_iter().zip(&extra_numbers) {
        let (_, reset) = issue(svc, dir, file, mn, issued).await?;
        lines.push((file, what, reset));
    }
    let clinic = svc
        .issue_credential(
            &cx(),
            CredentialBody { role: "clinic".into(), subject: "1319876543".into(), ..Default::default() },
        )
        .await
        .map_err(|e| anyhow!("demo: {e}"))?;
    let mut out = String::new();
    let w = &mut out;
    writeln!(w, "Reception screen (受付画面): {base}/reception").context("format")?;
    writeln!(w, "  sign in with the clinic token {}   (医療機関コード 1319876543)", clinic.token).context("format")?;
    writeln!(w, "  cards on the reader (in {}), every PIN is {DEMO_PIN}:", dir.display()).context("format")?;
    for (file, what, reset) in &lines {
        writeln!(w, "    {file:<36} {what}   (PIN reset code {reset})").context("format")?;
    }
    writeln!(
        w,
        "  terminal reader:  onshi card read --server {base} --token {} --card {}",
        clinic.token,
        dir.join("yamada-taro.card.json").display()
    )
    .context("format")?;
    writeln!(w, "  unlock a locked card:  onshi card reset-pin --card {}", dir.join("sato-isamu.card.json").display())
        .context("format")?;
    Ok(out)
}
