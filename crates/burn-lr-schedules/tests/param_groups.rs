//! Per-parameter-group schedules in a hand-written loop: Burn's `ModuleLrScheduler` with a
//! backbone under warm-up → cosine and a head under one-cycle. Each parameter's received rate is
//! its own group's `lr(t)`, a group given the wrong schedule is caught, and a grouped record
//! saved mid-run resumes bit for bit.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use burn::lr_scheduler::LrSchedulerRecord;
use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::module::{Module, ModuleVisitor, Param, ParamGroup};
use burn::nn::{Linear, LinearConfig, Relu};
use burn::optim::{GradientsParams, LearningRate, ModuleOptimizer, Optimizer, Sgd, SgdConfig};
use burn::tensor::{Device, Tensor, TensorData};
use burn_lr_schedules::{Policy, ScheduleConfig, check_group_record};

#[derive(Module, Debug)]
struct Net {
    backbone: Linear,
    relu: Relu,
    head: Linear,
}

impl Net {
    fn new(device: &Device) -> Self {
        Self {
            backbone: LinearConfig::new(4, 8).init(device),
            relu: Relu::new(),
            head: LinearConfig::new(8, 2).init(device),
        }
    }

    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.head
            .forward(self.relu.forward(self.backbone.forward(x)))
    }
}

/// SGD that writes down the rate of each update it makes.
#[derive(Clone)]
struct Recorded {
    inner: Sgd,
    rates: Arc<Mutex<Vec<LearningRate>>>,
}

impl Optimizer for Recorded {
    type State<const D: usize> = <Sgd as Optimizer>::State<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        self.rates.lock().unwrap().push(lr);
        self.inner.step(lr, tensor, grad, state)
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        Sgd::to_device(state, device)
    }
}

/// Every float parameter's path (`head.weight`) and id, as Burn's optimizer walks the module.
#[derive(Default)]
struct Paths {
    path: Vec<String>,
    params: Vec<(String, burn::module::ParamId)>,
}

impl ModuleVisitor for Paths {
    fn enter_module(&mut self, name: &str, _container: &str) {
        self.path.push(name.to_string());
    }
    fn exit_module(&mut self, _name: &str, _container: &str) {
        self.path.pop();
    }
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.params.push((self.path.join("."), param.id));
    }
}

/// The rates each parameter received, by path. Burn's `Optimizer::step` is told a rate, a tensor
/// and its gradient, not which parameter it is; so each parameter gets an optimizer group of its
/// own id with its own log. Ids, unlike the scheduler's groups (by path), cannot be mistaken.
struct Received(Vec<(String, Arc<Mutex<Vec<LearningRate>>>)>);

impl Received {
    fn optimizer(model: &Net) -> (ModuleOptimizer, Self) {
        let mut paths = Paths::default();
        model.visit(&mut paths);
        let sgd = SgdConfig::new().build();
        let mut optim = ModuleOptimizer::from(sgd.clone());
        let mut logs = Vec::new();
        for (path, id) in paths.params {
            let rates = Arc::default();
            let recorded = Recorded {
                inner: sgd.clone(),
                rates: Arc::clone(&rates),
            };
            optim = optim.with_group(ParamGroup::from_ids(vec![id]), recorded, None);
            logs.push((path, rates));
        }
        (optim, Self(logs))
    }

    fn rates(&self) -> BTreeMap<String, Vec<LearningRate>> {
        let rates = |log: &Arc<Mutex<Vec<_>>>| log.lock().unwrap().clone();
        self.0
            .iter()
            .map(|(p, log)| (p.clone(), rates(log)))
            .collect()
    }
}

/// Each parameter's rates against `lr(t)` of the policy of its module (`backbone`, `head`), to
/// 1e-12, for steps `t = 0, 1, …`; the first parameter and step that differ, or a parameter of
/// no group.
fn check(rates: &BTreeMap<String, Vec<f64>>, groups: &[(&str, &Policy)]) -> Result<(), String> {
    for (path, rates) in rates {
        let module = path.split('.').next().unwrap_or_default();
        let (_, policy) = groups
            .iter()
            .find(|(name, _)| *name == module)
            .ok_or_else(|| format!("{path} is in no group"))?;
        for (t, &rate) in rates.iter().enumerate() {
            let expected = policy.lr(t as u64);
            if (rate - expected).abs() > 1e-12 {
                return Err(format!(
                    "{path} step {t}: received {rate}, lr(t) = {expected}"
                ));
            }
        }
    }
    Ok(())
}

fn policy(toml_text: &str) -> Policy {
    toml::from_str::<ScheduleConfig>(toml_text)
        .unwrap()
        .policy()
        .unwrap()
}

fn backbone() -> Policy {
    policy(
        "kind = 'warmup'\nwarmup_steps = 5\n[after]\nkind = 'cosine'\nmax_lr = 0.01\ntotal_steps = 35",
    )
}

