//! Fetching MNIST when no folder has it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::locate::locate;

/// Where MNIST is downloaded from when it is nowhere on disk (the mirror PyTorch uses since
/// the original site started refusing downloads).
pub const MNIST_MIRROR: &str = "https://ossci-datasets.s3.amazonaws.com/mnist/";

/// Fetches the files missing from `dir` with `curl`, each into a `.part` file renamed when
/// complete, so an interrupted download never looks like a finished file. Returns why not.
pub(crate) fn download(url: &str, dir: &Path) -> Result<(), String> {
    let missing = match locate(dir) {
        Ok(_) => return Ok(()),
        Err(missing) => missing,
    };
    // Folders this call creates (deepest first), removed again if the download fails.
    let created: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
        .map(Path::to_path_buf)
        .collect();
    let result = (|| {
        fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {} for the download ({e})", dir.display()))?;
        for name in missing {
            let target = dir.join(format!("{name}.gz"));
            let part = dir.join(format!("{name}.gz.part"));
            let file_url = format!("{}/{name}.gz", url.trim_end_matches('/'));
            let output = Command::new("curl")
                .args(["-fsSL", "--connect-timeout", "10", "--max-time", "60", "-o"])
                .arg(&part)
                .arg(&file_url)
                .output();
            let failure = match output {
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    Some("no download: curl not found".to_string())
                }
                Err(e) => Some(format!(
                    "download of {file_url} failed: cannot run curl ({e})"
                )),
                Ok(out) if !out.status.success() => {
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    let why = stderr
                        .lines()
                        .find(|l| !l.trim().is_empty())
                        .unwrap_or("no message");
                    Some(format!(
                        "download of {file_url} failed: {} ({})",
                        out.status,
                        why.trim()
                    ))
                }
                Ok(_) => None,
            };
            if let Some(why) = failure {
                let _ = fs::remove_file(&part);
                return Err(why);
            }
            fs::rename(&part, &target)
                .map_err(|e| format!("cannot rename {} after download ({e})", part.display()))?;
        }
        Ok(())
    })();
    if result.is_err() {
        // Leave no empty folders behind; `remove_dir` fails harmlessly on a non-empty one.
        for folder in &created {
            let _ = fs::remove_dir(folder);
        }
    }
    result
}
