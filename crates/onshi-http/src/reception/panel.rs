//! What a check came to, as the reception screen shows it: the banner, the coverage's facts, the notices
//! and the next step, for a check by number, by card, a pending 顔認証, a refusal and a verified document.

use maud::{Markup, html};
use onshi_service::api::{CoverageView, Notice};
use onshi_service::card_api::CardMethod;

use super::{CardForm, Outcome};

pub(super) fn date_ja(s: &str) -> String {
    match onshi_law::parse_iso_date(s) {
        Ok(d) => format!("{s}（{}）", onshi_law::to_wareki(d)),
        Err(_) => s.to_owned(),
    }
}

/// 有効期限: the last day of coverage (the day before `lost_on`).
pub(super) fn expiry_ja(c: &CoverageView) -> String {
    match c.lost_on.as_deref().and_then(|l| onshi_law::parse_iso_date(l).ok()).and_then(|d| d.pred_opt()) {
        Some(d) => date_ja(&d.format("%Y-%m-%d").to_string()),
        None => "定めなし（継続中）".into(),
    }
}

/// An RFC 3339 instant as Japan's wall clock.
pub(super) fn jst(t: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(t) {
        Ok(t) => {
            let off = chrono::FixedOffset::east_opt(9 * 3600).unwrap_or(*t.offset());
            t.with_timezone(&off).format("%Y-%m-%d %H:%M").to_string()
        }
        Err(_) => t.to_owned(),
    }
}

pub(super) fn banner_text(result: &str) -> (&'static str, &'static str) {
    match result {
        "valid" => ("有効", "valid"),
        "invalid" => ("無効", "invalid"),
        "not_found" => ("該当資格なし", "not found"),
        "multiple" => ("複数該当 — 確認が必要", "more than one coverage"),
        _ => ("確認できません", "refused"),
    }
}

pub(super) fn ratio_ja(p: u8) -> String {
    format!("{}割", p / 10)
}

pub(super) fn notices(ns: &[Notice]) -> Markup {
    html! {
        @if !ns.is_empty() {
            ul.notices {
                @for n in ns { li { (n.message) " " span.code { "(" (n.code) ")" } } }
            }
        }
    }
}

pub(super) fn coverage_facts(c: &CoverageView) -> Markup {
    html! {
        p.exact lang="ja" data-testid="exact-name" { (c.name) }
        dl.facts {
            dt { "請求用氏名" } dd data-testid="name-display" { (c.name_display) }
            dt { "カナ氏名" } dd { (c.name_kana) }
            dt { "生年月日" } dd { (date_ja(&c.birth_date)) }
            dt { "負担割合" } dd {
                @match c.copay_ratio {
                    Some(p) => { span.ratio data-testid="copay" { (ratio_ja(p)) } " (" (p) "%)" }
                    None => { "—" }
                }
            }
            dt { "保険者" } dd data-testid="insurer" { (c.insurer_number) " " (c.insurer_kind) }
            dt { "記号・番号・枝番" } dd { (c.symbol.as_deref().unwrap_or("（なし）")) " ・ " (c.number) " ・ " (c.branch) }
            dt { "本人・家族" } dd { @if c.insured_name.is_some() { "家族（被扶養者）" } @else { "本人（被保険者）" } }
            @if let Some(n) = &c.insured_name {
                dt { "被保険者名" } dd data-testid="insured-name" { span.exact style="font-size:28px" { (n) } }
            }
            dt { "資格取得日" } dd data-testid="acquired" { (date_ja(&c.acquired_on)) }
            dt { "有効期限" } dd data-testid="expiry" { (expiry_ja(c)) }
        }
    }
}

pub(super) fn number_next_step(result: &str) -> Option<&'static str> {
    match result {
        "not_found" => Some(
            "次にすること: 保険者番号・記号・番号・生年月日を資格確認書（保険証）と照らして確認してください。入社・転居の直後で保険者の登録が\
             まだの場合は、被保険者資格申立書に記入してもらい、通常の負担割合で受け付けます。",
        ),
        "invalid" => Some(
            "次にすること: 新しい保険証・資格確認書、またはマイナ保険証を確認してください。新しい保険者の登録がまだの場合は\
             被保険者資格申立書で受け付けます。",
        ),
        "multiple" => Some(
            "次にすること: どの保険が現在のものか患者に確認し、古い方の保険者に資格喪失の登録を依頼してください。onshi はどちらかを勝手に選びません。",
        ),
        _ => None,
    }
}

