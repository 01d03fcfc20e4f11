//! Reading the input CSV files: encoding, header row, one row into typed fields.

use std::borrow::Cow;
use std::fs::File;
use std::io::{Chain, Cursor, Read};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use csv::ByteRecord;
use onshi_linkage::Sex;
use serde::{Deserialize, Serialize};

use crate::error::ReconcileError;

/// The text encoding of an input CSV file (files.md: what municipal and insurer systems export).
///
/// Parsed from the command line with [`str::parse`]: `utf-8`/`utf8`, `cp932`/`shift_jis`/`sjis`/
/// `windows-31j` (any case).
///
/// ```
/// use onshi_reconcile::Encoding;
/// assert_eq!("Shift_JIS".parse::<Encoding>()?, Encoding::Cp932);
/// assert_eq!(Encoding::detect("氏名".as_bytes()), Encoding::Utf8);
/// assert_eq!(Encoding::detect(&[0x8E, 0x81, 0x96, 0xBC]), Encoding::Cp932); // 「氏名」 in Shift_JIS
/// # Ok::<(), onshi_reconcile::ParseEncodingError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Encoding {
    /// UTF-8, with or without a byte order mark.
    #[serde(rename = "utf-8")]
    Utf8,
    /// Shift_JIS as Windows writes it (CP932, Windows-31J: with the NEC and IBM extensions).
    #[serde(rename = "cp932")]
    Cp932,
}

/// How many bytes [`Encoding::detect`] looks at when a file is opened.
pub const DETECT_BYTES: usize = 1 << 20;

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl Encoding {
    /// `"utf-8"` or `"cp932"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Cp932 => "cp932",
        }
    }

    /// Guesses the encoding from the first bytes of a file ([`DETECT_BYTES`] when reading a file): a UTF-8
    /// byte order mark, or bytes that are valid UTF-8 (a character cut at the end of `first_bytes` is
    /// allowed), mean UTF-8; anything else is taken as CP932. Japanese text in Shift_JIS is practically
    /// never valid UTF-8, and ASCII is both.
    pub fn detect(first_bytes: &[u8]) -> Encoding {
        if first_bytes.starts_with(BOM) {
            return Encoding::Utf8;
        }
        match std::str::from_utf8(first_bytes) {
            Ok(_) => Encoding::Utf8,
            Err(e) if e.error_len().is_none() => Encoding::Utf8,
            Err(_) => Encoding::Cp932,
        }
    }

    /// Decodes one field, or `None` when its bytes are not valid in this encoding.
    pub(crate) fn decode(self, bytes: &[u8]) -> Option<Cow<'_, str>> {
        match self {
            Encoding::Utf8 => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
            Encoding::Cp932 => encoding_rs::SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes),
        }
    }
}

impl std::fmt::Display for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An `--encoding` value that names no supported encoding.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown encoding {0:?}: use utf-8 or cp932 (Shift_JIS)")]
pub struct ParseEncodingError(pub String);

impl ParseEncodingError {
    /// `"unknown_encoding"`.
    pub fn code(&self) -> &'static str {
        "unknown_encoding"
    }
}

impl std::str::FromStr for Encoding {
    type Err = ParseEncodingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "cp932" | "shift-jis" | "sjis" | "windows-31j" | "ms932" => Ok(Encoding::Cp932),
            _ => Err(ParseEncodingError(s.to_owned())),
        }
    }
}

/// The columns of REGISTRY.csv and RECORDS.csv (files.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Col {
    RecordId,
    MyNumber,
    Name,
    NameKana,
    BirthDate,
    Sex,
    Address,
}

impl Col {
    pub(crate) const ALL: [Col; 7] =
        [Col::RecordId, Col::MyNumber, Col::Name, Col::NameKana, Col::BirthDate, Col::Sex, Col::Address];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Col::RecordId => "record_id",
            Col::MyNumber => "my_number",
            Col::Name => "name",
            Col::NameKana => "name_kana",
            Col::BirthDate => "birth_date",
            Col::Sex => "sex",
            Col::Address => "address",
        }
    }
}

