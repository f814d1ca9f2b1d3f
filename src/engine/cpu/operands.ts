// The CPU backend's operand checks: every call resolves its tensors here, so a wrong call fails with
// a message naming the op and the operand instead of reading past the end of a typed array.

import type { FloatArray, Tensor, BatchNormTensors } from '../backend';
import type { BatchNormArrays } from './batchnorm';
import { checkLabels } from './checks';
import { CpuTensor } from './tensors';

export class CpuOperands {
  /**
   * One per backend, and the owner of its tensors: a tensor belongs to the backend whose operands
   * made it, however the backend object is reached (a Proxy around it included).
   */
  constructor(private readonly isDestroyed: () => boolean) {}

  checkAlive(op: string): void {
    if (this.isDestroyed()) throw new Error(`CpuBackend.${op}: the backend was destroyed`);
  }

  tensor(op: string, name: string, t: Tensor): CpuTensor {
    this.checkAlive(op);
    if (!(t instanceof CpuTensor) || t.owner !== this) {
      throw new TypeError(`CpuBackend.${op}: ${name} is not a tensor of this backend`);
    }
    if (t.disposed) throw new Error(`CpuBackend.${op}: ${name} was disposed`);
    return t;
  }

  /** The f32 tensor's storage, after checking it holds at least `need` elements. */
  floats(op: string, name: string, t: Tensor, need: number): FloatArray {
    const tensor = this.tensor(op, name, t);
    if (tensor.dtype !== 'f32') throw new TypeError(`CpuBackend.${op}: ${name} must be an f32 tensor (zeros), not u32`);
    if (tensor.length < need) {
      throw new RangeError(`CpuBackend.${op}: ${name} has ${tensor.length} elements but the call needs ${need}`);
    }
    return tensor.data as FloatArray;
  }

  /** Byte offset of a tensor already checked by floats() (wasm-kernel backends only). */
  ptr(t: Tensor): number {
    return (t as CpuTensor).storage.ptr;
  }

  uints(op: string, name: string, t: Tensor, need: number): Uint32Array {
    const tensor = this.tensor(op, name, t);
    if (tensor.dtype !== 'u32') throw new TypeError(`CpuBackend.${op}: ${name} must be a u32 tensor (indices), not f32`);
    if (tensor.length < need) {
      throw new RangeError(`CpuBackend.${op}: ${name} has ${tensor.length} elements but the call needs ${need}`);
    }
    return tensor.data as Uint32Array;
  }

  labels(op: string, t: Tensor, n: number, classes: number): Uint32Array {
    const labels = this.uints(op, 'labels', t, n);
    checkLabels(op, labels, n, classes);
    return labels;
  }

  batchNormArrays(op: string, t: BatchNormTensors, rows: number): BatchNormArrays {
    return {
      gamma: this.floats(op, 'gamma', t.gamma, rows), beta: this.floats(op, 'beta', t.beta, rows),
      runningMean: this.floats(op, 'runningMean', t.runningMean, rows),
      runningVar: this.floats(op, 'runningVar', t.runningVar, rows),
      saveMean: this.floats(op, 'saveMean', t.saveMean, rows), saveInvStd: this.floats(op, 'saveInvStd', t.saveInvStd, rows),
    };
  }
}
