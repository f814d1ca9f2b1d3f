// The module boundaries, checked on the sources:
// - the CLI, the extension host and the webview reach the engine and the language only through their
//   public faces: src/engine/index.ts and src/lang/index.ts, plus src/engine/node.ts for the Node
//   consumers (CLI, extension host);
// - the language never imports the engine;
// - nothing in the engine, the language or the layer kinds (src/layers) imports 'vscode' or uses a
//   DOM global, so all of it runs in Node, a page and a Web Worker (docs/architecture.md).
// Every failure names the file and line.

import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type * as TS from 'typescript';

let root = __dirname;
while (!existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);
const src = join(root, 'src');
// Loaded from node_modules at run time rather than bundled: the compiler finds its lib .d.ts files
// next to its own code.
const ts = createRequire(join(root, 'package.json'))('typescript') as typeof TS;

/** Every .ts file under `dir`, as absolute paths. */
function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourcesUnder(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `src/…` with forward slashes, the way failures name files and modules. */
function shown(path: string): string {
  return relative(root, path).split(sep).join('/');
}

interface Import {
  /** As written: `../engine/train`, `vscode`. */
  readonly specifier: string;
  /** The module it names, for a relative specifier: `src/engine/train`, a folder as its `/index`. */
  readonly module: string | null;
  readonly line: number;
}

/** Static, type-only, re-export, dynamic and require() imports of a file (comments and strings are not code). */
function importsOf(file: string, text: string): Import[] {
  const lineOf = (pos: number) => text.slice(0, pos).split('\n').length;
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => ({
    specifier: f.fileName,
    module: f.fileName.startsWith('.') ? moduleId(resolve(dirname(file), f.fileName)) : null,
    line: lineOf(f.pos),
  }));
}

/** A relative import's module: `src/…` without the extension, a folder as its index. */
function moduleId(path: string): string {
  const bare = path.replace(/\.(ts|js)$/, '');
  const isFolder = existsSync(bare) && statSync(bare).isDirectory();
  return shown(isFolder ? join(bare, 'index') : bare);
}

const ENGINE_FACE = 'src/engine/index', LANG_FACE = 'src/lang/index', NODE_FACE = 'src/engine/node';
const inCore = (module: string) => module.startsWith('src/engine/') || module.startsWith('src/lang/');

/** Imports of engine or language modules other than the faces `file` may use. */
function faceViolations(file: string, text: string): string[] {
  const nodeSide = !shown(file).startsWith('src/webview/');
  const allowed = new Set([ENGINE_FACE, LANG_FACE, ...(nodeSide ? [NODE_FACE] : [])]);
  return importsOf(file, text)
    .filter((i) => i.module !== null && inCore(i.module) && !allowed.has(i.module))
    .map((i) => `${shown(file)}:${i.line} imports ${i.specifier}; use ${[...allowed].map((m) => `${m}.ts`).join(' or ')}`);
}

/** Specifiers of the imports and re-exports that stay in the bundle (`import type`, `export type` are erased). */
function runtimeSpecifiers(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const allTypes = (elements: TS.NodeArray<TS.ImportSpecifier | TS.ExportSpecifier>) =>
    elements.length > 0 && elements.every((e) => e.isTypeOnly);
  return sf.statements.flatMap((st) => {
    if (ts.isImportDeclaration(st)) {
      const clause = st.importClause;
      const erased = clause !== undefined && (clause.isTypeOnly
        || (!clause.name && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) && allTypes(clause.namedBindings.elements)));
      return erased ? [] : [(st.moduleSpecifier as TS.StringLiteral).text];
    }
    if (ts.isExportDeclaration(st) && st.moduleSpecifier) {
      const erased = st.isTypeOnly || (st.exportClause !== undefined && ts.isNamedExports(st.exportClause) && allTypes(st.exportClause.elements));
      return erased ? [] : [(st.moduleSpecifier as TS.StringLiteral).text];
    }
    return [];
  });
}