/// Which file: decides the required columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Registry,
    Records,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Registry => "registry",
            Kind::Records => "records",
        }
    }

    pub(crate) fn expected(self) -> &'static str {
        match self {
            Kind::Registry => "my_number,name,name_kana,birth_date,sex,address",
            Kind::Records => "record_id,my_number,name,name_kana,birth_date,sex,address",
        }
    }

    fn required(self) -> &'static [Col] {
        match self {
            Kind::Registry => &Col::ALL[1..],
            Kind::Records => &Col::ALL,
        }
    }
}

/// Where each known column is, and the other ("extra") columns in their order.
#[derive(Clone, Debug)]
pub(crate) struct Columns {
    idx: [usize; 7],
    pub(crate) extras: Vec<usize>,
    pub(crate) extra_names: Vec<String>,
    pub(crate) width: usize,
}

fn clean_header(s: &str) -> String {
    s.trim_start_matches('\u{FEFF}').trim_matches(|c: char| c.is_whitespace()).to_ascii_lowercase()
}

impl Columns {
    pub(crate) fn from_header(kind: Kind, path: &Path, names: &[String]) -> Result<Columns, ReconcileError> {
        let cleaned: Vec<String> = names.iter().map(|n| clean_header(n)).collect();
        let mut idx = [usize::MAX; 7];
        let mut known = vec![false; names.len()];
        for (slot, col) in idx.iter_mut().zip(Col::ALL) {
            if kind == Kind::Registry && col == Col::RecordId {
                continue;
            }
            let mut found = cleaned.iter().enumerate().filter(|(_, n)| n.as_str() == col.as_str());
            if let Some((i, _)) = found.next() {
                if found.next().is_some() {
                    return Err(ReconcileError::DuplicateColumn {
                        path: path.to_owned(),
                        column: col.as_str().to_owned(),
                    });
                }
                *slot = i;
                known[i] = true;
            }
        }
        let missing: Vec<&str> =
            kind.required().iter().filter(|c| idx[**c as usize] == usize::MAX).map(|c| c.as_str()).collect();
        if !missing.is_empty() {
            return Err(ReconcileError::MissingColumns {
                path: path.to_owned(),
                missing: missing.join(", "),
                found: names.join(","),
                expected: kind.expected(),
            });
        }
        let extras: Vec<usize> = (0..names.len()).filter(|&i| !known[i]).collect();
        let extra_names = extras.iter().map(|&i| names[i].trim_start_matches('\u{FEFF}').to_owned()).collect();
        Ok(Columns { idx, extras, extra_names, width: names.len() })
    }

    #[inline]
    pub(crate) fn get(&self, col: Col) -> usize {
        self.idx[col as usize]
    }
}

/// Why a row could not be read. Reported in the error file with its line number; never fatal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RowError {
    FieldCount { found: usize, expected: usize },
    Encoding { column: String, encoding: Encoding },
    MissingRecordId,
    MissingBirthDate,
    InvalidBirthDate { value: String, message: String },
    InvalidSex { value: String },
    InvalidMyNumber { value: String, message: String },
    DuplicateMyNumber { first_line: u64 },
}

