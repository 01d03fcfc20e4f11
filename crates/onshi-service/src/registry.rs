//! The resident registry role (住基ネット / J-LIS): the basic four by My Number, and a search that answers
//! only on a unique match.

use onshi_store::{PutOutcome, Resident, ResidentWrite, Store};
use onshi_text::{address_key, address_keys_agree, variant_key};

use crate::api::{ResidentBody, ResidentView, SearchAnswer, SearchBody};
use crate::auth::{Action, authorize};
use crate::error::{Result, ServiceError};
use crate::{Ctx, Service, parse, views};

impl<S: Store> Service<S> {
    /// `PUT /registry/v1/residents/{my_number}`: creates or replaces the current basic four. Returns whether it
    /// was created.
    pub async fn put_resident(
        &self,
        cx: &Ctx,
        my_number: &str,
        body: ResidentBody,
    ) -> Result<(PutOutcome, ResidentView)> {
        authorize(&cx.actor, Action::WriteRegistry)?;
        let mn = parse::my_number(my_number, "my_number")?;
        let w = ResidentWrite {
            my_number: mn,
            name: parse::text(&body.name, "name")?.to_owned(),
            name_kana: parse::text(&body.name_kana, "name_kana")?.to_owned(),
            birth_date: parse::date(&body.birth_date, "birth_date")?,
            sex: parse::sex(body.sex),
            address: parse::text(&body.address, "address")?.to_owned(),
        };
        let today = onshi_law::legal_today(self.now());
        if w.birth_date > today {
            return Err(ServiceError::invalid_value("birth_date", "the birth date is in the future")
                .next("check the birth date (YYYY-MM-DD, Gregorian: 平成2年 is 1990)"));
        }
        let outcome = self.store.put_resident(w.clone()).done().await?;
        let view = ResidentView {
            my_number: mn.as_str().to_owned(),
            name: w.name,
            name_kana: w.name_kana,
            birth_date: views::date(w.birth_date),
            sex: body.sex,
            address: w.address,
        };
        Ok((outcome, view))
    }

    /// `GET /registry/v1/residents/{my_number}`. The read is in the access log (`resident` or `not_found`).
    pub async fn get_resident(&self, cx: &Ctx, my_number: &str) -> Result<ResidentView> {
        authorize(&cx.actor, Action::ReadRegistry)?;
        let mn = parse::my_number(my_number, "my_number")?;
        let found = self.store.resident(&mn)?.map(|r| views::resident(&r));
        self.log_read(cx, None, Some(mn), if found.is_some() { "resident" } else { "not_found" }).await?;
        found.ok_or_else(|| {
            ServiceError::not_found("a resident with this My Number").next(
                "check the 12 digits; a resident not registered yet is written with \
                     PUT /registry/v1/residents/{my_number}",
            )
        })
    }

    /// `POST /registry/v1/search`: name, birth date and address (and optionally sex). Notation is tolerated
    /// (width, spacing, kanji variants, the prefecture omitted, address numbering: addresses are compared by
    /// onshi-text's `address_keys_agree`, so 「広島県府中市…」 never finds 「東京都府中市…」), but the number is
    /// given only when exactly one resident matches: the registry never guesses between two people. Every search
    /// is in the access log (`search:unique` naming the person found, `search:none`, `search:multiple`).
    pub async fn search_registry(&self, cx: &Ctx, body: SearchBody) -> Result<SearchAnswer> {
        authorize(&cx.actor, Action::ReadRegistry)?;
        let name = parse::text(&body.name, "name")?;
        let address = parse::text(&body.address, "address")?;
        let birth = parse::date(&body.birth_date, "birth_date")?;
        let found = self.registry_matches(name, birth, address, body.sex.map(parse::sex))?;
        let (answer, person) = match found.as_slice() {
            [] => (SearchAnswer { verdict: "none".into(), my_number: None }, None),
            [one] => (
                SearchAnswer { verdict: "unique".into(), my_number: Some(one.my_number.as_str().to_owned()) },
                Some(one.my_number),
            ),
            _ => (SearchAnswer { verdict: "multiple".into(), my_number: None }, None),
        };
        self.log_read(cx, None, person, &format!("search:{}", answer.verdict)).await?;
        Ok(answer)
    }

    /// The registry's 4-information search (基本4情報による検索): every resident born on `birth` whose name and
    /// address match on their keys (width, spacing, kanji variants, the prefecture omitted, address
    /// numbering), and whose sex matches when given. One rule for the registry's route and for linking an
    /// unlinked member; the caller acts only on exactly one match.
    pub(crate) fn registry_matches(
        &self,
        name: &str,
        birth: onshi_law::Date,
        address: &str,
        sex: Option<onshi_ledger::Sex>,
    ) -> Result<Vec<Resident>> {
        let name = variant_key(name);
        let address = address_key(address);
        Ok(self
            .store
            .residents_born_on(birth)?
            .into_iter()
            .filter(|r| sex.is_none_or(|s| s == r.sex))
            .filter(|r| variant_key(&r.name) == name && address_keys_agree(&address_key(&r.address), &address))
            .collect())
    }
}
