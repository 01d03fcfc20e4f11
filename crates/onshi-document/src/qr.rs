//! The QR text: `JPHI1:` + Base45(zlib(COSE_Sign1(CWT))), the layout of the EU Digital COVID
//! Certificate (HC1) with onshi's own prefix and claim. The CWT carries the issuer (`iss`: the
//! insurer number), `iat`, `nbf`, `exp` (the document's dates at 00:00 Japan time), `cti` (the
//! serial) and the document's fields in the private claim [`DOCUMENT_CLAIM`].

use std::io::{Read, Write};

use chrono::NaiveTime;
use coset::cbor::value::Value;
use coset::{CborSerializable, cwt};
use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use onshi_law::Date;

use crate::content::Document;
use crate::cose::{Envelope, seal};
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

/// The instant a legal day starts: 00:00 in Japan (UTC+9, no daylight saving), as Unix seconds.
fn jst_midnight_unix(d: Date) -> i64 {
    d.and_time(NaiveTime::MIN).and_utc().timestamp() - 9 * 3600
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
    let cose = seal(payload, DOCUMENT_AAD, signer)?;
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

/// The external data of a document's signature (the revocation list has its own).
pub(crate) const DOCUMENT_AAD: &[u8] = b"";

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
    Envelope::parse(&cose).ok_or(Unreadable::Cose)
}

/// The document in a verified envelope's payload.
pub(crate) fn document_of(envelope: &Envelope) -> Result<Document, Unreadable> {
    let claims = cwt::ClaimsSet::from_slice(envelope.payload()).map_err(|_| Unreadable::Payload("cwt"))?;
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
