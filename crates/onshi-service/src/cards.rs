//! マイナ保険証: issuing and revoking 利用者証明用電子証明書 (the issuing authority, registry role), and the
//! clinic's check by card — a single-use challenge, the card's signature after the PIN (or a registered
//! reader's face-authentication assertion), the certificate's chain, validity, grace period and revocation,
//! the serial mapped to the person as registered at issuance, and every coverage linked to that person
//! answered by the same resolution as the check by number ([`Service::answer_for`]), the one shown chosen by
//! the same rule as the check by My Number (`Service::select_for_person`, the ledger's `select_for_person`).

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, SecondsFormat, Utc};
use onshi_card::{CardError, Issuer, Presentation, Surface, Validity, rules};
use onshi_ids::MyNumber;
use onshi_ledger::RecordedAt;
use onshi_store::{AccessEntry, CertificateRecord, ConsentRecord, MemberId, ReaderRecord, Store};
use sha2::{Digest, Sha256};

use crate::api::{EligibilityAnswer, Notice};
use crate::auth::{Action, authorize};
use crate::card_api::*;
use crate::error::{ErrorKind, Result, ServiceError};
use crate::{Ctx, Service, parse, views};

/// The most challenges outstanding at once (a bound on memory; they expire after two minutes).
const MAX_CHALLENGES: usize = 100_000;
/// The most challenges one institution may hold at once (used or not, until they expire after two minutes):
/// its own share, so that one clinic asking without end cannot refuse everyone else's card checks. 1,000 in
/// two minutes is eight card checks a second, sustained, at one institution.
pub const MAX_CHALLENGES_PER_INSTITUTION: usize = 1_000;

/// The reasons a certificate may be revoked for.
const REVOKE_REASONS: &[&str] = &["lost", "returned", "replaced", "deceased", "other"];

struct Challenge {
    institution: String,
    issued_at: DateTime<Utc>,
    used: bool,
}

/// The card desk: the issuing CA (if configured) and the outstanding challenges. Challenges live in memory:
/// a restart forgets them, which only makes the readers ask for a new one.
#[derive(Default)]
pub(crate) struct CardDesk {
    issuer: Option<Issuer>,
    challenges: Mutex<HashMap<String, Challenge>>,
}

impl CardDesk {
    pub(crate) fn new(issuer: Issuer) -> CardDesk {
        CardDesk { issuer: Some(issuer), challenges: Mutex::new(HashMap::new()) }
    }
}

/// A card refusal as the service reports it.
pub fn card_error(e: &CardError) -> ServiceError {
    let kind = match e {
        CardError::Crypto(_) => ErrorKind::Internal,
        _ => ErrorKind::Unprocessable,
    };
    ServiceError::new(kind, e.code(), e.to_string()).next(e.next_step())
}

fn b64(s: &str, field: &str) -> Result<Vec<u8>> {
    B64.decode(s.trim()).map_err(|e| ServiceError::invalid_value(field, format!("{field} is not base64: {e}")))
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn notice(code: &str, message: impl Into<String>) -> Notice {
    Notice { code: code.to_owned(), message: message.into() }
}

fn unavailable() -> ServiceError {
    ServiceError::new(ErrorKind::Unavailable, "cards_unavailable", "this onshi has no issuing CA configured")
        .next("check by the insurance number; the operator starts onshi with its data directory's CA")
}

fn status_view(c: &CertificateRecord) -> CardStatusView {
    CardStatusView {
        certificate_serial: c.serial.clone(),
        my_number: c.my_number.as_str().to_owned(),
        issued_on: views::date(c.issued_on),
        expires_on: views::date(c.expires_on),
        status: if c.revocation.is_some() { "revoked" } else { "active" }.into(),
        revocation_reason: c.revocation.as_ref().map(|r| r.reason.clone()),
        revoked_at: c.revocation.as_ref().map(|r| views::timestamp(r.revoked_at)),
    }
}

fn serial_param(s: &str) -> Result<String> {
    let s = s.trim().to_ascii_uppercase();
    if s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(s)
    } else {
        Err(ServiceError::not_found(&format!("certificate {s:?}")))
    }
}

impl<S: Store> Service<S> {
    fn issuer(&self) -> Result<&Issuer> {
        self.cards.issuer.as_ref().ok_or_else(unavailable)
    }

