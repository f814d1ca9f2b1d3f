// `convlab check` end to end: runs the built dist/cli.js (build with `node scripts/build.mjs` first)
// on files in a temporary folder and checks the table, the JSON schema and the exit codes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../../../..');
const cli = join(root, 'dist', 'cli.js');
const lenet = readFileSync(join(root, 'examples', 'lenet5.cnn'), 'utf8');

interface Run { readonly status: number | null; readonly stdout: string; readonly stderr: string }

describe('convlab check', () => {
  let dir: string;
  const run = (args: string[], input?: string): Run => {
    const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', input, timeout: 30_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);

  before(() => {
    assert.ok(existsSync(cli), `${cli} is missing: run \`node scripts/build.mjs\` first`);
    dir = mkdtempSync(join(tmpdir(), 'convlab-check-'));
    write('lenet5.cnn', lenet);
    write('broken.cnn', 'input 1x28x28\nconv 6 kernel=5\nconv 4 kernel=5 stride=2\ndense 10\n');
    write('warn.cnn', 'input 1x28x28\nconv 4 kernel=5 stride=2\nflatten\ndense 10\n');
    mkdirSync(join(dir, 'folder.cnn'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a summary table for LeNet-5 and exits 0', () => {
    const r = run(['check', 'lenet5.cnn']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'Model: lenet5.cnn');
    assert.match(r.stdout, /^Layer \(line\) +Output shape +Params +FLOPs$/m);
    assert.match(r.stdout, /^conv \(4\) +6×28×28 +156 +239,904$/m);
    assert.match(r.stdout, /^maxpool \(9\) +16×5×5 +0 +1,600$/m);
    assert.match(r.stdout, /^dense \(11\) +120 +48,120 +96,120$/m);
    assert.match(r.stdout, /^Total params: 61,706$/m);
    assert.match(r.stdout, /^No problems found\.$/m);
    assert.equal(r.stderr, '');
  });

  it('--json prints exactly one object with the documented schema', () => {
    const r = run(['check', 'lenet5.cnn', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 1);
    const json = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(json), ['layers', 'diagnostics', 'totalParams']);
    assert.equal(json.totalParams, 61706);
    assert.deepEqual(json.diagnostics, []);
    assert.equal(json.layers.length, 13);
    assert.deepEqual(json.layers[0], { line: 4, kind: 'conv', output: [6, 28, 28], params: 156, flops: 239904 });
    assert.deepEqual(json.layers[6], { line: 10, kind: 'flatten', output: [400], params: 0, flops: 0 });
  });

  it('reports errors as file:line:col: severity: message and exits 1', () => {
    const r = run(['check', 'broken.cnn']);
    assert.equal(r.status, 1);
    const diagnostics = r.stdout.split('\n').filter((l) => l.startsWith('broken.cnn:'));
    assert.deepEqual(diagnostics, [
      'broken.cnn:3:1: warning: conv (line 3): output height and width (24 + 2·0 − 5)/2 + 1 = 10.5 are not integers; the last row and column are dropped — stride=1 would give 20×20',
      'broken.cnn:4:1: error: dense (line 4): `dense` needs a vector, but its input is 4×10×10; insert `flatten` before it (4·10·10 = 400 values)',
    ]);
    assert.match(r.stdout, /^1 error, 1 warning, 0 notes\.$/m);
  });

  it('--json gives 1-based, end-exclusive positions, codes and severities', () => {
    const r = run(['check', '--json', 'broken.cnn']);
    assert.equal(r.status, 1);
    const json = JSON.parse(r.stdout);
    assert.deepEqual(json.diagnostics.map((d: Record<string, unknown>) => [d.line, d.column, d.endLine, d.endColumn, d.severity, d.code]), [
      [3, 1, 3, 5, 'warning', 'conv-non-integer-output'],
      [4, 1, 4, 6, 'error', 'dense-needs-flatten'],
    ]);
    for (const d of json.diagnostics) assert.deepEqual(Object.keys(d), ['line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message']);
  });

  it('exits 0 when there are only warnings', () => {
    const r = run(['check', 'warn.cnn']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /warn\.cnn:2:1: warning: /);
  });

  it('reads standard input for -', () => {
    const r = run(['check', '-', '--json'], lenet);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).totalParams, 61706);
  });

  it('exits 2 with a clear message for unreadable files', () => {
    const missing = run(['check', 'nope.cnn']);
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr, 'convlab check: cannot read nope.cnn: no such file\n');
    assert.equal(missing.stdout, '');
    const folder = run(['check', 'folder.cnn']);
    assert.equal(folder.status, 2);
    assert.equal(folder.stderr, 'convlab check: cannot read folder.cnn: it is a directory\n');
  });

  it('exits 2 on usage errors, naming the problem', () => {
    const cases: [string[], RegExp][] = [
      [['check'], /^convlab check: 'check' needs FILE\nusage: convlab check FILE \[--json\]\n$/],
      [['check', 'a.cnn', 'b.cnn'], /'check' takes FILE; unexpected 'b\.cnn'/],
      [['check', 'lenet5.cnn', '--jsn'], /unknown option '--jsn' for 'check'; did you mean '--json'\?/],
      [['check', 'lenet5.cnn', '--json=maybe'], /option '--json' is on or off/],
      [['chek', 'lenet5.cnn'], /^convlab: unknown command 'chek'; did you mean 'check'\?/],
      [[], /usage: convlab COMMAND/],
    ];
    for (const [args, pattern] of cases) {
      const r = run(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr + r.stdout, pattern, args.join(' '));
    }
  });

  it('--help describes the command; convlab --help lists it', () => {
    const help = run(['check', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^usage: convlab check FILE \[--json\]$/m);
    assert.match(help.stdout, /^ {2}--json +print one JSON object/m);
    const overview = run(['--help']);
    assert.equal(overview.status, 0);
    assert.match(overview.stdout, /^ {2}check +Check a model file/m);
  });
});
