//! Levenshtein distance over characters.

/// The Levenshtein distance between `a` and `b`, counted in Unicode scalar values (one kanji = one edit):
/// the least number of single-character insertions, deletions and substitutions that turn `a` into `b`.
///
/// Used for "likely typo" verdicts on names and readings. Strings of up to 64 characters are handled without
/// allocating; longer ones allocate one row.
///
/// ```
/// use onshi_text::char_edit_distance;
/// assert_eq!(char_edit_distance("タカハシ", "タカハツ"), 1);
/// assert_eq!(char_edit_distance("髙橋", "高橋"), 1);
/// assert_eq!(char_edit_distance("", "山田"), 2);
/// ```
pub fn char_edit_distance(a: &str, b: &str) -> usize {
    if a == b {
        return 0;
    }
    // Strip the common prefix and suffix (cheap, and most compared names differ in one place).
    let pre = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).map(|(x, _)| x.len_utf8()).sum::<usize>();
    let (a, b) = (&a[pre..], &b[pre..]);
    let suf =
        a.chars().rev().zip(b.chars().rev()).take_while(|(x, y)| x == y).map(|(x, _)| x.len_utf8()).sum::<usize>();
    let (a, b) = (&a[..a.len() - suf], &b[..b.len() - suf]);
    let n = b.chars().count();
    if a.is_empty() {
        return n;
    }
    if n == 0 {
        return a.chars().count();
    }
    const STACK: usize = 64;
    if n < STACK {
        let mut bs = ['\0'; STACK];
        for (slot, c) in bs.iter_mut().zip(b.chars()) {
            *slot = c;
        }
        let mut row = [0usize; STACK + 1];
        levenshtein_rows(a, &bs[..n], &mut row[..=n])
    } else {
        let bs: Vec<char> = b.chars().collect();
        let mut row = vec![0usize; n + 1];
        levenshtein_rows(a, &bs, &mut row)
    }
}

fn levenshtein_rows(a: &str, b: &[char], row: &mut [usize]) -> usize {
    for (j, slot) in row.iter_mut().enumerate() {
        *slot = j;
    }
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            let cost = usize::from(ca != cb);
            row[j + 1] = (above + 1).min(row[j] + 1).min(diag + cost);
            diag = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            }
        }
        d[a.len()][b.len()]
    }

    #[test]
    fn examples() {
        assert_eq!(char_edit_distance("kitten", "sitting"), 3);
        assert_eq!(char_edit_distance("佐藤翔太", "佐藤健太"), 1);
        assert_eq!(char_edit_distance("サトウ", "サイトウ"), 1);
        assert_eq!(char_edit_distance("ab", "ba"), 2);
        assert_eq!(char_edit_distance("", ""), 0);
    }

    #[test]
    fn long_strings_allocate_but_agree() {
        let a = "あ".repeat(70) + "い";
        let b = "い".to_string() + &"あ".repeat(70);
        assert_eq!(char_edit_distance(&a, &b), 2);
    }

    proptest! {
        #[test]
        fn agrees_with_the_textbook_algorithm(a in "[あいうアイ髙高a-c]{0,12}", b in "[あいうアイ髙高a-c]{0,12}") {
            prop_assert_eq!(char_edit_distance(&a, &b), naive(&a, &b));
        }

        #[test]
        fn is_a_metric(a in "\\PC{0,10}", b in "\\PC{0,10}", c in "\\PC{0,10}") {
            let ab = char_edit_distance(&a, &b);
            prop_assert_eq!(ab, char_edit_distance(&b, &a));
            prop_assert_eq!(ab == 0, a == b);
            prop_assert!(char_edit_distance(&a, &c) <= ab + char_edit_distance(&b, &c));
        }
    }
}
