// Beat analysis at ingest (src/main-worker/ingest/beats.ts) on generated click tracks (a 5 ms
// 1 kHz burst per beat, after a lead-in of silence), decoded once by ffmpeg as ingest does:
// every click found within 20 ms, nothing else, the tempo within 1 bpm; a file that does not
// decode has no usable beats; the beats file is written once (scanned/ is immutable).
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyseBeats, readBeats, writeBeats } from '../../../src/main-worker/ingest/beats.js';
import { BeatsSchema, type Beats } from '../../../src/shared/media/beats.js';
import { binaries, tempDir } from '../../helpers.js';
import { clickTrack } from '../../shared/media/click-track.js';

function assertOnsets(found: number[], clicks: number[], what: string): void {
  assert.equal(found.length, clicks.length, `${what}: ${found.length} onsets for ${clicks.length} clicks: ${found.join(', ')}`);
  found.forEach((t, i) => assert.ok(Math.abs(t - clicks[i]!) <= 0.02, `${what}: onset ${i} at ${t} s, click at ${clicks[i]} s`));
}

test('click tracks at 120 and 97 bpm with a lead-in: each click within 20 ms, the tempo within 1 bpm', async (t) => {
  const dir = await tempDir(t);
  const { ffmpeg } = await binaries();
  for (const [bpm, lead] of [[120, 0.73], [97, 1.31]] as const) {
    const file = join(dir, `click-${bpm}.wav`);
    const clicks = await clickTrack(file, bpm, lead, 12);
    const beats = await analyseBeats(ffmpeg.path, file);
    BeatsSchema.parse(beats);
    assertOnsets(beats.onsets, clicks, `${bpm} bpm`);
    assert.ok(beats.tempo !== null && Math.abs(beats.tempo - bpm) <= 1, `${bpm} bpm: tempo ${beats.tempo}`);
    assert.equal(beats.usable, true);
    assert.ok(Math.abs(beats.analysed_seconds - 12) < 0.01);
  }
});

test('an MP3 click track (encoder delay compensated by the decoder): onsets within 20 ms', async (t) => {
  const dir = await tempDir(t);
  const { ffmpeg } = await binaries();
  const file = join(dir, 'click.mp3');
  const clicks = await clickTrack(file, 97, 0.5, 8, '+0.05*sin(2*PI*220*t)');
  const beats = await analyseBeats(ffmpeg.path, file);
  assertOnsets(beats.onsets, clicks, 'mp3, 97 bpm over a quiet tone');
});

test('a file that does not decode: not usable, the reason says why (the track is filed all the same); no temporary left', async (t) => {
  const dir = await tempDir(t);
  const bad = join(dir, 'bad.mp3');
  await writeFile(bad, 'not audio at all');
  const { ffmpeg } = await binaries();
  const b = await analyseBeats(ffmpeg.path, bad);
  assert.equal(b.usable, false);
  assert.match(b.reason!, /the analysis failed/);
  assert.deepEqual(await readdir(dir), ['bad.mp3']);
});

test('writeBeats: written before the track; a track already filed keeps its beats file; readBeats: null without one', async (t) => {
  const dir = await tempDir(t);
  const track = join(dir, '8.0_x.mp3');
  const beats: Beats = { schema_version: 1, analysed_seconds: 8, tempo: 120, onsets: [0.5, 1], usable: true };
  assert.equal(await readBeats(track), null);
  assert.deepEqual(await writeBeats(track, beats), beats);
  assert.deepEqual(await readBeats(track), beats);
  await writeFile(track, 'filed');
  assert.deepEqual(await writeBeats(track, { ...beats, onsets: [] }), beats, 'scanned/ is immutable');
  assert.deepEqual(await readBeats(track), beats);
});
