// train.py: training model.py with the model file's own settings, on one process or many under
// torchrun (DistributedDataParallel), with ConvLab's optimizers, learning-rate decay, losses and
// data formats, printing the same per-epoch lines as `convlab train`. The settings are written at
// the top of the file as Python values a person can read and change.

import type { DataSpec, TrainSettings } from '../../lang';
import { ExportError, trainLine, type TorchPlan } from './plan';
import { pyNumber, pyString } from './python';

/** Where train.py finds the built-in MNIST: IDX files exported beside it (see data-files.ts). */
export const BUILTIN_MNIST_DIR = 'data/mnist';

/** A data spec as a Python dict; the built-in MNIST becomes the IDX folder exported beside train.py. */
function pyData(data: DataSpec): string {
  switch (data.kind) {
    case 'mnist': return `{"kind": "idx", "dir": os.path.join(HERE, ${pyString(BUILTIN_MNIST_DIR)})}`;
    case 'idx': case 'cifar10': return `{"kind": ${pyString(data.kind)}, "dir": ${pyString(data.dir)}}`;
    case 'libsvm': case 'mat':
      return `{"kind": ${pyString(data.kind)}, "train": ${pyString(data.train)}, "test": ${data.test === undefined ? 'None' : pyString(data.test)}}`;
  }
}

function pySettings(plan: TorchPlan, t: TrainSettings): string {
  if (t.optimizer === 'newton') {
    throw new ExportError(`${trainLine(plan)}: optimizer newton (simpleNN's subsampled Gauss-Newton) has no PyTorch counterpart; ` +
      'use optimizer=sgd or optimizer=adam to export the training');
  }
  return [
    'SETTINGS = {',
    `    "epochs": ${t.epochs},`,
    `    "batch": ${t.batch},  # per process: torchrun with N processes takes N batches per step`,
    `    "optimizer": ${pyString(t.optimizer)},`,
    `    "lr": ${pyNumber(t.lr)},`,
    `    "momentum": ${pyNumber(t.momentum)},  # sgd only`,
    `    "decay": ${pyNumber(t.decay)},  # lr_t = lr / (1 + decay * t), t = optimizer steps taken`,
    `    "weight_decay": ${pyNumber(t.weightDecay)},  # L2: weight_decay * w added to the gradient`,
    `    "seed": ${t.seed},`,
    '}',
    `DATA = ${pyData(t.data)}`,
    `# Fraction of the training examples held out for validation, or a data set whose test split validates.`,
    `VALIDATION = ${typeof t.validation === 'number' ? pyNumber(t.validation) : pyData(t.validation)}`,
    '# The data spec as ConvLab records it in checkpoints.',
    `CONVLAB_DATA = ${pyString(JSON.stringify(t.data))}`,
  ].join('\n');
}

