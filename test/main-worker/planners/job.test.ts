// The job planner, pure: durations, one-part and multi-part timelines, distinct variations,
// waiting reasons, and the pairing rule as a property over random catalogs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobSchema, type JobInput } from '../../../src/shared/job.js';
import { createRng } from '../../../src/shared/rng.js';
import { allPair } from '../../../src/shared/tags.js';
import { segmentDuration } from '../../../src/shared/timeline/schema.js';
import { fontChoices, jobSources, planJob, type JobPlan, type VideoAsset } from '../../../src/main-worker/planners/job.js';
import { fixtureCatalog, fixturePath, type FixtureAsset } from '../../job-fixtures.js';

const RULES = { width: 160, height: 90, fps: 25, fonts: ['DejaVu Sans', 'DejaVu Serif', 'Noto Sans', 'Noto Serif', 'Liberation Mono', 'Liberation Sans'] };

const ASSETS: FixtureAsset[] = [
  { kind: 'video', category: 'promo', seconds: 2, n: 1 },
  ...[1, 2, 3, 4].map((n) => ({ kind: 'video' as const, category: 'cars', seconds: 3, n })),
  { kind: 'narration', category: 'cars', campaign: 'spring', part: 1, seconds: 2.5 },
  { kind: 'narration', category: 'cars', campaign: 'spring', part: 1, take: 2, seconds: 3 },
  { kind: 'narration', category: 'cars', campaign: 'spring', part: 2, seconds: 1.7 },
  { kind: 'music', category: 'upbeat', seconds: 12 },
  { kind: 'image', category: 'logos' },
  { kind: 'text', category: 'hooks', text: 'Buy now' },
];

const MULTI: JobInput = {
  variations: 3,
  sources: [{ category: 'promo' }],
  flip_source: true,
  parts: [
    { footage: [{ category: 'cars' }], clips: 3, clip_seconds: { min: 0.5, max: 1 }, narration: { category: 'cars', campaign: 'spring', part: 1 }, text: { text: 'Spring deals', fonts: ['DejaVu Sans'], sizes: [12, 16] }, logo: true },
    { footage: [{ category: 'cars' }], clips: 2, clip_seconds: { min: 2, max: 3 }, narration: { category: 'cars', campaign: 'spring', part: 2 } },
  ],
  soundtrack: { music: { category: 'upbeat' }, from_part: 1, to_part: 2, volume: 0.25 },
  logo: { category: 'logos' },
  uniqueness: { contrast: [0.9, 1.1], speed: [0.9, 1.1], pitch: [0.9, 1.1] },
};

function plan(jobIn: JobInput, assets: FixtureAsset[], seed: number, avoid: string[][] = []): JobPlan {
  const catalog = fixtureCatalog(assets);
  const job = JobSchema.parse(jobIn);
  const source = jobSources(job, catalog).sources[0]!;
  const r = planJob({ job, source }, catalog, RULES, createRng(seed), avoid);
  assert.ok(r.ok, r.ok ? '' : r.waiting);
  return r.plan;
}

test('a multi-part variation: the source flipped, each part as long as its narration take, the soundtrack over parts 1-2', () => {
  const p = plan(MULTI, ASSETS, 7);
  const tl = p.timeline;
  const [src, ...rest] = tl.video;
  assert.equal(src!.type === 'clip' && src!.file, fixturePath(ASSETS[0]!));
  assert.equal(src!.flip, true);
  assert.ok(rest.every((s) => !s.flip && s.type === 'clip' && s.file.includes('/cars/')), 'only the source is flipped');
  const narr = p.narrations.reduce((s, n) => s + n.duration, 0);
  assert.ok(Math.abs(tl.output.duration - (2 + narr)) < 1e-6);
  assert.ok(Math.abs(tl.video.reduce((s, x) => s + segmentDuration(x), 0) - tl.output.duration) < 1e-3, 'the segments cover the output exactly');
  assert.ok(Math.abs(p.seconds - tl.output.duration / tl.effects.speed) < 1e-6);
  // Narration tracks at the parts' starts; the music from part 1 to the end of part 2.
  assert.deepEqual(tl.audio.slice(0, 2).map((a) => a.start), [2, 2 + p.narrations[0]!.duration].map((x) => Math.round(x * 1000) / 1000));
  const music = tl.audio[2]!;
  assert.equal(music.start, 2);
  assert.ok(Math.abs(music.duration! - narr) < 1e-3 && music.loop && music.volume === 0.25);
  // Text over part 1 only, with a font and a size of the job's; the logo over part 1.
  const text = tl.layers.find((l) => l.type === 'text')!;
  assert.ok(text.type === 'text' && text.text === 'Spring deals' && text.font === 'DejaVu Sans' && [12, 16].includes(text.size));
  assert.equal(text.start, 2);
  assert.ok(Math.abs(text.end! - (2 + p.narrations[0]!.duration)) < 1e-3);
  const logo = tl.layers.find((l) => l.type === 'image')!;
  assert.deepEqual([logo.start, logo.end], [text.start, text.end]);
  for (const k of ['contrast', 'speed', 'pitch'] as const) assert.ok(tl.effects[k] >= 0.9 && tl.effects[k] <= 1.1, k);
  assert.equal(tl.effects.flip, false);
  // Each shot inside its clip, and at most clip_seconds.max long.
  for (const s of p.shots.slice(1)) assert.ok(s.in >= 0 && s.out <= s.duration + 1e-9 && s.out > s.in);
});

