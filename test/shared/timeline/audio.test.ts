// The audio tracks, chain by chain: placed at their start, cut to their part, looped by the
// demuxer (whole file) or by aloop (a part), faded, at their volume, mixed without amix's
// 1/n scaling, padded to the video, then speed and pitch. render.test.ts measures the levels.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { atempoChain, audioEffects, buildAudio, SAMPLE_RATE, trackLength } from '../../../src/shared/timeline/audio.js';
import { Graph } from '../../../src/shared/timeline/graph.js';
import { AudioTrackSchema, EffectsSchema, TimelineSchema, type TimelineInput } from '../../../src/shared/timeline/schema.js';

const NORM = 'aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,asetpts=N/SR/TB';
const tl = (audio: TimelineInput['audio'], effects: TimelineInput['effects'] = {}) =>
  TimelineSchema.parse({ output: { width: 160, height: 90, fps: 30, duration: 10 }, video: [{ type: 'color', color: 'black', duration: 10 }], audio, effects });
const paths = new Map(['voice.mp3', 'music.mp3', 'sfx.wav', 'bed.mp3', 'late.mp3'].map((f) => [f, `/m/${f}`]));

function build(audio: TimelineInput['audio'], effects: TimelineInput['effects'] = {}) {
  const g = new Graph();
  const out = buildAudio(g, tl(audio, effects), paths, 10);
  return { inputs: g.inputs, chains: g.chains, out };
}

test('trackLength: its duration, else its part, else to the end of the video; never past the end', () => {
  const t = (v: Record<string, unknown>) => AudioTrackSchema.parse({ file: 'a.mp3', ...v });
  assert.equal(trackLength(t({}), 10), 10);
  assert.equal(trackLength(t({}), 10, 4), 4);
  assert.equal(trackLength(t({ in: 1 }), 10, 4), 3);
  assert.equal(trackLength(t({ in: 1, out: 3 }), 10), 2);
  assert.equal(trackLength(t({ in: 1, out: 3, start: 9 }), 10), 1);
  assert.equal(trackLength(t({ loop: true, out: 3 }), 10), 10);
  assert.equal(trackLength(t({ loop: true, start: 4 }), 10, 2), 6);
  assert.equal(trackLength(t({ loop: true, duration: 5 }), 10), 5);
  assert.equal(trackLength(t({ duration: 5, start: 7 }), 10), 3);
  assert.equal(trackLength(t({ start: 10 }), 10), 0);
  assert.equal(trackLength(t({ start: 12 }), 10), 0);
  // Not looped, a track never lasts longer than its part of the file, when that is known.
  assert.equal(trackLength(t({ duration: 5 }), 10, 2), 2);
  assert.equal(trackLength(t({ out: 8 }), 10, 3), 3);
  assert.equal(trackLength(t({ in: 5 }), 10, 3), 0);
  assert.equal(trackLength(t({ loop: true, duration: 5 }), 10, 2), 5);
});

test('atempoChain: factors within [0.5, 2] whose product is the speed; nothing for 1', () => {
  assert.deepEqual(atempoChain(1), []);
  assert.deepEqual(atempoChain(1.25), ['atempo=1.25']);
  assert.deepEqual(atempoChain(2), ['atempo=2']);
  assert.deepEqual(atempoChain(3), ['atempo=2', 'atempo=1.5']);
  assert.deepEqual(atempoChain(4), ['atempo=2', 'atempo=2']);
  assert.deepEqual(atempoChain(0.5), ['atempo=0.5']);
  assert.deepEqual(atempoChain(0.3), ['atempo=0.5', 'atempo=0.6']);
  assert.deepEqual(atempoChain(0.25), ['atempo=0.5', 'atempo=0.5']);
  assert.deepEqual(atempoChain(1 / 1.5), ['atempo=0.666667']);
});

test('audioEffects: speed changes the tempo; pitch changes the rate, resamples and restores the tempo', () => {
  const e = (v: Record<string, unknown>) => audioEffects(EffectsSchema.parse(v));
  assert.equal(SAMPLE_RATE, 48000);
  assert.deepEqual(e({}), []);
  assert.deepEqual(e({ speed: 2 }), ['atempo=2']);
  assert.deepEqual(e({ speed: 0.25 }), ['atempo=0.5', 'atempo=0.5']);
  assert.deepEqual(e({ pitch: 1.5 }), ['asetrate=72000', 'aresample=48000', 'atempo=0.666667']);
  assert.deepEqual(e({ pitch: 2 }), ['asetrate=96000', 'aresample=48000', 'atempo=0.5']);
  // 1.25 / 0.9: the tempo after the rate change gives the speed asked for.
  assert.deepEqual(e({ speed: 1.25, pitch: 0.9 }), ['asetrate=43200', 'aresample=48000', 'atempo=1.388889']);
  assert.deepEqual(e({ speed: 1.5, pitch: 1.5 }), ['asetrate=72000', 'aresample=48000']);
});

test('no tracks: no audio at all', () => {
  assert.deepEqual(build([]), { inputs: [], chains: [], out: null });
});