const DATA_LOADERS = String.raw`# ---- data: the formats ConvLab reads, as float32 N x C x H x W and int64 labels -------------------

def _read(path):
    with open(path, "rb") as f:
        data = f.read()
    return gzip.decompress(data) if path.endswith(".gz") else data


def _pick(folder, names, what):
    for name in names:
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    raise DataError(f"{folder}: no {what} file (looked for {', '.join(names)})")


def _idx(path, rank):
    data = _read(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise DataError(f"{path}: not an IDX file (bad magic number)")
    if data[2] != 0x08:
        raise DataError(f"{path}: IDX element type 0x{data[2]:02x}; only unsigned bytes are read")
    if data[3] not in rank:
        raise DataError(f"{path}: IDX rank {data[3]}, expected {' or '.join(map(str, rank))}")
    dims = struct.unpack(f">{data[3]}I", data[4:4 + 4 * data[3]])
    body = data[4 + 4 * data[3]:]
    count = math.prod(dims)
    if len(body) != count:
        raise DataError(f"{path}: dimensions {'x'.join(map(str, dims))} need {count} bytes, the file has {len(body)}")
    return torch.frombuffer(bytearray(body), dtype=torch.uint8).reshape(dims)


def load_idx(folder):
    def split(images_stem, labels_stem):
        names = lambda stem, kind: [f"{stem}-{kind}-ubyte", f"{stem}.{kind}-ubyte", f"{stem}-{kind}-ubyte.gz", f"{stem}.{kind}-ubyte.gz"]
        images = _idx(_pick(folder, names(images_stem, "idx3"), images_stem), (3, 4))
        labels = _idx(_pick(folder, names(labels_stem, "idx1"), labels_stem), (1,))
        if images.shape[0] != labels.shape[0]:
            raise DataError(f"{folder}: {images.shape[0]} {images_stem} but {labels.shape[0]} {labels_stem}")
        images = images.unsqueeze(1) if images.dim() == 3 else images
        return images.float() / 255, labels.long()
    return split("train-images", "train-labels"), split("t10k-images", "t10k-labels")


def load_cifar10(folder):
    if not os.path.exists(os.path.join(folder, "data_batch_1.bin")) and os.path.isdir(os.path.join(folder, "cifar-10-batches-bin")):
        folder = os.path.join(folder, "cifar-10-batches-bin")
    def batches(names):
        records = b"".join(_read(_pick(folder, [name], name)) for name in names)
        if len(records) % 3073:
            raise DataError(f"{folder}: {' '.join(names)} is not whole CIFAR-10 records of 3073 bytes")
        table = torch.frombuffer(bytearray(records), dtype=torch.uint8).reshape(-1, 3073)
        return table[:, 1:].reshape(-1, 3, 32, 32).float() / 255, table[:, 0].long()
    return batches([f"data_batch_{i}.bin" for i in range(1, 6)]), batches(["test_batch.bin"])


def _libsvm_rows(path):
    rows = []
    for number, line in enumerate(_read(path).decode("utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].split()
        if not line:
            continue
        try:
            label = float(line[0])
            features = {int(k): float(v) for k, v in (item.split(":", 1) for item in line[1:])}
        except ValueError as e:
            raise DataError(f"{path}:{number}: not LIBSVM ({e})")
        if label != int(label):
            raise DataError(f"{path}:{number}: label {line[0]} is not an integer")
        rows.append((int(label), features))
    if not rows:
        raise DataError(f"{path}: no examples")
    return rows


def _held_out(x, y, fraction, seed):
    """A seeded shuffle cut into the first len - held and the last held examples (round(fraction * len), at least 1)."""
    held = max(1, round(len(y) * fraction))
    if len(y) < 2:
        raise DataError("a test set needs at least 2 examples (or give a test file)")
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    return (x[order[:-held]], y[order[:-held]]), (x[order[-held:]], y[order[-held:]])


def _labels_to_classes(parts):
    """The sorted distinct labels of all parts become classes 0..K-1, as ConvLab maps them."""
    classes = {v: k for k, v in enumerate(sorted({int(v) for y in parts for v in y}))}
    return [torch.tensor([classes[int(v)] for v in y], dtype=torch.long) for y in parts]


def load_libsvm(train, test, seed):
    parts = [_libsvm_rows(train)] + ([_libsvm_rows(test)] if test else [])
    features = max(max(f.keys(), default=0) for rows in parts for _, f in rows)
    if features != math.prod(INPUT_SHAPE):
        raise DataError(f"{train}: {features} features, but the model's input {'x'.join(map(str, INPUT_SHAPE))} needs {math.prod(INPUT_SHAPE)}")
    def dense(rows):
        x = torch.zeros(len(rows), features)
        for i, (_, f) in enumerate(rows):
            for k, v in f.items():
                x[i, k - 1] = v
        return x.reshape(-1, *INPUT_SHAPE)
    labels = _labels_to_classes([[label for label, _ in rows] for rows in parts])
    xs = [dense(rows) for rows in parts]
    if test:
        return (xs[0], labels[0]), (xs[1], labels[1])
    return _held_out(xs[0], labels[0], 0.2, seed)


def load_mat(train, test, seed):
    try:
        import scipy.io
    except ImportError:
        raise DataError("reading simpleNN .mat files needs scipy (pip install scipy), which this Python lacks")
    mats = [scipy.io.loadmat(path) for path in [train] + ([test] if test else [])]
    for path, mat in zip([train, test], mats):
        if "y" not in mat or "Z" not in mat:
            raise DataError(f"{path}: needs variables y (labels) and Z (one example per row)")
        if mat["Z"].shape[1] != math.prod(INPUT_SHAPE):
            raise DataError(f"{path}: Z has {mat['Z'].shape[1]} columns but the input needs {math.prod(INPUT_SHAPE)}")
    xs = [torch.tensor(mat["Z"], dtype=torch.float32).reshape(-1, *INPUT_SHAPE) for mat in mats]
    labels = _labels_to_classes([mat["y"].reshape(-1).tolist() for mat in mats])
    if test:
        return (xs[0], labels[0]), (xs[1], labels[1])
    return _held_out(xs[0], labels[0], 0.2, seed)


def load_data(spec, seed):
    kind = spec["kind"]
    if kind == "idx":
        train, test = load_idx(spec["dir"])
    elif kind == "cifar10":
        train, test = load_cifar10(spec["dir"])
    elif kind == "libsvm":
        train, test = load_libsvm(spec["train"], spec["test"], seed)
    elif kind == "mat":
        train, test = load_mat(spec["train"], spec["test"], seed)
    else:
        raise DataError(f"unknown data kind {kind!r}")
    for name, (x, y) in (("training", train), ("test", test)):
        if tuple(x.shape[1:]) != tuple(INPUT_SHAPE):
            raise DataError(f"the {name} examples are {'x'.join(map(str, x.shape[1:]))}, the model's input is {'x'.join(map(str, INPUT_SHAPE))}")
        if len(y) and int(y.max()) >= CLASSES:
            raise DataError(f"a {name} label is {int(y.max())}, but the model scores only {CLASSES} classes")
    return train, test
`;

