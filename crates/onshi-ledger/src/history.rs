//! Knowledge at a time, and the validation of appends.

use onshi_law::Date;

use crate::types::{Change, Entry, MemberHistory, MemberStatic, RecordedAt, Seq};

/// Why an entry cannot start or join a history.
///
/// [`code`](LedgerError::code) is `invalid_value` for every variant (the request contradicts
/// what is recorded); [`reason`](LedgerError::reason) is the specific snake_case cause and
/// [`field`](LedgerError::field) the request field at fault, when there is one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// A history must start with an acquisition.
    #[error("a member history must start with an acquisition (資格取得), not a {found}")]
    FirstNotAcquire {
        /// The kind of change given.
        found: &'static str,
    },
    /// The acquisition date is before the birth date.
    #[error("acquired_on {acquired_on} is before the birth date {birth_date}")]
    AcquiredBeforeBirth {
        /// The acquisition date given.
        acquired_on: Date,
        /// The member's birth date.
        birth_date: Date,
    },
    /// The loss date is before the acquisition date (from a Lose, or from an Acquire or Void
    /// that would move the acquisition after the recorded loss).
    #[error(
        "lost_on {lost_on} is before acquired_on {acquired_on}; lost_on is the first day \
         without coverage and cannot precede the acquisition"
    )]
    LostBeforeAcquired {
        /// The loss date that would be in force.
        lost_on: Date,
        /// The acquisition date that would be in force.
        acquired_on: Date,
    },
    /// A change takes effect before the acquisition.
    #[error("effective_on {effective_on} is before acquired_on {acquired_on}")]
    ChangeBeforeAcquired {
        /// The change's effective date.
        effective_on: Date,
        /// The acquisition date in force.
        acquired_on: Date,
    },
    /// A loss or change for a member whose acquisition is not in force (voided).
    #[error("the member has no acquisition in force (it was voided); record an acquisition first")]
    NotAcquired,
    /// A void names no earlier entry of this member.
    #[error("entry {target} does not exist in this member's history")]
    VoidUnknownEntry {
        /// The target given.
        target: Seq,
    },
    /// A void names another void. To undo a correction, record the change again.
    #[error("entry {target} is itself a void; record the change again instead of voiding the void")]
    VoidOfVoid {
        /// The target given.
        target: Seq,
    },
    /// A void names an entry already voided.
    #[error("entry {target} is already voided")]
    AlreadyVoided {
        /// The target given.
        target: Seq,
    },
    /// A withdrawal of the copay exception on a day when none is in force (never stated,
    /// already withdrawn, or ended by a change of the law's ratio).
    #[error("no copay exception is in force on {effective_on}: there is nothing to withdraw")]
    NoCopayOverride {
        /// The withdrawal's effective date.
        effective_on: Date,
    },
    /// An Update that changes nothing.
    #[error("the change sets no field; give at least one of name, name_kana, address, income_bracket, copay_ratio")]
    EmptyChange,
    /// `seq` does not increase (a storage bug, not bad input).
    #[error("seq {got} does not follow the last seq {last}")]
    SeqNotIncreasing {
        /// The last seq of the history.
        last: Seq,
        /// The seq given.
        got: Seq,
    },
    /// `recorded_at` goes back in time (a storage or clock bug, not bad input): accepting it
    /// would rewrite what was known in the past.
    #[error("recorded_at {got:?} is before the last recorded_at {last:?}")]
    RecordedBeforePrevious {
        /// The last recorded_at of the history.
        last: RecordedAt,
        /// The recorded_at given.
        got: RecordedAt,
    },
}

impl LedgerError {
    /// Always `"invalid_value"`.
    pub fn code(&self) -> &'static str {
        "invalid_value"
    }

    /// The specific cause: `first_not_acquire`, `acquired_before_birth`,
    /// `lost_before_acquired`, `change_before_acquired`, `not_acquired`,
    /// `void_unknown_entry`, `void_of_void`, `already_voided`, `empty_change`, `no_copay_override`,
    /// `seq_not_increasing`, `recorded_before_previous`.
    pub fn reason(&self) -> &'static str {
        match self {
            LedgerError::FirstNotAcquire { .. } => "first_not_acquire",
            LedgerError::AcquiredBeforeBirth { .. } => "acquired_before_birth",
            LedgerError::LostBeforeAcquired { .. } => "lost_before_acquired",
            LedgerError::ChangeBeforeAcquired { .. } => "change_before_acquired",
            LedgerError::NotAcquired => "not_acquired",
            LedgerError::VoidUnknownEntry { .. } => "void_unknown_entry",
            LedgerError::VoidOfVoid { .. } => "void_of_void",
            LedgerError::AlreadyVoided { .. } => "already_voided",
            LedgerError::EmptyChange => "empty_change",
            LedgerError::NoCopayOverride { .. } => "no_copay_override",
            LedgerError::SeqNotIncreasing { .. } => "seq_not_increasing",
            LedgerError::RecordedBeforePrevious { .. } => "recorded_before_previous",
        }
    }

    /// The request field at fault (`acquired_on`, `lost_on`, `effective_on`), if one is.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            LedgerError::AcquiredBeforeBirth { .. } => Some("acquired_on"),
            LedgerError::LostBeforeAcquired { .. } => Some("lost_on"),
            LedgerError::ChangeBeforeAcquired { .. } | LedgerError::NoCopayOverride { .. } => Some("effective_on"),
            _ => None,
        }
    }

    /// Whether the error reveals a bug of the caller's storage (seq or clock order) rather
    /// than bad input.
    pub fn is_storage_bug(&self) -> bool {
        matches!(self, LedgerError::SeqNotIncreasing { .. } | LedgerError::RecordedBeforePrevious { .. })
    }
}

