//! Checkpoints: everything a run needs to continue exactly where it stopped (model, optimizer
//! state, scheduler record, shuffle generator and position, metrics so far), in one file written
//! atomically, so a crash leaves the previous checkpoint whole.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fsio;

const MAGIC: &[u8; 8] = b"LRCKPT1\n";

/// The scalars of a checkpoint; the byte sections follow it in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// Optimizer steps done.
    pub step: u64,
    /// The epoch in progress (or the next one, when saved at an epoch's end).
    pub epoch: u64,
    /// The shuffle generator's state at the start of `epoch`: it regenerates that epoch's order.
    pub epoch_rng: u64,
    /// Whether `epoch` has been evaluated already (a checkpoint at an epoch's end).
    pub epoch_done: bool,
    /// The loss of the first step, the reference for divergence.
    pub first_loss: Option<f64>,
    pub eval_seconds: f64,
    pub wall_seconds: f64,
    pub images: u64,
}

/// A whole checkpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    pub state: State,
    /// `metrics.csv` as it stood (Rust's float formatting round-trips, so the rows read back
    /// exactly).
    pub metrics: String,
    pub model: Vec<u8>,
    pub optimizer: Vec<u8>,
    pub scheduler: Vec<u8>,
}

impl Checkpoint {
    pub fn to_bytes(&self) -> Vec<u8> {
        let state = serde_json::to_vec(&self.state).expect("plain scalars serialise");
        let sections: [&[u8]; 5] = [
            &state,
            self.metrics.as_bytes(),
            &self.model,
            &self.optimizer,
            &self.scheduler,
        ];
        let mut out = MAGIC.to_vec();
        for s in sections {
            out.extend_from_slice(&(s.len() as u64).to_le_bytes());
            out.extend_from_slice(s);
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, &'static str> {
        let rest = bytes.strip_prefix(MAGIC).ok_or("not a checkpoint")?;
        let mut sections = Vec::with_capacity(5);
        let mut rest = rest;
        for _ in 0..5 {
            let (len, tail) = rest.split_at_checked(8).ok_or("truncated")?;
            let len = u64::from_le_bytes(len.try_into().expect("8 bytes")) as usize;
            let (section, tail) = tail.split_at_checked(len).ok_or("truncated")?;
            sections.push(section.to_vec());
            rest = tail;
        }
        if !rest.is_empty() {
            return Err("trailing bytes");
        }
        let mut it = sections.into_iter();
        let mut next = || it.next().expect("five sections");
        let state = serde_json::from_slice(&next()).map_err(|_| "unreadable state")?;
        let metrics = String::from_utf8(next()).map_err(|_| "unreadable metrics")?;
        Ok(Self {
            state,
            metrics,
            model: next(),
            optimizer: next(),
            scheduler: next(),
        })
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        fsio::write_atomic(path, &self.to_bytes())
    }

    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
        Self::from_bytes(&bytes).map_err(|why| {
            Error::new(format!(
                "{}: damaged checkpoint ({why}); delete it to restart that run from scratch",
                path.display()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Checkpoint {
        Checkpoint {
            state: State {
                step: 17,
                epoch: 1,
                epoch_rng: u64::MAX - 3,
                epoch_done: false,
                first_loss: Some(2.25),
                eval_seconds: 0.25,
                wall_seconds: 1.75,
                images: 544,
            },
            metrics: "step,epoch\n0,1\n".into(),
            model: vec![1, 2, 3],
            optimizer: vec![],
            scheduler: vec![9; 40],
        }
    }

    #[test]
    fn bytes_round_trip() {
        let c = sample();
        assert_eq!(Checkpoint::from_bytes(&c.to_bytes()).unwrap(), c);
    }

    #[test]
    fn damage_is_detected() {
        let bytes = sample().to_bytes();
        assert_eq!(
            Checkpoint::from_bytes(&bytes[..bytes.len() - 1]),
            Err("truncated")
        );
        assert_eq!(
            Checkpoint::from_bytes(b"PK\x03\x04"),
            Err("not a checkpoint")
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Checkpoint::from_bytes(&longer), Err("trailing bytes"));
    }
}