/** Node built-in modules that `entry` loads at run time, directly or through any module it loads. */
function nodeModulesReached(entry: string): string[] {
  const builtins = new Set(builtinModules);
  const seen = new Set<string>(), found: string[] = [];
  const isAsset = (specifier: string) => /\.(?!ts$|js$)\w+$/.test(specifier);  // a .wgsl shader's text
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of runtimeSpecifiers(file)) {
      if (specifier.startsWith('.') && !isAsset(specifier)) visit(join(root, `${moduleId(resolve(dirname(file), specifier))}.ts`));
      else if (specifier.startsWith('node:') || builtins.has(specifier)) found.push(`${shown(file)} imports ${specifier}`);
    }
  };
  visit(entry);
  return found;
}

/** Imports of modules under `forbidden` (a `src/…` folder) or of the named packages. */
function importsInto(file: string, forbidden: { folder?: string; packages?: readonly string[] }): string[] {
  return importsOf(file, readFileSync(file, 'utf8'))
    .filter((i) => (forbidden.folder !== undefined && i.module?.startsWith(`${forbidden.folder}/`))
      || forbidden.packages?.includes(i.specifier))
    .map((i) => `${shown(file)}:${i.line} imports ${i.specifier}`);
}

/**
 * Identifiers in `files` that name a global of the DOM library that Node does not have too (window,
 * document, HTMLElement, …; not TextEncoder or performance). A package that adds to a DOM interface
 * (@webgpu/types does to HTMLCanvasElement) does not make it any less the DOM's.
 */
