// Ducking: the schema (defaults, ranges and errors that name the field, spans out of order or
// overlapping), the filters argument by argument (1 ms frames into a volume filter whose
// expression finds the span by halving), and real renders of a constant 1000 Hz tone, measured per 5 ms window (five whole periods, so
// a window's RMS is exactly the tone's level): full level outside the spans, down by `db` inside,
// the ramps where they are specified, and no step between windows larger than the ramp's slope
// allows (the old filter jumped by the whole `db` in one sample).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { encoderSpec } from '../../../src/shared/media/encoders.js';
import { buildAudio, SAMPLE_RATE } from '../../../src/shared/timeline/audio.js';
import { compileTimeline } from '../../../src/shared/timeline/compile.js';
import { compileAudio } from '../../../src/shared/timeline/compile-chunk.js';
import { DUCK_ATTACK, DUCK_FRAME, DUCK_RELEASE, duckExpression, duckFilters, duckRegions, DuckSchema, type Duck } from '../../../src/shared/timeline/duck.js';
import { Graph } from '../../../src/shared/timeline/graph.js';
import { AudioTrackSchema, type TimelineInput } from '../../../src/shared/timeline/schema.js';
import { testConfig } from '../../helpers.js';
import { rmsDb, runFfmpeg, samples, timeline } from './render-media.js';

const duck = (v: Record<string, unknown>): Duck => DuckSchema.parse(v);

test('duck schema: attack and release default to 0.08 and 0.25 s; ranges, types and typos refused naming the field', () => {
  const d = duck({ db: 18, spans: [{ start: 1, end: 2 }] });
  assert.equal(d.attack, DUCK_ATTACK);
  assert.equal(d.release, DUCK_RELEASE);
  assert.deepEqual([DUCK_ATTACK, DUCK_RELEASE], [0.08, 0.25]);
  assert.deepEqual(duck({ db: 6, attack: 0.5, release: 2, spans: [] }), { db: 6, attack: 0.5, release: 2, spans: [] });
  const issue = (v: Record<string, unknown>) => {
    const r = DuckSchema.safeParse(v);
    assert.ok(!r.success, JSON.stringify(v));
    return { path: r.error.issues[0]!.path, message: r.error.issues[0]!.message };
  };
  assert.deepEqual(issue({ db: 12, attack: 0, spans: [] }), { path: ['attack'], message: 'a number from 0.01 to 2' });
  assert.deepEqual(issue({ db: 12, attack: 2.5, spans: [] }), { path: ['attack'], message: 'a number from 0.01 to 2' });
  assert.deepEqual(issue({ db: 12, attack: '0.1', spans: [] }), { path: ['attack'], message: 'a number from 0.01 to 2' });
  assert.deepEqual(issue({ db: 12, release: 0.001, spans: [] }), { path: ['release'], message: 'a number from 0.01 to 5' });
  assert.deepEqual(issue({ db: 12, release: 6, spans: [] }), { path: ['release'], message: 'a number from 0.01 to 5' });
  assert.deepEqual(issue({ db: 61, spans: [] }), { path: ['db'], message: 'a number from 0 to 60' });
  assert.deepEqual(issue({ db: 12, atack: 0.1, spans: [] }).path, []);
  assert.match(issue({ db: 12, atack: 0.1, spans: [] }).message, /atack/);
  assert.deepEqual(issue({ db: 12, spans: [{ start: 1, end: 2 }, { start: 1.5, end: 3 }] }), { path: ['spans', 1, 'start'], message: "a number >= the previous span's end (2)" });
  assert.deepEqual(issue({ db: 12, spans: [{ start: 2, end: 1 }] }), { path: ['spans', 0, 'end'], message: 'a number above start (2)' });
  assert.ok(!AudioTrackSchema.safeParse({ file: 'm.mp3', duck: { db: 12, spans: [{ start: 2, end: 1 }] } }).success);
});

test('duck regions: spans closer than attack + release are one; each widened by the attack before and the release after', () => {
  // Gaps of 0.32 (< 0.33: merged) and 0.33 (kept apart).
  const d = duck({ db: 18, spans: [{ start: 1, end: 1.5 }, { start: 1.82, end: 2 }, { start: 2.33, end: 3 }] });
  assert.deepEqual(duckRegions(d).map((r) => [+r.from.toFixed(6), +r.to.toFixed(6)]), [[0.92, 2.25], [2.25, 3.25]]);
  assert.equal(duckRegions(duck({ db: 18, attack: 0.5, release: 0.5, spans: [{ start: 1, end: 1.5 }, { start: 2.4, end: 3 }] })).length, 1);
});