/// The entries visible at a time: recorded no later than `known_at`, minus the voided ones.
pub(crate) struct View<'a> {
    entries: &'a [Entry],
    known_at: Option<RecordedAt>,
    any_void: bool,
    /// An extra entry treated as voided (to try a Void before appending it).
    extra_void: Option<Seq>,
}

impl<'a> View<'a> {
    pub(crate) fn new(entries: &'a [Entry], known_at: Option<RecordedAt>) -> Self {
        let mut v = View { entries, known_at, any_void: false, extra_void: None };
        v.any_void = entries.iter().any(|e| v.known(e) && matches!(e.change, Change::Void { .. }));
        v
    }

    #[inline]
    pub(crate) fn known(&self, e: &Entry) -> bool {
        match self.known_at {
            Some(t) => e.recorded_at <= t,
            None => true,
        }
    }

    #[inline]
    pub(crate) fn voided(&self, e: &Entry) -> bool {
        if self.extra_void == Some(e.seq) {
            return true;
        }
        self.any_void
            && self
                .entries
                .iter()
                .any(|v| self.known(v) && matches!(v.change, Change::Void { target, .. } if target == e.seq))
    }

    #[inline]
    pub(crate) fn active(&self, e: &Entry) -> bool {
        self.known(e) && !self.voided(e)
    }

    /// The latest-recorded active Acquire and Lose, and the latest recorded_at known.
    pub(crate) fn knowledge(&self) -> Knowledge<'a> {
        let mut k = Knowledge { acquire: None, lose: None, as_of: None };
        for e in self.entries {
            if !self.known(e) {
                continue;
            }
            k.as_of = Some(k.as_of.map_or(e.recorded_at, |t| t.max(e.recorded_at)));
            let slot = match e.change {
                Change::Acquire { .. } => &mut k.acquire,
                Change::Lose { .. } => &mut k.lose,
                _ => continue,
            };
            if slot.is_none_or(|cur| e.seq >= cur.seq) && !self.voided(e) {
                *slot = Some(e);
            }
        }
        k
    }
}

pub(crate) struct Knowledge<'a> {
    pub(crate) acquire: Option<&'a Entry>,
    pub(crate) lose: Option<&'a Entry>,
    pub(crate) as_of: Option<RecordedAt>,
}

impl MemberHistory {
    /// Starts a history with its first entry, which must be an Acquire on or after the birth
    /// date.
    ///
    /// # Errors
    /// [`LedgerError::FirstNotAcquire`], [`LedgerError::AcquiredBeforeBirth`].
    pub fn new(statik: MemberStatic, first: Entry) -> Result<Self, LedgerError> {
        if !matches!(first.change, Change::Acquire { .. }) {
            return Err(LedgerError::FirstNotAcquire { found: first.change.kind() });
        }
        if first.effective_on < statik.birth_date {
            return Err(LedgerError::AcquiredBeforeBirth {
                acquired_on: first.effective_on,
                birth_date: statik.birth_date,
            });
        }
        Ok(MemberHistory { statik, entries: vec![first] })
    }

