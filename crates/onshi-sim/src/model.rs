//! The rows and events of a world, as typed values. Their file forms are in the crate docs.

use std::fmt;

use onshi_ids::{InstitutionCode, InsurerKind, InsurerNumber, MunicipalityCode, MyNumber};
use onshi_law::{CopayRatio, Date, IncomeBracket};
use onshi_ledger::{MemberKey, Relationship, Sex};

/// A member record's identifier in the simulation: `R` and 12 digits (`R000000000017`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct RecordId(pub u64);

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "R{:012}", self.0)
    }
}

/// A resident as the registry (住民基本台帳) holds them: the basic four and the My Number.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Resident {
    /// 個人番号.
    pub my_number: MyNumber,
    /// 氏名 in the registry's characters, surname and given name separated by one ASCII space.
    pub name: String,
    /// カナ氏名 in full-width katakana, separated by one ASCII space.
    pub name_kana: String,
    /// Date of birth.
    pub birth_date: Date,
    /// Sex.
    pub sex: Sex,
    /// 住所 in the registry's notation: 「東京都千代田区永田町二丁目1番2号」.
    pub address: String,
}

/// An insurer (保険者).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Insurer {
    /// 保険者番号, with a valid check digit.
    pub number: InsurerNumber,
    /// The kind, as told by the number.
    pub kind: InsurerKind,
    /// The insurer's name.
    pub name: String,
    /// 都道府県番号 1..=47.
    pub prefecture: u8,
    /// For 市町村国保: the municipality that runs it.
    pub municipality_code: Option<MunicipalityCode>,
}

/// A member record as the insurer enrols it (資格取得): what `POST /insurer/v1/members` takes.
/// The personal fields are the insurer's, errors included.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Member {
    /// The simulation's identifier of the record.
    pub record_id: RecordId,
    /// Insurer number, symbol, number, branch.
    pub key: MemberKey,
    /// 本人 or 家族 (every 国保 and 後期 member is `Insured`).
    pub relationship: Relationship,
    /// For a dependent: the insured person's record.
    pub insured_record_id: Option<RecordId>,
    /// The My Number the insurer holds (`None`: not obtained).
    pub my_number: Option<MyNumber>,
    /// 氏名 as the insurer holds it.
    pub name: String,
    /// カナ氏名 as the insurer holds it.
    pub name_kana: String,
    /// Date of birth as the insurer holds it.
    pub birth_date: Date,
    /// Sex.
    pub sex: Sex,
    /// 住所 as the insurer holds it.
    pub address: String,
    /// 資格取得日.
    pub acquired_on: Date,
    /// 所得区分, held for members aged 70 and over.
    pub income_bracket: Option<IncomeBracket>,
    /// The copay ratio the insurer typed (the legacy system shows it as is).
    pub copay_ratio: CopayRatio,
    /// The day the insurer registered the record.
    pub reported_on: Date,
}

/// A record's basic four as the insurer holds it (a row of `records.csv`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Record {
    /// The simulation's identifier.
    pub record_id: RecordId,
    /// The My Number the insurer holds, if any.
    pub my_number: Option<MyNumber>,
    /// 氏名.
    pub name: String,
    /// カナ氏名.
    pub name_kana: String,
    /// Date of birth.
    pub birth_date: Date,
    /// Sex.
    pub sex: Sex,
    /// 住所.
    pub address: String,
}

