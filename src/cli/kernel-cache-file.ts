// The CLI's kernel-choice cache: one JSON file, by default $XDG_CACHE_HOME/convlab/kernels.json
// (~/.cache/convlab/kernels.json). Written atomically (a temp file beside it, then a rename), so
// two runs at once or a kill mid-write leave the old file or the new one. A file that cannot be
// read or parsed is reported as a warning and measured again, never a failure.

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errorMessage, type KernelChoiceCache, type KernelChoiceRecord } from '../engine';

/** Where the cache lives for this environment: $XDG_CACHE_HOME (when absolute) or ~/.cache. */
export function defaultKernelCachePath(env: NodeJS.ProcessEnv, home: string): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && xdg.startsWith('/') ? xdg : join(home, '.cache');
  return join(base, 'convlab', 'kernels.json');
}

export class KernelChoiceFile implements KernelChoiceCache {
  constructor(readonly path: string, private readonly warn: (message: string) => void) {}

  async load(): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.warn(`kernel cache ${this.path} could not be read (${errorMessage(e)}); kernels are measured again`);
      return undefined;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      this.warn(`kernel cache ${this.path} is not valid JSON (${errorMessage(e)}); ignored, it is rewritten after measuring`);
      return undefined;
    }
  }

  async save(record: KernelChoiceRecord): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temp = `${this.path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
    try {
      await writeFile(temp, `${JSON.stringify(record, null, 1)}\n`, { flag: 'wx', mode: 0o644 });
      await rename(temp, this.path);
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      throw e;
    }
  }
}
