// A compute kernel as data: WGSL body files plus the storage buffers and uniform fields it uses.
// The WGSL header (compile-time constants, the `Params` uniform struct and every binding) is
// generated from this description, so the code that packs uniforms and binds buffers cannot drift
// from the shader. Shader files therefore use `params.*`, their buffers and WG_X/WG_Y/WG_Z without
// declaring them.
//
// Binding 0 is always the uniform block (bound with a dynamic offset into a per-submission arena);
// storage buffers follow at 1, 2, … in the order given.

export type ScalarType = 'u32' | 'i32' | 'f32';

export interface BufferBinding {
  readonly name: string;
  readonly type: 'f32' | 'u32';
  readonly access: 'read' | 'read_write';
}

export interface KernelSpec {
  /** Unique per variant: also the pipeline-cache key. */
  readonly name: string;
  /** WGSL fragments, concatenated after the generated header. */
  readonly sources: readonly string[];
  readonly entryPoint?: string;
  readonly workgroupSize: readonly [number, number?, number?];
  readonly buffers: readonly BufferBinding[];
  /** Uniform fields in declaration order (object key order), each a 4-byte scalar. */
  readonly params: Readonly<Record<string, ScalarType>>;
  /** Extra `const` declarations, e.g. tile sizes. */
  readonly constants?: Readonly<Record<string, number>>;
}

/** Every uniform block gets a slot of this many bytes (= the usual minUniformBufferOffsetAlignment). */
export const PARAM_SLOT_BYTES = 256;
const MAX_PARAMS = PARAM_SLOT_BYTES / 4;

export class Kernel {
  readonly name: string;
  readonly code: string;
  readonly entryPoint: string;
  readonly workgroupSize: readonly [number, number, number];
  readonly buffers: readonly BufferBinding[];
  /** Bytes actually declared in the uniform struct (≥ 16, a multiple of 16). */
  readonly paramBytes: number;
  private readonly paramNames: readonly string[];
  private readonly paramTypes: readonly ScalarType[];

  constructor(spec: KernelSpec) {
    const [x, y = 1, z = 1] = spec.workgroupSize;
    const names = Object.keys(spec.params);
    if (names.length > MAX_PARAMS) throw new RangeError(`kernel ${spec.name}: more than ${MAX_PARAMS} params`);
    this.name = spec.name;
    this.entryPoint = spec.entryPoint ?? 'main';
    this.workgroupSize = [x, y, z];
    this.buffers = spec.buffers;
    this.paramNames = names;
    this.paramTypes = names.map((n) => spec.params[n]);
    this.paramBytes = Math.max(16, Math.ceil((names.length * 4) / 16) * 16);
    this.code = [header(spec, this.workgroupSize), ...spec.sources].join('\n');
  }

  get threadsPerWorkgroup(): number {
    return this.workgroupSize[0] * this.workgroupSize[1] * this.workgroupSize[2];
  }

  /** Writes `values` into a uniform slot; every declared field must be present. */
  packParams(view: DataView, byteOffset: number, values: Readonly<Record<string, number>>): void {
    for (let i = 0; i < this.paramNames.length; i++) {
      const v = values[this.paramNames[i]];
      if (v === undefined) throw new Error(`kernel ${this.name}: missing param '${this.paramNames[i]}'`);
      const at = byteOffset + 4 * i;
      switch (this.paramTypes[i]) {
        case 'u32': view.setUint32(at, v >>> 0, true); break;
        case 'i32': view.setInt32(at, v | 0, true); break;
        case 'f32': view.setFloat32(at, v, true); break;
      }
    }
  }
}

function header(spec: KernelSpec, [x, y, z]: readonly [number, number, number]): string {
  const lines = [
    `// ── generated from kernel '${spec.name}' (src/engine/webgpu/kernel.ts) ──`,
    `const WG_X = ${x}u;`, `const WG_Y = ${y}u;`, `const WG_Z = ${z}u;`,
  ];
  for (const [name, value] of Object.entries(spec.constants ?? {})) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`kernel ${spec.name}: constant ${name} must be a u32`);
    lines.push(`const ${name} = ${value}u;`);
  }
  const fields = Object.entries(spec.params).map(([n, t]) => `  ${n}: ${t},`);
  // A struct needs at least one member; the padding keeps the declared size equal to paramBytes.
  const declared = Object.keys(spec.params).length;
  const padded = Math.max(4, Math.ceil(declared / 4) * 4);
  for (let i = declared; i < padded; i++) fields.push(`  _pad${i}: u32,`);
  lines.push('struct Params {', ...fields, '}');
  lines.push('@group(0) @binding(0) var<uniform> params: Params;');
  spec.buffers.forEach((b, i) => {
    lines.push(`@group(0) @binding(${i + 1}) var<storage, ${b.access}> ${b.name}: array<${b.type}>;`);
  });
  return lines.join('\n') + '\n';
}
