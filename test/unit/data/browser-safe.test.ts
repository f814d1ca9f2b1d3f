import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

// The webview runs the pure parsers and checkpoint codec: they must not pull in Node modules.
describe('data: browser-safe modules', () => {
  let root = __dirname;
  while (!existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);

  const nodeOnly = new Set(['node-files.ts', 'bounded-read.ts', 'worker-loader.ts', 'load-worker.ts']);
  const nodeOnlyImport = new RegExp([...nodeOnly, 'checkpoint-file.ts'].map((f) => f.replace(/\.ts$/, '')).join('|'));
  const dataDir = join(root, 'src', 'engine', 'data');
  const files = [
    ...readdirSync(dataDir).filter((f) => f.endsWith('.ts') && !nodeOnly.has(f)).map((f) => join(dataDir, f)),
    join(root, 'src', 'engine', 'checkpoint.ts'),
  ];

  it('finds the sources', () => assert.ok(files.length >= 8, files.join(', ')));
  for (const file of files) {
    it(`${file.slice(root.length + 1)} imports no Node module and nothing Node-only`, () => {
      const imports = [...readFileSync(file, 'utf8').matchAll(/(?:from|import|require\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
      for (const spec of imports) {
        assert.ok(spec.startsWith('.'), `imports ${spec}`);
        assert.ok(!nodeOnlyImport.test(spec), `imports ${spec}`);
      }
    });
  }
});
