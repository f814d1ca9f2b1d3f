// ModelProto bytes ⇄ the plain objects of schema.ts, through protobufjs, and float tensors ⇄ the
// little-endian raw_data ONNX stores them in.

import { onnxModelType, type OnnxModel } from './schema';

export function encodeModel(model: OnnxModel): Uint8Array {
  const type = onnxModelType();
  return type.encode(type.fromObject(model)).finish();
}

/** Throws protobufjs's error on bytes that are not a ModelProto. */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  const type = onnxModelType();
  // arrays: repeated fields absent on the wire come back as [], so readers need not test for them.
  return type.toObject(type.decode(bytes), { longs: Number, arrays: true, oneofs: false }) as OnnxModel;
}

export function float32Bytes(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4), view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
  return out;
}

export function float32FromBytes(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** int64 values, exact up to 2^53 (shapes and axes, far below it). */
export function int64FromBytes(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), out: number[] = [];
  for (let i = 0; i + 8 <= bytes.byteLength; i += 8) out.push(Number(view.getBigInt64(i, true)));
  return out;
}
