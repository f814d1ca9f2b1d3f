// Times a decision's candidates on the device: the decision's own shapes, replayed on zeroed scratch
// buffers of the same sizes (never the network's tensors, so tuning changes no values), each
// candidate's pipelines built asynchronously first.

import type { ConvGeometry } from '../../backend';
import type { EncodeContext } from '../context';
import { encodeConvBackwardData, encodeConvBackwardFilter, encodeConvForward } from '../conv';
import { encodeGemm, type GemmCall } from '../gemm';
import type { BufferSlice } from '../gpu-tensor';
import { BufferUsage } from '../gpu-constants';
import type { ConvAlgorithm } from '../kernel-select';
import type { Candidate } from './candidates';
import type { ConvDecision, Decision, GemmDecision } from './decisions';
import type { CandidateTimer } from './tuner';
import type { TimestampStopwatch } from './timestamp-stopwatch';

export class GpuCandidateTimer implements CandidateTimer {
  private readonly scratch = new Map<string, GPUBuffer>();

  constructor(private readonly ctx: EncodeContext, private readonly device: GPUDevice, private readonly stopwatch: TimestampStopwatch) {}

  async time(decision: Decision, candidate: Candidate, repeats: number): Promise<number[]> {
    const record = () => this.launch(decision, candidate);
    await this.ctx.recorder.compileFor(record);
    return this.stopwatch.time(record, repeats);
  }

  /** Frees the scratch buffers (after the work recorded with them is submitted). */
  release(): void {
    for (const b of this.scratch.values()) this.ctx.recorder.retire(b);
    this.scratch.clear();
  }

  private launch(d: Decision, c: Candidate): void {
    if (d.kind === 'gemm' && c.kind === 'gemm') encodeGemm(this.ctx, { ...this.scratchCall(d), tile: c.tile, splitK: c.splitK });
    else if (d.kind === 'conv' && c.kind === 'conv') this.launchConv(d, c.algorithm);
    else throw new TypeError(`autotune: a ${c.kind} candidate for a ${d.kind} decision`);
  }

  /** The recorded call with every buffer replaced by scratch of the same size. */
  private scratchCall(d: GemmDecision): GemmCall {
    const call = d.call;
    const like = (role: string, s: BufferSlice | null | undefined) => (s ? this.buffer(role, sliceBytes(s)) : s);
    return {
      ...call, a: this.buffer('a', sliceBytes(call.a)), b: this.buffer('b', sliceBytes(call.b)), c: this.buffer('c', sliceBytes(call.c)),
      bias: like('bias', call.bias), rowSums: like('rowSums', call.rowSums),
      activation: call.activation && { kind: call.activation.kind, out: this.buffer('aux', sliceBytes(call.activation.out)) },
      gate: call.gate && { kind: call.gate.kind, out: this.buffer('aux', sliceBytes(call.gate.out)) },
    };
  }

  private launchConv(d: ConvDecision, algorithm: ConvAlgorithm): void {
    const g = d.g;
    const x = this.buffer('x', 4 * g.c * g.n * g.h * g.w), w = this.buffer('w', 4 * g.m * g.c * g.kh * g.kw);
    const y = this.buffer('y', 4 * outputs(g)), bias = d.hasBias ? this.buffer('bias', 4 * g.m) : null;
    switch (d.pass) {
      case 'forward':
        encodeConvForward(this.ctx, algorithm, g, x, w, bias, y, d.activation && { kind: d.activation, out: this.buffer('aux', 4 * outputs(g)) });
        return;
      case 'dgrad':
        encodeConvBackwardData(this.ctx, algorithm, g, y, w, x);
        return;
      case 'wgrad':
        encodeConvBackwardFilter(this.ctx, algorithm, g, x, y, w, bias);
        return;
    }
  }

  /** A zeroed storage buffer per role and size, kept for the candidates of one decision. */
  private buffer(role: string, bytes: number): GPUBuffer {
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const key = `${role}:${size}`;
    let b = this.scratch.get(key);
    if (!b) {
      b = this.device.createBuffer({ label: `autotune ${role}`, size, usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST });
      this.scratch.set(key, b);
    }
    return b;
  }
}

/** Bytes a binding covers (a whole buffer or a view's range). */
function sliceBytes(s: BufferSlice): number { return s.size; }

function outputs(g: ConvGeometry): number { return g.m * g.n * g.oh * g.ow; }