    /// The issuing CA's certificate (DER), if cards are enabled.
    pub fn card_issuer_certificate(&self) -> Option<&[u8]> {
        self.cards.issuer.as_ref().map(|i| i.anchor().certificate_der())
    }

    /// `POST /registry/v1/cards`: issues a user certificate for a resident's card and registers its serial to
    /// the resident's My Number.
    pub async fn issue_card(&self, cx: &Ctx, body: CardIssueBody) -> Result<CardIssueAnswer> {
        authorize(&cx.actor, Action::ManageCards)?;
        let issuer = self.issuer()?;
        let mn = parse::my_number(&body.my_number, "my_number")?;
        let spki = b64(&body.public_key, "public_key")?;
        onshi_card::pki::public_key_from_der(&spki)
            .map_err(|e| ServiceError::invalid_value("public_key", e.to_string()))?;
        let today = onshi_law::legal_today(self.now());
        let issued_on = match body.issued_on.as_deref() {
            Some(s) => parse::date(s, "issued_on")?,
            None => today,
        };
        if issued_on > today {
            return Err(ServiceError::invalid_value("issued_on", "a card cannot be issued in the future"));
        }
        let resident = self.store.resident(&mn)?.ok_or_else(|| {
            ServiceError::invalid("resident_not_found", "my_number", "no resident with this My Number is registered")
                .next("register the resident first (PUT /registry/v1/residents/{my_number})")
        })?;
        if issued_on < resident.birth_date {
            return Err(ServiceError::invalid_value("issued_on", "a card cannot be issued before the holder's birth"));
        }
        let expires_on = rules::certificate_expiry(resident.birth_date, issued_on);
        let serial = onshi_card::pki::new_serial().map_err(|e| card_error(&e))?;
        let certificate = issuer.issue(&spki, &serial, issued_on, expires_on).map_err(|e| card_error(&e))?;
        let surface = Surface {
            format: onshi_card::chip::SURFACE_FORMAT.into(),
            my_number: mn.as_str().to_owned(),
            name: resident.name.clone(),
            birth_date: views::date(resident.birth_date),
            sex: parse::sex_value(resident.sex).as_str().to_owned(),
            address: resident.address.clone(),
            certificate_serial: serial.clone(),
            issued_on: views::date(issued_on),
            certificate_expires_on: views::date(expires_on),
        }
        .to_bytes()
        .map_err(|e| card_error(&e))?;
        let surface_signature = issuer.sign_surface(&surface);
        self.store
            .put_certificate(CertificateRecord {
                serial: serial.clone(),
                my_number: mn,
                issued_on,
                expires_on,
                revocation: None,
            })
            .done()
            .await?;
        Ok(CardIssueAnswer {
            certificate_serial: serial,
            certificate: B64.encode(certificate),
            surface: B64.encode(surface),
            surface_signature: B64.encode(surface_signature),
            issued_on: views::date(issued_on),
            expires_on: views::date(expires_on),
            issuer_certificate: B64.encode(issuer.anchor().certificate_der()),
        })
    }

    /// `GET /registry/v1/cards/{serial}`.
    pub fn card_status(&self, cx: &Ctx, serial: &str) -> Result<CardStatusView> {
        authorize(&cx.actor, Action::ManageCards)?;
        let serial = serial_param(serial)?;
        let c = self
            .store
            .certificate(&serial)?
            .ok_or_else(|| ServiceError::not_found(&format!("certificate {serial}")))?;
        Ok(status_view(&c))
    }

    /// `POST /registry/v1/cards/{serial}/revoke`: the card was lost, returned or replaced. A revoked
    /// certificate never confirms eligibility again; the first revocation stands.
    pub async fn revoke_card(&self, cx: &Ctx, serial: &str, body: CardRevokeBody) -> Result<CardStatusView> {
        authorize(&cx.actor, Action::ManageCards)?;
        let serial = serial_param(serial)?;
        if !REVOKE_REASONS.contains(&body.reason.as_str()) {
            return Err(ServiceError::invalid_value(
                "reason",
                format!("unknown reason {:?}, expected one of: {}", body.reason, REVOKE_REASONS.join(", ")),
            ));
        }
        let c = self.store.revoke_certificate(serial.clone(), body.reason).done().await.map_err(|e| match e {
            onshi_store::StoreError::CertificateNotFound(s) => ServiceError::not_found(&format!("certificate {s}")),
            other => other.into(),
        })?;
        Ok(status_view(&c))
    }

