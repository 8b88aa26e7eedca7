//! Picking the device: wgpu on a hardware GPU, else Burn's pure-Rust CPU backend.

use burn::tensor::{Device, DeviceKind};
use clap::ValueEnum;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// wgpu when a hardware GPU adapter is found, flex otherwise.
    Auto,
    /// The GPU, through wgpu (Vulkan, Metal or DX12); also software Vulkan (lavapipe).
    Wgpu,
    /// Burn's fast pure-Rust CPU backend.
    Flex,
    /// Burn's ndarray CPU backend (deprecated upstream); its convolutions, pooling and dropout
    /// run the same kernels as flex.
    Ndarray,
}

impl BackendKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Wgpu => "wgpu",
            Self::Flex => "flex",
            Self::Ndarray => "ndarray",
        }
    }
}

/// The adapters wgpu can see, as `(name, is_hardware)`.
fn adapters() -> Vec<(String, bool)> {
    wgpu_adapters()
        .into_iter()
        .map(|(name, kind)| {
            use burn::backend::wgpu::wgpu::DeviceType;
            (name, !matches!(kind, DeviceType::Cpu | DeviceType::Other))
        })
        .collect()
}

/// The devices of `--devices`: discrete GPUs by their index among the discrete GPUs wgpu finds.
pub fn gpus(indices: &[usize]) -> Result<Vec<Device>> {
    use burn::backend::wgpu::wgpu::DeviceType;
    let found = wgpu_adapters()
        .into_iter()
        .filter(|(_, kind)| *kind == DeviceType::DiscreteGpu)
        .count();
    indices
        .iter()
        .map(|&i| {
            if i < found {
                Ok(Device::wgpu(DeviceKind::DiscreteGpu(i)))
            } else {
                Err(Error::new(format!(
                    "--devices {i}: wgpu finds {found} discrete GPU(s), numbered from 0; list only those, or drop --devices"
                )))
            }
        })
        .collect()
}

/// Every adapter wgpu can see, with its type.
fn wgpu_adapters() -> Vec<(String, burn::backend::wgpu::wgpu::DeviceType)> {
    use burn::backend::wgpu::wgpu;
    // Vulkan, Metal and DX12 only: the GL probe prints noise about XDG_RUNTIME_DIR and Burn does
    // not train through GL.
    let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle();
    descriptor.backends = wgpu::Backends::PRIMARY;
    let instance = wgpu::Instance::new(descriptor);
    let adapters = block_on(instance.enumerate_adapters(wgpu::Backends::PRIMARY));
    adapters
        .into_iter()
        .map(|a| {
            let info = a.get_info();
            (info.name, info.device_type)
        })
        .collect()
}

/// Runs a future to completion on this thread; wgpu's adapter enumeration resolves at once on
/// native platforms, so a no-op waker and a polling loop are enough.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}

/// Resolves `kind` to a device (without autodiff) and the backend actually used.
pub fn device(kind: BackendKind) -> Result<(Device, BackendKind)> {
    match kind {
        BackendKind::Flex => Ok((Device::flex(), BackendKind::Flex)),
        #[allow(deprecated)] // users ask for ndarray by name
        BackendKind::Ndarray => Ok((Device::ndarray(), BackendKind::Ndarray)),
        BackendKind::Wgpu => {
            if adapters().is_empty() {
                return Err("--backend wgpu: no GPU adapter found (no Vulkan, Metal or DX12 driver); install the GPU driver, or `mesa-vulkan-drivers` for software Vulkan, or use --backend flex".into());
            }
            Ok((Device::wgpu(DeviceKind::DefaultDevice), BackendKind::Wgpu))
        }
        BackendKind::Auto => {
            let found = adapters();
            match found.iter().find(|(_, hw)| *hw) {
                Some((name, _)) => {
                    eprintln!("backend: wgpu on {name} (hardware GPU found)");
                    Ok((Device::wgpu(DeviceKind::DefaultDevice), BackendKind::Wgpu))
                }
                None => {
                    eprintln!("backend: flex (no hardware GPU adapter found)");
                    Ok((Device::flex(), BackendKind::Flex))
                }
            }
        }
    }
}
