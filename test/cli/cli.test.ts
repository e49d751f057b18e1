import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMMANDS } from '../../src/cli/cli.js';
import { cli, startCli, tempDir, waitUntil } from '../helpers.js';

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