/// The ground truth of a record (a row of `truth.csv`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Truth {
    /// The record.
    pub record_id: RecordId,
    /// The My Number of the person the record is really about.
    pub true_my_number: MyNumber,
    /// The injected error, if any (one per record at most).
    pub error: Option<ErrorKind>,
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub enum $name { $($(#[$vm])* $v,)* }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$v,)*];

            /// The snake_case code used in the files.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$v => $s,)* }
            }

            /// The inverse of [`as_str`](Self::as_str).
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$v),)* _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// The kind of an injected error (`truth.csv`'s `error`).
    ErrorKind {
        /// The My Number is the person's twin's.
        TwinSwap = "twin_swap",
        /// The My Number is another household member's.
        FamilySwap = "family_swap",
        /// The My Number is a stranger's with the same name.
        SameNameStranger = "same_name_stranger",
        /// No My Number.
        MissingMyNumber = "missing_my_number",
        /// One kana of the reading is wrong.
        KanaTypo = "kana_typo",
        /// One name is spelt with other kanji of the same reading (斎藤 for 斉藤, 明雄 for 明夫).
        KanjiTypo = "kanji_typo",
        /// A registered variant typed as the standard character (高 for 髙, 沢 for 澤).
        Variant = "variant",
        /// The address in another notation (「千代田区永田町2-1-2」, full-width digits, 番地).
        AddressNotation = "address_notation",
        /// The name in another notation (full-width space, no space, half-width kana).
        NameNotation = "name_notation",
        /// An old address: the insurer never heard of a move.
        Moved = "moved",
        /// The surname before a marriage the insurer never heard of.
        StaleName = "stale_name",
        /// A wrong birth date.
        BirthDateTypo = "birth_date_typo",
        /// The copay ratio typed by the insurer is not the law's.
        WrongCopay = "wrong_copay",
    }
}

impl ErrorKind {
    /// Whether the record names the wrong person (its My Number is someone else's).
    pub const fn is_wrong_person(self) -> bool {
        matches!(self, ErrorKind::TwinSwap | ErrorKind::FamilySwap | ErrorKind::SameNameStranger)
    }
}

string_enum! {
    /// Why something happened (`events.jsonl`'s `cause`).
    Cause {
        /// A birth.
        Birth = "birth",
        /// A death.
        Death = "death",
        /// Leaving one employer for another.
        JobChange = "job_change",
        /// Leaving employment (to 国保).
        Retirement = "retirement",
        /// A marriage (surname change, new household, dependency).
        Marriage = "marriage",
        /// A household's move.
        Move = "move",
        /// The first day of the 70–74 copay (高齢受給者).
        Turning70 = "turning_70",
        /// The 75th birthday: 後期高齢者医療.
        Turning75 = "turning_75",
        /// The 1 August income re-determination.
        IncomeRedetermination = "income_redetermination",
        /// A record the insurer holds without a My Number (未登録者): not a life event, the insurer's
        /// follow-up.
        Unlinked = "unlinked",
    }
}

string_enum! {
    /// Why a record was lost (`lose` events' `reason`).
    LossReason {
        /// The person died (lost on the day after).
        Death = "death",
        /// Employment ended (job change or retirement).
        EmploymentEnded = "employment_ended",
        /// The 75th birthday (高齢者の医療の確保に関する法律 第50条・第52条).
        AgedOut = "aged_75",
        /// Moved out of the municipality (国保) or prefecture (後期).
        MovedOut = "moved_out",
        /// The insured person's coverage ended, and the dependent's with it.
        InsuredLost = "insured_lost",
        /// Joined other insurance (became a dependent, or employed).
        JoinedOther = "joined_other",
    }
}

string_enum! {
    /// What the patient presents at the counter.
    Presents {
        /// The My Number card (マイナ保険証): the system looks the person up by My Number.
        MyNumberCard = "my_number_card",
        /// The numbers of a 資格確認書 or insurance card: insurer, symbol, number, branch, birth date.
        Card = "card",
    }
}

/// The truth at a visit: what a perfect system would answer.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Expect {
    /// The record that covers the patient on the service date (`None`: not covered).
    pub covered_by: Option<RecordId>,
    /// The law's copay ratio for them on that day ([`onshi_law::copay`]), when covered.
    pub copay_ratio: Option<CopayRatio>,
    /// Their true income bracket (70 and over), when covered.
    pub income_bracket: Option<IncomeBracket>,
}

