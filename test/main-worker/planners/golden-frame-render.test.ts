// The golden-frame planner's own timeline, rendered: a frame PNG at the output's size with a
// transparent hole over the content box, two photos cut at fixed lengths. Pixel probes: each
// photo visible through the hole in its shot, the box around a photo showing the background,
// the frame opaque around the hole. A frame of another shape is noted (FRAME_ASPECT).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src/shared/catalog.js';
import { planGoldenFrame } from '../../../src/main-worker/planners/golden-frame.js';
import { GoldenFrameJobSchema } from '../../../src/shared/jobs/golden-frame.js';
import { createRng } from '../../../src/shared/rng.js';
import { tempDir } from '../../helpers.js';
import { fixturePath, fixtureRecord, type FixtureAsset } from '../../job-fixtures.js';
import { frameAt, pixelTrack, render, runFfmpeg, type Rgb } from '../../shared/timeline/render-media.js';

const RED: FixtureAsset = { kind: 'image', category: 'products', n: 1, width: 32, height: 32 };
const BLUE: FixtureAsset = { kind: 'image', category: 'products', n: 2, width: 32, height: 32 };
const FRAME: FixtureAsset = { kind: 'image', category: 'frames', width: 108, height: 192 };
const WIDE: FixtureAsset = { kind: 'image', category: 'wide', width: 192, height: 192 };
const close = (actual: Rgb, expected: Rgb, tolerance: number, what: string) => assert.ok(actual.every((v, i) => Math.abs(v - expected[i]!) <= tolerance), `${what}: ${JSON.stringify(actual)} is not within ${tolerance} of ${JSON.stringify(expected)}`);

test("rendered from the planner's timeline: the photos through the frame PNG's hole, each in its shot; the frame opaque around it; a frame of another shape noted", async (t) => {
  const root = await tempDir(t);
  const made = async (a: FixtureAsset, argv: string[]) => {
    const file = join(root, fixturePath(a));
    await mkdir(dirname(file), { recursive: true });
    await runFfmpeg(['-y', ...argv, '-frames:v', '1', file]);
  };
  await made(RED, ['-f', 'lavfi', '-i', 'color=c=red:s=32x32,format=rgba']);
  await made(BLUE, ['-f', 'lavfi', '-i', 'color=c=blue:s=32x32,format=rgba']);
  // Gold, with a transparent hole over the content box (90x160 centred in 108x192: x 9..98, y 16..175).
  await made(FRAME, ['-f', 'lavfi', '-i', 'color=c=black:s=108x192,format=rgba', '-vf', "geq=r=212:g=175:b=55:a='if(between(X,9,98)*between(Y,16,175),0,255)'"]);
  const catalog = new Catalog();
  for (const a of [RED, BLUE, FRAME, WIDE]) assert.ok(catalog.add(fixturePath(a), fixtureRecord(a)));
  const job = GoldenFrameJobSchema.parse({ images: [{ category: 'products' }], frame: { category: 'frames' }, duration: 2, output: { resolution: '108x192', fps: 30 }, shot_seconds: { min: 0.5, max: 1.5 } });
  const r = planGoldenFrame(job, catalog, createRng(3));
  assert.ok(r.ok, r.ok ? '' : r.waiting);
  const plan = r.plan;
  assert.deepEqual(plan.notes.map((n) => n.code), ['BEATS_FALLBACK'], JSON.stringify(plan.notes));
  assert.equal(plan.frame?.path, fixturePath(FRAME));
  assert.deepEqual(plan.cuts, [1]);
  const colour = (a: { image: { path: string } }): Rgb => (a.image.path === fixturePath(RED) ? [255, 0, 0] : [0, 0, 255]);
  const out = join(root, 'out');
  await mkdir(out);
  const { path } = await render(plan.timeline, root, out, 'golden');
  for (const [at, shot] of [[0.5, plan.shots[0]!], [1.5, plan.shots[1]!]] as const) {
    const f = await frameAt(path, at, 108, 192);
    close(f.at(54, 96), colour(shot), 30, `${at} s: the photo of its shot in the hole`);
    // The square photo fills 90x90 of the 90x160 box: above it, inside the hole, the background.
    close(f.at(54, 30), [5, 5, 5], 12, `${at} s: the box around the photo is transparent`);
    for (const [x, y] of [[4, 96], [103, 96], [54, 6], [54, 185]] as const) close(f.at(x, y), [212, 175, 55], 16, `${at} s: the frame at ${x},${y}`);
  }
  // Frame by frame in the hole's middle: the first photo 30 frames, the second 30.
  const name = ([r, , b]: Rgb) => (r > 150 && b < 80 ? 'R' : b > 150 && r < 80 ? 'B' : '?');
  const first = name(colour(plan.shots[0]!));
  const second = name(colour(plan.shots[1]!));
  assert.equal((await pixelTrack(path, 54, 96)).map(name).join(''), first.repeat(30) + second.repeat(30));

  // A square frame over a 9:16 output would be letterboxed: noted.
  const wide = planGoldenFrame({ ...job, frame: { category: 'wide' } }, catalog, createRng(3));
  assert.ok(wide.ok);
  assert.match(wide.plan.notes.find((n) => n.code === 'FRAME_ASPECT')!.message, /is 192x192, not of the output's shape \(108x192\)/);
});
