// The webview's pure parts: plot series, smoothing and decimation, histograms, colour maps,
// tile layouts and the ETA estimator.
import * as assert from 'node:assert/strict';
import { diverging, lookupTable, normalization, paint, viridis } from '../../../src/webview/lib/colormap';
import { EtaEstimator, formatDuration, formatNumber, formatPercent } from '../../../src/webview/lib/eta';
import { binCenters, histogram, l2norm } from '../../../src/webview/lib/histogram';
import { decimate, fittedRange, Series, smooth } from '../../../src/webview/lib/series';
import { tileLayout, tilePosition } from '../../../src/webview/lib/tiling';

describe('webview: series', () => {
  it('grows past its capacity and keeps every point in order', () => {
    const s = new Series(2);
    for (let i = 0; i < 100; i++) s.push(i, i * i);
    assert.equal(s.length, 100);
    assert.equal(s.x[99], 99);
    assert.equal(s.y[10], 100);
    assert.equal(s.lastX, 99);
    assert.deepEqual(Array.from(Series.from([1, 2], [3, 4]).y), [3, 4]);
    const resumed = Series.from([10, 20, 30, 40], [1, 2, 3, 4]);
    resumed.truncateAfter(25);
    assert.deepEqual(Array.from(resumed.x), [10, 20]);
    resumed.truncateAfter(0);
    assert.equal(resumed.length, 0);
  });

  it('smooths with a debiased EMA: a constant stays constant from the first point', () => {
    assert.deepEqual(Array.from(smooth([2, 2, 2, 2], 0.9)), [2, 2, 2, 2]);
  });

  it('smooths a step towards the new level, and weight 0 is the identity', () => {
    const s = smooth([0, 0, 0, 10, 10, 10], 0.5);
    assert.equal(s[2], 0);
    assert.ok(s[3] > 0 && s[3] < 10 && s[4] > s[3] && s[5] > s[4] && s[5] < 10);
    assert.deepEqual(Array.from(smooth([3, 1, 4], 0)), [3, 1, 4]);
  });

  it('skips non-finite values when smoothing (a diverged step does not poison the curve)', () => {
    const s = smooth([1, NaN, 1, Infinity, 1], 0.8);
    assert.ok(Number.isNaN(s[1]) && Number.isNaN(s[3]));
    assert.ok(Math.abs(s[4] - 1) < 1e-12);
    assert.throws(() => smooth([1], 1), /weight/);
  });

  it('fits a y range to the data within its bounds, never narrower than the minimum span', () => {
    const [lo, hi] = fittedRange(0.96, 0.99, [0, 1]);
    assert.ok(Math.abs(lo - 0.957) < 1e-9 && Math.abs(hi - 0.993) < 1e-9, `[${lo}, ${hi}]`);
    const clamped = fittedRange(0.1, 1, [0, 1]);
    assert.ok(Math.abs(clamped[0] - 0.01) < 1e-9 && clamped[1] === 1, 'clamped to the bounds');
    const flat = fittedRange(0.5, 0.5, [0, 1]);
    assert.ok(Math.abs(flat[0] - 0.49) < 1e-9 && Math.abs(flat[1] - 0.51) < 1e-9, 'a flat curve gets the minimum span');
    assert.deepEqual(fittedRange(null, null, [0, 1]), [0, 1], 'no data: the bounds');
  });

  it('decimation returns short series unchanged', () => {
    assert.deepEqual(decimate([1, 2, 3], [4, 5, 6], 10), { x: [1, 2, 3], y: [4, 5, 6] });
  });

  it('decimation keeps at most maxPoints points, keeps spikes, stays in x order', () => {
    const n = 10_000;
    const xs = Array.from({ length: n }, (_, i) => i);
    const ys = xs.map((i) => Math.sin(i / 100));
    ys[4321] = 50;   // a spike
    ys[7000] = -50;  // and a dip
    const d = decimate(xs, ys, 200);
    assert.ok(d.x.length <= 200, `${d.x.length} points`);
    assert.ok(d.x.length >= 150, 'uses its budget');
    assert.ok(d.y.includes(50) && d.y.includes(-50), 'extremes survive');
    for (let i = 1; i < d.x.length; i++) assert.ok(d.x[i] > d.x[i - 1], 'ascending x');
    assert.equal(d.x[0], 0);
    assert.equal(d.x[d.x.length - 1] >= n - 1 - n / 100, true, 'reaches the end');
  });
});

