// Reusable fixture for end-to-end tests in a real VS Code (code-server 4.139 = VS Code 1.139) driven by
// Debian's Chromium through playwright-core. One `E2ESession` = packaged extension installed into a
// fresh profile + code-server on a free loopback port + a headless Chromium on a temp copy of
// examples/. Everything it starts is stopped by `close()`, which the suite calls from an `after` hook.
//
//   const s = await E2ESession.start({ name: 'train' });          // in before(), this.timeout(180_000)
//   await s.wb.openFile('lenet5.cnn');
//   await s.wb.runCommand('ConvLab: Train model');
//   const frame = await s.wb.newestWebview();                    // FrameLocator inside the panel
//   await s.wb.screenshot('train-started');
//   await s.close();                                             // in after()
import { strict as assert } from 'node:assert';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';
import {
  ensureInstalled, folderUrl, packageExtension, startCodeServer, type CodeServer,
} from '../../scripts/e2e/code-server.mjs';

/** Repository root. Tests are bundled to out/test/e2e/*.js, sources live in test/e2e/*.ts. */
export const repoRoot = resolve(__dirname, '..', '..', '..');
export const outputDir = join(repoRoot, 'test-output', 'e2e');
export const chromiumPath = process.env.CONVLAB_CHROMIUM ?? '/usr/bin/chromium';

const chromiumArgs = [
  '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic', '--disable-dev-shm-usage',
];

/** Named durations, printed as a table at the end of a suite. */
export class Timings {
  readonly entries: { name: string; ms: number }[] = [];
  private readonly t0 = Date.now();
  /** Times `fn` and records it under `name`. */
  async measure<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.record(name, performance.now() - start);
    }
  }
  record(name: string, ms: number): void {
    this.entries.push({ name, ms: Math.round(ms) });
  }
  print(title = 'e2e timings'): void {
    const width = Math.max(...this.entries.map((e) => e.name.length), 10);
    const lines = this.entries.map((e) => `    ${e.name.padEnd(width)}  ${String(e.ms).padStart(7)} ms`);
    console.log(`  ${title} (total ${Date.now() - this.t0} ms):\n${lines.join('\n')}`);
  }
}

export interface SessionOptions {
  /** Used for the temp folder and screenshot names. */
  readonly name: string;
  /** Folder copied as the workspace (default: examples/). The copy is what gets opened and edited. */
  readonly workspaceSource?: string;
  /** Extra user settings. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Start Chromium with --enable-unsafe-webgpu (default true); false = a machine without WebGPU. */
  readonly webgpu?: boolean;
  readonly timings?: Timings;
  /** Package and install the extension (default true); false runs a bare VS Code (for harness checks). */
  readonly extension?: boolean;
}

export class E2ESession {
  private constructor(
    readonly runDir: string,
    readonly workspace: string,
    readonly server: CodeServer,
    readonly context: BrowserContext,
    readonly page: Page,
    readonly wb: Workbench,
    readonly timings: Timings,
  ) {}

  /** Packages + installs the extension, starts code-server and Chromium, and opens the workspace. */
  static async start(opts: SessionOptions): Promise<E2ESession> {
    const timings = opts.timings ?? new Timings();
    const paths = await timings.measure('e2e-setup (cached)', async () => ensureInstalled(repoRoot));
    assert.ok(existsSync(chromiumPath), `${chromiumPath} is missing: run bash scripts/ensure-system-deps.sh`);
    const vsix = opts.extension === false
      ? undefined
      : await timings.measure('package extension', async () => packageExtension(repoRoot, () => {}));

    const runDir = mkdtempSync(join(tmpdir(), `convlab-e2e-${opts.name}-`));
    const workspace = join(runDir, 'workspace', 'examples');
    cpSync(opts.workspaceSource ?? join(repoRoot, 'examples'), workspace, { recursive: true });

    let server: CodeServer | undefined;
    let context: BrowserContext | undefined;
    try {
      server = await timings.measure('install + start code-server', () =>
        startCodeServer({ runDir, vsix, workspace, paths, root: repoRoot, settings: opts.settings }));
      const srv = server;
      context = await timings.measure('launch chromium', () =>
        chromium.launchPersistentContext(join(runDir, 'chromium'), {
          executablePath: chromiumPath,
          headless: true,
          viewport: { width: 1400, height: 900 },
          args: [...chromiumArgs, ...(opts.webgpu === false ? [] : ['--enable-unsafe-webgpu'])],
        }));
      const page = context.pages()[0] ?? (await context.newPage());
      const wb = new Workbench(page, opts.name);
      await timings.measure('workbench ready', async () => {
        await page.goto(folderUrl(srv.url, workspace));
        await wb.waitReady();
      });
      return new E2ESession(runDir, workspace, srv, context, page, wb, timings);
    } catch (e) {
      await context?.close().catch(() => {});
      await server?.stop();
      if (server) console.error(`code-server log (${server.logFile}):\n${tail(server.logFile)}`);
      rmSync(runDir, { recursive: true, force: true });
      throw e;
    }
  }

