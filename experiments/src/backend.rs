//! Picking the device: wgpu on a hardware GPU, else Burn's pure-Rust CPU backend.

use burn::tensor::wgpu::{WgpuSetup, wgpu};
use burn::tensor::{Device, DeviceKind};
use clap::ValueEnum;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::ModelKind;
use crate::traffic::Traffic;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum, Serialize, Deserialize)]
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
    /// The traffic of this backend (as used: `auto` resolved).
    pub fn traffic(self) -> Traffic {
        match self {
            Self::Wgpu => Traffic::GPU,
            _ => Traffic::CPU,
        }
    }

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

/// The GPUs of `--devices`: discrete GPUs by their index among the discrete GPUs wgpu finds.
pub fn gpus(indices: &[usize]) -> Result<Vec<DeviceKind>> {
    use burn::backend::wgpu::wgpu::DeviceType;
    let found = wgpu_adapters()
        .into_iter()
        .filter(|(_, kind)| *kind == DeviceType::DiscreteGpu)
        .count();
    indices
        .iter()
        .map(|&i| {
            if i < found {
                Ok(DeviceKind::DiscreteGpu(i))
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

/// The GPUs opened so far, with the setup each came up on (a runtime is initialised once per
/// process, so later callers reuse it).
type Opened = Vec<(DeviceKind, Device, WgpuSetup)>;
static OPENED: std::sync::Mutex<Opened> = std::sync::Mutex::new(Vec::new());

/// The wgpu device `kind` names, opened once per process, with its setup.
fn gpu(kind: DeviceKind) -> Result<(Device, WgpuSetup)> {
    let mut opened = OPENED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, device, setup)) = opened.iter().find(|(k, _, _)| *k == kind) {
        return Ok((device.clone(), setup.clone()));
    }
    let (device, setup) = Device::wgpu_options()
        .device_kind(kind.clone())
        .init_with_setup()
        .map_err(|e| {
            Error::new(format!(
                "cannot open the GPU ({kind:?}): {e}; check the driver, or use --backend flex"
            ))
        })?;
    opened.push((kind, device.clone(), setup.clone()));
    Ok((device, setup))
}

/// The adapter behind the wgpu device `kind`: its name, type and driver.
pub fn adapter(kind: DeviceKind) -> Result<Adapter> {
    let info = gpu(kind)?.1.adapter.get_info();
    use burn::backend::wgpu::wgpu::DeviceType;
    Ok(Adapter {
        software: matches!(info.device_type, DeviceType::Cpu | DeviceType::Other),
        line: format!(
            "{} ({:?}, {:?}, driver {} {})",
            info.name, info.device_type, info.backend, info.driver, info.driver_info
        ),
    })
}

/// Images an evaluation pass of `model` takes at once on backend `used`: on wgpu as many as
/// the device's largest buffer allows ([`ModelKind::gpu_eval_chunk`]), else the CPU's chunk.
pub fn eval_chunk(used: BackendKind, model: ModelKind) -> Result<usize> {
    Ok(match used {
        BackendKind::Wgpu => model.gpu_eval_chunk(buffer_limit()?),
        _ => Traffic::CPU.eval_chunk,
    })
}

/// The largest storage buffer one binding of the default GPU takes, in bytes.
fn buffer_limit() -> Result<u64> {
    Ok(gpu(DeviceKind::DefaultDevice)?
        .1
        .device
        .limits()
        .max_storage_buffer_binding_size)
}

/// What a wgpu device runs on.
pub struct Adapter {
    /// Name, type, graphics API and driver, as one line.
    pub line: String,
    /// A CPU adapter (lavapipe, llvmpipe, WARP) or one wgpu cannot classify.
    pub software: bool,
}

/// `n` devices on each GPU of `kinds`, each with its own queue: CubeCL records a device's
/// kernels on one thread and submits them to one queue, so runs overlap on a GPU only on
/// devices of their own. Each holds its own copy of whatever is put on it.
pub fn side_by_side(kinds: &[DeviceKind], n: usize) -> Result<Vec<Device>> {
    let mut out = Vec::new();
    for kind in kinds {
        let (first, setup) = gpu(kind.clone())?;
        out.push(first);
        for _ in 1..n {
            let fail = |e: String| {
                Error::new(format!(
                    "cannot open another queue on the GPU for {n} runs side by side: {e}; lower --jobs"
                ))
            };
            let (device, queue) = another_device(&setup).map_err(fail)?;
            let more = WgpuSetup {
                instance: setup.instance.clone(),
                adapter: setup.adapter.clone(),
                device,
                queue,
                backend: setup.backend,
            };
            let device = Device::wgpu_options().setup(more).init();
            out.push(device.map_err(|e| fail(e.to_string()))?);
        }
    }
    Ok(out)
}

/// A further logical device (and queue) on `setup`'s adapter, requested as CubeCL requests its
/// own in this build (its WGSL path: every feature but mappable primary buffers, the adapter's
/// limits, allocation for memory use).
fn another_device(setup: &WgpuSetup) -> std::result::Result<(wgpu::Device, wgpu::Queue), String> {
    let descriptor = wgpu::DeviceDescriptor {
        label: None,
        required_features: (setup.adapter.features())
            .difference(wgpu::Features::MAPPABLE_PRIMARY_BUFFERS),
        required_limits: setup.adapter.limits(),
        memory_hints: wgpu::MemoryHints::MemoryUsage,
        trace: wgpu::Trace::Off,
        // SAFETY: what CubeCL enables on its own device (experimental passthrough shaders),
        // so kernels compiled for one device are valid on the other.
        experimental_features: unsafe { wgpu::ExperimentalFeatures::enabled() },
    };
    block_on(setup.adapter.request_device(&descriptor)).map_err(|e| e.to_string())
}

/// Runs a future to completion on this thread; wgpu's adapter enumeration and device requests
/// resolve at once on native platforms, so a no-op waker and a polling loop are enough.
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
            Ok((gpu(DeviceKind::DefaultDevice)?.0, BackendKind::Wgpu))
        }
        BackendKind::Auto => {
            let found = adapters();
            match found.iter().find(|(_, hw)| *hw) {
                Some((name, _)) => {
                    eprintln!("backend: wgpu on {name} (hardware GPU found)");
                    Ok((gpu(DeviceKind::DefaultDevice)?.0, BackendKind::Wgpu))
                }
                None => {
                    eprintln!("backend: flex (no hardware GPU adapter found)");
                    Ok((Device::flex(), BackendKind::Flex))
                }
            }
        }
    }
}
