//! MNIST as Burn datasets: items are image indices, batched from the images in memory.

use std::sync::Arc;

use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::InMemDataset;
use burn::tensor::{Device, Int, Tensor, TensorData};

/// Images flattened to `[batch, 784]`, scaled as the experiment does, and their labels.
#[derive(Clone, Debug)]
pub struct Batch {
    /// `[batch, 784]`.
    pub images: Tensor<2>,
    /// `[batch]`.
    pub targets: Tensor<1, Int>,
}

/// The mean and standard deviation of MNIST's training pixels (the usual normalisation).
const MEAN: f32 = 0.1307;
const STD: f32 = 0.3081;

/// Builds batches from indices into one split.
#[derive(Clone)]
pub struct Images(Arc<mnist::Split>);

impl Images {
    /// Batches from `split`.
    pub fn new(split: mnist::Split) -> Self {
        Self(Arc::new(split))
    }

    /// A dataset of the indices `range` into the split.
    pub fn indices(&self, range: std::ops::Range<usize>) -> InMemDataset<usize> {
        assert!(range.end <= self.0.count, "index range past the split");
        InMemDataset::new(range.collect())
    }
}

impl Batcher<usize, Batch> for Images {
    fn batch(&self, indices: Vec<usize>, device: &Device) -> Batch {
        let pixels = 28 * 28;
        let images: Vec<f32> = indices
            .iter()
            .flat_map(|&i| &self.0.images[i * pixels..(i + 1) * pixels])
            .map(|&p| (p as f32 / 255.0 - MEAN) / STD)
            .collect();
        let targets: Vec<i64> = indices.iter().map(|&i| self.0.labels[i] as i64).collect();
        let n = indices.len();
        Batch {
            images: Tensor::from_data(TensorData::new(images, [n, pixels]), device),
            targets: Tensor::from_data(TensorData::new(targets, [n]), device),
        }
    }
}