    /// `POST /clinic/v1/readers`: registers the caller's card reader; its id is derived from the key and the
    /// institution, so registering the same key again gives the same id.
    pub async fn register_reader(&self, cx: &Ctx, body: ReaderBody) -> Result<ReaderAnswer> {
        authorize(&cx.actor, Action::RegisterReader)?;
        let spki = b64(&body.public_key, "public_key")?;
        onshi_card::pki::public_key_from_der(&spki)
            .map_err(|e| ServiceError::invalid_value("public_key", e.to_string()))?;
        let institution = cx.actor.subject.clone();
        let h = Sha256::digest([institution.as_bytes(), b"\n", &spki].concat());
        let reader_id = format!("R{}", hex::encode(&h[..8]).to_ascii_uppercase());
        self.store
            .put_reader(ReaderRecord {
                reader_id: reader_id.clone(),
                institution: institution.clone(),
                public_key: spki,
            })
            .done()
            .await?;
        Ok(ReaderAnswer { reader_id, institution })
    }

    /// `POST /clinic/v1/card/challenges`: a fresh single-use nonce for the caller's institution.
    pub fn card_challenge(&self, cx: &Ctx) -> Result<ChallengeAnswer> {
        authorize(&cx.actor, Action::CheckEligibility)?;
        self.issuer()?;
        let mut b = [0u8; 32];
        getrandom::fill(&mut b).map_err(|e| ServiceError::internal(&e))?;
        let nonce = hex::encode(b);
        let mut table =
            self.cards.challenges.lock().map_err(|_| ServiceError::internal(&"challenge table poisoned"))?;
        // the clock is read under the lock, so no challenge in the table is younger than `now`
        let now = self.now();
        let mut mine = 0usize;
        table.retain(|_, c| {
            let keep = now < rules::challenge_expires_at(c.issued_at);
            mine += usize::from(keep && c.institution == cx.actor.subject);
            keep
        });
        if mine >= MAX_CHALLENGES_PER_INSTITUTION {
            return Err(ServiceError::new(
                ErrorKind::TooManyRequests,
                "challenge_limit_reached",
                format!(
                    "this institution already holds {MAX_CHALLENGES_PER_INSTITUTION} card-check challenges of the last \
                     {} seconds",
                    rules::CHALLENGE_SECONDS
                ),
            )
            .next(
                "finish the card checks already started (each challenge expires after two minutes), then read the \
                 card again; meanwhile check by the insurance number on the 資格確認書",
            ));
        }
        if table.len() >= MAX_CHALLENGES {
            return Err(ServiceError::new(
                ErrorKind::Unavailable,
                "too_many_challenges",
                "too many card checks at once",
            )
            .next("try again in a moment"));
        }
        table.insert(nonce.clone(), Challenge { institution: cx.actor.subject.clone(), issued_at: now, used: false });
        Ok(ChallengeAnswer {
            card_message: String::from_utf8_lossy(&onshi_card::challenge_message(&nonce)).into_owned(),
            nonce,
            expires_at: rfc3339(rules::challenge_expires_at(now)),
        })
    }

    /// Takes a challenge for one answer: unknown, another institution's, used or expired → refused. A taken
    /// challenge is used, whatever the answer's fate.
    fn take_challenge(&self, cx: &Ctx, nonce: &str) -> Result<()> {
        let mut table =
            self.cards.challenges.lock().map_err(|_| ServiceError::internal(&"challenge table poisoned"))?;
        let now = self.now();
        let unknown = || {
            ServiceError::invalid(
                "card_challenge_unknown",
                "nonce",
                "this challenge was not issued to this institution",
            )
            .next("ask onshi for a new challenge (POST /clinic/v1/card/challenges) and read the card again")
        };
        let c = table.get_mut(nonce.trim()).ok_or_else(unknown)?;
        if c.institution != cx.actor.subject {
            return Err(unknown());
        }
        if c.used {
            return Err(ServiceError::new(
                ErrorKind::Conflict,
                "card_challenge_replayed",
                "this challenge was already answered: a card's answer counts once (a replay?)",
            )
            .at("nonce")
            .next("read the card again: the reader asks for a new challenge"));
        }
        c.used = true;
        if !rules::challenge_fresh(c.issued_at, now) {
            return Err(ServiceError::invalid(
                "card_challenge_expired",
                "nonce",
                format!("this challenge expired after {} seconds", rules::CHALLENGE_SECONDS),
            )
            .next("read the card again: the reader asks for a new challenge"));
        }
        Ok(())
    }

