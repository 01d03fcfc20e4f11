//! The files of `onshi reconcile` (files.md): what goes in, what comes out, byte for byte where the
//! contract fixes the bytes.

use std::path::{Path, PathBuf};

use onshi_ids::MyNumber;
use onshi_reconcile::{Encoding, OUT_COLUMNS, Options, Summary, errors_path, run};

/// A valid My Number from an 11-digit body.
fn mn(body: u64) -> String {
    MyNumber::from_body(&format!("{body:011}")).expect("11 digits").as_str().to_owned()
}

struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        World { dir: tempfile::tempdir().expect("temp dir") }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write input");
        p
    }

    fn opts(&self) -> Options {
        Options {
            progress: false,
            summary: Some(self.path("summary.json")),
            report: Some(self.path("report.html")),
            ..Options::new(self.path("registry.csv"), self.path("records.csv"), self.path("out.csv"))
        }
    }

    fn read(&self, name: &str) -> String {
        String::from_utf8(std::fs::read(self.path(name)).expect("read output")).expect("UTF-8 output")
    }
}

/// OUT.csv (or the error file) as rows of fields, after checking the BOM and CRLF line ends.
fn rows(text: &str) -> Vec<Vec<String>> {
    let body = text.strip_prefix('\u{FEFF}').expect("starts with a UTF-8 BOM");
    assert!(body.ends_with("\r\n"), "CRLF line ends");
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(body.as_bytes());
    r.records().map(|x| x.expect("valid CSV").iter().map(str::to_owned).collect()).collect()
}

fn by_id(rows: &[Vec<String>], id: &str) -> Vec<String> {
    rows.iter().find(|r| r[0] == id).unwrap_or_else(|| panic!("no row {id}")).clone()
}

const ADDR: &str = "東京都千代田区永田町二丁目1番2号";

/// A registry with twins (佐藤 翔太/健太), a mother and daughter, a same-name stranger pair
/// (山本 花子 born the same day, different towns) and a variant surname (髙橋).
fn registry() -> String {
    let rows = [
        (mn(1), "佐藤 翔太", "サトウ ショウタ", "2010-05-05", "male", ADDR),
        (mn(2), "佐藤 健太", "サトウ ケンタ", "2010-05-05", "male", ADDR),
        (mn(3), "鈴木 陽子", "スズキ ヨウコ", "1975-03-10", "female", "大阪府大阪市北区梅田一丁目1番1号"),
        (mn(4), "鈴木 美咲", "スズキ ミサキ", "2005-08-20", "female", "大阪府大阪市北区梅田一丁目1番1号"),
        (mn(5), "山本 花子", "ヤマモト ハナコ", "1960-01-15", "female", "北海道札幌市中央区北一条西二丁目1番地"),
        (mn(6), "山本 花子", "ヤマモト ハナコ", "1960-01-15", "female", "福岡県福岡市博多区博多駅前三丁目2番1号"),
        (mn(7), "髙橋 一郎", "タカハシ イチロウ", "1980-04-15", "male", ADDR),
        (mn(8), "田中 誠", "タナカ マコト", "1955-11-30", "male", "愛知県名古屋市中区三の丸三丁目1番2号"),
        (mn(9), "中村 由美", "ナカムラ ユミ", "1980-04-15", "female", ADDR),
        (mn(10), "髙木 浩", "タカギ ヒロシ", "1990-09-09", "male", ADDR),
        (mn(11), "伊藤 正", "イトウ タダシ", "1948-02-29", "male", "宮城県仙台市青葉区国分町三丁目7番1号"),
        (mn(12), "小林 健二", "コバヤシ ケンジ", "1970-06-01", "male", ADDR),
    ];
    let mut s = String::from("my_number,name,name_kana,birth_date,sex,address\n");
    for (n, name, kana, birth, sex, addr) in rows {
        s.push_str(&format!("{n},{name},{kana},{birth},{sex},{addr}\n"));
    }
    s
}

