// model.py: the model as a self-contained torch.nn.Module. One nn.Sequential entry per ConvLab
// layer, so every tensor keeps its checkpoint name (`layers.<i>.weight`), and a reader for
// ConvLab's safetensors files written with json and torch alone (the `safetensors` package is
// often not installed where torch is).

import { formatShape } from '../../lang';
import type { TorchInit, TorchPlan } from './plan';
import { pyString } from './python';

function initLine(target: string, init: TorchInit): string {
  switch (init) {
    case 'kaiming_normal_relu': return `nn.init.kaiming_normal_(${target}, nonlinearity="relu")  # He: a relu follows`;
    case 'xavier_normal': return `nn.init.xavier_normal_(${target})  # Xavier: no relu follows`;
    case 'zeros': return `nn.init.zeros_(${target})`;
    case 'ones': return `nn.init.ones_(${target})`;
  }
}

const WEIGHT_IO = `def read_safetensors(path):
    """Tensors (by name) and metadata of a safetensors file, the format of ConvLab's checkpoints:
    u64 little-endian header length, a JSON header, then the raw little-endian data."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: too short to be a safetensors file")
    (header_length,) = struct.unpack("<Q", data[:8])
    if 8 + header_length > len(data):
        raise ValueError(f"{path}: its header says {header_length} bytes but the file has {len(data) - 8} after the length")
    header = json.loads(data[8:8 + header_length].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    base = 8 + header_length
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} is {entry['dtype']}; ConvLab writes F32 only")
        begin, end = entry["data_offsets"]
        raw = bytearray(data[base + begin:base + end])
        values = torch.frombuffer(raw, dtype=torch.float32) if raw else torch.zeros(0)
        tensors[name] = values.reshape(entry["shape"])
    return tensors, metadata


def load_convlab_weights(model, path):
    """Loads ConvLab weights (layers.<i>.*) into the model and returns the file's metadata.
    Optimizer state (optim.*) is skipped; a tensor that does not fit is refused by name."""
    tensors, metadata = read_safetensors(path)
    state = {name: t for name, t in tensors.items() if not name.startswith("optim.")}
    expected = model.state_dict()
    wrong = [f"{name}: expected {list(expected[name].shape)}, found {list(t.shape)}"
             for name, t in state.items() if name in expected and expected[name].shape != t.shape]
    unexpected = [name for name in state if name not in expected]
    missing = [name for name in expected if name not in state and not name.endswith("num_batches_tracked")]
    if wrong or unexpected or missing:
        problems = wrong + [f"{n}: not in this model" for n in unexpected] + [f"{n}: missing" for n in missing]
        raise ValueError(f"{path} does not fit this model:\\n  " + "\\n  ".join(problems))
    model.load_state_dict(state, strict=False)
    return metadata


def write_safetensors(path, tensors, metadata):
    """Writes float32 tensors (by name) and string metadata as safetensors, atomically (temp file + rename)."""
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        t = t.detach().to("cpu", torch.float32).contiguous()
        try:
            blob = t.numpy().tobytes()
        except (ImportError, RuntimeError):  # torch without numpy
            blob = struct.pack(f"<{t.numel()}f", *t.flatten().tolist())
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned, as safetensors writers do
    temp = f"{path}.tmp-{os.getpid()}"
    with open(temp, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for blob in blobs:
            f.write(blob)
    os.replace(temp, path)
`;

/** The text of model.py. */
export function modelPy(plan: TorchPlan): string {
  const moduleWidth = Math.max(...plan.layers.map((l) => l.module.module.length)) + 1;
  const layerLines = plan.layers.map((l) =>
    `            ${`${l.module.module},`.padEnd(moduleWidth)}  # ${String(l.index).padStart(2)}  ${l.source}  -> ${formatShape(l.output).replace(/×/g, 'x')}`);
  const inits = plan.layers.flatMap((l) => l.inits.map((i) => `        ${initLine(`self.layers[${l.index}].${i.tensor.attribute}`, i.init)}`));
  return [
    `# model.py: ${plan.modelName} as a torch.nn.Module, exported by \`convlab export --to pytorch\`.`,
    '# Same layers, shapes, parameter names (layers.<i>.weight, ...) and initialisation rule as ConvLab;',
    '# ConvLab\'s own random numbers are not reproduced, so fresh weights differ (load weights.safetensors for the same ones).',
    '',
    'import json',
    'import os',
    'import struct',
    '',
    'import torch',
    'from torch import nn',
    '',
    `MODEL_FILE = ${pyString(plan.modelName)}`,
    '# The .cnn text, recorded in the ConvLab checkpoints train.py writes.',
    `MODEL_TEXT = ${pyString(plan.modelText)}`,
    `INPUT_SHAPE = (${plan.input.join(', ')})  # C, H, W of one example`,
    `CLASSES = ${plan.classes}`,
    `LOSS = ${pyString(plan.spec.loss.kind)}`,
    '# Training folds the final softmax into the cross-entropy (F.cross_entropy on the logits), as ConvLab does.',
    `SOFTMAX_FUSED = ${plan.softmaxFused ? 'True' : 'False'}`,
    `PARAMETERS = ${plan.parameterCount}`,
    '',
    '',
    'class Model(nn.Module):',
    `    """${plan.modelName}: input ${plan.input.join('x')}, ${plan.classes} outputs; self.layers[i] is ConvLab's layer i."""`,
    '',
    '    def __init__(self):',
    '        super().__init__()',
    '        self.layers = nn.Sequential(',
    ...layerLines,
    '        )',
    '        self.reset_parameters()',
    '',
    '    def reset_parameters(self):',
    '        """ConvLab\'s rule: weights He normal when a relu follows the layer, else Xavier normal; biases 0."""',
    ...(inits.length > 0 ? inits : ['        pass']),
    '',
    '    def forward(self, x, logits=False):',
    `        """Outputs of a batch N x ${plan.input.join(' x ')}: ${plan.spec.loss.kind === 'mse' ? 'the last layer\'s values' : 'class scores'}, one row per example.`,
    '        logits=True stops before a fused softmax (what the training loss takes)."""',
    '        layers = self.layers[:-1] if logits and SOFTMAX_FUSED else self.layers',
    '        return layers(x).flatten(1)',
    '',
    '',
    WEIGHT_IO,
  ].join('\n');
}
