// Faults: a full disk (issue "faults", items 1, 2 and 9). The root is a small tmpfs that the
// test mounts (it needs root; without it the test is skipped, visibly). A write that fails for
// lack of space is the machine's: the file stays where it was, the log names the path, and the
// work is done once there is room; nothing truncated is published, nothing good is rejected.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { probe } from '../../src/shared/media/probe.js';
import { FIXTURES } from '../media.js';
import { binaries, cli, walk } from '../helpers.js';

const ENV = { CLIPMILL_INGEST_STABLE_MS: '0' };

/** A tmpfs of `kb` KiB mounted at a new folder, unmounted after the test; null when this process may not mount. */
async function smallDisk(t: TestContext, kb: number): Promise<string | null> {
  if (process.getuid?.() !== 0) return null;
  const dir = await mkdtemp(join(tmpdir(), 'clipmill-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    await rm(dir, { recursive: true, force: true });
    return null;
  }
  // One hook, in this order: unmount, then remove the mount point.
  t.after(async () => {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Fills the disk until `leaveKb` KiB are free; returns the filler's path (remove it to make room). */
async function fillUntil(dir: string, leaveKb: number): Promise<string> {
  const s = await statfs(dir);
  const free = s.bavail * s.bsize;
  const filler = join(dir, 'filler.bin');
  await writeFile(filler, Buffer.alloc(Math.max(0, free - leaveKb * 1024)));
  return filler;
}

test('a full disk while music is normalized: nothing truncated is filed, the original stays, and it is converted once there is room', async (t) => {
  const disk = await smallDisk(t, 4096);
  if (!disk) return t.skip('needs root to mount a small tmpfs (run the suite as root, as CI does)');
  const root = join(disk, 'root');
  await cli(['init', root]);
  await mkdir(join(root, 'raw/music/c'), { recursive: true });
  await FIXTURES.musicWav(join(root, 'raw/music/c/m.wav'));
  const filler = await fillUntil(disk, 150);
  const full = await cli(['main-worker', '--once', '--root', root], ENV);
  assert.equal(full.exitCode, 1, 'an error, not a silent success');
  assert.match(full.stderr, /ENOSPC/);
  assert.deepEqual((await walk(join(root, 'scanned/music/c'))).map((p) => p.slice(root.length + 1)).filter((p) => !p.endsWith('.source.json')), ['scanned/music/c/original/' + (await readdir(join(root, 'scanned/music/c/original'))).find((n) => n.endsWith('.wav'))], 'only the original: no truncated MP3');
  assert.deepEqual(await walk(join(root, 'trash/invalid')), [], 'a good file is not rejected for a full disk');
  await rm(filler);
  const roomy = await cli(['main-worker', '--once', '--root', root], ENV);
  assert.equal(roomy.exitCode, 0, roomy.stderr);
  const [mp3] = await readdir(join(root, 'scanned/music/c/mp3'));
  const info = await probe((await binaries()).ffprobe.path, join(root, 'scanned/music/c/mp3', mp3!));
  assert.ok(Math.abs(info.duration - 6) < 0.1, `the normalized track lasts ${info.duration} s`);
});

test('a full disk while a .mkv is rewrapped: the clip is not rejected, the original stays for the next run', async (t) => {
  const disk = await smallDisk(t, 4096);
  if (!disk) return t.skip('needs root to mount a small tmpfs (run the suite as root, as CI does)');
  const root = join(disk, 'root');
  await cli(['init', root]);
  await mkdir(join(root, 'raw/video/c'), { recursive: true });
  const { ffmpeg } = await binaries();
  execFileSync(ffmpeg.path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=30', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'matroska', join(root, 'raw/video/c/a.mkv')]);
  await fillUntil(disk, 60);
  const r = await cli(['main-worker', '--once', '--root', root], ENV);
  assert.equal(r.exitCode, 1);
  assert.deepEqual(await walk(join(root, 'trash/invalid')), [], 'not CONVERT_FAILED: the machine failed, not the file');
  assert.ok((await walk(join(root, 'scanned/video/c/original'))).some((p) => p.endsWith('.mkv')), 'the original is kept to be converted again');
  assert.equal((await walk(join(root, 'scanned/video/c'))).filter((p) => p.endsWith('.mp4')).length, 0, 'nothing half-written is filed');
});

test('a disk full at start: the error names the path, and no root lock is left behind', async (t) => {
  const disk = await smallDisk(t, 1024);
  if (!disk) return t.skip('needs root to mount a small tmpfs (run the suite as root, as CI does)');
  const root = join(disk, 'root');
  await cli(['init', root]);
  await fillUntil(disk, 0);
  const r = await cli(['main-worker', '--once', '--root', root], ENV);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, new RegExp(`${root.replaceAll('/', '\\/')}\\/nodes\\/main-worker\\S*: ENOSPC`), 'the path is named');
  assert.deepEqual((await readdir(join(root, 'nodes'))).filter((n) => n.startsWith('main-worker')), [], 'no lock without its status file');
});
