// The "Train model" panel in a real VS Code (code-server + Debian Chromium), asserted from the webview's
// DOM: once with WebGPU (Chromium's --enable-unsafe-webgpu gives the webview a SwiftShader adapter) and
// once without (requestAdapter() returns null, as on a machine without WebGPU: CPU engine + banner).
// SwiftShader is slow (a LeNet-5 step at batch 64 takes about a second), so the model is trained at
// batch 16 and every wait is for a few dozen steps at most.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { FrameLocator, Locator } from 'playwright-core';
import { readCheckpointFile } from '../../src/engine/checkpoint-file';
import { E2ESession, Timings } from './harness';

/**
 * examples/lenet5.cnn at batch 16 for 200 epochs (100,000 steps) and lr 0.02: far more than any test waits for, even
 * on the WebAssembly CPU engine (a few hundred steps/s here), so every run is still going when a test stops it.
 */
function shortRun(text: string): string {
  const out = text.replace(/^train .*$/m, (line) => line.replace(/batch=\d+/, 'batch=16').replace(/epochs=\d+/, 'epochs=200')
    // A learning rate at which the loss visibly falls within the few dozen steps a test waits for.
    .replace(/lr=[\d.e-]+/, 'lr=0.02'));
  assert.notEqual(out, text, 'lenet5.cnn has no train statement to shorten');
  return out;
}

interface Probe {
  status(): Promise<string>;
  globalStep(): Promise<number>;
}

function probe(frame: FrameLocator): Probe {
  return {
    status: async () => (await frame.locator('#status').getAttribute('data-status')) ?? '',
    globalStep: async () => Number(await frame.locator('#step-counter').getAttribute('data-global-step')),
  };
}

/**
 * Runs a palette command. Focus may move into a webview just after a tab is activated, which closes a
 * quick input opened at that moment, so a failed attempt is retried.
 */
async function runCommand(s: E2ESession, title: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await s.wb.runCommand(title);
      return;
    } catch (e) {
      if (attempt === 3) {
        await s.wb.screenshot(`command-failed-${title.replace(/\W+/g, '-')}`);
        throw e;
      }
      await s.wb.dismiss();
      await s.page.waitForTimeout(500);
    }
  }
}

async function waitFor<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeout: number): Promise<T> {
  const start = Date.now();
  let last: T;
  for (;;) {
    last = await read();
    if (ok(last)) return last;
    if (Date.now() - start > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Distinct colours in a canvas (a blank or uniform canvas has at most 1). */
async function distinctColours(canvas: Locator): Promise<number> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    if (c.width === 0 || c.height === 0) return 0;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return seen.size;
  });
}

interface PanelLayout {
  /** The panel page's width, and how far its content overflows it sideways. */
  readonly width: number;
  readonly overflow: number;
  /** Sideways overflow of the confusion matrix and gradient-check table inside their cards (null: not shown). */
  readonly confusionOverflow: number | null;
  readonly gradcheckOverflow: number | null;
  /** Right edge of the gradient check's Result column (null: not shown). */
  readonly resultRight: number | null;
  readonly stickyHeight: number;
  readonly viewportHeight: number;
}

async function panelLayout(frame: FrameLocator): Promise<PanelLayout> {
  return frame.locator('body').evaluate(() => {
    const doc = document.documentElement;
    const overflowOf = (selector: string) => {
      const table = document.querySelector<HTMLElement>(selector);
      return table && table.offsetParent ? table.scrollWidth - (table.parentElement as HTMLElement).clientWidth : null;
    };
    const result = document.querySelector('table.gradcheck th:last-child');
    return {
      width: doc.clientWidth, overflow: doc.scrollWidth - doc.clientWidth,
      confusionOverflow: overflowOf('table.confusion'), gradcheckOverflow: overflowOf('table.gradcheck'),
      resultRight: result && (result as HTMLElement).offsetParent ? result.getBoundingClientRect().right : null,
      stickyHeight: document.querySelector('.sticky-top')!.getBoundingClientRect().height, viewportHeight: window.innerHeight,
    };
  });
}

