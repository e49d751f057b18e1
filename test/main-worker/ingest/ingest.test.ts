// The ingest table: bad inputs end in trash/invalid with the right code and a reason; good
// ones end in scanned/ conformed to the concat profile; every raw file is accounted for.
import assert from 'node:assert/strict';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { MainWorker } from '../../../src/main-worker/index.js';
import { measureLoudness } from '../../../src/shared/media/audio.js';
import { probe } from '../../../src/shared/media/probe.js';
import { FIXTURES } from '../../media.js';
import { assertKeptOnce, binaries, sha256 as sha, walk } from '../../helpers.js';
import { ingestEnv } from './env.js';

const UUID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

const GOOD: Record<string, (p: string) => Promise<void>> = {
  [`video/c/${UUID}.mp4`]: (p) => FIXTURES.clip(p),
  [`video/c/it's a "clip" ✓ -x.mp4`]: (p) => FIXTURES.clip(p),
  'video/c/--rf.mp4': (p) => FIXTURES.clip(p),
  'video/c/new\nline.mp4': (p) => FIXTURES.clip(p),
  'video/c/25fps.mp4': FIXTURES.clip25fps,
  'video/c/rotated.mp4': FIXTURES.rotated,
  'video/c/vfr.mp4': FIXTURES.vfr,
  'video/c/ten-bit.mp4': FIXTURES.tenBit,
  'video/c/hevc.mp4': FIXTURES.hevc,
  'video/c/with audio.mp4': FIXTURES.withAudio,
  'video/c/odd.mkv': FIXTURES.oddSize,
  'video/c/phone.MOV': FIXTURES.mov,
  'frame/c/border.mp4': (p) => FIXTURES.clip(p),
  'music/c/quiet bed.wav': FIXTURES.musicWav,
  'music/c/track.mp3': (p) => FIXTURES.musicMp3(p),
  'story/c/my story/voice/chapter_0001.mp3': (p) => FIXTURES.voice(p),
};

const BAD: Record<string, [(p: string) => Promise<void>, string]> = {
  'video/c/empty.mp4': [FIXTURES.empty, 'RAW_EMPTY'],
  'video/c/text.mp4': [FIXTURES.text, 'PROBE_FAILED'],
  'video/c/truncated.mp4': [FIXTURES.truncated, 'PROBE_FAILED'],
  'video/c/cut short.mp4': [FIXTURES.truncatedFaststart, 'UNDECODABLE'],
  'video/c/audio-only.mp4': [FIXTURES.audioOnlyMp4, 'NO_VIDEO_STREAM'],
  'video/c/blink.mp4': [FIXTURES.blink, 'TOO_SHORT'],
  'video/c/notes.txt': [FIXTURES.text, 'RAW_UNSUPPORTED_TYPE'],
  'music/c/not-audio.mp3': [FIXTURES.text, 'PROBE_FAILED'],
  'music/c/silence.mp3': [(p) => FIXTURES.silentMp3(p), 'SILENT'],
  'music/c/jingle.mp3': [(p) => FIXTURES.musicMp3(p, 2), 'TOO_SHORT'],
  'story/c/my story/voice/chapter_0002.mp3': [(p) => FIXTURES.silentMp3(p, 3), 'SILENT'],
  'story/c/my story/voice/chapter_0003.mp3': [(p) => FIXTURES.voice(p, 0.4), 'TOO_SHORT'],
  'story/c/my story/voice/chapter_0004.wav': [FIXTURES.musicWav, 'RAW_UNSUPPORTED_TYPE'],
  'video/bad\ncategory/a.mp4': [(p) => FIXTURES.clip(p), 'RAW_BAD_NAME'],
  'misplaced.mp4': [(p) => FIXTURES.clip(p), 'RAW_UNEXPECTED_PATH'],
};