test('the same seed gives the same plan; variations differ in shots and effects', () => {
  assert.deepEqual(plan(MULTI, ASSETS, 11), plan(MULTI, ASSETS, 11));
  const plans: JobPlan[] = [];
  for (let v = 0; v < 3; v++) plans.push(plan(MULTI, ASSETS, 100 + v, plans.map((p) => p.sequence)));
  assert.equal(new Set(plans.map((p) => p.sequence.join('|'))).size, 3, 'distinct shot lists');
  assert.equal(new Set(plans.map((p) => p.timeline.effects.speed)).size, 3, 'distinct speeds');
});

test('clips shorter than the narration loop; longer ones are cut at the narration end', () => {
  const assets: FixtureAsset[] = [ASSETS[0]!, { kind: 'video', category: 'cars', seconds: 1, n: 9 }, { kind: 'narration', category: 'cars', campaign: 'spring', part: 1, seconds: 3.5 }];
  const job: JobInput = { sources: [{ category: 'promo' }], parts: [{ footage: [{ category: 'cars' }], clips: 1, clip_seconds: { min: 1, max: 1 }, narration: { category: 'cars', campaign: 'spring', part: 1 } }] };
  const p = plan(job, assets, 1);
  assert.deepEqual(p.shots.slice(1).map((s) => [s.in, s.out]), [[0, 1], [0, 1], [0, 1], [0, 0.5]]);
});

test('a one-part variation: the source with music under it, a hook, the logo, the effects', () => {
  const job: JobInput = { variations: 2, sources: [{ category: 'promo' }], audio: { music: { category: 'upbeat' }, volume: 0.3 }, text: { category: 'hooks' }, logo: { category: 'logos' }, uniqueness: { brightness: [-0.05, 0.05] } };
  const p = plan(job, ASSETS, 3);
  assert.equal(p.timeline.video.length, 1);
  assert.equal(p.timeline.output.duration, 2);
  assert.deepEqual(p.timeline.audio.map((a) => [a.file, a.volume, a.loop]), [[fixturePath(ASSETS[8]!), 0.3, true]]);
  const text = p.timeline.layers.find((l) => l.type === 'text');
  assert.ok(text?.type === 'text' && text.text === 'Buy now');
  assert.ok(RULES.fonts.includes(text.font), 'a font of the installed ones');
  assert.ok(p.timeline.layers.some((l) => l.type === 'image' && l.start === 0));
  assert.equal(p.texts[0]!.id !== null, true);
});

test('without fonts and sizes: 10 combinations of the installed fonts', () => {
  const c = fontChoices({ text: 'x' }, RULES, 90);
  assert.equal(c.length, 10);
  assert.equal(new Set(c.map((x) => `${x.font}/${x.size}`)).size, 10);
  assert.equal(fontChoices({ text: 'x', fonts: ['A', 'B'], sizes: [10, 20, 30] }, RULES, 90).length, 6);
});

