// `clipmill init`: the folder tree of a root, made idempotently; the root from the argument,
// --root or CLIPMILL_ROOT.
import assert from 'node:assert/strict';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../../src/cli/commands/init.js';
import { TREE } from '../../../src/shared/layout.js';
import { tempDir, walk } from '../../helpers.js';
import { runInProcess } from '../in-process.js';

/** Every folder below `dir`, relative to it, sorted. */
async function folders(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    out.push(relative(base, join(dir, e.name)), ...(await folders(join(dir, e.name), base)));
  }
  return out.sort();
}

/** Every folder of TREE with its parents. */
const EXPECTED = [...new Set([...TREE, 'server'].flatMap((d) => d.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'))))].sort();

test('init creates the tree and is idempotent; CLIPMILL_ROOT works', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'farm root');
  const first = await runInProcess(['init', root]);
  assert.equal(first.exitCode, 0, first.stderr);
  // Exactly the tree: every folder of TREE (and its parents), nothing else, no file but the API token.
  assert.deepEqual(await folders(root), EXPECTED);
  assert.deepEqual(await walk(root), [join(root, 'server', 'token.json')]);
  await writeFile(join(root, 'raw', 'video', 'keep.txt'), 'operator file');
  const second = await runInProcess(['init'], { CLIPMILL_ROOT: root });
  assert.equal(second.exitCode, 0);
  assert.match(second.stdout, /already a clipmill root/);
  assert.deepEqual(await readdir(join(root, 'raw', 'video')), ['keep.txt']);
});

test('initRoot: the folders it made, in TREE order; none the second time', async (t) => {
  const root = join(await tempDir(t), 'root');
  assert.deepEqual(await initRoot(root), [...TREE, 'server/token.json']);
  assert.deepEqual(await initRoot(root), []);
  assert.deepEqual(await folders(root), EXPECTED);
});

test('initRoot: only what is missing of a partial tree', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  await rm(join(root, 'trash'), { recursive: true });
  await rm(join(root, 'tasks'), { recursive: true });
  assert.deepEqual(await initRoot(root), ['tasks', 'trash/invalid', 'trash/failed', 'trash/cancelled']);
});

test('init prints what it created, or that there was nothing to do', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'r');
  const first = await runInProcess(['init', root]);
  assert.deepEqual(first, { exitCode: 0, stdout: `Initialized ${root} (created ${[...TREE, 'server/token.json'].join(', ')})\n`, stderr: '' });
  const again = await runInProcess(['init', root]);
  assert.deepEqual(again, { exitCode: 0, stdout: `${root} is already a clipmill root; nothing to do\n`, stderr: '' });
});

test('init: the argument, else --root, else CLIPMILL_ROOT; relative to the working folder', async (t) => {
  const dir = await tempDir(t);
  const [a, b, c] = ['a', 'b', 'c'].map((n) => join(dir, n));
  assert.equal((await runInProcess(['init', a, '--root', b], { CLIPMILL_ROOT: c })).exitCode, 0);
  assert.equal((await runInProcess(['init', '--root', b], { CLIPMILL_ROOT: c })).exitCode, 0);
  assert.deepEqual(await readdir(dir), ['a', 'b'], 'the argument first, then --root; CLIPMILL_ROOT not used');
  assert.equal((await runInProcess(['init'], { CLIPMILL_ROOT: c })).exitCode, 0);
  assert.deepEqual((await readdir(dir)).sort(), ['a', 'b', 'c']);
  const rel = relative(process.cwd(), join(dir, 'd'));
  const r = await runInProcess(['init', rel]);
  assert.equal(r.stdout.split(' ')[1], join(dir, 'd'), 'printed as an absolute path');
});

test('init: no root at all, or two, is wrong usage (exit 2); a file in the way is an error (exit 1)', async (t) => {
  const dir = await tempDir(t);
  assert.deepEqual(await runInProcess(['init']), { exitCode: 2, stdout: '', stderr: 'clipmill init: error: missing <root>: clipmill init <root> [USAGE]\n' });
  assert.deepEqual(await runInProcess(['init', join(dir, 'a'), join(dir, 'b')]), { exitCode: 2, stdout: '', stderr: `clipmill init: error: unexpected argument "${join(dir, 'b')}"; see clipmill init --help [USAGE]\n` });
  assert.deepEqual(await readdir(dir), []);
  await writeFile(join(dir, 'raw'), 'a file where raw/ goes');
  const blocked = await runInProcess(['init', dir]);
  assert.equal(blocked.exitCode, 1);
  assert.equal(blocked.stderr, `clipmill init: error: ENOTDIR: not a directory, mkdir '${join(dir, 'raw', 'story')}' [IO]\n`);
});
