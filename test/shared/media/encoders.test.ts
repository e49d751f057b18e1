// H.264 encoders: how each is driven (encoderSpec, argument by argument), what a failed test
// encode says (encoderError), and which encoder is chosen: libx264 for real, hardware ones
// through fake ffmpegs (a 'broken' one, and scripts that fail one encoder and record argv).
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { detectEncoder, encoderError, encoderSpec, testEncoder, testEncoders } from '../../../src/shared/media/encoders.js';
import { fakeFfmpeg } from '../../fake-ffmpeg.js';
import { binaries, tempDir, testConfig, writeScript } from '../../helpers.js';

const NVENC_STDERR = '[h264_nvenc @ 0x55d0a1b2c3d0] Cannot load libcuda.so.1\\nError initializing output stream 0:0 -- Error while opening encoder for output stream #0:0 - maybe incorrect parameters such as bit_rate, rate, width or height\\n';

/**
 * A fake ffmpeg that appends each call's argv (one line, arguments joined by |) to
 * `dir/calls.txt`; h264_nvenc fails the way a node without a GPU fails, everything else works.
 */
async function nvencless(dir: string) {
  const path = await writeScript(join(dir, 'ffmpeg'), [`(IFS='|'; echo "$*") >> '${dir}/calls.txt'`, 'case "$*" in', `  *h264_nvenc*) printf '${NVENC_STDERR}' >&2; exit 1;;`, 'esac', 'exit 0'].join('\n'));
  const calls = async () => (await readFile(join(dir, 'calls.txt'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => l.split('|'));
  return { path, calls };
}

test('encoderSpec: VAAPI uploads at the end of the chain to its device; software and other hardware take yuv420p', () => {
  const config = testConfig({ render: { vaapiDevice: '/dev/dri/renderD129' } });
  assert.deepEqual(encoderSpec('h264_vaapi', config), { name: 'h264_vaapi', hardware: true, globalArgs: ['-vaapi_device', '/dev/dri/renderD129'], uploadFilter: 'format=nv12,hwupload', args: ['-qp', '21'] });
  assert.deepEqual(encoderSpec('libx264', config), { name: 'libx264', hardware: false, globalArgs: [], uploadFilter: null, args: ['-preset', 'veryfast', '-crf', '20'] });
  assert.deepEqual(encoderSpec('libopenh264', config), { name: 'libopenh264', hardware: false, globalArgs: [], uploadFilter: null, args: [] });
  assert.deepEqual(encoderSpec('h264_nvenc', config), { name: 'h264_nvenc', hardware: true, globalArgs: [], uploadFilter: null, args: ['-preset', 'p5', '-rc', 'vbr', '-cq', '21', '-b:v', '0'] });
  assert.deepEqual(encoderSpec('h264_qsv', config), { name: 'h264_qsv', hardware: true, globalArgs: [], uploadFilter: null, args: ['-preset', 'medium', '-global_quality', '21'] });
  assert.deepEqual(encoderSpec('h264_videotoolbox', config), { name: 'h264_videotoolbox', hardware: true, globalArgs: [], uploadFilter: null, args: ['-b:v', '10M'] });
});

test('encoderSpec: args come from render.encoderArgs, as a copy', () => {
  const config = testConfig({ render: { encoderArgs: { libx264: ['-preset', 'ultrafast'], h264_amf: ['-quality', 'speed'] } } });
  const spec = encoderSpec('libx264', config);
  assert.deepEqual(spec.args, ['-preset', 'ultrafast']);
  spec.args.push('-crf', '30');
  assert.deepEqual(encoderSpec('libx264', config).args, ['-preset', 'ultrafast'], 'the config is not changed through a spec');
  assert.deepEqual(encoderSpec('h264_amf', config), { name: 'h264_amf', hardware: true, globalArgs: [], uploadFilter: null, args: ['-quality', 'speed'] });
});

test('encoderError: the first line of ffmpeg\'s stderr, component prefix removed; null when it said nothing', () => {
  assert.equal(encoderError(NVENC_STDERR.replaceAll('\\n', '\n')), 'Cannot load libcuda.so.1');
  assert.equal(encoderError('\n  \n[h264_qsv @ 0xabc] Error creating a MFX session: -9.\nConversion failed!\n'), 'Error creating a MFX session: -9.');
  assert.equal(encoderError("Unknown encoder 'nope'\n"), "Unknown encoder 'nope'");
  assert.equal(encoderError(''), null);
  assert.equal(encoderError(' \n\n'), null);
});

test('testEncoder: libx264 encodes a real frame; an encoder ffmpeg lacks fails with ffmpeg\'s words', async () => {
  const { ffmpeg } = await binaries();
  const config = testConfig();
  const ok = await testEncoder(ffmpeg.path, 'libx264', config);
  assert.deepEqual([ok.name, ok.ok, ok.error], ['libx264', true, null]);
  assert.ok(Number.isInteger(ok.ms) && ok.ms >= 0);
  const bad = await testEncoder(ffmpeg.path, 'nope_encoder', config);
  assert.deepEqual([bad.name, bad.ok, bad.error], ['nope_encoder', false, "Unknown encoder 'nope_encoder'"]);
});

test('testEncoder: a broken ffmpeg (exits 3, prints nothing) fails with its exit code', async (t) => {
  const broken = await fakeFfmpeg(await tempDir(t), 'broken');
  const r = await testEncoder(broken, 'libx264', testConfig());
  assert.deepEqual([r.ok, r.error], [false, 'exit code 3']);
  const missing = await testEncoder('/nonexistent/ffmpeg', 'libx264', testConfig());
  assert.equal(missing.ok, false);
});

test('testEncoder: without the VAAPI device, h264_vaapi fails at once, ffmpeg not run', async (t) => {
  const dir = await tempDir(t);
  const fake = await nvencless(dir);
  const r = await testEncoder(fake.path, 'h264_vaapi', testConfig({ render: { vaapiDevice: join(dir, 'renderD128') } }));
  assert.deepEqual(r, { name: 'h264_vaapi', ok: false, error: `no VAAPI device at ${join(dir, 'renderD128')} (render.vaapiDevice)`, ms: 0 });
  assert.deepEqual(await fake.calls(), []);
});

test('testEncoder: the exact argv (a 256x256 gray frame to MP4 in a temp folder, removed after)', async (t) => {
  const dir = await tempDir(t);
  const scratch = await tempDir(t);
  const fake = await nvencless(dir);
  const device = join(dir, 'renderD128');
  await writeFile(device, '');
  const config = testConfig({ render: { vaapiDevice: device } });
  // os.tmpdir() follows TMPDIR: the encoder's temp folder lands in `scratch`, where it can be checked.
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  try {
    assert.equal((await testEncoder(fake.path, 'h264_vaapi', config)).ok, true);
    assert.equal((await testEncoder(fake.path, 'libx264', config)).ok, true);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  const [vaapi, x264] = await fake.calls();
  const head = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  const input = ['-f', 'lavfi', '-i', 'color=c=gray:s=256x256:r=30:d=1', '-frames:v', '1'];
  assert.deepEqual(vaapi!.slice(0, -1), [...head, '-vaapi_device', device, ...input, '-vf', 'format=yuv420p,format=nv12,hwupload', '-c:v', 'h264_vaapi', '-qp', '21', '-f', 'mp4', '-y']);
  assert.deepEqual(x264!.slice(0, -1), [...head, ...input, '-vf', 'format=yuv420p', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-f', 'mp4', '-y']);
  for (const call of [vaapi!, x264!]) assert.match(call.at(-1)!, new RegExp(`^${scratch}/clipmill-enc-\\w+/test\\.mp4$`));
  assert.deepEqual(await readdir(scratch), [], 'the temp folders are removed');
});

test('testEncoders: every encoder of render.encoders, in order; detectEncoder: the first that works', async (t) => {
  const dir = await tempDir(t);
  const fake = await nvencless(dir);
  const config = testConfig({ render: { encoders: ['h264_nvenc', 'libx264', 'libopenh264'], vaapiDevice: join(dir, 'none') } });
  const all = await testEncoders(fake.path, config);
  assert.deepEqual(all.map((r) => [r.name, r.ok, r.error]), [['h264_nvenc', false, 'Cannot load libcuda.so.1'], ['libx264', true, null], ['libopenh264', true, null]]);
  assert.equal((await fake.calls()).length, 3);

  const { chosen, tests } = await detectEncoder(fake.path, config);
  assert.deepEqual(chosen, encoderSpec('libx264', config));
  assert.deepEqual(tests.map((r) => [r.name, r.ok]), [['h264_nvenc', false], ['libx264', true]]);
  assert.equal((await fake.calls()).length, 5, 'it stops at the first that works: libopenh264 not tried');

  const none = await detectEncoder(fake.path, testConfig({ render: { encoders: ['h264_nvenc', 'h264_vaapi'], vaapiDevice: join(dir, 'none') } }));
  assert.equal(none.chosen, null);
  assert.deepEqual(none.tests.map((r) => [r.name, r.error]), [['h264_nvenc', 'Cannot load libcuda.so.1'], ['h264_vaapi', `no VAAPI device at ${join(dir, 'none')} (render.vaapiDevice)`]]);
});

test('a canceled test encode is a cancellation, not a failed encoder', async () => {
  const { ffmpeg } = await binaries();
  const config = testConfig({ render: { encoders: ['libx264'] } });
  await assert.rejects(testEncoder(ffmpeg.path, 'libx264', config, AbortSignal.abort()));
  await assert.rejects(detectEncoder(ffmpeg.path, config, AbortSignal.abort()));
});
