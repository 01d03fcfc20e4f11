//! Measuring a run against a synthetic world's ground truth (`truth.csv` of `onshi sim generate`).
//!
//! Not used by [`run`](crate::run): this is how the tests and `reconcile-bench` check that the grades
//! are right. `truth.csv` (files.md) is `record_id,true_my_number,error`, `error` empty for a right
//! record or the injected error's kind.
//!
//! What is counted, per record of OUT.csv found in truth.csv:
//! - **wrong person** (`twin_swap`, `family_swap`, `same_name_stranger`: the record carries another
//!   resident's My Number): should be C — [`Accuracy::wrong_person_c`] is the recall;
//! - **right for linking** (no error, or `wrong_copay`, which touches no field that is compared):
//!   should be A or B — [`Accuracy::right_ab`];
//! - **C precision** ([`Accuracy::c_real`]): a C is a real error when the record's linking data has an
//!   injected error (any kind but `wrong_copay`);
//! - **suggestions** ([`Accuracy::suggestion_right`]): of the wrong-person records graded C with a
//!   `suggested_my_number`, how many name the true person; and of *every* suggestion (also those for a
//!   missing or unknown number, [`Accuracy::suggestions_true`]), how many name the true person — a wrong
//!   one would invite a new wrong link;
//! - **better-candidate precision** ([`Accuracy::better_candidate_wrong_person`]): of the records graded
//!   C because another resident fits better, how many really are a wrong person.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

use crate::error::ReconcileError;
use crate::index::fingerprint;
use crate::output::BOM;

/// The error kinds whose record carries another resident's My Number.
pub const WRONG_PERSON: [&str; 3] = ["twin_swap", "family_swap", "same_name_stranger"];

/// The error kinds that touch nothing the grading compares.
pub const NOT_LINKING: [&str; 1] = ["wrong_copay"];

/// A ratio `hits / of`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ratio {
    /// Hits.
    pub hits: u64,
    /// Out of.
    pub of: u64,
}

impl Ratio {
    fn add(&mut self, hit: bool) {
        self.of += 1;
        if hit {
            self.hits += 1;
        }
    }

    /// `hits / of`, or 1 when `of` is 0 (nothing to get wrong).
    pub fn value(self) -> f64 {
        if self.of == 0 { 1.0 } else { self.hits as f64 / self.of as f64 }
    }
}

impl std::fmt::Display for Ratio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.3}% ({}/{})", self.value() * 100.0, self.hits, self.of)
    }
}

/// How OUT.csv's grades compare with truth.csv.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Accuracy {
    /// Rows of OUT.csv found in truth.csv.
    pub graded: u64,
    /// Rows of OUT.csv not in truth.csv.
    pub unknown: u64,
    /// Error kind (`""` for a right record) → records graded `[A, B, C]`.
    pub by_kind: BTreeMap<String, [u64; 3]>,
    /// Wrong-person records graded C.
    pub wrong_person_c: Ratio,
    /// Records right for linking graded A or B.
    pub right_ab: Ratio,
    /// C grades that are real errors.
    pub c_real: Ratio,
    /// Wrong-person records graded C with a suggestion that names the true person.
    pub suggestion_right: Ratio,
    /// Records graded C with `better_candidate` that are wrong-person records.
    pub better_candidate_wrong_person: Ratio,
    /// Every `suggested_my_number` that names the record's true person.
    pub suggestions_true: Ratio,
}

fn read_err(path: &Path) -> impl Fn(csv::Error) -> ReconcileError + '_ {
    move |e| crate::input::csv_err(path, e)
}

