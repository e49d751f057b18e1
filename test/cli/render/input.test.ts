// What `clipmill render` reads: the kind of JSON, where its names point (beside the JSON, a
// task folder's files, the project root's scanned/), and the errors for bad or missing input.
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileFields, loadRenderInput, rootOfTaskDir } from '../../../src/cli/render/input.js';
import { isClipmillError } from '../../../src/shared/errors.js';
import { TimelineSchema, type TimelineInput } from '../../../src/shared/timeline/schema.js';
import { sampleMetadata } from '../../fixtures.js';
import { tempDir } from '../../helpers.js';

const TL: TimelineInput = {
  output: { width: 160, height: 90, fps: 30, duration: 2 },
  video: [{ type: 'clip', file: 'media/a.mp4', out: 1 }, { type: 'still', file: 'b.png', duration: 1 }, { type: 'color', color: 'black', duration: 1 }],
  layers: [{ type: 'video', file: 'media/a.mp4' }, { type: 'border' }],
  audio: [{ file: '/abs/music.mp3' }],
};

async function touch(...paths: string[]): Promise<void> {
  for (const p of paths) {
    await mkdir(join(p, '..'), { recursive: true });
    await writeFile(p, '');
  }
}

test('rootOfTaskDir: the root above tasks/, processing/, output/, trash/failed/ and trash/cancelled/ task folders, when it has scanned/', async (t) => {
  const root = await tempDir(t);
  await mkdir(join(root, 'scanned'));
  for (const parent of ['tasks', 'processing', 'output', 'previews', 'chunks', 'trash/failed', 'trash/cancelled']) assert.equal(rootOfTaskDir(join(root, parent, 'id1')), root, parent);
  assert.equal(rootOfTaskDir(join(root, 'elsewhere', 'id1')), null);
  assert.equal(rootOfTaskDir(join(root, 'failed', 'id1')), null, 'failed/ outside trash/');
  const bare = await tempDir(t);
  assert.equal(rootOfTaskDir(join(bare, 'tasks', 'id1')), null, 'no scanned/ beside tasks/: not a root');
});

test('fileFields: each file once, with the field that names it (a v1 task: its own fields)', () => {
  const tl = TimelineSchema.parse(TL);
  assert.deepEqual([...fileFields(tl, null)], [['media/a.mp4', 'video[0].file'], ['b.png', 'video[1].file'], ['/abs/music.mp3', 'audio[0].file']]);
  const v2 = { ...sampleMetadata({ schema_version: 2 }), timeline: tl };
  assert.equal(fileFields(tl, v2).get('b.png'), 'timeline.video[1].file');
  const v1 = sampleMetadata();
  assert.deepEqual([...fileFields(tl, v1)], [
    [v1.video_files[0]!.path, 'video_files[0].path'],
    ['voice.mp3', 'voice_file'],
    ['music.mp3', 'music_file'],
    ['logo.png', 'render.logo'],
  ]);
});

test('a timeline.json: names relative to its folder (links to the JSON followed), absolute names as they are', async (t) => {
  const dir = await tempDir(t);
  await touch(join(dir, 'media', 'a.mp4'), join(dir, 'b.png'), join(dir, 'abs', 'music.mp3'));
  const tl = { ...TL, audio: [{ file: join(dir, 'abs', 'music.mp3') }] };
  await writeFile(join(dir, 'timeline.json'), JSON.stringify(tl));
  await mkdir(join(dir, 'elsewhere'));
  await symlink(join(dir, 'timeline.json'), join(dir, 'elsewhere', 'link.json'));
  const input = await loadRenderInput(join(dir, 'timeline.json'));
  assert.equal(input.kind, 'timeline');
  assert.equal(input.version, null);
  assert.equal(input.root, null);
  assert.deepEqual([...input.paths], [
    ['media/a.mp4', join(dir, 'media', 'a.mp4')],
    ['b.png', join(dir, 'b.png')],
    [join(dir, 'abs', 'music.mp3'), join(dir, 'abs', 'music.mp3')],
  ]);
  assert.equal(input.timeline.output.quality, 'normal', 'defaults filled in');
  // A link: names are relative to the folder of the path given, as for any file.
  await assert.rejects(loadRenderInput(join(dir, 'elsewhere', 'link.json')), /missing input files: video\[0\]\.file "media\/a\.mp4": .*elsewhere\/media\/a\.mp4 does not exist/);
});