function domGlobalUses(program: TS.Program, files: readonly string[]): string[] {
  const checker = program.getTypeChecker();
  const DOM_LIB = /[\\/]lib\.dom(\.[a-z]+)?\.d\.ts$/, NODE_TYPES = /[\\/]@types[\\/]node[\\/]/;
  const declaredIn = (d: TS.Declaration, file: RegExp) => file.test(d.getSourceFile().fileName);
  // A global is a top-level declaration (members of DOM interfaces are not globals).
  const isGlobal = (d: TS.Declaration) => ts.isSourceFile(d.parent)
    || (ts.isVariableDeclaration(d) && ts.isSourceFile(d.parent.parent.parent));
  // WebAssembly is a JavaScript-engine global (Node, pages and workers alike) that only the DOM types declare.
  const ENGINE_GLOBALS = new Set(['WebAssembly']);
  const isDomOnly = (declarations: readonly TS.Declaration[]) =>
    declarations.some((d) => declaredIn(d, DOM_LIB) && isGlobal(d)) && !declarations.some((d) => declaredIn(d, NODE_TYPES))
    && !declarations.some((d) => ENGINE_GLOBALS.has((d as TS.NamedDeclaration).name?.getText() ?? ''));
  // `window.innerWidth` is one use (of window); `globalThis.document` is one of document.
  const isMemberName = (node: TS.Identifier) => ts.isPropertyAccessExpression(node.parent) && node.parent.name === node
    && !(ts.isIdentifier(node.parent.expression) && node.parent.expression.text === 'globalThis');
  const uses: string[] = [];
  for (const file of files) {
    const sf = program.getSourceFile(file);
    if (!sf) throw new Error(`${shown(file)} is not part of the program`);
    const visit = (node: TS.Node): void => {
      if (ts.isIdentifier(node) && !isMemberName(node) && isDomOnly(checker.getSymbolAtLocation(node)?.declarations ?? [])) {
        uses.push(`${shown(file)}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1} uses the DOM global ${node.text}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return uses;
}

/** A program over `files` with the project's compiler options (so the DOM library is there to be detected). */
function projectProgram(files: readonly string[]): TS.Program {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configPath);
  return ts.createProgram(files, { ...options, noEmit: true });
}

const consumers = ['cli', 'extension', 'webview'].flatMap((folder) => sourcesUnder(join(src, folder)));
const engine = sourcesUnder(join(src, 'engine'));
const lang = sourcesUnder(join(src, 'lang'));
const cores = [...engine, ...lang, ...sourcesUnder(join(src, 'layers'))];

describe('architecture', function () {
  this.timeout(120_000);
  // One compiler program (the slow part) for the cores and a file that shows what the DOM check finds.
  let program: TS.Program, scratch: string, domExample: string;
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'convlab-architecture-'));
    domExample = join(scratch, 'example.ts');
    writeFileSync(domExample, [
      'export const width = window.innerWidth;',
      'export function draw(canvas: HTMLCanvasElement): void { canvas.getContext("2d"); }',
      'export const bytes = new TextEncoder().encode("x"), now = performance.now();',
      'export function local(document: string): string { return document; }',
      'export const title = globalThis.document.title;',
    ].join('\n'));
    program = projectProgram([...cores, domExample]);
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  describe('the checks themselves', () => {
    it('see every kind of import, with its line, and resolve folders to their index', () => {
      const file = join(src, 'cli', 'example.ts');
      const text = [
        "import type { Backend } from '../engine/backend';",
        "import {\n  analyze,\n} from '../lang';",
        "export { Rng } from '../engine/random';",
        "// import { hidden } from '../engine/hidden';",
        "const later = () => import('../engine/webgpu/node-gpu');",
        "import { loadDataset } from '../engine/node';",
      ].join('\n');
      assert.deepEqual(importsOf(file, text).map((i) => [i.module, i.line]), [
        ['src/engine/backend', 1], ['src/lang/index', 4], ['src/engine/random', 5], ['src/engine/webgpu/node-gpu', 7], ['src/engine/node', 8],
      ]);
      assert.deepEqual(faceViolations(file, text), [
        'src/cli/example.ts:1 imports ../engine/backend; use src/engine/index.ts or src/lang/index.ts or src/engine/node.ts',
        'src/cli/example.ts:5 imports ../engine/random; use src/engine/index.ts or src/lang/index.ts or src/engine/node.ts',
        'src/cli/example.ts:7 imports ../engine/webgpu/node-gpu; use src/engine/index.ts or src/lang/index.ts or src/engine/node.ts',
      ]);
    });

    it('follow what a module loads at run time to the Node modules it reaches', () => {
      const reached = nodeModulesReached(join(src, 'engine', 'node.ts'));
      assert.ok(reached.includes('src/engine/checkpoint-file.ts imports node:fs/promises'), reached.join('\n'));
      assert.ok(reached.some((r) => r.startsWith('src/engine/data/node-files.ts imports node:')), reached.join('\n'));
    });

    it('keep the Node face from the webview', () => {
      assert.deepEqual(faceViolations(join(src, 'webview', 'example.ts'), "import { loadDataset } from '../engine/node';"),
        ['src/webview/example.ts:1 imports ../engine/node; use src/engine/index.ts or src/lang/index.ts']);
    });

    it('find DOM globals but not DOM members, Node globals or local names', () => {
      assert.deepEqual(domGlobalUses(program, [domExample]).map((u) => u.replace(shown(domExample), 'example.ts')), [
        'example.ts:1 uses the DOM global window', 'example.ts:2 uses the DOM global HTMLCanvasElement',
        'example.ts:5 uses the DOM global document',
      ]);
    });
  });

  it('finds the sources', () => {
    for (const [name, files] of [['consumer', consumers], ['engine', engine], ['lang', lang], ['core', cores]] as const) {
      assert.ok(files.length >= 5, `only ${files.length} ${name} sources`);
    }
  });

  it('the CLI, the extension host and the webview import the engine and the language only through their faces', () => {
    const violations = consumers.flatMap((file) => faceViolations(file, readFileSync(file, 'utf8')));
    assert.equal(violations.length, 0, `\n${violations.join('\n')}`);
  });

  it('the engine and the language index load no Node module, so the webview can bundle them', () => {
    const reached = [ENGINE_FACE, LANG_FACE].flatMap((face) => nodeModulesReached(join(root, `${face}.ts`)));
    assert.equal(reached.length, 0, `\n${reached.join('\n')}`);
  });

  it('the language does not import the engine', () => {
    const violations = lang.flatMap((file) => importsInto(file, { folder: 'src/engine' }));
    assert.equal(violations.length, 0, `\n${violations.join('\n')}`);
  });

  it("nothing in the engine, the language or the layer kinds imports 'vscode'", () => {
    const violations = cores.flatMap((file) => importsInto(file, { packages: ['vscode'] }));
    assert.equal(violations.length, 0, `\n${violations.join('\n')}`);
  });

  it('nothing in the engine, the language or the layer kinds uses a DOM global', () => {
    const uses = domGlobalUses(program, cores);
    assert.equal(uses.length, 0, `\n${uses.join('\n')}`);
  });
});
