// `clipmill narrate`: a story voiced again with another espeak-ng voice becomes version 2 of
// each chapter (v1 untouched), the catalog gives planners v2, and v2 gets new tasks while the
// old ones stay; a person's voice dropped after its chapter was synthesized becomes version 2
// and wins; asking again with nothing changed voices nothing (cache) and publishes nothing.
import assert from 'node:assert/strict';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src/shared/catalog.js';
import { AssetRecordSchema } from '../../../src/shared/assets.js';
import { readJson } from '../../../src/shared/json.js';
import { Layout } from '../../../src/shared/layout.js';
import { makeClip, makeSpeech, makeTone } from '../../../src/shared/media/generate.js';
import { parseMetadata } from '../../../src/shared/task.js';
import { readWords } from '../../../src/shared/words.js';
import { binaries, cli, startCli, tempDir, visible, waitUntil } from '../../helpers.js';
import { FIXTURES } from '../../media.js';

const ENV = {
  CLIPMILL_INGEST_STABLE_MS: '100',
  CLIPMILL_INGEST_MUSIC_MIN_SECONDS: '1',
  CLIPMILL_RENDER_RESOLUTION: '160x90',
  CLIPMILL_NARRATION_FROM_STORIES: '1',
  CLIPMILL_NARRATION_ESPEAK_RATE: '400',
};

async function voiceSources(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const id of await visible(join(root, 'tasks'))) out.push(parseMetadata(await readFile(join(root, 'tasks', id, 'metadata.json'), 'utf8')).voice_source!);
  return out.sort();
}

