//! IDX parsing, with gzip detection and decoding, and the size cap that keeps hostile files
//! cheap. Knows the MNIST magics but nothing of checksums: verification, a layer above, adds
//! those.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::error::{DataError, ErrorKind};

/// IDX magic of an unsigned-byte, three-dimensional file (images).
const IMAGES_MAGIC: u32 = 2051;
/// IDX magic of an unsigned-byte, one-dimensional file (labels).
const LABELS_MAGIC: u32 = 2049;
/// Upper bound on an uncompressed file. The largest real one holds 47,040,016 bytes; the cap
/// keeps a gzip bomb or a hostile header from exhausting memory before it is rejected.
const MAX_FILE_BYTES: u64 = 64 << 20;

/// Which of the two MNIST file types a path must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expect {
    /// An images file (magic 2051).
    Images,
    /// A labels file (magic 2049).
    Labels,
}

/// An IDX file: its magic, dimensions and payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxFile {
    /// The magic number, `0x0000_08NN` for unsigned bytes in `NN` dimensions (2051 images,
    /// 2049 labels).
    pub magic: u32,
    /// Number of items: the first dimension.
    pub count: usize,
    /// All dimensions, the item count first (`[count, 28, 28]` for images, `[count]` for labels).
    pub dims: Vec<usize>,
    /// The payload after the header, `dims` multiplied together bytes long.
    pub data: Vec<u8>,
}

/// Reads an unsigned-byte IDX file, gunzipping it when its name ends in `.gz`, and checks that
/// its length equals what its header declares. No checksum: loading a data set does that.
pub fn read_idx(path: &Path) -> Result<IdxFile, DataError> {
    let gz = path.extension().is_some_and(|e| e == "gz");
    let bytes = read_bytes(path, gz)?;
    let header = parse_header(path, &bytes, None)?;
    check_length(path, &header, bytes.len(), "items")?;
    Ok(into_idx(bytes, header))
}

/// The parsed header of an IDX file.
#[derive(Clone, Debug)]
pub(crate) struct Header {
    magic: u32,
    /// The item count, then the size of each item's dimensions.
    pub(crate) dims: Vec<usize>,
    /// Bytes before the payload: 4 + 4 per dimension.
    len: usize,
}

/// Parses magic and dimensions, accepting only unsigned bytes in 1 to 3 dimensions, and with
/// `expect` only that type's magic.
pub(crate) fn parse_header(
    path: &Path,
    bytes: &[u8],
    expect: Option<Expect>,
) -> Result<Header, DataError> {
    let word = |i: usize| {
        bytes
            .get(4 * i..4 * i + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let too_short = || {
        DataError::file(
            ErrorKind::Format,
            path,
            format_args!("too short for an IDX header ({} bytes)", bytes.len()),
            "the file is truncated, download it again",
        )
    };
    let magic = word(0).ok_or_else(too_short)?;
    let ndims = (magic & 0xff) as usize;
    let is_idx = magic >> 8 == 0x08 && (1..=3).contains(&ndims);
    let (expected, other) = match expect {
        Some(Expect::Images) => (
            "2051 for images",
            (magic == LABELS_MAGIC).then_some("is it a labels file?"),
        ),
        Some(Expect::Labels) => (
            "2049 for labels",
            (magic == IMAGES_MAGIC).then_some("is it an images file?"),
        ),
        None => ("2051 for images or 2049 for labels", None),
    };
    let wanted = match expect {
        Some(Expect::Images) => magic == IMAGES_MAGIC,
        Some(Expect::Labels) => magic == LABELS_MAGIC,
        None => is_idx,
    };
    if !wanted {
        let named_gz = path.extension().is_some_and(|e| e == "gz");
        let hint = match other {
            Some(other) => other,
            None if !named_gz && bytes.starts_with(&[0x1f, 0x8b]) => {
                "the file is gzip-compressed, add .gz to its name"
            }
            None => "not an MNIST IDX file, download it again",
        };
        return Err(DataError::file(
            ErrorKind::Format,
            path,
            format_args!("wrong IDX magic {magic} (expected {expected})"),
            hint,
        ));
    }
    let dims = (1..=ndims)
        .map(|i| word(i).map(|d| d as usize).ok_or_else(too_short))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Header {
        magic,
        dims,
        len: 4 + 4 * ndims,
    })
}

/// Checks that the file is exactly header plus the payload its dimensions declare.
pub(crate) fn check_length(
    path: &Path,
    header: &Header,
    actual: usize,
    what: &str,
) -> Result<(), DataError> {
    // u64 with checked products: a hostile header must not overflow into a "valid" length.
    let declared = header
        .dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))
        .and_then(|payload| payload.checked_add(header.len as u64));
    let actual = actual as u64;
    let count = header.dims[0];
    let Some(declared) = declared.filter(|&d| d <= actual) else {
        let size = declared.map_or("over 2^64 bytes".to_string(), |d| format!("{d} bytes"));
        return Err(DataError::file(
            ErrorKind::Format,
            path,
            format_args!(
                "truncated: the header declares {count} {what} ({size}) but the file has {actual} bytes"
            ),
            "download it again",
        ));
    };
    if actual > declared {
        return Err(DataError::file(
            ErrorKind::Format,
            path,
            format_args!(
                "{} trailing bytes after the {count} {what} the header declares ({declared} bytes)",
                actual - declared
            ),
            "the file is corrupt or concatenated, download it again",
        ));
    }
    Ok(())
}

