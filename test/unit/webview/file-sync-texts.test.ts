// The overrides the panel marks and what it says when the file changed.

import * as assert from 'node:assert/strict';
import { modelChangedText, overrides, overrideTitle } from '../../../src/webview/lib/file-sync-texts';

describe('webview: panel and file in step', () => {
  const file = { epochs: 3, batch: 16, lr: 0.05 };

  it('marks exactly the fields that differ from the train line', () => {
    assert.deepEqual(overrides(file, file), []);
    assert.deepEqual(overrides({ ...file, epochs: 5, lr: 0.1 }, file), [
      { key: 'epochs', field: 'epochs', panel: 5, file: 3 },
      { key: 'lr', field: 'lr', panel: 0.1, file: 0.05 },
    ]);
    assert.equal(overrideTitle({ key: 'batch', field: 'batch', panel: 64, file: 16 }),
      'Set here for the next run; the file\'s train line says batch=16. "Write to train line" puts 64 there.');
  });

  it('says the model changed, with the parameter counts, or that the file has errors now', () => {
    assert.equal(modelChangedText({ parameters: 2410, errors: 0 }, 1210),
      'The model changed since this panel loaded it (2,410 parameters now, 1,210 in this panel): run "Train model" again to use it.');
    assert.equal(modelChangedText({ parameters: 1210, errors: 0 }, 1210),
      'The model changed since this panel loaded it (1,210 parameters, as before): run "Train model" again to use it.');
    assert.match(modelChangedText({ parameters: null, errors: 2 }, 1210), /now has 2 errors; this panel keeps training the model as it was loaded \(1,210 parameters\)/);
  });
});
