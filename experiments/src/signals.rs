//! The stop request: Ctrl-C, SIGTERM or SIGUSR1 (what Slurm sends before a time limit or a
//! pre-emption, with `--signal=B:USR1@90`) asks the runs to finish the step in flight,
//! checkpoint and stop; a second signal exits at once.

use std::sync::atomic::{AtomicBool, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM, SIGUSR1};
use signal_hook::iterator::Signals;

use crate::error::Ending;

static STOP: AtomicBool = AtomicBool::new(false);

/// Installs the handler (once per process; later calls change nothing). The signals are read
/// by a thread of their own, so the message is printed outside the signal handler.
pub fn install_handler() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGUSR1]) else {
        return;
    };
    std::thread::spawn(move || {
        for signal in signals.forever() {
            if STOP.swap(true, Ordering::SeqCst) {
                std::process::exit(Ending::Stopped.exit_code().into());
            }
            let name = match signal {
                SIGUSR1 => "SIGUSR1",
                SIGTERM => "SIGTERM",
                _ => "Ctrl-C",
            };
            eprintln!(
                "\n{name}: stopping after this step and saving a checkpoint (again to quit at once)"
            );
        }
    });
}

/// Whether a signal asked the runs to stop.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}
