// `clipmill doctor`: the binaries in use, a real test encode per encoder, the root's free
// space; exit 1 with the list of problems when the farm cannot run here. The first case runs
// it on the real ffmpeg and ffprobe; the others on fake binaries, so that the whole report can
// be checked line by line. All in-process (test/cli/cli.test.ts runs bin/clipmill itself).
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultConfigPath } from '../../../src/shared/config.js';
import { packageVersion } from '../../../src/shared/package-root.js';
import { fakeFfmpeg } from '../../fake-ffmpeg.js';
import { tempDir, writeScript } from '../../helpers.js';
import { runInProcess } from '../in-process.js';

test('doctor reports binaries and encoders and checks the root', async (t) => {
  const dir = await tempDir(t);
  await runInProcess(['init', dir]);
  const ok = await runInProcess(['doctor', '--root', dir], { CLIPMILL_DISK_MIN_FREE_MB: '0', CLIPMILL_RENDER_ENCODERS: 'h264_nvenc,libx264' });
  assert.equal(ok.exitCode, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^ffmpeg +\/\S+ \(from (path|env|config|static)\)/m);
  assert.match(ok.stdout, /^ffprobe +\S+/m);
  assert.match(ok.stdout, /libx264 +ok .*<- render workers will use this one/);
  assert.match(ok.stdout, /h264_nvenc +(FAIL|ok)/);
  assert.match(ok.stdout, /\nready\n$/); // the final newline: execa strips it, runInProcess does not
  const low = await runInProcess(['doctor', '--root', dir], { CLIPMILL_DISK_MIN_FREE_MB: String(1024 * 1024 * 1024) });
  assert.equal(low.exitCode, 1);
  assert.match(low.stdout, /NOT READY:\n {2}- only .* free in/);
  const noEnc = await runInProcess(['doctor'], { CLIPMILL_RENDER_ENCODERS: 'nope_encoder' });
  assert.equal(noEnc.exitCode, 1);
  assert.match(noEnc.stdout, /no encoder of render\.encoders passed its test encode/);
});

/**
 * Fake binaries: an ffmpeg on which h264_nvenc fails as on a node without a GPU and every
 * other test encode works, and an ffprobe that only answers -version.
 */
async function fakes(dir: string): Promise<Record<string, string>> {
  const ffmpeg = await writeScript(join(dir, 'ffmpeg'), ['case "$*" in', "  *-version*) echo 'ffmpeg version fake-doctor'; exit 0;;", "  *h264_nvenc*) echo '[h264_nvenc @ 0x55d0a1b2c3d0] Cannot load libcuda.so.1' >&2; exit 1;;", 'esac', 'exit 0'].join('\n'));
  const ffprobe = await fakeFfmpeg(dir, 'version-only', { name: 'ffprobe' });
  return { FFMPEG_PATH: ffmpeg, FFPROBE_PATH: ffprobe, CLIPMILL_RENDER_ENCODERS: 'h264_nvenc,libx264', CLIPMILL_DISK_MIN_FREE_MB: '0' };
}

/** The report with what varies from run to run (encode times, free space) replaced by N. */
const steady = (stdout: string) => stdout.replace(/\(\d+ ms\)/g, '(N ms)').replace(/: [\d.]+[KMG]B free/g, ': N free');

test('the full report of a node that can run the farm: exit 0, "ready"', async (t) => {
  const dir = await tempDir(t);
  const env = await fakes(dir);
  const root = join(dir, 'root');
  await runInProcess(['init', root]);
  const r = await runInProcess(['doctor', '--root', root], env);
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(
    steady(r.stdout),
    [
      `clipmill ${packageVersion()} on Node ${process.versions.node}`,
      `config    ${defaultConfigPath()}`,
      `ffmpeg    ${env.FFMPEG_PATH} (from env)`,
      '          ffmpeg version fake-doctor',
      `ffprobe   ${env.FFPROBE_PATH} (from env)`,
      '          ffprobe version fake',
      'encoders  one-frame test encode, in render.encoders order:',
      '  h264_nvenc         FAIL Cannot load libcuda.so.1',
      '  libx264            ok   (N ms)  <- render workers will use this one',
      `root      ${root}: N free`,
      '',
      'ready',
      '',
    ].join('\n'),
  );
});

