// Start-up recovery of what a killed main worker left half-done in scanned/: interrupted story
// publications rolled forward, dot-temporaries removed, orphan source records removed, and the
// originals still waiting for their conversion returned.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import type { MainContext } from '../../src/main-worker/context.js';
import { isOurTemp, recover } from '../../src/main-worker/recover.js';
import { isClipmillError } from '../../src/shared/errors.js';
import { Layout } from '../../src/shared/layout.js';
import { createLogger } from '../../src/shared/log.js';
import { tempDir, testConfig, walk } from '../helpers.js';

const ID = (c: string) => `${c.repeat(8)}-0000-4000-8000-000000000000`;

async function setup(t: Parameters<typeof tempDir>[0]): Promise<{ ctx: MainContext; layout: Layout; put: (rel: string, text?: string) => Promise<string> }> {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  const ctx: MainContext = { config: testConfig(), layout, log: createLogger({ format: 'line', level: 'fatal' }), bins: null as never };
  const put = async (rel: string, text = rel) => {
    const p = layout.abs(rel);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, text);
    return p;
  };
  return { ctx, layout, put };
}

test('isOurTemp: dot-names with ".tmp-" only', () => {
  assert.deepEqual(
    ['.x.tmp-0123abcd.mp4', '.beats.tmp-0a1b2c3d.pcm', '.tmp-ab', '.chunk_0001.txt.tmp-1f', 'x.tmp-0123abcd.mp4', '.hidden', '.publish-ab12.json', '.x.tmp.mp4'].map(isOurTemp),
    [true, true, true, true, false, false, false, false],
  );
});

test('temporaries anywhere in scanned/ are removed; other dot-files and finished files stay', async (t) => {
  const { ctx, layout, put } = await setup(t);
  await put('scanned/video/c/.x.tmp-0123abcd.mp4');
  await put(`scanned/video/c/mp4_w160_h90/.${ID('a')}.tmp-ab12cd34.mp4`);
  await put('scanned/music/c/mp3/.m.tmp-99.mp3');
  await put('scanned/story/c/s/.sources.json.tmp-77');
  await put('scanned/video/c/.operator-notes');
  await put(`scanned/video/c/mp4_w160_h90/1.0_${ID('a')}.mp4`);
  const r = await recover(ctx);
  assert.deepEqual(r, { temps: 4, publications: 0, records: 0, pending: [] });
  assert.deepEqual((await walk(layout.scanned)).map((p) => layout.rel(p)), ['scanned/video/c/.operator-notes', `scanned/video/c/mp4_w160_h90/1.0_${ID('a')}.mp4`]);
});

test('originals without their converted file are returned to convert again; orphan source records are removed', async (t) => {
  const { ctx, layout, put } = await setup(t);
  const source = JSON.stringify({ raw_path: 'raw/video/c/x.mov', moved_at: 't', why: 'fps', probe: {}, extra: {} });
  // Waiting: a clip (with its source record), an overlay, a track.
  const a = await put(`scanned/video/c/original/${ID('a')}.mov`);
  await put(`scanned/video/c/original/${ID('a')}.mov.source.json`, source);
  const f = await put(`scanned/frame/c/original/${ID('f')}.mp4`);
  const n = await put(`scanned/music/c/original/${ID('f')}.wav`);
  // Done: converted into some resolution class (the rotated one), or into mp3/.
  await put(`scanned/video/c/original/${ID('b')}.mov`);
  await put(`scanned/video/c/mp4_w180_h320/2.0_${ID('b')}.mp4`);
  await put(`scanned/music/c/original/${ID('e')}.wav`);
  await put(`scanned/music/c/mp3/6.0_${ID('e')}.mp3`);
  // A clip's converted name in the music folder does not count for it, nor the reverse.
  await put(`scanned/video/d/original/${ID('c')}.mp4`);
  await put(`scanned/music/d/mp3/1.0_${ID('c')}.mp3`);
  // A source record whose original is gone (a crash before the move); a dot-file and a folder in original/.
  await put(`scanned/video/c/original/${ID('e')}.mkv.source.json`, source);
  await put('scanned/video/c/original/.DS_Store');
  await mkdir(layout.abs('scanned/video/c/original/sub'), { recursive: true });

  const r = await recover(ctx);
  const byOriginal = (x: { original: string }, y: { original: string }) => x.original.localeCompare(y.original);
  assert.deepEqual(r.pending.sort(byOriginal), [
    { kind: 'video', category: 'c', original: a, id: ID('a') },
    { kind: 'frame', category: 'c', original: f, id: ID('f') },
    { kind: 'music', category: 'c', original: n, id: ID('f') },
    { kind: 'video', category: 'd', original: layout.abs(`scanned/video/d/original/${ID('c')}.mp4`), id: ID('c') },
  ].sort(byOriginal));
  assert.equal(r.temps, 0);
  const left = await readdir(layout.scannedOriginalDir('video', 'c'));
  assert.deepEqual(left.sort(), ['.DS_Store', `${ID('a')}.mov`, `${ID('a')}.mov.source.json`, `${ID('b')}.mov`, 'sub'].sort(), 'the orphan record is gone, nothing else');
});

