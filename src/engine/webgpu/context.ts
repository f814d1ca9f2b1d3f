// What the op modules (gemm.ts, conv.ts) need to record work.

import type { KernelChoiceSource } from './autotune/chooser';
import type { CommandRecorder } from './recorder';

export interface EncodeContext {
  readonly recorder: CommandRecorder;
  /** Bound where a kernel's optional read-only buffer (bias) is absent. */
  readonly unusedInput: GPUBuffer;
  /** Bound where a kernel's optional writable buffer (dlogits, split-K partials) is absent. */
  readonly unusedOutput: GPUBuffer;
  /** Bound where a second optional writable buffer (a fused activation's output) is absent. */
  readonly unusedAux: GPUBuffer;
  /** Measured kernel choices for this adapter (autotune/); where it has none, kernel-select.ts's rules choose. */
  readonly choices?: KernelChoiceSource;
}