describe('webview: histograms', () => {
  it('bins values into equal-width bins; the maximum lands in the last bin', () => {
    const h = histogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5);
    assert.equal(h.min, 0);
    assert.equal(h.max, 10);
    assert.deepEqual(h.counts, [2, 2, 2, 2, 3]);
    assert.equal(h.counts.reduce((a, b) => a + b), 11);
  });

  it('counts non-finite values apart and handles a constant tensor', () => {
    const h = histogram([NaN, Infinity, 1, 1, 1], 4);
    assert.equal(h.nonFinite, 2);
    assert.equal(h.counts.reduce((a, b) => a + b), 3);
    assert.ok(h.min < 1 && h.max > 1, 'a range around the constant');
    const z = histogram([0, 0], 3);
    assert.deepEqual([z.min, z.max], [-0.5, 0.5]);
    assert.deepEqual(histogram([], 3).counts, [0, 0, 0]);
    assert.throws(() => histogram([1], 0), /bins/);
  });

  it('gives bin centres and an f64 norm', () => {
    assert.deepEqual(binCenters({ min: 0, max: 4, counts: [0, 0, 0, 0], nonFinite: 0 }), [0.5, 1.5, 2.5, 3.5]);
    assert.equal(l2norm([3, 4]), 5);
    assert.equal(l2norm(new Float32Array(0)), 0);
  });
});

describe('webview: colour maps', () => {
  it('viridis runs from dark purple to yellow and clamps', () => {
    assert.deepEqual(viridis(0), [68, 1, 84]);
    assert.deepEqual(viridis(1), [253, 231, 37]);
    assert.deepEqual(viridis(-3), viridis(0));
    assert.deepEqual(viridis(NaN), viridis(0));
    const lum = (c: readonly number[]) => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    for (let t = 0.1; t <= 1; t += 0.1) assert.ok(lum(viridis(t)) > lum(viridis(t - 0.1)), 'brightness increases');
  });

  it('the diverging map is neutral at 0, blue below, red above', () => {
    assert.deepEqual(diverging(0), [240, 240, 240]);
    const [r1, , b1] = diverging(-1), [r2, , b2] = diverging(1);
    assert.ok(b1 > r1 && r2 > b2);
    assert.equal(lookupTable('viridis').length, 768);
  });

  it('chooses viridis for non-negative data and a symmetric diverging scale for signed data', () => {
    assert.deepEqual(normalization([0, 2, 5]), { map: 'viridis', lo: 0, hi: 5 });
    assert.deepEqual(normalization([-1, 3]), { map: 'diverging', lo: -3, hi: 3 });
    assert.deepEqual(normalization([0, 0]), { map: 'viridis', lo: 0, hi: 1 });
    assert.deepEqual(normalization([9, -2, 4], 1, 3), { map: 'diverging', lo: -4, hi: 4 }, 'only the given range');
  });

  it('paints RGBA pixels with the lookup table and marks non-finite values magenta', () => {
    const lut = lookupTable('viridis');
    const out = new Uint8ClampedArray(2 * 2 * 4);
    paint([0, 1, NaN, 0.5], 0, 2, 2, { map: 'viridis', lo: 0, hi: 1 }, lut, out, 0, 8);
    assert.deepEqual(Array.from(out.subarray(0, 4)), [68, 1, 84, 255]);
    assert.deepEqual(Array.from(out.subarray(4, 8)), [253, 231, 37, 255]);
    assert.deepEqual(Array.from(out.subarray(8, 12)), [255, 0, 255, 255]);
  });
});