impl RowError {
    /// The stable reason code written to the error file.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            RowError::FieldCount { .. } => "wrong_field_count",
            RowError::Encoding { .. } => "invalid_encoding",
            RowError::MissingRecordId => "missing_record_id",
            RowError::MissingBirthDate => "missing_birth_date",
            RowError::InvalidBirthDate { .. } => "invalid_birth_date",
            RowError::InvalidSex { .. } => "invalid_sex",
            RowError::InvalidMyNumber { .. } => "invalid_my_number",
            RowError::DuplicateMyNumber { .. } => "registry_duplicate_my_number",
        }
    }

    /// A plain sentence for the clerk.
    pub(crate) fn detail(&self) -> String {
        match self {
            RowError::FieldCount { found, expected } => format!(
                "the row has {found} fields but the header row has {expected}: check for a missing or extra comma, or an unclosed quote"
            ),
            RowError::Encoding { column, encoding } => {
                format!("column {column} is not valid {encoding}; if the file is in another encoding, pass --encoding")
            }
            RowError::MissingRecordId => "record_id is empty".to_owned(),
            RowError::MissingBirthDate => "birth_date is empty".to_owned(),
            RowError::InvalidBirthDate { value, message } => {
                format!("birth_date {value:?} cannot be read: {message}")
            }
            RowError::InvalidSex { value } => {
                format!("sex {value:?} cannot be read: use male/female, 男/女 or 1/2 (empty when unknown)")
            }
            RowError::InvalidMyNumber { value, message } => {
                format!("my_number {value:?}: {message}")
            }
            RowError::DuplicateMyNumber { first_line } => format!(
                "the same my_number is on line {first_line}; records carrying it are graded against that line's resident"
            ),
        }
    }
}

/// The fields of one row, decoded.
#[derive(Clone, Debug)]
pub(crate) struct Person<'a> {
    pub(crate) record_id: Cow<'a, str>,
    pub(crate) my_number: Cow<'a, str>,
    pub(crate) name: Cow<'a, str>,
    pub(crate) name_kana: Cow<'a, str>,
    pub(crate) birth_date: NaiveDate,
    pub(crate) sex: Option<Sex>,
    pub(crate) address: Cow<'a, str>,
}

impl Person<'_> {
    pub(crate) fn basic4(&self) -> onshi_linkage::Basic4<'_> {
        fn opt(s: &str) -> Option<&str> {
            let t = s.trim();
            (!t.is_empty()).then_some(t)
        }
        onshi_linkage::Basic4 {
            name: self.name.trim(),
            name_kana: opt(&self.name_kana),
            birth_date: self.birth_date,
            sex: self.sex,
            address: opt(&self.address),
        }
    }
}

fn trim(s: Cow<'_, str>) -> Cow<'_, str> {
    let is_space = |c: char| c.is_whitespace();
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(b.trim_matches(is_space)),
        Cow::Owned(o) if o.trim_matches(is_space).len() == o.len() => Cow::Owned(o),
        Cow::Owned(o) => Cow::Owned(o.trim_matches(is_space).to_owned()),
    }
}

/// `male`/`female`, `男`/`女`, `1`/`2` (also `男性`/`女性`, `M`/`F`, full-width digits; ISO 5218's `0`
/// and `9` and an empty field mean unknown). `Err(())` for anything else.
pub(crate) fn parse_sex(s: &str) -> Result<Option<Sex>, ()> {
    let t = s.trim();
    match t {
        "" | "0" | "9" | "０" | "９" => Ok(None),
        "1" | "１" | "男" | "男性" => Ok(Some(Sex::Male)),
        "2" | "２" | "女" | "女性" => Ok(Some(Sex::Female)),
        _ if t.eq_ignore_ascii_case("male") || t.eq_ignore_ascii_case("m") => Ok(Some(Sex::Male)),
        _ if t.eq_ignore_ascii_case("female") || t.eq_ignore_ascii_case("f") => Ok(Some(Sex::Female)),
        _ => Err(()),
    }
}

