//! One way into the service: the in-process `Service` or a running `onshi serve` over HTTP.

use super::*;

/// One way into the service.
#[derive(Clone)]
pub(super) enum Front {
    Svc(Arc<Svc>),
    Http(Arc<Http>),
}

pub(super) fn cx(role: Role, subject: &str, insurer: Option<InsurerNumber>, endpoint: &'static str) -> Ctx {
    Ctx { actor: Actor { role, subject: subject.to_owned(), insurer }, request_id: "sim".into(), endpoint }
}

impl Front {
    pub(super) async fn put_resident(&self, my_number: &str, body: ResidentBody) -> Result<(), Refusal> {
        match self {
            Front::Svc(s) => {
                let c = cx(Role::Registry, "sim", None, "registry.put");
                s.put_resident(&c, my_number, body).await.map(|_| ()).map_err(Refusal::from)
            }
            Front::Http(h) => h
                .admin::<serde_json::Value>("PUT", &format!("/registry/v1/residents/{my_number}"), &body)
                .await
                .map(|_| ()),
        }
    }

    /// The registry's record of a resident (what the copy of the person's My Number card shows).
    pub(super) async fn resident(&self, my_number: &str) -> Result<ResidentView, Refusal> {
        match self {
            Front::Svc(s) => {
                s.get_resident(&cx(Role::Registry, "sim", None, "registry.get"), my_number).await.map_err(Refusal::from)
            }
            Front::Http(h) => h.admin_get(&format!("/registry/v1/residents/{my_number}")).await,
        }
    }

    pub(super) async fn search(&self, body: SearchBody) -> Result<SearchAnswer, Refusal> {
        match self {
            Front::Svc(s) => s
                .search_registry(&cx(Role::Registry, "sim", None, "registry.search"), body)
                .await
                .map_err(Refusal::from),
            Front::Http(h) => h.admin("POST", "/registry/v1/search", &body).await,
        }
    }

    pub(super) async fn enrol(&self, body: EnrolBody) -> Result<EnrolAnswer, Refusal> {
        match self {
            Front::Svc(s) => {
                let insurer = InsurerNumber::parse(&body.insurer_number).ok();
                let c = cx(Role::Insurer, &body.insurer_number, insurer, "insurer.enrol");
                s.enrol(&c, body).await.map_err(Refusal::from)
            }
            Front::Http(h) => h.admin("POST", "/insurer/v1/members", &body).await,
        }
    }

    pub(super) async fn lose(&self, insurer: &str, member_id: &str, body: LossBody) -> Result<(), Refusal> {
        match self {
            Front::Svc(s) => {
                let c = cx(Role::Insurer, insurer, InsurerNumber::parse(insurer).ok(), "insurer.lose");
                s.lose(&c, member_id, body).await.map(|_| ()).map_err(Refusal::from)
            }
            Front::Http(h) => h
                .admin::<serde_json::Value>("POST", &format!("/insurer/v1/members/{member_id}/loss"), &body)
                .await
                .map(|_| ()),
        }
    }

    pub(super) async fn change(&self, insurer: &str, member_id: &str, body: ChangeBody) -> Result<(), Refusal> {
        match self {
            Front::Svc(s) => {
                let c = cx(Role::Insurer, insurer, InsurerNumber::parse(insurer).ok(), "insurer.change");
                s.change(&c, member_id, body).await.map(|_| ()).map_err(Refusal::from)
            }
            Front::Http(h) => h
                .admin::<serde_json::Value>("POST", &format!("/insurer/v1/members/{member_id}/changes"), &body)
                .await
                .map(|_| ()),
        }
    }

    pub(super) async fn check(&self, institution: &str, body: EligibilityBody) -> Result<EligibilityAnswer, Refusal> {
        match self {
            Front::Svc(s) => {
                s.check(&cx(Role::Clinic, institution, None, "clinic.eligibility"), body).await.map_err(Refusal::from)
            }
            Front::Http(h) => h.clinic(institution, "/clinic/v1/eligibility", &body).await,
        }
    }

    pub(super) fn insurer_cx(insurer: &str, endpoint: &'static str) -> Ctx {
        cx(Role::Insurer, insurer, InsurerNumber::parse(insurer).ok(), endpoint)
    }