test('narrate: versions of a story\'s voices, a person\'s late voice wins, asking twice does nothing twice', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  assert.equal((await cli(['init', root])).exitCode, 0);
  const layout = new Layout(root);
  const { ffmpeg } = await binaries();
  await mkdir(join(root, 'raw/video/tales'), { recursive: true });
  await mkdir(join(root, 'raw/music/tales'), { recursive: true });
  await makeClip(ffmpeg.path, join(dir, 'clip.mp4'), { source: 'testsrc2', width: 160, height: 90, fps: 30, seconds: 2 });
  await makeTone(ffmpeg.path, join(dir, 'bed.mp3'), { seconds: 3, freqs: [220, 330] });
  await rename(join(dir, 'clip.mp4'), join(root, 'raw/video/tales/clip.mp4'));
  await rename(join(dir, 'bed.mp3'), join(root, 'raw/music/tales/bed.mp3'));
  // Two crawled stories (as the crawler files them), one chapter each.
  for (const [story, text] of [['keeper', 'The keeper climbed the stairs at dusk.'], ['told', 'It was late and the rain had stopped.'], ['late', 'Nobody came to the door that night.']]) {
    await mkdir(join(layout.scanned, 'story/tales', story), { recursive: true });
    await writeFile(join(layout.scanned, 'story/tales', story, 'chunk_0001.txt'), `${text}\n`);
  }
  const keeper = layout.scannedVoiceDir('tales', 'keeper');
  const told = layout.scannedVoiceDir('tales', 'told');
  const late = layout.scannedVoiceDir('tales', 'late');
  // A narration campaign of one part (its parts make no tasks; jobs select them).
  await mkdir(join(root, 'raw/narration/tales'), { recursive: true });
  await writeFile(join(dir, 'promo.csv'), 'text,campaign_part\nCome see the lighthouse.,1\n');
  await rename(join(dir, 'promo.csv'), join(root, 'raw/narration/tales/promo.csv'));
  const promo = layout.scannedNarrationDir('tales', 'promo');

  // Nothing to voice: refused at the terminal, exit 2, no request left.
  const none = await cli(['narrate', 'tales/nobody', '--root', root], ENV);
  assert.equal(none.exitCode, 2, none.stderr);
  assert.match(none.stderr, /nothing to voice for tales\/nobody.*\[NARRATION_NOTHING\]/);
  const badVoice = await cli(['narrate', 'tales/keeper', '--voice', 'no-such-voice', '--root', root], ENV);
  assert.equal(badVoice.exitCode, 2, badVoice.stderr);
  assert.match(badVoice.stderr, /espeak-ng has no voice "no-such-voice".*\[NARRATION_CONFIG\]/);

  let run = await cli(['main-worker', '--once', '--root', root], ENV);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.deepEqual(await visible(keeper), ['chapter_0001.mp3', 'chapter_0001.mp3.json', 'chapter_0001.mp3.words.json']);
  const v1 = await readFile(join(keeper, 'chapter_0001.mp3'));
  const v1Stat = await stat(join(keeper, 'chapter_0001.mp3'));
  const firstTasks = await visible(join(root, 'tasks'));
  assert.deepEqual(await voiceSources(root), ['scanned/story/tales/keeper/voice/chapter_0001.mp3', 'scanned/story/tales/late/voice/chapter_0001.mp3', 'scanned/story/tales/told/voice/chapter_0001.mp3']);
  assert.ok((await visible(promo)).includes('part_0001.mp3'));

  // While a main worker runs, an operator asks for another voice, and a person drops a
  // recording for the other story's chapter.
  const daemon = startCli(['main-worker', '--root', root], { ...ENV, CLIPMILL_INGEST_SCAN_INTERVAL_MS: '200' });
  t.after(() => daemon.sub.kill('SIGKILL'));
  await daemon.waitFor(/Main worker watching/);
  const asked = await cli(['narrate', 'tales/keeper', '--voice', 'en-us', '--root', root], ENV);
  assert.equal(asked.exitCode, 0, asked.stderr);
  assert.match(asked.stdout, /^Requested: story tales\/keeper, 1 chapter\(s\) with espeak-ng \(voice en-us/);
  assert.equal((await visible(layout.narrationRequestsDir)).length, 1);
  const askedPart = await cli(['narrate', 'tales/promo', '--voice', 'en-us', '--root', root], ENV);
  assert.equal(askedPart.exitCode, 0, askedPart.stderr);
  assert.match(askedPart.stdout, /^Requested: campaign tales\/promo, 1 part\(s\)/);
  // A person's voice whose header lies about its length (re-encoded before it is filed).
  await mkdir(join(root, 'raw/story/tales/late/voice'), { recursive: true });
  await FIXTURES.lyingMp3(join(dir, 'lying.mp3'), 2, 3);
  await rename(join(dir, 'lying.mp3'), join(root, 'raw/story/tales/late/voice/chapter_0001.mp3'));
  await mkdir(join(root, 'raw/story/tales/told/voice'), { recursive: true });
  await makeSpeech(ffmpeg.path, join(dir, 'person.mp3'), 'It was late and the rain had stopped.', join(dir, 'person.wav'));
  await writeFile(join(dir, 'person.mp3.json'), JSON.stringify({ transcript: 'It was late and the rain had stopped.' }));
  await rename(join(dir, 'person.mp3.json'), join(root, 'raw/story/tales/told/voice/chapter_0001.mp3.json'));
  await rename(join(dir, 'person.mp3'), join(root, 'raw/story/tales/told/voice/chapter_0001.mp3'));

  // Done when every new version has its task and the requests are gone.
  await waitUntil('the tasks of the new versions', async () => (await visible(join(root, 'tasks'))).length === 6 && (await visible(layout.narrationRequestsDir)).length === 0 && (await visible(promo)).includes('part_0001.v2.mp3'));
  daemon.sub.kill('SIGTERM');
  assert.equal((await daemon.sub).exitCode, 0, daemon.log());
  // Version 2 beside version 1, which is untouched.
  assert.deepEqual(await visible(keeper), ['chapter_0001.mp3', 'chapter_0001.mp3.json', 'chapter_0001.mp3.words.json', 'chapter_0001.v2.mp3', 'chapter_0001.v2.mp3.json', 'chapter_0001.v2.mp3.words.json']);
  assert.deepEqual(await readFile(join(keeper, 'chapter_0001.mp3')), v1);
  assert.equal((await stat(join(keeper, 'chapter_0001.mp3'))).mtimeMs, v1Stat.mtimeMs);
  const rec2 = await readJson(AssetRecordSchema, join(keeper, 'chapter_0001.v2.mp3.json'), 'IO');
  assert.deepEqual([rec2.kind, rec2.id, rec2.origin, rec2.version, rec2.transcript], ['voice', 'tales/keeper/chapter_0001.v2', 'synthesized', 2, 'The keeper climbed the stairs at dusk.']);
  assert.equal((await readWords(join(keeper, 'chapter_0001.v2.mp3.words.json'))).words.length, 7);
  assert.deepEqual(await visible(layout.narrationRequestsDir), [], 'the request is done');
  // The person's recording is version 2 of the synthesized chapter: it wins.
  assert.deepEqual(await visible(told), ['chapter_0001.mp3', 'chapter_0001.mp3.json', 'chapter_0001.mp3.words.json', 'chapter_0001.v2.mp3', 'chapter_0001.v2.mp3.json', 'chapter_0001.v2.mp3.sidecar.json', 'chapter_0001.v2.mp3.words.json']);
  const person = await readJson(AssetRecordSchema, join(told, 'chapter_0001.v2.mp3.json'), 'IO');
  assert.deepEqual([person.origin, person.version, person.raw_path], ['person', 2, 'raw/story/tales/told/voice/chapter_0001.mp3']);
  assert.equal((await readWords(join(told, 'chapter_0001.v2.mp3.words.json'))).source, 'transcript');
  assert.deepEqual(await visible(join(root, 'trash/invalid')), [], 'not rejected as a duplicate');
  assert.deepEqual((await visible(late)).filter((n) => n.endsWith('.mp3')), ['chapter_0001.mp3', 'chapter_0001.v2.mp3'], 're-encoded, then filed as version 2');
  const lateRec = await readJson(AssetRecordSchema, join(late, 'chapter_0001.v2.mp3.json'), 'IO');
  assert.deepEqual([lateRec.origin, lateRec.version, lateRec.id], ['person', 2, 'tales/late/chapter_0001.v2']);
  // The campaign's part: version 2, the one jobs get.
  assert.deepEqual((await visible(promo)).filter((n) => n.endsWith('.mp3')), ['part_0001.mp3', 'part_0001.v2.mp3']);

  // The catalog gives planners the latest versions; every version is still listed.
  const catalog = await Catalog.load(layout);
  assert.deepEqual(catalog.voiceList().map((v) => v.path), ['scanned/story/tales/keeper/voice/chapter_0001.v2.mp3', 'scanned/story/tales/late/voice/chapter_0001.v2.mp3', 'scanned/story/tales/told/voice/chapter_0001.v2.mp3']);
  assert.equal(catalog.allVoices().length, 6);
  assert.deepEqual(catalog.narration('tales', 'promo').get(1)!.map((p) => [p.id, p.version]), [['tales/promo/part_0001.v2', 2]]);
  assert.equal(catalog.byId('tales/promo/part_0001')?.path, 'scanned/narration/tales/promo/part_0001.v2.mp3');
  const listed = await cli(['assets', '--kind', 'voice', '--json', '--root', root], ENV);
  assert.equal(listed.exitCode, 0, listed.stderr);
  assert.deepEqual((JSON.parse(listed.stdout) as Array<{ path: string; version?: number }>).map((a) => [a.path.split('/').slice(3).join('/'), a.version ?? 1]), [
    ['keeper/voice/chapter_0001.mp3', 1],
    ['keeper/voice/chapter_0001.v2.mp3', 2],
    ['late/voice/chapter_0001.mp3', 1],
    ['late/voice/chapter_0001.v2.mp3', 2],
    ['told/voice/chapter_0001.mp3', 1],
    ['told/voice/chapter_0001.v2.mp3', 2],
  ]);

  // New tasks for the new versions; the old ones stay as they were.
  const secondTasks = await visible(join(root, 'tasks'));
  assert.equal(secondTasks.length, 6);
  for (const id of firstTasks) assert.ok(secondTasks.includes(id), `old task ${id} stays`);
  assert.deepEqual(await voiceSources(root), [
    'scanned/story/tales/keeper/voice/chapter_0001.mp3',
    'scanned/story/tales/keeper/voice/chapter_0001.v2.mp3',
    'scanned/story/tales/late/voice/chapter_0001.mp3',
    'scanned/story/tales/late/voice/chapter_0001.v2.mp3',
    'scanned/story/tales/told/voice/chapter_0001.mp3',
    'scanned/story/tales/told/voice/chapter_0001.v2.mp3',
  ]);

  // Asked again with nothing changed: no provider call (the cache holds as many voices as
  // before), no version 3, no new task.
  const cache = await visible(layout.narrationCacheDir);
  for (const target of ['tales/keeper', 'tales/promo']) {
    const again = await cli(['narrate', target, '--voice', 'en-us', '--root', root], ENV);
    assert.equal(again.exitCode, 0, again.stderr);
  }
  run = await cli(['main-worker', '--once', '--root', root], ENV);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.deepEqual(await visible(layout.narrationCacheDir), cache);
  assert.equal((await visible(keeper)).length, 6);
  assert.deepEqual((await visible(promo)).filter((n) => n.endsWith('.mp3')), ['part_0001.mp3', 'part_0001.v2.mp3']);
  assert.equal((await visible(told)).length, 7, 'a synthesized voice never follows a person\'s by itself');
  assert.deepEqual(await visible(join(root, 'tasks')), secondTasks);
  assert.deepEqual(await visible(layout.narrationRequestsDir), []);
});
