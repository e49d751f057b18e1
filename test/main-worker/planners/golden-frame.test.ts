// The golden-frame planner, pure: the five layers in order with their parameters, cuts on the
// music's onsets within the shot lengths, the fixed-length and border fallbacks with their
// notes, the hook sanitized, the same seed giving the same plan.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Catalog } from '../../../src/shared/catalog.js';
import { planGoldenFrame, sanitizeHook, type GoldenFramePlan } from '../../../src/main-worker/planners/golden-frame.js';
import { GoldenFrameJobSchema, type GoldenFrameJobInput } from '../../../src/shared/jobs/golden-frame.js';
import type { Beats } from '../../../src/shared/media/beats.js';
import { createRng } from '../../../src/shared/rng.js';
import { fixturePath, fixtureRecord, type FixtureAsset } from '../../job-fixtures.js';

const IMAGES: FixtureAsset[] = [1, 2, 3, 4, 5].map((n) => ({ kind: 'image', category: 'products', n, width: 800, height: 800 }));
const FRAME: FixtureAsset = { kind: 'image', category: 'frames', width: 1080, height: 1920 };
const MUSIC: FixtureAsset = { kind: 'music', category: 'beats', seconds: 30 };
// 120 bpm from 0.37 s.
const BEATS: Beats = { schema_version: 1, analysed_seconds: 30, tempo: 120, onsets: Array.from({ length: 59 }, (_, k) => Math.round((0.37 + k * 0.5) * 1000) / 1000), usable: true };

function catalog(beats: Beats | null = BEATS, extra: FixtureAsset[] = []): Catalog {
  const c = new Catalog();
  for (const a of [...IMAGES, FRAME, ...extra]) assert.ok(c.add(fixturePath(a), fixtureRecord(a)));
  assert.ok(c.add(fixturePath(MUSIC), fixtureRecord(MUSIC), beats));
  // An overlay video (scanned/frame/): the atmosphere.
  assert.ok(c.add('scanned/frame/glitter/mp4_w1080_h1920/5.0_0b1c6f9e-8d86-4a3e-9a57-3c7e5e3b2f10.mp4', null));
  return c;
}
const job = (over: Partial<GoldenFrameJobInput> = {}) => GoldenFrameJobSchema.parse({ images: [{ category: 'products' }], audio: { category: 'beats' }, text: 'Only today ✨', atmosphere: { category: 'glitter' }, ...over });
function plan(j = job(), c = catalog(), seed = 7): GoldenFramePlan {
  const r = planGoldenFrame(j, c, createRng(seed));
  assert.ok(r.ok, r.ok ? '' : r.waiting);
  return r.plan;
}

test('the layers bottom to top: background colour segment, atmosphere at 0.7 normal, the shots in a 900x1600 box zooming 1 -> 1.05, the frame (or border), the hook in the safe area', () => {
  const p = plan(job({ frame: { category: 'frames' } }));
  const tl = p.timeline;
  assert.deepEqual([tl.output.width, tl.output.height, tl.output.fps, tl.output.duration, tl.output.quality], [1080, 1920, 30, 15, 'normal']);
  assert.deepEqual(tl.video, [{ type: 'color', color: '#050505', duration: 15, fit: 'crop', flip: false }]);
  assert.deepEqual(tl.layers.map((l) => l.type), ['video', ...p.shots.map(() => 'image'), 'image', 'text']);
  const atm = tl.layers[0]!;
  assert.ok(atm.type === 'video' && atm.opacity === 0.7 && atm.blend === 'normal' && atm.file.startsWith('scanned/frame/glitter/'));
  for (const [i, s] of p.shots.entries()) {
    const l = tl.layers[1 + i]!;
    assert.ok(l.type === 'image');
    assert.deepEqual([l.file, l.start, l.end, l.position, l.box], [s.image.path, s.start, s.end, 'center', { width: 900, height: 1600 }]);
    assert.deepEqual(l.ken_burns, { from: { zoom: 1, x: 0.5, y: 0.5 }, to: { zoom: 1.05, x: 0.5, y: 0.5 } });
  }
  const frame = tl.layers[tl.layers.length - 2]!;
  assert.ok(frame.type === 'image' && frame.file === fixturePath(FRAME) && frame.box?.width === 1080 && frame.box.height === 1920 && !frame.ken_burns);
  const hook = tl.layers[tl.layers.length - 1]!;
  assert.ok(hook.type === 'text');
  assert.deepEqual([hook.text, hook.position, hook.margin, hook.wrap_width, hook.size, hook.bold, hook.align], ['Only today ✨', 'top', 192, 950, 64, true, 'center']);
  assert.deepEqual(tl.audio.map((a) => [a.file, a.start, a.duration, a.loop]), [[fixturePath(MUSIC), 0, 15, false]]);
  assert.deepEqual(p.notes, []);
  // Every photo shown, none twice in a row.
  assert.equal(new Set(p.shots.map((s) => s.image.path)).size, 5);
  p.shots.slice(1).forEach((s, i) => assert.notEqual(s.image.path, p.shots[i]!.image.path));
});

