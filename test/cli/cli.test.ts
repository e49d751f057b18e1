import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { COMMANDS } from '../../src/cli/cli.js';
import { TREE } from '../../src/shared/layout.js';
import { cli, startCli, tempDir, waitUntil, walk } from '../helpers.js';

/** Every folder below `dir`, relative to it, sorted. */
async function folders(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    out.push(relative(base, join(dir, e.name)), ...(await folders(join(dir, e.name), base)));
  }
  return out.sort();
}

test('--help works on every command and lists only what exists', async () => {
  const top = await cli(['--help']);
  assert.equal(top.exitCode, 0);
  for (const c of COMMANDS) {
    assert.ok(top.stdout.includes(c.name), c.name);
    const r = await cli([c.name, '--help']);
    assert.equal(r.exitCode, 0, c.name);
    assert.match(r.stdout, new RegExp(`^Usage: clipmill ${c.name}`), c.name);
    assert.match(r.stdout, /--root <dir>/);
  }
});

test('misuse exits 2 with a one-line reason', async () => {
  for (const args of [['frobnicate'], ['init', '--bogus'], ['main-worker', 'extra', '--root', '/x'], ['init'], []]) {
    const r = await cli(args);
    assert.equal(r.exitCode, 2, args.join(' '));
    assert.match(r.stderr.split('\n')[0]!, /^clipmill.*error: .+/, args.join(' '));
    if (args.length) assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}`);
  }
});

test('a missing root or a bad config is a one-line error, exit 1', async (t) => {
  const dir = await tempDir(t);
  const noRoot = await cli(['main-worker', '--once']);
  assert.equal(noRoot.exitCode, 1);
  assert.match(noRoot.stderr, /no project root: pass --root <dir> or set CLIPMILL_ROOT \[ROOT_MISSING\]/);
  const notInit = await cli(['render-worker', '--once', '--root', dir]);
  assert.equal(notInit.exitCode, 1);
  assert.match(notInit.stderr, /is not a clipmill root .*clipmill init .*\[ROOT_MISSING\]/);
  const cfg = join(dir, 'bad.json');
  await writeFile(cfg, JSON.stringify({ render: { fps: 0 } }));
  const bad = await cli(['main-worker', '--once', '--root', dir, '--config', cfg]);
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, /render\.fps must be a number >= 1 and <= 240, got 0 \[CONFIG_INVALID\]/);
  const env = await cli(['main-worker', '--once', '--root', dir], { CLIPMILL_TASKS_MAX_ATTEMPTS: 'lots' });
  assert.equal(env.exitCode, 1);
  assert.match(env.stderr, /CLIPMILL_TASKS_MAX_ATTEMPTS.*\[CONFIG_INVALID\]/);
});

test('init creates the tree and is idempotent; CLIPMILL_ROOT works', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'farm root');
  const first = await cli(['init', root]);
  assert.equal(first.exitCode, 0, first.stderr);
  // Exactly the tree: every folder of TREE (and its parents), nothing else, no file at all.
  const expected = new Set(TREE.flatMap((d) => d.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  assert.deepEqual(await folders(root), [...expected].sort());
  assert.deepEqual(await walk(root), []);
  await writeFile(join(root, 'raw', 'video', 'keep.txt'), 'operator file');
  const second = await cli(['init'], { CLIPMILL_ROOT: root });
  assert.equal(second.exitCode, 0);
  assert.match(second.stdout, /already a clipmill root/);
  assert.deepEqual(await readdir(join(root, 'raw', 'video')), ['keep.txt']);
});

test('doctor reports binaries and encoders and checks the root', async (t) => {
  const dir = await tempDir(t);
  await cli(['init', dir]);
  const ok = await cli(['doctor', '--root', dir], { CLIPMILL_DISK_MIN_FREE_MB: '0', CLIPMILL_RENDER_ENCODERS: 'h264_nvenc,libx264' });
  assert.equal(ok.exitCode, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^ffmpeg +\/\S+ \(from (path|env|config|static)\)/m);
  assert.match(ok.stdout, /^ffprobe +\S+/m);
  assert.match(ok.stdout, /libx264 +ok .*<- render workers will use this one/);
  assert.match(ok.stdout, /h264_nvenc +(FAIL|ok)/);
  assert.match(ok.stdout, /\nready$/);
  const low = await cli(['doctor', '--root', dir], { CLIPMILL_DISK_MIN_FREE_MB: String(1024 * 1024 * 1024) });
  assert.equal(low.exitCode, 1);
  assert.match(low.stdout, /NOT READY:\n {2}- only .* free in/);
  const noEnc = await cli(['doctor'], { CLIPMILL_RENDER_ENCODERS: 'nope_encoder' });
  assert.equal(noEnc.exitCode, 1);
  assert.match(noEnc.stdout, /no encoder of render\.encoders passed its test encode/);
});

test('a daemon stops cleanly on SIGTERM: exit 0, its root lock released', async (t) => {
  const dir = await tempDir(t);
  await cli(['init', dir]);
  const d = startCli(['main-worker', '--root', dir], { CLIPMILL_INGEST_SCAN_INTERVAL_MS: '200' });
  t.after(() => d.sub.kill('SIGKILL'));
  // Running: it holds the root's main worker lock (nodes/main-worker.json names its pid).
  await waitUntil('the main worker lock', async () => (JSON.parse(await readFile(join(dir, 'nodes/main-worker.json'), 'utf8').catch(() => '{}')) as { pid?: number }).pid === d.sub.pid);
  await d.waitFor(/Main worker watching/); // readiness only: SIGTERM once it watches raw/
  assert.ok((await readdir(join(dir, 'nodes'))).includes('main-worker.lock'), 'the lock is held');
  d.sub.kill('SIGTERM');
  const r = await d.sub;
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.signal, undefined, 'it exited by itself');
  assert.deepEqual((await readdir(join(dir, 'nodes'))).filter((n) => n.endsWith('.lock')), [], 'the lock is released');
  // So the next main worker runs at once, without waiting for a stale lock.
  const next = await cli(['main-worker', '--once', '--root', dir]);
  assert.equal(next.exitCode, 0, next.stderr);
});
