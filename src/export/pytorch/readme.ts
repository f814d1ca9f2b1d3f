// README.md of an exported folder: what is in it and how to run it.

import { BUILTIN_MNIST_DIR } from './train-py';
import type { TorchPlan } from './plan';

export function exportReadme(plan: TorchPlan, options: { readonly weights: boolean; readonly builtinMnist: boolean }): string {
  const t = plan.spec.train;
  return [
    `# ${plan.modelName} for PyTorch`,
    '',
    `Exported by \`convlab export ${plan.modelName} --to pytorch\`. Needs Python 3.8+ and PyTorch (1.13 or later); nothing else.`,
    '',
    '| file | what |',
    '| --- | --- |',
    `| \`model.py\` | \`Model\`: the ${plan.layers.length} layers as one \`nn.Sequential\` (\`layers.<i>\` is ConvLab's layer i, same tensor names), ${plan.parameterCount.toLocaleString('en-US')} parameters; \`load_convlab_weights(model, path)\` reads ConvLab's safetensors |`,
    ...(options.weights ? ['| `weights.safetensors` | the checkpoint\'s weights (optimizer state dropped), with its epoch and step |'] : []),
    `| \`train.py\` | training with the model file's settings (${t.optimizer}, lr ${t.lr}, batch ${t.batch}, ${t.epochs} epochs, seed ${t.seed}) |`,
    ...(options.builtinMnist ? [`| \`${BUILTIN_MNIST_DIR}/\` | ConvLab's built-in MNIST (8,000 train / 2,000 test) as IDX files |`] : []),
    '',
    '## Run',
    '',
    '```sh',
    'python train.py                               # one process: CUDA when available, else the CPU',
    'torchrun --nproc_per_node=4 train.py          # 4 processes, DistributedDataParallel (nccl on GPUs, gloo on CPUs)',
    'torchrun --nnodes=2 --nproc_per_node=8 --rdzv_backend=c10d --rdzv_id=run1 --rdzv_endpoint=HOST:29500 train.py  # on each of 2 machines',
    'python train.py --resume checkpoint.pt --epochs 10   # continue a run',
    '```',
    '',
    'Each epoch prints the line `convlab train` prints (loss, train / test accuracy, seconds, images per second); rank 0 writes',
    '`checkpoint.pt` (for `--resume`) and `trained.ckpt.safetensors` (a ConvLab checkpoint: `convlab train --resume`, `convlab export --weights`)',
    'after every epoch. `--batch` is per process: N processes take N batches per optimizer step, as DDP does.',
    ...(options.weights ? ['When `weights.safetensors` is here, training starts from it at its epoch and step (the learning-rate decay goes on from that step).'] : []),
    'The data paths are in `DATA` at the top of `train.py`; change them when the files live elsewhere.',
    'On Debian 12\'s python3-torch (PyTorch 1.13, Python 3.11) torchrun fails on its own default output settings; add `--redirects 1 --tee 1`.',
    '',
    '## Use the model',
    '',
    '```python',
    'from model import Model, load_convlab_weights',
    'model = Model().eval()',
    ...(options.weights ? ['load_convlab_weights(model, "weights.safetensors")'] : []),
    `scores = model(x)   # x: N x ${plan.input.join(' x ')} float32${plan.softmaxFused ? '; softmax probabilities (logits=True for the logits)' : ''}`,
    '```',
    '',
  ].join('\n');
}