test('an interrupted story publication is rolled forward before temporaries are removed', async (t) => {
  const { ctx, layout, put } = await setup(t);
  const story = layout.abs('scanned/story/c/s');
  const tmpChunk = await put('scanned/story/c/s/.chunk_0001.txt.tmp-1f', 'Once upon a time.');
  const done = await put('scanned/story/c/s/chunk_0002.txt', 'already renamed');
  const link = await put('raw/story/c/s/link/tale.txt', 'https://example.com/tale\n');
  await put('scanned/story/c/s/.publish-0a1b2c.json', JSON.stringify({
    renames: [[tmpChunk, join(story, 'chunk_0001.txt')], [join(story, '.chunk_0002.txt.tmp-2f'), done]],
    link: { from: link, to: join(story, 'link', 'tale.txt') },
  }));
  const r = await recover(ctx);
  assert.deepEqual(r, { temps: 0, publications: 1, records: 0, pending: [] });
  assert.deepEqual((await walk(story)).map((p) => layout.rel(p)), ['scanned/story/c/s/chunk_0001.txt', 'scanned/story/c/s/chunk_0002.txt', 'scanned/story/c/s/link/tale.txt']);
  assert.equal(await readFile(join(story, 'chunk_0001.txt'), 'utf8'), 'Once upon a time.');
  assert.deepEqual(await walk(layout.abs('raw/story/c/s')), [], 'the link file left raw/');
});

test('a manifest that cannot be read stops recovery and stays, with its temporaries, for an operator', async (t) => {
  const { ctx, layout, put } = await setup(t);
  const manifest = await put('scanned/story/c/s/.publish-ff.json', '{ cut short');
  const tmp = await put('scanned/story/c/s/.chunk_0001.txt.tmp-1f');
  await assert.rejects(recover(ctx), (err: unknown) => isClipmillError(err, 'IO'));
  assert.deepEqual(await walk(layout.abs('scanned/story/c/s')), [tmp, manifest].sort());
});

test('asset records whose file never arrived are removed; records of filed files, kept sidecars and other JSON stay', async (t) => {
  const { ctx, layout, put } = await setup(t);
  const keep = [
    `scanned/video/c/mp4_w160_h90/1.0_${ID('a')}.mp4`,
    `scanned/video/c/mp4_w160_h90/1.0_${ID('a')}.mp4.json`,
    `scanned/video/c/mp4_w160_h90/1.0_${ID('a')}.mp4.sidecar.json`,
    `scanned/image/c/original/${ID('d')}.jpg.sidecar.json`,
    'scanned/narration/c/spring/part_0001.mp3.words.json',
    'scanned/story/c/s/sources.json',
    'scanned/text/c/notes.json',
  ];
  for (const p of keep) await put(p);
  await put(`scanned/video/c/mp4_w160_h90/2.0_${ID('b')}.mp4.json`);
  await put(`scanned/image/c/8x8_${ID('d')}.png.json`);
  await put('scanned/narration/c/spring/part_0002_2.mp3.json');
  await put('scanned/story/c/s/voice/chapter_0002.mp3.json');
  // A track's beats file is written before the track too: an orphan goes, a filed track's stays.
  keep.push(`scanned/music/c/mp3/8.0_${ID('e')}.mp3`, `scanned/music/c/mp3/8.0_${ID('e')}.mp3.beats.json`);
  for (const p of keep.slice(-2)) await put(p);
  await put(`scanned/music/c/mp3/9.0_${ID('f')}.mp3.beats.json`);
  const r = await recover(ctx);
  assert.equal(r.records, 5);
  assert.deepEqual((await walk(layout.scanned)).map((p) => layout.rel(p)).sort(), [...keep].sort());
});