#[test]
fn grades_verdicts_reasons_and_suggestions_in_input_order() {
    let w = World::new();
    w.write("registry.csv", registry());
    let records = format!(
        "record_id,my_number,name,name_kana,birth_date,sex,address,insurer_note\n\
         r-exact,{},髙橋 一郎,タカハシ イチロウ,1980-04-15,male,{ADDR},x\n\
         r-notation,{},中村　由美,ﾅｶﾑﾗ ﾕﾐ,S55.4.15,女,千代田区永田町2-1-2,\"a, b\"\n\
         r-variant,{},高木 浩,タカギ ヒロシ,1990-09-09,1,{ADDR},\n\
         r-moved,{},伊藤 正,イトウ タダシ,昭和23年2月29日,male,東京都港区芝公園四丁目2番8号,\n\
         r-twin,{},佐藤 翔太,サトウ ショウタ,2010-05-05,male,{ADDR},twin\n\
         r-family,{},鈴木 陽子,スズキ ヨウコ,1975-03-10,female,大阪府大阪市北区梅田一丁目1番1号,\n\
         r-stranger,{},山本 花子,ヤマモト ハナコ,1960-01-15,female,北海道札幌市中央区北一条西二丁目1番地,\n\
         r-birth,{},小林 健二,コバヤシ ケンジ,1971-08-13,male,{ADDR},\n\
         r-unknown,{},田中 誠,タナカ マコト,1955-11-30,male,愛知県名古屋市中区三の丸三丁目1番2号,\n\
         r-invalid,123456789012,田中 誠,タナカ マコト,1955-11-30,male,愛知県名古屋市中区三の丸三丁目1番2号,\n\
         r-missing,,田中 誠,タナカ マコト,1955-11-30,1,愛知県名古屋市中区三の丸三丁目1番2号,\n",
        mn(7),
        mn(9),
        mn(10),
        mn(11),
        mn(2),
        mn(4),
        mn(6),
        mn(12),
        mn(99),
    );
    w.write("records.csv", records);
    let s = run(&w.opts()).expect("run");

    let out = rows(&w.read("out.csv"));
    let header: Vec<&str> = out[0].iter().map(String::as_str).collect();
    assert_eq!(header[..10], OUT_COLUMNS);
    assert_eq!(header[10], "insurer_note");
    let ids: Vec<&str> = out[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        [
            "r-exact",
            "r-notation",
            "r-variant",
            "r-moved",
            "r-twin",
            "r-family",
            "r-stranger",
            "r-birth",
            "r-unknown",
            "r-invalid",
            "r-missing"
        ],
        "one row per record, in input order"
    );
    let cols = |id: &str| by_id(&out, id)[1..].to_vec();

    assert_eq!(
        cols("r-exact"),
        [
            mn(7),
            "A".into(),
            "match".into(),
            "match".into(),
            "match".into(),
            "match".into(),
            "match".into(),
            "".into(),
            "".into(),
            "x".into()
        ]
    );
    let n = cols("r-notation");
    assert_eq!(n[1..7], ["A", "notation", "notation", "match", "match", "notation"]);
    assert_eq!(n[7], "name_notation;address_notation");
    assert_eq!(n[9], "a, b", "extra columns are carried through, quoting and all");
    let v = cols("r-variant");
    assert_eq!(v[1..3], ["B", "variant"]);
    assert_eq!(v[7], "name_variant");
    let m = cols("r-moved");
    assert_eq!((m[1].as_str(), m[6].as_str(), m[7].as_str()), ("B", "differs", "address_differs"));

    // The twin's record under the other twin's number: C, and the twin is named.
    let t = cols("r-twin");
    assert_eq!(t[1], "C");
    assert!(t[7].split(';').any(|r| r == "better_candidate"), "{t:?}");
    assert_eq!(t[8], mn(1));
    // The mother's record under the daughter's number.
    let f = cols("r-family");
    assert_eq!((f[1].as_str(), f[4].as_str()), ("C", "differs"));
    assert_eq!(f[8], mn(3));
    // The stranger with the same name and birth date, in another town.
    let st = cols("r-stranger");
    assert_eq!(st[1], "C");
    assert_eq!(st[8], mn(5));

    let b = cols("r-birth");
    assert_eq!((b[1].as_str(), b[4].as_str()), ("C", "differs"));
    assert!(b[7].contains("birth_date_differs"));
    for (id, reason) in
        [("r-unknown", "unknown_my_number"), ("r-invalid", "invalid_my_number"), ("r-missing", "missing_my_number")]
    {
        let r = cols(id);
        assert_eq!(r[1..8], ["C", "", "", "", "", "", reason], "{id}");
        assert_eq!(r[8], mn(8), "{id}: the resident the record fits is suggested");
    }

    assert_eq!((s.records, s.a, s.b, s.c, s.unreadable), (11, 2, 2, 7, 0));
    assert_eq!(s.reasons.get("better_candidate"), Some(&3));
    assert_eq!(s.records_encoding, Some(Encoding::Utf8));
}

