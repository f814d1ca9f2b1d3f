// Whether the device can still be trusted. WebGPU reports validation errors and device loss
// asynchronously, away from the call that caused them; this remembers the first of each so the
// backend can throw it on the caller's side at its next call or read.

import { NoWebGpuError, WebGpuError } from './errors';

export class DeviceHealth {
  private firstError: string | null = null;
  private lostMessage: string | null = null;
  private destroyed = false;
  /** Settles once the device's loss (if it comes) has been recorded. */
  private readonly lossRecorded: Promise<void>;

  constructor(device: GPUDevice) {
    device.addEventListener('uncapturederror', (e) => this.report((e as GPUUncapturedErrorEvent).error.message));
    this.lossRecorded = device.lost.then((info) => {
      if (this.destroyed) return;
      // The first error often says why (e.g. out of memory before the driver gave up).
      const before = this.firstError ? `; the first GPU error before it: ${this.firstError}` : '';
      this.lostMessage = `the GPU device was lost (${info.reason}): ${info.message || 'no details given'}${before}`;
    });
  }

  get isDestroyed(): boolean { return this.destroyed; }

  /** Keeps the first error only: later ones are usually its consequences. */
  report(message: string): void { this.firstError ??= message; }

  /** The device is being destroyed on purpose, so its `lost` promise is no failure. */
  markDestroyed(): void { this.destroyed = true; }

  /**
   * After a failed map: waits one macrotask for the device's `lost` promise, which may settle just
   * after the map's rejection, so check() names the loss rather than the failed read.
   */
  lossNoticed(): Promise<void> {
    return Promise.race([this.lossRecorded, new Promise<void>((resolve) => setTimeout(resolve, 0))]);
  }

  /** Surfaces a lost device or the first validation error as an exception on the caller's side. */
  check(): void {
    if (this.destroyed) throw new WebGpuError('the webgpu backend was destroyed');
    if (this.lostMessage) throw new NoWebGpuError('device-lost', this.lostMessage);
    if (this.firstError) throw new WebGpuError(`WebGPU reported an error: ${this.firstError}`);
  }
}