test('one track: normalized, cut to the video, padded with silence to its end; no mix', () => {
  const { inputs, chains, out } = build([{ file: 'voice.mp3' }]);
  assert.deepEqual(inputs, [['-i', '/m/voice.mp3']]);
  assert.deepEqual(chains, [`[0:a]${NORM},atrim=duration=10[a1]`, '[a1]apad=whole_dur=10,atrim=duration=10[aout2]']);
  assert.equal(out, '[aout2]');
});

test('tracks mixed at their levels (normalize=0): volume, fades, start, part, loops of a whole file and of parts', () => {
  const { inputs, chains, out } = build([
    { file: 'voice.mp3', volume: 1.5, fade_in: 0.5, fade_out: 1 },
    { file: 'music.mp3', loop: true, volume: 0.25 },
    { file: 'sfx.wav', start: 2.5, in: 1, out: 3 },
    { file: 'bed.mp3', in: 4, out: 6, loop: true, duration: 5 },
    { file: 'music.mp3', in: 2, loop: true, start: 8 },
    { file: 'late.mp3', start: 10 },
  ]);
  // The whole file looped by the demuxer; the track starting at the end has no input.
  assert.deepEqual(inputs, [['-i', '/m/voice.mp3'], ['-stream_loop', '-1', '-i', '/m/music.mp3'], ['-i', '/m/sfx.wav'], ['-i', '/m/bed.mp3'], ['-i', '/m/music.mp3']]);
  assert.deepEqual(chains, [
    `[0:a]${NORM},atrim=duration=10,volume=1.5,afade=t=in:st=0:d=0.5,afade=t=out:st=9:d=1[a1]`,
    `[1:a]${NORM},atrim=duration=10,volume=0.25[a2]`,
    `[2:a]${NORM},atrim=start=1:end=3,asetpts=PTS-STARTPTS,atrim=duration=2,adelay=delays=2500:all=1[a3]`,
    // A part looped by aloop: its length in samples.
    `[3:a]${NORM},atrim=start=4:end=6,asetpts=PTS-STARTPTS,aloop=loop=-1:size=96000,atrim=duration=5[a4]`,
    // A part to the end of the file: aloop takes what it gets (the largest size).
    `[4:a]${NORM},atrim=start=2,asetpts=PTS-STARTPTS,aloop=loop=-1:size=2147483647,atrim=duration=2,adelay=delays=8000:all=1[a5]`,
    '[a1][a2][a3][a4][a5]amix=inputs=5:duration=longest:dropout_transition=0:normalize=0,apad=whole_dur=10,atrim=duration=10[aout6]',
  ]);
  assert.equal(out, '[aout6]');
});

test('fades longer than the track are cut to it; a fade-out ends with the track', () => {
  const { chains } = build([{ file: 'sfx.wav', in: 1, out: 2, fade_in: 3, fade_out: 0.25, start: 1 }]);
  assert.equal(chains[0], `[0:a]${NORM},atrim=start=1:end=2,asetpts=PTS-STARTPTS,atrim=duration=1,afade=t=in:st=0:d=1,afade=t=out:st=0.75:d=0.25,adelay=delays=1000:all=1[a1]`);
  assert.match(build([{ file: 'sfx.wav', out: 1, fade_out: 3 }]).chains[0]!, /afade=t=out:st=0:d=1\[a1\]$/);
});

test('with the lengths of the files: a track ends, and fades out, where its file does; one that starts after it is gone', () => {
  const g = new Graph();
  const t = tl([{ file: 'sfx.wav', start: 2, fade_out: 0.5 }, { file: 'voice.mp3', in: 4 }, { file: 'music.mp3', loop: true, fade_out: 1 }]);
  buildAudio(g, t, paths, 10, new Map([['sfx.wav', 1.5], ['voice.mp3', 3], ['music.mp3', 2]]));
  assert.deepEqual(g.inputs, [['-i', '/m/sfx.wav'], ['-stream_loop', '-1', '-i', '/m/music.mp3']]);
  assert.deepEqual(g.chains.slice(0, 2), [
    `[0:a]${NORM},atrim=duration=1.5,afade=t=out:st=1:d=0.5,adelay=delays=2000:all=1[a1]`,
    // Looped: the video's end, whatever the file's length.
    `[1:a]${NORM},atrim=duration=10,afade=t=out:st=9:d=1[a2]`,
  ]);
});

test('speed and pitch come after the mix', () => {
  assert.deepEqual(build([{ file: 'voice.mp3' }], { speed: 1.25, pitch: 0.9 }).chains[1], '[a1]apad=whole_dur=10,atrim=duration=10,asetrate=43200,aresample=48000,atempo=1.388889[aout2]');
  assert.deepEqual(build([{ file: 'voice.mp3' }, { file: 'music.mp3' }], { speed: 2 }).chains[2], '[a1][a2]amix=inputs=2:duration=longest:dropout_transition=0:normalize=0,apad=whole_dur=10,atrim=duration=10,atempo=2[aout3]');
});
