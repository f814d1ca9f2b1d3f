// Compute pipelines are created once per kernel variant (creation costs 20 ms – 3 s on
// SwiftShader), ahead of use and asynchronously where the caller lists them (compile()), with an explicit layout: binding 0 is the uniform block, bound with a dynamic offset
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

  /** The kernel's pipeline; one compile() has not built is created synchronously here. */
  get(kernel: Kernel): CompiledKernel {
    let c = this.compiled.get(kernel);
    if (!c) this.compiled.set(kernel, (c = this.create(kernel)));
    return c;
  }

  /**
   * Builds every kernel's pipeline not built yet with createComputePipelineAsync, all in flight
   * together, so a page's main thread never blocks on a compile. A kernel that fails is reported
   * through onError (with the WGSL line and column) and left for get() to retry.
   */
  async compile(kernels: Iterable<Kernel>): Promise<void> {
    const pending = [...new Set(kernels)].filter((k) => !this.compiled.has(k)).map(async (kernel) => {
      // A bad module surfaces as the pipeline's rejection below, with the compiler's messages.
      this.device.pushErrorScope('validation');
      const module = this.module(kernel);
      const layout = this.bindGroupLayout(kernel);
      void this.device.popErrorScope();
      try {
        const pipeline = await this.device.createComputePipelineAsync(this.pipelineDescriptor(kernel, module, layout));
        if (!this.compiled.has(kernel)) this.compiled.set(kernel, { pipeline, layout });
      } catch (error) {
        this.onError(`kernel ${kernel.name}: ${error instanceof Error ? error.message : String(error)}${await compilerMessages(module)}`);
      }
    });
    await Promise.all(pending);
  }

  private module(kernel: Kernel): GPUShaderModule {
    let module = this.modules.get(kernel.code);
    if (!module) this.modules.set(kernel.code, (module = this.device.createShaderModule({ label: kernel.name, code: kernel.code })));
    return module;
  }

  private pipelineDescriptor(kernel: Kernel, module: GPUShaderModule, layout: GPUBindGroupLayout): GPUComputePipelineDescriptor {
    return {
      label: kernel.name,
      layout: this.device.createPipelineLayout({ label: kernel.name, bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: kernel.entryPoint },
    };
  }

  private create(kernel: Kernel): CompiledKernel {
    const device = this.device;
    device.pushErrorScope('validation');
    const module = this.module(kernel);
    const layout = this.bindGroupLayout(kernel);
    const pipeline = device.createComputePipeline(this.pipelineDescriptor(kernel, module, layout));
    void device.popErrorScope().then(async (error) => {
      if (error) this.onError(`kernel ${kernel.name}: ${error.message}${await compilerMessages(module)}`);
    });
    return { pipeline, layout };
  }

  private bindGroupLayout(kernel: Kernel): GPUBindGroupLayout {
    return this.device.createBindGroupLayout({
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
