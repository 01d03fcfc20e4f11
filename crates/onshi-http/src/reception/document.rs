//! 書面の確認: the clerk scans (or pastes) the QR code of a 資格確認書 or 資格情報のお知らせ; the page says
//! whether it is genuine, forged, revoked or out of its dates — from the server's cached keys and revocation
//! list, as `POST /clinic/v1/documents/verify` — and, for a genuine one, shows the usual check of its numbers.

use std::sync::Arc;

use axum::extract::{Extension, Form, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, html};
use onshi_service::documents::{DocumentVerifyAnswer, DocumentVerifyBody};
use serde::Deserialize;

use super::panel::{banner_text, coverage_facts, date_ja, notices, number_next_step};
use super::{CardForm, NumberForm, Outcome, Reception, actor, ctx, opt, render, sign_in_first};
use crate::{App, RequestId};

#[derive(Deserialize, Default)]
pub(super) struct DocumentForm {
    #[serde(default)]
    qr_text: String,
    #[serde(default)]
    service_date: String,
}

pub(super) async fn by_document(
    State(app): State<App>,
    Extension(cfg): Extension<Arc<Reception>>,
    Extension(rid): Extension<RequestId>,
    headers: HeaderMap,
    Form(f): Form<DocumentForm>,
) -> Response {
    let Some(a) = actor(&app, &headers) else {
        return sign_in_first();
    };
    let body = DocumentVerifyBody { qr_text: f.qr_text.trim().to_owned(), service_date: opt(&f.service_date) };
    let outcome = match app.verify_document(&ctx(a.clone(), &rid, "POST /reception/document"), body).await {
        Ok(ans) => Outcome::Document(Box::new(ans)),
        Err(e) => Outcome::refused(&e),
    };
    Html(render(&a, &cfg, Some(&outcome), &NumberForm::default(), &CardForm::default()).into_string()).into_response()
}

/// The form: a text area a QR scanner types into (it ends with Enter: the area keeps it), or a paste.
pub(super) fn form() -> Markup {
    html! {
        form method="post" action="/reception/document" {
            fieldset {
                legend { "資格確認書・お知らせのQRコードを確認" }
                label for="qr_text" { "QRコードの内容（スキャナで読み取るか、貼り付け。JPHI1: で始まります）" }
                textarea id="qr_text" name="qr_text" rows="4" style="width:100%;font-family:monospace" required autocomplete="off" spellcheck="false" {}
                label for="document-date" { "診療日（空欄は今日）" }
                input id="document-date" name="service_date" type="text" placeholder="YYYY-MM-DD";
                button type="submit" id="document-submit" { "書面を確認" }
            }
        }
    }
}

/// What the verification came to.
pub(super) fn panel(a: &DocumentVerifyAnswer) -> Markup {
    let v = &a.verification;
    let class = if v.genuine { "valid" } else { "refused" };
    html! {
        section class=(format!("result {class}")) role=(if v.genuine { "status" } else { "alert" }) aria-label="書面の確認結果" {
            p.banner data-testid="document-result" {
                (if v.genuine { "書面は正しいものです" } else { "この書面では確認できません" })
            }
            p data-testid="message" style="font-size:22px" { (v.message) }
            @for w in &v.warnings { p.next data-testid="warning" { "注意: " (w.message) } }
            @if let Some(d) = &v.document {
                dl.facts {
                    dt { "書面" } dd { (d.serial) " 第" (d.version) "版" }
                    dt { "氏名" } dd { span.exact style="font-size:28px" data-testid="document-name" { (d.name) }
                        @if d.name_display != d.name { " （請求時の表記: " (d.name_display) "）" } }
                    dt { "保険者" } dd { (d.insurer_number) " " (d.insurer_name) }
                    dt { "記号・番号・枝番" } dd { (d.symbol.as_deref().unwrap_or("—")) " ・ " (d.number) " ・ " (d.branch.as_deref().unwrap_or("—")) }
                    dt { "生年月日" } dd { (date_ja(&d.birth_date)) }
                    dt { "有効期間" } dd { (date_ja(&d.valid_from)) " 〜 " (d.valid_until.as_deref().map(date_ja).unwrap_or_default()) }
                }
            }
            @if !v.genuine {
                p.next data-testid="next-step" { "次にすること: " (v.next_step) }
                p.code data-testid="code" { "code: " (v.code) @if let Some(r) = &v.reason { " / reason: " (r) } }
            }
            @if let Some(e) = &a.eligibility {
                div.coverage {
                    p { "記載の番号での資格確認: " strong data-testid="result" { (banner_text(&e.result).0) } }
                    @if let Some(c) = &e.coverage { (coverage_facts(c)) }
                    (notices(&e.notices))
                    @if let Some(n) = number_next_step(&e.result) { p.next { (n) } }
                }
            }
        }
    }
}