/// A clinic visit (a row of `visits.csv`): the question asked at the counter and its true answer.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Visit {
    /// The date of service (the day the question is asked).
    pub service_date: Date,
    /// The patient's true My Number (what a My Number card holds).
    pub my_number: MyNumber,
    /// The clinic.
    pub institution_code: InstitutionCode,
    /// What the patient presents.
    pub presents: Presents,
    /// The record of the latest card the patient's insurer had recorded (and so issued) by that day
    /// (`None`: none yet). Its numbers are the record's (`members.csv` or its `acquire` event).
    pub card: Option<RecordId>,
    /// The truth.
    pub expect: Expect,
}

/// A change of a member record (`POST /insurer/v1/members/{id}/changes`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MemberChange {
    /// The record.
    pub record_id: RecordId,
    /// New 氏名 as the insurer writes it.
    pub name: Option<String>,
    /// New カナ氏名.
    pub name_kana: Option<String>,
    /// New 住所 as the insurer writes it.
    pub address: Option<String>,
    /// New 所得区分.
    pub income_bracket: Option<IncomeBracket>,
    /// The copay ratio the insurer typed from then on.
    pub copay_ratio: Option<CopayRatio>,
}

/// What an event does, and to which system.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Action {
    /// Registry: a new resident (birth).
    ResidentAdd(Resident),
    /// Registry: a resident's basic four change (marriage, move): the new values.
    ResidentUpdate(Resident),
    /// Registry: a resident died.
    ResidentRemove {
        /// Whose.
        my_number: MyNumber,
    },
    /// Insurer: a new member record.
    Acquire(Box<Member>),
    /// Insurer: a record ends; `effective_on` is the first day without coverage.
    Lose {
        /// The record.
        record_id: RecordId,
        /// Why.
        reason: LossReason,
    },
    /// Insurer: a change from `effective_on`.
    Change(Box<MemberChange>),
    /// Insurer: a record held without a My Number (未登録者) is searched in the registry with the basic four
    /// the insurer holds that day (住基ネット照会, 4情報); a unique match is linked.
    LinkSearch {
        /// The record.
        record_id: RecordId,
    },
}

impl Action {
    /// `resident_add`, `resident_update`, `resident_remove`, `acquire`, `lose`, `change`, `link_search`.
    pub const fn kind(&self) -> &'static str {
        match self {
            Action::ResidentAdd(_) => "resident_add",
            Action::ResidentUpdate(_) => "resident_update",
            Action::ResidentRemove { .. } => "resident_remove",
            Action::Acquire(_) => "acquire",
            Action::Lose { .. } => "lose",
            Action::Change(_) => "change",
            Action::LinkSearch { .. } => "link_search",
        }
    }
}

/// One line of `events.jsonl`: an action reaching a system on day `at`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Event {
    /// The day the action reaches the system: `reported_on`.
    pub at: Date,
    /// The legal date of the change.
    pub effective_on: Date,
    /// The day the registry or insurer registered it (equal to `at`).
    pub reported_on: Date,
    /// The life event this action belongs to (several actions share one: a job change is a
    /// loss and an acquisition).
    pub event_id: u64,
    /// Why.
    pub cause: Cause,
    /// What.
    pub action: Action,
}

/// What the generator knows about a person, for tests and measurement.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PersonInfo {
    /// 個人番号.
    pub my_number: MyNumber,
    /// Date of birth.
    pub birth_date: Date,
    /// Sex.
    pub sex: Sex,
    /// The household at the start (or at birth), unique in the world.
    pub household: u64,
    /// The twin, if any.
    pub twin: Option<MyNumber>,
    /// The registered surname at the start (or at birth).
    pub surname: String,
    /// The registered name at the start (or at birth).
    pub name: String,
    /// Born during the period.
    pub born_in_period: bool,
    /// Died during the period.
    pub died_on: Option<Date>,
    /// The insurer covering the person at the start (`None`: not covered, e.g. public assistance).
    pub insurer_at_start: Option<InsurerNumber>,
    /// Lives with a parent (a child of its household).
    pub is_child: bool,
}
