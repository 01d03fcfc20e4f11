//! The insurers of the synthetic Japan and how members are spread over them.

use onshi_ids::{InsurerKind, InsurerNumber, MunicipalityCode};

use crate::SimError;
use crate::data::{PREFECTURES, tables};
use crate::model::Insurer;
use crate::rng::Rng;

/// 健保組合 in the world (the real count is about 1,380; a few hundred keep the files small).
pub(crate) const SOCIETIES: usize = 300;

/// The insurer table and the lookups the generator needs.
pub(crate) struct Insurers {
    pub list: Vec<Insurer>,
    pub kyokai: Vec<u16>,
    pub society_cum: Vec<u64>,
    pub society: Vec<u16>,
    /// Per prefecture: (insurer, weight) of the 共済 a public servant living there joins.
    pub mutual: Vec<(Vec<u16>, Vec<u64>)>,
    /// Per municipality of the tables: its 国保.
    pub nhi_of_muni: Vec<u16>,
    /// Per prefecture: the 国保組合.
    pub nhi_assoc: Vec<Vec<u16>>,
    pub late: Vec<u16>,
}

fn number(body: &str) -> Result<InsurerNumber, SimError> {
    let c = InsurerNumber::check_digit(body.as_bytes());
    InsurerNumber::parse(&format!("{body}{c}")).map_err(|e| SimError::Internal(format!("insurer number {body}: {e}")))
}

const NATIONAL_MUTUAL: [&str; 20] = [
    "衆議院共済組合",
    "参議院共済組合",
    "内閣共済組合",
    "総務省共済組合",
    "法務省共済組合",
    "外務省共済組合",
    "財務省共済組合",
    "文部科学省共済組合",
    "厚生労働省共済組合",
    "農林水産省共済組合",
    "経済産業省共済組合",
    "国土交通省共済組合",
    "裁判所共済組合",
    "会計検査院共済組合",
    "刑務共済組合",
    "防衛省共済組合",
    "日本郵政共済組合",
    "林野庁共済組合",
    "環境省共済組合",
    "デジタル庁共済組合",
];
const SOCIETY_TRADES: [&str; 12] =
    ["電機", "自動車", "商事", "銀行", "製薬", "建設", "鉄道", "食品", "化学", "情報", "鉄鋼", "印刷"];

