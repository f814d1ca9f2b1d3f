// What an export or an import writes, for the two places that do it: `convlab export|import` and
// the VS Code commands. Node only (files); the formats themselves are pure (onnx/, pytorch/).
// Every file is written atomically (temp + fsync + rename), so a failure never leaves half of one,
// and every problem that is the user's is an ExportError whose message says which file and why.

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { analyze, type Analysis } from '../lang';
import { CpuBackend, Network, type Checkpoint, type CheckpointTensor } from '../engine';
import { latestCheckpointPath, loadDataset, readCheckpointFile, writeCheckpointFile } from '../engine/node';
import { exportOnnx, importOnnx, OnnxImportError } from './onnx/index';
import { ExportError, exportPytorch, idxFolderFiles } from './pytorch/index';

export { ExportError } from './pytorch/index';

/** Creates or replaces `path` (and its folders) with `bytes`, atomically. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  let handle: FileHandle | undefined;
  try {
    await mkdir(dirname(path), { recursive: true });
    handle = await open(temp, 'wx', 0o644);
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw new ExportError(`cannot write ${path}: ${(e as Error).message}`);
  }
}

export interface ExportRequest {
  readonly analysis: Analysis;
  /** The model file's text (model.py quotes its lines) and path. */
  readonly text: string;
  readonly modelPath: string;
  /** A checkpoint of this model; it must fit (see fittingCheckpoint). */
  readonly weightsPath?: string;
}

export interface ExportResult {
  /** The folder (PyTorch) or file (ONNX) written. */
  readonly target: string;
  /** What was written, as a person would list it. */
  readonly written: readonly string[];
  readonly parameters: number;
  /** The weights came from a checkpoint (else: fresh, or the model's initial weights for ONNX). */
  readonly withWeights: boolean;
}

/** A folder with model.py, train.py, README.md, the weights and the built-in data when the model uses it. */
export async function exportPytorchFolder(request: ExportRequest, folder: string): Promise<ExportResult> {
  const checkpoint = request.weightsPath ? await fittingCheckpoint(request.weightsPath, request.analysis) : null;
  const exported = exportPytorch(request.analysis, request.text, { modelName: basename(request.modelPath), weights: checkpoint !== null });
  const written: string[] = [];
  for (const [name, content] of exported.files) {
    await writeFileAtomic(join(folder, name), new TextEncoder().encode(content));
    written.push(name);
  }
  if (checkpoint) {
    // Still a ConvLab checkpoint (the way back), and plain safetensors for model.py's reader.
    await writeCheckpointFile(join(folder, 'weights.safetensors'), { tensors: layerTensors(checkpoint), metadata: checkpoint.metadata });
    written.push('weights.safetensors');
  }
  if (exported.builtinMnistDir) {
    const mnist = await loadDataset({ kind: 'mnist' });
    for (const f of idxFolderFiles(mnist.shape, asBytes(mnist.train), asBytes(mnist.test))) {
      await writeFileAtomic(join(folder, exported.builtinMnistDir, `${f.name}.gz`), gzipSync(f.bytes));
    }
    written.push(`${exported.builtinMnistDir}/ (the built-in MNIST as IDX)`);
  }
  return { target: folder, written, parameters: exported.plan.parameterCount, withWeights: checkpoint !== null };
}

/** The network in evaluation mode as one ONNX file; without a checkpoint, with the model's initial weights. */
export async function exportOnnxFile(request: ExportRequest, target: string): Promise<ExportResult> {
  const checkpoint = request.weightsPath ? await fittingCheckpoint(request.weightsPath, request.analysis) : null;
  const weights = checkpoint ? layerTensors(checkpoint) : await initialWeights(request.analysis);
  await writeFileAtomic(target, exportOnnx(request.analysis.spec, weights));
  return { target, written: [basename(target)], parameters: request.analysis.totalParams, withWeights: checkpoint !== null };
}

export interface ImportResult {
  readonly modelPath: string;
  readonly checkpointPath: string;
  readonly layers: number;
}

/**
 * An ONNX CNN as `modelPath` (.cnn) and, beside it, its latest-checkpoint file holding the weights
 * (epoch 0, no optimizer state), so training resumes from them. Refuses to replace existing files
 * unless `replace`; on a refusal nothing is written.
 */