/// Decodes and checks one row. The my_number is returned as written (trimmed); the caller decides what
/// an invalid one means (fatal for the row in the registry, grade C in the records).
pub(crate) fn read_row<'a>(
    row: &'a ByteRecord,
    cols: &Columns,
    kind: Kind,
    enc: Encoding,
) -> Result<Person<'a>, RowError> {
    let n = row.len();
    if n < cols.width || (n > cols.width && row.iter().skip(cols.width).any(|f| !f.is_empty())) {
        return Err(RowError::FieldCount { found: n, expected: cols.width });
    }
    let field = |col: Col| -> Result<Cow<'a, str>, RowError> {
        if kind == Kind::Registry && col == Col::RecordId {
            return Ok(Cow::Borrowed(""));
        }
        let bytes = row.get(cols.get(col)).unwrap_or_default();
        enc.decode(bytes).ok_or_else(|| RowError::Encoding { column: col.as_str().to_owned(), encoding: enc })
    };
    let record_id = trim(field(Col::RecordId)?);
    if kind == Kind::Records && record_id.is_empty() {
        return Err(RowError::MissingRecordId);
    }
    let my_number = trim(field(Col::MyNumber)?);
    let name = field(Col::Name)?;
    let name_kana = field(Col::NameKana)?;
    let birth = field(Col::BirthDate)?;
    let sex = field(Col::Sex)?;
    let address = field(Col::Address)?;
    let birth = birth.trim();
    if birth.is_empty() {
        return Err(RowError::MissingBirthDate);
    }
    let birth_date = onshi_law::parse_date(birth)
        .map_err(|e| RowError::InvalidBirthDate { value: birth.to_owned(), message: e.to_string() })?;
    let sex = parse_sex(&sex).map_err(|()| RowError::InvalidSex { value: sex.trim().to_owned() })?;
    Ok(Person { record_id, my_number, name, name_kana, birth_date, sex, address })
}

/// The extra columns of a row, decoded.
pub(crate) fn read_extras<'a>(
    row: &'a ByteRecord,
    cols: &Columns,
    enc: Encoding,
) -> Result<Vec<Cow<'a, str>>, RowError> {
    cols.extras
        .iter()
        .zip(&cols.extra_names)
        .map(|(&i, name)| {
            enc.decode(row.get(i).unwrap_or_default())
                .ok_or_else(|| RowError::Encoding { column: name.clone(), encoding: enc })
        })
        .collect()
}

/// The whole row, decoded with replacement characters where needed: for the error file.
pub(crate) fn lossy_row(row: &ByteRecord, enc: Encoding) -> String {
    let mut out = String::new();
    for (i, f) in row.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match enc {
            Encoding::Utf8 => out.push_str(&String::from_utf8_lossy(f)),
            Encoding::Cp932 => out.push_str(&encoding_rs::SHIFT_JIS.decode_without_bom_handling(f).0),
        }
    }
    out
}