test('duck filters: 1 ms frames into a volume filter evaluated per frame, linear in dB; none without spans or db', () => {
  const d = duck({ db: 20, spans: [{ start: 0.5, end: 1.25 }, { start: 2, end: 3 }] });
  const expr = 'if(isnan(t),1,pow(10,-1*clip(if(lt(t,1.92),min((t-0.42)/0.08,(1.5-t)/0.25),min((t-1.92)/0.08,(3.25-t)/0.25)),0,1)))';
  assert.equal(duckExpression(d, duckRegions(d)), expr);
  assert.deepEqual(duckFilters({ duck: d }), ['asetnsamples=n=48:p=0', `volume=volume='${expr}':eval=frame`, 'asetnsamples=n=1024:p=0']);
  assert.equal(duckFilters({}), null);
  assert.equal(duckFilters({ duck: duck({ db: 0, spans: [{ start: 0, end: 1 }] }) }), null);
  assert.equal(duckFilters({ duck: duck({ db: 12, spans: [] }) }), null);
  // Attack and release as given; one region, no search.
  assert.equal(duckExpression(duck({ db: 6, attack: 0.02, release: 1.5, spans: [] }), [{ from: 0.98, to: 3.5 }]), 'if(isnan(t),1,pow(10,-0.3*clip(min((t-0.98)/0.02,(3.5-t)/1.5),0,1)))');
});

test('duck expression: a binary search on t over the regions, log2(n) deep', () => {
  const regions = Array.from({ length: 5 }, (_, i) => ({ from: i, to: i + 0.5 }));
  const leaf = (i: number) => `min((t-${i})/0.08,(${i}.5-t)/0.25)`;
  assert.equal(duckExpression(duck({ db: 20, spans: [] }), regions), `if(isnan(t),1,pow(10,-1*clip(if(lt(t,2),if(lt(t,1),${leaf(0)},${leaf(1)}),if(lt(t,3),${leaf(2)},if(lt(t,4),${leaf(3)},${leaf(4)}))),0,1)))`);
  const many = duckExpression(duck({ db: 20, spans: [] }), Array.from({ length: 5000 }, (_, i) => ({ from: i, to: i + 0.5 })));
  let depth = 0;
  let max = 0;
  for (const c of many) if (c === '(') max = Math.max(max, ++depth); else if (c === ')') depth--;
  assert.ok(max <= 2 * 13 + 6, `nested ${max} deep`);
});

test('a render and a chunked render\'s audio pass a graph of 5000 spans in a file in the work folder', () => {
  const spans = Array.from({ length: 5000 }, (_, i) => ({ start: i, end: i + 0.5 }));
  const tl = timeline({ output: { width: 160, height: 90, fps: 30, duration: 5001 }, video: [{ type: 'color', color: 'black', duration: 5001 }], audio: [{ file: 'm.mp3', loop: true, duck: { db: 18, spans } }] });
  const inputs = { paths: new Map([['m.mp3', '/m/m.mp3']]), workDir: '/w/t 1', output: '/o/x.mp4' };
  for (const c of [compileTimeline(tl, inputs, encoderSpec('libx264', testConfig()), { audioBitrate: '192k', progress: false }), compileAudio(tl, inputs, { audioBitrate: '192k', progress: false })!]) {
    const i = c.argv.indexOf('-filter_complex_script');
    assert.equal(c.argv[i + 1], '/w/t 1/graph.txt');
    assert.ok(!c.argv.includes('-filter_complex'));
    const graph = c.files.find((f) => f.path === '/w/t 1/graph.txt')!.content;
    assert.ok(graph.includes(`volume=volume='${duckExpression(tl.audio[0]!.duck!, duckRegions(tl.audio[0]!.duck!))}':eval=frame`));
  }
});

// --- Real renders -------------------------------------------------------------------------

const AMP = 0.25;
const TONE = 20 * Math.log10(AMP / Math.SQRT2);
const W = 240; // 5 ms: five periods of 1000 Hz
const WS = W / SAMPLE_RATE;
let root = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), "clipmill-duck-it's "));
  for (const s of [1, 4]) await runFfmpeg(['-y', '-f', 'lavfi', '-i', `aevalsrc=${AMP}*sin(2*PI*1000*t)|${AMP}*sin(2*PI*1000*t):s=48000:d=${s}:c=stereo`, '-c:a', 'pcm_s16le', '-f', 'wav', join(root, `tone${s}.wav`)]);
});
after(() => rm(root, { recursive: true, force: true }));

