// esbuild plugin: `import { relaxedSimd, plainSimd } from './x.wat'` assembles the hand-written
// WebAssembly text with wabt (a devDependency, wat2wasm in JS) and embeds both modules' bytes in the
// bundle, so every bundle (Node CLI and tests, webview, Web Worker) carries its kernels and nothing is
// generated into the tree. `relaxedSimd` is the file as written; `plainSimd` has every
// f32x4.relaxed_madd lowered to f32x4.mul + f32x4.add, for runtimes without relaxed SIMD (Node 20).
// Each also comes as `…Shared`, importing a shared memory (the threads proposal) so that worker
// threads can run the same kernels on the same heap; a module's memory import must match the
// memory's sharedness exactly, hence both.
// Types for the import: src/engine/cpu/wasm/wat.d.ts.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import initWabt from 'wabt';

const MADD = '(f32x4.relaxed_madd';

/** Index just past the balanced s-expression (or atom) starting at or after `from`. */
function skipExpression(text, from) {
  let i = from;
  while (/\s/.test(text[i])) i++;
  if (text[i] !== '(') {
    while (i < text.length && !/[\s()]/.test(text[i])) i++;
    return i;
  }
  for (let depth = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i + 1;
  }
  throw new Error('unbalanced parentheses');
}

/** Drops comments, then (f32x4.relaxed_madd a b c) → (f32x4.add (f32x4.mul a b) c); any other relaxed instruction is an error. */
export function lowerRelaxedSimd(source) {
  const text = source.replace(/\(;[\s\S]*?;\)/g, '').replace(/;;.*$/gm, '');
  let out = '', at = 0;
  for (let start = text.indexOf(MADD); start >= 0; start = text.indexOf(MADD, at)) {
    const aEnd = skipExpression(text, start + MADD.length), bEnd = skipExpression(text, aEnd), cEnd = skipExpression(text, bEnd);
    const close = text.indexOf(')', cEnd);
    const [a, b, c] = [text.slice(start + MADD.length, aEnd), text.slice(aEnd, bEnd), text.slice(bEnd, cEnd)].map((s) => s.trim());
    out += `${text.slice(at, start)}(f32x4.add (f32x4.mul ${a} ${b}) ${c})`;
    at = close + 1;
  }
  out += text.slice(at);
  const other = /\b[if]\d+x\d+\.relaxed_\w+/.exec(out);
  if (other) throw new Error(`no plain-SIMD lowering for ${other[0]}`);
  return out;
}

const MEMORY_IMPORT = /\(import "env" "memory" \(memory (\d+)\)\)/;

/** The module importing a shared memory of at most the wasm32 maximum (65,536 pages) instead. */
export function sharedMemoryImport(source) {
  if (!MEMORY_IMPORT.test(source)) throw new Error('no (import "env" "memory" (memory N)) to make shared');
  return source.replace(MEMORY_IMPORT, '(import "env" "memory" (memory $1 65536 shared))');
}

function assemble(wabt, name, text, relaxed) {
  const features = { simd: true, relaxed_simd: relaxed, bulk_memory: true, threads: true };
  const module = wabt.parseWat(name, text, features);
  try {
    // validate() checks against its own features (the defaults lack threads), so it gets them too.
    module.validate(features);
    return Buffer.from(module.toBinary({}).buffer).toString('base64');
  } finally {
    module.destroy();
  }
}

export function watPlugin() {
  let wabt;
  return {
    name: 'wat',
    setup(build) {
      build.onLoad({ filter: /\.wat$/ }, async (args) => {
        wabt ??= await initWabt();
        const text = await readFile(args.path, 'utf8'), name = basename(args.path);
        try {
          const lowered = lowerRelaxedSimd(text);
          const flavours = {
            relaxedSimd: assemble(wabt, name, text, true), plainSimd: assemble(wabt, name, lowered, false),
            relaxedSimdShared: assemble(wabt, name, sharedMemoryImport(text), true),
            plainSimdShared: assemble(wabt, name, sharedMemoryImport(lowered), false),
          };
          const decode = (b64) => `Uint8Array.from(atob(${JSON.stringify(b64)}), (ch) => ch.charCodeAt(0))`;
          const contents = Object.entries(flavours).map(([key, b64]) => `export const ${key} = ${decode(b64)};\n`).join('');
          return { contents, loader: 'js' };
        } catch (e) {
          return { errors: [{ text: `${name}: ${e instanceof Error ? e.message : String(e)}` }] };
        }
      });
    },
  };
}