  /** Path of a file in the workspace copy. */
  file(name: string): string {
    return join(this.workspace, name);
  }

  /** Closes Chromium and kills code-server's process group; removes the run folder (kept with CONVLAB_E2E_KEEP=1). */
  async close(): Promise<void> {
    await this.context.close().catch(() => {});
    await this.server.stop();
    if (process.env.CONVLAB_E2E_KEEP === '1') console.log(`  kept ${this.runDir}`);
    else rmSync(this.runDir, { recursive: true, force: true });
  }
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Counts from the status bar's problems item. */
export interface ProblemCounts { readonly errors: number; readonly warnings: number }

/** Drives the VS Code workbench through its DOM. Selectors verified on VS Code 1.139 (code-server 4.139). */
export class Workbench {
  constructor(readonly page: Page, readonly name: string) {}

  async waitReady(timeout = 60_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout });
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout });
  }

  /** Opens a workspace file through quick open and waits for its tab and editor. */
  async openFile(name: string): Promise<void> {
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor();
    await input.fill(name);
    await this.page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: name }).waitFor();
    await this.page.keyboard.press('Enter');
    // The active group's tab: the same file may also be open, and active, in another group.
    await this.page.locator('.editor-group-container.active .tabs-container .tab.active', { hasText: name }).waitFor();
    await this.editor().locator('.view-lines').waitFor();
    await this.editor().locator('textarea, .native-edit-context').first().focus();
  }

  /** Saves the active editor (Ctrl+S; code-server also auto-saves later) so the file on disk matches it. */
  async save(): Promise<void> {
    await this.page.keyboard.press('Control+S');
    await this.page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached' });
    // The tab stops looking dirty when the save starts; give the (tiny) write time to land.
    await this.page.waitForTimeout(500);
  }

  /** The active editor group's text editor. */
  editor(): Locator {
    return this.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
  }

  /** Runs a command palette entry by its full title, e.g. 'ConvLab: Train model'. */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('Control+Shift+P');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await this.page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: title }).waitFor();
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /** Moves the cursor to a 1-based line and column with Go to Line (Ctrl+G). */
  async goto(line: number, column = 1): Promise<void> {
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor();
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /** Error/warning counts from the status bar (`Errors: N, Warnings: M` in its aria-label). */
  async problemCounts(): Promise<ProblemCounts> {
    const label = (await this.page.locator('#status\\.problems').first().getAttribute('aria-label')) ?? '';
    const num = (re: RegExp) => Number(re.exec(label)?.[1] ?? 0);
    return { errors: num(/Errors?:\s*(\d+)/i), warnings: num(/Warnings?:\s*(\d+)/i) };
  }

  /** Waits until the status bar shows `errors` errors (and, if given, `warnings` warnings). */
  async waitForProblems(expected: { errors: number; warnings?: number }, timeout = 15_000): Promise<void> {
    try {
      await this.page.waitForFunction(
        ({ errors, warnings }) => {
          const label = document.getElementById('status.problems')?.getAttribute('aria-label') ?? '';
          const num = (re: RegExp) => Number(re.exec(label)?.[1] ?? 0);
          return num(/Errors?:\s*(\d+)/i) === errors && (warnings === undefined || num(/Warnings?:\s*(\d+)/i) === warnings);
        },
        expected,
        { timeout },
      );
    } catch (e) {
      const seen = await this.problemCounts();
      throw new Error(`status bar shows ${JSON.stringify(seen)}, expected ${JSON.stringify(expected)}: ${(e as Error).message}`);
    }
  }

  async waitForErrors(errors: number, timeout = 15_000): Promise<void> {
    await this.waitForProblems({ errors }, timeout);
  }

  /** Squiggles of one severity in the active editor. */
  squiggles(severity: 'error' | 'warning' | 'info' = 'error'): Locator {
    return this.editor().locator(`.squiggly-${severity}`);
  }

  /** Closes whatever transient UI is open (menus, quick input, suggest, hovers) and focuses the editor. */
  async dismiss(): Promise<void> {
    for (let i = 0; i < 3; i++) await this.page.keyboard.press('Escape');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' }).catch(() => {});
  }

  /** Opens the Problems panel (if hidden) and returns its rows. */
  async problems(): Promise<Locator> {
    const panel = this.page.locator('.markers-panel');
    if (!(await panel.isVisible())) await this.page.keyboard.press('Control+Shift+M');
    await panel.waitFor();
    return panel.locator('.monaco-tl-row');
  }

  /**
   * The visible lines of the active editor: 1-based line number → its text, its inlay hints' text and the
   * column of the line's text where its first hint sits (-1 without one).
   * Only lines on screen are in the DOM (use `goto` to scroll). See `installLineScanner` for how.
   */
  async visibleLines(): Promise<Map<number, { text: string; hint: string; hintColumn: number }>> {
    await this.ensureScanner();
    const entries = await this.editor().evaluate((editor: Element) => window.__convlabScanLines!(editor));
    return new Map(entries);
  }

  /** Text of a visible line of the active editor (without inlay hints); undefined when not on screen. */
  async lineText(line: number): Promise<string | undefined> {
    return (await this.visibleLines()).get(line)?.text;
  }

  /** Inlay hints of the visible lines of the active editor: 1-based line number → hint text. */
  async inlayHints(): Promise<Map<number, string>> {
    const hints = new Map<number, string>();
    for (const [line, { hint }] of await this.visibleLines()) if (hint) hints.set(line, hint);
    return hints;
  }

  /** Polls `inlayHints()` until `pred` holds; returns the hints and how long it took. */
  async waitForHints(pred: (hints: Map<number, string>) => boolean, timeout = 10_000): Promise<{ hints: Map<number, string>; ms: number }> {
    const start = performance.now();
    for (;;) {
      const hints = await this.inlayHints();
      if (pred(hints)) return { hints, ms: performance.now() - start };
      if (performance.now() - start > timeout) {
        throw new Error(`inlay hints did not reach the expected state in ${timeout} ms; saw ${JSON.stringify([...hints])}`);
      }
      await this.page.waitForTimeout(50);
    }
  }

  /**
   * Waits until the hint on a 1-based line reads exactly `expected`, checking inside the page on every
   * animation frame (no round trips), and returns the milliseconds it took from the call.
   */
  async waitForHint(line: number, expected: string, timeout = 10_000): Promise<number> {
    await this.ensureScanner();
    const start = performance.now();
    try {
      await this.page.waitForFunction(
        ({ line, expected }) => {
          const editor = document.querySelector('.editor-group-container.active .editor-instance .monaco-editor');
          return !!editor && window.__convlabScanLines!(editor).some(([l, v]) => l === line && v.hint === expected);
        },
        { line, expected },
        { polling: 'raf', timeout },
      );
    } catch (e) {
      const seen = (await this.visibleLines()).get(line);
      throw new Error(`line ${line}: expected the hint "${expected}", saw ${JSON.stringify(seen)}: ${(e as Error).message}`);
    }
    return performance.now() - start;
  }

  /** Defines `window.__convlabScanLines` in the page once (see `installLineScanner`). */
  private async ensureScanner(): Promise<void> {
    if (await this.page.evaluate(() => typeof window.__convlabScanLines === 'function')) return;
    await this.page.evaluate(installLineScanner);
  }

  /** Opens the quick-fix menu (Ctrl+.) at the cursor and returns its entries. */
  async quickFixes(): Promise<Locator> {
    const entries = this.page.locator('.action-widget .monaco-list-row.action');
    // On a busy machine the first Ctrl+. can land while the editor is still taking focus back (after
    // Ctrl+G) or before its code actions are computed; the menu then never opens, so ask again.
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.press('Control+.');
      try {
        await entries.first().waitFor({ timeout: 8_000 });
        return entries;
      } catch (e) {
        if (attempt === 4) throw e;
        await this.page.keyboard.press('Escape');
      }
    }
  }

  /** The content frame of the newest webview panel (its inner `#active-frame`). */
  newestWebview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready >> nth=-1').frameLocator('iframe#active-frame');
  }

  /** Saves a full-page screenshot to test-output/e2e/<session>-<step>.png and returns its path. */
  async screenshot(step: string): Promise<string> {
    mkdirSync(outputDir, { recursive: true });
    const path = join(outputDir, `${this.name}-${step}.png`);
    await this.page.screenshot({ path });
    return path;
  }
}

