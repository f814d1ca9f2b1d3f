// The editor experience in a real VS Code (code-server) driven through Chromium, asserted from the DOM.
// Expected messages, shapes and hint labels are computed with the language itself (`analyze()` on the
// same text), so the test tracks the language instead of copying its wording.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { analyze, analyzeConfig, configToCnn } from '../../src/lang';
import type { Diagnostic, LayerInfo, TextEdit } from '../../src/lang/spec';
import { DEFAULT_CONFIG } from '../../src/extension/config';
import { dataPaths, missingDataDiagnostic } from '../../src/extension/dataPaths';
import { HINT_ARROW, hintLabel, statusData } from '../../src/extension/present';
import { E2ESession, Timings } from './harness';

/** Applies non-overlapping edits (as a quick fix does) to `text`. */
function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (line: number, character: number) =>
    lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start.line, b.range.start.character) - offset(a.range.start.line, a.range.start.character));
  let out = text;
  for (const e of sorted) {
    out = out.slice(0, offset(e.range.start.line, e.range.start.character)) + e.newText + out.slice(offset(e.range.end.line, e.range.end.character));
  }
  return out;
}

const errorsOf = (diagnostics: readonly Diagnostic[]) => diagnostics.filter((d) => d.severity === 'error');
const counts = (diagnostics: readonly Diagnostic[]) => ({
  errors: errorsOf(diagnostics).length,
  warnings: diagnostics.filter((d) => d.severity === 'warning').length,
});
const severityOf = (d: Diagnostic) => d.severity;
const hintOf = (info: LayerInfo) => hintLabel(info, DEFAULT_CONFIG.inlayHints);
/** Status-bar text as the DOM shows it (codicons render as icons, not text). */
const statusText = (text: string) => text.replace(/\$\([\w-]+\)\s*/g, '').trim();

