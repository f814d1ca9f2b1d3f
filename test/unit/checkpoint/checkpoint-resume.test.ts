// The resume point and metrics in checkpoint metadata: exact round trips, older checkpoints without
// them still read, and malformed ones are refused by name.

import * as assert from 'node:assert/strict';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint, type ResumePoint } from '../../../src/engine/checkpoint';
import { rawSafetensors, sampleCheckpoint, validMetadata } from './fixtures';

const resume: ResumePoint = {
  optimizerStep: 12, batch: 64, validation: 0.1, dataName: 'mnist (built-in)',
  // Sums as the loop keeps them: doubles whose last bits matter for a bit-exact continuation.
  epochTotals: [1234.5678901234567, 900, 1024], unreported: { steps: 3, sums: [0.1 + 0.2, 150, 192] },
};

function withResume(r: ResumePoint = resume): Checkpoint {
  const c = sampleCheckpoint();
  return { ...c, metadata: { ...c.metadata, resume: r, metrics: { loss: 0.25, accuracy: 0.9, testAccuracy: NaN } } };
}

describe('checkpoint metadata: resume point and metrics', () => {
  it('round-trips the resume point exactly and keeps only finite metrics', () => {
    const back = decodeCheckpoint(encodeCheckpoint(withResume()), 'x');
    assert.deepEqual(back.metadata.resume, resume);
    assert.deepEqual(back.metadata.metrics, { loss: 0.25, accuracy: 0.9 });
  });

  it('reads a checkpoint written before resume points, without one', () => {
    const bytes = rawSafetensors(JSON.stringify({ __metadata__: validMetadata }));
    const c = decodeCheckpoint(bytes, 'old.safetensors');
    assert.equal(c.metadata.resume, undefined);
    assert.equal(c.metadata.metrics, undefined);
  });

  it('refuses malformed resume points when writing and reading', () => {
    assert.throws(() => encodeCheckpoint(withResume({ ...resume, epochTotals: [NaN, 0, 0] })), /resume\.epochTotals is \[null,0,0\], expected three finite numbers/);
    assert.throws(() => encodeCheckpoint(withResume({ ...resume, batch: 0 })), /resume\.batch is 0, expected a positive whole number/);
    const bad = (value: string) => rawSafetensors(JSON.stringify({ __metadata__: { ...validMetadata, resume: value } }));
    assert.throws(() => decodeCheckpoint(bad('{'), 'f'), /f: __metadata__\.resume is not valid JSON/);
    assert.throws(() => decodeCheckpoint(bad(JSON.stringify({ ...resume, optimizerStep: -1 })), 'f'), /resume\.optimizerStep is -1/);
    assert.throws(() => decodeCheckpoint(bad(JSON.stringify({ ...resume, unreported: { steps: 1 } })), 'f'), /resume\.unreported is/);
  });
});
