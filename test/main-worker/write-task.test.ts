// A voice-over task folder: its id, its metadata.json (exact), and what writeTask publishes:
// relative links to the scanned inputs, the clip list, the logo, metadata.json.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import { buildMetadata, clipPoints, taskIdFor, taskPriority, writeTask, type BuildTaskInput } from '../../src/main-worker/write-task.js';
import { isClipmillError } from '../../src/shared/errors.js';
import { stableUuid } from '../../src/shared/ids.js';
import { Layout, UUID_RE } from '../../src/shared/layout.js';
import { validateMetadata } from '../../src/shared/task.js';
import { tempDir, testConfig } from '../helpers.js';

const NOW = new Date('2026-05-01T12:00:00.000Z');
const CONFIG = testConfig({ render: { resolution: '160x90', fps: 25, fit: 'crop', logoWidth: 0.2, voiceVolume: 0.9, musicVolume: 0.3, fadeOutSeconds: 1 } });
const CLASS = 'scanned/video/c/mp4_w160_h90';

function input(over: Partial<BuildTaskInput> = {}, voicePath = 'scanned/story/c/my story/voice/chapter_0001.mp3'): BuildTaskInput {
  return {
    id: taskIdFor(voicePath, 0),
    voice: { path: voicePath, category: 'c', story: 'my story', name: 'chapter_0001.mp3', tags: [] },
    voiceDuration: 10.5,
    variation: 0,
    seed: 1234,
    plan: {
      videoClass: 'mp4_w160_h90',
      clips: [
        { path: `${CLASS}/4.0_a.mp4`, id: 'a', duration: 4, tags: [] },
        { path: `${CLASS}/4.0_b.mp4`, id: 'b', duration: 4, tags: [] },
        { path: `${CLASS}/4.0_c.mp4`, id: 'c', duration: 4, tags: [] },
      ],
      music: { path: 'scanned/music/c/mp3/60.0_m.mp3', id: 'm', duration: 60, tags: [] },
      frame: { path: 'scanned/frame/c/mp4_w160_h90/3.0_f.mp4', id: 'f', duration: 3, tags: [] },
    },
    logo: null,
    ...over,
  };
}

test('taskIdFor: one stable UUID per (voice file, variation)', () => {
  const id = taskIdFor('scanned/story/c/s/voice/chapter_0001.mp3', 0);
  assert.match(id, UUID_RE);
  assert.equal(id, stableUuid('clipmill-task', 'scanned/story/c/s/voice/chapter_0001.mp3', '0'));
  assert.equal(taskIdFor('scanned/story/c/s/voice/chapter_0001.mp3', 0), id, 'the same every time');
  assert.notEqual(taskIdFor('scanned/story/c/s/voice/chapter_0001.mp3', 1), id);
  assert.notEqual(taskIdFor('scanned/story/c/s/voice/chapter_0002.mp3', 0), id);
});

test('clip in/out points: every clip whole, the last cut where the voice ends', () => {
  assert.deepEqual(clipPoints([{ path: 'a', duration: 4 }, { path: 'b', duration: 4 }, { path: 'c', duration: 4 }], 10.5), [
    { path: 'a', duration: 4, in: 0, out: 4 },
    { path: 'b', duration: 4, in: 0, out: 4 },
    { path: 'c', duration: 4, in: 0, out: 2.5 },
  ]);
  // Exactly covered: every clip whole.
  assert.deepEqual(clipPoints([{ path: 'a', duration: 4 }, { path: 'b', duration: 4 }], 8).map((c) => c.out), [4, 4]);
  // The cut is rounded to the millisecond.
  assert.deepEqual(clipPoints([{ path: 'a', duration: 4 }, { path: 'b', duration: 4 }], 6.12345).map((c) => c.out), [4, 2.123]);
  // A clip that starts after the voice ended keeps a millisecond (metadata needs out > 0).
  assert.deepEqual(clipPoints([{ path: 'a', duration: 4 }, { path: 'b', duration: 4 }], 2.5).map((c) => c.out), [2.5, 0.001]);
  assert.deepEqual(clipPoints([], 5), []);
});