test('ingest: every raw file accounted for, rejects with their reason, good clips conformed', async (t) => {
  const env = await ingestEnv(t, { ingest: { stableMs: 0, musicMinSeconds: 5 }, render: { resolution: '160x90' } });
  const { layout, stage } = env;
  const hashes = new Map<string, string>();
  let n = 0;
  for (const [rel, make] of [...Object.entries(GOOD), ...Object.entries(BAD).map(([r, [m]]) => [r, m] as const)]) {
    const staged = join(stage, String(n++));
    await make(staged);
    hashes.set(rel, await sha(staged));
    await mkdir(dirname(join(layout.raw, rel)), { recursive: true });
    await rename(staged, join(layout.raw, rel));
  }

  const { config, log } = env.ctx;
  const worker = new MainWorker({ config, layout, log, bins: await binaries() });
  const totals = await worker.runOnce();
  const logText = env.log();
  assert.equal(totals.errors, 0, logText);

  // raw/ is empty; every raw file's bytes are in scanned/ or trash/invalid/ exactly once
  // (several fixtures are byte-identical: each copy must be kept once, no more, no less).
  assert.deepEqual(await walk(layout.raw), []);
  // (Asset records <scanned file>.json are the farm's own, not raw files.)
  const kept = [...(await walk(layout.scanned)), ...(await walk(layout.trashInvalid))].filter((p) => !p.endsWith('.reason.json') && !p.endsWith('.source.json') && !/\.(mp4|mp3)\.json$/.test(p));
  await assertKeptOnce(hashes, kept);

  // Rejects: the right code, a reason naming the raw path, the file intact.
  for (const [rel, [, code]] of Object.entries(BAD)) {
    const reason = JSON.parse(await readFile(join(layout.trashInvalid, `${rel}.reason.json`), 'utf8')) as { code: string; raw_path: string; message: string };
    assert.equal(reason.code, code, `${JSON.stringify(rel)}: ${reason.message}`);
    assert.equal(reason.raw_path, `raw/${rel}`);
    assert.equal(await sha(join(layout.trashInvalid, rel)), hashes.get(rel), 'the rejected file is intact');
  }
  const cutShort = JSON.parse(await readFile(join(layout.trashInvalid, 'video/c/cut short.mp4.reason.json'), 'utf8')) as { message: string };
  assert.match(cutShort.message, /^decoding the first and last 1 s failed: /);

  // Good clips: every file in a class folder conforms to the concat profile.
  const classFiles = (await walk(join(layout.scanned, 'video', 'c'))).filter((p) => /\/mp4_w\d+_h\d+\//.test(p) && !p.endsWith('.json'));
  // Each has its asset record, moved or converted alike.
  for (const p of classFiles) {
    const record = JSON.parse(await readFile(`${p}.json`, 'utf8')) as { kind: string; category: string; raw_path: string; tags: string[]; duration: number };
    assert.deepEqual([record.kind, record.category, record.tags], ['video', 'c', []], p);
    assert.match(record.raw_path, /^raw\/video\/c\//);
  }
  const classes = new Map<string, number>();
  for (const p of classFiles) {
    const info = await probe((await binaries()).ffprobe.path, p);
    const v = info.video!;
    const cls = relative(join(layout.scanned, 'video', 'c'), dirname(p));
    classes.set(cls, (classes.get(cls) ?? 0) + 1);
    assert.equal(cls, `mp4_w${v.width}_h${v.height}`, p);
    assert.deepEqual([v.codec, v.pixFmt, v.rotation, info.audio], ['h264', 'yuv420p', 0, null], p);
    assert.ok(Math.abs((v.fps ?? 0) - 30) < 0.01 && Math.abs((v.baseFps ?? 0) - 30) < 0.01, `${p}: constant 30 fps, got ${v.fps}/${v.baseFps}`);
    assert.match(p, /\/\d+\.\d_[0-9a-f-]{36}\.mp4$/);
  }
  assert.deepEqual(Object.fromEntries([...classes].sort()), { mp4_w160_h90: 10, mp4_w180_h320: 1, mp4_w320_h180: 1 });
  assert.ok(classFiles.some((p) => p.endsWith(`_${UUID}.mp4`)), 'a UUID name keeps its id');
  // Originals of converted clips are kept (nothing is deleted), each converted exactly once;
  // every original's source record names the raw file it came from, each raw file once.
  const originals = (await walk(join(layout.scanned, 'video', 'c', 'original'))).filter((p) => !p.endsWith('.source.json'));
  assert.equal(originals.length, 8);
  const sources = new Map<string, { id: string; why: string }>();
  for (const o of originals) {
    const id = o.split('/').pop()!.replace(/\.[^.]+$/, '');
    assert.equal(classFiles.filter((p) => p.endsWith(`_${id}.mp4`)).length, 1, `${o} converted once`);
    const source = JSON.parse(await readFile(`${o}.source.json`, 'utf8')) as { raw_path: string; why: string };
    assert.equal(await sha(o), hashes.get(source.raw_path.slice('raw/'.length)), `${o} holds the bytes of ${source.raw_path}`);
    sources.set(source.raw_path, { id, why: source.why });
  }
  assert.equal(sources.size, 8, 'eight different raw files were converted');
  // The odd-sized MKV was transcoded (not rewrapped) into the 160x90 class.
  const odd = sources.get('raw/video/c/odd.mkv');
  assert.ok(odd, [...sources.keys()].join(', '));
  assert.match(odd.why, /^transcode: .*odd size 161x91/);
  assert.equal(classFiles.filter((p) => p.endsWith(`/mp4_w160_h90/1.0_${odd.id}.mp4`)).length, 1);
  assert.equal((await walk(join(layout.scanned, 'frame', 'c', 'mp4_w160_h90'))).filter((p) => !p.endsWith('.json')).length, 1);

  // Music: both tracks normalized to the target loudness, as MP3, originals kept.
  const tracks = (await walk(layout.scannedMusicDir('c'))).filter((p) => !p.endsWith('.json'));
  assert.equal(tracks.length, 2);
  for (const tr of tracks) {
    assert.match(tr, /\/\d+\.\d_[0-9a-f-]{36}\.mp3$/);
    const info = await probe((await binaries()).ffprobe.path, tr);
    assert.equal(info.audio?.codec, 'mp3');
    const l = await measureLoudness((await binaries()).ffmpeg.path, tr, { lufs: -16, truePeak: -1.5, lra: 11 });
    assert.ok(Math.abs(l.inputI - -16) <= 1, `${tr}: ${l.inputI} LUFS`);
    assert.ok(l.inputTp <= -1.0, `${tr}: true peak ${l.inputTp}`);
  }
  const musicOriginals = (await walk(layout.scannedOriginalDir('music', 'c'))).filter((p) => !p.endsWith('.source.json'));
  assert.equal(musicOriginals.length, 2);
  for (const o of musicOriginals) {
    const id = o.split('/').pop()!.replace(/\.[^.]+$/, '');
    assert.equal(tracks.filter((p) => p.endsWith(`_${id}.mp3`)).length, 1, `${o} normalized once`);
  }

  // Voice: moved as it is; a task was planned for it.
  assert.deepEqual((await walk(layout.scannedVoiceDir('c', 'my story'))).filter((p) => !p.endsWith('.json')), [join(layout.scannedVoiceDir('c', 'my story'), 'chapter_0001.mp3')]);
  assert.equal(totals.tasksCreated, 1);

  // No temporary name anywhere.
  const root = layout.root;
  assert.deepEqual((await walk(root)).filter((p) => relative(root, p).split('/').some((s) => s.startsWith('.') && s !== '.ledger')), []);
});
