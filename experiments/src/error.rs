//! The program's one error type, and how a command ends when it does not fail.

use std::fmt;
use std::path::Path;

/// A failure as the one line the program prints after `error: `: it names the problem and, where
/// there is one, the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    /// A file that could not be read.
    pub fn read(path: &Path, cause: impl fmt::Display) -> Self {
        Self(format!("cannot read {}: {cause}", path.display()))
    }

    /// The message, without the `error: ` the program puts in front of it.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Self(message)
    }
}

impl From<&str> for Error {
    fn from(message: &str) -> Self {
        Self(message.to_string())
    }
}

/// How a command, or one training run, ended when nothing failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Everything asked for is done (a diverged run is done too: divergence is a result).
    Finished,
    /// Stopped by a signal or `--stop-after`, with checkpoints to `--resume` from.
    Stopped,
}

impl Ending {
    /// The process exit code: 0, or the shell's code for SIGINT when stopped early.
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Finished => 0,
            Self::Stopped => 130,
        }
    }
}
