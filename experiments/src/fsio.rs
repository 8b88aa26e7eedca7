//! Writing files whole or not at all. Every file the program leaves is written to a temporary
//! file in the same folder, flushed to disk, renamed over the target, and the folder flushed
//! too, so a reader (or a machine that crashes) sees the old file or the new one, never half.

use std::fs::File;
use std::io::Write as _;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, "", |file, _| {
        file.write_all(bytes).map_err(|e| e.to_string())
    })
}

/// Writes `path` atomically through `fill`, which gets the temporary file open for writing and
/// its path (for encoders that open files by name). The temporary name ends in `suffix`, so
/// an encoder that picks its format by extension picks the target's.
pub fn write_atomic_with(
    path: &Path,
    suffix: &str,
    fill: impl FnOnce(&mut File, &Path) -> Result<(), String>,
) -> Result<()> {
    let failed = |e: &dyn std::fmt::Display| {
        Error::new(format!(
            "cannot write {}: {e}; check that its folder exists, is writable and has space",
            path.display()
        ))
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp")
        .suffix(suffix)
        .tempfile_in(folder)
        .map_err(|e| failed(&e))?;
    let tmp_path = tmp.path().to_path_buf();
    fill(tmp.as_file_mut(), &tmp_path).map_err(|e| failed(&e))?;
    // An encoder that opened the file by name wrote to the same inode: this flushes its bytes.
    tmp.as_file().sync_all().map_err(|e| failed(&e))?;
    tmp.persist(path).map_err(|e| failed(&e.error))?;
    sync_folder(folder).map_err(|e| failed(&e))
}

/// Flushes a folder's entries, so a rename in it survives a crash.
fn sync_folder(folder: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    File::open(folder)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}

/// Creates an output folder (and its parents), or says which one and how to choose another.
pub fn create_out_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::new(format!(
            "cannot create {}: {e}; choose a writable folder with --out DIR",
            dir.display()
        ))
    })
}

/// A folder one process writes: an advisory lock on its `running.lock`, held while this value
/// lives. The system drops it when the process ends, however it ends, so a lock left by a
/// killed process never blocks the next one.
#[derive(Debug)]
pub struct FolderLock {
    _file: File,
}

/// Takes the lock of `dir` (a sweep or study folder), or says who holds it.
pub fn lock_folder(dir: &Path) -> Result<FolderLock> {
    let path = dir.join(crate::layout::LOCK);
    let failed = |e: &dyn std::fmt::Display| {
        Error::new(format!(
            "cannot lock {}: {e}; check that the folder is writable",
            path.display()
        ))
    };
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| failed(&e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            let holder = holder.trim();
            return Err(Error::new(format!(
                "{} is being written by another experiments process ({}); wait for it to finish or stop it, then run again",
                dir.display(),
                if holder.is_empty() {
                    "unknown holder"
                } else {
                    holder
                }
            )));
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(failed(&e)),
    }
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "this host".into());
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Who holds it, for the refusal another process prints; the lock itself is the flock.
    let holder = format!(
        "host {host}, pid {}, since {since} s after the epoch\n",
        std::process::id()
    );
    file.set_len(0)
        .and_then(|()| file.write_all(holder.as_bytes()))
        .map_err(|e| failed(&e))?;
    Ok(FolderLock { _file: file })
}

/// Reads a file to a string, with an error that names it.
pub fn read_to_string(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::read(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "only the target remains");
    }

    #[test]
    fn a_failed_fill_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.png");
        write_atomic(&path, b"old").unwrap();
        let err = write_atomic_with(&path, ".png", |_, tmp| {
            assert!(tmp.to_string_lossy().ends_with(".png"));
            Err("encoder failed".into())
        })
        .unwrap_err();
        assert!(err.message().contains("encoder failed"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_missing_folder_is_one_line_naming_the_file() {
        let err = write_atomic(Path::new("/nonexistent-folder/x.csv"), b"x").unwrap_err();
        assert!(
            err.message()
                .starts_with("cannot write /nonexistent-folder/x.csv:"),
            "{err}"
        );
    }
}
