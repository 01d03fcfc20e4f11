//! onshi's issuing certification authority and the checks a verifier makes: real X.509 certificates
//! (RFC 5280, DER), RSA-2048 keys, signatures SHA256withRSA (PKCS #1 v1.5), as JPKI's 利用者証明用電子証明書.
//!
//! The CA signs two things: user certificates (subject = the card's key) and the card's 券面事項 (the printed
//! information: basic four, My Number, the certificate's serial), so that neither can be changed on the card
//! without the verifier noticing.

use std::str::FromStr;
use std::time::{Duration as StdDuration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use der::{Decode, Encode};
use onshi_law::Date;
use rand_core::{OsRng, RngCore};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
pub use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;
use x509_cert::Certificate;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};

use crate::error::{CardError, Result};

/// RSA modulus size of every key onshi makes (JPKI: 2048).
pub const RSA_BITS: usize = 2048;

/// OID of sha256WithRSAEncryption.
const SHA256_WITH_RSA: der::asn1::ObjectIdentifier = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");

/// The domain-separation prefix of the issuer's signature over a card's 券面事項.
const SURFACE_PREFIX: &[u8] = b"onshi-surface/1\n";

fn crypto(e: impl std::fmt::Display) -> CardError {
    CardError::Crypto(e.to_string())
}

fn malformed_cert(e: impl std::fmt::Display) -> CardError {
    CardError::CertificateMalformed(e.to_string())
}

/// A new RSA-2048 key pair.
pub fn new_key() -> Result<RsaPrivateKey> {
    RsaPrivateKey::new(&mut OsRng, RSA_BITS).map_err(crypto)
}

/// The DER SubjectPublicKeyInfo of a key.
pub fn public_key_der(key: &RsaPublicKey) -> Result<Vec<u8>> {
    key.to_public_key_der().map(|d| d.as_bytes().to_vec()).map_err(crypto)
}

/// A public key from DER SubjectPublicKeyInfo.
pub fn public_key_from_der(der: &[u8]) -> Result<RsaPublicKey> {
    RsaPublicKey::from_public_key_der(der).map_err(|e| CardError::Malformed(format!("not an RSA public key: {e}")))
}

/// The PKCS #8 DER of a private key.
pub fn private_key_der(key: &RsaPrivateKey) -> Result<Vec<u8>> {
    key.to_pkcs8_der().map(|d| d.as_bytes().to_vec()).map_err(crypto)
}

/// A private key from PKCS #8 DER.
pub fn private_key_from_der(der: &[u8]) -> Result<RsaPrivateKey> {
    RsaPrivateKey::from_pkcs8_der(der).map_err(|e| CardError::Malformed(format!("not an RSA private key: {e}")))
}

/// SHA256withRSA signature of `msg`.
pub fn sign(key: &RsaPrivateKey, msg: &[u8]) -> Vec<u8> {
    SigningKey::<Sha256>::new(key.clone()).sign(msg).to_vec()
}

/// Verifies a SHA256withRSA signature; any failure is `err`.
pub fn verify(key: &RsaPublicKey, msg: &[u8], sig: &[u8], err: CardError) -> Result<()> {
    let sig = Signature::try_from(sig).map_err(|_| err.clone())?;
    VerifyingKey::<Sha256>::new(key.clone()).verify(msg, &sig).map_err(|_| err)
}

/// A certificate serial number: 16 random bytes, the first in 1..=127 so the DER encoding is exactly these
/// bytes. Written as 32 upper-case hex digits.
pub fn new_serial() -> Result<String> {
    let mut b = [0u8; 16];
    OsRng.try_fill_bytes(&mut b).map_err(crypto)?;
    b[0] = (b[0] & 0x7f).max(1);
    Ok(hex_upper(&b))
}

fn hex_upper(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

fn serial_bytes(serial: &str) -> Result<Vec<u8>> {
    if serial.len() != 32 || !serial.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(CardError::Malformed(format!("{serial:?} is not a certificate serial (32 hex digits)")));
    }
    (0..16).map(|i| u8::from_str_radix(&serial[2 * i..2 * i + 2], 16).map_err(crypto)).collect()
}

/// The instant a legal day in Japan (UTC+9) starts.
fn day_start(d: Date) -> DateTime<Utc> {
    let jst = chrono::FixedOffset::east_opt(9 * 3600).unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("0"));
    jst.from_local_datetime(&d.and_time(NaiveTime::MIN))
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn x509_time(t: DateTime<Utc>) -> Result<Time> {
    let secs = u64::try_from(t.timestamp()).map_err(|_| CardError::Malformed("a date before 1970".into()))?;
    Time::try_from(UNIX_EPOCH + StdDuration::from_secs(secs)).map_err(crypto)
}

fn legal_day(t: &Time) -> Date {
    let secs = t.to_unix_duration().as_secs() as i64;
    onshi_law::legal_today(DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::MIN_UTC))
}