declare global {
  interface Window {
    __convlabScanLines?: (editor: Element) => [number, { text: string; hint: string; hintColumn: number }][];
  }
}

/**
 * Runs in the page. VS Code 1.139 renders an inlay hint as a span with a generated `dyn-rule-*` class whose
 * CSS rule (in a small <style> of its own) uses the `--vscode-editorInlayHint-*` theme variables; a line's
 * number comes from the margin row at the same `top`. Which classes are hints is cached per class name, so
 * a scan only reads the rules of classes it has not seen (the workbench's big static sheets never).
 */
function installLineScanner(): void {
  const known = new Map<string, boolean>();
  const classify = (cls: string): boolean => {
    const cached = known.get(cls);
    if (cached !== undefined) return cached;
    let isHint = false;
    for (const sheet of Array.from(document.styleSheets)) {
      if (sheet.ownerNode?.nodeName !== 'STYLE') continue;
      let rules: CSSRuleList;
      try {
        rules = sheet.cssRules;
      } catch {
        continue;
      }
      for (const rule of Array.from(rules)) {
        if (rule instanceof CSSStyleRule && rule.selectorText.includes(`.${cls}`)) {
          isHint ||= rule.cssText.includes('editorInlayHint');
        }
      }
    }
    known.set(cls, isHint);
    return isHint;
  };
  window.__convlabScanLines = (editor: Element) => {
    const lineAt = new Map<string, number>();
    for (const el of Array.from(editor.querySelectorAll<HTMLElement>('.margin-view-overlays > div'))) {
      const n = el.querySelector('.line-numbers')?.textContent;
      if (n) lineAt.set(el.style.top, Number(n));
    }
    const isHint = (s: Element) => Array.from(s.classList).some((c) => c.startsWith('dyn-rule-') && classify(c));
    const clean = (parts: Element[]) => parts.map((s) => s.textContent ?? '').join('').replace(/\u00a0/g, ' ');
    const out: [number, { text: string; hint: string; hintColumn: number }][] = [];
    for (const vl of Array.from(editor.querySelectorAll<HTMLElement>('.view-lines .view-line'))) {
      const line = lineAt.get(vl.style.top);
      if (line === undefined) continue;
      const leaves = Array.from(vl.querySelectorAll('span')).filter((s) => s.children.length === 0);
      const firstHint = leaves.findIndex(isHint);
      out.push([line, {
        text: clean(leaves.filter((s) => !isHint(s))),
        hint: clean(leaves.filter(isHint)).trim(),
        hintColumn: firstHint < 0 ? -1 : clean(leaves.slice(0, firstHint).filter((s) => !isHint(s))).length,
      }]);
    }
    return out.sort((a, b) => a[0] - b[0]);
  };
}
