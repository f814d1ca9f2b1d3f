// Measured kernel choices, per adapter and decision key, as one versioned JSON record that a
// KernelChoiceCache keeps between runs (a file for the CLI, the extension's global state for the
// panel). Reading is forgiving: a record in another format or version, or measured with other
// kernels, is ignored; a malformed entry is dropped with a warning; nothing here throws on bad input.

import type { ConvAlgorithm } from '../kernel-select';
import { gemmTileByName } from './candidates';
import type { KernelChoice } from './decisions';

export const KERNEL_CHOICES_FORMAT = 'convlab-kernel-choices';
export const KERNEL_CHOICES_VERSION = 1;

export interface KernelChoiceRecord {
  readonly format: typeof KERNEL_CHOICES_FORMAT;
  readonly version: typeof KERNEL_CHOICES_VERSION;
  /** kernelSetVersion() of the kernels measured. */
  readonly kernelSet: string;
  /** adapter identity → decision key → choice. */
  readonly adapters: Readonly<Record<string, Readonly<Record<string, KernelChoice>>>>;
}

/** Where choices persist between runs. load() resolves with whatever was stored (undefined for nothing). */
export interface KernelChoiceCache {
  load(): Promise<unknown>;
  save(record: KernelChoiceRecord): Promise<void>;
}

/** Most decisions kept per adapter: a bound on what a long-lived cache grows to. */
const MAX_ENTRIES_PER_ADAPTER = 4096;
const CONV_ALGORITHMS: ReadonlySet<string> = new Set<ConvAlgorithm>(['im2col', 'implicit', 'direct', 'pointwise']);
/** SPLIT_MAX of kernel-select.ts. */
const MAX_SPLITS = 64;

export class KernelChoiceTable {
  private readonly adapters = new Map<string, Map<string, KernelChoice>>();
  private dirty = false;

  constructor(readonly kernelSet: string) {}

  /** The table stored in `raw` if it is a record of this format, version and kernel set; else an empty one. */
  static fromRecord(raw: unknown, kernelSet: string, warn: (message: string) => void): KernelChoiceTable {
    const table = new KernelChoiceTable(kernelSet);
    if (raw === undefined || raw === null) return table;
    if (!isObject(raw) || raw.format !== KERNEL_CHOICES_FORMAT) {
      warn('kernel choices: the stored record is not a ConvLab kernel-choice record; ignored (choices are measured again)');
      return table;
    }
    if (raw.version !== KERNEL_CHOICES_VERSION) {
      warn(`kernel choices: the stored record has version ${JSON.stringify(raw.version)}, this ConvLab reads ${KERNEL_CHOICES_VERSION}; ignored`);
      return table;
    }
    // Other kernels than these were measured: quietly start over.
    if (raw.kernelSet !== kernelSet) return table;
    if (!isObject(raw.adapters)) {
      warn('kernel choices: the stored record has no "adapters" object; ignored');
      return table;
    }
    let dropped = 0;
    for (const [adapter, entries] of Object.entries(raw.adapters)) {
      if (!isObject(entries)) { dropped++; continue; }
      for (const [key, value] of Object.entries(entries)) {
        const choice = readChoice(value);
        if (choice) table.put(adapter, key, choice); else dropped++;
      }
    }
    if (dropped > 0) warn(`kernel choices: ignored ${dropped} malformed stored entr${dropped === 1 ? 'y' : 'ies'}`);
    return table;
  }

  get(adapter: string, key: string): KernelChoice | undefined {
    return this.adapters.get(adapter)?.get(key);
  }

  set(adapter: string, key: string, choice: KernelChoice): void {
    this.put(adapter, key, choice);
    this.dirty = true;
  }

  /** Whether set() was called since the table was read or last marked saved. */
  get changed(): boolean { return this.dirty; }

  markSaved(): void { this.dirty = false; }

  toRecord(): KernelChoiceRecord {
    const adapters: Record<string, Record<string, KernelChoice>> = {};
    for (const [adapter, entries] of this.adapters) adapters[adapter] = Object.fromEntries(entries);
    return { format: KERNEL_CHOICES_FORMAT, version: KERNEL_CHOICES_VERSION, kernelSet: this.kernelSet, adapters };
  }

  private put(adapter: string, key: string, choice: KernelChoice): void {
    let entries = this.adapters.get(adapter);
    if (!entries) this.adapters.set(adapter, (entries = new Map()));
    entries.delete(key);
    entries.set(key, choice);
    // Oldest first out (a Map keeps insertion order).
    if (entries.size > MAX_ENTRIES_PER_ADAPTER) entries.delete(entries.keys().next().value!);
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;

/** A stored choice rebuilt field by field (only known fields survive), or null when it is malformed. */
function readChoice(x: unknown): KernelChoice | null {
  if (!isObject(x) || !isTime(x.micros) || !isTime(x.ruleMicros)) return null;
  if (x.kind === 'gemm') {
    const splitsOk = typeof x.splits === 'number' && Number.isInteger(x.splits) && x.splits >= 1 && x.splits <= MAX_SPLITS;
    if (typeof x.tile !== 'string' || !gemmTileByName(x.tile) || !splitsOk) return null;
    return { kind: 'gemm', tile: x.tile, splits: x.splits as number, micros: x.micros, ruleMicros: x.ruleMicros };
  }
  if (x.kind === 'conv' && typeof x.algorithm === 'string' && CONV_ALGORITHMS.has(x.algorithm)) {
    return { kind: 'conv', algorithm: x.algorithm as ConvAlgorithm, micros: x.micros, ruleMicros: x.ruleMicros };
  }
  return null;
}