test('missing assets: the plan waits with the reason', () => {
  const catalog = fixtureCatalog(ASSETS);
  const job = JobSchema.parse(MULTI);
  const source = jobSources(job, catalog).sources[0]!;
  const wait = (j: JobInput) => {
    const r = planJob({ job: JobSchema.parse(j), source }, catalog, RULES, createRng(1));
    assert.ok(!r.ok);
    return r.waiting;
  };
  assert.match(wait({ ...MULTI, parts: [{ ...MULTI.parts![0]!, narration: { category: 'cars', campaign: 'spring', part: 9 } }], soundtrack: undefined }), /parts\[0\]: no narration part 9 in scanned\/narration\/cars\/spring\//);
  assert.match(wait({ ...MULTI, parts: [{ ...MULTI.parts![0]!, footage: [{ category: 'boats' }] }], soundtrack: undefined }), /parts\[0\]\.footage: no footage of category boats/);
  assert.match(wait({ ...MULTI, soundtrack: { music: { category: 'jazz' } } }), /soundtrack\.music: no music of category jazz in scanned\/music\//);
  assert.match(wait({ ...MULTI, logo: { id: 'nope' } }), /logo: no image of id nope/);
  assert.deepEqual(jobSources(JobSchema.parse({ sources: [{ category: 'nothing' }] }), catalog).unmatched, ['sources[0] (category nothing) selects no footage in scanned/video/']);
  assert.ok(!jobSources(job, catalog).sources.some((s: VideoAsset) => s.category === 'cars'));
});

test('text assets only where their tags match the footage under them', () => {
  const assets: FixtureAsset[] = [
    { kind: 'video', category: 'promo', seconds: 2, tags: ['spring'] },
    { kind: 'text', category: 'hooks', text: 'Winter sale', tags: ['winter'] },
    { kind: 'text', category: 'hooks', text: 'Spring sale', tags: ['spring'] },
    { kind: 'text', category: 'hooks', text: 'Any time', n: 3 },
  ];
  const job: JobInput = { sources: [{ category: 'promo' }], text: { category: 'hooks' } };
  const words = new Set<string>();
  for (let s = 0; s < 40; s++) words.add(plan(job, assets, s).texts[0]!.text);
  assert.deepEqual([...words].sort(), ['Any time', 'Spring sale']);
  const winterOnly = assets.filter((a) => a.text !== 'Spring sale' && a.text !== 'Any time');
  const catalog = fixtureCatalog(winterOnly);
  const j = JobSchema.parse(job);
  const r = planJob({ job: j, source: jobSources(j, catalog).sources[0]! }, catalog, RULES, createRng(1));
  assert.ok(!r.ok && /text: no text of category hooks shares a tag with the footage under it/.test(r.waiting));
});

test('property: no planned video pairs two tagged assets without a common tag', () => {
  const TAGS = ['a', 'b', 'c', 'd'];
  const meta = createRng(2026);
  const tagsOf = () => TAGS.filter(() => meta() < 0.3);
  let planned = 0;
  for (let round = 0; round < 150; round++) {
    const assets: FixtureAsset[] = [];
    const add = (a: FixtureAsset) => assets.push({ ...a, tags: tagsOf(), n: assets.length });
    for (let i = 0; i < 2; i++) add({ kind: 'video', category: 'src', seconds: 1 + Math.floor(meta() * 3) });
    for (let i = 0; i < 6; i++) add({ kind: 'video', category: meta() < 0.5 ? 'x' : 'y', seconds: 1 + Math.floor(meta() * 4) });
    for (let part = 1; part <= 2; part++) for (let take = 1; take <= 2; take++) add({ kind: 'narration', category: 'n', campaign: 'c', part, take, seconds: 1 + meta() * 2 });
    for (let i = 0; i < 3; i++) add({ kind: 'music', category: 'm', seconds: 10 });
    for (let i = 0; i < 2; i++) add({ kind: 'image', category: 'l' });
    for (let i = 0; i < 4; i++) add({ kind: 'text', category: 'h', text: `t${i}` });
    const catalog = fixtureCatalog(assets);
    const job = JobSchema.parse({
      sources: [{ category: 'src' }],
      parts: [1, 2].map((part) => ({ footage: [{ category: 'x' }, { category: 'y' }], clips: 3, clip_seconds: { min: 0.5, max: 2 }, narration: { category: 'n', campaign: 'c', part }, text: { category: 'h' }, logo: part === 1 })),
      soundtrack: { music: { category: 'm' } },
      logo: { category: 'l' },
    });
    const byPath = new Map(assets.map((a) => [fixturePath(a), a.tags ?? []]));
    for (const source of jobSources(job, catalog).sources) {
      const r = planJob({ job, source }, catalog, RULES, createRng(round));
      if (!r.ok) continue;
      planned++;
      const tl = r.plan.timeline;
      const used = new Set<string>([...tl.video.map((s) => (s.type === 'clip' ? s.file : '')), ...tl.audio.map((a) => a.file), ...tl.layers.map((l) => (l.type === 'image' ? l.file : ''))]);
      used.delete('');
      const sets = [...used].map((p) => byPath.get(p)!);
      for (const t of r.plan.texts) sets.push(catalog.byId(t.id!)!.tags);
      assert.ok(allPair(sets), `round ${round}: ${JSON.stringify(sets)}`);
    }
  }
  assert.ok(planned > 50, `${planned} videos planned`);
});

test('shots last at least a frame, however small clip_seconds is', () => {
  const job: JobInput = { sources: [{ category: 'promo' }], parts: [{ footage: [{ category: 'cars' }], clips: 3, clip_seconds: { min: 0.0001, max: 0.0002 }, narration: { category: 'cars', campaign: 'spring', part: 2 } }] };
  const p = plan(job, ASSETS, 4);
  assert.ok(p.shots.slice(1).every((s) => s.out - s.in >= 1 / RULES.fps - 1e-9 || s === p.shots[p.shots.length - 1]), JSON.stringify(p.shots));
  assert.ok(Math.abs(p.shots.slice(1).reduce((a, s) => a + s.out - s.in, 0) - 1.7) < 1e-3);
});
