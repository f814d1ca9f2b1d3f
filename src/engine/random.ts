// Seeded randomness shared by both backends, so the same model, seed and data give the same
// training curve on cpu and webgpu: initial weights and shuffles come from one host-side PRNG,
// and dropout masks from a stateless integer hash that WGSL computes bit-for-bit the same way.

/** Chris Wellons' "lowbias32" integer hash; shaders/dropout.wgsl implements the same steps. */
export function lowbias32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x;
}

/** Hash that decides dropout for element i: lowbias32(i ^ lowbias32(seed)), a u32. */
export function dropoutHash(seed: number, i: number): number {
  return lowbias32((i ^ lowbias32(seed >>> 0)) >>> 0);
}

/** Element i is kept iff dropoutHash(seed, i) >= dropoutThreshold(p). */
export function dropoutThreshold(p: number): number {
  return Math.min(0xffffffff, Math.max(0, Math.floor(p * 4294967296)));
}

/** Small, fast, seedable PRNG (mulberry32) for weights and shuffles. */
export class Rng {
  private state: number;
  constructor(seed: number) { this.state = lowbias32(seed >>> 0) || 0x9e3779b9; }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Integer in [0, n). */
  int(n: number): number { return Math.floor(this.next() * n); }

  /** Fisher–Yates shuffle in place. */
  shuffle<T extends { [i: number]: unknown; length: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]; a[i] = a[j]; a[j] = t;
    }
    return a;
  }
}
