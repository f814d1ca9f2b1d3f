// `convlab export FILE --to pytorch|onnx [--weights CKPT] [--out PATH]`: the model for PyTorch (a
// folder with model.py, train.py, README.md, the weights and the built-in data when the model uses
// it) or as an ONNX file. Weights come from a checkpoint that must fit the model, or, for ONNX
// without one, are the model's own initial weights (its seed, on the CPU).

import { basename, dirname, extname, join, resolve } from 'node:path';
import { ExportError, exportOnnxFile, exportPytorchFolder } from '../export/files';
import { defineCommand, UsageError, type Io } from './args';
import { CliFailure, reportingFailures } from './failure';
import { analyzeFile, displayPath, MODEL_FILE } from './model-file';

const TARGETS = ['pytorch', 'onnx'] as const;
type Target = typeof TARGETS[number];

export const exportCommand = defineCommand({
  name: 'export',
  summary: 'Export a model to PyTorch (model.py, train.py for torchrun) or ONNX.',
  details: [
    '--to pytorch writes a folder (default <model>-pytorch beside the model): model.py (a torch.nn.Module with ConvLab\'s',
    'tensor names), train.py (the model\'s train settings; `python train.py` or `torchrun --nproc_per_node=N train.py`),',
    'README.md, weights.safetensors with --weights, and data/mnist/ when the model trains on the built-in MNIST.',
    '--to onnx writes one file (default <model>.onnx): the network in evaluation mode, opset 13; without --weights it',
    'holds the model\'s initial weights (its seed).',
    'A checkpoint that does not fit the model, or a layer or setting with no exact counterpart, is refused with its name and line.',
  ].join('\n'),
  positionals: [MODEL_FILE],
  flags: [
    { name: 'to', type: 'string', value: 'FORMAT', description: 'pytorch or onnx' },
    { name: 'weights', type: 'string', value: 'CKPT', description: 'a checkpoint of this model (from train --save or --checkpoint)' },
    { name: 'out', type: 'string', value: 'PATH', description: 'the folder (pytorch) or file (onnx) to write' },
  ],
  run({ positionals, flags }, io) {
    return reportingFailures('export', io, () => exportModel(positionals[0], { to: parseTarget(flags.to), weights: flags.weights, out: flags.out }, io));
  },
});

function parseTarget(to: string | undefined): Target {
  if (to === undefined) throw new UsageError('say what to export to: --to pytorch or --to onnx');
  if (!(TARGETS as readonly string[]).includes(to)) throw new UsageError(`--to must be pytorch or onnx, not '${to}'`);
  return to as Target;
}

interface ExportOptions {
  readonly to: Target;
  readonly weights?: string;
  readonly out?: string;
}

async function exportModel(file: string, options: ExportOptions, io: Io): Promise<number> {
  const { text, analysis } = analyzeFile(file, io, 'export');
  const modelPath = resolve(io.cwd, file);
  const stem = basename(modelPath, extname(modelPath));
  const request = { analysis, text, modelPath, ...(options.weights ? { weightsPath: resolve(io.cwd, options.weights) } : {}) };
  try {
    if (options.to === 'onnx') {
      const target = resolve(io.cwd, options.out ?? join(dirname(modelPath), `${stem}.onnx`));
      await exportOnnxFile(request, target);
      io.stdout(`exported ${displayPath(file, io.cwd)} to ${displayPath(target, io.cwd)} (ONNX, ${options.weights ? `weights of ${options.weights}` : 'initial weights'})\n`);
      return 0;
    }
    const folder = resolve(io.cwd, options.out ?? join(dirname(modelPath), `${stem}-pytorch`));
    const result = await exportPytorchFolder(request, folder);
    io.stdout(`exported ${displayPath(file, io.cwd)} to ${displayPath(folder, io.cwd)}: ${result.written.join(', ')} ` +
      `(${result.parameters.toLocaleString('en-US')} parameters)\n`);
    return 0;
  } catch (err) {
    if (err instanceof ExportError) throw new CliFailure(err.message);
    throw err;
  }
}
