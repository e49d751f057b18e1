import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CatalogClass, CategoryCatalog } from '../../src/shared/catalog.js';
import { chooseClass, pickClips, planTask } from '../../src/main-worker/plan-task.js';
import { createRng } from '../../src/shared/rng.js';

function cls(width: number, height: number, durations: number[]): CatalogClass {
  const name = `mp4_w${width}_h${height}`;
  return { name, width, height, clips: durations.map((d, i) => ({ path: `scanned/video/c/${name}/${d}_${i}.mp4`, id: String(i), duration: d, tags: [] })) };
}

const rules = { width: 1920, height: 1080 };

test('property: clips cover the voice, and none repeats before all were used', () => {
  const rng = createRng(1);
  for (let trial = 0; trial < 300; trial++) {
    const n = 1 + Math.floor(rng() * 8);
    const clips = cls(1920, 1080, Array.from({ length: n }, () => 0.5 + Math.round(rng() * 200) / 10)).clips;
    const voice = 0.5 + rng() * 300;
    const picked = pickClips(clips, voice, createRng(trial));
    const total = picked.reduce((s, c) => s + c.duration, 0);
    assert.ok(total >= voice, `covers ${voice}`);
    assert.ok(total - picked[picked.length - 1]!.duration < voice, 'stops as soon as the voice is covered');
    for (let start = 0; start < picked.length; start += n) {
      const round = picked.slice(start, start + n).map((c) => c.path);
      assert.equal(new Set(round).size, round.length, 'no repeat within a round of the whole class');
    }
    if (n > 1) for (let i = 1; i < picked.length; i++) assert.notEqual(picked[i]!.path, picked[i - 1]!.path, 'never the same clip twice in a row');
  }
});

test('property: the same seed gives the same plan; different seeds usually differ', () => {
  const catalog: Pick<CategoryCatalog, 'video' | 'music' | 'frames'> = {
    video: [cls(1920, 1080, [3, 4, 5, 6, 7, 8])],
    music: [10, 50, 200].map((d, i) => ({ path: `scanned/music/c/mp3/${d}.0_${i}.mp3`, id: String(i), duration: d, tags: [] })),
  };
  const plans = new Set<string>();
  for (let seed = 0; seed < 50; seed++) {
    const a = planTask({ duration: 40, category: 'c' }, catalog, rules, createRng(seed));
    const b = planTask({ duration: 40, category: 'c' }, catalog, rules, createRng(seed));
    assert.deepEqual(a, b);
    assert.ok(a.ok);
    assert.ok(a.plan.music.duration >= 40, 'a track at least as long as the voice is preferred');
    plans.add(JSON.stringify(a.plan.clips.map((c) => c.id)));
  }
  assert.ok(plans.size > 40);
});

test('music shorter than the voice is still chosen (it loops)', () => {
  const r = planTask({ duration: 100, category: 'c' }, { video: [cls(1920, 1080, [5])], music: [{ path: 'm', id: 'm', duration: 10, tags: [] }] }, rules, createRng(3));
  assert.ok(r.ok && r.plan.music.path === 'm');
  assert.ok(r.ok && r.plan.clips.length === 20);
});

test('a category without footage or music waits, saying why', () => {
  assert.deepEqual(planTask({ duration: 5, category: 'c' }, { video: [], music: [{ path: 'm', id: 'm', duration: 10, tags: [] }] }, rules, createRng(1)), { ok: false, waiting: 'no footage in scanned/video/c/' });
  assert.deepEqual(planTask({ duration: 5, category: 'c' }, { video: [cls(1920, 1080, [5])], music: [] }, rules, createRng(1)), { ok: false, waiting: 'no music in scanned/music/c/' });
});

test('resolution class: exact, else same aspect ratio, else the one with most footage', () => {
  const hd = cls(1920, 1080, [1]);
  const uhd = cls(3840, 2160, [1, 1]);
  const sq = cls(1080, 1080, [100]);
  assert.equal(chooseClass([sq, uhd, hd], rules), hd);
  assert.equal(chooseClass([sq, uhd], rules), uhd);
  assert.equal(chooseClass([sq, cls(720, 1280, [5])], rules), sq);
  assert.equal(chooseClass([], rules), null);
});

test('variations of one voice get distinct clip sequences when the class allows it', () => {
  const catalog: Pick<CategoryCatalog, 'video' | 'music' | 'frames'> = { video: [cls(1920, 1080, [2, 2, 2, 2])], music: [{ path: 'm', id: 'm', duration: 60, tags: [] }] };
  for (let seed = 0; seed < 50; seed++) {
    const rng = createRng(seed);
    const avoid: string[][] = [];
    for (let v = 0; v < 3; v++) {
      const r = planTask({ duration: 5, category: 'c' }, catalog, rules, rng, avoid);
      assert.ok(r.ok);
      const seq = r.plan.clips.map((c) => c.path);
      assert.ok(!avoid.some((a) => a.join() === seq.join()), `seed ${seed}: variation ${v} repeats another`);
      avoid.push(seq);
    }
  }
  // One clip: only one sequence exists; planning still succeeds.
  const one = planTask({ duration: 5, category: 'c' }, { video: [cls(1920, 1080, [10])], music: catalog.music }, rules, createRng(1), [['scanned/video/c/mp4_w1920_h1080/10_0.mp4']]);
  assert.ok(one.ok);
});

