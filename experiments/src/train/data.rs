//! The data set as tensors on the training device: batches are gathered by index, so no image is
//! copied on the host or sent to the device again during training.

use burn::tensor::{Device, Distribution, Int, Tensor, TensorData};

/// The whole data set on the device.
pub struct DeviceData {
    pub train_x: Tensor<4>,
    pub train_y: Tensor<1, Int>,
    /// The validation set: held out of training, what runs are judged on.
    pub val_x: Tensor<4>,
    pub val_y: Tensor<1, Int>,
    pub n_val: usize,
    pub test_x: Tensor<4>,
    pub test_y: Tensor<1, Int>,
    pub n_train: usize,
    pub n_test: usize,
    /// Images a forward pass of evaluation takes at once (see [`Traffic`](crate::traffic::Traffic)).
    pub eval_chunk: usize,
}

/// MNIST's usual normalisation (and Fashion-MNIST's own statistics).
pub fn normalisation(fashion: bool) -> (f32, f32) {
    if fashion {
        (0.2860, 0.3530)
    } else {
        (0.1307, 0.3081)
    }
}

/// Splits the last `validation` images off the training set, then keeps the first
/// `train_limit` of the rest for training: the same validation images whatever the limit, the
/// seed or the schedule.
pub fn hold_out(
    mut data: mnist::Data,
    validation: usize,
    train_limit: Option<usize>,
) -> Result<(mnist::Data, mnist::Split), String> {
    let t = &data.train;
    if validation >= t.count {
        return Err(format!(
            "--validation {validation} holds out every one of the {} training images; lower it",
            t.count
        ));
    }
    let size = t.rows * t.cols;
    let kept = (t.count - validation).min(train_limit.unwrap_or(usize::MAX));
    let first_val = t.count - validation;
    let split = |from: usize, to: usize| mnist::Split {
        images: t.images[from * size..to * size].to_vec(),
        labels: t.labels[from..to].to_vec(),
        count: to - from,
        rows: t.rows,
        cols: t.cols,
    };
    let (train, val) = (split(0, kept), split(first_val, t.count));
    data.train = train;
    Ok((data, val))
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
        validation: &mnist::Split,
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
            val_x: images(validation, test_device),
            val_y: labels(validation, test_device),
            n_val: validation.count,
            test_x: images(&data.test, test_device),
            test_y: labels(&data.test, test_device),
            n_train: data.train.count,
            n_test: data.test.count,
            eval_chunk: crate::traffic::Traffic::CPU.eval_chunk,
        }
    }

    /// `train` training and `test` test images of random pixels and labels on `device`, and one
    /// validation image: data to time training and evaluation on.
    pub fn random(train: usize, test: usize, device: &Device) -> Self {
        let images =
            |n: usize| Tensor::<4>::random([n, 1, 28, 28], Distribution::Normal(0.0, 1.0), device);
        let labels =
            |n: usize| Tensor::<1, Int>::random([n], Distribution::Uniform(0.0, 10.0), device);
        Self {
            train_x: images(train),
            train_y: labels(train),
            val_x: images(1),
            val_y: labels(1),
            n_val: 1,
            test_x: images(test),
            test_y: labels(test),
            n_train: train,
            n_test: test,
            eval_chunk: crate::traffic::Traffic::CPU.eval_chunk,
        }
    }

    /// The same data, evaluated `chunk` images a pass.
    pub fn chunked(mut self, chunk: usize) -> Self {
        self.eval_chunk = chunk.max(1);
        self
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
