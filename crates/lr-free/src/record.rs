//! The optimizers' state as bytes: named scalars, and per parameter its named flat tensors, in a
//! small self-describing format (so a checkpoint holds it beside the model's record).

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use burn_core as burn;

use burn::module::ParamId;
use burn::tensor::{DType, Device, Tensor, TensorData};

const MAGIC: &[u8; 8] = b"LRFREE1\n";

/// Why an optimizer state could not be loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError(pub String);

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::error::Error for RecordError {}

/// An optimizer's whole state: its scalars (`k`, `d`, sums) and its tensors per parameter.
#[derive(Default)]
pub(crate) struct Record {
    pub scalars: BTreeMap<String, f64>,
    pub tensors: BTreeMap<(u64, String), TensorData>,
}

impl Record {
    pub fn scalar(&mut self, name: &str, value: f64) {
        self.scalars.insert(name.to_string(), value);
    }

    pub fn tensor(&mut self, id: ParamId, name: &str, t: &Tensor<1>) {
        self.tensors
            .insert((id.val(), name.to_string()), t.clone().into_data());
    }

    pub fn take_scalar(&self, name: &str) -> Result<f64, RecordError> {
        self.scalars
            .get(name)
            .copied()
            .ok_or_else(|| RecordError(format!("the optimizer state has no `{name}`")))
    }

    /// The parameters the record holds tensors for.
    pub fn ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.tensors.keys().map(|(id, _)| *id).collect();
        ids.dedup();
        ids
    }

    pub fn take_tensor(
        &self,
        id: u64,
        name: &str,
        device: &Device,
    ) -> Result<Tensor<1>, RecordError> {
        let data = self.tensors.get(&(id, name.to_string())).ok_or_else(|| {
            RecordError(format!(
                "the optimizer state of parameter {id} has no `{name}`"
            ))
        })?;
        // States live beside the parameters' inner values, outside autodiff.
        Ok(Tensor::<1>::from_data(
            data.clone(),
            burn::tensor::TensorCreationOptions::new(device.clone()).with_dtype(data.dtype()),
        )
        .inner())
    }

    /// `kind` names the optimizer, so a state is never loaded into another one.
    pub fn to_bytes(&self, kind: &str) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        put_str(&mut out, kind);
        out.extend((self.scalars.len() as u64).to_le_bytes());
        for (name, value) in &self.scalars {
            put_str(&mut out, name);
            out.extend(value.to_le_bytes());
        }
        out.extend((self.tensors.len() as u64).to_le_bytes());
        for ((id, name), data) in &self.tensors {
            out.extend(id.to_le_bytes());
            put_str(&mut out, name);
            out.push(match data.dtype() {
                DType::F64 => 1,
                // Flat states are created from the parameters, f32 or f64.
                _ => 0,
            });
            let bytes = data.as_bytes();
            out.extend((bytes.len() as u64).to_le_bytes());
            out.extend(bytes);
        }
        out
    }

    pub fn from_bytes(bytes: &[u8], kind: &str) -> Result<Self, RecordError> {
        let damaged =
            || RecordError("the optimizer state is damaged (truncated or not this format)".into());
        let mut r = Reader { bytes, at: 0 };
        if r.take(8).ok_or_else(damaged)? != MAGIC {
            return Err(damaged());
        }
        let found = r.string().ok_or_else(damaged)?;
        if found != kind {
            return Err(RecordError(format!(
                "the optimizer state is {found}'s, not {kind}'s"
            )));
        }
        let mut record = Record::default();
        for _ in 0..r.u64().ok_or_else(damaged)? {
            let name = r.string().ok_or_else(damaged)?;
            let value = f64::from_le_bytes(r.take(8).ok_or_else(damaged)?.try_into().unwrap());
            record.scalars.insert(name, value);
        }
        for _ in 0..r.u64().ok_or_else(damaged)? {
            let id = r.u64().ok_or_else(damaged)?;
            let name = r.string().ok_or_else(damaged)?;
            let (dtype, width) = match r.take(1).ok_or_else(damaged)?[0] {
                0 => (DType::F32, 4),
                1 => (DType::F64, 8),
                _ => return Err(damaged()),
            };
            let len = r.u64().ok_or_else(damaged)? as usize;
            let data = r.take(len).ok_or_else(damaged)?;
            if !len.is_multiple_of(width) {
                return Err(damaged());
            }
            let data = TensorData::from_bytes_vec(data.to_vec(), [len / width], dtype);
            record.tensors.insert((id, name), data);
        }
        if r.at != bytes.len() {
            return Err(damaged());
        }
        Ok(record)
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend((s.len() as u64).to_le_bytes());
    out.extend(s.as_bytes());
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn string(&mut self) -> Option<String> {
        let n = usize::try_from(self.u64()?).ok()?;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
}

/// Per-parameter states from a record: `build` makes one from a parameter's id.
pub(crate) fn states<S>(
    record: &Record,
    mut build: impl FnMut(u64) -> Result<S, RecordError>,
) -> Result<HashMap<ParamId, S>, RecordError> {
    record
        .ids()
        .into_iter()
        .map(|id| Ok((ParamId::from(id), build(id)?)))
        .collect()
}