test('buildMetadata: the exact metadata.json of a task, from the plan and the render settings', () => {
  const { timeline, ...meta } = buildMetadata(input({ logo: '/etc/clipmill/logo.png' }), CONFIG, NOW);
  assert.deepEqual(meta, {
    schema_version: 2,
    task_id: taskIdFor('scanned/story/c/my story/voice/chapter_0001.mp3', 0),
    created_at: '2026-05-01T12:00:00.000Z',
    category: 'c',
    story_name: 'my story',
    variation: 0,
    seed: 1234,
    attempts: 0,
    voice_file: 'voice.mp3',
    voice_source: 'scanned/story/c/my story/voice/chapter_0001.mp3',
    voice_duration: 10.5,
    music_file: 'music.mp3',
    music_source: 'scanned/music/c/mp3/60.0_m.mp3',
    music_duration: 60,
    video_list: 'video_list.txt',
    frame_file: 'frame.mp4',
    frame_source: 'scanned/frame/c/mp4_w160_h90/3.0_f.mp4',
    video_class: 'mp4_w160_h90',
    video_files: [
      { path: `${CLASS}/4.0_a.mp4`, duration: 4, in: 0, out: 4 },
      { path: `${CLASS}/4.0_b.mp4`, duration: 4, in: 0, out: 4 },
      { path: `${CLASS}/4.0_c.mp4`, duration: 4, in: 0, out: 2.5 },
    ],
    audio: { voice_volume: 0.9, music_volume: 0.3, fade_out_seconds: 1 },
    render: { resolution: '160x90', frame_rate: 25, fit: 'crop', logo: 'logo.png', logo_width: 0.2, output_format: 'mp4' },
  });
  // v2: the same video as a timeline, which is what renders.
  const clip = (name: string, out: number) => ({ type: 'clip', file: `${CLASS}/${name}`, in: 0, out, fit: 'crop', flip: false });
  assert.deepEqual(timeline, {
    output: { width: 160, height: 90, fps: 25, duration: 10.5, quality: 'normal' },
    video: [clip('4.0_a.mp4', 4), clip('4.0_b.mp4', 4), clip('4.0_c.mp4', 2.5)],
    layers: [
      { type: 'video', file: 'frame.mp4', start: 0, opacity: 1, blend: 'screen' },
      { type: 'image', file: 'logo.png', start: 0, position: 'top-left', margin: 2, scale: 0.2, opacity: 1, animation: 'none', animation_duration: 0.5 },
    ],
    audio: [
      { file: 'voice.mp3', start: 0, in: 0, duration: 10.5, volume: 0.9, loop: false, fade_in: 0, fade_out: 1 },
      { file: 'music.mp3', start: 0, in: 0, volume: 0.3, loop: true, fade_in: 0, fade_out: 1 },
    ],
    effects: { contrast: 1, brightness: 0, saturation: 1, gamma: 1, speed: 1, pitch: 1, flip: false },
  });
  const full = { ...meta, timeline };
  assert.deepEqual(validateMetadata(full), full, 'it passes its own schema');
  const plain = buildMetadata(input({ plan: { ...input().plan, frame: null } }), CONFIG, NOW);
  assert.deepEqual([plain.frame_file, plain.frame_source, plain.render.logo], [null, null, null]);
});

/** A root with the scanned files the task links to (each file holds its own path). */
async function rootWithInputs(t: Parameters<typeof tempDir>[0], i: BuildTaskInput): Promise<Layout> {
  const dir = await tempDir(t);
  await initRoot(join(dir, 'root'));
  const layout = new Layout(join(dir, 'root'));
  for (const p of [i.voice.path, i.plan.music.path, ...(i.plan.frame ? [i.plan.frame.path] : []), ...i.plan.clips.map((c) => c.path)]) {
    await mkdir(dirname(layout.abs(p)), { recursive: true });
    await writeFile(layout.abs(p), p);
  }
  return layout;
}

