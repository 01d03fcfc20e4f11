//! The card file: what stands for the chip of a My Number card.
//!
//! ```json
//! {"format": "onshi-card/1",
//!  "surface": "<base64 of the 券面事項 JSON, exactly as the issuer signed it>",
//!  "surface_signature": "<base64 SHA256withRSA by the issuing CA>",
//!  "certificate": "<base64 DER X.509 利用者証明用電子証明書>",
//!  "pin_tries_left": 3,
//!  "key": {"kdf": "argon2id", "m_kib": 65536, "t": 3, "p": 1, "salt": "…", "nonce": "…", "ciphertext": "…"} | null,
//!  "reset": { … the same key, under the PIN reset code … }}
//! ```
//!
//! The certificate's private key is kept only encrypted: AES-256-GCM under a key derived from the PIN with
//! Argon2id (64 MiB, 3 passes), bound to the certificate's serial. A wrong PIN is an authentication failure
//! of the cipher. The retry counter is charged and written to the file *before* the PIN is tried, and on the
//! third wrong PIN the PIN-encrypted key is erased from the file, so a locked card holds no key a PIN could
//! open; the municipal office resets the PIN with the reset code (a second copy of the key under a
//! 16-digit code, the simulation's PUK).

use std::io::Write as _;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rand_core::{OsRng, RngCore};
use rsa::RsaPrivateKey;
use serde::{Deserialize, Serialize};

use crate::error::{CardError, Result};
use crate::pki;
use crate::rules::{PinCounter, pin_well_formed};

/// The card file format this build writes and reads.
pub const CARD_FORMAT: &str = "onshi-card/1";
/// The 券面事項 format.
pub const SURFACE_FORMAT: &str = "onshi-surface/1";

/// The information printed on the card (券面事項) and held on its chip, signed by the issuer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Surface {
    pub format: String,
    /// 個人番号.
    pub my_number: String,
    /// The name exactly as registered (any Unicode).
    pub name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// `male` or `female`.
    pub sex: String,
    pub address: String,
    /// The serial of the 利用者証明用電子証明書 on this card.
    pub certificate_serial: String,
    /// `YYYY-MM-DD`.
    pub issued_on: String,
    /// The certificate's last valid day, `YYYY-MM-DD`.
    pub certificate_expires_on: String,
}

impl Surface {
    /// The exact bytes the issuer signs.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        serde_json::to_vec(self).map_err(|e| CardError::Crypto(e.to_string()))
    }

    /// Reads signed bytes back (after the signature has been checked).
    pub fn from_bytes(b: &[u8]) -> Result<Surface> {
        let s: Surface =
            serde_json::from_slice(b).map_err(|e| CardError::Malformed(format!("the 券面事項 cannot be read: {e}")))?;
        if s.format != SURFACE_FORMAT {
            return Err(CardError::Malformed(format!("券面事項 format {:?} is not {SURFACE_FORMAT}", s.format)));
        }
        Ok(s)
    }
}

/// Argon2id cost of the PIN-derived key: 64 MiB, 3 passes, 1 lane (≈0.2–0.4 s per try on one core).
pub const KDF_M_KIB: u32 = 64 * 1024;
pub const KDF_T: u32 = 3;
pub const KDF_P: u32 = 1;

/// A secret key encrypted under a key derived from a short secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wrapped {
    kdf: String,
    m_kib: u32,
    t: u32,
    p: u32,
    salt: String,
    nonce: String,
    ciphertext: String,
}

fn b64d(s: &str, what: &str) -> Result<Vec<u8>> {
    B64.decode(s.trim()).map_err(|e| CardError::FileUnreadable(format!("{what} is not base64: {e}")))
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    OsRng.try_fill_bytes(&mut b).map_err(|e| CardError::Crypto(e.to_string()))?;
    Ok(b)
}

fn derive(secret: &str, salt: &[u8], m: u32, t: u32, p: u32) -> Result<[u8; 32]> {
    let params = Params::new(m, t, p, Some(32)).map_err(|e| CardError::Malformed(format!("KDF parameters: {e}")))?;
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(secret.as_bytes(), salt, &mut out)
        .map_err(|e| CardError::Crypto(e.to_string()))?;
    Ok(out)
}

fn aad(serial: &str, purpose: &str) -> Vec<u8> {
    format!("{CARD_FORMAT}:{purpose}:{serial}").into_bytes()
}

