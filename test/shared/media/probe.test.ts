import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProbe, parseRate } from '../../../src/shared/media/probe.js';

test('rates', () => {
  assert.equal(parseRate('30000/1001')?.toFixed(3), '29.970');
  assert.equal(parseRate('0/0'), null);
  assert.equal(parseRate(undefined), null);
});

test('display size applies rotation; cover art is not footage', () => {
  const rotated = parseProbe(JSON.stringify({
    format: { format_name: 'mov,mp4', duration: '4.000', size: '1000' },
    streams: [{ codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, pix_fmt: 'yuv420p', avg_frame_rate: '30/1', side_data_list: [{ rotation: -90 }] }],
  }));
  assert.deepEqual([rotated.video?.displayWidth, rotated.video?.displayHeight, rotated.video?.rotation], [1080, 1920, 270]);
  const mp3 = parseProbe(JSON.stringify({
    format: { format_name: 'mp3', duration: '10.5' },
    streams: [{ codec_type: 'audio', codec_name: 'mp3', sample_rate: '44100', channels: 2 }, { codec_type: 'video', codec_name: 'mjpeg', width: 300, height: 300, disposition: { attached_pic: 1 } }],
  }));
  assert.equal(mp3.video, null);
  assert.equal(mp3.audio?.codec, 'mp3');
  assert.equal(mp3.duration, 10.5);
});

test('probe: an ffprobe out of memory, or one that cannot run (exit 127), is the machine\'s, not PROBE_FAILED', async (t) => {
  const { join } = await import('node:path');
  const { probe } = await import('../../../src/shared/media/probe.js');
  const { isClipmillError } = await import('../../../src/shared/errors.js');
  const { tempDir, writeScript } = await import('../../helpers.js');
  const dir = await tempDir(t);
  const oom = await writeScript(join(dir, 'oom'), 'echo "[mov,mp4 @ 0x1] Cannot allocate memory" >&2; exit 1');
  await assert.rejects(probe(oom, '/x.mp4'), (e: unknown) => isClipmillError(e, 'OUT_OF_MEMORY'));
  const noLib = await writeScript(join(dir, 'nolib'), 'echo "ffprobe: error while loading shared libraries: libavdevice.so.59: failed to map segment" >&2; exit 127');
  await assert.rejects(probe(noLib, '/x.mp4'), (e: unknown) => isClipmillError(e, 'SUBPROCESS_FAILED') && e.errorClass === 'recoverable');
});

test('probeFile: a file linked from the root probed once per process, for its identity; a single-link file (a copy in scratch) and a file written again probed each time', async (t) => {
  const { join } = await import('node:path');
  const { link, writeFile, appendFile, readFile } = await import('node:fs/promises');
  const { probeFile } = await import('../../../src/shared/media/probe.js');
  const { tempDir, writeScript } = await import('../../helpers.js');
  const dir = await tempDir(t);
  // A fake ffprobe that counts its runs and prints a 2-second clip 64 pixels wide.
  const runs = join(dir, 'runs');
  await writeFile(runs, '');
  const fake = await writeScript(join(dir, 'ffprobe'), `echo run >> '${runs}'; echo '{"format":{"format_name":"mov","duration":"2","size":"4"},"streams":[{"codec_type":"video","codec_name":"h264","width":64,"height":36}]}'`);
  const count = async () => (await readFile(runs, 'utf8')).split('\n').filter(Boolean).length;
  const file = join(dir, 'a.mp4');
  await writeFile(file, 'clip');
  assert.equal((await probeFile(fake, file)).video?.width, 64);
  await probeFile(fake, file);
  assert.equal(await count(), 2, 'one link: not remembered');
  await link(file, join(dir, 'linked.mp4'));
  const info = await probeFile(fake, join(dir, 'linked.mp4'));
  assert.equal(info.duration, 2);
  assert.equal((await probeFile(fake, file)).video?.height, 36);
  assert.equal(await count(), 3, 'the root\'s file and its link in scratch are one file: probed once');
  assert.throws(() => ((info.video as { width: number }).width = 1), TypeError, 'frozen: shared by every caller');
  await new Promise((r) => setTimeout(r, 20));
  await appendFile(file, ' written again');
  await probeFile(fake, file);
  assert.equal(await count(), 4, 'changed: probed again');
  await writeFile(join(dir, 'b.mp4'), 'clip');
  await link(join(dir, 'b.mp4'), join(dir, 'b-linked.mp4'));
  await probeFile(fake, join(dir, 'b.mp4'));
  assert.equal(await count(), 5, 'another file with the same bytes: probed');
});
