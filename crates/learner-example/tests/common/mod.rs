//! What the tests of Burn's loop share: a few hundred MNIST images and a run over them.

use std::path::PathBuf;

use learner_example::{Images, Run};

/// The MNIST files: `$MNIST_DIR`, else the shared copy beside the checkout.
pub fn images() -> Images {
    let dir = std::env::var_os("MNIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/mnist"));
    let data = mnist::load(
        mnist::DatasetKind::Mnist,
        Some(dir.as_path()),
        Some(384),
        Some(1),
    )
    .unwrap_or_else(|e| panic!("{e}; set MNIST_DIR to a folder with the four MNIST files"));
    Images::new(data.train)
}

/// 256 training images in batches of 32 (8 steps an epoch), 128 held out for validation.
pub fn run(epochs: usize) -> Run {
    Run {
        train: 0..256,
        valid: 256..384,
        batch_size: 32,
        epochs,
        hidden: 16,
        seed: 7,
        stop_after_flat_epochs: None,
    }
}
