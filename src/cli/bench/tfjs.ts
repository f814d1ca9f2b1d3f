// The TensorFlow.js contestants: @tensorflow/tfjs (tfjs-core and its gradients) on the cpu (plain
// JavaScript), wasm (XNNPACK, SIMD, one thread) and webgpu backends. The packages are devDependencies,
// loaded at run time (so no bundle carries them); where they are missing the contestant is skipped.

import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { errorMessage, type Dataset } from '../../engine';
import { createNodeWebGpuBackend } from '../../engine/node';
import type { Contestant, ContestantName, ContestantRun } from './contestant';
import { spreadOf } from './measure';
import { measureTfjs, type Tf } from './tfjs-model';
import { registerWasmFilterGradientShim, WASM_SHIM_NOTE } from './tfjs-wasm-shim';
import type { PeerWorkload, RoundPlan } from './workloads';

// A require esbuild leaves alone: resolved from the running bundle's folder, at run time.
const runtimeRequire = createRequire(__filename);

function loadTf(): Tf {
  try {
    // The umbrella package, not tfjs-core alone: only its Node bundle registers the gradients.
    return runtimeRequire('@tensorflow/tfjs') as Tf;
  } catch (e) {
    throw new Error(`@tensorflow/tfjs could not be loaded (a devDependency: npm install in the ConvLab repository): ${errorMessage(e)}`);
  }
}

/** Dawn's GPU as navigator.gpu, after ConvLab's own WebGPU start-up set the Vulkan driver and WebGPU globals. */
async function provideNavigatorGpu(): Promise<void> {
  if ((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) return;
  (await createNodeWebGpuBackend()).destroy();
  const gpu = (runtimeRequire('webgpu') as { create(flags: string[]): GPU }).create([]);
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
}

interface TfjsSetup {
  readonly name: ContestantName;
  readonly backend: 'cpu' | 'wasm' | 'webgpu';
  readonly prepare: (tf: Tf) => Promise<string | undefined>;
}

const SETUPS: readonly TfjsSetup[] = [
  { name: 'tfjs-cpu', backend: 'cpu', prepare: async () => { runtimeRequire('@tensorflow/tfjs-backend-cpu'); return undefined; } },
  {
    name: 'tfjs-wasm', backend: 'wasm',
    prepare: async (tf) => {
      const wasm = runtimeRequire('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string): void };
      wasm.setWasmPaths(`${dirname(runtimeRequire.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
      // One thread, as ConvLab's CPU engine; SIMD on.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
      registerWasmFilterGradientShim(tf);
      return `SIMD, 1 thread; ${WASM_SHIM_NOTE}`;
    },
  },
  {
    name: 'tfjs-webgpu', backend: 'webgpu',
    prepare: async () => {
      await provideNavigatorGpu();
      runtimeRequire('@tensorflow/tfjs-backend-webgpu');
      return 'on the same Dawn adapter as convlab-webgpu';
    },
  },
];

function tfjsContestant(setup: TfjsSetup): Contestant {
  return {
    name: setup.name,
    async measure(w: PeerWorkload, data: Dataset, plan: RoundPlan): Promise<ContestantRun> {
      const tf = loadTf();
      const note = await setup.prepare(tf);
      if (!(await tf.setBackend(setup.backend))) throw new Error(`tfjs could not start its ${setup.backend} backend`);
      await tf.ready();
      const run = await measureTfjs(tf, w, data, plan);
      return {
        measurements: [
          { contestant: setup.name, workload: w.name, metric: 'train_images_per_s', spread: spreadOf(run.train) },
          { contestant: setup.name, workload: w.name, metric: 'infer_images_per_s', spread: spreadOf(run.infer) },
        ],
        loss: run.loss,
        note: [`tfjs ${tf.version_core}`, note].filter(Boolean).join(', '),
      };
    },
  };
}

export const [tfjsCpu, tfjsWasm, tfjsWebGpu] = SETUPS.map(tfjsContestant);