/// Strips the header in place (a memmove, no second buffer).
pub(crate) fn into_idx(mut bytes: Vec<u8>, header: Header) -> IdxFile {
    bytes.drain(..header.len);
    IdxFile {
        magic: header.magic,
        count: header.dims[0],
        dims: header.dims,
        data: bytes,
    }
}

/// The uncompressed bytes of `path`, refusing anything larger than [`MAX_FILE_BYTES`].
pub(crate) fn read_bytes(path: &Path, gz: bool) -> Result<Vec<u8>, DataError> {
    let io_error = |e: io::Error| {
        DataError::file(
            ErrorKind::Io,
            path,
            format_args!("cannot read ({e})"),
            "check that the file is readable",
        )
    };
    let too_large = |size: String| {
        DataError::file(
            ErrorKind::Format,
            path,
            format_args!("{size} bytes uncompressed, more than any MNIST file"),
            "not an MNIST file, download it again",
        )
    };
    let raw = fs::read(path).map_err(io_error)?;
    if !gz {
        if raw.len() as u64 > MAX_FILE_BYTES {
            return Err(too_large(raw.len().to_string()));
        }
        return Ok(raw);
    }
    // The gzip trailer's ISIZE (length mod 2^32) sizes the buffer so it is allocated once;
    // capped, since a hostile trailer must not reserve memory either.
    let hint = raw
        .len()
        .checked_sub(4)
        .and_then(|i| raw.get(i..))
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64);
    let mut out = Vec::with_capacity(hint.min(MAX_FILE_BYTES) as usize);
    let mut decoder = MultiGzDecoder::new(raw.as_slice()).take(MAX_FILE_BYTES + 1);
    if let Err(e) = decoder.read_to_end(&mut out) {
        let (problem, fix) = match e.kind() {
            // flate2 words this "incomplete deflate stream" or "unexpected end of file"
            // depending on where the cut falls; one wording serves the user better.
            io::ErrorKind::UnexpectedEof => (
                "truncated gzip stream (unexpected end of file)".to_string(),
                "download it again",
            ),
            _ if out.is_empty() && !raw.starts_with(&[0x1f, 0x8b]) => (
                format!("not gzip-compressed ({e})"),
                "if it is a raw IDX file, drop .gz from its name",
            ),
            _ => (format!("damaged gzip data ({e})"), "download it again"),
        };
        return Err(DataError::file(ErrorKind::Gzip, path, problem, fix));
    }
    if out.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(format!("more than {MAX_FILE_BYTES}")));
    }
    Ok(out)
}