/** Renders the audio of a timeline (the chains buildAudio compiles, passed as the compiler passes them) to mono float samples. */
async function renderAudio(name: string, audio: TimelineInput['audio'], duration: number): Promise<{ samples: Float32Array; graph: string[] }> {
  const tl = timeline({ output: { width: 160, height: 90, fps: 30, duration }, video: [{ type: 'color', color: 'black', duration }], audio });
  const g = new Graph();
  const work = join(root, `${name}.work`);
  const out = buildAudio(g, tl, new Map(['tone1.wav', 'tone4.wav'].map((f) => [f, join(root, f)])), duration);
  const graph = g.filterArgs(work);
  for (const f of g.files) {
    await mkdir(dirname(f.path), { recursive: true });
    await writeFile(f.path, f.content);
  }
  const path = join(root, `${name}.wav`);
  await runFfmpeg(['-y', ...g.inputs.flat(), ...graph, '-map', out!, '-ac', '1', '-c:a', 'pcm_f32le', '-f', 'wav', path]);
  return { samples: (await samples(path))[0]!, graph };
}

/** The level of each 5 ms window, dBFS. */
function levels(s: Float32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + W <= s.length; i += W) out.push(rmsDb(s.subarray(i, i + W)));
  return out;
}

/**
 * What the test expects, written apart from duck.ts: the gain in dB at `t` of a ramp linear in
 * dB, down over `attack` to each span's start, up over `release` from its end, spans closer than
 * attack + release joined.
 */
function expectedDb(d: { db: number; attack: number; release: number; spans: { start: number; end: number }[] }, t: number): number {
  const joined: { start: number; end: number }[] = [];
  for (const s of d.spans) {
    if (joined.length && s.start - joined[joined.length - 1]!.end < d.attack + d.release - 1e-6) joined[joined.length - 1]!.end = s.end;
    else joined.push({ ...s });
  }
  let depth = 0;
  for (const s of joined) {
    if (t >= s.start && t <= s.end) depth = 1;
    else if (t < s.start && t > s.start - d.attack) depth = Math.max(depth, 1 - (s.start - t) / d.attack);
    else if (t > s.end && t < s.end + d.release) depth = Math.max(depth, 1 - (t - s.end) / d.release);
  }
  return -d.db * depth;
}

/**
 * The expected level of the window starting at sample i. The volume filter holds the gain of a
 * 1 ms frame's start over the frame, which is one period of the tone: the window's power is the
 * tone's times the mean of the frames' squared gains, exactly.
 */
function expectedWindow(d: Parameters<typeof expectedDb>[0], i: number): number {
  let sum = 0;
  for (let k = 0; k < W; k += DUCK_FRAME) sum += 10 ** (expectedDb(d, (i + k) / SAMPLE_RATE) / 10);
  return TONE + 10 * Math.log10(sum / (W / DUCK_FRAME));
}

/** The largest level change from one window to the next over [from, to) seconds. */
function maxStep(l: number[], from = 0, to = Infinity): number {
  let max = 0;
  for (let k = Math.ceil(from / WS) + 1; k < Math.min(l.length, to / WS); k++) max = Math.max(max, Math.abs(l[k]! - l[k - 1]!));
  return max;
}

const win = (t: number) => Math.round(t / WS);

test('a constant tone ducked 18 dB: full level outside, -18 dB inside, ramps that end at the span start and start at its end, no step', async () => {
  const d = { db: 18, attack: DUCK_ATTACK, release: DUCK_RELEASE, spans: [{ start: 0.6, end: 1.2 }, { start: 1.45, end: 1.8 }, { start: 2.6, end: 3.2 }] };
  const l = levels((await renderAudio('tone', [{ file: 'tone4.wav', duck: { db: 18, spans: d.spans } }], 4)).samples);
  assert.equal(l.length, win(4));
  // Every window where the curve says.
  for (let k = 0; k < l.length; k++) {
    const want = expectedWindow(d, k * W);
    assert.ok(Math.abs(l[k]! - want) <= 0.1, `window at ${(k * WS).toFixed(3)} s: ${l[k]!.toFixed(2)} dB, expected ${want.toFixed(2)}`);
  }
  // (a) Full level outside, down by db inside; the gap of 0.25 s (< attack + release) stays down.
  for (const [from, to] of [[0, 0.5], [2.1, 2.5], [3.5, 4]]) for (let k = win(from); k < win(to); k++) assert.ok(Math.abs(l[k]! - TONE) < 0.1, `full level at ${(k * WS).toFixed(3)} s`);
  for (const [from, to] of [[0.6, 1.8], [2.6, 3.2]]) for (let k = win(from); k < win(to); k++) assert.ok(Math.abs(l[k]! - (TONE - 18)) < 0.3, `down 18 dB at ${(k * WS).toFixed(3)} s`);
  // (c) The attack ends at the span's start: the window before it is still on the way down, the
  // one from it is at the target; the release starts at the span's end, and each ramp takes its time.
  for (const s of [d.spans[0]!, d.spans[2]!]) {
    assert.ok(l[win(s.start) - 1]! > TONE - 18 + 0.4 && l[win(s.start) - 1]! < TONE - 18 + 1.5, `the attack is ending just before ${s.start}`);
    assert.ok(Math.abs(l[win(s.start)]! - (TONE - 18)) < 0.3, `down at ${s.start}`);
    assert.ok(Math.abs(l[win(s.start - DUCK_ATTACK) - 1]! - TONE) < 0.1 && l[win(s.start - DUCK_ATTACK) + 1]! < TONE - 0.5, `the attack starts ${DUCK_ATTACK} s before ${s.start}`);
    assert.ok(Math.abs(l[win(s.start - DUCK_ATTACK / 2)]! - (TONE - 9)) < 0.8, 'half way down half way through the attack (linear in dB)');
    assert.ok(Math.abs(l[win(1.8) - 1]! - (TONE - 18)) < 0.3 && l[win(1.8) + 1]! > TONE - 18 + 0.3, 'the release starts at the end');
    assert.ok(Math.abs(l[win(1.8 + DUCK_RELEASE / 2)]! - (TONE - 9)) < 0.5, 'half way up half way through the release');
    assert.ok(Math.abs(l[win(1.8 + DUCK_RELEASE)]! - TONE) < 0.1 && l[win(1.8 + DUCK_RELEASE) - 2]! < TONE - 0.2, `the release ends ${DUCK_RELEASE} s after the end`);
  }
  // (b) No step: the ramp moves 18 dB over the attack, so one window (plus one 1 ms frame) moves it by at most this.
  const bound = (18 * (WS + 0.001)) / DUCK_ATTACK;
  const step = maxStep(l);
  assert.ok(step <= bound, `largest change between windows ${step.toFixed(2)} dB, bound ${bound.toFixed(2)}`);
  assert.ok(step > bound / 2, 'the attack does move the level (the bound is not trivially met)');
});

