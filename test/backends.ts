// Engine tests on every backend. forEachBackend(title, body) defines one mocha suite per backend,
// `title [cpu]` always and `title [webgpu]` on Dawn (the `webgpu` npm package, on SwiftShader where
// there is no GPU), and hands `body` that backend: its name, a factory and how exactly it repeats.
//
// When WebGPU must be there: CONVLAB_REQUIRE_WEBGPU=1, or VK_ICD_FILENAMES naming an existing file
// (scripts/test.sh points it at SwiftShader's). Then a WebGPU that cannot start fails the suite's
// `before all` hook with the reason. Anywhere else (a laptop without Vulkan) the webgpu suite is
// marked pending and the reason is logged, so it is visibly not run, never silently passed.
//
// Each webgpu suite gets a fresh device, destroyed after the suite: the backend keeps the first
// validation error and throws it at every later call, so a broken test takes down its own suite
// only. The tests of one suite share the device, because compiling the pipelines for even a tiny
// model takes seconds on SwiftShader.

import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import type { Backend, BackendName } from '../src/engine/backend';
import { CpuBackend } from '../src/engine/cpu/backend';
import { errorMessage } from '../src/engine/errors';
import type { WebGpuBackend } from '../src/engine/webgpu/backend';
import { createNodeWebGpuBackend } from '../src/engine/webgpu/node-gpu';
import { assertNear } from './gpu/twins';

export interface BackendUnderTest {
  readonly name: BackendName;
  /**
   * A backend for one trainer, runner or check. cpu: a new CpuBackend (f32) each call. webgpu: the
   * suite's device; destroy() leaves it to the end of the suite, so a runner that destroys its
   * backend does not take the device from the tests after it.
   */
  create(): Backend;
}

/**
 * Two runs that must agree (the same seed twice, a resumed run and an uninterrupted one): bit for
 * bit on the cpu; on webgpu within a few f32 ulps, since WebGPU promises no bit-exact repeatability.
 */
export const WEBGPU_REPEAT_RTOL = 1e-6;

export function assertSameRun(b: BackendUnderTest, actual: readonly number[], expected: readonly number[], what: string): void {
  if (b.name === 'cpu') assert.deepEqual(actual, expected, what);
  else assertNear(actual, expected, what, WEBGPU_REPEAT_RTOL);
}

/** Whether a missing WebGPU is a failure here (see the top of this file). */
export function webGpuRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.CONVLAB_REQUIRE_WEBGPU === '1') return true;
  return (env.VK_ICD_FILENAMES ?? '').split(delimiter).some((file) => file !== '' && existsSync(file));
}

/**
 * Registers hooks on the enclosing describe that create a WebGPU backend on a fresh device before
 * its tests and destroy it after them; the returned function gives that backend.
 */
export function suiteWebGpu(): () => WebGpuBackend {
  let backend: WebGpuBackend | null = null;
  before(async function () {
    try {
      backend = await createNodeWebGpuBackend();
    } catch (e) {
      if (webGpuRequired()) {
        throw new Error(`WebGPU is required here (CONVLAB_REQUIRE_WEBGPU=1 or VK_ICD_FILENAMES names a Vulkan driver) ` +
          `but could not start: ${errorMessage(e)}`, { cause: e });
      }
      console.log(`      webgpu suite not run: ${errorMessage(e)}`);
      this.skip();
    }
  });
  after(() => {
    backend?.destroy();
    backend = null;
  });
  return () => {
    if (!backend) throw new Error('the suite\'s webgpu backend exists only while its tests run');
    return backend;
  };
}

/** The suite's backend with a destroy() that leaves the device to the suite's own `after` hook. */
function sharedView(backend: WebGpuBackend): Backend {
  return new Proxy(backend, {
    get(target, key) {
      if (key === 'destroy') return () => {};
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export function forEachBackend(title: string, body: (backend: BackendUnderTest) => void): void {
  describe(`${title} [cpu]`, () => {
    body({ name: 'cpu', create: () => new CpuBackend() });
  });
  describe(`${title} [webgpu]`, () => {
    const gpu = suiteWebGpu();
    body({ name: 'webgpu', create: () => sharedView(gpu()) });
  });
}
