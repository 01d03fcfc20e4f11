#!/usr/bin/env python3
"""Generate onshi-text's character tables (data/jis0208.txt, data/variants.txt, data/compat.txt, data/claim.txt).

Usage (from the repository root):

    python3 crates/onshi-text/scripts/gen_tables.py [--unihan ../shared/data/unihan] [--dump DUMP.tsv]

Without --dump it builds and runs scripts/jntajis-dump (a tiny Rust program around the jntajis crate, which
carries the MJ文字一覧表, the MJ縮退マップ and the National Tax Agency's JIS縮退マップ) to get the raw data.
The output is deterministic: running it twice gives byte-identical files.

How the variant table is built (the "standard form" of a kanji):

1. Edges between two ideographs, from (by decreasing authority):
   - hand:   a short hand list of famous name variants that jntajis does not link (HAND below);
   - joyo:   Unihan kJoyoKanji "U+XXXX" (the 常用漢字表's accepted alternative forms, 填/塡, 頬/頰 ...);
   - jinmei: Unihan kJinmeiyoKanji "2010:U+XXXX" (人名用漢字別表第二's old forms of 常用漢字: 亞/亜, 國/国 ...);
   - jis:    MJ縮退マップ scheme "JIS包摂規準・UCS統合規則" (髙→高, 𠮷→吉);
   - nta:    国税庁 JIS縮退マップ, single-character results only (﨑→崎, 德→徳);
   - fam:    MJ縮退マップ scheme "法務省戸籍法関連通達・通知" (濱→浜, 邊→辺, 齋→斎, 齊→斉, 澤→沢 ...);
   - unihan: Unihan kZVariant / kSemanticVariant, ONLY for a source outside JIS X 0208 that jntajis says nothing
             about, and only towards a target inside JIS X 0208.
   Links listed in DENY (different characters that the MJ data links as misprints) are dropped.
   The MJ縮退マップ schemes "告示582号別表第四" and "読み・字形による類推" are not used: they link characters
   that are different names (切→功 ...). ja-itaiji is never used (it links 澤→途, 濱→頻).
   CJK compatibility ideographs are first replaced by their canonical decomposition (U+FA19 → 神).
2. Edges are undirected and oriented towards the better-ranked character: in JIS X 0208 first, then 常用漢字,
   then the accepted 常用 alternatives, then 人名用漢字, then JIS level 1, then the lower code point.
3. A 常用漢字 (kJoyoKanji with a year) in JIS X 0208 is never folded to anything: 斉/斎, 沢/択, 島/鳥, 崎/埼, 玉/王 stay apart
   even where the MJ data links them (it links a few misprint glyphs such as 書→昼, 着→著, 師→帥).
4. A character folds to the root of its better-ranked neighbours. When those lead to two or more different
   roots, the edge with the strongest source wins; when that is a tie, the character is not folded at all
   (never guess).

How the claim table is built (data/claim.txt, the JIS X 0208 form of a character for a claim, レセプト):

5. The official MJ縮退マップ schemes are "JIS包摂規準・UCS統合規則", "法務省告示582号別表第四" and
   "法務省戸籍法関連通達・通知" (戸籍統一文字). For every ideograph outside JIS X 0208 (compatibility
   ideographs aside: they are their unified ideograph), the single-character candidates in JIS X 0208 of the
   three schemes together are its official JIS X 0208 forms. When there is exactly ONE, data/claim.txt maps
   the character to it, and the variant table folds the character to that form's standard form (overriding
   step 4, so that a claim-ready name stays variant-equal to the stored one; characters that folded through
   it follow). With two or more official forms nothing is chosen here ("never guess": step 4's standard form
   is used when it is in JIS X 0208, otherwise the character is listed as unmappable with a next step).
   "読み・字形による類推" is not official and never used.
"""

import argparse
import collections
import os
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
CRATE = os.path.dirname(HERE)

# Famous name variants that the government tables above do not link. Each pair is (variant, standard form).
HAND = [
    ("篭", "籠"),  # 籠 is 常用 since 2010; 篭 is its common simplified form (篭原/籠原)
]