    /// The insurer links an unlinked member from the registry's 4-information search.
    pub(super) async fn link_by_search(&self, insurer: &str, member_id: &str) -> Result<LinkView, Refusal> {
        let body = LinkSearchBody { note: None };
        match self {
            Front::Svc(s) => s
                .link_by_search(&Self::insurer_cx(insurer, "insurer.link_search"), member_id, body)
                .await
                .map_err(Refusal::from),
            Front::Http(h) => h.admin("POST", &format!("/insurer/v1/members/{member_id}/link/search"), &body).await,
        }
    }

    /// The insurer confirmed a pending link with the person.
    pub(super) async fn confirm_link(&self, insurer: &str, member_id: &str, method: &str) -> Result<LinkView, Refusal> {
        let body = ConfirmBody { method: method.to_owned(), note: None };
        match self {
            Front::Svc(s) => s
                .confirm_link(&Self::insurer_cx(insurer, "insurer.link_confirm"), member_id, body)
                .await
                .map_err(Refusal::from),
            Front::Http(h) => h.admin("POST", &format!("/insurer/v1/members/{member_id}/link/confirm"), &body).await,
        }
    }

    /// The insurer's open cases (総点検's, and those a counter opened).
    pub(super) async fn open_cases(&self, insurer: &str) -> Result<CasesAnswer, Refusal> {
        match self {
            Front::Svc(s) => {
                s.cases(&Self::insurer_cx(insurer, "insurer.cases"), None, Some("open")).await.map_err(Refusal::from)
            }
            Front::Http(h) => {
                h.admin("GET", &format!("/insurer/v1/cases?insurer_number={insurer}&status=open"), &()).await
            }
        }
    }

    /// The insurer links a My Number to a member.
    pub(super) async fn link(
        &self,
        insurer: &str,
        member_id: &str,
        my_number: &str,
        note: &str,
    ) -> Result<LinkView, Refusal> {
        let body = LinkBody { my_number: my_number.to_owned(), note: Some(note.to_owned()) };
        match self {
            Front::Svc(s) => {
                s.link(&Self::insurer_cx(insurer, "insurer.link"), member_id, body).await.map_err(Refusal::from)
            }
            Front::Http(h) => h.admin("POST", &format!("/insurer/v1/members/{member_id}/link"), &body).await,
        }
    }

    /// The insurer removes a link found to be another person's.
    pub(super) async fn unlink(&self, insurer: &str, member_id: &str, reason: &str) -> Result<LinkView, Refusal> {
        let body = ReasonBody { reason: reason.to_owned() };
        match self {
            Front::Svc(s) => s
                .unlink(&Self::insurer_cx(insurer, "insurer.link_remove"), member_id, body)
                .await
                .map_err(Refusal::from),
            Front::Http(h) => h.admin("POST", &format!("/insurer/v1/members/{member_id}/link/remove"), &body).await,
        }
    }

    /// The registry records a death; the answer lists the records it was offered to.
    pub(super) async fn record_death(&self, my_number: &str, died_on: &str) -> Result<DeathAnswer, Refusal> {
        let body = DeathBody { died_on: died_on.to_owned() };
        match self {
            Front::Svc(s) => s
                .record_death(&cx(Role::Registry, "sim", None, "registry.death"), my_number, body)
                .await
                .map_err(Refusal::from),
            Front::Http(h) => h.admin("POST", &format!("/registry/v1/residents/{my_number}/death"), &body).await,
        }
    }

    /// The insurer accepts a change the registry offered.
    pub(super) async fn accept_registry_event(
        &self,
        insurer: &str,
        event_id: &str,
    ) -> Result<RegistryEventView, Refusal> {
        let body = DecisionBody { reason: None };
        match self {
            Front::Svc(s) => s
                .decide_registry_event(&Self::insurer_cx(insurer, "insurer.registry_event"), event_id, true, body)
                .await
                .map_err(Refusal::from),
            Front::Http(h) => h.admin("POST", &format!("/insurer/v1/registry-events/{event_id}/accept"), &body).await,
        }
    }

    /// `None` when this front cannot ask by My Number.
    pub(super) async fn check_person(
        &self,
        institution: &str,
        mn: &str,
        date: &str,
    ) -> Option<Result<EligibilityAnswer, Refusal>> {
        match self {
            Front::Svc(s) => {
                let c = cx(Role::Clinic, institution, None, "clinic.eligibility_person");
                Some(s.check_person(&c, mn, Some(date)).await.map_err(Refusal::from))
            }
            Front::Http(_) => None,
        }
    }
}
