// Beat analysis on generated click tracks (a 5 ms 1 kHz burst per beat, after a lead-in of
// silence): every click found within 20 ms, nothing else, the tempo within 1 bpm; silence and a
// drone (a steady tone) have no usable beats. The tracks are made by ffmpeg and decoded once by
// analyseBeats, as ingest does.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { BeatsSchema, detectBeats } from '../../../src/shared/media/beats.js';
import { analyseBeats } from '../../../src/main-worker/ingest/beats.js';
import { binaries, tempDir } from '../../helpers.js';
import { clickTrack } from './click-track.js';

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

test('silence and a drone: no onsets, not usable, with the reason; a file that does not decode: not usable, the reason says why', async (t) => {
  const silence = detectBeats(new Int16Array(22050 * 5));
  assert.deepEqual([silence.onsets, silence.usable, silence.tempo], [[], false, null]);
  assert.match(silence.reason!, /0 onset/);
  const drone = new Int16Array(22050 * 5);
  for (let i = 0; i < drone.length; i++) drone[i] = Math.round(12000 * Math.sin((2 * Math.PI * 110 * i) / 22050) + 6000 * Math.sin((2 * Math.PI * 165 * i) / 22050));
  const d = detectBeats(drone);
  assert.equal(d.usable, false);
  assert.ok(d.onsets.length < 4, `a drone has ${d.onsets.length} onsets`);
  const dir = await tempDir(t);
  const bad = join(dir, 'bad.mp3');
  await import('node:fs/promises').then((fs) => fs.writeFile(bad, 'not audio at all'));
  const { ffmpeg } = await binaries();
  const b = await analyseBeats(ffmpeg.path, bad);
  assert.equal(b.usable, false);
  assert.match(b.reason!, /the analysis failed/);
});

test('the analysis is deterministic: the same samples give the same beats', () => {
  const s = new Int16Array(22050 * 3);
  for (let k = 0; k < 6; k++) for (let i = 0; i < 100; i++) s[Math.round((0.3 + k * 0.45) * 22050) + i] = Math.round(20000 * Math.sin(i));
  assert.deepEqual(detectBeats(s), detectBeats(s));
  assert.equal(detectBeats(s).onsets.length, 6);
});
