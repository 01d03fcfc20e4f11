//! The QR text: `JPHI1:` + Base45(zlib(COSE_Sign1(CWT))), the layout of the EU Digital COVID
//! Certificate (HC1) with onshi's own prefix and claim. The CWT carries the issuer (`iss`: the
//! insurer number), `iat`, `nbf`, `exp` (the document's dates at 00:00 Japan time), `cti` (the
//! serial) and the document's fields in the private claim [`DOCUMENT_CLAIM`].

use std::io::{Read, Write};

use chrono::{NaiveTime, TimeZone};
use coset::cbor::value::Value;
use coset::{CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, cwt, iana};
use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use onshi_law::Date;

use crate::content::Document;
use crate::error::DocumentError;
use crate::keys::DocumentSigner;
use crate::wire::Wire;

/// The prefix of every document QR text (Japan Health Insurance, format 1).
pub const QR_PREFIX: &str = "JPHI1:";

/// The CWT private claim holding the document's fields.
pub const DOCUMENT_CLAIM: i64 = -65_537;

/// No document inflates to more than this: a larger one is refused before it is read (a
/// compression bomb in a QR costs the verifier nothing).
pub const MAX_INFLATED: u64 = 16 * 1024;

/// The longest QR text read (a QR code holds at most 4,296 alphanumeric characters).
pub const MAX_QR_TEXT: usize = 4_296;

fn jst_midnight_unix(d: Date) -> i64 {
    let jst = chrono::FixedOffset::east_opt(9 * 3600)
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset"));
    jst.from_local_datetime(&d.and_time(NaiveTime::MIN)).single().map(|t| t.timestamp()).unwrap_or(0)
}

/// Sign a document and give the text its QR code carries. The document must pass
/// [`Document::validate`], and the signer must be allowed to sign for its insurer on its day of issue.
pub fn sign(doc: &Document, signer: &DocumentSigner) -> Result<String, DocumentError> {
    doc.validate()?;
    if signer.issuer() != crate::SYSTEM_ISSUER && signer.issuer() != doc.insurer.as_str() {
        return Err(DocumentError::Key(format!(
            "key {} signs for {}, not for insurer {}",
            signer.kid(),
            signer.issuer(),
            doc.insurer.as_str()
        )));
    }
    let fields = Value::serialized(&Wire::from(doc)).map_err(|e| DocumentError::Encoding(e.to_string()))?;
    let mut claims = cwt::ClaimsSetBuilder::new()
        .issuer(doc.insurer.as_str().to_owned())
        .issued_at(cwt::Timestamp::WholeSeconds(jst_midnight_unix(doc.issued_on)))
        .not_before(cwt::Timestamp::WholeSeconds(jst_midnight_unix(doc.valid_from)))
        .cwt_id(doc.serial.as_bytes().to_vec())
        .private_claim(DOCUMENT_CLAIM, fields);
    if let Some(until) = doc.valid_until.and_then(|u| u.succ_opt()) {
        claims = claims.expiration_time(cwt::Timestamp::WholeSeconds(jst_midnight_unix(until)));
    }
    let payload = claims.build().to_vec().map_err(|e| DocumentError::Encoding(e.to_string()))?;
    let protected =
        HeaderBuilder::new().algorithm(iana::Algorithm::ES256).key_id(signer.kid().as_bytes().to_vec()).build();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .payload(payload)
        .create_signature(b"", |data| signer.sign(data))
        .build();
    let cose = sign1.to_tagged_vec().map_err(|e| DocumentError::Encoding(e.to_string()))?;
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    z.write_all(&cose).map_err(|e| DocumentError::Encoding(e.to_string()))?;
    let zipped = z.finish().map_err(|e| DocumentError::Encoding(e.to_string()))?;
    Ok(format!("{QR_PREFIX}{}", base45::encode(&zipped)))
}

/// Why a QR text could not even be read (before any key is looked at).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Unreadable {
    /// It does not start with `JPHI1:` (another kind of code, or not a code at all).
    NotADocument,
    /// Longer than any QR code holds.
    TooLong,
    /// Not Base45.
    Base45,
    /// Not zlib, or inflates beyond [`MAX_INFLATED`].
    Compression,
    /// Not a COSE_Sign1 with an ES256 protected header, a kid and a payload.
    Cose,
    /// Signed, but the CWT or the document's fields do not parse.
    Payload(&'static str),
}

impl Unreadable {
    /// A stable reason code.
    pub fn reason(self) -> &'static str {
        match self {
            Unreadable::NotADocument => "not_a_document",
            Unreadable::TooLong => "too_long",
            Unreadable::Base45 => "base45",
            Unreadable::Compression => "compression",
            Unreadable::Cose => "cose",
            Unreadable::Payload(_) => "payload",
        }
    }
}

/// A COSE_Sign1 read from a QR text, not yet verified.
pub(crate) struct Envelope {
    pub(crate) sign1: CoseSign1,
    pub(crate) kid: String,
}

/// Undo the transport layers: prefix, Base45, zlib (bounded), COSE. Spaces and line breaks that a
/// scanner or a paste adds around the text are ignored.
pub(crate) fn open(text: &str) -> Result<Envelope, Unreadable> {
    let text = text.trim();
    let body = text.strip_prefix(QR_PREFIX).ok_or(Unreadable::NotADocument)?;
    if text.len() > MAX_QR_TEXT {
        return Err(Unreadable::TooLong);
    }
    let zipped = base45::decode(body).map_err(|_| Unreadable::Base45)?;
    let mut cose = Vec::new();
    ZlibDecoder::new(zipped.as_slice())
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut cose)
        .map_err(|_| Unreadable::Compression)?;
    if cose.len() as u64 > MAX_INFLATED {
        return Err(Unreadable::Compression);
    }
    let sign1 =
        CoseSign1::from_tagged_slice(&cose).or_else(|_| CoseSign1::from_slice(&cose)).map_err(|_| Unreadable::Cose)?;
    let es256 = coset::Algorithm::Assigned(iana::Algorithm::ES256);
    if sign1.protected.header.alg.as_ref() != Some(&es256) || sign1.payload.is_none() {
        return Err(Unreadable::Cose);
    }
    let kid = String::from_utf8(sign1.protected.header.key_id.clone()).map_err(|_| Unreadable::Cose)?;
    if kid.is_empty() {
        return Err(Unreadable::Cose);
    }
    Ok(Envelope { sign1, kid })
}

/// The document in a verified envelope's payload.
pub(crate) fn document_of(envelope: &Envelope) -> Result<Document, Unreadable> {
    let payload = envelope.sign1.payload.as_deref().ok_or(Unreadable::Cose)?;
    let claims = cwt::ClaimsSet::from_slice(payload).map_err(|_| Unreadable::Payload("cwt"))?;
    let fields = claims
        .rest
        .iter()
        .find(|(name, _)| *name == cwt::ClaimName::PrivateUse(DOCUMENT_CLAIM))
        .map(|(_, v)| v)
        .ok_or(Unreadable::Payload("document_claim"))?;
    let wire: Wire = fields.deserialized().map_err(|_| Unreadable::Payload("document_claim"))?;
    let doc = wire.into_document().map_err(Unreadable::Payload)?;
    // the CWT's own claims must say what the fields say
    if claims.issuer.as_deref() != Some(doc.insurer.as_str()) {
        return Err(Unreadable::Payload("iss"));
    }
    if claims.cwt_id.as_deref() != Some(doc.serial.as_bytes()) {
        return Err(Unreadable::Payload("cti"));
    }
    Ok(doc)
}
