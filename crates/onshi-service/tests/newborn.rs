//! A check by person (My Number card) for a newborn with no coverage linked yet says that the newborn's
//! enrolment may be pending (`new_coverage_may_be_pending`), so that the counter does not charge 10割; for
//! anyone older, the plain `not_found`.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use onshi_service::api::{ResidentBody, SexValue};
use onshi_service::{Actor, Clock, Ctx, Role, Service};
use onshi_store::SqliteStore;

struct Fixed(DateTime<Utc>);

impl Clock for Fixed {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

fn cx(role: Role, subject: &str) -> Ctx {
    Ctx { actor: Actor { role, subject: subject.to_owned(), insurer: None }, request_id: "t".into(), endpoint: "test" }
}

fn resident(birth: &str) -> ResidentBody {
    ResidentBody {
        name: "山田 花子".into(),
        name_kana: "ヤマダ ハナコ".into(),
        birth_date: birth.into(),
        sex: SexValue::try_from("female".to_owned()).expect("a sex"),
        address: "東京都千代田区永田町二丁目1番2号".into(),
    }
}

#[tokio::test]
async fn a_newborn_without_coverage_is_told_pending_and_an_adult_is_not_found() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Arc::new(SqliteStore::open(dir.path()).expect("a store"));
    // 2025-06-20 12:00 in Japan
    let now = Utc.with_ymd_and_hms(2025, 6, 20, 3, 0, 0).single().expect("a time");
    let svc = Service::new(store, "admin-token-for-tests", Arc::new(Fixed(now))).expect("a service");
    let registry = cx(Role::Registry, "registry");
    let (newborn, adult) = ("123456789018", "983205673214");
    svc.put_resident(&registry, newborn, resident("2025-06-01")).await.expect("the newborn");
    svc.put_resident(&registry, adult, resident("1990-06-01")).await.expect("the adult");

    let clinic = cx(Role::Clinic, "1310000019");
    let a = svc.check_person(&clinic, newborn, Some("2025-06-20")).await.expect("an answer");
    assert_eq!(a.result, "not_found");
    let codes: Vec<&str> = a.notices.iter().map(|n| n.code.as_str()).collect();
    assert!(codes.contains(&"new_coverage_may_be_pending"), "{codes:?}");

    let b = svc.check_person(&clinic, adult, Some("2025-06-20")).await.expect("an answer");
    assert_eq!(b.result, "not_found");
    assert!(b.notices.iter().all(|n| n.code != "new_coverage_may_be_pending"), "{:?}", b.notices);

    // the same newborn asked about long after its birth: no such notice
    let later = svc.check_person(&clinic, newborn, Some("2025-09-30")).await.expect("an answer");
    assert!(later.notices.iter().all(|n| n.code != "new_coverage_may_be_pending"), "{:?}", later.notices);
}