test('a metadata.json: task files in its folder, scanned/ paths from --root, the detected root or $CLIPMILL_ROOT, in that order', async (t) => {
  const root = await tempDir(t);
  const other = await tempDir(t);
  const meta = sampleMetadata();
  const taskDir = join(root, 'processing', meta.task_id);
  await touch(join(taskDir, 'voice.mp3'), join(taskDir, 'music.mp3'), join(taskDir, 'logo.png'), join(root, meta.video_files[0]!.path), join(other, meta.video_files[0]!.path));
  await writeFile(join(taskDir, 'metadata.json'), JSON.stringify(meta));
  const detected = await loadRenderInput(join(taskDir, 'metadata.json'), { envRoot: other });
  assert.deepEqual([detected.kind, detected.version, detected.root], ['metadata', 1, root]);
  assert.equal(detected.paths.get('voice.mp3'), join(taskDir, 'voice.mp3'));
  assert.equal(detected.paths.get(meta.video_files[0]!.path), join(root, meta.video_files[0]!.path));
  assert.equal(detected.timeline.output.duration, meta.voice_duration, 'a v1 task renders its voice-over timeline');
  const given = await loadRenderInput(join(taskDir, 'metadata.json'), { root: other, envRoot: root });
  assert.equal(given.root, other, '--root wins');
  // Outside a root's layout: $CLIPMILL_ROOT, else an error that says to pass --root.
  const loose = join(other, 'loose');
  await touch(join(loose, 'voice.mp3'), join(loose, 'music.mp3'), join(loose, 'logo.png'));
  await writeFile(join(loose, 'metadata.json'), JSON.stringify(meta));
  assert.equal((await loadRenderInput(join(loose, 'metadata.json'), { envRoot: other })).root, other);
  await assert.rejects(loadRenderInput(join(loose, 'metadata.json')), (err) => isClipmillError(err, 'TASK_INVALID') && /pass --root <dir>/.test(err.message));
});

test('bad JSON, a bad field, a folder and missing files are TASK_INVALID naming the file', async (t) => {
  const dir = await tempDir(t);
  const write = async (name: string, value: unknown) => {
    await writeFile(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value));
    return join(dir, name);
  };
  const cases: [string, unknown, RegExp][] = [
    ['a.json', '[1,', /a\.json: not valid JSON/],
    ['b.json', { ...TL, output: { ...TL.output, fps: 0 } }, /b\.json: output\.fps must be a number from 1 to 120, got 0/],
    ['c.json', { ...TL, layers: [{ type: 'border', colour: 'red' }] }, /c\.json: unknown key "layers\[0\]\.colour"/],
    ['d.json', { ...sampleMetadata(), voice_file: '../x.mp3' }, /d\.json: voice_file must be a file name inside the task folder, got "\.\.\/x\.mp3"/],
    ['e.json', TL, /e\.json: missing input files: video\[0\]\.file "media\/a\.mp4": .* does not exist; video\[1\]\.file "b\.png": .* does not exist; audio\[0\]\.file "\/abs\/music\.mp3": \/abs\/music\.mp3 does not exist/],
  ];
  for (const [name, value, re] of cases) {
    await assert.rejects(loadRenderInput(await write(name, value)), (err) => isClipmillError(err, 'TASK_INVALID') && re.test(err.message), name);
  }
  await mkdir(join(dir, 'folder.json'));
  await assert.rejects(loadRenderInput(join(dir, 'folder.json')), /folder\.json: cannot read it \(not a regular file\)/);
  await mkdir(join(dir, 'media', 'a.mp4'), { recursive: true });
  await assert.rejects(loadRenderInput(await write('f.json', { ...TL, output: { ...TL.output, duration: 1 }, video: [TL.video![0]!], layers: [], audio: [] })), /video\[0\]\.file "media\/a\.mp4": .*a\.mp4 is not a regular file/);
});
