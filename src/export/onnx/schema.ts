// The subset of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto, IR version 7) that ConvLab writes
// and reads: a model of one graph of nodes over float tensors (and the int64 shapes of Reshape). Field numbers are ONNX's; messages and fields
// ConvLab never writes are left out, which protobuf readers skip as unknown.

import protobuf from 'protobufjs';

const ONNX_PROTO = `
syntax = "proto3";
package onnx;
message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5; FLOATS = 6; INTS = 7; STRINGS = 8; }
  string name = 1;
  AttributeType type = 20;
  float f = 2;
  int64 i = 3;
  bytes s = 4;
  repeated float floats = 7;
  repeated int64 ints = 8;
  TensorProto t = 5;
}
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  string name = 3;
  string op_type = 4;
  string domain = 7;
  repeated AttributeProto attribute = 5;
}
message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message TensorProto {
  enum DataType { UNDEFINED = 0; FLOAT = 1; INT64 = 7; }
  repeated int64 dims = 1;
  int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int64 int64_data = 7 [packed = true];
  string name = 8;
  bytes raw_data = 9;
  int32 data_location = 14;
}
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; }
}
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message ModelProto {
  int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  string producer_name = 2;
  string producer_version = 3;
  GraphProto graph = 7;
}
`;

/** ModelProto, parsed once on first use. */
let modelType: protobuf.Type | null = null;
export function onnxModelType(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelType;
}

/** ONNX's TensorProto.DataType.FLOAT and AttributeProto types ConvLab writes. */
export const FLOAT = 1;
export const INT64 = 7;
export const ATTRIBUTE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;
/** TensorProto.data_location: the values live in a file beside the model. */
export const EXTERNAL = 1;

/** The plain-object shapes of the messages, as protobufjs reads and writes them (keepCase). */
export interface OnnxAttribute { name: string; type: number; f?: number; i?: number; s?: Uint8Array; ints?: number[]; floats?: number[]; t?: OnnxTensor }
export interface OnnxNode { name: string; op_type: string; domain?: string; input: string[]; output: string[]; attribute: OnnxAttribute[] }
export interface OnnxTensor { name: string; dims: number[]; data_type: number; raw_data?: Uint8Array; float_data?: number[]; int64_data?: number[]; data_location?: number }
export type OnnxDim = { dim_value: number } | { dim_param: string };
export interface OnnxValueInfo { name: string; type: { tensor_type: { elem_type: number; shape: { dim: OnnxDim[] } } } }
export interface OnnxGraph { name: string; node: OnnxNode[]; initializer: OnnxTensor[]; input: OnnxValueInfo[]; output: OnnxValueInfo[] }
export interface OnnxModel { ir_version: number; opset_import: { domain: string; version: number }[]; producer_name: string; graph: OnnxGraph }
