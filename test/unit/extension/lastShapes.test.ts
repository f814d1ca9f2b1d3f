import { strict as assert } from 'node:assert';
import { analyze, type LayerInfo } from '../../../src/lang';
import { lastKnownShapes, snapshotOf } from '../../../src/extension/lastShapes';
import { layerHints } from '../../../src/extension/present';

const HEAD = ['input 1x28x28', 'conv 6 kernel=5 pad=2', 'relu', 'maxpool 2'];
const TAIL = ['flatten', 'dense 10   # classes', 'softmax'];

/** The analysis of a model and the statement text of each of its layers. */
function model(lines: readonly string[]) {
  const a = analyze(lines.join('\n'));
  const textOf = (info: LayerInfo) => lines[info.layer.line]!.slice(info.layer.range.start.character, info.layer.range.end.character);
  return { a, textOf };
}

describe('last known shapes while typing', () => {
  const good = model([...HEAD, 'conv 8 kernel=3', ...TAIL]);
  const snapshot = snapshotOf(good.a.layers, good.textOf);

  it('keeps only an analysis in which every layer has a shape', () => {
    assert.ok(snapshot);
    assert.equal(snapshot.layers.length, good.a.layers.length);
    assert.equal(snapshot.layers[3]!.text, 'conv 8 kernel=3');
    const broken = model([...HEAD, 'conv 8 kernel=30', ...TAIL]);
    assert.equal(snapshotOf(broken.a.layers, broken.textOf), null);
  });

  it('gives the layers below a shape error their last known figures, matched by statement text', () => {
    const broken = model([...HEAD, 'conv 8 kernel=30', ...TAIL]);
    const lost = broken.a.layers.filter((l) => !l.output).map((l) => l.index);
    assert.ok(lost.length >= 4, 'kernel=30 on a 6×14×14 input leaves the conv and every layer after it without a shape');
    const known = lastKnownShapes(snapshot, broken.a.layers, broken.textOf);
    assert.deepEqual([...known.keys()], lost);
    // The edited conv itself (same kind, one for one) and the unchanged layers below it.
    for (const i of lost) assert.deepEqual(known.get(i)?.output, good.a.layers[i]!.output);
    const hints = layerHints(broken.a.layers, { showParams: false, showFlops: false }, () => 0, 0, 99, known);
    assert.equal(hints.length, broken.a.layers.length, 'no layer loses its hint');
    assert.deepEqual(hints.filter((h) => h.label.startsWith('≈')).map((h) => h.layerIndex), lost);
  });

  it('follows the layers below when lines were inserted above them', () => {
    // A new, broken layer above the edited one: the tail still matches from the back.
    const broken = model([...HEAD, 'dense 4', 'conv 8 kernel=3', ...TAIL]);
    const known = lastKnownShapes(snapshot, broken.a.layers, broken.textOf);
    const flatten = broken.a.layers.find((l) => l.layer.kind === 'flatten')!;
    assert.equal(flatten.output, null);
    assert.deepEqual(known.get(flatten.index)?.output, good.a.layers.find((l) => l.layer.kind === 'flatten')!.output);
    // The inserted dense has no old self.
    assert.ok(!known.has(broken.a.layers.find((l) => l.layer.kind === 'dense' && l.layer.line === 4)!.index));
  });

  it('has nothing to offer without a snapshot or without lost shapes', () => {
    const broken = model([...HEAD, 'conv 8 kernel=30', ...TAIL]);
    assert.equal(lastKnownShapes(undefined, broken.a.layers, broken.textOf).size, 0);
    assert.equal(lastKnownShapes(snapshot, good.a.layers, good.textOf).size, 0);
  });
});