# Links in the MJ縮退マップ between two JIS X 0208 characters that are different characters (not glyph variants)
# for the purpose of comparing names: reviewed by hand from the generated table's JIS X 0208 → JIS X 0208 part.
DENY = {
    frozenset(p)
    for p in (
        "乢蓋 亟丞 个介 倡娼 傅伝 冰冫 勹包 卅世 剌刺 哥歌 唔吾 夂終 孩咳 屓負 慟恫 慱博 擱閣 敞敝 柬揀 槁橋 "
        "瀏嚠 爛燗 皀香 碚培 碼瑪 穃榕 縲累 羝牴 耒来 臙咽 舛升 藁稿 蠢惷 誥詰 躇墸 逑述 鐚錏 閧巷 鬨巷 隹佳 鬻粥 傅傳 卅丗"
    ).split()
}

SOURCE_PRIORITY = {"hand": 0, "joyo": 0, "jinmei": 0, "compat": 0, "jis": 1, "nta": 2, "fam": 3, "unihan": 4}
SOURCE_CODE = {"hand": "h", "joyo": "y", "jinmei": "m", "compat": "c", "jis": "j", "nta": "n", "fam": "f", "unihan": "u"}

# Code points that JIS X 0208's own Unicode mapping (JIS X 0221, Unicode's JIS0208.TXT) uses where the
# Microsoft mapping that jntajis follows uses a full-width form. Both denote the same JIS X 0208 code point.
JIS_ALTERNATIVES = {
    0x301C: 0xFF5E,  # WAVE DASH 1-1-33
    0x2212: 0xFF0D,  # MINUS SIGN 1-1-61
    0x2016: 0x2225,  # DOUBLE VERTICAL LINE 1-1-34
    0x00A2: 0xFFE0,  # CENT SIGN 1-1-81
    0x00A3: 0xFFE1,  # POUND SIGN 1-1-82
    0x00AC: 0xFFE2,  # NOT SIGN 1-2-44
    0x2014: 0x2015,  # EM DASH 1-1-29
}


def is_han(c):
    o = ord(c)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x323AF


def is_compat(c):
    o = ord(c)
    return (0xF900 <= o <= 0xFAFF or 0x2F800 <= o <= 0x2FA1F) and unicodedata.decomposition(c) != ""


def unify(c):
    if is_compat(c):
        return chr(int(unicodedata.decomposition(c), 16))
    return c


def read_unihan(path):
    joyo_std, joyo_var, jinmei, jinmei_var, jis0 = set(), {}, set(), {}, {}
    with open(os.path.join(path, "Unihan_JapaneseMappings.txt"), encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) != 3 or not p[0].startswith("U+"):
                continue
            c, key, val = chr(int(p[0][2:], 16)), p[1], p[2]
            if key == "kJoyoKanji":
                if val.startswith("U+"):
                    joyo_var[c] = chr(int(val[2:], 16))
                else:
                    joyo_std.add(c)
            elif key == "kJinmeiyoKanji":
                jinmei.add(c)
                if ":" in val:
                    jinmei_var[c] = chr(int(val.split(":")[1][2:], 16))
            elif key == "kJis0":
                jis0[c] = int(val[:2])
    variants = collections.defaultdict(set)
    with open(os.path.join(path, "Unihan_Variants.txt"), encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) != 3 or p[1] not in ("kZVariant", "kSemanticVariant"):
                continue
            c = chr(int(p[0][2:], 16))
            for t in p[2].split():
                variants[c].add(chr(int(t.split("<")[0][2:], 16)))
    return joyo_std, joyo_var, jinmei, jinmei_var, jis0, variants


def read_dump(lines):
    rows = {}
    for line in lines:
        p = line.rstrip("\n").split("\t")
        c = chr(int(p[0], 16))
        d = {"0208": p[1] == "1"}
        for kv in p[2:]:
            k, v = kv.split("=", 1)
            d[k] = v if k == "nta" else [x for x in v.split(",") if x]
        rows[c] = d
    return rows


