#!/usr/bin/env python3
"""Derive the compact tables embedded in onshi-sim from ../../shared/data (run from the crate dir:
`python3 scripts/derive_data.py /work/shared/data`). Output is deterministic (sorted, no randomness)."""
import csv, sys, collections, os

src = sys.argv[1] if len(sys.argv) > 1 else '../../../shared/data'
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data')

def kata(s):
    return ''.join(chr(ord(c) + 0x60) if 'ぁ' <= c <= 'ゖ' else c for c in s)

# Legal characters for given names: 常用漢字 + 人名用漢字 (戸籍法施行規則 第60条), from Unihan.
legal = set()
for line in open(os.path.join(src, 'unihan/Unihan_JapaneseMappings.txt'), encoding='utf-8'):
    p = line.rstrip('\n').split('\t')
    if len(p) == 3 and p[1] in ('kJoyoKanji', 'kJinmeiyoKanji'):
        legal.add(chr(int(p[0][2:], 16)))
kana_ok = lambda c: 'ぁ' <= c <= 'ゖ' or 'ァ' <= c <= 'ヶ' or c == 'ー'

# Surnames: kanji, population, katakana reading.
with open(os.path.join(out, 'surnames.tsv'), 'w', encoding='utf-8') as f:
    for r in csv.reader(open(os.path.join(src, 'names/last_name_org.csv'), encoding='utf-8')):
        if len(r) >= 3 and r[1].isdigit():
            f.write(f'{r[0]}\t{r[1]}\t{kata(r[2])}\n')

# Given names: no frequencies exist in the data, so a spelling is weighted by how often its first
# character starts, and its last character ends, a spelling of a reading with the same first / last kana
# across every given name of both sexes (明夫 for あきお rather than 明郎, 愛 for あい rather than 和).
first = collections.Counter()
last = collections.Counter()
for fn in ('first_name_man_org.csv', 'first_name_woman_org.csv'):
    for r in csv.reader(open(os.path.join(src, 'names', fn), encoding='utf-8')):
        if len(r) < 3 or not r[0]:
            continue
        for s in set(r[2:]):
            if s:
                first[(s[0], r[0][0])] += 1
                last[(s[-1], r[0][-1])] += 1

def weight(reading, s):
    if not s or not all(c in legal or kana_ok(c) for c in s):
        return 0.0
    g = (first[(s[0], reading[0])] * last[(s[-1], reading[-1])]) ** 0.5
    return g * {1: 1.0, 2: 1.0, 3: 0.25}.get(len(s), 0.03)

for fn, name in (('first_name_man_opti.csv', 'given_male.tsv'), ('first_name_woman_opti.csv', 'given_female.tsv')):
    with open(os.path.join(out, name), 'w', encoding='utf-8') as f:
        for r in csv.reader(open(os.path.join(src, 'names', fn), encoding='utf-8')):
            if len(r) < 3:
                continue
            sp = sorted(((weight(r[0], s), s) for s in set(r[2:])), key=lambda t: (-t[0], t[1]))
            sp = [(w, s) for w, s in sp if w > 0][:4]
            if not sp:
                continue
            tot = sum(w for w, _ in sp)
            f.write(kata(r[0]) + '\t' + ','.join(f'{s}:{max(1, round(1000 * w / tot))}' for w, s in sp) + '\n')

# Municipalities and towns. Town names with digits or 、〜 (ranges of 地割/丁目) are dropped.
bad = set('0123456789０１２３４５６７８９、〜～（）()')
# Office buildings have a postal code per floor: a town with 10 or more rows, or a name with a
# building word or Latin letters, is a building, not a place people live.
rows_of = collections.Counter()
for r in csv.DictReader(open(os.path.join(src, 'postal/ken_all.csv'), encoding='utf-8')):
    rows_of[(r['municipality_code'], r['town'])] += 1
building_words = ('ビル', 'タワー', 'センター', 'ガーデン', 'プレイス', 'ヒルズ', 'スクエア', 'アエル', 'ゲート', 'フォレスト', 'テラス')
def building(code, t):
    return rows_of[(code, t)] >= 10 or any(w in t for w in building_words) or any('Ａ' <= c <= 'ｚ' for c in t)
munis = collections.OrderedDict()
for r in csv.DictReader(open(os.path.join(src, 'postal/ken_all.csv'), encoding='utf-8')):
    code = r['municipality_code']
    m = munis.setdefault(code, {'pref': r['prefecture'], 'city': r['city'], 'towns': collections.OrderedDict(), 'rows': 0})
    m['rows'] += 1
    t = r['town']
    if not t or any(c in bad for c in t) or building(code, t):
        continue
    m['towns'][t] = max(m['towns'].get(t, 0), int(r['chome']))
with open(os.path.join(out, 'towns.tsv'), 'w', encoding='utf-8') as f:
    for code in sorted(munis):
        m = munis[code]
        if not m['towns']:
            continue
        f.write(f"M\t{code}\t{m['pref']}\t{m['city']}\t{m['rows']}\n")
        for t in sorted(m['towns']):
            f.write(f"T\t{t}\t{m['towns'][t]}\n")