describe('editor in a real VS Code (code-server + Chromium)', function () {
  this.timeout(90_000);
  const timings = new Timings();
  let s: E2ESession | undefined;
  const session = () => {
    assert.ok(s, 'the session did not start (see the before hook)');
    return s;
  };

  before(async function () {
    this.timeout(300_000);
    s = await E2ESession.start({ name: 'editor', timings });
  });

  beforeEach(async () => {
    await s?.wb.dismiss();
  });

  after(async function () {
    this.timeout(30_000);
    await s?.close();
    timings.print('editor e2e timings');
  });

  it('lenet5.cnn: no errors, shape hints on the conv and dense lines, status bar summary', async () => {
    const { wb } = session();
    const file = session().file('lenet5.cnn');
    const text = readFileSync(file, 'utf8');
    const a = analyze(text, { baseDir: dirname(file) });
    assert.deepEqual(errorsOf(a.diagnostics), [], 'examples/lenet5.cnn itself must be error-free');
    const firstConv = a.layers.find((l) => l.layer.kind === 'conv');
    const lastDense = a.layers.filter((l) => l.layer.kind === 'dense').at(-1);
    assert.ok(firstConv && lastDense, 'lenet5 has a conv and a dense layer');

    await timings.measure('open lenet5.cnn', () => wb.openFile('lenet5.cnn'));
    const { hints, ms } = await wb.waitForHints((h) => h.has(lastDense.layer.line + 1));
    timings.record('first hints after open', ms);

    const convHint = hints.get(firstConv.layer.line + 1) ?? '';
    const denseHint = hints.get(lastDense.layer.line + 1) ?? '';
    assert.match(convHint, /^→ 6×28×28\b/, `hint on the first conv line: ${convHint}`);
    assert.match(denseHint, /^→ 10\b/, `hint on the last dense line: ${denseHint}`);
    assert.equal(convHint, hintOf(firstConv));
    assert.equal(denseHint, hintOf(lastDense));
    // Every layer on screen has its hint.
    for (const info of a.layers) assert.equal(hints.get(info.layer.line + 1), hintOf(info) ?? undefined, `layer on line ${info.layer.line + 1}`);

    await wb.waitForErrors(0);
    assert.equal(await wb.squiggles().count(), 0);
    const status = session().page.locator('.statusbar-item', { hasText: statusText(statusData(a).text) });
    await status.waitFor();
    await wb.screenshot('1-lenet5');
  });

  it('broken-conv.cnn: squiggles and the exact Problems entries; each quick fix removes its problem', async () => {
    const { wb } = session();
    const file = session().file('broken-conv.cnn');
    let text = readFileSync(file, 'utf8');
    const analyzeText = (t: string) => analyze(t, { baseDir: dirname(file) });
    let a = analyzeText(text);
    const convLines = new Set(a.layers.filter((l) => l.layer.kind === 'conv').map((l) => l.layer.range.start.line));
    const convProblem = a.diagnostics.find((d) => convLines.has(d.range.start.line) && d.fixes?.length);
    assert.ok(convProblem, `examples/broken-conv.cnn must have a fixable problem on a conv line; analyze() gave ${JSON.stringify(a.diagnostics)}`);
    assert.ok(errorsOf(a.diagnostics).length > 0, 'examples/broken-conv.cnn must have an error');

    await timings.measure('open broken-conv.cnn + squiggle', async () => {
      await wb.openFile('broken-conv.cnn');
      await wb.squiggles(severityOf(convProblem)).first().waitFor({ state: 'attached' });
    });
    await wb.waitForProblems(counts(a.diagnostics));
    const rows = await wb.problems();
    for (const d of a.diagnostics) {
      await rows.filter({ hasText: d.message }).first().waitFor();
      assert.equal(await rows.filter({ hasText: d.message }).count(), 1, `one Problems entry reads: ${d.message}`);
    }
    await wb.screenshot('2-broken-conv');

    // Fix the conv problem first, then whatever errors remain, each with Ctrl+. on its squiggle.
    let step = 0;
    for (let target: Diagnostic | undefined = convProblem; target; target = errorsOf(a.diagnostics).find((d) => d.fixes?.length)) {
      const fix = target.fixes![0]!;
      await wb.goto(target.range.start.line + 1, target.range.start.character + 1);
      const entry = (await wb.quickFixes()).filter({ hasText: fix.title });
      await entry.first().waitFor();
      if (step === 0) await wb.screenshot('3-quick-fix-menu');
      text = applyEdits(text, fix.edits);
      a = analyzeText(text);
      const gone = target.message;
      assert.ok(!a.diagnostics.some((d) => d.message === gone), `"${fix.title}" removes the problem in the language too`);
      await timings.measure(`quick fix ${++step} → problem gone`, async () => {
        await entry.first().click();
        await wb.waitForProblems(counts(a.diagnostics));
        await rows.filter({ hasText: gone }).waitFor({ state: 'detached' });
      });
    }
    assert.deepEqual(errorsOf(a.diagnostics), [], 'the quick fixes leave no error');
    await wb.squiggles('error').first().waitFor({ state: 'detached' });
    assert.equal(await wb.lineText(1 + (a.layers.find((l) => l.layer.kind === 'flatten')?.layer.line ?? -2)), 'flatten');
    await wb.screenshot('4-fixed');
  });

  it('typing a new layer updates the hints within a second', async () => {
    const { wb, page } = session();
    const file = session().file('lenet5.cnn');
    const text = readFileSync(file, 'utf8');
    const before = analyze(text, { baseDir: dirname(file) });
    const conv = before.layers.find((l) => l.layer.kind === 'conv')!;
    const lines = text.split('\n');
    const newLayer = 'conv 6 kernel=3 pad=1';
    const after = analyze([...lines.slice(0, conv.layer.line + 1), newLayer, ...lines.slice(conv.layer.line + 1)].join('\n'), { baseDir: dirname(file) });
    const added = after.layers.find((l) => l.layer.line === conv.layer.line + 1);
    assert.ok(added?.output, 'the new layer has a known output shape');
    const expected = hintOf(added)!;

    await wb.openFile('lenet5.cnn');
    await wb.goto(conv.layer.line + 1, lines[conv.layer.line]!.length + 1);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    // Delete any auto-indent so the new statement starts the line.
    await page.keyboard.press('Shift+Home');
    await page.keyboard.type(newLayer, { delay: 15 });
    const ms = await wb.waitForHint(conv.layer.line + 2, expected, 5_000);
    timings.record('last keystroke → hint on the new line', ms);
    await page.keyboard.press('Escape');
    await wb.screenshot('5-typed-layer');
    // The layers below moved down one line and kept (or updated) their hints.
    const hints = await wb.inlayHints();
    for (const info of after.layers) {
      const h = hintOf(info);
      if (h !== null && hints.has(info.layer.line + 1)) assert.equal(hints.get(info.layer.line + 1), h, `layer on line ${info.layer.line + 1}`);
    }
    console.log(`    hints updated ${Math.round(ms)} ms after the last keystroke`);
    assert.ok(ms < 1000, `hints took ${Math.round(ms)} ms (limit 1000 ms)`);
  });

  it('typing a layer character by character: no hint disappears, tentative shapes read ≈, comments stay put', async () => {
    const { wb, page } = session();
    const file = session().file('lenet5.cnn');
    // code-server auto-saves: the file holds what the test above typed once it is saved.
    await wb.openFile('lenet5.cnn');
    await wb.save();
    const lines = readFileSync(file, 'utf8').split('\n');
    const analyzeLines = (l: readonly string[]) => analyze(l.join('\n'), { baseDir: dirname(file) });
    const flatten = analyzeLines(lines).layers.find((l) => l.layer.kind === 'flatten')!;
    const at = flatten.layer.line; // the new statement goes on this line; flatten moves one down
    const withLine = (typed: string) => [...lines.slice(0, at), typed, ...lines.slice(at)];
    const hintBelow = (typed: string, stale = false) => {
      const info = analyzeLines(withLine(typed)).layers.find((l) => l.layer.kind === 'flatten')!;
      return hintLabel(info, DEFAULT_CONFIG.inlayHints, stale)!;
    };

    const layerCount = analyzeLines(lines).layers.length;
    await wb.waitForHints((h) => h.size === layerCount);
    // A trailing comment keeps its place: the hint comes after it, at the end of the line.
    const commented = analyzeLines(lines).layers.find((l) => lines[l.layer.line]!.includes('#'))!;
    const row = (await wb.visibleLines()).get(commented.layer.line + 1)!;
    assert.equal(row.hintColumn, lines[commented.layer.line]!.length, `the hint follows the comment: ${JSON.stringify(row)}`);

    await wb.goto(at + 1, 1);
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowUp');
    const samples: number[] = [];
    const sample = (h: Map<number, string>) => {
      samples.push(h.size);
      return h;
    };
    await wb.waitForHints((h) => sample(h).get(at + 2) === hintBelow(''));
    const typed = 'conv 8 kernel=3 pad=1';
    let sawTentative = false;
    for (let i = 1; i <= typed.length; i++) {
      await page.keyboard.type(typed[i - 1]!);
      const expected = hintBelow(typed.slice(0, i));
      sawTentative ||= expected.startsWith(HINT_ARROW.tentative);
      await wb.waitForHints((h) => sample(h).get(at + 2) === expected, 5_000);
      // Half-way through a key (`conv 8 kern`): the shapes below stay in view, provisional.
      if (typed.slice(0, i) === 'conv 8 kern') await wb.screenshot('5a-typing-mid-line');
    }
    assert.ok(sawTentative, 'some prefix of the line is unreadable, so the shapes below it were provisional');
    await page.keyboard.press('Escape');
    await wb.screenshot('5b-typed-char-by-char');

    // A shape error on the typed line (kernel=30 on a 16×5×5 input): the layers below keep their last
    // known shapes, marked ≈, until the line is good again.
    await wb.goto(at + 1, 'conv 8 kernel=3'.length + 1);
    await page.keyboard.type('0');
    await wb.waitForHints((h) => sample(h).get(at + 2) === hintBelow(typed, true), 5_000);
    await page.keyboard.press('Escape');
    await wb.screenshot('5c-stale-hints');
    await page.keyboard.press('Backspace');
    await wb.waitForHints((h) => sample(h).get(at + 2) === hintBelow(typed), 5_000);
    const drops = samples.flatMap((n, i) => (i > 0 && n < samples[i - 1]! ? [`${samples[i - 1]} → ${n}`] : []));
    assert.deepEqual(drops, [], `the number of visible hints never drops while typing (samples: ${samples.join(' ')})`);
  });

  it('a missing data folder gets a warning, a fix to data=mnist, and the status bar counts it', async () => {
    const { wb, page } = session();
    const file = session().file('lenet5.cnn');
    await wb.openFile('lenet5.cnn');
    await wb.save();
    const lines = readFileSync(file, 'utf8').split('\n');
    const trainLine = lines.findIndex((l) => l.startsWith('train data=mnist'));
    assert.ok(trainLine >= 0, 'lenet5 trains on data=mnist');
    const missing = 'idx:data/mnist-raw';
    const changed = [...lines];
    changed[trainLine] = changed[trainLine]!.replace('data=mnist', `data=${missing}`);
    const a = analyze(changed.join('\n'), { baseDir: dirname(file) });
    const warning = missingDataDiagnostic(dataPaths(a)[0]!, a.spec.input);

    // Clean model: the status bar's accessible name has no codicon name in it, and a click shows the outline.
    const clean = analyze(lines.join('\n'), { baseDir: dirname(file) });
    const status = page.locator('.statusbar-item', { hasText: statusText(statusData(clean).text) }).first();
    await status.waitFor();
    const ariaOf = (el: Element) => el.getAttribute('aria-label') ?? el.querySelector('[aria-label]')?.getAttribute('aria-label') ?? '';
    assert.equal(await status.evaluate(ariaOf), statusData(clean).ariaLabel);
    await status.click();
    const firstConv = clean.layers.find((l) => l.layer.kind === 'conv')!;
    await page.locator('.part.sidebar .monaco-list-row', { hasText: lines[firstConv.layer.line]!.split('#')[0]!.trim() }).first().waitFor();
    await wb.screenshot('9-status-outline');

    await wb.goto(trainLine + 1, 'train data='.length + 1);
    for (let i = 0; i < 'mnist'.length; i++) await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.type(missing);
    await wb.squiggles('warning').first().waitFor({ state: 'attached' });
    await wb.waitForProblems({ errors: 0, warnings: 1 });
    const withWarning = statusData({ ...a, diagnostics: [...a.diagnostics, warning] });
    const warned = page.locator('.statusbar-item', { hasText: statusText(withWarning.text) }).first();
    await warned.waitFor();
    const markers = page.locator('.markers-panel');
    if (await markers.isVisible()) await wb.runCommand('View: Hide Panel');
    await markers.waitFor({ state: 'hidden' });
    await warned.click();
    await page.locator('.markers-panel .monaco-tl-row', { hasText: warning.message }).first().waitFor();
    await wb.screenshot('10-data-path-warning');

    await wb.goto(trainLine + 1, 'train data='.length + 2);
    const fix = (await wb.quickFixes()).filter({ hasText: warning.fixes![0]!.title });
    await fix.first().click();
    await wb.waitForProblems({ errors: 0, warnings: 0 });
    assert.equal(await wb.lineText(trainLine + 1), lines[trainLine]);
  });

  it('cifar-small.cnn: hover shows the arithmetic, completion offers keywords and parameters', async () => {
    const { wb, page } = session();
    const file = session().file('cifar-small.cnn');
    const a = analyze(readFileSync(file, 'utf8'), { baseDir: dirname(file) });
    const conv = a.layers.find((l) => l.layer.kind === 'conv')!;
    assert.ok(conv.formula, 'the language explains the conv arithmetic');

    await wb.openFile('cifar-small.cnn');
    await wb.goto(conv.layer.line + 1, 1);
    await timings.measure('hover (Ctrl+K Ctrl+I) shown', async () => {
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
      await page.locator('.monaco-hover', { hasText: conv.formula! }).first().waitFor();
    });
    await wb.screenshot('6-hover');
    await wb.dismiss();

    // A new line after the first conv: keywords first, then that keyword's parameters.
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('co');
    const suggest = page.locator('.suggest-widget .monaco-list-row');
    await timings.measure('completion of keywords shown', () => suggest.filter({ hasText: /^conv/ }).first().waitFor());
    await page.keyboard.press('Escape');
    await page.keyboard.type('nv 8 ');
    await page.keyboard.press('Control+Space');
    await suggest.filter({ hasText: 'kernel=' }).first().waitFor();
    assert.equal(await suggest.filter({ hasText: 'filters=' }).count(), 0, 'filters is already given as `8`');
    await wb.screenshot('7-completion');
    await wb.dismiss();
  });

  it('a simpleNN .config opens as a model: hints after each entry, hovers, and Convert writes its .cnn', async () => {
    const { wb, page } = session();
    const file = session().file('simplenn-lenet.config');
    const text = readFileSync(file, 'utf8');
    const a = analyzeConfig(text);
    assert.deepEqual(errorsOf(a.diagnostics), [], 'examples/simplenn-lenet.config itself must be error-free');
    const firstConv = a.layers.find((l) => l.layer.kind === 'conv')!;
    const lastDense = a.layers.filter((l) => l.layer.kind === 'dense').at(-1)!;

    await wb.openFile('simplenn-lenet.config');
    // Read as simpleNN, not as XML settings: the language mode says so and the shapes appear.
    await page.locator('.statusbar-item', { hasText: 'simpleNN model' }).first().waitFor({ timeout: 15_000 });
    const { hints } = await wb.waitForHints((h) => h.has(firstConv.layer.line + 1) && h.has(lastDense.layer.line + 1));
    assert.match(hints.get(firstConv.layer.line + 1) ?? '', /6×28×28/);
    assert.match(hints.get(lastDense.layer.line + 1) ?? '', /→ 10\b/);
    const row = (await wb.visibleLines()).get(firstConv.layer.line + 1)!;
    assert.equal(row.hintColumn, firstConv.layer.range.end.character, `the first hint follows the first conv's entry: ${JSON.stringify(row)}`);
    // (The status bar counts every open file's problems; this file's own squiggles are what it has.)
    assert.equal(await wb.squiggles('error').count() + await wb.squiggles('warning').count(), 0, 'the model is clean');

    await wb.goto(firstConv.layer.line + 1, firstConv.layer.range.start.character + 1);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    await page.locator('.monaco-hover', { hasText: firstConv.formula! }).first().waitFor();
    await wb.screenshot('11-simplenn-config');
    await wb.dismiss();

    await wb.runCommand('ConvLab: Convert simpleNN model to .cnn');
    await page.locator('.tabs-container .tab', { hasText: 'simplenn-lenet.cnn' }).first().waitFor({ timeout: 15_000 });
    const converted = readFileSync(file.replace(/\.config$/, '.cnn'), 'utf8');
    assert.equal(converted, configToCnn(text, { source: 'simplenn-lenet.config' }));
    assert.equal(analyze(converted).totalParams, a.totalParams, 'the .cnn is the same model');
    await wb.dismiss();
  });

  it('"ConvLab: Show log" opens the log, and nothing above failed in the extension host', async () => {
    const { wb, page } = session();
    await wb.runCommand('ConvLab: Show log');
    const log = page.locator('.part.panel .monaco-editor .view-lines');
    await log.filter({ hasText: 'activated' }).first().waitFor();
    const text = (await log.first().textContent()) ?? '';
    assert.doesNotMatch(text, /\[error\]/, `the ConvLab log has errors:\n${text}`);
    await wb.screenshot('8-log');
  });
});