/// A certificate validity from the start of `from` to the last second of `until` (legal days in Japan).
fn validity(from: Date, until: Date) -> Result<Validity> {
    let end = until.succ_opt().map(day_start).unwrap_or(DateTime::<Utc>::MAX_UTC) - chrono::Duration::seconds(1);
    Ok(Validity { not_before: x509_time(day_start(from))?, not_after: x509_time(end)? })
}

/// onshi's issuing CA: its key and its self-signed certificate.
pub struct Issuer {
    key: RsaPrivateKey,
    anchor: TrustAnchor,
}

impl Issuer {
    /// A new CA with a fresh key, valid for 20 years from `today`. Its name carries a random id, so that two
    /// onshi installations never share an issuer name.
    pub fn generate(today: Date) -> Result<Issuer> {
        let key = new_key()?;
        let mut id = [0u8; 4];
        OsRng.try_fill_bytes(&mut id).map_err(crypto)?;
        let subject = Name::from_str(&format!(
            "CN=onshi user authentication CA {},OU=JPKI simulation,O=onshi,C=JP",
            hex_upper(&id)
        ))
        .map_err(crypto)?;
        let spki = SubjectPublicKeyInfoOwned::from_key(key.to_public_key()).map_err(crypto)?;
        let until = today.checked_add_months(chrono::Months::new(240)).unwrap_or(Date::MAX);
        let signer = SigningKey::<Sha256>::new(key.clone());
        let serial = SerialNumber::new(&serial_bytes(&new_serial()?)?).map_err(crypto)?;
        let cert = CertificateBuilder::new(Profile::Root, serial, validity(today, until)?, subject, spki, &signer)
            .map_err(crypto)?
            .build::<Signature>()
            .map_err(crypto)?;
        let der = cert.to_der().map_err(crypto)?;
        let anchor = TrustAnchor::from_certificate(&der)?;
        Ok(Issuer { key, anchor })
    }

    /// A CA from its PKCS #8 key and DER certificate (as [`Issuer::key_der`] and
    /// [`TrustAnchor::certificate_der`] wrote them). Refuses a key that is not the certificate's.
    pub fn from_parts(key_der: &[u8], cert_der: &[u8]) -> Result<Issuer> {
        let key = private_key_from_der(key_der)?;
        let anchor = TrustAnchor::from_certificate(cert_der)?;
        if key.to_public_key() != anchor.key {
            return Err(CardError::Malformed("the CA key does not belong to the CA certificate".into()));
        }
        Ok(Issuer { key, anchor })
    }

    /// The CA key, PKCS #8 DER (keep it secret).
    pub fn key_der(&self) -> Result<Vec<u8>> {
        private_key_der(&self.key)
    }

    /// What verifiers trust: the CA's certificate and key.
    pub fn anchor(&self) -> &TrustAnchor {
        &self.anchor
    }

    /// Issues a 利用者証明用電子証明書 for the public key `spki_der`, valid from `from` through `until`
    /// (legal days). The subject names no person: as in JPKI, the 利用者証明用 certificate carries no basic
    /// four; the verifier maps its serial to the person.
    pub fn issue(&self, spki_der: &[u8], serial: &str, from: Date, until: Date) -> Result<Vec<u8>> {
        let spki = SubjectPublicKeyInfoOwned::from_der(spki_der)
            .map_err(|e| CardError::Malformed(format!("not a public key: {e}")))?;
        public_key_from_der(spki_der)?;
        let subject = Name::from_str(&format!("CN={serial},OU=user authentication,O=onshi,C=JP")).map_err(crypto)?;
        let profile = Profile::Leaf {
            issuer: self.anchor.subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        };
        let signer = SigningKey::<Sha256>::new(self.key.clone());
        let sn = SerialNumber::new(&serial_bytes(serial)?).map_err(crypto)?;
        let cert = CertificateBuilder::new(profile, sn, validity(from, until)?, subject, spki, &signer)
            .map_err(crypto)?
            .build::<Signature>()
            .map_err(crypto)?;
        cert.to_der().map_err(crypto)
    }

    /// The issuer's signature over a card's 券面事項 (the exact bytes stored on the card).
    pub fn sign_surface(&self, surface: &[u8]) -> Vec<u8> {
        sign(&self.key, &[SURFACE_PREFIX, surface].concat())
    }
}

/// What a verifier trusts: onshi's CA certificate, its name and its key.
#[derive(Clone)]
pub struct TrustAnchor {
    der: Vec<u8>,
    subject: Name,
    key: RsaPublicKey,
}

/// A user certificate that verified under the anchor.
#[derive(Debug, Clone)]
pub struct UserCertificate {
    /// 32 upper-case hex digits.
    pub serial: String,
    /// The first legal day of validity.
    pub valid_from: Date,
    /// The last legal day of validity.
    pub expires_on: Date,
    pub key: RsaPublicKey,
}

impl UserCertificate {
    /// Verifies the card's signature over `msg` under this certificate's key.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<()> {
        verify(&self.key, msg, sig, CardError::SignatureInvalid)
    }
}

