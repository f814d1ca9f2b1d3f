// Drives an EngineRunner as the panel does, for the runner suites: commands and requests in,
// events validated on receipt as the panel validates them, and a wait for whatever should happen
// next. The backend factory is the test's, so the same harness runs on every backend.

import type { Backend } from '../../../src/engine';
import type { DatasetPayload } from '../../../src/protocol';
import { Requester, type ParamsOf, type RequestType, type ResponseMessage, type ResultOf } from '../../../src/rpc';
import { parse } from '../../../src/schema';
import { engineEventSchema, type EngineNotification } from '../../../src/webview/engine-protocol';
import { EngineRunner, type BackendPurpose } from '../../../src/webview/engine-runner';

/** The runner suites' model: small enough that every event kind appears within a few steps. */
export const RUNNER_MODEL = `input 1x6x6
conv 2 kernel=3
relu
maxpool 2
flatten
dense 3
softmax
train epochs=2 batch=4 lr=0.1 momentum=0.9 seed=7
`;

/** Class k: a bright row k·2 (plus noise), so the net can learn it. */
export function syntheticDataset(train: number, test: number): DatasetPayload {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const split = (count: number) => {
    const images = new Uint8Array(count * 36), labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const k = i % 3;
      labels[i] = k;
      for (let p = 0; p < 36; p++) images[i * 36 + p] = Math.floor(rand() * 40) + (Math.floor(p / 6) === 2 * k ? 200 : 0);
    }
    return { count, images, labels };
  };
  return { name: 'synthetic', description: 'synthetic', shape: [1, 6, 6], classes: 3, classNames: ['top', 'middle', 'bottom'], train: split(train), test: split(test) };
}

export class RunnerHarness {
  readonly events: EngineNotification[] = [];
  readonly responses: ResponseMessage[] = [];
  private waiters: (() => void)[] = [];
  private readonly requests = new Requester((request) => this.runner.receive(request));
  readonly runner: EngineRunner;

  constructor(createBackend: (purpose: BackendPurpose) => Backend) {
    this.runner = new EngineRunner((e) => {
      const event = parse(engineEventSchema, e, 'event');
      if (event.type === 'response') {
        this.responses.push(event);
        this.requests.receive(event);
      } else {
        this.events.push(event);
      }
      for (const w of this.waiters.splice(0)) w();
    }, async (purpose) => createBackend(purpose));
  }

  of<T extends EngineNotification['type']>(type: T): Extract<EngineNotification, { type: T }>[] {
    return this.events.filter((e): e is Extract<EngineNotification, { type: T }> => e.type === type);
  }

  request<T extends RequestType>(type: T, params: ParamsOf<T>): Promise<ResultOf<T>> {
    return this.requests.request(type, params);
  }

  trainEvents(type: string) {
    return this.of('train').map((e) => e.event).filter((e) => e.type === type);
  }

  /** Resolves once `pred` holds; rejects on a `failed` event or after `timeoutMs`. */
  async until(what: string, pred: () => boolean, timeoutMs = 20_000): Promise<void> {
    const start = Date.now();
    while (!pred()) {
      const failed = this.of('failed');
      if (failed.length > 0) throw new Error(`engine failed while waiting for ${what}: ${failed.map((f) => f.message).join('; ')}`);
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => { this.waiters.push(resolve); setTimeout(resolve, 50); });
    }
  }
}
