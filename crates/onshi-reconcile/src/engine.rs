//! Grading the records: one record against its number's owner and the candidates, one chunk in parallel.

use csv::ByteRecord;
use onshi_linkage::{Fields, Grade, Prepared, Reason, compare, grade_by_id};

use crate::dups::Duplicates;
use crate::input::{Columns, Encoding, Kind, Person, RowError, lossy_row, my_number_value, read_extras, read_row};
use crate::output::csv_writer;
use crate::registry::Registry;

/// Reason codes that reconciliation adds to onshi-linkage's [`Reason`]s (files.md: "never dropped").
///
/// - `duplicate_record_id`: another row of RECORDS.csv has the same `record_id` (every such row gets it);
/// - `my_number_linked_twice`: another row of RECORDS.csv carries the same My Number — one number linked
///   to two records (every such row gets it);
/// - `registry_duplicate_my_number`: two rows of REGISTRY.csv have this record's My Number;
/// - `missing_my_number`: the record's `my_number` is empty. The grade is C (there is no link to keep);
///   `suggested_my_number` names the resident the record fits, when exactly one fits it as A or B;
/// - `too_many_candidates`: more residents share the record's birth date and a blocking key than are
///   compared (dirty data such as placeholder dates), so a better-fitting one may have been missed.
///
/// All but `missing_my_number` cap the grade at B (a person must look); none of them makes a C better.
pub const RECONCILE_REASONS: [&str; 5] = [
    "duplicate_record_id",
    "my_number_linked_twice",
    "registry_duplicate_my_number",
    "missing_my_number",
    "too_many_candidates",
];

const N_LINKAGE: usize = Reason::ALL.len();
pub(crate) const N_CODES: usize = N_LINKAGE + RECONCILE_REASONS.len();
// `Codes` is a u64 bit set: checked when compiling.
const _: () = assert!(N_CODES <= 64);
const DUP_ID: usize = N_LINKAGE;
const DUP_NUMBER: usize = N_LINKAGE + 1;
const REGISTRY_DUP: usize = N_LINKAGE + 2;
const MISSING_NUMBER: usize = N_LINKAGE + 3;
const TOO_MANY: usize = N_LINKAGE + 4;

/// The reason code with index `i` (linkage reasons first, in their order, then [`RECONCILE_REASONS`]).
pub(crate) fn code_str(i: usize) -> &'static str {
    match Reason::ALL.get(i) {
        Some(r) => r.as_str(),
        None => RECONCILE_REASONS.get(i - N_LINKAGE).copied().unwrap_or("unknown"),
    }
}

/// A set of reason codes as bits, iterated in code order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Codes(u64);

impl Codes {
    /// The set as bits (bit `i` = code `i`).
    pub(crate) fn bits(self) -> u64 {
        self.0
    }

    /// The set of these bits.
    pub(crate) fn from_bits(bits: u64) -> Codes {
        Codes(bits)
    }

    fn insert(&mut self, i: usize) {
        self.0 |= 1 << i;
    }

    fn insert_reason(&mut self, r: Reason) {
        if let Some(i) = Reason::ALL.iter().position(|&x| x == r) {
            self.insert(i);
        }
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = usize> {
        (0..N_CODES).filter(move |i| self.0 & (1 << i) != 0)
    }

    pub(crate) fn join(self) -> String {
        let mut s = String::new();
        for i in self.iter() {
            if !s.is_empty() {
                s.push(';');
            }
            s.push_str(code_str(i));
        }
        s
    }
}

/// How one record came out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub(crate) grade: Grade,
    /// Against the number's owner; `None` when the number is invalid or unknown.
    pub(crate) fields: Option<Fields>,
    pub(crate) codes: Codes,
    /// The better-fitting resident's My Number.
    pub(crate) suggested: Option<u64>,
}

/// The My Number a record carries, as far as it could be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Carried {
    /// A valid My Number (its value).
    Valid(u64),
    /// Not a valid My Number (wrong length, characters or check digit).
    Invalid,
    /// Empty.
    Missing,
}

impl Carried {
    pub(crate) fn read(s: &str) -> Carried {
        if s.trim().is_empty() {
            return Carried::Missing;
        }
        my_number_value(s).map_or(Carried::Invalid, Carried::Valid)
    }

    pub(crate) fn value(self) -> Option<u64> {
        match self {
            Carried::Valid(n) => Some(n),
            Carried::Invalid | Carried::Missing => None,
        }
    }
}