/** Scrolls the panel to its end; returns where the sticky header and the Stop button then are. */
async function scrolledToEnd(frame: FrameLocator): Promise<{ stickyTop: number; stopTop: number; scrolled: number }> {
  return frame.locator('body').evaluate(async () => {
    window.scrollTo(0, document.documentElement.scrollHeight);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return {
      stickyTop: document.querySelector('.sticky-top')!.getBoundingClientRect().top,
      stopTop: document.getElementById('stop')!.getBoundingClientRect().top,
      scrolled: window.scrollY,
    };
  });
}

/** Resizes the browser window until the panel page is about `width` px wide (the workbench around it takes the rest). */
async function panelWidth(s: E2ESession, frame: FrameLocator, width: number): Promise<number> {
  let now = (await panelLayout(frame)).width;
  for (let i = 0; i < 4 && Math.abs(now - width) > 8; i++) {
    const size = s.page.viewportSize()!;
    await s.page.setViewportSize({ width: Math.max(320, size.width + width - now), height: size.height });
    await s.page.waitForTimeout(700);
    now = (await panelLayout(frame)).width;
  }
  return now;
}

/** Opens lenet5.cnn (shortened), runs "ConvLab: Train model" and returns the panel's frame. */
async function openAndTrain(s: E2ESession, timings: Timings): Promise<FrameLocator> {
  writeFileSync(s.file('lenet5.cnn'), shortRun(readFileSync(s.file('lenet5.cnn'), 'utf8')));
  await s.wb.openFile('lenet5.cnn');
  await timings.measure('command → panel shows the model', async () => {
    await s.wb.runCommand('ConvLab: Train model');
    const frame = s.wb.newestWebview();
    await frame.locator('#title', { hasText: 'lenet5' }).waitFor({ timeout: 60_000 });
  });
  // The panel's editor group fills the window, so screenshots show the panel at a usable width.
  await runCommand(s, 'View: Toggle Maximize Editor Group');
  return s.wb.newestWebview();
}