export async function importOnnxFile(source: string, modelPath: string, options: { readonly replace: boolean; readonly shownSource?: string }): Promise<ImportResult> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(source);
  } catch (err) {
    throw new ExportError(`cannot read ${options.shownSource ?? source}: ${(err as Error).message}`);
  }
  const checkpointPath = latestCheckpointPath(modelPath);
  const existing = [modelPath, checkpointPath].filter((p) => existsSync(p));
  if (existing.length > 0 && !options.replace) {
    throw new ExportError(`${existing.map((p) => basename(p)).join(' and ')} already exist${existing.length === 1 ? 's' : ''}`);
  }
  let imported;
  try {
    imported = importOnnx(bytes, options.shownSource ?? basename(source));
  } catch (err) {
    if (err instanceof OnnxImportError) throw new ExportError(err.message);
    throw err;
  }
  // The checkpoint first: a .cnn without its weights would look imported when it is not.
  await mkdir(dirname(modelPath), { recursive: true }).catch((e: Error) => {
    throw new ExportError(`cannot create the folder of ${modelPath}: ${e.message}`);
  });
  await writeCheckpointFile(checkpointPath, startingCheckpoint(imported.text, imported.weights));
  await writeFileAtomic(modelPath, new TextEncoder().encode(imported.text));
  return { modelPath, checkpointPath, layers: analyze(imported.text).spec.layers.length };
}

/** Weights only, at epoch 0 and step 0, with the text's train settings: what a resume starts from. */
function startingCheckpoint(text: string, weights: ReadonlyMap<string, CheckpointTensor>): Checkpoint {
  const train = analyze(text).spec.train;
  return {
    tensors: weights,
    metadata: {
      modelText: text, seed: train.seed, epoch: 0, step: 0, backend: 'cpu', created: new Date().toISOString(), data: train.data,
      optimizer: { kind: train.optimizer, lr: train.lr, momentum: train.momentum, decay: train.decay, weightDecay: train.weightDecay },
    },
  };
}

function asBytes(split: { count: number; images: Uint8Array | Float32Array; labels: Uint8Array }) {
  if (!(split.images instanceof Uint8Array)) throw new Error('the built-in MNIST is expected as bytes');
  return { count: split.count, images: split.images, labels: split.labels };
}

/** Weights and batch-norm statistics (`layers.*`), without the optimizer's state (`optim.*`). */
function layerTensors(checkpoint: Checkpoint): Map<string, CheckpointTensor> {
  return new Map([...checkpoint.tensors].filter(([name]) => !name.startsWith('optim.')));
}

/** The model's network on the CPU with its seed: what training starts from. */
function modelNetwork(analysis: Analysis): Network {
  return new Network(new CpuBackend(), analysis.spec, { maxBatch: 1 });
}

function expectedShapes(network: Network): Map<string, readonly number[]> {
  return new Map<string, readonly number[]>([
    ...network.parameters.map((p) => [p.name, p.shape] as const), ...network.buffers.map((b) => [b.name, [b.length]] as const)]);
}

async function initialWeights(analysis: Analysis): Promise<Map<string, CheckpointTensor>> {
  const network = modelNetwork(analysis);
  try {
    const shapes = expectedShapes(network);
    const state = await network.readState();
    return new Map([...state].map(([name, data]) => [name, { shape: shapes.get(name)!, data }]));
  } finally {
    network.dispose();
  }
}

/** The checkpoint, when every tensor the model needs is there with its shape and nothing else of a layer is. */
async function fittingCheckpoint(path: string, analysis: Analysis): Promise<Checkpoint> {
  const checkpoint = await readCheckpointFile(path);
  const network = modelNetwork(analysis);
  try {
    const expected = expectedShapes(network);
    const shape = (s: readonly number[]) => `[${s.join(', ')}]`;
    const problems: string[] = [];
    for (const [name, want] of expected) {
      const found = checkpoint.tensors.get(name);
      if (!found) problems.push(`${name}: missing (expected ${shape(want)})`);
      else if (shape(found.shape) !== shape(want)) problems.push(`${name}: expected ${shape(want)}, found ${shape(found.shape)}`);
    }
    for (const [name, t] of checkpoint.tensors) {
      if (!name.startsWith('optim.') && !expected.has(name)) problems.push(`${name}: not in this model (found ${shape(t.shape)})`);
    }
    if (problems.length > 0) {
      throw new ExportError(`${basename(path)} does not fit this model (was it saved from a different one?); ${problems.length} tensor(s) differ:\n` +
        problems.map((p) => `  ${p}`).join('\n'));
    }
    network.writeState(new Map([...checkpoint.tensors].map(([name, t]) => [name, t.data])));  // the engine's own length checks
    return checkpoint;
  } finally {
    network.dispose();
  }
}
