//! The HTML report: one self-contained page (inline CSS, no script, no external asset) for the clerk.

use std::fmt::Write as _;

use onshi_linkage::{Fields, Grade, Verdict};

use crate::Summary;
use crate::engine::{ReportRow, Unreadable};

/// How many rows each list of the HTML report shows (C, B, unreadable); the full lists are in OUT.csv and
/// the error file.
pub const REPORT_ROWS: usize = 10_000;

/// The rows the report lists, in input order, at most [`REPORT_ROWS`] each.
#[derive(Debug, Default)]
pub(crate) struct Lists {
    pub(crate) c: Vec<ReportRow>,
    pub(crate) b: Vec<ReportRow>,
    pub(crate) unreadable: Vec<Unreadable>,
}

/// Escapes text for HTML element content and attribute values.
///
/// ```
/// assert_eq!(onshi_reconcile::html_escape(r#"<a href="x">'&'</a>"#),
///            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
/// ```
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The Japanese label of a reason code (grading reasons, reconciliation reasons and unreadable-row
/// reasons); `None` for a code this version does not know.
pub fn reason_label(code: &str) -> Option<&'static str> {
    Some(match code {
        "name_notation" => "氏名の表記ゆれ",
        "name_variant" => "氏名の異体字",
        "name_typo" => "氏名の誤記の疑い",
        "surname_same_reading" => "姓の漢字が1字違い（読み同じ・入力ミス等の疑い）",
        "given_name_same_reading" => "名の漢字が違う（読み同じ・変換ミス等の疑い）",
        "name_placeholder" => "氏名に代替文字（●）",
        "name_differs" => "氏名が異なる",
        "surname_differs" => "姓が異なる",
        "given_name_differs" => "名が異なる",
        "name_missing" => "氏名が空欄",
        "kana_reading" => "カナの表記違い（ヂ/ジ等）",
        "kana_typo" => "カナの誤記の疑い",
        "kana_differs" => "カナ氏名が異なる",
        "kana_missing" => "カナ氏名が空欄",
        "birth_date_differs" => "生年月日が異なる",
        "birth_date_typo" => "生年月日の誤記の疑い",
        "sex_differs" => "性別が異なる",
        "sex_missing" => "性別が空欄",
        "address_notation" => "住所の表記ゆれ",
        "address_differs" => "住所が異なる（転居等）",
        "address_missing" => "住所が空欄",
        "better_candidate" => "別の住民の方がよく一致（双子・家族等）",
        "indistinguishable_resident" => "同じ情報の住民が複数",
        "unknown_my_number" => "住民記録にない個人番号",
        "invalid_my_number" => "個人番号の誤り（チェックデジット）",
        "duplicate_record_id" => "レコードIDの重複",
        "my_number_linked_twice" => "同じ個人番号が複数のレコードに",
        "registry_duplicate_my_number" => "住民記録で個人番号が重複",
        "missing_my_number" => "個人番号が未登録（空欄）",
        "too_many_candidates" => "同じ生年月日・氏名の住民が多すぎて全員とは照合できず",
        "wrong_field_count" => "項目数が見出しと合わない",
        "invalid_encoding" => "文字コードが読めない",
        "missing_record_id" => "レコードIDが空欄",
        "missing_birth_date" => "生年月日が空欄",
        "invalid_birth_date" => "生年月日が読めない",
        "invalid_sex" => "性別が読めない",
        _ => return None,
    })
}

fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Match => "一致",
        Verdict::Notation => "表記ゆれ",
        Verdict::Variant => "異体字",
        Verdict::Reading => "読み表記",
        Verdict::Typo => "誤記?",
        Verdict::Differs => "不一致",
        Verdict::Missing => "空欄",
    }
}

fn grade_label(g: Grade) -> &'static str {
    match g {
        Grade::A => "一致（紐付け可）",
        Grade::B => "要確認（本人に確認のうえ紐付け）",
        Grade::C => "不一致（紐付け不可・要是正）",
    }
}

fn labelled(code: &str) -> String {
    match reason_label(code) {
        Some(l) => format!("{}<code>{}</code>", html_escape(l), html_escape(code)),
        None => format!("<code>{}</code>", html_escape(code)),
    }
}

