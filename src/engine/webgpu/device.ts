// Getting a device to compute on: adapter, device, and the adapter's description for the UI and
// logs. Every way WebGPU can be missing becomes a NoWebGpuError that says why, so callers can fall
// back to the cpu engine with a message a person understands.

import { errorMessage } from '../errors';
import { NoWebGpuError } from './errors';

export interface OpenedDevice {
  readonly device: GPUDevice;
  /** e.g. "webgpu (google swiftshader, fallback adapter)". */
  readonly description: string;
  readonly isFallbackAdapter: boolean;
  /** Which adapter this is, for keying measurements made on it (autotune/): vendor, architecture, device, description. */
  readonly adapterIdentity: string;
  /** Whether the device was created with 'timestamp-query' (the adapter offers it), so GPU work can be timed. */
  readonly hasTimestamps: boolean;
}

/** Requests an adapter and device from `gpu` (navigator.gpu in a browser, getNodeGpu() in Node). */
export async function openDevice(gpu: GPU | undefined | null, powerPreference?: GPUPowerPreference): Promise<OpenedDevice> {
  if (!gpu) {
    throw new NoWebGpuError('no-api', 'WebGPU is not available here (navigator.gpu is undefined): ' +
      'the browser or webview does not support it or has it disabled');
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter(powerPreference ? { powerPreference } : undefined);
  } catch (e) {
    throw new NoWebGpuError('no-adapter', `requestAdapter() failed: ${errorMessage(e)}`, { cause: e });
  }
  if (!adapter) {
    throw new NoWebGpuError('no-adapter', 'requestAdapter() returned null: no usable GPU adapter ' +
      '(no supported GPU or driver, or WebGPU is blocked on this system)');
  }
  let device: GPUDevice;
  // Timestamps let the autotuner time candidate kernels; without them the measured rules decide.
  const hasTimestamps = adapter.features?.has('timestamp-query') ?? false;
  try {
    device = await adapter.requestDevice({
      label: 'convlab', requiredLimits: wantedLimits(adapter.limits), requiredFeatures: hasTimestamps ? ['timestamp-query'] : [],
    });
  } catch (e) {
    throw new NoWebGpuError('no-device', `requestDevice() failed: ${errorMessage(e)}`, { cause: e });
  }
  // A device can be handed out already lost (e.g. the GPU process crashed meanwhile).
  const lost = await Promise.race([device.lost, Promise.resolve(null)]);
  if (lost) throw new NoWebGpuError('device-lost', `the GPU device was lost right away: ${lost.message || lost.reason}`);

  // adapter.info and its isFallbackAdapter are recent; older browsers have adapter.isFallbackAdapter.
  const info: Partial<GPUAdapterInfo> = adapter.info ?? {};
  const isFallbackAdapter = Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter
    ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter);
  const name = [info.vendor, info.architecture || info.device || info.description].filter(Boolean).join(' ') || 'unknown adapter';
  const adapterIdentity = [info.vendor, info.architecture, info.device, info.description].map((part) => part ?? '').join('|');
  return {
    device, description: `webgpu (${name}${isFallbackAdapter ? ', fallback adapter' : ''})`, isFallbackAdapter, adapterIdentity,
    hasTimestamps: hasTimestamps && device.features.has('timestamp-query'),
  };
}

/** Limits that decide which models fit: the default 128 MiB storage binding would refuse a large
 *  im2col matrix or activation that the adapter can hold, so ask for what the adapter offers. */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage',
] as const;

export function wantedLimits(adapter: GPUSupportedLimits): Record<string, number> {
  const wanted: Record<string, number> = {};
  for (const name of RAISED_LIMITS) {
    const value = (adapter as unknown as Record<string, number | undefined>)[name];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) wanted[name] = value;
  }
  return wanted;
}
