// Compute pipelines are created once per kernel variant (creation costs 20 ms – 3 s on
// SwiftShader) with an explicit layout: binding 0 is the uniform block, bound with a dynamic offset
// into the per-submission uniform arena; storage buffers follow.

import { Kernel } from './kernel';

export interface CompiledKernel {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

export class PipelineCache {
  private readonly compiled = new Map<Kernel, CompiledKernel>();
  private readonly modules = new Map<string, GPUShaderModule>();

  /** `onError` receives validation errors (e.g. WGSL that does not compile), tagged with the kernel. */
  constructor(private readonly device: GPUDevice, private readonly onError: (message: string) => void) {}

  get size(): number { return this.compiled.size; }

  get(kernel: Kernel): CompiledKernel {
    let c = this.compiled.get(kernel);
    if (!c) this.compiled.set(kernel, (c = this.create(kernel)));
    return c;
  }

  private create(kernel: Kernel): CompiledKernel {
    const device = this.device;
    device.pushErrorScope('validation');
    let module = this.modules.get(kernel.code);
    if (!module) this.modules.set(kernel.code, (module = device.createShaderModule({ label: kernel.name, code: kernel.code })));
    const layout = device.createBindGroupLayout({
      label: kernel.name,
      entries: [
        { binding: 0, visibility: GPU_SHADER_STAGE_COMPUTE,
          buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: kernel.paramBytes } },
        ...kernel.buffers.map((b, i): GPUBindGroupLayoutEntry => ({
          binding: i + 1, visibility: GPU_SHADER_STAGE_COMPUTE,
          buffer: { type: b.access === 'read' ? 'read-only-storage' : 'storage' },
        })),
      ],
    });
    const pipeline = device.createComputePipeline({
      label: kernel.name,
      layout: device.createPipelineLayout({ label: kernel.name, bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: kernel.entryPoint },
    });
    void device.popErrorScope().then(async (error) => {
      if (error) this.onError(`kernel ${kernel.name}: ${error.message}${await compilerMessages(module)}`);
    });
    return { pipeline, layout };
  }
}

/** GPUShaderStage.COMPUTE (fixed by the spec; the global is missing in some Node hosts). */
const GPU_SHADER_STAGE_COMPUTE = 0x4;

/** The WGSL compiler's own errors with their line and column (empty when it has none or the host lacks the API). */
async function compilerMessages(module: GPUShaderModule): Promise<string> {
  try {
    const info = await module.getCompilationInfo();
    const lines = info.messages.filter((m) => m.type === 'error').map((m) => `\n  WGSL ${m.lineNum}:${m.linePos}: ${m.message}`);
    return lines.join('');
  } catch {
    return '';
  }
}
