//! Helpers shared by the CLI test files (each `tests/*.rs` is its own crate; not every one uses
//! every helper).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The MNIST files: `$MNIST_DIR`, else the shared copy beside the checkout.
pub fn mnist_dir() -> PathBuf {
    std::env::var_os("MNIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/mnist"))
}

/// Fashion-MNIST's folder: `FASHION_MNIST_DIR` (CI sets it and installs the data, so there it
/// must exist), else Debian's package folder if installed; `None` skips the test.
pub fn fashion_mnist_dir() -> Option<PathBuf> {
    match std::env::var_os("FASHION_MNIST_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            assert!(
                dir.is_dir(),
                "FASHION_MNIST_DIR={} is not a folder",
                dir.display()
            );
            Some(dir)
        }
        None => {
            let dir = PathBuf::from("/usr/share/datasets/fashion-mnist");
            dir.is_dir().then_some(dir)
        }
    }
}

/// A fresh folder for one test, removed when the test ends.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("experiments-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Asserts the command succeeded, showing its stderr when not.
pub fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Asserts a non-zero exit with exactly one `error:` line containing `needle`, and no panic.
pub fn assert_one_line_error(out: &Output, needle: &str) {
    assert!(!out.status.success(), "should fail: {needle}");
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(lines.len(), 1, "one error line: {err}");
    assert!(lines[0].contains(needle), "expected `{needle}` in: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// The `experiments` binary, never allowed to download a data set (a test that needs data
/// names its folder).
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_experiments"));
    c.env("MNIST_NO_DOWNLOAD", "1");
    c
}