impl TrustAnchor {
    /// The anchor of a DER CA certificate (self-signed, verified).
    pub fn from_certificate(der: &[u8]) -> Result<TrustAnchor> {
        let cert = Certificate::from_der(der).map_err(malformed_cert)?;
        let tbs = &cert.tbs_certificate;
        let spki = tbs.subject_public_key_info.to_der().map_err(malformed_cert)?;
        let key = RsaPublicKey::from_public_key_der(&spki).map_err(malformed_cert)?;
        let body = tbs.to_der().map_err(malformed_cert)?;
        let sig = cert.signature.as_bytes().ok_or_else(|| malformed_cert("unaligned signature"))?;
        verify(&key, &body, sig, CardError::CertificateForged)?;
        Ok(TrustAnchor { der: der.to_vec(), subject: tbs.subject.clone(), key })
    }

    /// The CA certificate, DER.
    pub fn certificate_der(&self) -> &[u8] {
        &self.der
    }

    /// The CA's name, as text.
    pub fn name(&self) -> String {
        self.subject.to_string()
    }

    /// Checks that `der` is a certificate issued by this CA (issuer name, SHA256withRSA, signature) and
    /// returns what it certifies. Dates are read here and judged by [`crate::rules::validity_on`].
    pub fn verify_certificate(&self, der: &[u8]) -> Result<UserCertificate> {
        let cert = Certificate::from_der(der).map_err(malformed_cert)?;
        let tbs = &cert.tbs_certificate;
        if tbs.issuer != self.subject {
            return Err(CardError::UntrustedIssuer);
        }
        if cert.signature_algorithm.oid != SHA256_WITH_RSA || tbs.signature.oid != SHA256_WITH_RSA {
            return Err(malformed_cert("the signature algorithm is not SHA256withRSA"));
        }
        let body = tbs.to_der().map_err(malformed_cert)?;
        let sig = cert.signature.as_bytes().ok_or_else(|| malformed_cert("unaligned signature"))?;
        verify(&self.key, &body, sig, CardError::CertificateForged)?;
        let spki = tbs.subject_public_key_info.to_der().map_err(malformed_cert)?;
        let key = RsaPublicKey::from_public_key_der(&spki).map_err(malformed_cert)?;
        Ok(UserCertificate {
            serial: hex_upper(tbs.serial_number.as_bytes()),
            valid_from: legal_day(&tbs.validity.not_before),
            expires_on: legal_day(&tbs.validity.not_after),
            key,
        })
    }

    /// Verifies the issuer's signature over a card's 券面事項.
    pub fn verify_surface(&self, surface: &[u8], sig: &[u8]) -> Result<()> {
        verify(&self.key, &[SURFACE_PREFIX, surface].concat(), sig, CardError::SurfaceAltered)
    }
}

/// The file names of a CA directory.
pub const ISSUER_KEY_FILE: &str = "issuer-key.der";
pub const ISSUER_CERT_FILE: &str = "issuer-cert.der";

/// Writes `bytes` to a new file readable by the owner only.
pub fn write_secret(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// A private key kept in a file (PKCS #8 DER, owner-only), made on first use: the issuing CA's, or a
/// reader's.
pub fn load_or_create_key(path: &std::path::Path) -> Result<RsaPrivateKey> {
    match std::fs::read(path) {
        Ok(der) => private_key_from_der(&der),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = new_key()?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| CardError::FileUnwritable(format!("{}: {e}", dir.display())))?;
            }
            write_secret(path, &private_key_der(&key)?)
                .map_err(|e| CardError::FileUnwritable(format!("{}: {e}", path.display())))?;
            Ok(key)
        }
        Err(e) => Err(CardError::FileUnreadable(format!("{}: {e}", path.display()))),
    }
}

impl Issuer {
    /// The CA kept in `dir` (`issuer-key.der`, owner-only, and `issuer-cert.der`), created on first use.
    pub fn open_or_create(dir: &std::path::Path, today: Date) -> Result<Issuer> {
        let key_path = dir.join(ISSUER_KEY_FILE);
        let cert_path = dir.join(ISSUER_CERT_FILE);
        let unreadable =
            |p: &std::path::Path, e: std::io::Error| CardError::FileUnreadable(format!("{}: {e}", p.display()));
        let unwritable =
            |p: &std::path::Path, e: std::io::Error| CardError::FileUnwritable(format!("{}: {e}", p.display()));
        if key_path.exists() {
            let key = std::fs::read(&key_path).map_err(|e| unreadable(&key_path, e))?;
            let cert = std::fs::read(&cert_path).map_err(|e| unreadable(&cert_path, e))?;
            return Issuer::from_parts(&key, &cert);
        }
        std::fs::create_dir_all(dir).map_err(|e| unwritable(dir, e))?;
        let issuer = Issuer::generate(today)?;
        std::fs::write(&cert_path, issuer.anchor().certificate_der()).map_err(|e| unwritable(&cert_path, e))?;
        write_secret(&key_path, &issuer.key_der()?).map_err(|e| unwritable(&key_path, e))?;
        Ok(issuer)
    }
}

/// Now, as the system clock says (for tools; the rules take time as a parameter).
pub fn system_now() -> DateTime<Utc> {
    DateTime::<Utc>::from(SystemTime::now())
}