fn head() -> Policy {
    policy("kind = 'one_cycle'\nmax_lr = 0.1\ntotal_steps = 40")
}

/// The backbone's schedule for every parameter, then the head's for those whose path has `head`.
fn grouped(base: &Policy, head_group: &str, head: &Policy) -> ModuleLrScheduler {
    ModuleLrScheduler::new(burn_lr_schedules::Scheduler::new(base.clone())).with_group(
        ParamGroup::from_predicate(head_group),
        burn_lr_schedules::Scheduler::new(head.clone()),
    )
}

/// `steps` optimizer steps of a regression on fixed data.
fn train(
    model: Net,
    optim: &mut ModuleOptimizer,
    scheduler: &mut ModuleLrScheduler,
    steps: usize,
) -> Net {
    let device = Device::flex().autodiff();
    let xs: Vec<f32> = (0..64).map(|i| (i as f32 * 0.37).sin()).collect();
    let ys: Vec<f32> = xs.chunks(2).map(|x| x[0] - 2.0 * x[1]).collect();
    let x = Tensor::<2>::from_data(TensorData::new(xs, [16, 4]), &device);
    let y = Tensor::<2>::from_data(TensorData::new(ys, [16, 2]), &device);
    let mut model = model;
    for _ in 0..steps {
        let rates = scheduler.step();
        let loss = (model.forward(x.clone()) - y.clone()).powi_scalar(2).mean();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(rates, model, grads);
    }
    model
}

/// The rates each parameter received in `steps` steps under `scheduler`.
fn received(mut scheduler: ModuleLrScheduler, steps: usize) -> BTreeMap<String, Vec<f64>> {
    let model = Net::new(&Device::flex().autodiff());
    let (mut optim, received) = Received::optimizer(&model);
    train(model, &mut optim, &mut scheduler, steps);
    received.rates()
}

#[test]
fn each_parameter_receives_its_own_groups_lr_t() {
    let (backbone, head) = (backbone(), head());
    let rates = received(grouped(&backbone, "head", &head), 40);
    let paths: Vec<_> = rates.keys().map(String::as_str).collect();
    assert_eq!(
        paths,
        [
            "backbone.bias",
            "backbone.weight",
            "head.bias",
            "head.weight"
        ]
    );
    assert!(rates.values().all(|r| r.len() == 40));
    check(&rates, &[("backbone", &backbone), ("head", &head)]).unwrap();
}

#[test]
fn a_group_given_the_wrong_schedule_fails_the_check() {
    let (backbone, head) = (backbone(), head());
    let right = [("backbone", &backbone), ("head", &head)];
    // The schedules swapped between the groups, and a group that matches no parameter (the
    // head then falls back to the backbone's schedule).
    for (scheduler, wrong) in [
        (grouped(&head, "head", &backbone), "backbone.bias step 0"),
        (grouped(&backbone, "Head", &head), "head.bias step 0"),
    ] {
        let err = check(&received(scheduler, 40), &right).unwrap_err();
        assert!(err.starts_with(wrong), "{err}");
    }
}

/// 15 steps, the grouped scheduler's record saved to a file, then 25 steps under a fresh grouped
/// scheduler, into which the record is loaded if `load`: the rates each parameter received.
fn interrupted(backbone: &Policy, head: &Policy, load: bool) -> BTreeMap<String, Vec<f64>> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scheduler.bpk");
    let model = Net::new(&Device::flex().autodiff());
    let (mut optim, received) = Received::optimizer(&model);
    let mut scheduler = grouped(backbone, "head", head);
    let model = train(model, &mut optim, &mut scheduler, 15);
    scheduler.to_record().save(&file).unwrap();

    let record = LrSchedulerRecord::load(&file).unwrap();
    // The record nests each group's (this crate's step count and fingerprint) under its index.
    assert_eq!(record.record("1").scalar::<u64>("steps"), Some(15));
    check_group_record(&record, &[backbone, head]).unwrap();
    assert!(check_group_record(&record, &[head, backbone]).is_err());
    let mut resumed = grouped(backbone, "head", head);
    if load {
        resumed = resumed.load_record(record);
    }
    train(model, &mut optim, &mut resumed, 25);
    received.rates()
}

#[test]
fn a_grouped_record_saved_mid_run_resumes_exactly() {
    let (backbone, head) = (backbone(), head());
    let bits = |rates: BTreeMap<String, Vec<f64>>| -> Vec<(String, Vec<u64>)> {
        let bits = |r: Vec<f64>| r.into_iter().map(f64::to_bits).collect();
        rates.into_iter().map(|(p, r)| (p, bits(r))).collect()
    };
    let uninterrupted = bits(received(grouped(&backbone, "head", &head), 40));
    assert_eq!(bits(interrupted(&backbone, &head, true)), uninterrupted);
    // Without the record both schedules restart at t = 0: the comparison sees the difference.
    assert_ne!(bits(interrupted(&backbone, &head, false)), uninterrupted);
}