const TRAINING = String.raw`# ---- training ---------------------------------------------------------------------------------------

class ConvLabSGD(torch.optim.Optimizer):
    """ConvLab's SGD with heavy-ball momentum (simpleNN's form): v = momentum*v - lr*(g + weight_decay*w); w += v.
    With a decaying lr this differs from torch.optim.SGD, which scales the whole velocity by the current lr."""

    def __init__(self, params, lr, momentum, weight_decay):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.add(p, alpha=group["weight_decay"]) if group["weight_decay"] else p.grad
                state = self.state[p]
                if "velocity" not in state:
                    state["velocity"] = torch.zeros_like(p)
                v = state["velocity"]
                v.mul_(group["momentum"]).add_(g, alpha=-group["lr"])
                p.add_(v)


def make_optimizer(params, s):
    if s["optimizer"] == "adam":
        # ConvLab's Adam: beta1 0.9, beta2 0.999, eps 1e-8, bias correction, L2 weight decay on the gradient.
        return torch.optim.Adam(params, lr=s["lr"], betas=(0.9, 0.999), eps=1e-8, weight_decay=s["weight_decay"])
    return ConvLabSGD(params, lr=s["lr"], momentum=s["momentum"], weight_decay=s["weight_decay"])


def loss_of(out, y):
    """Mean loss over the batch: cross-entropy on the scores, or simpleNN's squared error against one-hot labels."""
    if LOSS == "mse":
        return ((out - F.one_hot(y, CLASSES).to(out.dtype)) ** 2).sum(1).mean()
    return F.cross_entropy(out, y)


@torch.no_grad()
def accuracy(model, x, y, device, batch=1000):
    if len(y) == 0:
        return None
    model.eval()
    correct = sum(int((model(x[i:i + batch].to(device), logits=True).argmax(1) == y[i:i + batch].to(device)).sum())
                  for i in range(0, len(y), batch))
    return correct / len(y)


def percent(fraction):
    return "n/a" if fraction is None else f"{fraction * 100:.2f}%"


def save_checkpoint(path, model, optimizer, epoch, step):
    """Atomically (temp file + rename), so a kill mid-write leaves the previous checkpoint."""
    temp = f"{path}.tmp-{os.getpid()}"
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch, "step": step,
                "settings": SETTINGS}, temp)
    os.replace(temp, path)


def save_convlab_checkpoint(path, model, epoch, step, s):
    """The weights as a ConvLab checkpoint (convlab train --resume, convlab export --weights, the panel): same
    tensor names, the run's epoch and step; no optimizer state, so ConvLab continues with a fresh one."""
    tensors = {name: t for name, t in model.state_dict().items() if not name.endswith("num_batches_tracked")}
    optimizer = {"kind": s["optimizer"], "lr": s["lr"], "momentum": s["momentum"], "decay": s["decay"], "weightDecay": s["weight_decay"]}
    if s["optimizer"] == "adam":
        optimizer.update(beta1=0.9, beta2=0.999, epsilon=1e-8)
    write_safetensors(path, tensors, {
        "format": "convlab-checkpoint/1", "model": MODEL_TEXT, "seed": str(s["seed"]), "epoch": str(epoch), "step": str(step),
        "optimizer": json.dumps(optimizer), "backend": "cpu", "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "data": CONVLAB_DATA})


def parse_args():
    p = argparse.ArgumentParser(description=f"Train {MODEL_FILE} (exported from ConvLab) on one process or, under torchrun, many.")
    p.add_argument("--epochs", type=int, help=f"number of epochs (default {SETTINGS['epochs']})")
    p.add_argument("--batch", type=int, help=f"mini-batch per process (default {SETTINGS['batch']})")
    p.add_argument("--lr", type=float, help=f"learning rate (default {SETTINGS['lr']})")
    p.add_argument("--weights", default=os.path.join(HERE, "weights.safetensors"),
                   help="ConvLab weights to start from, when the file exists (default: weights.safetensors beside this script)")
    p.add_argument("--checkpoint", default=os.path.join(HERE, "checkpoint.pt"), help="written by rank 0 after every epoch")
    p.add_argument("--convlab-checkpoint", default=os.path.join(HERE, "trained.ckpt.safetensors"),
                   help="the weights as a ConvLab checkpoint, written by rank 0 with --checkpoint")
    p.add_argument("--resume", help="continue from a --checkpoint file")
    p.add_argument("--stop-at-step", type=int, help="stop once this many optimizer steps are taken in all")
    p.add_argument("--cpu", action="store_true", help="train on the CPU even when CUDA is available")
    return p.parse_args()


def main():
    args = parse_args()
    s = dict(SETTINGS)
    for key in ("epochs", "batch", "lr"):
        if getattr(args, key) is not None:
            s[key] = getattr(args, key)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    distributed = world > 1
    cuda = torch.cuda.is_available() and not args.cpu
    if distributed:
        dist.init_process_group("nccl" if cuda else "gloo")
    rank = dist.get_rank() if distributed else 0
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    log = print if rank == 0 else (lambda *a, **k: None)

    torch.manual_seed(s["seed"])  # the same initial weights in every process
    (train_x, train_y), (test_x, test_y) = load_data(DATA, s["seed"])
    validation = None
    if isinstance(VALIDATION, dict):
        validation = load_data(VALIDATION, s["seed"])[1]
    elif int(len(train_y) * VALIDATION) > 0:  # ConvLab holds out floor(count * fraction)
        held = int(len(train_y) * VALIDATION)
        order = torch.randperm(len(train_y), generator=torch.Generator().manual_seed(s["seed"]))
        validation = (train_x[order[-held:]], train_y[order[-held:]])
        train_x, train_y = train_x[order[:-held]], train_y[order[:-held]]

    model = Model().to(device)
    optimizer = make_optimizer(model.parameters(), s)
    epoch, step = 0, 0
    if args.resume:
        saved = torch.load(args.resume, map_location=device)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        epoch, step = saved["epoch"], saved["step"]
        log(f"resuming from {args.resume} at epoch {epoch}, step {step}", file=sys.stderr)
    elif os.path.exists(args.weights):
        metadata = load_convlab_weights(model, args.weights)
        epoch, step = int(metadata.get("epoch", 0)), int(metadata.get("step", 0))
        log(f"starting from {args.weights} (ConvLab epoch {epoch}, step {step}; fresh optimizer state)", file=sys.stderr)
    if epoch >= s["epochs"]:
        log(f"already {epoch} epochs; ask for more with --epochs", file=sys.stderr)
        if distributed:
            dist.destroy_process_group()
        return
    net = DistributedDataParallel(model, device_ids=[local_rank] if cuda else None) if distributed else model

    train_set = TensorDataset(train_x, train_y)
    sampler = DistributedSampler(train_set, shuffle=True, seed=s["seed"]) if distributed else None
    loader = DataLoader(train_set, batch_size=s["batch"], sampler=sampler, shuffle=sampler is None,
                        generator=torch.Generator().manual_seed(s["seed"]) if sampler is None else None)
    processes = f" on {world} processes ({dist.get_backend()})" if distributed else ""
    log(f"training {MODEL_FILE} on {DATA.get('dir') or DATA.get('train')} with {device.type}{processes}: "
        f"{sum(p.numel() for p in model.parameters()):,} parameters, {s['epochs']} epochs of {len(loader)} steps "
        f"(batch {s['batch']}, {s['optimizer']}, lr {s['lr']})")

    while epoch < s["epochs"]:
        if sampler is not None:
            sampler.set_epoch(epoch)
        net.train()
        started = time.time()
        totals = torch.zeros(3, dtype=torch.float64, device=device)  # loss sum, correct, examples
        stopped, batches = False, 0
        for x, y in loader:
            batches += 1
            x, y = x.to(device), y.to(device)
            for group in optimizer.param_groups:
                group["lr"] = s["lr"] / (1 + s["decay"] * step)
            out = net(x, logits=True)
            loss = loss_of(out, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            totals += torch.stack([loss.detach().double() * len(y), (out.argmax(1) == y).sum().double(),
                                   torch.tensor(float(len(y)), dtype=torch.float64, device=device)])
            if args.stop_at_step is not None and step >= args.stop_at_step:
                stopped = True
                break
        if batches < len(loader):  # stopped mid-epoch: no epoch line; a resume redoes this epoch
            if rank == 0:
                save_checkpoint(args.checkpoint, model, optimizer, epoch, step)
                save_convlab_checkpoint(args.convlab_checkpoint, model, epoch, step, s)
            log(f"stopped at step {step} (--stop-at-step)", file=sys.stderr)
            break
        if distributed:
            dist.all_reduce(totals)
        epoch += 1
        seconds = time.time() - started
        if rank == 0:
            loss_mean, train_accuracy = (totals[0] / totals[2]).item(), (totals[1] / totals[2]).item()
            test = accuracy(model, test_x, test_y, device)
            valid = f"  validation {percent(accuracy(model, *validation, device))}" if validation is not None else ""
            print(f"epoch {epoch}/{s['epochs']}  loss {loss_mean:.4f}  train {percent(train_accuracy)}  test {percent(test)}"
                  f"{valid}  {seconds:.1f} s  {round(totals[2].item() / max(seconds, 1e-9))} img/s", flush=True)
            save_checkpoint(args.checkpoint, model, optimizer, epoch, step)
            save_convlab_checkpoint(args.convlab_checkpoint, model, epoch, step, s)
        if distributed:
            dist.barrier()  # the others wait while rank 0 evaluates and saves
        if stopped:
            break
    if rank == 0:
        print(f"saved {args.checkpoint} and {args.convlab_checkpoint} (epoch {epoch}, step {step})", file=sys.stderr)
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    try:
        main()
    except DataError as e:
        sys.exit(f"train.py: cannot load the data: {e}")
`;