test('tasks.classFallback: none waits for the render size; same-aspect refuses other ratios', () => {
  const catalog: Pick<CategoryCatalog, 'video' | 'music' | 'frames'> = { video: [cls(1080, 1080, [20])], music: [{ path: 'm', id: 'm', duration: 60, tags: [] }] };
  assert.ok(planTask({ duration: 5, category: 'c' }, catalog, { ...rules, classFallback: 'any' }, createRng(1)).ok);
  const none = planTask({ duration: 5, category: 'c' }, catalog, { ...rules, classFallback: 'none' }, createRng(1));
  assert.deepEqual(none, { ok: false, waiting: 'no footage of 1920x1080 in scanned/video/c/ (tasks.classFallback is "none")' });
  assert.ok(!planTask({ duration: 5, category: 'c' }, catalog, { ...rules, classFallback: 'same-aspect' }, createRng(1)).ok);
  assert.ok(planTask({ duration: 5, category: 'c' }, { ...catalog, video: [cls(3840, 2160, [20])] }, { ...rules, classFallback: 'same-aspect' }, createRng(1)).ok);
});

test('a frame layer is drawn last: asking for one changes neither clips nor music', () => {
  const frames = [cls(1920, 1080, [5, 6])].map((k) => ({ ...k, clips: k.clips.map((c) => ({ ...c, path: c.path.replace('video', 'frame') })) }));
  const catalog: Pick<CategoryCatalog, 'video' | 'music' | 'frames'> = { video: [cls(1920, 1080, [3, 4, 5])], music: [{ path: 'm', id: 'm', duration: 60, tags: [] }], frames };
  for (let seed = 0; seed < 20; seed++) {
    const plain = planTask({ duration: 9, category: 'c' }, catalog, rules, createRng(seed));
    const framed = planTask({ duration: 9, category: 'c' }, catalog, { ...rules, frame: true }, createRng(seed));
    assert.ok(plain.ok && framed.ok);
    assert.deepEqual(framed.plan.clips, plain.plan.clips);
    assert.deepEqual(framed.plan.music, plain.plan.music);
    assert.equal(plain.plan.frame, null);
    assert.match(framed.plan.frame!.path, /^scanned\/frame\//);
  }
  const none = planTask({ duration: 9, category: 'c' }, { ...catalog, frames: [] }, { ...rules, frame: true }, createRng(1));
  assert.ok(none.ok && none.plan.frame === null, 'no frame clips: planned without one');
});

test('property: the pairing rule holds over every voice-over plan (voice, clips, music, frame); a category whose tags cannot pair waits with the reason', async () => {
  const { allPair } = await import('../../src/shared/tags.js');
  const TAGS = ['spring', 'red car', 'city', 'night'];
  const rng = createRng(7);
  const someTags = () => (rng() < 0.35 ? [] : TAGS.filter(() => rng() < 0.4));
  let planned = 0;
  let waited = 0;
  for (let trial = 0; trial < 300; trial++) {
    const video = cls(1920, 1080, Array.from({ length: 1 + Math.floor(rng() * 8) }, () => 1 + Math.round(rng() * 80) / 10));
    for (const c of video.clips) c.tags = someTags();
    const frames = cls(1920, 1080, [5, 6, 7]);
    for (const c of frames.clips) c.tags = someTags();
    const catalog: Pick<CategoryCatalog, 'video' | 'music' | 'frames'> = {
      video: [video],
      frames: [frames],
      music: [20, 60].map((d, i) => ({ path: `scanned/music/c/mp3/${d}.0_${i}.mp3`, id: String(i), duration: d, tags: someTags() })),
    };
    const tags = someTags();
    const r = planTask({ duration: 2 + rng() * 30, category: 'c', tags }, catalog, { ...rules, frame: true }, createRng(trial));
    if (!r.ok) {
      waited++;
      assert.match(r.waiting, /pair/, r.waiting);
      continue;
    }
    planned++;
    const sets = [tags, ...r.plan.clips.map((c) => c.tags), r.plan.music.tags, ...(r.plan.frame ? [r.plan.frame.tags] : [])];
    assert.ok(allPair(sets), `trial ${trial}: ${JSON.stringify(sets)}`);
  }
  assert.ok(planned > 100 && waited > 0, `${planned} planned, ${waited} waited: both cases exercised`);
});

test('the pairing rule: a voice tagged "spring" gets only spring (or untagged) clips and music', () => {
  const video = cls(1920, 1080, [2, 2, 2, 2]);
  video.clips.forEach((c, i) => (c.tags = [['spring'], ['winter'], [], ['spring', 'city']][i]!));
  const music = [{ path: 'scanned/music/c/mp3/30.0_0.mp3', id: '0', duration: 30, tags: ['winter'] }, { path: 'scanned/music/c/mp3/30.0_1.mp3', id: '1', duration: 30, tags: [] }];
  for (let seed = 0; seed < 20; seed++) {
    const r = planTask({ duration: 7, category: 'c', tags: ['spring'] }, { video: [video], music }, rules, createRng(seed));
    assert.ok(r.ok);
    assert.ok(r.plan.clips.every((c) => !c.tags.includes('winter')), JSON.stringify(r.plan.clips));
    assert.equal(r.plan.music.id, '1');
  }
  const onlyWinter = planTask({ duration: 7, category: 'c', tags: ['spring'] }, { video: [video], music: [music[0]!] }, rules, createRng(1));
  assert.deepEqual(onlyWinter, { ok: false, waiting: 'no music in scanned/music/c/ pairs with the tags of the voice and its footage (spring, city)' });
});
