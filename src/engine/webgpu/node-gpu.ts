// Node only: WebGPU through the `webgpu` npm package (Dawn). Loaded lazily so nothing pays for
// Dawn unless it is used. On machines without a GPU, Dawn runs on SwiftShader's Vulkan driver,
// which Debian ships inside the chromium package.

import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createWebGpuBackend, type WebGpuBackend, type WebGpuBackendOptions } from './backend';
import { errorMessage, NoWebGpuError } from './errors';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const INSTALL_HINT = 'On Debian/Ubuntu without a GPU driver: apt-get install chromium libvulkan1 ' +
  `(Dawn then runs on SwiftShader via VK_ICD_FILENAMES=${SWIFTSHADER_ICD}).`;

let gpu: GPU | undefined;

/** The process-wide Dawn GPU object (created on first use). */
export function getNodeGpu(): GPU {
  if (gpu) return gpu;
  // The Vulkan loader reads these when Dawn initialises, so they must be set before create().
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  process.env.XDG_RUNTIME_DIR ??= tmpdir();
  let dawn: { create(flags: string[]): GPU; globals: object };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    dawn = require('webgpu');
  } catch (e) {
    throw new NoWebGpuError('no-runtime', `the 'webgpu' package (Dawn for Node) could not be loaded: ${errorMessage(e)}`,
      { cause: e });
  }
  Object.assign(globalThis, dawn.globals);
  gpu = dawn.create([]);
  return gpu;
}

/** A WebGPU backend on Dawn; NoWebGpuError explains what to install when no adapter is found. */
export async function createNodeWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  try {
    return await createWebGpuBackend(getNodeGpu(), options);
  } catch (e) {
    if (e instanceof NoWebGpuError && e.reason === 'no-adapter') {
      throw new NoWebGpuError('no-adapter', `${e.message}. ${INSTALL_HINT}`, { cause: e });
    }
    throw e;
  }
}