#[test]
fn summary_json_has_the_contract_keys() {
    let w = World::new();
    w.write("registry.csv", registry());
    w.write(
        "records.csv",
        format!("record_id,my_number,name,name_kana,birth_date,sex,address\n1,{},田中 誠,タナカ マコト,1955-11-30,male,x\n2,{},田中 誠,タナカ マコト,1955-11-30,male,x\n3,{},x,x,not a date,male,x\n", mn(8), mn(99), mn(8)),
    );
    let s = run(&w.opts()).expect("run");
    let v: serde_json::Value = serde_json::from_str(&w.read("summary.json")).expect("JSON");
    for key in ["records", "A", "B", "C", "unreadable", "reasons", "seconds"] {
        assert!(v.get(key).is_some(), "SUMMARY.json lacks {key}: {v}");
    }
    assert_eq!(v["records"], 3);
    assert_eq!(v["unreadable"], 1);
    assert_eq!(v["C"], 1);
    assert_eq!(v["reasons"]["unknown_my_number"], 1);
    assert!(v["seconds"].as_f64().is_some_and(|x| x >= 0.0));
    let back: Summary = serde_json::from_value(v).expect("round trip");
    assert_eq!(back, s);
}

#[test]
fn shift_jis_files_and_wareki_dates_are_read() {
    let w = World::new();
    let reg = registry();
    let (reg, _, _) = encoding_rs::SHIFT_JIS.encode(&reg);
    w.write("registry.csv", &reg);
    let rec = format!(
        "record_id,name,my_number,birth_date,sex,name_kana,address\n\
         k1,髙橋 一郎,{},昭和55年4月15日,男,タカハシ イチロウ,{ADDR}\n\
         k2,田中 誠,{},S30.11.30,1,タナカ マコト,愛知県名古屋市中区三の丸三丁目1番2号\n",
        mn(7),
        mn(8)
    );
    let (rec, _, _) = encoding_rs::SHIFT_JIS.encode(&rec);
    w.write("records.csv", &rec);
    let s = run(&w.opts()).expect("run");
    assert_eq!((s.a, s.b, s.c, s.unreadable), (2, 0, 0, 0), "{s:?}");
    assert_eq!(s.registry_encoding, Some(Encoding::Cp932));
    assert_eq!(s.records_encoding, Some(Encoding::Cp932));
    // The output is UTF-8 whatever the input.
    let out = rows(&w.read("out.csv"));
    assert_eq!(out[1][0], "k1");

    // Forcing UTF-8 on Shift_JIS: the header cannot be decoded here (it is ASCII), so rows fail one by one.
    let forced = Options { encoding: Some(Encoding::Utf8), ..w.opts() };
    let s = run(&forced).expect("run");
    assert_eq!(s.unreadable, 2);
    assert_eq!(s.unreadable_reasons.get("invalid_encoding"), Some(&2));
}