/// Grades `record`, which carries `number` owned by resident `owner` (the first registry row with that
/// number, `None` when there is none): against the owner with onshi-linkage's `grade_by_id`, the
/// candidates found by the record's own keys being the "others". Without an owner (the number is
/// missing, invalid or unknown) the grade is C and the suggestion is the one candidate that fits best,
/// if it fits at least as B.
///
/// `reg` must hold the owner and every resident sharing a blocking key with the record: the whole
/// registry, or the partition of the record's birth date plus the owner (`partitioned`).
pub(crate) fn grade_record(
    reg: &Registry,
    record: &Prepared,
    number: Carried,
    owner: Option<u32>,
    cands: &mut Vec<u32>,
) -> Outcome {
    let cut = reg.candidates(&record.blocking_keys(), cands);
    let people = cands.iter().filter_map(|i| reg.person(*i).map(|p| (i, p)));
    match owner.and_then(|o| reg.person(o).map(|p| (o, p))) {
        Some((o, owner)) => {
            let g = grade_by_id(record, &o, owner, people);
            let mut codes = Codes::default();
            for &r in &g.reasons {
                codes.insert_reason(r);
            }
            if reg.shared_number.contains(&o) {
                codes.insert(REGISTRY_DUP);
            }
            if cut {
                codes.insert(TOO_MANY);
            }
            Outcome { grade: g.grade, fields: Some(g.fields), codes, suggested: g.better.and_then(|i| reg.number(i)) }
        }
        None => {
            let mut codes = Codes::default();
            match number {
                Carried::Valid(_) => codes.insert_reason(Reason::UnknownMyNumber),
                Carried::Invalid => codes.insert_reason(Reason::InvalidMyNumber),
                Carried::Missing => codes.insert(MISSING_NUMBER),
            }
            let mut best: Option<(u32, onshi_linkage::Fit)> = None;
            let mut tied = false;
            for (&i, p) in people {
                let (_, _, fit) = compare(record, p);
                if fit.grade() == Grade::C {
                    continue;
                }
                match best {
                    Some((_, b)) if fit < b => {}
                    Some((_, b)) if fit == b => tied = true,
                    _ => {
                        best = Some((i, fit));
                        tied = false;
                    }
                }
            }
            let suggested = best.filter(|_| !tied).and_then(|(i, _)| reg.number(i));
            Outcome { grade: Grade::C, fields: None, codes, suggested }
        }
    }
}

/// Grade and reason counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) a: u64,
    pub(crate) b: u64,
    pub(crate) c: u64,
    pub(crate) reasons: [u64; N_CODES],
}

impl Default for Counts {
    fn default() -> Self {
        Counts { a: 0, b: 0, c: 0, reasons: [0; N_CODES] }
    }
}

impl Counts {
    fn add(&mut self, o: &Outcome) {
        match o.grade {
            Grade::A => self.a += 1,
            Grade::B => self.b += 1,
            Grade::C => self.c += 1,
        }
        for i in o.codes.iter() {
            if let Some(n) = self.reasons.get_mut(i) {
                *n += 1;
            }
        }
    }

    pub(crate) fn merge(&mut self, o: &Counts) {
        self.a += o.a;
        self.b += o.b;
        self.c += o.c;
        for (x, y) in self.reasons.iter_mut().zip(o.reasons) {
            *x += y;
        }
    }
}

/// A B or C row kept for the HTML report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ReportRow {
    pub(crate) line: u64,
    pub(crate) record_id: String,
    pub(crate) my_number: String,
    pub(crate) name: String,
    pub(crate) birth_date: String,
    pub(crate) grade: Grade,
    pub(crate) fields: Option<Fields>,
    pub(crate) reasons: String,
    pub(crate) suggested: String,
}

/// An unreadable record row.
#[derive(Clone, Debug)]
pub(crate) struct Unreadable {
    pub(crate) line: u64,
    pub(crate) record_id: String,
    pub(crate) error: RowError,
    pub(crate) row: String,
}

/// What a slice of rows produced: OUT.csv bytes, unreadable rows, counts, report rows.
#[derive(Debug, Default)]
pub(crate) struct Part {
    pub(crate) out: Vec<u8>,
    pub(crate) unreadable: Vec<Unreadable>,
    pub(crate) counts: Counts,
    pub(crate) report_b: Vec<ReportRow>,
    pub(crate) report_c: Vec<ReportRow>,
}

/// Where the outcome of a record comes from.
#[derive(Clone, Copy)]
pub(crate) enum Grader<'a> {
    /// Graded here, against the whole registry in memory.
    Registry(&'a Registry),
    /// Graded before, partition by partition (`partitioned`): the outcome of each row of the slice
    /// given to [`process`], `None` for the unreadable ones.
    Given(&'a [Option<Outcome>]),
}

/// A row of RECORDS.csv as read: its fields and extra columns, or why it cannot be read. The one test
/// of readability, shared by the in-memory run and both passes of the partitioned one.
pub(crate) fn read_record<'r>(
    row: &'r ByteRecord,
    cols: &Columns,
    enc: Encoding,
) -> Result<(Person<'r>, Vec<std::borrow::Cow<'r, str>>), RowError> {
    read_row(row, cols, Kind::Records, enc).and_then(|p| read_extras(row, cols, enc).map(|x| (p, x)))
}

