import * as assert from 'node:assert/strict';
import { FLOAT, onnxModelType } from '../../../src/export/onnx/schema';

describe('onnx schema', () => {
  it('round-trips a ModelProto with a symbolic batch dimension', () => {
    const type = onnxModelType();
    const model = {
      ir_version: 7, producer_name: 'convlab', opset_import: [{ domain: '', version: 13 }],
      graph: {
        name: 'g', node: [{ name: 'relu0', op_type: 'Relu', input: ['input'], output: ['y'], attribute: [] }],
        initializer: [{ name: 'w', dims: [2], data_type: FLOAT, float_data: [1.5, -2] }],
        input: [{ name: 'input', type: { tensor_type: { elem_type: FLOAT, shape: { dim: [{ dim_param: 'N' }, { dim_value: 3 }] } } } }],
        output: [],
      },
    };
    const bytes = type.encode(type.fromObject(model)).finish();
    const back = type.toObject(type.decode(bytes), { longs: Number, oneofs: false }) as typeof model;
    assert.equal(back.graph.node[0].op_type, 'Relu');
    assert.deepEqual(back.graph.initializer[0].float_data, [1.5, -2]);
    assert.deepEqual(back.graph.input[0].type.tensor_type.shape.dim, [{ dim_param: 'N' }, { dim_value: 3 }]);
    assert.equal(back.opset_import[0].version, 13);
  });
});