for (const webgpu of [true, false]) {
  const backend = webgpu ? 'webgpu' : 'cpu';
  const theme = webgpu ? 'light' : 'dark';
  describe(`training panel in a real VS Code, ${webgpu ? 'with WebGPU (SwiftShader)' : 'without WebGPU (CPU worker)'}`, function () {
    this.timeout(120_000);
    const timings = new Timings();
    let session: E2ESession | undefined;
    let frame: FrameLocator;
    const consoleErrors: string[] = [];
    const s = () => {
      assert.ok(session, 'the session did not start (see the before hook)');
      return session;
    };
    const shot = (step: string) => s().wb.screenshot(`${backend}-${step}`);

    before(async function () {
      this.timeout(300_000);
      // The WebGPU run uses VS Code's default light theme, the CPU run the dark one (and ends in high contrast).
      const settings = webgpu ? {} : { 'workbench.colorTheme': 'Default Dark Modern' };
      session = await E2ESession.start({ name: 'panel', webgpu, timings, settings });
      // Console messages of every frame, the panel's included: CSP violations and uncaught errors show up here.
      session.page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
      session.page.on('pageerror', (e) => consoleErrors.push(e.message));
      frame = await openAndTrain(session, timings);
    });

    afterEach(() => {
      // The workbench logs unrelated errors (offline marketplace, missing vsda); the panel must add none.
      // The run's temp folder is named convlab-e2e-…: strip it so workbench noise about its own files
      // (e.g. a settings read cancelled by a reload) does not count as ours.
      const ours = consoleErrors.splice(0).filter((t) =>
        /Content Security Policy|Refused to|webview\.js|cpu-worker|convlab/i.test(t.replace(/convlab-e2e-[\w-]+/g, '')));
      assert.deepEqual(ours, [], 'no CSP violations or panel errors in the console');
    });

    after(async function () {
      this.timeout(30_000);
      await session?.close();
      timings.print(`panel e2e timings (${backend})`);
    });

    it(`trains on the ${backend} engine${webgpu ? '' : ' and says why WebGPU is missing'}`, async () => {
      const p = probe(frame);
      await timings.measure('first step reported', () => waitFor('the first step', p.globalStep, (n) => n > 0, 90_000));
      assert.equal(await p.status(), 'running');
      assert.equal(await frame.locator('#backend-badge').getAttribute('data-backend'), backend);
      const banner = frame.locator('#banner-main');
      if (webgpu) {
        assert.equal(await banner.isVisible(), false, 'no fallback banner when WebGPU works');
        assert.match((await frame.locator('#backend-badge').textContent()) ?? '', /WebGPU/);
      } else {
        await banner.waitFor({ state: 'visible' });
        const text = (await banner.textContent()) ?? '';
        assert.match(text, /WebGPU is not available/);
        assert.match(text, /requestAdapter\(\) returned null/, 'the banner gives the reason');
        assert.match(text, /CPU engine/);
      }
      assert.equal(await frame.locator('#banner-error').isVisible(), false, 'no error banner');
    });

    it('plots the loss, and the loss falls', async () => {
      const chart = frame.locator('#loss-chart');
      const points = await timings.measure('20 loss reports', () =>
        waitFor('20 loss reports', async () => Number(await chart.getAttribute('data-points')), (n) => n >= 20, 100_000));
      assert.ok(points >= 20);
      const first = Number(await chart.getAttribute('data-first'));
      const last = Number(await chart.getAttribute('data-last'));
      assert.ok(Number.isFinite(first) && Number.isFinite(last), `loss values ${first} … ${last}`);
      assert.ok(first > 1.5 && first < 3.5, `an untrained 10-class network starts near ln 10 ≈ 2.30, got ${first}`);
      assert.ok(last < first - 0.1, `smoothed loss should fall: ${first} → ${last}`);
      assert.ok(await distinctColours(chart.locator('canvas').first()) > 2, 'the loss chart is drawn');
    });

    it('draws every conv/pool layer\'s feature maps, the input and the filters', async () => {
      const maps = frame.locator('canvas.feature-map');
      await maps.nth(3).waitFor({ timeout: 30_000 });
      assert.equal(await maps.count(), 4, 'LeNet-5 has 2 conv and 2 pool layers');
      for (let i = 0; i < 4; i++) {
        const colours = await distinctColours(maps.nth(i));
        assert.ok(colours > 10, `feature-map canvas ${i} should be a heat map, has ${colours} colours`);
      }
      assert.ok(await distinctColours(frame.locator('#input-canvas')) > 10, 'the test image is drawn');
      assert.ok(await distinctColours(frame.locator('#filters-canvas')) > 10, 'the first-layer filters are drawn');
      assert.match((await frame.locator('#example-info').textContent()) ?? '', /label .* predicted/);
      assert.ok(Number(await frame.locator('#gradnorm-chart').getAttribute('data-points')) >= 1, 'gradient norms are plotted');
      await shot('training');
      await frame.locator('#features-card').scrollIntoViewIfNeeded();
      await shot('features');
      await frame.locator('#loss-card').scrollIntoViewIfNeeded();
    });

    it('pause stops the step counter, step once adds one step, resume continues', async () => {
      const p = probe(frame);
      await frame.locator('#pause').click();
      await waitFor('paused', p.status, (v) => v === 'paused', 30_000);
      const paused = await p.globalStep();
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(await p.globalStep(), paused, 'no steps while paused');
      assert.equal((await frame.locator('#pause').textContent())?.trim(), 'Resume');
      await shot('paused');

      await frame.locator('#step').click();
      await waitFor('one more step', p.globalStep, (n) => n === paused + 1, 30_000);
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(await p.globalStep(), paused + 1, 'exactly one step');
      assert.equal(await p.status(), 'paused');

      await frame.locator('#pause').click();
      await waitFor('running again', p.status, (v) => v === 'running', 30_000);
      await waitFor('steps after resume', p.globalStep, (n) => n > paused + 2, 60_000);
    });

    it('"Train model" again re-attaches to the running panel; a hidden panel keeps training', async () => {
      const p = probe(frame);
      await runCommand(s(), 'ConvLab: Train model');
      await s().page.locator('.notifications-toasts .notification-toast', { hasText: 'is already training' }).waitFor({ timeout: 15_000 });
      assert.equal(await s().page.locator('.tabs-container .tab', { hasText: 'Train lenet5' }).count(), 1, 'one panel per model');
      assert.equal(await p.status(), 'running', 'the run was not restarted');

      const before = await p.globalStep();
      const points = Number(await frame.locator('#loss-chart').getAttribute('data-points'));
      await s().wb.openFile('mlp.cnn');  // opens in the panel's group, hiding the panel
      await new Promise((r) => setTimeout(r, 3000));
      await s().page.locator('.tabs-container .tab', { hasText: 'Train lenet5' }).click();
      await frame.locator('#title', { hasText: 'lenet5' }).waitFor();
      assert.ok(await p.globalStep() > before, 'training went on while the panel was hidden');
      assert.ok(Number(await frame.locator('#loss-chart').getAttribute('data-points')) >= points, 'the plots kept their history');
    });

    it('stop ends the run and the host saves the checkpoint beside the model', async () => {
      const p = probe(frame);
      await frame.locator('#stop').click();
      await waitFor('done', p.status, (v) => v === 'done', 60_000);
      const steps = await p.globalStep();
      const path = s().file('lenet5.ckpt.safetensors');
      await waitFor('the checkpoint file', async () => existsSync(path), Boolean, 30_000);
      const checkpoint = await readCheckpointFile(path);
      assert.equal(checkpoint.metadata.step, steps, 'the checkpoint holds the final step');
      assert.equal(checkpoint.metadata.backend, backend);
      assert.ok(checkpoint.tensors.has('layers.0.weight'));
      assert.ok(checkpoint.tensors.has('optim.layers.0.weight.momentum'), 'optimizer state is saved for resuming');
      const toast = s().page.locator('.notifications-toasts .notification-toast', { hasText: 'lenet5: stopped after' });
      await toast.waitFor({ timeout: 15_000 });
      assert.match((await toast.textContent()) ?? '', /Open checkpoint/);
      await shot('stopped');
    });

    it('"Check gradients" reports every tensor in a table', async function () {
      this.timeout(240_000);
      // From the palette while the panel is the active editor: the command applies to the panel's model.
      await s().page.locator('.tabs-container .tab', { hasText: 'Train lenet5' }).click();
      await s().page.waitForTimeout(500);
      await runCommand(s(), 'ConvLab: Check gradients');
      const table = frame.locator('table.gradcheck');
      await timings.measure('gradient check', () => table.waitFor({ timeout: 220_000 }));
      const rows = table.locator('tbody tr');
      assert.equal(await rows.count(), 10, 'LeNet-5 has 5 weight and 5 bias tensors');
      const summary = (await frame.locator('.gradcheck-summary').textContent()) ?? '';
      assert.match(summary, webgpu ? /webgpu/ : /cpu \(f64\)/);
      assert.match(summary, /All gradients agree/, summary);
      await frame.locator('#gradcheck-card').scrollIntoViewIfNeeded();
      await shot('gradcheck');
    });

    it(`fits its width from 400 px to full screen (${theme} theme); the header stays in view; cards fold`, async function () {
      this.timeout(90_000);
      const page = s().page;
      const windowSize = page.viewportSize()!;
      await page.locator('.tabs-container .tab', { hasText: 'Train lenet5' }).click();
      await frame.locator('#title', { hasText: 'lenet5' }).waitFor();
      try {
        for (const target of [null, 400]) {
          const width = target === null ? (await panelLayout(frame)).width : await panelWidth(s(), frame, target);
          if (target !== null) assert.ok(Math.abs(width - target) <= 8, `the panel is ${width} px wide, wanted about ${target}`);
          const layout = await panelLayout(frame);
          assert.equal(await frame.locator('#settings-title').getAttribute('aria-expanded'), target === null ? 'true' : 'false',
            'the settings fold to a summary line in a narrow panel and open in a wide one');
          assert.ok(layout.overflow <= 0, `nothing runs off the side at ${width} px: ${JSON.stringify(layout)}`);
          if (!webgpu) assert.notEqual(layout.confusionOverflow, null, 'the CPU run finished an epoch, so its confusion matrix is shown');
          assert.ok((layout.confusionOverflow ?? 0) <= 0, `the confusion matrix fits its card at ${width} px: ${JSON.stringify(layout)}`);
          assert.notEqual(layout.gradcheckOverflow, null, 'the gradient check above left its table');
          assert.ok(layout.gradcheckOverflow! <= 0 && layout.resultRight! <= width, `the Result column is in view at ${width} px: ${JSON.stringify(layout)}`);
          assert.ok(layout.stickyHeight < 0.5 * layout.viewportHeight, `the sticky header is compact: ${layout.stickyHeight} of ${layout.viewportHeight} px`);
          await frame.locator('body').evaluate(() => window.scrollTo(0, 0));
          await shot(`layout-${theme}-${target === null ? 'full' : `${target}px`}`);
          const end = await scrolledToEnd(frame);
          assert.ok(end.scrolled > 0, 'the cards are taller than the panel');
          assert.ok(Math.abs(end.stickyTop) <= 1 && end.stopTop >= 0, `controls stay in view after scrolling: ${JSON.stringify(end)}`);
          if (target !== null) await shot(`layout-${theme}-${target}px-scrolled`);
        }
        // A card folds to its title and unfolds with its chart redrawn.
        await frame.locator('body').evaluate(() => window.scrollTo(0, 0));
        const fold = frame.locator('#loss-title');
        await fold.click();
        assert.equal(await fold.getAttribute('aria-expanded'), 'false');
        assert.equal(await frame.locator('#loss-body').isVisible(), false, 'a folded card hides its body');
        await fold.click();
        await frame.locator('#loss-body').waitFor({ state: 'visible' });
        await waitFor('the loss chart redrawn', () => distinctColours(frame.locator('#loss-chart canvas').first()), (n) => n > 2, 10_000);
      } finally {
        await page.setViewportSize(windowSize);
        await page.waitForTimeout(500);
      }
    });

    if (!webgpu) {
      it('"Resume from checkpoint" continues the saved run; "Save checkpoint" writes it', async () => {
        const p = probe(frame);
        const path = s().file('lenet5.ckpt.safetensors');
        const { step: saved, epoch: savedEpoch } = (await readCheckpointFile(path)).metadata;
        await frame.locator('#resume-checkpoint').click();
        // A quick pick of the model's numbered checkpoints, newest (the one the stop saved) first and active.
        const numbered = `lenet5.step-${String(saved).padStart(6, '0')}.ckpt.safetensors`;
        const pick = s().page.locator('.quick-input-widget');
        await pick.locator('.monaco-list-row', { hasText: numbered }).first().waitFor({ timeout: 15_000 });
        await pick.locator('.quick-input-box input').press('Enter');
        await pick.waitFor({ state: 'hidden', timeout: 5_000 });
        await waitFor('training again', p.status, (v) => v === 'running', 30_000).catch(async (e: Error) => {
          await shot('resume-failed');
          const errors = await frame.locator('#banner-error').textContent();
          throw new Error(`${e.message}; panel error: ${errors}`);
        });
        await frame.locator('#notice', { hasText: `Resuming from ${numbered} (epoch ${savedEpoch + 1}, step ${saved})` }).waitFor();
        await waitFor('steps after the saved one', p.globalStep, (n) => n > saved + 4, 30_000);
        const continued = Number(await frame.locator('#loss-chart').getAttribute('data-points'));
        assert.ok(continued > 5, `the resumed run continues the plotted loss curve (${continued} points)`);

        await frame.locator('#pause').click();
        await waitFor('paused', p.status, (v) => v === 'paused', 30_000);
        const pausedAt = await p.globalStep();
        await frame.locator('#save').click();
        await frame.locator('#notice', { hasText: 'Checkpoint saved' }).waitFor({ timeout: 15_000 });
        assert.equal((await readCheckpointFile(path)).metadata.step, pausedAt, 'the paused step was saved');
        await frame.locator('#stop').click();
        await waitFor('done', p.status, (v) => v === 'done', 30_000);
      });

      it('follows a switch to a high-contrast theme', async () => {
        await s().page.locator('.tabs-container .tab', { hasText: 'Train lenet5' }).click();
        await s().page.waitForTimeout(500);
        // "Preferences: Browse Color Themes in Marketplace" ranks first, so pick the row by its exact label.
        await s().page.keyboard.press('Control+Shift+P');
        const input = s().page.locator('.quick-input-widget .quick-input-box input');
        await input.fill('>Preferences: Color Theme');
        await s().page.locator('.quick-input-widget .monaco-list-row', { hasText: /^Preferences: Color Theme/ }).click();
        await input.fill('Dark High Contrast');
        await s().page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: 'Dark High Contrast' }).waitFor();
        await s().page.keyboard.press('Enter');
        await frame.locator('body.vscode-high-contrast').waitFor({ state: 'attached', timeout: 20_000 });
        await frame.locator('#loss-card').scrollIntoViewIfNeeded();
        assert.ok(await distinctColours(frame.locator('#loss-chart canvas').first()) > 2, 'the loss chart is redrawn');
        await shot('high-contrast');
      });
      it('marks values set in the panel that differ from the file, writes them to the train line, and says when the network changed', async function () {
        this.timeout(90_000);
        const path = s().file('lenet5.cnn');
        await s().page.locator('.tabs-container .tab', { hasText: 'Train lenet5' }).click();
        await frame.locator('#title', { hasText: 'lenet5' }).waitFor();
        if (await frame.locator('#settings-title').getAttribute('aria-expanded') === 'false') await frame.locator('#settings-title').click();
        const fileEpochs = Number(/epochs=(\d+)/.exec(readFileSync(path, 'utf8'))![1]);
        const epochs = fileEpochs + 5;
        await frame.locator('#epochs').evaluate((el, value) => {
          (el as HTMLInputElement).value = String(value);
          el.dispatchEvent(new Event('input', { bubbles: true }));
          el.dispatchEvent(new Event('change', { bubbles: true }));
        }, epochs);
        const marked = frame.locator('label.field.override[for="epochs"]');
        await marked.waitFor({ timeout: 10_000 });
        assert.match((await marked.getAttribute('title')) ?? '', new RegExp(`\\b${fileEpochs}\\b`), 'the tooltip gives the file\'s value');
        await shot('override');
        await frame.locator('#write-settings').click();
        // The file now says what the panel says, so nothing is an override any more.
        await marked.waitFor({ state: 'detached', timeout: 15_000 });
        // The edit went into the open document; saving it puts it on disk.
        await runCommand(s(), 'File: Save All');
        await waitFor('the saved train line', async () => readFileSync(path, 'utf8'), (t) => new RegExp(`\\bepochs=${epochs}\\b`).test(t), 15_000);
        assert.match(readFileSync(path, 'utf8'), new RegExp(`^train .*\\bepochs=${epochs}\\b`, 'm'), 'the train line holds the panel\'s epochs');

        // A change to the network itself (not a comment or a setting) is announced with the new parameter count.
        // Typed in the editor (the file watcher's timing is code-server's, an edit's is ours).
        const denseLine = readFileSync(path, 'utf8').split('\n').findIndex((l) => /^dense 84\b/.test(l));
        assert.ok(denseLine >= 0, 'lenet5.cnn has a dense 84 layer');
        await s().wb.openFile('lenet5.cnn');
        await s().wb.goto(denseLine + 1, 'dense '.length + 1);
        await s().page.keyboard.press('Shift+End');
        await s().page.keyboard.type('64');
        await s().wb.save();  // a reload later must not meet an unsaved file
        await s().page.locator('.tabs-container .tab', { hasText: 'Train lenet5' }).click();
        const note = frame.locator('#model-changed');
        await note.waitFor({ state: 'visible', timeout: 20_000 });
        assert.match((await note.textContent()) ?? '', /The model changed since this panel loaded it \([\d,]+ parameters now, [\d,]+ in this panel\)/);
        await shot('model-changed');
      });

      it('is restored with its plots after VS Code reloads', async () => {
        const points = Number(await frame.locator('#loss-chart').getAttribute('data-points'));
        assert.ok(points > 0);
        await timings.measure('reload → panel restored', async () => {
          await s().page.reload();
          await s().wb.waitReady();
          // The workbench brings back whichever tab of the group was last active; show the panel's.
          await s().page.locator('.tabs-container .tab', { hasText: 'Train lenet5' }).click();
          frame = s().wb.newestWebview();
          await frame.locator('#title', { hasText: 'lenet5' }).waitFor({ timeout: 60_000 }).catch(async (e: Error) => {
            await shot('reload-failed');
            throw e;
          });
        });
        // The saved state keeps a decimated history (up to 600 points per series). In a browser the workbench
        // stores webview state on its own schedule, so a reload may restore a slightly older snapshot.
        const restored = Number(await frame.locator('#loss-chart').getAttribute('data-points'));
        assert.ok(restored > 0, `restored ${restored} loss points (had ${points})`);
        assert.equal(await probe(frame).status(), 'idle', 'ready to train again');
        await frame.locator('#start:not([disabled])').waitFor();
        await shot('restored');
      });

      it('"Train model" for a second model opens its panel in the group of the first', async function () {
        this.timeout(90_000);
        const page = s().page;
        await s().wb.openFile('mlp.cnn');
        const groups = () => page.locator('.editor-group-container').count();
        const before = await groups();
        await runCommand(s(), 'ConvLab: Train model');
        await page.locator('.tabs-container .tab', { hasText: 'Train mlp' }).waitFor({ timeout: 60_000 });
        const shared = page.locator('.editor-group-container', { has: page.locator('.tab', { hasText: 'Train mlp' }) });
        assert.equal(await shared.locator('.tab', { hasText: 'Train lenet5' }).count(), 1, 'both training panels are tabs of one group');
        assert.ok(await groups() <= Math.max(before, 2), `no new editor group: ${before} before, ${await groups()} after`);
        await shot('two-models-one-group');
      });

      it('trains with optimizer=newton and plots its iterations: f falls, with ‖∇f‖ and λ beside it', async function () {
        this.timeout(120_000);
        const page = s().page;
        await s().wb.openFile('newton-mlp.cnn');
        await runCommand(s(), 'ConvLab: Train model');
        await page.locator('.tabs-container .tab', { hasText: 'Train newton-mlp' }).waitFor({ timeout: 60_000 });
        const panel = s().wb.newestWebview();
        await panel.locator('#title', { hasText: 'newton-mlp' }).waitFor({ timeout: 60_000 });
        const chart = panel.locator('#newton-chart');
        await waitFor('two Newton iterations', async () => Number(await chart.getAttribute('data-iterations')), (n) => n >= 2, 100_000);
        assert.equal(await panel.locator('#newton-card').isVisible(), true, 'the Newton card shows for optimizer=newton');
        const first = Number(await chart.getAttribute('data-first-f')), last = Number(await chart.getAttribute('data-last-f'));
        assert.ok(last < first, `f falls: ${first} → ${last}`);
        assert.ok(await panel.locator('table.newton tbody tr').count() >= 2, 'a table row per iteration');
        assert.ok(await distinctColours(chart.locator('canvas').first()) > 2, 'the chart is drawn');
        await panel.locator('#newton-card').scrollIntoViewIfNeeded();
        await shot('newton');
        await waitFor('the run to end', () => probe(panel).status(), (v) => v === 'done', 100_000);
      });
    }
  });
}