/// Everything a worker needs to grade rows.
#[derive(Clone)]
pub(crate) struct Ctx<'a> {
    pub(crate) grader: Grader<'a>,
    pub(crate) cols: &'a Columns,
    pub(crate) enc: Encoding,
    pub(crate) dups: &'a Duplicates,
    pub(crate) want_b: bool,
    pub(crate) want_c: bool,
}

fn verdicts(f: Option<Fields>) -> [&'static str; 5] {
    match f {
        Some(f) => [f.name.as_str(), f.name_kana.as_str(), f.birth_date.as_str(), f.sex.as_str(), f.address.as_str()],
        None => [""; 5],
    }
}

/// Grades `rows` (data rows `first_row..` of RECORDS.csv, 0 = the first after the header) and writes
/// their OUT.csv rows, in order.
pub(crate) fn process(rows: &[ByteRecord], first_row: u64, ctx: &Ctx<'_>) -> Part {
    let mut part = Part::default();
    let mut w = csv_writer(Vec::with_capacity(rows.len() * 160));
    let mut cands = Vec::new();
    for (row_index, row) in (first_row..).zip(rows) {
        let line = row.position().map_or(0, |p| p.line());
        let (person, extras) = match read_record(row, ctx.cols, ctx.enc) {
            Ok(v) => v,
            Err(error) => {
                let record_id = ctx
                    .enc
                    .decode(row.get(ctx.cols.get(crate::input::Col::RecordId)).unwrap_or_default())
                    .map(|s| s.trim().to_owned())
                    .unwrap_or_default();
                part.unreadable.push(Unreadable { line, record_id, error, row: lossy_row(row, ctx.enc) });
                continue;
            }
        };
        let mut o = match ctx.grader {
            Grader::Registry(reg) => {
                let record = Prepared::new(&person.basic4());
                let number = Carried::read(&person.my_number);
                let owner = number.value().and_then(|n| reg.owner(n));
                grade_record(reg, &record, number, owner, &mut cands)
            }
            Grader::Given(given) => match given.get((row_index - first_row) as usize).cloned().flatten() {
                Some(o) => o,
                // The partitioned run graded every readable row: this is a bug, not bad input.
                None => unreachable!("no outcome for readable row {row_index}"),
            },
        };
        if ctx.dups.ids.get(row_index) {
            o.codes.insert(DUP_ID);
        }
        if ctx.dups.numbers.get(row_index) {
            o.codes.insert(DUP_NUMBER);
        }
        if o.grade == Grade::A && o.codes.iter().any(|i| matches!(i, DUP_ID | DUP_NUMBER | REGISTRY_DUP | TOO_MANY)) {
            o.grade = Grade::B;
        }
        part.counts.add(&o);
        let reasons = o.codes.join();
        let suggested = o.suggested.map(|n| format!("{n:012}")).unwrap_or_default();
        let v = verdicts(o.fields);
        // Writing into memory cannot fail.
        let _ = w.write_field(person.record_id.as_bytes());
        let _ = w.write_field(person.my_number.as_bytes());
        let _ = w.write_field(o.grade.as_str());
        for f in v {
            let _ = w.write_field(f);
        }
        let _ = w.write_field(&reasons);
        let _ = w.write_field(&suggested);
        for x in &extras {
            let _ = w.write_field(x.as_bytes());
        }
        let _ = w.write_record(None::<&[u8]>);
        let keep = match o.grade {
            Grade::A => None,
            Grade::B => ctx.want_b.then_some(&mut part.report_b),
            Grade::C => ctx.want_c.then_some(&mut part.report_c),
        };
        if let Some(list) = keep {
            list.push(ReportRow {
                line,
                record_id: person.record_id.to_string(),
                my_number: person.my_number.to_string(),
                name: person.name.trim().to_owned(),
                birth_date: person.birth_date.to_string(),
                grade: o.grade,
                fields: o.fields,
                reasons,
                suggested,
            });
        }
    }
    let _ = w.flush();
    part.out = w.into_inner().unwrap_or_else(|e| e.into_inner().get_ref().clone());
    part
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_index_the_linkage_reasons_then_ours() {
        for (i, r) in Reason::ALL.iter().enumerate() {
            assert_eq!(code_str(i), r.as_str());
        }
        assert_eq!(code_str(DUP_ID), "duplicate_record_id");
        assert_eq!(code_str(DUP_NUMBER), "my_number_linked_twice");
        assert_eq!(code_str(REGISTRY_DUP), "registry_duplicate_my_number");
        assert_eq!(code_str(MISSING_NUMBER), "missing_my_number");
        assert_eq!(code_str(TOO_MANY), "too_many_candidates");
        let mut c = Codes::default();
        c.insert(DUP_ID);
        c.insert_reason(Reason::NameVariant);
        assert_eq!(c.join(), "name_variant;duplicate_record_id");
    }
}