pub(super) fn result_panel(o: &Outcome, cf: &CardForm) -> Markup {
    match o {
        Outcome::FacePending { nonce } => html! {
            section class="result multiple" role="status" aria-live="polite" aria-label="顔認証を待っています" {
                p.banner data-testid="result" { "顔認証を待っています" } " " span.hint { "(waiting for the reader)" }
                p style="font-size:22px" data-testid="message" {
                    "患者にカードリーダーで顔認証を受けてもらってください。リーダーが結果に署名したら、下のボタンを押します。"
                    " (the patient authenticates on the card reader; when the reader has signed its result, press the button)"
                }
                p.next data-testid="next-step" {
                    "次にすること: リーダーで顔認証（`onshi card face`）。できない場合は暗証番号で確認してください。"
                }
                form method="post" action="/reception/card/face" {
                    input type="hidden" name="card" value=(cf.card);
                    input type="hidden" name="method" value="face";
                    input type="hidden" name="nonce" value=(nonce);
                    @if cf.medication.is_some() { input type="hidden" name="medication" value="yes"; }
                    @if cf.checkup.is_some() { input type="hidden" name="checkup" value="yes"; }
                    input type="hidden" name="service_date" value=(cf.service_date);
                    button type="submit" id="face-submit" { "顔認証の結果で確認" }
                }
            }
        },
        Outcome::Number(a) => {
            let (ja, en) = banner_text(&a.result);
            html! {
                section class=(format!("result {}", a.result)) role="status" aria-live="polite" aria-label="確認結果" {
                    p.banner data-testid="result" { (ja) } " " span.hint { "(" (en) ")" }
                    @if let Some(c) = &a.coverage { (coverage_facts(c)) }
                    (notices(&a.notices))
                    @if let Some(n) = number_next_step(&a.result) { p.next { (n) } }
                }
            }
        }
        Outcome::Card(a) => {
            let (ja, en) = banner_text(&a.result);
            html! {
                section class=(format!("result {}", a.result)) role="status" aria-live="polite" aria-label="確認結果" {
                    p.banner data-testid="result" { (ja) } " " span.hint { "(" (en) ")" }
                    p { "マイナ保険証（" (if a.method == CardMethod::Face { "顔認証" } else { "暗証番号" }) "）: "
                        span.exact style="font-size:28px" data-testid="holder" { (a.holder.name) } }
                    @if let Some(c) = &a.coverage { (coverage_facts(c)) }
                    dl.facts {
                        dt { "電子証明書の有効期限" } dd data-testid="certificate" {
                            (date_ja(&a.certificate.expires_on))
                            @if let Some(g) = &a.certificate.grace_until { " — 期限切れ、" (date_ja(g)) " まで利用可（猶予期間）" }
                        }
                        dt { "情報提供の同意" } dd data-testid="consent" {
                            "薬剤情報: " (if a.consent.medication { "同意" } else { "不同意" })
                            " ／ 特定健診等情報: " (if a.consent.checkup { "同意" } else { "不同意" })
                            " （" (jst(&a.consent.expires_at)) " まで）"
                        }
                    }
                    (notices(&a.notices))
                    @if a.result != "valid" {
                        @for c in &a.coverages {
                            div.coverage {
                                p { strong { (banner_text(&c.result).0) } }
                                @if let Some(cv) = &c.coverage { (coverage_facts(cv)) }
                                (notices(&c.notices))
                            }
                        }
                        @if let Some(n) = number_next_step(&a.result) { p.next { (n) } }
                    }
                }
            }
        }
        Outcome::Document(a) => super::document::panel(a),
        Outcome::Refused { code, message, next_step, field } => html! {
            section class="result refused" role="alert" aria-label="確認できません" {
                p.banner data-testid="result" { "確認できません" } " " span.hint { "(refused)" }
                p data-testid="message" style="font-size:22px" { (message) }
                @if let Some(n) = next_step { p.next data-testid="next-step" { "次にすること: " (n) } }
                p.code data-testid="code" { "code: " (code) @if let Some(f) = field { " / field: " (f) } }
            }
        },
    }
}