test('writeTask publishes tasks/<id>/: relative links, the clip list, the logo, metadata.json; nothing half-made', async (t) => {
  const logo = join(await tempDir(t), 'logo.png');
  await writeFile(logo, 'PNG bytes');
  const i = input({ logo });
  const layout = await rootWithInputs(t, i);
  const dir = await writeTask(layout, i, CONFIG, NOW);
  assert.equal(dir, layout.task(i.id));
  assert.deepEqual(await readdir(layout.tasks), [i.id], 'no temporary folder left');
  assert.deepEqual((await readdir(dir)).sort(), ['frame.mp4', 'logo.png', 'metadata.json', 'music.mp3', 'video_list.txt', 'voice.mp3']);
  // Relative links: valid from processing/, output/ and trash/failed/ too, and on every node.
  assert.equal(await readlink(join(dir, 'voice.mp3')), '../../scanned/story/c/my story/voice/chapter_0001.mp3');
  assert.equal(await readlink(join(dir, 'music.mp3')), '../../scanned/music/c/mp3/60.0_m.mp3');
  assert.equal(await readlink(join(dir, 'frame.mp4')), '../../scanned/frame/c/mp4_w160_h90/3.0_f.mp4');
  assert.equal(await readFile(join(dir, 'voice.mp3'), 'utf8'), i.voice.path, 'the link resolves to the scanned voice');
  assert.equal(await readFile(join(dir, 'logo.png'), 'utf8'), 'PNG bytes', 'the logo is copied, not linked');
  assert.equal(
    await readFile(join(dir, 'video_list.txt'), 'utf8'),
    `ffconcat version 1.0\nfile '../../${CLASS}/4.0_a.mp4'\nfile '../../${CLASS}/4.0_b.mp4'\nfile '../../${CLASS}/4.0_c.mp4'\n`,
  );
  assert.deepEqual(JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8')), buildMetadata({ ...i, priority: 0 }, CONFIG, NOW));
});

test('task priority: the voice\'s own (its asset record, as the catalog read it), else tasks.categories.<category>.priority, else 0', async (t) => {
  const i = input();
  const layout = await rootWithInputs(t, i);
  const withCategory = testConfig({ tasks: { categories: { c: { priority: 3 } } } });
  assert.equal(taskPriority(i.voice, CONFIG), 0);
  assert.equal(taskPriority(i.voice, withCategory), 3);
  const own = { ...i, voice: { ...i.voice, priority: 5 } };
  assert.equal(taskPriority(own.voice, withCategory), 5, 'the voice\'s own wins');
  const dir = (await writeTask(layout, own, withCategory, NOW))!;
  assert.equal((JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8')) as { priority: number }).priority, 5);
});

test('writeTask without a frame or a logo; quotes in paths are escaped in the clip list', async (t) => {
  const clipPath = "scanned/video/it's/mp4_w160_h90/4.0_a.mp4";
  const i = input({ plan: { ...input().plan, frame: null, clips: [{ path: clipPath, id: 'a', duration: 12, tags: [] }] } });
  const layout = await rootWithInputs(t, i);
  const dir = (await writeTask(layout, i, CONFIG, NOW))!;
  assert.deepEqual((await readdir(dir)).sort(), ['metadata.json', 'music.mp3', 'video_list.txt', 'voice.mp3']);
  assert.equal(await readFile(join(dir, 'video_list.txt'), 'utf8'), "ffconcat version 1.0\nfile '../../scanned/video/it'\\''s/mp4_w160_h90/4.0_a.mp4'\n");
  const meta = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8')) as { frame_file: null; render: { logo: null } };
  assert.deepEqual([meta.frame_file, meta.render.logo], [null, null]);
});

test('writeTask: a task with that id already there is left alone (null); a task that cannot be written leaves nothing', async (t) => {
  const i = input();
  const layout = await rootWithInputs(t, i);
  const first = (await writeTask(layout, i, CONFIG, NOW))!;
  const before = await readFile(join(first, 'metadata.json'), 'utf8');
  assert.equal(await writeTask(layout, { ...i, seed: 99 }, CONFIG, new Date('2027-01-01T00:00:00Z')), null);
  assert.equal(await readFile(join(first, 'metadata.json'), 'utf8'), before, 'the published task is untouched');
  // A clip path with a line break cannot be written to an ffconcat list.
  const bad = input({ plan: { ...i.plan, clips: [{ path: 'scanned/video/c\nx/mp4_w160_h90/4.0_a.mp4', id: 'a', duration: 12, tags: [] }] } }, 'scanned/story/c/other/voice/chapter_0001.mp3');
  await assert.rejects(writeTask(layout, bad, CONFIG, NOW), (err: unknown) => isClipmillError(err, 'TASK_INVALID'));
  assert.deepEqual(await readdir(layout.tasks), [i.id], 'neither a task folder nor a temporary one for it');
});
