//! Counting what a stretch of GPU work launches, through CubeCL's launch observer: kernels
//! launched, kernels launched for the first time (each one a compile, or an autotune
//! candidate), and optionally each kernel's device time. Process-wide: every thread's and
//! every device's launches count. The CPU backends launch none.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use burn::cubecl::launched::LaunchedKernels;
use burn::cubecl::logging::{self, LaunchObservation, LaunchObserver, TimingRequest};

/// What a measured stretch launched.
#[derive(Debug, Clone, Default)]
pub struct Launches {
    /// Kernel launches.
    pub kernels: u64,
    /// Distinct kernels launched that the warm-up before did not launch.
    pub new_kernels: u64,
    /// Per kernel name: launches and, when timed, the summed device seconds, longest first.
    pub by_name: Vec<(String, u64, f64)>,
}

#[derive(Default)]
struct Counter {
    timing: bool,
    seen: Mutex<HashMap<&'static str, (u64, f64)>>,
}

impl LaunchObserver for Counter {
    fn launched(&self, kernel: &'static str) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.entry(kernel).or_default().0 += 1;
    }

    fn timing(&self) -> TimingRequest {
        if self.timing {
            TimingRequest::Resolved
        } else {
            TimingRequest::None
        }
    }

    fn timed(&self, kernel: &'static str, duration: logging::Duration, _: logging::TimingMethod) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.entry(kernel).or_default().1 += duration.as_secs_f64();
    }
}

/// Turns Burn's kernel fusion off for the rest of the process, so that every tensor operation
/// on the GPU is a kernel of its own: what the launches are measured against. Only before the
/// first GPU operation.
pub fn unfuse() -> Result<(), String> {
    for name in burn_cubecl::fusion::BUILTIN_NAMES {
        burn_cubecl::fusion::remove(name).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Runs `warm`, then counts what `measured` launches. Both should end by syncing the device,
/// so that what they queued has been launched by then. With `timing`, each kernel is timed on
/// its own (so they run one at a time: right for each kernel's cost, not for the total).
pub fn count(timing: bool, warm: impl FnOnce(), measured: impl FnOnce()) -> Launches {
    let warm_set = LaunchedKernels::new();
    warm();
    let before = warm_set.finish();
    let counter = Arc::new(Counter {
        timing,
        ..Counter::default()
    });
    let observing = LaunchObservation::new(counter.clone());
    let during = LaunchedKernels::new();
    measured();
    let after = during.finish();
    drop(observing);
    let seen = std::mem::take(&mut *counter.seen.lock().unwrap_or_else(|e| e.into_inner()));
    let mut by_name: Vec<(String, u64, f64)> = seen
        .into_iter()
        .map(|(name, (n, t))| (name.to_string(), n, t))
        .collect();
    by_name.sort_by(|a, b| b.2.total_cmp(&a.2).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
    Launches {
        kernels: by_name.iter().map(|k| k.1).sum(),
        new_kernels: after.iter().filter(|k| !before.contains(*k)).count() as u64,
        by_name,
    }
}