impl Insurers {
    /// The table of a world. Depends on the seed only through the 健保組合's sizes and homes.
    pub(crate) fn build(seed: u64) -> Result<Self, SimError> {
        let t = tables();
        let mut rng = Rng::new(seed, u64::MAX - 1);
        let mut list = Vec::new();
        let push = |ins: Insurer, list: &mut Vec<Insurer>| -> u16 {
            list.push(ins);
            (list.len() - 1) as u16
        };
        let pref_name = |p: usize| PREFECTURES[p].0;
        let short = |p: usize| {
            let n = PREFECTURES[p].0;
            if n == "北海道" { n } else { n.trim_end_matches(['都', '府', '県']) }
        };

        let mut kyokai = Vec::new();
        for p in 0..47 {
            let i = push(
                Insurer {
                    number: number(&format!("01{:02}001", p + 1))?,
                    kind: InsurerKind::KyokaiKenpo,
                    name: format!("全国健康保険協会{}支部", short(p)),
                    prefecture: p as u8 + 1,
                    municipality_code: None,
                },
                &mut list,
            );
            kyokai.push(i);
        }

        // 健保組合: homes weighted towards where head offices are (Tokyo 45%, Osaka 12%, Aichi
        // 8%, the rest by population), sizes Zipf-like.
        let mut home_w: Vec<u64> = PREFECTURES.iter().map(|p| u64::from(p.1) / 4).collect();
        home_w[12] = home_w.iter().sum::<u64>(); // Tokyo ≈ half
        home_w[26] = home_w[12] / 4;
        home_w[22] = home_w[12] / 6;
        let home_cum = crate::rng::cum(&home_w);
        let mut serial = [0u16; 47];
        let mut society = Vec::new();
        let mut sizes = Vec::new();
        for k in 0..SOCIETIES {
            let p = rng.weighted(&home_cum);
            serial[p] += 1;
            let i = push(
                Insurer {
                    number: number(&format!("06{:02}{:03}", p + 1, 100 + serial[p]))?,
                    kind: InsurerKind::HealthInsuranceSociety,
                    name: format!(
                        "{}{}{}健康保険組合",
                        short(p),
                        SOCIETY_TRADES[k % SOCIETY_TRADES.len()],
                        ["", "第二", "連合", "共栄"][k / SOCIETY_TRADES.len() % 4]
                    ),
                    prefecture: p as u8 + 1,
                    municipality_code: None,
                },
                &mut list,
            );
            society.push(i);
            sizes.push((1_000_000.0 / ((k + 1) as f64).powf(0.8)) as u64);
        }
        let society_cum = crate::rng::cum(&sizes);

        // 共済: 31 国家公務員 (head offices in Tokyo, 防衛省 the largest), 32 地方職員 and 市町村職員
        // per prefecture, 33 警察 per prefecture, 34 公立学校 per prefecture and 私学共済.
        let mut national = Vec::new();
        for (k, name) in NATIONAL_MUTUAL.iter().enumerate() {
            national.push(push(
                Insurer {
                    number: number(&format!("3113{:03}", 1 + k))?,
                    kind: InsurerKind::NationalPublicServantMutualAid,
                    name: (*name).to_owned(),
                    prefecture: 13,
                    municipality_code: None,
                },
                &mut list,
            ));
        }
        let private_school = push(
            Insurer {
                number: number("3413901")?,
                kind: InsurerKind::SchoolMutualAid,
                name: "日本私立学校振興・共済事業団".to_owned(),
                prefecture: 13,
                municipality_code: None,
            },
            &mut list,
        );
        let mut mutual = Vec::new();
        for p in 0..47 {
            let local1 = push(
                Insurer {
                    number: number(&format!("32{:02}001", p + 1))?,
                    kind: InsurerKind::LocalPublicServantMutualAid,
                    name: format!("地方職員共済組合{}支部", pref_name(p)),
                    prefecture: p as u8 + 1,
                    municipality_code: None,
                },
                &mut list,
            );
            let local2 = push(
                Insurer {
                    number: number(&format!("32{:02}002", p + 1))?,
                    kind: InsurerKind::LocalPublicServantMutualAid,
                    name: format!("{}市町村職員共済組合", pref_name(p)),
                    prefecture: p as u8 + 1,
                    municipality_code: None,
                },
                &mut list,
            );
            let police = push(
                Insurer {
                    number: number(&format!("33{:02}001", p + 1))?,
                    kind: InsurerKind::PoliceMutualAid,
                    name: format!("警察共済組合{}支部", pref_name(p)),
                    prefecture: p as u8 + 1,
                    municipality_code: None,
                },
                &mut list,
            );
            let school = push(
                Insurer {
                    number: number(&format!("34{:02}001", p + 1))?,
                    kind: InsurerKind::SchoolMutualAid,
                    name: format!("公立学校共済組合{}支部", pref_name(p)),
                    prefecture: p as u8 + 1,
                    municipality_code: None,
                },
                &mut list,
            );
            // weights in ‰: national 250 (防衛省 75 of it), local 400, police 100, school 200,
            // private school 50
            let mut ids = vec![local1, local2, police, school, private_school];
            let mut w = vec![150u64, 250, 100, 200, 50];
            for (k, &n) in national.iter().enumerate() {
                ids.push(n);
                w.push(if k == 15 { 75 } else { 175 / 19 });
            }
            mutual.push((ids, crate::rng::cum(&w)));
        }

        // 国保: one per municipality (designated cities' wards share the city's), numbered
        // prefecture + the municipality's 3 digits (3xx, the numbers of 国保組合, moved to 8xx).
        let mut nhi_of_muni = vec![0u16; t.munis.len()];
        let mut by_code: std::collections::BTreeMap<&str, u16> = Default::default();
        for (mi, m) in t.munis.iter().enumerate() {
            if let Some(&i) = by_code.get(m.nhi_code5.as_str()) {
                nhi_of_muni[mi] = i;
                continue;
            }
            let c = &m.nhi_code5;
            let mut three: Vec<u8> = c.as_bytes()[2..5].to_vec();
            if three[0] == b'3' {
                three[0] = b'8';
            }
            let body = format!("{}{}", &c[..2], String::from_utf8_lossy(&three));
            let muni_code =
                MunicipalityCode::from_five(c).map_err(|e| SimError::Internal(format!("municipality {c}: {e}")))?;
            let i = push(
                Insurer {
                    number: number(&body)?,
                    kind: InsurerKind::NationalHealthInsurance,
                    name: format!("{}国民健康保険", m.nhi_city),
                    prefecture: m.pref,
                    municipality_code: Some(muni_code),
                },
                &mut list,
            );
            by_code.insert(c.as_str(), i);
            nhi_of_muni[mi] = i;
        }
        let mut nhi_assoc = Vec::new();
        for p in 0..47 {
            let mut v = Vec::new();
            for (k, trade) in ["医師", "建設"].iter().enumerate() {
                v.push(push(
                    Insurer {
                        number: number(&format!("{:02}3{:02}", p + 1, k + 1))?,
                        kind: InsurerKind::NationalHealthInsuranceAssociation,
                        name: format!("{}{}国民健康保険組合", pref_name(p), trade),
                        prefecture: p as u8 + 1,
                        municipality_code: None,
                    },
                    &mut list,
                ));
            }
            nhi_assoc.push(v);
        }
        let mut late = Vec::new();
        for p in 0..47 {
            late.push(push(
                Insurer {
                    number: number(&format!("39{:02}100", p + 1))?,
                    kind: InsurerKind::LateStageElderly,
                    name: format!("{}後期高齢者医療広域連合", pref_name(p)),
                    prefecture: p as u8 + 1,
                    municipality_code: None,
                },
                &mut list,
            ));
        }
        Ok(Insurers { list, kyokai, society_cum, society, mutual, nhi_of_muni, nhi_assoc, late })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_is_valid_and_unique() {
        let ins = Insurers::build(7).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for i in &ins.list {
            assert_eq!(InsurerNumber::parse(i.number.as_str()).unwrap(), i.number);
            assert_eq!(i.number.kind(), i.kind, "{}", i.name);
            assert_eq!(i.number.prefecture(), Some(i.prefecture));
            assert!(seen.insert(i.number), "duplicate {}", i.number);
        }
        assert_eq!(ins.list[ins.late[12] as usize].number.as_str(), "39131008");
        assert_eq!(ins.list[ins.kyokai[12] as usize].number.as_str(), "01130012");
        assert!(ins.list.iter().any(|i| i.name == "防衛省共済組合"));
        let chiyoda = ins.list.iter().find(|i| i.name == "千代田区国民健康保険").unwrap();
        assert_eq!(chiyoda.number.as_str(), "131011");
        assert_eq!(ins.list.iter().filter(|i| i.name == "横浜市国民健康保険").count(), 1);
    }
}
