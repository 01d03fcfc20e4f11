//! The member fixtures of the store's tests, shared by the conformance suite, the PostgreSQL tests and the
//! SQLite engine's own tests (included there by path; `onshi_store` names the crate itself in its tests).
#![allow(dead_code)]

use onshi_ids::{Branch, InsuredNumber, InsurerNumber, MyNumber, Symbol};
use onshi_law::Date;
use onshi_ledger::{Change, MemberKey, MemberStatic, Relationship, Sex};
use onshi_store::NewMember;

pub fn d(s: &str) -> Date {
    onshi_law::parse_iso_date(s).expect("test date")
}

pub fn mn(body: &str) -> MyNumber {
    MyNumber::from_body(body).expect("test my number")
}

pub fn statik(number: &str, branch: &str, rel: Relationship) -> MemberStatic {
    MemberStatic {
        key: MemberKey {
            insurer_number: InsurerNumber::parse("06139992").expect("insurer"),
            symbol: Some(Symbol::parse("1").expect("symbol")),
            number: InsuredNumber::parse(number).expect("number"),
            branch: Branch::parse(branch).expect("branch"),
        },
        relationship: rel,
        birth_date: d("1980-04-15"),
        sex: Sex::Male,
    }
}

pub fn acquire(name: &str) -> Change {
    Change::Acquire {
        name: name.into(),
        name_kana: "ヤマダ タロウ".into(),
        address: "東京都千代田区永田町二丁目1番2号".into(),
        income_bracket: None,
        copay_override: None,
    }
}

pub fn new_member(number: &str, branch: &str, rel: Relationship, acquired: &str) -> NewMember {
    NewMember {
        statik: statik(number, branch, rel),
        my_number: None,
        linkage: None,
        acquired_on: d(acquired),
        acquire: acquire("山田 太郎"),
    }
}
