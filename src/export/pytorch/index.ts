// `convlab export --to pytorch`: the files of an exported folder, from an analysed model. Pure (no
// file system): the CLI writes what this returns, and adds the weights and the built-in data.

import type { Analysis } from '../../lang';
import { modelPy } from './model-py';
import { planTorchModel, type TorchPlan } from './plan';
import { exportReadme } from './readme';
import { BUILTIN_MNIST_DIR, trainPy } from './train-py';

export { ExportError, planTorchModel, type TorchPlan } from './plan';
export { BUILTIN_MNIST_DIR } from './train-py';
export { idxFolderFiles, type IdxSplit } from './idx-files';

export interface PytorchExportOptions {
  /** The .cnn file's name, for comments and messages. */
  readonly modelName: string;
  /** weights.safetensors will be written beside the files. */
  readonly weights: boolean;
}

export interface PytorchExport {
  readonly plan: TorchPlan;
  /** Relative path → text. */
  readonly files: ReadonlyMap<string, string>;
  /** The built-in MNIST must be written as IDX files into this folder (relative), or null. */
  readonly builtinMnistDir: string | null;
}

export function exportPytorch(analysis: Analysis, modelText: string, options: PytorchExportOptions): PytorchExport {
  const plan = planTorchModel(analysis, modelText, options.modelName);
  const { data, validation } = plan.spec.train;
  const builtinMnist = data.kind === 'mnist' || (typeof validation !== 'number' && validation.kind === 'mnist');
  const files = new Map<string, string>([
    ['model.py', modelPy(plan)],
    ['train.py', trainPy(plan)],
    ['README.md', exportReadme(plan, { weights: options.weights, builtinMnist })],
  ]);
  return { plan, files, builtinMnistDir: builtinMnist ? BUILTIN_MNIST_DIR : null };
}