describe('webview: tile layout', () => {
  it('lays 6 LeNet feature maps of 28×28 out square-ish at the largest scale that fits', () => {
    const l = tileLayout(6, 28, 28, 400);
    assert.equal(l.columns * l.rows >= 6, true);
    assert.equal(l.columns, 3);
    assert.ok(l.width <= 400);
    assert.equal(l.scale, 4, '3·28·4 + 2·2 = 340 fits, ·5 does not');
    assert.equal(l.height, 2 * 28 * 4 + 2);
  });

  it('magnifies tiny maps and never goes below 1× (fewer columns instead)', () => {
    const tiny = tileLayout(16, 5, 5, 1000);
    assert.ok(tiny.tileWidth >= 24, `5×5 tiles drawn ${tiny.tileWidth}px wide`);
    const narrow = tileLayout(9, 100, 100, 250);  // 3 columns would need 304 px
    assert.equal(narrow.scale, 1);
    assert.equal(narrow.columns, 2);
    assert.equal(narrow.rows, 5);
    assert.ok(narrow.width <= 250);
    const strips = tileLayout(10, 100, 10, 250);  // wide strips stack in one column, magnified while they fit
    assert.deepEqual([strips.columns, strips.rows, strips.scale], [1, 10, 2]);
  });

  it('places tiles row by row with gaps, and handles zero tiles', () => {
    const l = tileLayout(5, 10, 10, 1000, { gap: 3, maxScale: 1, minTile: 1 });
    assert.deepEqual(tilePosition(l, 0), { x: 0, y: 0 });
    assert.deepEqual(tilePosition(l, 1), { x: 13, y: 0 });
    assert.deepEqual(tilePosition(l, l.columns), { x: 0, y: 13 });
    assert.deepEqual([tileLayout(0, 4, 4, 100).width, tileLayout(0, 4, 4, 100).rows], [0, 0]);
    assert.throws(() => tileLayout(2, 0, 4, 100), /at least 1×1/);
  });
});

describe('webview: ETA', () => {
  it('learns the step rate and predicts the time left', () => {
    const eta = new EtaEstimator();
    assert.equal(eta.secondsLeft(0, 100), null, 'unknown before two reports');
    for (let step = 0; step <= 50; step += 10) eta.update(step, step * 100);  // 10 steps per second
    assert.ok(Math.abs(eta.stepsPerSecond! - 10) < 1e-9);
    assert.ok(Math.abs(eta.secondsLeft(50, 100)! - 5) < 1e-9);
    assert.equal(eta.secondsLeft(120, 100), 0);
  });

  it('one slow report moves the estimate only part of the way', () => {
    const eta = new EtaEstimator(5);
    for (let step = 0; step <= 50; step += 10) eta.update(step, step * 100);
    eta.update(60, 5000 + 10_000);  // one report 10 s late
    const r = eta.stepsPerSecond!;
    assert.ok(r < 10 && r > 5, `rate ${r}`);
  });

  it('leaves paused time out', () => {
    const eta = new EtaEstimator();
    eta.update(0, 0);
    eta.update(10, 1000);
    eta.pause();
    eta.resume(10, 60_000);  // a minute paused
    eta.update(20, 61_000);
    assert.ok(Math.abs(eta.stepsPerSecond! - 10) < 1e-9);
  });

  it('is not thrown by bursts of reports a fraction of a millisecond apart', () => {
    // 20 steps/s in truth, reported as bursts: every 500 ms, five reports of 2 steps within 0.4 ms.
    // A rate per report would see 2 steps in 0.1 ms (20,000 steps/s) four times per burst.
    const eta = new EtaEstimator();
    let step = 0;
    for (let burst = 1; burst <= 40; burst++) {
      for (let i = 0; i < 5; i++) eta.update((step += 2), burst * 500 + i * 0.1);
    }
    const r = eta.stepsPerSecond!;
    assert.ok(Math.abs(r - 20) < 3, `rate ${r}, expected ≈ 20`);
    assert.ok(Math.abs(eta.secondsLeft(step, step + 200)! - 10) < 1.5, 'ETA of 200 steps ≈ 10 s');
  });

  it('waits for a span of reports before estimating, and restarts timing when the step goes back', () => {
    const eta = new EtaEstimator();
    eta.update(0, 0);
    eta.update(2, 0.2);
    eta.update(4, 0.4);
    assert.equal(eta.stepsPerSecond, null, 'no rate from a burst alone');
    eta.update(10, 1000);
    assert.ok(Math.abs(eta.stepsPerSecond! - 10) < 1e-9);
    eta.update(0, 1100);  // a new run without reset(): no negative rate
    eta.update(5, 2100);
    assert.ok(Math.abs(eta.stepsPerSecond! - 7.5) < 2.5, `rate ${eta.stepsPerSecond}`);
  });

  it('formats durations, percentages and numbers', () => {
    assert.equal(formatDuration(4.2), '4s');
    assert.equal(formatDuration(75), '1m 15s');
    assert.equal(formatDuration(3725), '1h 02m');
    assert.equal(formatDuration(null), '—');
    assert.equal(formatPercent(0.97812), '97.8%');
    assert.equal(formatPercent(null), '—');
    assert.equal(formatNumber(2.302585), '2.303');
    assert.equal(formatNumber(0.00012345), '1.23e-4');
    assert.equal(formatNumber(NaN), 'NaN');
  });
});