test('cuts fall on onsets (on the frame grid), every shot between min and max; the shots tile the video', () => {
  const p = plan();
  assert.equal(p.beatSynced, true);
  assert.ok(p.cuts.length >= 3);
  for (const c of p.cuts) assert.ok(BEATS.onsets.some((o) => Math.abs(o - c) <= 1 / 30 / 2 + 1e-9), `cut ${c} on an onset`);
  for (const c of p.cuts) assert.ok(Math.abs(c * 30 - Math.round(c * 30)) < 1e-6, `cut ${c} on the frame grid`);
  assert.equal(p.shots[0]!.start, 0);
  assert.equal(p.shots[p.shots.length - 1]!.end, 15);
  p.shots.forEach((s, i) => {
    if (i > 0) assert.equal(s.start, p.shots[i - 1]!.end);
    assert.ok(s.end - s.start >= 1.5 - 1e-9 && s.end - s.start <= 4 + 1e-9, `shot ${i}: ${s.end - s.start} s`);
  });
});

test('a looped track: after the first play, the cuts stay on the onsets shifted by the decoded length (analysed_seconds)', () => {
  const p = plan(job({ duration: 45 }), catalog({ ...BEATS, analysed_seconds: 30.04 }));
  // The second play starts at 30.04 s: its first onset at 30.41 s, snapped to 30.4.
  assert.ok(p.cuts.every((c) => BEATS.onsets.some((o) => Math.abs(o - c) <= 1 / 60 + 1e-9) || BEATS.onsets.some((o) => Math.abs(o + 30.04 - c) <= 1 / 60 + 1e-9)), p.cuts.join());
});

