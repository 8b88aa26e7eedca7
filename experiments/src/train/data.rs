//! The data set as tensors on the training device: batches are gathered by index, so no image is
//! copied on the host or sent to the device again during training.

use burn::tensor::{Device, Int, Tensor, TensorData};

/// The whole data set on the device.
pub struct DeviceData {
    pub train_x: Tensor<4>,
    pub train_y: Tensor<1, Int>,
    pub test_x: Tensor<4>,
    pub test_y: Tensor<1, Int>,
    pub n_train: usize,
    pub n_test: usize,
}

/// MNIST's usual normalisation (and Fashion-MNIST's own statistics).
pub fn normalisation(fashion: bool) -> (f32, f32) {
    if fashion {
        (0.2860, 0.3530)
    } else {
        (0.1307, 0.3081)
    }
}

/// A batch of training images and their labels.
pub struct Batch {
    pub x: Tensor<4>,
    pub y: Tensor<1, Int>,
    pub len: usize,
}

impl DeviceData {
    /// Uploads the images, normalised, to `train_device` (training) and `test_device` (evaluation).
    pub fn new(
        data: &mnist::Data,
        fashion: bool,
        train_device: &Device,
        test_device: &Device,
    ) -> Self {
        let (mean, std) = normalisation(fashion);
        let images = |split: &mnist::Split, device: &Device| {
            let pixels: Vec<f32> = split
                .images
                .iter()
                .map(|&p| (p as f32 / 255.0 - mean) / std)
                .collect();
            Tensor::<4>::from_data(
                TensorData::new(pixels, [split.count, 1, split.rows, split.cols]),
                device,
            )
        };
        let labels = |split: &mnist::Split, device: &Device| {
            let l: Vec<i64> = split.labels.iter().map(|&l| l as i64).collect();
            Tensor::<1, Int>::from_data(TensorData::new(l, [split.count]), device)
        };
        Self {
            train_x: images(&data.train, train_device),
            train_y: labels(&data.train, train_device),
            test_x: images(&data.test, test_device),
            test_y: labels(&data.test, test_device),
            n_train: data.train.count,
            n_test: data.test.count,
        }
    }

    /// The training images at `indices`, gathered on `device` (where the training data lives).
    pub fn batch(&self, indices: &[i64], device: &Device) -> Batch {
        let index =
            Tensor::<1, Int>::from_data(TensorData::new(indices.to_vec(), [indices.len()]), device);
        Batch {
            x: self.train_x.clone().select(0, index.clone()),
            y: self.train_y.clone().select(0, index),
            len: indices.len(),
        }
    }
}
