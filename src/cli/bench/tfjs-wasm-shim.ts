// tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, so tf.conv2d cannot be trained on it.
// This registers one built from the backend's own kernels: a 2-D convolution is a 3-D one of depth
// 1, so the filter gradient is Conv3DBackpropFilterV2 on inputs reshaped to depth 1.

import type * as Tfjs from '@tensorflow/tfjs-core';
import type { Tf } from './tfjs-model';

export const WASM_SHIM_NOTE = 'Conv2DBackpropFilter shimmed with its Conv3DBackpropFilterV2';

export function registerWasmFilterGradientShim(tf: Tf): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  const reshape = tf.getKernel('Reshape', 'wasm')!.kernelFunc;
  const filter3d = tf.getKernel('Conv3DBackpropFilterV2', 'wasm')!.kernelFunc;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter', backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: Tfjs.TensorInfo; dy: Tfjs.TensorInfo };
      const { strides, pad, dataFormat, filterShape } = attrs as unknown as Tfjs.Conv2DBackpropFilterAttrs;
      const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
      // At stride 2 with 'same' padding it disagrees with tfjs-cpu (tested); the bench's models need stride 1 only.
      if (dataFormat !== 'NHWC' || (pad !== 'same' && pad !== 'valid') || sh !== 1 || sw !== 1) {
        throw new Error(`the wasm filter-gradient shim supports NHWC, stride 1 and 'same'/'valid' padding only`);
      }
      const depth1 = (t: Tfjs.TensorInfo) => reshape({ inputs: { x: t }, backend, attrs: { shape: [t.shape[0], 1, ...t.shape.slice(1)] } }) as Tfjs.TensorInfo;
      const x5 = depth1(x), dy5 = depth1(dy);
      const dw5 = filter3d({ inputs: { x: x5, dy: dy5 }, backend, attrs: { strides: 1, pad, filterShape: [1, ...filterShape] } }) as Tfjs.TensorInfo;
      const dw = reshape({ inputs: { x: dw5 }, backend, attrs: { shape: filterShape } }) as Tfjs.TensorInfo;
      // Reshapes share their input's data under a reference count; dropping them leaves dw's.
      for (const t of [x5, dy5, dw5]) (backend as Tfjs.KernelBackend).disposeData(t.dataId);
      return dw;
    },
  });
}
