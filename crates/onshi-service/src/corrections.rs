//! Corrections of a member's history, with the history kept (bitemporal, nothing overwritten): an entry voided
//! (取消), a date corrected (the entry voided and recorded again with the right date, in one transaction), a
//! copay exception withdrawn; and the member read "as known at" a time, which is what a clinic was told then.

use chrono::DateTime;
use onshi_ledger::{Change, Entry, RecordedAt, Seq};
use onshi_store::{MemberRecord, Store};

use crate::api::MemberView;
use crate::corrections_api::{CopayWithdrawalBody, DateCorrectionBody, VoidBody};
use crate::error::{Result, ServiceError};
use crate::{Ctx, Service, parse, views};

/// The why of a correction: required, a plain line of text.
fn reason(s: &str) -> Result<&str> {
    parse::text(s, "reason").map_err(|e| {
        e.next("say in a few words why (e.g. 誤登録: 別人の資格取得届, 喪失日の誤り); it stays in the history")
    })
}

/// The entry `seq` of a member's history (422 on `seq` when there is none).
fn entry_of(rec: &MemberRecord, seq: u64) -> Result<&Entry> {
    rec.history.entries.iter().find(|e| e.seq == Seq(seq)).ok_or_else(|| {
        ServiceError::invalid_value("seq", format!("the member's history has no entry {seq}"))
            .because("void_unknown_entry")
            .next("read the member (GET /insurer/v1/members/{member_id}) and give the seq of the entry to correct")
    })
}

/// Reads `known_at` from a raw query string (`known_at=2025-04-01T09:00:00Z`): RFC 3339. Other parameters are
/// refused, so that a misspelt one is never silently ignored.
pub(crate) fn known_at_query(query: Option<&str>) -> Result<Option<RecordedAt>> {
    let mut known_at = None;
    for pair in query.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k != "known_at" {
            return Err(ServiceError::invalid("unknown_field", k, format!("unknown query parameter {k:?}"))
                .next("the only query parameter of this route is known_at (RFC 3339, e.g. 2025-04-01T09:00:00Z)"));
        }
        let v = percent_decode(v);
        let t = DateTime::parse_from_rfc3339(&v).map_err(|e| {
            ServiceError::invalid_value("known_at", format!("known_at {v:?} is not an RFC 3339 time: {e}"))
                .next("write known_at as an RFC 3339 time with its offset, e.g. 2025-04-01T09:00:00%2B09:00 or 2025-04-01T00:00:00Z")
        })?;
        known_at = Some(RecordedAt(t.timestamp_micros()));
    }
    Ok(known_at)
}

