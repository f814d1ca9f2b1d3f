// Whether the device can still be trusted. WebGPU reports validation errors and device loss
// asynchronously, away from the call that caused them; this remembers the first of each so the
// backend can throw it on the caller's side at its next call or read.

import { NoWebGpuError, WebGpuError } from './errors';

export class DeviceHealth {
  private firstError: string | null = null;
  private lostMessage: string | null = null;
  private destroyed = false;

  constructor(device: GPUDevice) {
    device.addEventListener('uncapturederror', (e) => this.report((e as GPUUncapturedErrorEvent).error.message));
    void device.lost.then((info) => {
      if (!this.destroyed) this.lostMessage = `the GPU device was lost (${info.reason}): ${info.message}`;
    });
  }

  get isDestroyed(): boolean { return this.destroyed; }

  /** Keeps the first error only: later ones are usually its consequences. */
  report(message: string): void { this.firstError ??= message; }

  /** The device is being destroyed on purpose, so its `lost` promise is no failure. */
  markDestroyed(): void { this.destroyed = true; }

  /** Surfaces a lost device or the first validation error as an exception on the caller's side. */
  check(): void {
    if (this.destroyed) throw new WebGpuError('the webgpu backend was destroyed');
    if (this.lostMessage) throw new NoWebGpuError('device-lost', this.lostMessage);
    if (this.firstError) throw new WebGpuError(`WebGPU reported an error: ${this.firstError}`);
  }
}
