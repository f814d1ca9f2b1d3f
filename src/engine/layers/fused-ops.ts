// Products with a fused epilogue, on any backend: one kernel where the backend offers the fused
// form (webgpu), else the same separate calls as before (cpu), so results agree within rounding.

import type { Activation, Backend, ConvGeometry, FusedActivation, Tensor } from '../backend';

/** y (m × n) = W·x + bias[row]; with `activation`, also activation.out = f(y). */
export function linearForward(backend: Backend, w: Tensor, x: Tensor, bias: Tensor | null, y: Tensor,
  m: number, n: number, k: number, activation: FusedActivation | null): void {
  if (backend.linearForward) {
    backend.linearForward(w, x, bias, y, m, n, k, activation);
    return;
  }
  backend.gemm(w, x, y, m, n, k);
  if (bias) backend.addBias(y, bias, m, n);
  if (activation) backend.activationForward(activation.kind, y, activation.out, m * n);
}

/** convForward, then activation.out = f(y). */
export function convForwardActivated(backend: Backend, g: ConvGeometry, x: Tensor, w: Tensor, bias: Tensor | null, y: Tensor,
  activation: FusedActivation): void {
  if (backend.convForwardActivated) {
    backend.convForwardActivated(g, x, w, bias, y, activation);
    return;
  }
  backend.convForward(g, x, w, bias, y);
  backend.activationForward(activation.kind, y, activation.out, g.m * g.n * g.oh * g.ow);
}

/** dw (m × k) = dy·xᵀ (dy m × n, x k × n) and, with dbias, its row sums of dy. Overwrites both. */
export function linearBackwardFilter(backend: Backend, dy: Tensor, x: Tensor, dw: Tensor, dbias: Tensor | null,
  m: number, n: number, k: number): void {
  if (backend.linearBackwardFilter) {
    backend.linearBackwardFilter(dy, x, dw, dbias, m, n, k);
    return;
  }
  backend.gemm(dy, x, dw, m, k, n, { transB: true });
  if (dbias) backend.biasGrad(dy, dbias, m, n);
}

/** What a backward product needs to apply the preceding activation's derivative itself. */
export interface BackwardGate {
  readonly kind: Activation;
  /** The activation's output (this layer's input x). */
  readonly y: Tensor;
  /** Room for the ungated product where the backend cannot fuse (the network's ∂ξ/∂x tensor). */
  readonly scratch: Tensor;
}

/** dx (k × n) = Wᵀ·dy (W m × k); with `gate`, dx = (Wᵀ·dy) ⊙ f'(gate.y). */
export function linearBackwardData(backend: Backend, w: Tensor, dy: Tensor, dx: Tensor, m: number, n: number, k: number,
  gate: BackwardGate | null): void {
  if (backend.linearBackwardData) {
    backend.linearBackwardData(w, dy, dx, m, n, k, gate && { kind: gate.kind, out: gate.y });
    return;
  }
  if (!gate) {
    backend.gemm(w, dy, dx, k, n, m, { transA: true });
    return;
  }
  backend.gemm(w, dy, gate.scratch, k, n, m, { transA: true });
  backend.activationBackward(gate.kind, gate.y, gate.scratch, dx, k * n);
}
