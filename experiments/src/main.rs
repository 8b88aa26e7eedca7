//! The `experiments` binary: parses the command line, runs it, and maps how it ended to the
//! exit code (0 done, 130 stopped with checkpoints to resume, 1 failed with one `error:` line).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use experiments::cli::Cli;

/// Training allocates and frees tensors of the same few sizes at every step; mimalloc keeps
/// them in thread-local free lists instead of returning memory to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay`: entry 15 of `mi_option_e` in its `mimalloc.h`, in v2 and
/// v3 alike (`libmimalloc-sys` names no constant for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc hands memory freed in large spans back to the system 10 ms later; a training step
/// then faults the same megabytes in again and the kernel zeroes them, page by page, at every
/// step (a few percent of a step here). Never purging keeps the process at its peak, which
/// every training step reaches anyway.
fn keep_freed_memory() {
    // SAFETY: sets one integer option; mimalloc reads it whenever it decides to purge.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

/// Mesa's Vulkan drivers print `error: XDG_RUNTIME_DIR is invalid` when probing for a display
/// that training never uses; give them a private folder so the only `error:` lines are ours.
/// Returns the folder to remove at exit.
fn quiet_vulkan_probe() -> Option<PathBuf> {
    #[cfg(unix)]
    if std::env::var_os("XDG_RUNTIME_DIR").is_none() {
        use std::os::unix::fs::DirBuilderExt;
        let dir = std::env::temp_dir().join(format!("experiments-runtime-{}", std::process::id()));
        if std::fs::DirBuilder::new().mode(0o700).create(&dir).is_ok() {
            // SAFETY: called first thing in main, before any other thread exists.
            unsafe { std::env::set_var("XDG_RUNTIME_DIR", &dir) };
            return Some(dir);
        }
    }
    None
}

fn main() -> ExitCode {
    let runtime_dir = quiet_vulkan_probe();
    keep_freed_memory();
    let remove = |dir: &Option<PathBuf>| {
        if let Some(dir) = dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    };
    let cli = Cli::try_parse().unwrap_or_else(|e| {
        remove(&runtime_dir);
        e.exit()
    });
    let result = experiments::run(cli);
    remove(&runtime_dir);
    match result {
        Ok(ending) => ExitCode::from(ending.exit_code()),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
