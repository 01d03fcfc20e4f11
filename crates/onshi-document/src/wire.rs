//! The signed payload: the document's fields as a compact CBOR map (short keys, dates as
//! `YYYYMMDD` numbers), carried in a CWT private claim. Reading it back parses every value with
//! onshi-ids and onshi-law: a payload that does not parse is unreadable, whoever signed it.

use onshi_ids::{Branch, InsuredNumber, InsurerNumber, Symbol};
use onshi_law::{CopayRatio, Date, LimitCategory};
use serde::{Deserialize, Serialize};

use crate::content::{Document, DocumentKind, Relationship};

#[derive(Serialize, Deserialize, Debug)]
pub(crate) struct Wire {
    t: u8,
    s: String,
    v: u32,
    i: String,
    #[serde(rename = "in")]
    insurer_name: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    k: Option<String>,
    n: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    e: Option<String>,
    nm: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    nk: Option<String>,
    nc: String,
    b: u32,
    rl: u8,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    hn: Option<String>,
    a: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    r: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    l: Option<String>,
    d: u32,
    f: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    u: Option<u32>,
}

pub(crate) fn date_number(d: Date) -> u32 {
    use chrono::Datelike;
    (d.year().max(0) as u32) * 10_000 + d.month() * 100 + d.day()
}

pub(crate) fn number_date(n: u32) -> Option<Date> {
    Date::from_ymd_opt(i32::try_from(n / 10_000).ok()?, (n / 100) % 100, n % 100)
}

impl From<&Document> for Wire {
    fn from(d: &Document) -> Self {
        Wire {
            t: d.kind.wire(),
            s: d.serial.clone(),
            v: d.version,
            i: d.insurer.as_str().to_owned(),
            insurer_name: d.insurer_name.clone(),
            k: d.symbol.as_ref().map(|s| s.as_str().to_owned()),
            n: d.number.as_str().to_owned(),
            e: d.branch.as_ref().map(|b| b.as_str().to_owned()),
            nm: d.name.clone(),
            nk: d.name_kana.clone(),
            nc: d.claim_name.clone(),
            b: date_number(d.birth_date),
            rl: match d.relationship {
                Relationship::Insured => 1,
                Relationship::Dependent => 2,
            },
            hn: d.insured_person_name.clone(),
            a: date_number(d.acquired_on),
            r: d.copay.map(|c| c.percent()),
            l: d.limit_category.map(|l| l.code().to_owned()),
            d: date_number(d.issued_on),
            f: date_number(d.valid_from),
            u: d.valid_until.map(date_number),
        }
    }
}

impl Wire {
    /// The document, or the name of the first field that does not parse.
    pub(crate) fn into_document(self) -> Result<Document, &'static str> {
        let date = |n: u32, field: &'static str| number_date(n).ok_or(field);
        let doc = Document {
            kind: DocumentKind::from_wire(self.t).ok_or("kind")?,
            serial: self.s,
            version: self.v,
            insurer: InsurerNumber::parse(&self.i).map_err(|_| "insurer")?,
            insurer_name: self.insurer_name,
            symbol: self.k.map(|s| Symbol::parse(&s)).transpose().map_err(|_| "symbol")?,
            number: InsuredNumber::parse(&self.n).map_err(|_| "number")?,
            branch: self.e.map(|s| Branch::parse(&s)).transpose().map_err(|_| "branch")?,
            name: self.nm,
            name_kana: self.nk,
            claim_name: self.nc,
            birth_date: date(self.b, "birth_date")?,
            relationship: match self.rl {
                1 => Relationship::Insured,
                2 => Relationship::Dependent,
                _ => return Err("relationship"),
            },
            insured_person_name: self.hn,
            acquired_on: date(self.a, "acquired_on")?,
            copay: self.r.map(|p| CopayRatio::from_percent(p).ok_or("copay")).transpose()?,
            limit_category: self.l.map(|c| LimitCategory::parse_code(&c).ok_or("limit_category")).transpose()?,
            issued_on: date(self.d, "issued_on")?,
            valid_from: date(self.f, "valid_from")?,
            valid_until: self.u.map(|u| date(u, "valid_until")).transpose()?,
        };
        doc.validate().map_err(|e| match e {
            crate::DocumentError::Invalid { field, .. } => field,
            _ => "document",
        })?;
        Ok(doc)
    }
}