    /// Checks that `e` may be appended, against everything recorded so far (voids applied).
    ///
    /// # Errors
    /// Any [`LedgerError`] but `FirstNotAcquire`; see the crate documentation for the rules.
    pub fn check_append(&self, e: &Entry) -> Result<(), LedgerError> {
        if let Some(last) = self.entries.last() {
            if e.seq <= last.seq {
                return Err(LedgerError::SeqNotIncreasing { last: last.seq, got: e.seq });
            }
            if e.recorded_at < last.recorded_at {
                return Err(LedgerError::RecordedBeforePrevious { last: last.recorded_at, got: e.recorded_at });
            }
        }
        let view = View::new(&self.entries, None);
        let now = view.knowledge();
        let acquired_on = now.acquire.map(|a| a.effective_on);
        let lost_on = now.lose.map(|l| l.effective_on);
        match &e.change {
            Change::Acquire { .. } => {
                if e.effective_on < self.statik.birth_date {
                    return Err(LedgerError::AcquiredBeforeBirth {
                        acquired_on: e.effective_on,
                        birth_date: self.statik.birth_date,
                    });
                }
                consistent(Some(e.effective_on), lost_on)
            }
            Change::Lose { .. } => {
                let acquired_on = acquired_on.ok_or(LedgerError::NotAcquired)?;
                consistent(Some(acquired_on), Some(e.effective_on))
            }
            Change::WithdrawCopay { .. } => {
                let acquired_on = acquired_on.ok_or(LedgerError::NotAcquired)?;
                if e.effective_on < acquired_on {
                    return Err(LedgerError::ChangeBeforeAcquired { effective_on: e.effective_on, acquired_on });
                }
                match crate::resolve(self, e.effective_on, None) {
                    Some(r) if r.copay_override.is_some() => Ok(()),
                    _ => Err(LedgerError::NoCopayOverride { effective_on: e.effective_on }),
                }
            }
            Change::Update { name, name_kana, address, income_bracket, copay_override } => {
                let acquired_on = acquired_on.ok_or(LedgerError::NotAcquired)?;
                if name.is_none()
                    && name_kana.is_none()
                    && address.is_none()
                    && income_bracket.is_none()
                    && copay_override.is_none()
                {
                    return Err(LedgerError::EmptyChange);
                }
                if e.effective_on < acquired_on {
                    return Err(LedgerError::ChangeBeforeAcquired { effective_on: e.effective_on, acquired_on });
                }
                Ok(())
            }
            Change::Void { target, .. } => {
                let t = self
                    .entries
                    .iter()
                    .find(|x| x.seq == *target)
                    .ok_or(LedgerError::VoidUnknownEntry { target: *target })?;
                if matches!(t.change, Change::Void { .. }) {
                    return Err(LedgerError::VoidOfVoid { target: *target });
                }
                if view.voided(t) {
                    return Err(LedgerError::AlreadyVoided { target: *target });
                }
                let after = View { extra_void: Some(*target), ..View::new(&self.entries, None) }.knowledge();
                consistent(after.acquire.map(|a| a.effective_on), after.lose.map(|l| l.effective_on))
            }
        }
    }

    /// [`check_append`](MemberHistory::check_append), then appends.
    ///
    /// # Errors
    /// As [`check_append`](MemberHistory::check_append); the history is unchanged on error.
    pub fn append(&mut self, e: Entry) -> Result<(), LedgerError> {
        self.check_append(&e)?;
        self.entries.push(e);
        Ok(())
    }

    /// The coverage period `[acquired_on, lost_on)` as known at `known_at` (everything when
    /// `None`). When nothing is known then, or the acquisition was voided, the period is empty:
    /// `(d, Some(d))` with `d` the first entry's date; use
    /// [`period_opt`](MemberHistory::period_opt) to tell that case apart.
    pub fn period(&self, known_at: Option<RecordedAt>) -> (Date, Option<Date>) {
        self.period_opt(known_at).unwrap_or_else(|| {
            let d = self.entries.first().map_or(self.statik.birth_date, |e| e.effective_on);
            (d, Some(d))
        })
    }

    /// The coverage period `[acquired_on, lost_on)`, or `None` when no acquisition is known at
    /// `known_at`.
    pub fn period_opt(&self, known_at: Option<RecordedAt>) -> Option<(Date, Option<Date>)> {
        let k = View::new(&self.entries, known_at).knowledge();
        let a = k.acquire?;
        Some((a.effective_on, k.lose.map(|l| l.effective_on)))
    }

    /// Whether the period known at `known_at` contains `day`.
    pub fn covers(&self, day: Date, known_at: Option<RecordedAt>) -> bool {
        self.period_opt(known_at).is_some_and(|(a, l)| a <= day && l.is_none_or(|l| day < l))
    }

    /// Whether two periods `[a, b)` share a day (`None` = open-ended).
    pub fn periods_overlap(x: (Date, Option<Date>), y: (Date, Option<Date>)) -> bool {
        let starts_before_end = |start: Date, end: Option<Date>| end.is_none_or(|e| start < e);
        starts_before_end(x.0, y.1) && starts_before_end(y.0, x.1) && !is_empty(x) && !is_empty(y)
    }

    /// The latest `recorded_at` of the history.
    pub fn last_recorded_at(&self) -> Option<RecordedAt> {
        self.entries.iter().map(|e| e.recorded_at).max()
    }
}

fn is_empty(p: (Date, Option<Date>)) -> bool {
    p.1.is_some_and(|l| l <= p.0)
}

fn consistent(acquired_on: Option<Date>, lost_on: Option<Date>) -> Result<(), LedgerError> {
    match (acquired_on, lost_on) {
        (Some(a), Some(l)) if l < a => Err(LedgerError::LostBeforeAcquired { lost_on: l, acquired_on: a }),
        _ => Ok(()),
    }
}
