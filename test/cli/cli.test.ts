import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { COMMANDS } from '../../src/cli/cli.js';
import { TREE } from '../../src/shared/layout.js';
import { CLI, cleanEnv, cli, tempDir } from '../helpers.js';

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
  assert.match(notInit.stderr, /is not a clipmill root .*clipmill init/);
  const cfg = join(dir, 'bad.json');
  await writeFile(cfg, JSON.stringify({ render: { fps: 0 } }));
  const bad = await cli(['main-worker', '--once', '--root', dir, '--config', cfg]);
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, /render\.fps must be a number >= 1 and <= 240, got 0 \[CONFIG_INVALID\]/);
  const env = await cli(['main-worker', '--once', '--root', dir], { CLIPMILL_TASKS_MAX_ATTEMPTS: 'lots' });
  assert.match(env.stderr, /CLIPMILL_TASKS_MAX_ATTEMPTS/);
});

test('init creates the tree and is idempotent; CLIPMILL_ROOT works', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'farm root');
  const first = await cli(['init', root]);
  assert.equal(first.exitCode, 0, first.stderr);
  for (const d of TREE) assert.ok((await readdir(join(root, d))).length >= 0, d);
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

test('a daemon stops cleanly on SIGTERM', async (t) => {
  const dir = await tempDir(t);
  await cli(['init', dir]);
  const sub = execa(CLI, ['main-worker', '--root', dir], { env: cleanEnv({ CLIPMILL_INGEST_SCAN_INTERVAL_MS: '200' }), extendEnv: false, reject: false });
  await new Promise<void>((resolve) => {
    sub.stderr?.on('data', (c: Buffer) => {
      if (c.toString().includes('Main worker watching')) resolve();
    });
  });
  sub.kill('SIGTERM');
  const r = await sub;
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /Main worker stopped/);
});