test('many spans, a track that starts late, short ramps: every window where the curve says', async () => {
  // 30 spans of 0.1 s, gaps alternating 0.04 s (joined) and 0.2 s; attack 0.02, release 0.05.
  const spans: { start: number; end: number }[] = [];
  for (let i = 0, t = 0.5; i < 30; i++) {
    spans.push({ start: +t.toFixed(3), end: +(t + 0.1).toFixed(3) });
    t += 0.1 + (i % 2 ? 0.2 : 0.04);
  }
  const d = { db: 24, attack: 0.02, release: 0.05, spans };
  const duration = spans[spans.length - 1]!.end + 0.3;
  const l = levels((await renderAudio('many', [{ file: 'tone1.wav', start: 0.3, loop: true, duck: d }], duration)).samples);
  for (let k = win(0.31); k < l.length - 1; k++) {
    const want = expectedWindow(d, k * W);
    assert.ok(Math.abs(l[k]! - want) <= 0.1, `window at ${(k * WS).toFixed(3)} s: ${l[k]!.toFixed(2)} dB, expected ${want.toFixed(2)}`);
  }
  assert.ok(l[win(0.1)]! < -80, 'silence before the track starts');
  const bound = (24 * (WS + 0.001)) / 0.02;
  assert.ok(maxStep(l, 0.31) <= bound, `largest change ${maxStep(l, 0.31).toFixed(2)} dB, bound ${bound.toFixed(2)}`);
});

test('5000 spans (the schema maximum) render, each ducked where it says', async () => {
  // Spans of 10 ms, 20 ms apart (= attack + release: not joined): 150 s of looped tone.
  const spans = Array.from({ length: 5000 }, (_, i) => ({ start: +(0.1 + i * 0.03).toFixed(3), end: +(0.11 + i * 0.03).toFixed(3) }));
  const d = { db: 30, attack: 0.01, release: 0.01, spans };
  const { samples: s, graph } = await renderAudio('max', [{ file: 'tone1.wav', loop: true, duck: d }], 150.2);
  assert.equal(graph[0], '-filter_complex_script', 'too long for one argument');
  assert.equal(s.length, Math.round(150.2 * SAMPLE_RATE));
  // Each sampled span: full level half way between spans (the ramps meet there), down 30 dB at its middle.
  for (const i of [0, 1, 3, 4, 5, 1000, 2499, 2500, 4001, 4998, 4999]) {
    const mid = Math.round(((spans[i]!.start + spans[i]!.end) / 2) * SAMPLE_RATE);
    assert.ok(Math.abs(rmsDb(s.subarray(mid - 96, mid + 96)) - (TONE - 30)) < 0.5, `span ${i} down 30 dB`);
    const gap = Math.round((spans[i]!.start - 0.01) * SAMPLE_RATE);
    assert.ok(rmsDb(s.subarray(gap - 48, gap + 48)) > TONE - 3, `the level back up before span ${i}`);
  }
  assert.ok(Math.abs(rmsDb(s.subarray(Math.round(150.1 * SAMPLE_RATE))) - TONE) < 0.1, 'full level after the last span');
});