fn pct(n: u64, total: u64) -> f64 {
    if total == 0 { 0.0 } else { n as f64 * 100.0 / total as f64 }
}

const STYLE: &str = "
body{font-family:'Noto Sans JP','Hiragino Sans','Yu Gothic','Meiryo',sans-serif;margin:2em;color:#222;line-height:1.5}
h1{font-size:1.5em;border-bottom:3px solid #1a4d8f;padding-bottom:.3em}
h2{font-size:1.2em;margin-top:2em;border-left:6px solid #1a4d8f;padding-left:.5em}
small,.en{color:#666;font-weight:normal}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#eef2f8}
td.n{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:.85em;color:#555;margin-left:.4em}
.bar{display:inline-block;height:1em;vertical-align:middle}
.gA{background:#3a8f3a}.gB{background:#d9a400}.gC{background:#c0392b}.gU{background:#777}
td.v-differs,td.v-missing{background:#fde2df}td.v-typo,td.v-variant,td.v-reading{background:#fff4cc}
.note{color:#555;font-size:.9em}
@media print{body{margin:0}h2{break-after:avoid}}
";

/// Renders the report.
pub(crate) fn render(s: &Summary, lists: &Lists, registry: &str, records: &str) -> String {
    let mut h = String::with_capacity(4096 + (lists.b.len() + lists.c.len()) * 600);
    let total = s.records;
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>マイナンバー紐付け 総点検レポート</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>マイナンバー紐付け 総点検レポート <small>Reconciliation report</small></h1>\n\
         <table>\n<tr><th>住民記録 <span class=\"en\">registry</span></th><td>{}</td><td class=\"n\">{} 件</td></tr>\n\
         <tr><th>照合したデータ <span class=\"en\">records</span></th><td>{}</td><td class=\"n\">{} 件</td></tr>\n\
         <tr><th>処理時間 <span class=\"en\">seconds</span></th><td colspan=\"2\">{:.1} 秒</td></tr>\n</table>\n",
        html_escape(registry),
        s.registry_residents,
        html_escape(records),
        total,
        s.seconds
    );

    h.push_str("<h2>判定結果 <small>Grades</small></h2>\n<table>\n<tr><th>判定</th><th>意味</th><th>件数</th><th>割合</th><th></th></tr>\n");
    let rows = [
        ("A", "gA", grade_label(Grade::A), s.a),
        ("B", "gB", grade_label(Grade::B), s.b),
        ("C", "gC", grade_label(Grade::C), s.c),
        ("—", "gU", "読み取れない行（エラーファイル参照）", s.unreadable),
    ];
    for (g, class, label, n) in rows {
        let p = pct(n, total);
        let _ = writeln!(
            h,
            "<tr><th>{g}</th><td>{}</td><td class=\"n\">{n}</td><td class=\"n\">{p:.1}%</td>\
             <td><span class=\"bar {class}\" style=\"width:{:.0}px\"></span></td></tr>",
            html_escape(label),
            p * 3.0
        );
    }
    h.push_str("</table>\n<p class=\"note\">A: 基本4情報が表記の違いを除いて一致。B: 異体字・誤記の疑い・転居などで一部が異なる。本人に確認してから紐付けてください。C: 別人のデータ、または別の住民（双子・家族・同姓同名）の方がよく一致します。紐付けず、番号を確認してください。「候補の個人番号」はよりよく一致する住民です。</p>\n");

    h.push_str("<h2>理由別件数 <small>Reasons</small></h2>\n<table>\n<tr><th>理由 <span class=\"en\">code</span></th><th>件数</th></tr>\n");
    let mut reasons: Vec<(&String, &u64)> = s.reasons.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (code, n) in reasons {
        let _ = writeln!(h, "<tr><td>{}</td><td class=\"n\">{n}</td></tr>", labelled(code));
    }
    for (code, n) in &s.unreadable_reasons {
        let _ = writeln!(h, "<tr><td>読み取れない行: {}</td><td class=\"n\">{n}</td></tr>", labelled(code));
    }
    h.push_str("</table>\n");

    list(&mut h, "C", "紐付け不可・要是正", s.c, &lists.c);
    list(&mut h, "B", "要確認", s.b, &lists.b);

    let _ = writeln!(h, "<h2>読み取れない行 <small>Unreadable rows</small>（{} 件）</h2>", s.unreadable);
    if s.unreadable as usize > lists.unreadable.len() {
        let _ = writeln!(
            h,
            "<p class=\"note\">先頭 {} 件を表示しています。全件はエラーファイルにあります。</p>",
            lists.unreadable.len()
        );
    }
    if !lists.unreadable.is_empty() {
        h.push_str("<table>\n<tr><th>行</th><th>record_id</th><th>理由</th><th>詳細</th></tr>\n");
        for u in &lists.unreadable {
            let _ = writeln!(
                h,
                "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                u.line,
                html_escape(&u.record_id),
                labelled(u.error.code()),
                html_escape(&u.error.detail())
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("<p class=\"note\">onshi-reconcile が作成。このページは外部に接続せず、スクリプトを含みません。</p>\n</body>\n</html>\n");
    h
}

fn verdict_cells(h: &mut String, f: Option<Fields>) {
    match f {
        Some(f) => {
            for v in [f.name, f.name_kana, f.birth_date, f.sex, f.address] {
                let _ = write!(h, "<td class=\"v-{}\">{}</td>", v.as_str(), verdict_label(v));
            }
        }
        None => h.push_str("<td colspan=\"5\">照合先なし</td>"),
    }
}

fn list(h: &mut String, grade: &str, label: &str, total: u64, rows: &[ReportRow]) {
    let _ = writeln!(h, "<h2>{grade}: {label}（{total} 件） <small>grade {grade}</small></h2>");
    if total as usize > rows.len() {
        let _ = writeln!(
            h,
            "<p class=\"note\">先頭 {} 件を表示しています。全件は出力CSVで grade={grade} の行を絞り込んでください。</p>",
            rows.len()
        );
    }
    if rows.is_empty() {
        return;
    }
    h.push_str(
        "<table>\n<tr><th>行</th><th>record_id</th><th>個人番号</th><th>氏名</th><th>生年月日</th>\
         <th>氏名</th><th>カナ</th><th>生年月日</th><th>性別</th><th>住所</th><th>理由</th><th>候補の個人番号</th></tr>\n",
    );
    for r in rows {
        let _ = write!(
            h,
            "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            r.line,
            html_escape(&r.record_id),
            html_escape(&r.my_number),
            html_escape(&r.name),
            html_escape(&r.birth_date)
        );
        verdict_cells(h, r.fields);
        h.push_str("<td>");
        for (i, code) in r.reasons.split(';').filter(|c| !c.is_empty()).enumerate() {
            if i > 0 {
                h.push_str("<br>");
            }
            h.push_str(&labelled(code));
        }
        let _ = writeln!(h, "</td><td>{}</td></tr>", html_escape(&r.suggested));
    }
    h.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RECONCILE_REASONS;
    use onshi_linkage::Reason;

    #[test]
    fn every_code_has_a_japanese_label() {
        for r in Reason::ALL {
            assert!(reason_label(r.as_str()).is_some(), "{}", r.as_str());
        }
        for c in RECONCILE_REASONS {
            assert!(reason_label(c).is_some(), "{c}");
        }
        assert_eq!(reason_label("nope"), None);
    }

    #[test]
    fn escapes_everything_it_prints() {
        let evil = "<script>alert('x')</script>&\"";
        let row = ReportRow {
            line: 7,
            record_id: evil.into(),
            my_number: evil.into(),
            name: evil.into(),
            birth_date: "2000-01-01".into(),
            grade: Grade::C,
            fields: None,
            reasons: "unknown_my_number;<b>".into(),
            suggested: String::new(),
        };
        let s = Summary { records: 1, c: 1, ..Summary::default() };
        let lists = Lists { c: vec![row], ..Lists::default() };
        let html = render(&s, &lists, evil, "r.csv");
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<b>"));
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"));
        assert!(html.contains("住民記録にない個人番号"));
    }
}
