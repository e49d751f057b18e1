// conform.ts is pure (STYLE 2): probe facts in, a decision out; a decision in, an exact argv
// out. The last test runs the argv on real tiny media and checks the result needs no more work.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { conformArgv, conformDecision, musicArgv, type ConformDecision, type ConformTarget } from '../../../src/main-worker/ingest/conform.js';
import { probe, type ProbeInfo, type VideoStreamInfo } from '../../../src/shared/media/probe.js';
import { FIXTURES } from '../../media.js';
import { binaries, tempDir } from '../../helpers.js';

const TARGET: ConformTarget = { fps: 30, preset: 'veryfast', crf: 18 };

/** What ffprobe says of a clip that already fits the profile; `v` and `rest` change it. */
function info(v: Partial<VideoStreamInfo> = {}, rest: Partial<ProbeInfo> = {}): ProbeInfo {
  const video: VideoStreamInfo = { codec: 'h264', width: 160, height: 90, displayWidth: 160, displayHeight: 90, rotation: 0, pixFmt: 'yuv420p', fps: 30, baseFps: 30, sar: 1, duration: 2, ...v };
  return { formatName: 'mov,mp4,m4a,3gp,3g2,mj2', duration: 2, size: 1000, video, audio: null, ...rest };
}

const AAC = { codec: 'aac', sampleRate: 44100, channels: 2, duration: 2 };

test('conformDecision: a table of probe facts and the decision each one gets', () => {
  const table: [string, ProbeInfo, string, ConformDecision, ConformTarget?][] = [
    ['fits the profile', info(), '.mp4', { action: 'move' }],
    ['SAR unset counts as square', info({ sar: null }), '.mp4', { action: 'move' }],
    ['SAR within 0.001 of 1', info({ sar: 1.0005 }), '.mp4', { action: 'move' }],
    ['fps within 0.01 of the target', info({ fps: 29.995, baseFps: 29.995 }), '.mp4', { action: 'move' }],
    ['another target fps', info({ fps: 25, baseFps: 25 }), '.mp4', { action: 'move' }, { ...TARGET, fps: 25 }],
    ['an audio track', info({}, { audio: AAC }), '.mp4', { action: 'remux', reasons: ['has an audio track'] }],
    ['a MOV container', info(), '.mov', { action: 'remux', reasons: ['.mov container'] }],
    ['audio in an MKV', info({}, { audio: AAC }), '.mkv', { action: 'remux', reasons: ['has an audio track', '.mkv container'] }],
    ['HEVC', info({ codec: 'hevc' }), '.mp4', { action: 'transcode', reasons: ['codec hevc is not H.264'] }],
    ['10-bit', info({ pixFmt: 'yuv420p10le' }), '.mp4', { action: 'transcode', reasons: ['pixel format yuv420p10le is not yuv420p'] }],
    ['unknown pixel format', info({ pixFmt: null }), '.mp4', { action: 'transcode', reasons: ['pixel format unknown is not yuv420p'] }],
    ['rotated', info({ rotation: 90, displayWidth: 90, displayHeight: 160 }), '.mp4', { action: 'transcode', reasons: ['rotated 90°'] }],
    ['odd size', info({ width: 161, height: 91 }), '.mp4', { action: 'transcode', reasons: ['odd size 161x91'] }],
    ['odd height only', info({ width: 160, height: 91 }), '.mp4', { action: 'transcode', reasons: ['odd size 160x91'] }],
    ['anamorphic', info({ sar: 4 / 3 }), '.mp4', { action: 'transcode', reasons: ['non-square pixels (SAR 1.333)'] }],
    ['variable frame rate', info({ fps: 23.5, baseFps: 30 }), '.mp4', { action: 'transcode', reasons: ['variable frame rate (average 23.50 fps)'] }],
    ['25 fps', info({ fps: 25, baseFps: 25 }), '.mp4', { action: 'transcode', reasons: ['25.00 fps is not 30 fps'] }],
    ['NTSC 29.97 fps', info({ fps: 30000 / 1001, baseFps: 30000 / 1001 }), '.mp4', { action: 'transcode', reasons: ['29.97 fps is not 30 fps'] }],
    ['unknown fps', info({ fps: null, baseFps: null }), '.mp4', { action: 'transcode', reasons: ['unknown fps is not 30 fps'] }],
    ['unknown average, known base rate', info({ fps: null, baseFps: 30 }), '.mp4', { action: 'transcode', reasons: ['unknown fps is not 30 fps'] }],
    // A transcode drops the audio and rewrites the container anyway: those are not listed.
    [
      'everything wrong at once',
      info({ codec: 'hevc', pixFmt: 'yuv444p', rotation: 270, width: 161, height: 91, sar: 2, fps: 25, baseFps: 25 }, { audio: AAC }),
      '.mkv',
      { action: 'transcode', reasons: ['codec hevc is not H.264', 'pixel format yuv444p is not yuv420p', 'rotated 270°', 'odd size 161x91', 'non-square pixels (SAR 2.000)', '25.00 fps is not 30 fps'] },
    ],
  ];
  for (const [what, probed, ext, expected, target] of table) assert.deepEqual(conformDecision(probed, ext, target ?? TARGET), expected, what);
});

