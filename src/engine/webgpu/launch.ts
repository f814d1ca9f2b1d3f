// What the op families (*-ops.ts) record with, and the three launch shapes of the catalogue's simple
// kernels: one invocation per element, one workgroup per row, one workgroup for the whole call.

import type { EncodeContext } from './context';
import { kernel, LINEAR_WORKGROUP, type SimpleKernelName } from './kernels';
import type { BufferSlice } from './gpu-tensor';
import { linearGrid } from './recorder';

export interface OpContext extends EncodeContext {
  /** Throws when the device is destroyed, lost or has reported an error (DeviceHealth.check). */
  readonly checkUsable: () => void;
}

/** One invocation per element of a 1-D range. */
export function launchLinear(ctx: OpContext, name: SimpleKernelName, count: number, buffers: BufferSlice[],
  params: Record<string, number>): void {
  ctx.checkUsable();
  ctx.recorder.dispatch(kernel(name), buffers, params, linearGrid(count, LINEAR_WORKGROUP));
}

/** One workgroup per row. */
export function launchRowwise(ctx: OpContext, name: SimpleKernelName, rows: number, buffers: BufferSlice[],
  params: Record<string, number>): void {
  ctx.checkUsable();
  ctx.recorder.dispatch(kernel(name), buffers, params, linearGrid(rows, 1));
}

/** One workgroup for the whole call (losses that reduce into the metrics). */
export function launchSingleWorkgroup(ctx: OpContext, name: SimpleKernelName, buffers: BufferSlice[],
  params: Record<string, number>): void {
  ctx.checkUsable();
  ctx.recorder.dispatch(kernel(name), buffers, params, [1]);
}
