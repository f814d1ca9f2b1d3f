// `convlab import MODEL.onnx [--out MODEL.cnn] [--force]`: a sequential ONNX CNN as a .cnn file and,
// beside it, `<model>.ckpt.safetensors` holding its weights (epoch 0, no optimizer state), so
// `convlab train MODEL.cnn --resume <model>.ckpt.safetensors` continues from them.

import { existsSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ExportError, importOnnxFile } from '../export/files';
import { defineCommand, type Io } from './args';
import { CliFailure, reportingFailures } from './failure';
import { displayPath } from './model-file';

export const importCommand = defineCommand({
  name: 'import',
  summary: 'Turn a sequential ONNX CNN into a .cnn file and a checkpoint of its weights.',
  details: [
    'Writes MODEL.cnn (default: the ONNX file\'s name with .cnn, beside it) and MODEL.ckpt.safetensors beside that;',
    '`convlab train MODEL.cnn --resume MODEL.ckpt.safetensors` trains on from the imported weights.',
    'Imports Conv, MaxPool, AveragePool, GlobalAveragePool, Relu, Sigmoid, Tanh, Flatten/Reshape, Gemm (or MatMul + Add),',
    'BatchNormalization, Dropout, Softmax, Identity and constants; any other node is refused with its index, name and why.',
    'Exit status: 0 imported, 1 the model cannot be imported or a file exists (without --force), 2 bad arguments or unreadable file.',
  ].join('\n'),
  positionals: [{ name: 'MODEL.onnx', description: 'the ONNX model to import' }],
  flags: [
    { name: 'out', type: 'string', value: 'MODEL.cnn', description: 'the .cnn file to write (its checkpoint goes beside it)' },
    { name: 'force', type: 'boolean', description: 'overwrite the .cnn file and checkpoint if they exist' },
  ],
  run({ positionals, flags }, io) {
    return reportingFailures('import', io, () => importModel(positionals[0], flags.out, flags.force ?? false, io));
  },
});

async function importModel(file: string, out: string | undefined, force: boolean, io: Io): Promise<number> {
  const source = resolve(io.cwd, file);
  if (!existsSync(source)) throw new CliFailure(`cannot read ${file}: no such file`, 2);
  const modelPath = resolve(io.cwd, out ?? join(dirname(source), `${basename(source, extname(source))}.cnn`));
  let result;
  try {
    result = await importOnnxFile(source, modelPath, { replace: force, shownSource: displayPath(source, io.cwd) });
  } catch (err) {
    if (!(err instanceof ExportError)) throw err;
    throw new CliFailure(/already exists?$/.test(err.message) ? `${err.message}; pass --force to overwrite` : err.message);
  }
  const { checkpointPath } = result;
  io.stdout(`imported ${displayPath(source, io.cwd)}: ${result.layers} layers to ${displayPath(modelPath, io.cwd)}, weights to ${displayPath(checkpointPath, io.cwd)}\n` +
    `train on with: convlab train ${displayPath(modelPath, io.cwd)} --resume ${displayPath(checkpointPath, io.cwd)}\n`);
  return 0;
}