test('fallbacks: no beats file, unusable beats, no audio: fixed lengths with a BEATS_FALLBACK note; no frame / a frame selector that finds no PNG: the border around the content with a BORDER_FALLBACK note', () => {
  const none = plan(job(), catalog(null));
  assert.equal(none.beatSynced, false);
  assert.deepEqual(none.cuts, [3, 6, 9, 12]);
  assert.equal(none.notes[0]!.code, 'BEATS_FALLBACK');
  assert.match(none.notes[0]!.message, /has no beats file \(filed before beat analysis\): shots cut at fixed lengths of about 3 s/);
  const drone = plan(job(), catalog({ schema_version: 1, analysed_seconds: 30, tempo: null, onsets: [], usable: false, reason: '0 onset(s) found (silence, a drone or no percussion)' }));
  assert.match(drone.notes[0]!.message, /has no usable beats \(0 onset\(s\) found/);
  const silent = plan(job({ audio: undefined }));
  assert.deepEqual(silent.timeline.audio, []);
  assert.match(silent.notes[0]!.message, /^the job has no audio/);

  const border = plan();
  const b = border.timeline.layers[border.timeline.layers.length - 2]!;
  assert.deepEqual(b, { type: 'border', color: '#D4AF37', width: 12, rect: { x: 78, y: 148, width: 924, height: 1624 }, start: 0 });
  assert.deepEqual(border.notes.map((n) => n.code), ['BORDER_FALLBACK']);
  const withJpeg = catalog();
  assert.ok(withJpeg.add('scanned/image/jpegs/1080x1920_5b0e1f6a-2c8d-4e1b-9f3a-7d6c5b4a3e21.jpg', null));
  const jpegOnly = plan(job({ frame: { category: 'jpegs' } }), withJpeg);
  assert.ok(jpegOnly.timeline.layers.some((l) => l.type === 'border'));
  assert.match(jpegOnly.notes.find((n) => n.code === 'BORDER_FALLBACK')!.message, /^frame \(category jpegs\) selects no PNG/);
});

test('sizes follow the output and the style: 108x192 gives a 90x160 content box, a 1 px border; the style overrides them', () => {
  const small = plan(job({ output: { resolution: '108x192', fps: 25 } }));
  const shot = small.timeline.layers[1]!;
  assert.ok(shot.type === 'image' && shot.box!.width === 90 && shot.box!.height === 160);
  assert.ok(small.timeline.layers.some((l) => l.type === 'border' && l.width === 1));
  const styled = plan(job({ style: { background: '#101010', content: { width: 800, height: 1200 }, zoom: 1, atmosphere_opacity: 0.4, border: { color: 'white', width: 20 }, hook: { size: 80, color: 'gold' } } }));
  assert.equal(styled.timeline.video[0]!.type === 'color' && styled.timeline.video[0].color, '#101010');
  const s1 = styled.timeline.layers[1]!;
  assert.ok(s1.type === 'image' && s1.box!.width === 800 && s1.ken_burns === undefined, 'zoom 1: no Ken Burns');
  assert.ok(styled.timeline.layers.some((l) => l.type === 'border' && l.width === 20 && l.rect!.x === 120));
  assert.ok(styled.timeline.layers.some((l) => l.type === 'text' && l.size === 80 && l.color === 'gold'));
});

test('reproducible: the same seed, the same plan; another seed, another order of the photos', () => {
  assert.deepEqual(plan(job(), catalog(), 11), plan(job(), catalog(), 11));
  const orders = new Set([1, 2, 3, 4, 5, 6].map((s) => plan(job(), catalog(), s).shots.map((x) => x.image.id).join()));
  assert.ok(orders.size > 1);
});

test('waits: images, audio or atmosphere that select nothing', () => {
  const wait = (j: GoldenFrameJobInput) => planGoldenFrame(GoldenFrameJobSchema.parse(j), catalog(), createRng(1));
  assert.deepEqual(wait({ images: [{ category: 'none' }] }), { ok: false, waiting: 'images (category none) select no stills in scanned/image/' });
  assert.deepEqual(wait({ images: [{ category: 'products' }], audio: { id: 'nope' } }), { ok: false, waiting: 'audio (id nope) selects no music in scanned/music/' });
  assert.deepEqual(wait({ images: [{ category: 'products' }], atmosphere: { category: 'rain' } }), { ok: false, waiting: 'atmosphere (category rain) selects no overlay video in scanned/frame/' });
});

test('sanitizeHook: controls, bidi overrides, a BOM and lone surrogates out; newlines kept (3 lines at most); emoji, joiners and any script kept; NFC', () => {
  assert.equal(sanitizeHook('  Sale\u0000 \u202eytinifni\u202c\t50%\u0007  '), 'Sale ytinifni 50%');
  assert.equal(sanitizeHook('a\r\nb\u2028c\n\nd\ne'), 'a\nb\nc');
  assert.equal(sanitizeHook('\ufeff👩‍👩‍👧 مرحبا 你好 e\u0301'), '👩‍👩‍👧 مرحبا 你好 é');
  assert.equal(sanitizeHook('bad \ud800 pair'), 'bad \ufffd pair');
  assert.equal(sanitizeHook('{\\an8}\\N<b>'), '{\\an8}\\N<b>', 'ASS and markup are the text layer\'s to escape');
  assert.equal(sanitizeHook('\u0001\u200f '), '');
});