test('the config file in use is named; CLIPMILL_ROOT is checked when there is no --root', async (t) => {
  const dir = await tempDir(t);
  const env = await fakes(dir);
  await writeFile(join(dir, 'node.json'), JSON.stringify({ render: { encoders: ['libx264'] } }));
  await runInProcess(['init', join(dir, 'root')]);
  const { CLIPMILL_RENDER_ENCODERS: _, ...noEncoders } = env;
  const r = await runInProcess(['doctor', '--config', join(dir, 'node.json')], { ...noEncoders, CLIPMILL_ROOT: join(dir, 'root') });
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`^config    ${defaultConfigPath()} \\+ ${join(dir, 'node.json')}$`, 'm'));
  assert.match(steady(r.stdout), /^encoders .*\n {2}libx264 +ok {3}\(N ms\) {2}<- render workers will use this one\nroot {6}/m);
  assert.match(steady(r.stdout), new RegExp(`^root {6}${join(dir, 'root')}: N free$`, 'm'));
});

test('no ffmpeg: MISSING, no test encodes, NOT READY, exit 1', async (t) => {
  const dir = await tempDir(t);
  const env = { ...(await fakes(dir)), FFMPEG_PATH: join(dir, 'no-ffmpeg') };
  const r = await runInProcess(['doctor'], env);
  assert.equal(r.exitCode, 1);
  const why = `FFMPEG_PATH is ${join(dir, 'no-ffmpeg')}, which is not a runnable ffmpeg`;
  assert.match(r.stdout, new RegExp(`^ffmpeg    MISSING: ${why}$`, 'm'));
  assert.doesNotMatch(r.stdout, /^encoders/m);
  assert.ok(r.stdout.endsWith(`root      not checked (no --root and no CLIPMILL_ROOT)\n\nNOT READY:\n  - ${why}\n`), r.stdout);
});

test('no working encoder, and a folder that is not a root: each a problem, exit 1', async (t) => {
  const dir = await tempDir(t);
  const env = { ...(await fakes(dir)), CLIPMILL_RENDER_ENCODERS: 'h264_nvenc' };
  await mkdir(join(dir, 'plain'));
  const r = await runInProcess(['doctor', '--root', join(dir, 'plain')], env);
  assert.equal(r.exitCode, 1);
  assert.ok(
    r.stdout.endsWith(
      [
        '  h264_nvenc         FAIL Cannot load libcuda.so.1',
        `root      ${join(dir, 'plain')}: NOT a clipmill root`,
        '',
        'NOT READY:',
        '  - no encoder of render.encoders passed its test encode',
        `  - ${join(dir, 'plain')} is not a clipmill root (run clipmill init ${join(dir, 'plain')})`,
        '',
      ].join('\n'),
    ),
    r.stdout,
  );
});

test('less free space than disk.minFreeMb: LOW, and the problem names the setting', async (t) => {
  const dir = await tempDir(t);
  const env = { ...(await fakes(dir)), CLIPMILL_DISK_MIN_FREE_MB: String(1024 ** 3) };
  await runInProcess(['init', join(dir, 'root')]);
  const r = await runInProcess(['doctor', '--root', join(dir, 'root')], env);
  assert.equal(r.exitCode, 1);
  assert.match(r.stdout, new RegExp(`^root      ${join(dir, 'root')}: [\\d.]+[KMG]B free \\(LOW\\)$`, 'm'));
  assert.match(r.stdout, new RegExp(`\\nNOT READY:\\n  - only [\\d.]+[KMG]B free in ${join(dir, 'root')} \\(disk\\.minFreeMb is ${1024 ** 3}\\)\\n$`));
});