impl Wrapped {
    fn seal(secret: &str, plain: &[u8], aad: &[u8]) -> Result<Wrapped> {
        let salt = random::<16>()?;
        let nonce = random::<12>()?;
        let k = derive(secret, &salt, KDF_M_KIB, KDF_T, KDF_P)?;
        let cipher = Aes256Gcm::new_from_slice(&k).map_err(|e| CardError::Crypto(e.to_string()))?;
        let ct = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad })
            .map_err(|e| CardError::Crypto(e.to_string()))?;
        Ok(Wrapped {
            kdf: "argon2id".into(),
            m_kib: KDF_M_KIB,
            t: KDF_T,
            p: KDF_P,
            salt: B64.encode(salt),
            nonce: B64.encode(nonce),
            ciphertext: B64.encode(ct),
        })
    }

    /// The plaintext, or `None` when the secret is wrong (or the blob was altered).
    fn open(&self, secret: &str, aad: &[u8]) -> Result<Option<Vec<u8>>> {
        if self.kdf != "argon2id" {
            return Err(CardError::FileUnreadable(format!("unknown key derivation {:?}", self.kdf)));
        }
        // refuse absurd costs an edited file could ask for (a denial of service on the reader)
        if self.m_kib > 1 << 20 || self.t > 16 || self.p > 8 {
            return Err(CardError::FileUnreadable("the key derivation parameters are out of range".into()));
        }
        let salt = b64d(&self.salt, "salt")?;
        let nonce = b64d(&self.nonce, "nonce")?;
        if nonce.len() != 12 {
            return Err(CardError::FileUnreadable("the nonce is not 12 bytes".into()));
        }
        let ct = b64d(&self.ciphertext, "ciphertext")?;
        let k = derive(secret, &salt, self.m_kib, self.t, self.p)?;
        let cipher = Aes256Gcm::new_from_slice(&k).map_err(|e| CardError::Crypto(e.to_string()))?;
        Ok(cipher.decrypt(Nonce::from_slice(&nonce), Payload { msg: &ct, aad }).ok())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CardFile {
    format: String,
    surface: String,
    surface_signature: String,
    certificate: String,
    pin_tries_left: u8,
    key: Option<Wrapped>,
    reset: Wrapped,
}

/// What the issuer hands back for a new card: the signed 券面事項 and the certificate.
#[derive(Debug, Clone)]
pub struct Issued {
    pub surface: Vec<u8>,
    pub surface_signature: Vec<u8>,
    pub certificate: Vec<u8>,
}

/// A card in the reader: the parsed file.
#[derive(Debug, Clone)]
pub struct Card {
    file: CardFile,
    surface_bytes: Vec<u8>,
    surface_signature: Vec<u8>,
    certificate: Vec<u8>,
    surface: Surface,
    pin: PinCounter,
}

/// A 16-digit PIN reset code (the simulation's PUK, held by the municipal office).
pub fn new_reset_code() -> Result<String> {
    let b = random::<16>()?;
    Ok(b.iter().map(|x| char::from(b'0' + x % 10)).collect())
}

impl Card {
    /// Puts a new card together: the issuer's parts, and the card's private key encrypted under `pin` and
    /// under `reset_code`.
    pub fn assemble(issued: Issued, key: &RsaPrivateKey, pin: &str, reset_code: &str) -> Result<Card> {
        if !pin_well_formed(pin) {
            return Err(CardError::PinMalformed);
        }
        let surface = Surface::from_bytes(&issued.surface)?;
        let plain = pki::private_key_der(key)?;
        let serial = &surface.certificate_serial;
        let file = CardFile {
            format: CARD_FORMAT.into(),
            surface: B64.encode(&issued.surface),
            surface_signature: B64.encode(&issued.surface_signature),
            certificate: B64.encode(&issued.certificate),
            pin_tries_left: PinCounter::new().tries_left(),
            key: Some(Wrapped::seal(pin, &plain, &aad(serial, "pin"))?),
            reset: Wrapped::seal(reset_code, &plain, &aad(serial, "reset"))?,
        };
        Card::from_file(file)
    }

    fn from_file(file: CardFile) -> Result<Card> {
        if file.format != CARD_FORMAT {
            return Err(CardError::FileUnreadable(format!("format {:?} is not {CARD_FORMAT}", file.format)));
        }
        let pin = PinCounter::from_tries_left(file.pin_tries_left).ok_or_else(|| {
            CardError::FileUnreadable(format!("pin_tries_left {} is impossible", file.pin_tries_left))
        })?;
        let surface_bytes = b64d(&file.surface, "surface")?;
        let surface = Surface::from_bytes(&surface_bytes).map_err(|e| CardError::FileUnreadable(e.to_string()))?;
        Ok(Card {
            surface_signature: b64d(&file.surface_signature, "surface_signature")?,
            certificate: b64d(&file.certificate, "certificate")?,
            surface_bytes,
            surface,
            pin,
            file,
        })
    }

    /// Reads a card from its JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Card> {
        let file: CardFile = serde_json::from_slice(bytes).map_err(|e| CardError::FileUnreadable(e.to_string()))?;
        Card::from_file(file)
    }

    /// The card as JSON (pretty, for a person who opens the file).
    pub fn to_json(&self) -> Result<Vec<u8>> {
        let mut file = self.file.clone();
        file.pin_tries_left = self.pin.tries_left();
        serde_json::to_vec_pretty(&file).map_err(|e| CardError::Crypto(e.to_string()))
    }

    /// Reads a card file.
    pub fn load(path: &Path) -> Result<Card> {
        let bytes = std::fs::read(path).map_err(|e| CardError::FileUnreadable(format!("{}: {e}", path.display())))?;
        Card::from_json(&bytes)
    }

    /// Writes the card file atomically and durably (a temporary file, fsync, rename): a crash leaves
    /// either the old or the new card, never half of one.
    pub fn save(&self, path: &Path) -> Result<()> {
        let bytes = self.to_json()?;
        let unwritable = |e: std::io::Error| CardError::FileUnwritable(format!("{}: {e}", path.display()));
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let mut tmp = tempfile_in(dir).map_err(unwritable)?;
        tmp.1.write_all(&bytes).map_err(unwritable)?;
        tmp.1.sync_all().map_err(unwritable)?;
        std::fs::rename(&tmp.0, path).map_err(unwritable)?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// The 券面事項.
    pub fn surface(&self) -> &Surface {
        &self.surface
    }

    /// The signed 券面事項 bytes, as stored.
    pub fn surface_bytes(&self) -> &[u8] {
        &self.surface_bytes
    }

    pub fn surface_signature(&self) -> &[u8] {
        &self.surface_signature
    }

    /// The certificate, DER (readable without the PIN, as on the real card).
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate
    }

    pub fn pin_tries_left(&self) -> u8 {
        self.pin.tries_left()
    }

    pub fn locked(&self) -> bool {
        self.pin.locked() || self.file.key.is_none()
    }

    /// The chip's signing operation: checks the PIN and signs `message` with the certificate's key.
    ///
    /// `persist` is called with the card's new state and must write it durably: first with the attempt
    /// charged (before the PIN is tried; if it fails, no PIN is checked), then with the outcome (refunded, or
    /// locked and the PIN-encrypted key erased).
    pub fn sign_with_pin(
        &mut self,
        pin: &str,
        message: &[u8],
        mut persist: impl FnMut(&Card) -> Result<()>,
    ) -> Result<Vec<u8>> {
        if !pin_well_formed(pin) {
            return Err(CardError::PinMalformed);
        }
        let Some(wrapped) = self.file.key.clone() else {
            return Err(CardError::PinLocked);
        };
        let before = self.pin;
        let charged = self.pin.charge().map_err(|_| CardError::PinLocked)?;
        self.pin = charged;
        if let Err(e) = persist(self) {
            self.pin = before;
            return Err(e);
        }
        let opened = wrapped.open(pin, &aad(&self.surface.certificate_serial, "pin"))?;
        let Some(plain) = opened else {
            if charged.locked() {
                self.file.key = None;
                persist(self)?;
                return Err(CardError::PinLocked);
            }
            return Err(CardError::PinWrong { tries_left: charged.tries_left() });
        };
        self.pin = charged.refund();
        persist(self)?;
        let key = pki::private_key_from_der(&plain)?;
        Ok(pki::sign(&key, message))
    }

    /// At the municipal office: opens the key with the reset code and guards it with a new PIN; the counter
    /// is full again. The certificate does not change.
    pub fn reset_pin(&mut self, reset_code: &str, new_pin: &str) -> Result<()> {
        if !pin_well_formed(new_pin) {
            return Err(CardError::PinMalformed);
        }
        let serial = self.surface.certificate_serial.clone();
        let plain = self.file.reset.open(reset_code, &aad(&serial, "reset"))?.ok_or(CardError::ResetCodeWrong)?;
        self.file.key = Some(Wrapped::seal(new_pin, &plain, &aad(&serial, "pin"))?);
        self.pin = PinCounter::new();
        Ok(())
    }

    /// Tests and forgery drills: the same card with its 券面事項 (and their signature) or its certificate
    /// replaced, keeping everything else.
    pub fn with_parts(&self, surface: Option<(&[u8], &[u8])>, certificate: Option<&[u8]>) -> Result<Card> {
        let mut file = self.file.clone();
        if let Some((s, sig)) = surface {
            file.surface = B64.encode(s);
            file.surface_signature = B64.encode(sig);
        }
        if let Some(c) = certificate {
            file.certificate = B64.encode(c);
        }
        Card::from_file(file)
    }
}

/// A new temporary file next to `dir`'s target (same file system, so the rename is atomic).
fn tempfile_in(dir: &Path) -> std::io::Result<(std::path::PathBuf, std::fs::File)> {
    for _ in 0..16 {
        let n = random::<8>().map_err(|e| std::io::Error::other(e.to_string()))?;
        let p = dir.join(format!(".card-{}.tmp", n.iter().map(|b| format!("{b:02x}")).collect::<String>()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&p) {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("cannot create a temporary file"))
}