/// The My Number as a number (12 digits fit in 40 bits), when it is valid.
pub(crate) fn my_number_value(s: &str) -> Result<u64, onshi_ids::IdError> {
    let n = onshi_ids::MyNumber::parse(s)?;
    Ok(n.as_str().bytes().fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0')))
}

pub(crate) type Source = Chain<Cursor<Vec<u8>>, File>;

/// An opened input CSV file: its encoding, size, header and reader.
pub(crate) struct Opened {
    pub(crate) reader: csv::Reader<Source>,
    pub(crate) encoding: Encoding,
    pub(crate) size: u64,
    pub(crate) header: Vec<String>,
}

/// Opens `path`, detects (or takes) its encoding, skips a UTF-8 BOM and reads the header row.
pub(crate) fn open(path: &Path, kind: Kind, forced: Option<Encoding>) -> Result<Opened, ReconcileError> {
    let err = |source| ReconcileError::Read { path: path.to_owned(), source };
    let mut file = File::open(path).map_err(err)?;
    let size = file.metadata().map_err(err)?.len();
    let mut sample = Vec::with_capacity(DETECT_BYTES.min(size as usize + 1));
    (&mut file).take(DETECT_BYTES as u64).read_to_end(&mut sample).map_err(err)?;
    let encoding = forced.unwrap_or_else(|| Encoding::detect(&sample));
    let mut cursor = Cursor::new(sample);
    if encoding == Encoding::Utf8 && cursor.get_ref().starts_with(BOM) {
        cursor.set_position(BOM.len() as u64);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(cursor.chain(file));
    let raw = reader.byte_headers().map_err(|e| csv_err(path, e))?.clone();
    if raw.is_empty() || (raw.len() == 1 && raw.get(0).is_some_and(|f| f.is_empty())) {
        return Err(ReconcileError::Empty { path: path.to_owned(), expected: kind.expected() });
    }
    let header = raw
        .iter()
        .map(|f| encoding.decode(f).map(Cow::into_owned))
        .collect::<Option<Vec<String>>>()
        .ok_or_else(|| ReconcileError::HeaderEncoding { path: path.to_owned(), encoding: encoding.as_str() })?;
    Ok(Opened { reader, encoding, size, header })
}

/// The csv crate reports only I/O problems when reading byte records into a flexible reader.
pub(crate) fn csv_err(path: &Path, e: csv::Error) -> ReconcileError {
    let source = match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    };
    ReconcileError::Read { path: PathBuf::from(path), source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sexes() {
        for s in ["male", "Male", " 男 ", "1", "１", "男性", "M"] {
            assert_eq!(parse_sex(s), Ok(Some(Sex::Male)), "{s}");
        }
        for s in ["female", "FEMALE", "女", "2", "２", "女性", "f"] {
            assert_eq!(parse_sex(s), Ok(Some(Sex::Female)), "{s}");
        }
        for s in ["", "  ", "0", "9"] {
            assert_eq!(parse_sex(s), Ok(None), "{s}");
        }
        for s in ["3", "x", "おとこ", "males"] {
            assert_eq!(parse_sex(s), Err(()), "{s}");
        }
    }

    #[test]
    fn encodings_parse_and_detect() {
        assert_eq!("utf-8".parse::<Encoding>(), Ok(Encoding::Utf8));
        assert_eq!("UTF8".parse::<Encoding>(), Ok(Encoding::Utf8));
        assert_eq!("cp932".parse::<Encoding>(), Ok(Encoding::Cp932));
        assert_eq!("Windows-31J".parse::<Encoding>(), Ok(Encoding::Cp932));
        let e = "latin1".parse::<Encoding>().unwrap_err();
        assert_eq!(e.code(), "unknown_encoding");
        assert!(e.to_string().contains("cp932"));

        assert_eq!(Encoding::detect(b""), Encoding::Utf8);
        assert_eq!(Encoding::detect(b"a,b\n1,2"), Encoding::Utf8);
        assert_eq!(Encoding::detect(b"\xEF\xBB\xBFa"), Encoding::Utf8);
        // 「高橋」 cut in the middle of its last character is still UTF-8.
        let s = "高橋".as_bytes();
        assert_eq!(Encoding::detect(&s[..s.len() - 1]), Encoding::Utf8);
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("氏名,高橋");
        assert_eq!(Encoding::detect(&sjis), Encoding::Cp932);
    }

    #[test]
    fn my_number_values() {
        assert_eq!(my_number_value("123456789018"), Ok(123_456_789_018));
        assert_eq!(my_number_value("１２３４５６７８９０１８"), Ok(123_456_789_018));
        assert!(my_number_value("123456789012").is_err());
        assert!(my_number_value("").is_err());
    }

    #[test]
    fn header_columns() {
        let names: Vec<String> =
            ["\u{FEFF}Name", "my_number", "x", "birth_date", "sex", "address", "name_kana"].map(String::from).to_vec();
        let c = Columns::from_header(Kind::Registry, Path::new("r.csv"), &names).unwrap();
        assert_eq!(c.get(Col::Name), 0);
        assert_eq!(c.get(Col::NameKana), 6);
        assert_eq!(c.extras, vec![2]);
        let e = Columns::from_header(Kind::Records, Path::new("r.csv"), &names).unwrap_err();
        assert_eq!(e.code(), "missing_column");
        assert!(e.to_string().contains("record_id"));
        let mut dup = names.clone();
        dup.push("sex".into());
        let e = Columns::from_header(Kind::Registry, Path::new("r.csv"), &dup).unwrap_err();
        assert_eq!(e.code(), "duplicate_column");
    }
}