test('conformDecision refuses a file without a video stream (validation rejects those first)', () => {
  assert.throws(() => conformDecision(info({}, { video: null, audio: AAC }), '.mp4', TARGET), { message: 'conformDecision needs a video stream' });
});

test('conformArgv: the exact argv of a remux and of a transcode', () => {
  const tail = ['-an', '-sn', '-dn', '-map_metadata', '-1', '-movflags', '+faststart', '-f', 'mp4', '/out/.x.tmp.mp4'];
  const head = ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-i', '/in/clip.mov', '-map', '0:v:0'];
  assert.deepEqual(conformArgv('/in/clip.mov', '/out/.x.tmp.mp4', { action: 'remux', reasons: ['.mov container'] }, TARGET), [...head, '-c:v', 'copy', ...tail]);
  assert.deepEqual(conformArgv('/in/clip.mov', '/out/.x.tmp.mp4', { action: 'transcode', reasons: ['odd size 161x91'] }, { fps: 25, preset: 'slow', crf: 20 }), [
    ...head,
    '-vf',
    'scale=trunc(iw*sar/2)*2:trunc(ih/2)*2,setsar=1,fps=25,format=yuv420p',
    '-c:v',
    'libx264',
    '-preset',
    'slow',
    '-crf',
    '20',
    ...tail,
  ]);
  // A name that looks like an option stays one argument after -i.
  assert.equal(conformArgv('-rf.mp4', 'o.mp4', { action: 'remux', reasons: [] }, TARGET)[6], '-rf.mp4');
});

test('musicArgv: the second loudnorm pass, resampled to 44.1 kHz, as MP3', () => {
  assert.deepEqual(musicArgv('/in/a.wav', '/out/a.mp3', 'loudnorm=I=-16', '192k'), [
    '-hide_banner', '-nostdin', '-y', '-v', 'error', '-i', '/in/a.wav', '-map', '0:a:0', '-af', 'loudnorm=I=-16', '-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '192k', '-map_metadata', '-1', '-f', 'mp3', '/out/a.mp3',
  ]);
});

test('real media: a transcode of an odd-sized MKV and of a rotated clip conforms (the next decision is "move")', async (t) => {
  const dir = await tempDir(t);
  const { ffmpeg, ffprobe } = await binaries();
  for (const [name, make, size] of [['odd.mkv', FIXTURES.oddSize, [160, 90]], ['rotated.mp4', FIXTURES.rotated, [180, 320]]] as const) {
    const input = join(dir, name);
    await make(input);
    const before = await probe(ffprobe.path, input);
    const decision = conformDecision(before, name.slice(name.lastIndexOf('.')), TARGET);
    assert.equal(decision.action, 'transcode', name);
    const out = join(dir, `${name}.out.mp4`);
    await execa(ffmpeg.path, conformArgv(input, out, decision as Exclude<ConformDecision, { action: 'move' }>, TARGET));
    const after = await probe(ffprobe.path, out);
    assert.deepEqual(conformDecision(after, '.mp4', TARGET), { action: 'move' }, name);
    assert.deepEqual([after.video!.width, after.video!.height, after.video!.rotation], [...size, 0], `${name}: rotation applied, even size`);
  }
});