    /// `POST /clinic/v1/card/eligibility`: the check by card.
    ///
    /// Every attempt leaves an access-log line, answered or refused, whatever the refusal (credential, body,
    /// challenge unknown, replayed or expired, the card itself, revocation): who asked (role, institution),
    /// when, through which endpoint, under which request id, and the outcome (`card:<result>` or
    /// `card:<error code>`). The person is named only once the card's certificate is verified and found
    /// registered: before that, the card's claims are not trusted. An answer or a refusal leaves only once its
    /// line is durable; the answered path writes exactly the lines it wrote before (one per coverage), so the
    /// check's latency is unchanged, and a refusal costs one line on the audit writer.
    pub async fn card_check(&self, cx: &Ctx, body: CardCheckBody) -> Result<CardCheckAnswer> {
        match self.try_card_check(cx, &body).await {
            Ok(answer) => Ok(answer),
            Err((e, mn)) => {
                self.log_card(cx, mn, e.code).await?;
                Err(e)
            }
        }
    }

    /// Records a card check refused before it reached [`Service::card_check`]: a request body the front end
    /// could not read (`malformed_json`, `unknown_field`, …), or a PIN the card refused on the reception
    /// screen's reader (`pin_wrong`, `pin_locked`). Logged as `card:<code>` without a person (an unverified
    /// card names nobody), so that every attempt is in the access log.
    pub async fn log_card_refusal(&self, cx: &Ctx, code: &str) -> Result<()> {
        self.log_card(cx, None, code).await
    }

    /// The check by card; a refusal comes with the My Number once the certificate is verified and registered.
    async fn try_card_check(
        &self,
        cx: &Ctx,
        body: &CardCheckBody,
    ) -> std::result::Result<CardCheckAnswer, (ServiceError, Option<MyNumber>)> {
        let unnamed = |e: ServiceError| (e, None);
        authorize(&cx.actor, Action::CheckEligibility).map_err(unnamed)?;
        let issuer = self.issuer().map_err(unnamed)?;
        let certificate = b64(&body.certificate, "certificate").map_err(unnamed)?;
        let surface = b64(&body.surface, "surface").map_err(unnamed)?;
        let surface_signature = b64(&body.surface_signature, "surface_signature").map_err(unnamed)?;
        let now = self.now();
        let today = onshi_law::legal_today(now);
        let service_date = match body.service_date.as_deref() {
            Some(s) => parse::date(s, "service_date").map_err(unnamed)?,
            None => today,
        };
        self.take_challenge(cx, &body.nonce).map_err(unnamed)?;
        let (verified, record) =
            self.verify_card(cx, body, issuer, &certificate, &surface, &surface_signature, today).await?;
        let mn = record.my_number;
        self.answer_card(cx, body, verified, record, service_date, today, now).await.map_err(|e| (e, Some(mn)))
    }