def run_dumper():
    manifest = os.path.join(HERE, "jntajis-dump", "Cargo.toml")
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(CRATE, "..", "..", "target-jntajis-dump")
    out = subprocess.run(
        ["cargo", "run", "-q", "--release", "--manifest-path", manifest, "--target-dir", target],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return out.stdout.splitlines()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--unihan", default=os.path.join(CRATE, "..", "..", "..", "shared", "data", "unihan"))
    ap.add_argument("--dump", help="a TSV written by scripts/jntajis-dump (default: build and run it)")
    ap.add_argument("--out", default=os.path.join(CRATE, "data"))
    args = ap.parse_args()

    joyo_std, joyo_var, jinmei, jinmei_var, jis0, uvariants = read_unihan(args.unihan)
    if args.dump:
        with open(args.dump, encoding="utf-8") as f:
            rows = read_dump(f)
    else:
        rows = read_dump(run_dumper())

    # ---- JIS X 0208 ----
    in0208 = {c for c, d in rows.items() if d["0208"]}
    kanji0208 = {c for c in in0208 if is_han(c)}
    if kanji0208 != set(jis0):
        sys.exit(f"jntajis and Unihan kJis0 disagree on JIS X 0208 kanji: {sorted(kanji0208 ^ set(jis0))}")
    for alt, ms in JIS_ALTERNATIVES.items():
        if chr(ms) not in in0208:
            sys.exit(f"expected U+{ms:04X} in JIS X 0208")
        in0208.add(chr(alt))
    if len(in0208) != 6879 + len(JIS_ALTERNATIVES):
        sys.exit(f"JIS X 0208 has 6879 characters, got {len(in0208) - len(JIS_ALTERNATIVES)}")

    # ---- variant edges ----
    edges = collections.defaultdict(set)
    sources = collections.defaultdict(set)

    def add(a, b, why):
        a, b = unify(a), unify(b)
        if a == b or not is_han(a) or not is_han(b) or frozenset((a, b)) in DENY:
            return
        edges[a].add(b)
        edges[b].add(a)
        sources[(min(a, b), max(a, b))].add(why)

    for c, d in rows.items():
        for scheme in ("jis", "fam"):
            for t in d[scheme]:
                if len(t) == 1:
                    add(c, t, scheme)
        if len(d["nta"]) == 1:
            add(c, d["nta"], "nta")
    for a, b in joyo_var.items():
        add(a, b, "joyo")
    for a, b in jinmei_var.items():
        add(a, b, "jinmei")
    for a, b in HAND:
        add(a, b, "hand")
    for c, ts in sorted(uvariants.items()):
        c = unify(c)
        if c in in0208 or edges.get(c):
            continue
        for t in sorted(ts):
            t = unify(t)
            if t in in0208:
                add(c, t, "unihan")

    def rank(c):
        return (
            0 if c in in0208 else 1,
            0 if c in joyo_std else (1 if c in joyo_var else 2),
            0 if c in jinmei else 1,
            1 if jis0.get(c, 99) >= 48 else 0,
            ord(c),
        )

    def priority(a, b):
        return min(SOURCE_PRIORITY[s] for s in sources[(min(a, b), max(a, b))])

    root = {}

    def resolve(c):
        if c in root:
            return root[c]
        root[c] = c  # guards against cycles (none expected: every step improves the rank)
        if c in joyo_std and c in in0208:
            return c
        better = [t for t in edges[c] if rank(t) < rank(c)]
        if not better:
            return c
        groups = {}
        for t in sorted(better, key=rank):
            groups.setdefault(resolve(t), []).append(priority(c, t))
        if len(groups) == 1:
            r = next(iter(groups))
        else:
            ranked = sorted((min(ps), rank(r), r) for r, ps in groups.items())
            r = c if ranked[0][0] == ranked[1][0] else ranked[0][2]
        root[c] = r
        return r

    for c in sorted(edges, key=rank):
        resolve(c)

    mapping = {}
    for c, r in root.items():
        if c != r:
            mapping[c] = r
    # ---- official JIS X 0208 forms (step 5) ----
    claim = {}
    multi = 0
    for c, d in rows.items():
        if c in in0208 or not is_han(c) or is_compat(c):
            continue
        forms = {t for scheme in ("jis", "m582", "fam") for t in d[scheme] if len(t) == 1 and t in in0208}
        if len(forms) == 1:
            claim[c] = forms.pop()
        elif len(forms) > 1:
            multi += 1
    for c, t in claim.items():
        r = root.get(t, t)
        if r == c:
            mapping.pop(c, None)
        else:
            mapping[c] = r
    # Characters that folded to a character the claim table re-pointed follow it (one more hop at most:
    # a re-pointed character folds to a root inside JIS X 0208, which is never re-pointed).
    for c in list(mapping):
        r = mapping[c]
        for _ in range(8):
            if r not in mapping:
                break
            r = mapping[r]
        else:
            sys.exit(f"a cycle in the variant table through {c}")
        if r == c:
            del mapping[c]
        else:
            mapping[c] = r

    for o in list(range(0xF900, 0xFB00)) + list(range(0x2F800, 0x2FA20)):
        c = chr(o)
        if is_compat(c):
            u = unify(c)
            mapping[c] = mapping.get(u, root.get(u, u))

    def provenance(c, r):
        if is_compat(c):
            return "c"
        if root.get(c, c) != r:
            return "o"
        # the sources of the first hop towards the root
        better = sorted((t for t in edges[c] if rank(t) < rank(c) and root.get(t, t) == r), key=rank)
        codes = set()
        for t in better:
            for s in sources[(min(c, t), max(c, t))]:
                codes.add(SOURCE_CODE[s])
        return "".join(sorted(codes))

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "variants.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# onshi-text variant table, generated by scripts/gen_tables.py: do not edit by hand.\n")
        f.write("# <variant>\\t<standard form>\\t<sources of the link>; see DATA-NOTICE.md.\n")
        f.write("# sources: h hand list, y 常用漢字表 alternative, m 人名用漢字 old form, c compatibility ideograph,\n")
        f.write("#          j MJ縮退 JIS包摂/UCS統合, n 国税庁 JIS縮退, f MJ縮退 戸籍法関連通達, u Unihan variant,\n")
        f.write("#          o through the one official JIS X 0208 form of data/claim.txt\n")
        for c in sorted(mapping, key=ord):
            f.write(f"{c}\t{mapping[c]}\t{provenance(c, mapping[c])}\n")
    with open(os.path.join(args.out, "claim.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# onshi-text claim table, generated by scripts/gen_tables.py: do not edit by hand. See DATA-NOTICE.md.\n")
        f.write("# <ideograph outside JIS X 0208>\\t<its ONE official JIS X 0208 form>\\t<schemes that give it>: the\n")
        f.write("# MJ縮退マップ schemes j JIS包摂規準・UCS統合規則, k 法務省告示582号別表第四, f 法務省戸籍法関連通達・通知.\n")
        f.write(f"# {len(claim)} characters have exactly one official form; {multi} have two or more (not listed).\n")
        for c in sorted(claim, key=ord):
            t = claim[c]
            codes = "".join(code for scheme, code in (("jis", "j"), ("m582", "k"), ("fam", "f")) if t in rows[c][scheme])
            f.write(f"{c}\t{t}\t{codes}\n")
    with open(os.path.join(args.out, "compat.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# CJK compatibility ideograph\tits canonical decomposition (the unified ideograph), generated by\n")
        f.write(f"# scripts/gen_tables.py from Python's unicodedata (Unicode {unicodedata.unidata_version}).\n")
        for o in list(range(0xF900, 0xFB00)) + list(range(0x2F800, 0x2FA20)):
            c = chr(o)
            if is_compat(c):
                f.write(f"{c}\t{unify(c)}\n")
    with open(os.path.join(args.out, "jis0208.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# JIS X 0208 repertoire (6879 characters, plus the 7 JIS-mapping alternatives of Microsoft-mapped\n")
        f.write("# code points), generated by scripts/gen_tables.py from jntajis and checked against Unihan kJis0.\n")
        chars = sorted(in0208, key=ord)
        for i in range(0, len(chars), 64):
            f.write("".join(chars[i : i + 64]) + "\n")
    print(f"variants: {len(mapping)}, jis0208: {len(in0208)}, claim: {len(claim)} (two or more forms: {multi})", file=sys.stderr)


if __name__ == "__main__":
    main()
