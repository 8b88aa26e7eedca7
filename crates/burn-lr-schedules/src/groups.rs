//! Per-parameter-group schedules in Burn's `ModuleLrScheduler`: the check its record needs.
//!
//! `ModuleLrScheduler` (burn-optim) gives each parameter group a scheduler of its own and nests
//! each one's record under the group's index: `0` for the scheduler it was made with (which
//! covers every parameter no later group claims), then `1`, `2`, … for each `with_group`, in
//! order. Its `load_record` hands each part to `LrScheduler::load_record`, which cannot refuse,
//! so a record saved with the groups in another order, or under another config, loads and carries
//! on with the wrong rates. [`check_group_record`] finds that first, as
//! [`Scheduler::load_record_checked`](crate::Scheduler::load_record_checked) does for one
//! scheduler.

use burn_optim::lr_scheduler::LrSchedulerRecord;

use crate::Policy;
use crate::scheduler::{RecordMismatch, check_fingerprint};

/// Checks a `ModuleLrScheduler` record before loading it into a scheduler whose groups are
/// [`Scheduler`](crate::Scheduler)s of `policies`, in its group order: first the one given to
/// `ModuleLrScheduler::new`, then one per `with_group`. Refuses a record of another number of
/// groups, or whose group `i` was saved under another policy than `policies[i]`. Every group must
/// be a scheduler of this crate (a fixed rate is `kind = 'constant'`), since Burn's own schedulers
/// record nothing to check.
///
/// ```
/// use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
/// use burn::module::ParamGroup;
/// use burn_lr_schedules::{Policy, ScheduleConfig, Scheduler, check_group_record};
///
/// let policy = |text: &str| toml::from_str::<ScheduleConfig>(text).unwrap().policy().unwrap();
/// let backbone = policy("kind = 'cosine'\nmax_lr = 0.01\ntotal_steps = 100");
/// let head = policy("kind = 'cosine'\nmax_lr = 0.1\ntotal_steps = 100");
/// let grouped = |base: &Policy, head: &Policy| {
///     ModuleLrScheduler::new(Scheduler::new(base.clone()))
///         .with_group(ParamGroup::from_predicate("head"), Scheduler::new(head.clone()))
/// };
/// let mut scheduler = grouped(&backbone, &head);
/// scheduler.step();
/// let record = scheduler.to_record();
///
/// let err = check_group_record(&record, &[&head, &backbone]).unwrap_err();
/// assert!(err.to_string().starts_with("parameter group 0: the scheduler record was saved"));
/// assert!(check_group_record(&record, &[&backbone]).is_err());
/// check_group_record(&record, &[&backbone, &head]).unwrap();
/// let resumed = grouped(&backbone, &head).load_record(record);
/// ```
pub fn check_group_record(
    record: &LrSchedulerRecord,
    policies: &[&Policy],
) -> Result<(), GroupRecordMismatch> {
    let part = |group: usize| record.record(&group.to_string());
    // Every scheduler of this crate records its step count, so an empty part is a missing group.
    let saved = (0..).take_while(|&group| !part(group).is_empty()).count();
    if saved != policies.len() {
        return Err(GroupRecordMismatch::Groups {
            saved,
            expected: policies.len(),
        });
    }
    for (group, policy) in policies.iter().enumerate() {
        check_fingerprint(&part(group), policy)
            .map_err(|mismatch| GroupRecordMismatch::Schedule { group, mismatch })?;
    }
    Ok(())
}

/// A `ModuleLrScheduler` record that does not fit the scheduler about to load it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupRecordMismatch {
    /// The record holds `saved` groups, the scheduler `expected`.
    Groups {
        /// Groups in the record.
        saved: usize,
        /// Groups of the scheduler loading it.
        expected: usize,
    },
    /// Group `group` was saved under another schedule.
    Schedule {
        /// The group's index (0: the scheduler `ModuleLrScheduler::new` was given).
        group: usize,
        /// The fingerprints that differ.
        mismatch: RecordMismatch,
    },
}

impl std::fmt::Display for GroupRecordMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Groups { saved, expected } => write!(
                f,
                "the scheduler record holds {saved} parameter groups, this scheduler {expected}; load it into a scheduler with the groups it was saved with"
            ),
            Self::Schedule { group, mismatch } => write!(f, "parameter group {group}: {mismatch}"),
        }
    }
}

impl std::error::Error for GroupRecordMismatch {}