impl Accuracy {
    /// Reads OUT.csv (as written by [`run`](crate::run)) and truth.csv, and compares them.
    ///
    /// # Errors
    /// [`ReconcileError::Read`] when a file cannot be read or is not CSV.
    pub fn measure(out: &Path, truth: &Path) -> Result<Accuracy, ReconcileError> {
        let mut kinds: Vec<String> = Vec::new();
        let mut truths: HashMap<u128, (String, u8)> = HashMap::new();
        let mut t = csv::Reader::from_path(truth).map_err(read_err(truth))?;
        for row in t.byte_records() {
            let row = row.map_err(read_err(truth))?;
            let field = |i| String::from_utf8_lossy(row.get(i).unwrap_or_default()).into_owned();
            let kind = field(2);
            let k = match kinds.iter().position(|x| *x == kind) {
                Some(k) => k,
                None => {
                    kinds.push(kind);
                    kinds.len() - 1
                }
            };
            let id = fingerprint(row.get(0).unwrap_or_default());
            truths.insert(id, (field(1), u8::try_from(k).unwrap_or(u8::MAX)));
        }

        let file = std::fs::File::open(out).map_err(|source| ReconcileError::Read { path: out.to_owned(), source })?;
        let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
        let mut bom = [0u8; 3];
        reader.read_exact(&mut bom).map_err(|source| ReconcileError::Read { path: out.to_owned(), source })?;
        let head = if bom == BOM { &[][..] } else { &bom[..] };
        let mut o = csv::Reader::from_reader(head.chain(reader));
        let mut acc = Accuracy::default();
        for row in o.byte_records() {
            let row = row.map_err(read_err(out))?;
            let get = |i| row.get(i).unwrap_or_default();
            let Some((true_number, k)) = truths.get(&fingerprint(get(0))) else {
                acc.unknown += 1;
                continue;
            };
            let kind = kinds.get(usize::from(*k)).map_or("", String::as_str);
            let g = match get(2) {
                b"A" => 0,
                b"B" => 1,
                _ => 2,
            };
            acc.graded += 1;
            if let Some(counts) = acc.by_kind.get_mut(kind) {
                counts[g] += 1;
            } else {
                let mut counts = [0; 3];
                counts[g] += 1;
                acc.by_kind.insert(kind.to_owned(), counts);
            }
            let wrong_person = WRONG_PERSON.contains(&kind);
            let right = kind.is_empty() || NOT_LINKING.contains(&kind);
            let is_c = g == 2;
            if !get(9).is_empty() {
                acc.suggestions_true.add(get(9) == true_number.as_bytes());
            }
            if wrong_person {
                acc.wrong_person_c.add(is_c);
                if is_c && !get(9).is_empty() {
                    acc.suggestion_right.add(get(9) == true_number.as_bytes());
                }
            }
            if right {
                acc.right_ab.add(!is_c);
            }
            if is_c {
                acc.c_real.add(!right);
                if get(8).split(|&b| b == b';').any(|r| r == b"better_candidate") {
                    acc.better_candidate_wrong_person.add(wrong_person);
                }
            }
        }
        Ok(acc)
    }

    /// A plain-text table: the headline ratios, then A/B/C by error kind.
    pub fn table(&self) -> String {
        let mut s = format!(
            "wrong-person records graded C (recall):          {}\n\
             C grades that are real errors (precision):       {}\n\
             right records graded A or B:                     {}\n\
             better_candidate C that are wrong persons:       {}\n\
             suggested_my_number = the true person:           {} (wrong-person records)\n\
             every suggested_my_number = the true person:     {}\n\
             {:<22}{:>10}{:>10}{:>10}{:>10}{:>9}\n",
            self.wrong_person_c,
            self.c_real,
            self.right_ab,
            self.better_candidate_wrong_person,
            self.suggestion_right,
            self.suggestions_true,
            "error kind",
            "records",
            "A",
            "B",
            "C",
            "C share"
        );
        for (kind, [a, b, c]) in &self.by_kind {
            let n = a + b + c;
            let name = if kind.is_empty() { "(none)" } else { kind.as_str() };
            let share = if n == 0 { 0.0 } else { *c as f64 * 100.0 / n as f64 };
            s.push_str(&format!("{name:<22}{n:>10}{a:>10}{b:>10}{c:>10}{share:>8.2}%\n"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_ratio_from_the_rows() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("out.csv");
        let truth = dir.path().join("truth.csv");
        std::fs::write(
            &out,
            "\u{FEFF}record_id,my_number,grade,name,name_kana,birth_date,sex,address,reasons,suggested_my_number\r\n\
             1,111,C,match,match,match,match,match,better_candidate,222\r\n\
             2,333,B,variant,match,match,match,match,name_variant,\r\n\
             3,444,C,differs,differs,match,match,match,better_candidate,555\r\n\
             4,666,A,match,match,match,match,match,,\r\n\
             5,777,C,match,match,differs,match,match,birth_date_differs,\r\n\
             6,888,C,match,match,match,match,match,better_candidate,999\r\n\
             extra,1,A,match,match,match,match,match,,\r\n",
        )
        .expect("write");
        std::fs::write(
            &truth,
            "record_id,true_my_number,error\n1,222,twin_swap\n2,333,variant\n3,000,family_swap\n4,666,\n\
             5,777,birth_date_typo\n6,888,wrong_copay\n",
        )
        .expect("write");
        let a = Accuracy::measure(&out, &truth).expect("measure");
        assert_eq!((a.graded, a.unknown), (6, 1));
        assert_eq!(a.wrong_person_c, Ratio { hits: 2, of: 2 });
        assert_eq!(a.suggestion_right, Ratio { hits: 1, of: 2 });
        assert_eq!(a.right_ab, Ratio { hits: 1, of: 2 }, "wrong_copay graded C is a false alarm");
        assert_eq!(a.c_real, Ratio { hits: 3, of: 4 });
        assert_eq!(a.better_candidate_wrong_person, Ratio { hits: 2, of: 3 });
        assert_eq!(a.suggestions_true, Ratio { hits: 1, of: 3 });
        assert_eq!(a.by_kind.get(""), Some(&[1, 0, 0]));
        assert!(a.table().contains("twin_swap"));
        assert_eq!(Ratio::default().value(), 1.0);
    }
}