    /// Every check of the card and its answer; a refusal comes with the My Number if it was learnt.
    #[allow(clippy::too_many_arguments)]
    async fn verify_card(
        &self,
        cx: &Ctx,
        body: &CardCheckBody,
        issuer: &Issuer,
        certificate: &[u8],
        surface: &[u8],
        surface_signature: &[u8],
        today: onshi_law::Date,
    ) -> std::result::Result<(onshi_card::Verified, CertificateRecord), (ServiceError, Option<MyNumber>)> {
        let p = Presentation { certificate, surface, surface_signature };
        let v = onshi_card::verify_presentation(issuer.anchor(), p, today).map_err(|e| (card_error(&e), None))?;
        let nonce = body.nonce.trim();
        match body.method {
            CardMethod::Pin => {
                let sig = body.signature.as_deref().ok_or_else(|| {
                    (
                        ServiceError::invalid("missing_field", "signature", "a PIN check needs the card's signature"),
                        None,
                    )
                })?;
                let sig = b64(sig, "signature").map_err(|e| (e, None))?;
                v.certificate
                    .verify(&onshi_card::challenge_message(nonce), &sig)
                    .map_err(|e| (card_error(&e), None))?;
            }
            CardMethod::Face => {
                let f = body.face.as_ref().ok_or_else(|| {
                    (ServiceError::invalid("missing_field", "face", "a face check needs the reader's assertion"), None)
                })?;
                let reader = self.store.reader(&f.reader_id).map_err(|e| (e.into(), None))?;
                let reader = reader.filter(|r| r.institution == cx.actor.subject).ok_or_else(|| {
                    (
                        ServiceError::invalid(
                            "reader_unknown",
                            "face.reader_id",
                            "this reader is not registered to this institution",
                        )
                        .next("register the reader (POST /clinic/v1/readers, or `onshi card reader`) and try again"),
                        None,
                    )
                })?;
                let key =
                    onshi_card::pki::public_key_from_der(&reader.public_key).map_err(|e| (card_error(&e), None))?;
                let sig = b64(&f.signature, "face.signature").map_err(|e| (e, None))?;
                onshi_card::pki::verify(
                    &key,
                    &onshi_card::face_message(nonce, &v.certificate.serial),
                    &sig,
                    CardError::SignatureInvalid,
                )
                .map_err(|_| {
                    (
                        ServiceError::invalid(
                            "face_assertion_invalid",
                            "face.signature",
                            "the reader's face-authentication result does not verify for this card and challenge",
                        )
                        .next("authenticate again on the reader, or by PIN"),
                        None,
                    )
                })?;
            }
        }
        let record = self.store.certificate(&v.certificate.serial).map_err(|e| (e.into(), None))?;
        let Some(record) = record else {
            return Err((
                ServiceError::invalid(
                    "card_not_registered",
                    "certificate",
                    "this certificate was never registered to a person by the issuing authority",
                )
                .next("do not accept this card: check by the insurance number on the 資格確認書 and photo ID"),
                None,
            ));
        };
        let mn = Some(record.my_number);
        if record.my_number.as_str() != v.surface.my_number {
            return Err((card_error(&CardError::CertificateMismatch), mn));
        }
        if let Some(r) = &record.revocation {
            return Err((
                ServiceError::invalid(
                    "card_revoked",
                    "certificate",
                    format!(
                        "this card's certificate was revoked ({}) on {}: it can no longer be used",
                        r.reason,
                        views::timestamp(r.revoked_at)
                    ),
                )
                .next(
                    "do not accept this card: check by the insurance number on the 資格確認書 or 資格情報のお知らせ; \
                     a patient with a new card should use the new one",
                ),
                mn,
            ));
        }
        Ok((v, record))
    }

