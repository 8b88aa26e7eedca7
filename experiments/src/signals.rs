//! The stop request: Ctrl-C or SIGTERM asks the runs to checkpoint and stop after the step in
//! flight; a second signal exits at once.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);
static SIGNALS: AtomicU8 = AtomicU8::new(0);

/// Installs the handler (once per process; later calls change nothing).
pub fn install_handler() {
    let _ = ctrlc::set_handler(|| {
        if SIGNALS.fetch_add(1, Ordering::SeqCst) == 0 {
            STOP.store(true, Ordering::SeqCst);
            eprintln!("\nstopping after this step and saving a checkpoint (again to quit at once)");
        } else {
            std::process::exit(130);
        }
    });
}

/// Whether a signal asked the runs to stop.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}