/** The text of train.py. */
export function trainPy(plan: TorchPlan): string {
  return [
    '#!/usr/bin/env python3',
    `# train.py: trains model.py with ${plan.modelName}'s own train settings, exported by \`convlab export --to pytorch\`.`,
    '#   python train.py                              one process (CUDA when available, else the CPU)',
    '#   torchrun --nproc_per_node=N train.py         N processes with DistributedDataParallel (nccl on GPUs, else gloo)',
    '# Prints the same per-epoch lines as `convlab train`; rank 0 logs and writes --checkpoint after every epoch.',
    '',
    'import argparse',
    'import gzip',
    'import json',
    'import math',
    'import os',
    'import struct',
    'import sys',
    'import time',
    '',
    'import torch',
    'import torch.distributed as dist',
    'import torch.nn.functional as F',
    'from torch.nn.parallel import DistributedDataParallel',
    'from torch.utils.data import DataLoader, DistributedSampler, TensorDataset',
    '',
    'HERE = os.path.dirname(os.path.abspath(__file__))',
    'sys.path.insert(0, HERE)',
    'from model import CLASSES, INPUT_SHAPE, LOSS, MODEL_FILE, MODEL_TEXT, Model, load_convlab_weights, write_safetensors  # noqa: E402',
    '',
    pySettings(plan, plan.spec.train),
    '',
    '',
    'class DataError(Exception):',
    '    """A data file that is missing or not what the model needs; the message names it."""',
    '',
    '',
    DATA_LOADERS,
    '',
    TRAINING,
  ].join('\n');
}