    #[allow(clippy::too_many_arguments)]
    async fn answer_card(
        &self,
        cx: &Ctx,
        body: &CardCheckBody,
        v: onshi_card::Verified,
        record: CertificateRecord,
        service_date: onshi_law::Date,
        today: onshi_law::Date,
        now: DateTime<Utc>,
    ) -> Result<CardCheckAnswer> {
        let mn = record.my_number;
        // a record whose acquisition was voided is no coverage (as for every check by person)
        let mut members = self.for_clinic(self.store.members_by_my_number(&mn)?);
        members.retain(|m| m.history.period_opt(None).is_some());
        crate::links::link_gate(&members)?;
        let (members, unlinked) = self.person_records(cx, &mn, members, service_date).await?;
        let mut coverages: Vec<EligibilityAnswer> = Vec::with_capacity(members.len());
        for m in &members {
            coverages.push(self.answer_for(m, service_date, today)?);
        }
        // the one rule of a check by person, shared with check_person
        let (shown, mut notices) = self.select_for_person(&members, service_date);
        notices.extend(unlinked);
        let shown = shown.and_then(|s| members.iter().position(|m| m.id == s.id)).map(|i| &coverages[i]);
        let (result, coverage) = match shown {
            Some(a) if a.result == "valid" => ("valid", a.coverage.clone()),
            Some(_) => {
                notices.push(notice(
                    "no_valid_coverage",
                    "the holder's linked coverage is not valid on the service date (無効): see each coverage's notices; \
                     ask for the new card or 資格確認書",
                ));
                ("invalid", None)
            }
            None => {
                notices.push(notice(
                    "no_linked_coverage",
                    "no coverage is linked to this card's holder (該当資格なし). Check by the insurance number on the \
                     資格確認書 or 資格情報のお知らせ; if the patient has just joined, the insurer may not have registered \
                     yet: use 被保険者資格申立書 and charge the usual ratio",
                ));
                notices.extend(self.newborn_pending(&mn, service_date)?);
                ("not_found", None)
            }
        };
        let (status, grace_until) = match v.validity {
            Validity::Grace { expired_on, until } => {
                notices.push(notice(
                    "certificate_grace_period",
                    format!(
                        "the card's electronic certificate expired on {}; it is accepted until {} (grace period). Ask the \
                         patient to renew it at the municipal office (市区町村窓口)",
                        views::date(expired_on),
                        views::date(until)
                    ),
                ));
                ("grace", Some(views::date(until)))
            }
            _ => ("valid", None),
        };
        let consent = body.consent.unwrap_or_default();
        let expires_at = rules::consent_expires_at(now);
        // The consent and the access-log lines go to two files with writers of their own: queue them all,
        // then wait, so that their fsyncs overlap instead of adding up.
        let consent_written = self.store.record_consent(ConsentRecord {
            my_number: mn,
            institution: cx.actor.subject.clone(),
            medication: consent.medication,
            checkup: consent.checkup,
            given_at: now.timestamp_micros(),
            expires_at: expires_at.timestamp_micros(),
            request_id: cx.request_id.clone(),
        });
        let mut logged = Vec::with_capacity(members.len().max(1));
        if members.is_empty() {
            logged.push(self.store.log_access(card_access(cx, Some(mn), None, result)));
        }
        for (m, a) in members.iter().zip(&coverages) {
            logged.push(self.store.log_access(card_access(cx, Some(mn), Some(m.id), &a.result)));
        }
        consent_written.done().await?;
        for l in logged {
            l.done().await?;
        }
        let as_of = coverages
            .iter()
            .map(|a| a.as_of.clone())
            .max()
            .unwrap_or_else(|| views::timestamp(RecordedAt(now.timestamp_micros())));
        Ok(CardCheckAnswer {
            result: result.into(),
            coverage,
            coverages,
            holder: CardHolderView {
                name: v.surface.name.clone(),
                birth_date: v.surface.birth_date.clone(),
                sex: v.surface.sex.clone(),
            },
            certificate: CertificateView {
                serial: v.certificate.serial.clone(),
                expires_on: views::date(v.certificate.expires_on),
                status: status.into(),
                grace_until,
            },
            method: body.method,
            consent: ConsentView {
                medication: consent.medication,
                checkup: consent.checkup,
                expires_at: rfc3339(expires_at),
            },
            notices,
            as_of,
        })
    }

    async fn log_card(&self, cx: &Ctx, my_number: Option<MyNumber>, outcome: &str) -> Result<()> {
        self.store.log_access(card_access(cx, my_number, None, outcome)).done().await?;
        Ok(())
    }

    /// The consents a person gave an institution, newest first (for the operator and tests).
    pub fn consents(&self, my_number: &MyNumber, institution: &str) -> Result<Vec<ConsentRecord>> {
        Ok(self.store.consents(my_number, institution, 100)?)
    }
}

/// The access-log line of a check by card: `card:<outcome>`, for one member (a coverage answered) or for the
/// person alone (nothing covered, or a refusal once the certificate named them).
fn card_access(cx: &Ctx, my_number: Option<MyNumber>, member_id: Option<MemberId>, outcome: &str) -> AccessEntry {
    AccessEntry {
        role: cx.actor.role.as_str().to_owned(),
        subject: cx.actor.subject.clone(),
        endpoint: cx.endpoint.to_owned(),
        member_id,
        my_number,
        request_id: cx.request_id.clone(),
        outcome: format!("card:{outcome}"),
    }
}