/// `%XX` decoding of a query value (`+` stays a plus: an RFC 3339 offset).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl<S: Store> Service<S> {
    /// `GET /insurer/v1/members/{member_id}?known_at=…`: the member as known at a time (everything when absent).
    /// The read is in the access log.
    pub async fn member_as_known(&self, cx: &Ctx, member_id: &str, query: Option<&str>) -> Result<MemberView> {
        let known_at = known_at_query(query)?;
        let rec = self.member_for(cx, member_id, false)?;
        self.log(cx, Some(&rec), if known_at.is_some() { "member_as_known" } else { "member" }).await?;
        Ok(views::member_known_at(&rec, onshi_law::legal_today(self.now()), known_at))
    }

    /// `POST /insurer/v1/members/{member_id}/void`: 取消 of an entry recorded by mistake. The entry stays, shown
    /// as voided with who, when and why; answers asked as of before the void still see it.
    pub async fn void_entry(&self, cx: &Ctx, member_id: &str, body: VoidBody) -> Result<MemberView> {
        let rec = self.member_for(cx, member_id, true)?;
        let why = reason(&body.reason)?.to_owned();
        let target = entry_of(&rec, body.seq)?.seq;
        let today = onshi_law::legal_today(self.now());
        let void = Change::Void { target, reason: why, by: Some(cx.actor.subject.clone()) };
        let rec = self.store.append(rec.id, today, void).done().await.map_err(|e| on_seq(e.into()))?;
        self.log(cx, Some(&rec), "voided").await?;
        Ok(views::member(&rec, today))
    }

    /// `POST /insurer/v1/members/{member_id}/date-corrections`: the date of an acquisition, loss, change or
    /// withdrawal was wrong. The entry is voided and recorded again on the right date, in one transaction.
    pub async fn correct_date(&self, cx: &Ctx, member_id: &str, body: DateCorrectionBody) -> Result<MemberView> {
        let rec = self.member_for(cx, member_id, true)?;
        let effective_on = parse::date(&body.effective_on, "effective_on")?;
        let why = reason(&body.reason)?;
        let target = entry_of(&rec, body.seq)?;
        if matches!(target.change, Change::Void { .. }) {
            return Err(ServiceError::invalid_value("seq", format!("entry {} is a void: it has no date", body.seq))
                .because("void_of_void")
                .next("give the seq of the acquisition, loss or change whose date is wrong"));
        }
        if target.effective_on == effective_on {
            return Err(ServiceError::invalid_value(
                "effective_on",
                format!("entry {} already takes effect on {}", body.seq, views::date(effective_on)),
            )
            .because("same_date")
            .next("give the right date; to undo the entry instead, void it (POST …/void)"));
        }
        let today = onshi_law::legal_today(self.now());
        let void = Change::Void {
            target: target.seq,
            reason: format!(
                "date corrected from {} to {}: {why}",
                views::date(target.effective_on),
                views::date(effective_on)
            ),
            by: Some(cx.actor.subject.clone()),
        };
        let again = target.change.clone();
        let rec = self
            .store
            .append_many(rec.id, vec![(today, void), (effective_on, again)])
            .done()
            .await
            .map_err(|e| on_seq(e.into()))?;
        self.log(cx, Some(&rec), "date_corrected").await?;
        Ok(views::member(&rec, today))
    }

    /// `POST /insurer/v1/members/{member_id}/copay-withdrawal`: the copay exception in force on `effective_on`
    /// ends then; the law's ratio applies again.
    pub async fn withdraw_copay(&self, cx: &Ctx, member_id: &str, body: CopayWithdrawalBody) -> Result<MemberView> {
        let rec = self.member_for(cx, member_id, true)?;
        let effective_on = parse::date(&body.effective_on, "effective_on")?;
        let why = reason(&body.reason)?.to_owned();
        let rec = self.store.append(rec.id, effective_on, Change::WithdrawCopay { reason: why }).done().await?;
        self.log(cx, Some(&rec), "copay_withdrawn").await?;
        Ok(views::member(&rec, onshi_law::legal_today(self.now())))
    }
}

/// A void refused by the ledger concerns the `seq` given, not a date.
fn on_seq(mut e: ServiceError) -> ServiceError {
    if matches!(e.reason, Some("void_unknown_entry" | "void_of_void" | "already_voided")) {
        e.field = Some("seq".to_owned());
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_at_reads_rfc3339_with_its_offset_and_refuses_anything_else() {
        assert_eq!(known_at_query(None).ok(), Some(None));
        assert_eq!(known_at_query(Some("")).ok(), Some(None));
        let utc = known_at_query(Some("known_at=2025-04-01T00:00:00Z")).ok().flatten();
        let jst = known_at_query(Some("known_at=2025-04-01T09:00:00%2B09:00")).ok().flatten();
        assert!(utc.is_some());
        assert_eq!(utc, jst);
        let micros = known_at_query(Some("known_at=2025-04-01T00:00:00.000001Z")).ok().flatten();
        assert_eq!(micros.map(|t| t.0 - utc.map_or(0, |u| u.0)), Some(1));
        for bad in ["known_at=2025-04-01", "known_at=", "known_at=yesterday", "known_at=2025-04-01T00:00:00"] {
            let e = known_at_query(Some(bad)).expect_err(bad);
            assert_eq!((e.code, e.field.as_deref()), ("invalid_value", Some("known_at")), "{bad}");
        }
        let e = known_at_query(Some("as_of=2025-04-01T00:00:00Z")).expect_err("unknown");
        assert_eq!((e.code, e.field.as_deref()), ("unknown_field", Some("as_of")));
    }

    #[test]
    fn percent_decoding_leaves_what_is_not_an_escape() {
        assert_eq!(percent_decode("a%2Bb%3Ac"), "a+b:c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz+"), "%zz+");
    }
}