#[test]
fn unreadable_rows_are_reported_with_line_and_reason_never_dropped() {
    let w = World::new();
    let mut reg = registry();
    reg.push_str(&format!("{},壊れた 行,,1990-02-30,male,x\n", mn(50)));
    reg.push_str("123,番号 誤り,,1990-01-01,male,x\n");
    reg.push_str(&format!("{},重複 太郎,,1990-01-01,male,x\n", mn(8)));
    w.write("registry.csv", reg);
    let rec = format!(
        "record_id,my_number,name,name_kana,birth_date,sex,address\n\
         ok,{},田中 誠,タナカ マコト,1955-11-30,male,愛知県名古屋市中区三の丸三丁目1番2号\n\
         bad-date,{},田中 誠,タナカ マコト,1955-13-01,male,x\n\
         bad-sex,{},田中 誠,タナカ マコト,1955-11-30,unknown,x\n\
         ,{},田中 誠,タナカ マコト,1955-11-30,male,x\n\
         short,{},田中 誠\n\
         no-date,{},田中 誠,タナカ マコト,,male,x\n\
         \"multi\nline\",{},田中 誠,タナカ マコト,1955-11-30,male,x\n\
         last,{},田中 誠,タナカ マコト,R6.4.1,male,x\n",
        mn(8),
        mn(8),
        mn(8),
        mn(8),
        mn(8),
        mn(8),
        mn(8),
        mn(8)
    );
    w.write("records.csv", rec);
    let s = run(&w.opts()).expect("run");
    assert_eq!(s.records, 8);
    assert_eq!(s.unreadable, 5);
    assert_eq!(s.a + s.b + s.c + s.unreadable, s.records);
    let want = [
        ("invalid_birth_date", 1),
        ("invalid_sex", 1),
        ("missing_record_id", 1),
        ("wrong_field_count", 1),
        ("missing_birth_date", 1),
    ];
    for (code, n) in want {
        assert_eq!(s.unreadable_reasons.get(code), Some(&n), "{code}: {s:?}");
    }
    assert_eq!(s.registry_rows, 15);
    assert_eq!(s.registry_residents, 13, "the duplicate is still a resident; the two bad rows are not");
    assert_eq!(s.registry_problems.get("invalid_birth_date"), Some(&1));
    assert_eq!(s.registry_problems.get("invalid_my_number"), Some(&1));
    assert_eq!(s.registry_problems.get("registry_duplicate_my_number"), Some(&1));

    let errors = rows(&w.read("out.errors.csv"));
    assert_eq!(errors[0], ["file", "line", "record_id", "reason", "detail", "row"]);
    let find = |file: &str, reason: &str| {
        errors.iter().find(|r| r[0] == file && r[3] == reason).unwrap_or_else(|| panic!("{file} {reason}: {errors:?}"))
    };
    assert_eq!(find("registry", "invalid_birth_date")[1], "14");
    assert_eq!(find("registry", "invalid_my_number")[1], "15");
    let dup = find("registry", "registry_duplicate_my_number");
    assert_eq!(dup[1], "16");
    assert!(dup[4].contains("line 9"), "names the first row: {dup:?}");
    assert_eq!(find("records", "invalid_birth_date")[1..3], ["3", "bad-date"]);
    assert_eq!(find("records", "invalid_sex")[1], "4");
    assert_eq!(find("records", "missing_record_id")[1], "5");
    let short = find("records", "wrong_field_count");
    assert_eq!(short[1], "6");
    assert!(short[5].contains("田中 誠"), "the row as read: {short:?}");
    assert_eq!(find("records", "missing_birth_date")[1], "7");

    let out = rows(&w.read("out.csv"));
    let ids: Vec<&str> = out[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["ok", "multi\nline", "last"]);
    // The registry's second row with number 8 is graded against the first; the record is flagged.
    assert!(by_id(&out, "ok")[8].contains("registry_duplicate_my_number"));
}

#[test]
fn duplicated_record_ids_and_my_numbers_are_flagged_on_every_row() {
    let w = World::new();
    w.write("registry.csv", registry());
    let rec = format!(
        "record_id,my_number,name,name_kana,birth_date,sex,address\n\
         same,{},髙橋 一郎,タカハシ イチロウ,1980-04-15,male,{ADDR}\n\
         other,{},田中 誠,タナカ マコト,1955-11-30,male,愛知県名古屋市中区三の丸三丁目1番2号\n\
         same,{},佐藤 翔太,サトウ ショウタ,2010-05-05,male,{ADDR}\n\
         twin-a,{},佐藤 健太,サトウ ケンタ,2010-05-05,male,{ADDR}\n\
         twin-b,{},佐藤 健太,サトウ ケンタ,2010-05-05,male,{ADDR}\n",
        mn(7),
        mn(8),
        mn(1),
        mn(2),
        mn(2)
    );
    w.write("records.csv", rec);
    let s = run(&w.opts()).expect("run");
    let out = rows(&w.read("out.csv"));
    let reasons: Vec<(&str, &str, &str)> =
        out[1..].iter().map(|r| (r[0].as_str(), r[2].as_str(), r[8].as_str())).collect();
    assert_eq!(
        reasons,
        [
            ("same", "B", "duplicate_record_id"),
            ("other", "A", ""),
            ("same", "B", "duplicate_record_id"),
            ("twin-a", "B", "my_number_linked_twice"),
            ("twin-b", "B", "my_number_linked_twice"),
        ],
        "a duplicate caps an A at B and is never silent"
    );
    assert_eq!(s.reasons.get("duplicate_record_id"), Some(&2));
    assert_eq!(s.reasons.get("my_number_linked_twice"), Some(&2));
}

