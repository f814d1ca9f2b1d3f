// The words a thrown value is reported in.

import * as assert from 'node:assert/strict';
import { errorText } from '../../../src/webview/lib/error-text';

describe('webview: errorText', () => {
  it('gives an Error\'s message and anything else as a string', () => {
    assert.equal(errorText(new RangeError('out of range')), 'out of range');
    assert.equal(errorText('plain words'), 'plain words');
    assert.equal(errorText(42), '42');
    assert.equal(errorText(undefined), 'undefined');
  });
});
