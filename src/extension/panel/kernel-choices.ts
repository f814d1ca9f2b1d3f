// The host's side of the WebGPU engine's kernel cache: the panel's engine measures, the host keeps
// the record in the extension's global state, so every later panel (and VS Code session) on this
// machine starts with the choices already made.

import type * as vscode from 'vscode';

const STATE_KEY = 'convlab.webgpu.kernelChoices';
/** A record larger than this (in JSON) is not stored: the engine caps its entries far below it. */
const MAX_RECORD_CHARS = 2 << 20;

/** What the panel's engine gets on start: the setting and the stored record (null for none). */
export function storedKernelChoices(state: vscode.Memento, autotune: boolean): { autotune: boolean; record: unknown } {
  return { autotune, record: autotune ? state.get<unknown>(STATE_KEY) ?? null : null };
}

/** Keeps `record`; returns why not when it is too large. */
export async function storeKernelChoices(state: vscode.Memento, record: object): Promise<string | null> {
  const size = JSON.stringify(record).length;
  if (size > MAX_RECORD_CHARS) return `kernel choices not stored: the record is ${size} characters, over ${MAX_RECORD_CHARS}`;
  await state.update(STATE_KEY, record);
  return null;
}