#[test]
fn the_report_lists_c_first_and_escapes_what_it_prints() {
    let w = World::new();
    w.write("registry.csv", registry());
    let rec = format!(
        "record_id,my_number,name,name_kana,birth_date,sex,address\n\
         b-row,{},高橋 一郎,タカハシ イチロウ,1980-04-15,male,{ADDR}\n\
         <script>,{},佐藤 翔太,サトウ ショウタ,2010-05-05,male,{ADDR}\n",
        mn(7),
        mn(2)
    );
    w.write("records.csv", rec);
    run(&w.opts()).expect("run");
    let html = w.read("report.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script>"), "nothing from the input is markup");
    assert!(html.contains("&lt;script&gt;"));
    let c = html.find("grade C").expect("C list");
    let b = html.find("grade B").expect("B list");
    assert!(c < b, "the C list comes before the B list");
    assert!(html[c..b].contains(&mn(1)), "the C list names the better-fitting resident");
    assert!(html[b..].contains("b-row"));
    assert!(html.contains("別の住民の方がよく一致"), "reasons in Japanese");
}

#[test]
fn a_bucket_too_big_to_compare_caps_the_grade_and_says_so() {
    // 300 residents born on a placeholder date with the same surname: more than one key may bring in.
    let w = World::new();
    let mut reg = String::from("my_number,name,name_kana,birth_date,sex,address\n");
    for i in 0..300u64 {
        reg.push_str(&format!("{},佐藤 名{i},サトウ,1900-01-01,male,x\n", mn(1000 + i)));
    }
    w.write("registry.csv", reg);
    w.write(
        "records.csv",
        format!(
            "record_id,my_number,name,name_kana,birth_date,sex,address\n1,{},佐藤 名7,サトウ,1900-01-01,male,x\n",
            mn(1007)
        ),
    );
    let s = run(&w.opts()).expect("run");
    let out = rows(&w.read("out.csv"));
    assert_eq!((out[1][2].as_str(), out[1][8].as_str()), ("B", "too_many_candidates"));
    assert_eq!(s.reasons.get("too_many_candidates"), Some(&1));
}

fn error_code(opts: &Options) -> &'static str {
    run(opts).expect_err("must fail").code()
}

#[test]
fn bad_inputs_stop_before_any_output_is_written() {
    let w = World::new();
    w.write("registry.csv", registry());
    w.write("records.csv", "record_id,my_number,name,birth_date,sex,address\n1,2,3,4,5,6\n");
    let e = run(&w.opts()).expect_err("missing column");
    assert_eq!(e.code(), "missing_column");
    assert_eq!(e.exit_status(), 2);
    assert!(e.to_string().contains("name_kana"), "{e}");
    assert!(!w.path("out.csv").exists() && !errors_path(&w.path("out.csv")).exists());

    w.write("records.csv", "");
    assert_eq!(error_code(&w.opts()), "empty_input");
    w.write("records.csv", "record_id,my_number,name,name_kana,birth_date,sex,address,sex\n");
    assert_eq!(error_code(&w.opts()), "duplicate_column");
    let absent = Options { records: w.path("nope.csv"), ..w.opts() };
    assert_eq!(error_code(&absent), "cannot_read_input");
    let clobber = Options { out: w.path("registry.csv"), ..w.opts() };
    assert_eq!(error_code(&clobber), "output_is_input");
    assert_eq!(registry(), w.read("registry.csv"), "the input is untouched");
    assert!(!w.path("out.csv").exists());
}

#[test]
fn an_unwritable_output_is_exit_status_1() {
    let w = World::new();
    w.write("registry.csv", registry());
    w.write("records.csv", "record_id,my_number,name,name_kana,birth_date,sex,address\n");
    let opts = Options { out: Path::new("/nonexistent-dir/out.csv").to_owned(), ..w.opts() };
    let e = run(&opts).expect_err("cannot write");
    assert_eq!((e.code(), e.exit_status()), ("cannot_write_output", 1));
}
