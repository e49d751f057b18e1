// The narration queue on its own: story chunks voiced into chapters (fromStories), a person's
// voice winning over a synthesized one, failures recorded and counted, transcripts aligned.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../../src/cli/commands/init.js';
import { narrationStatus } from '../../../src/shared/narration-discover.js';
import { EspeakProvider } from '../../../src/main-worker/narrate/espeak-ng.js';
import type { NarrationProvider, SynthesizeOptions } from '../../../src/main-worker/narrate/provider.js';
import { NarrationQueue } from '../../../src/main-worker/narrate/queue.js';
import { AssetRecordSchema } from '../../../src/shared/assets.js';
import { ClipmillError } from '../../../src/shared/errors.js';
import { readJson, writeJson } from '../../../src/shared/json.js';
import { Layout } from '../../../src/shared/layout.js';
import { createLogger } from '../../../src/shared/log.js';
import { readWords } from '../../../src/shared/words.js';
import { binaries, tempDir, testConfig, visible } from '../../helpers.js';

async function setup(t: { after(fn: () => unknown): void }, provider: NarrationProvider) {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  const log = createLogger({ format: 'line', level: 'fatal', out: { write: () => true } as unknown as NodeJS.WritableStream });
  const filed: string[] = [];
  const ctx = { config: testConfig({ narration: { fromStories: true } }), layout, log, bins: await binaries() };
  const queue = new NarrationQueue({ ctx, filed: (dest) => filed.push(layout.rel(dest)), provider });
  return { root, layout, queue, filed };
}

/** espeak-ng, failing for texts that say "explode". */
async function provider(): Promise<NarrationProvider & { calls: number }> {
  const real = new EspeakProvider({ voice: 'en', rate: 175, pitch: 50 }, { ffmpeg: (await binaries()).ffmpeg.path });
  const p = {
    name: real.name,
    settings: real.settings,
    calls: 0,
    async synthesize(text: string, opts: SynthesizeOptions, signal?: AbortSignal) {
      p.calls++;
      if (text.includes('explode')) throw new ClipmillError('NARRATION_UNAVAILABLE', 'the provider is down');
      return real.synthesize(text, opts, signal);
    },
  };
  return p;
}

test('narration queue: chunks become chapter voices; a person\'s voice wins; failures are recorded; status counts', async (t) => {
  const p = await provider();
  const { layout, queue, filed } = await setup(t, p);
  const story = join(layout.scanned, 'story', 'tales', 'the keeper');
  await mkdir(story, { recursive: true });
  await writeFile(join(story, 'chunk_0001.txt'), 'The keeper climbed the stairs.\n');
  await writeFile(join(story, 'chunk_0002.txt'), 'A person recorded this one.\n');
  await writeFile(join(story, 'chunk_0003.txt'), 'This chapter will explode.\n');
  // A person's voice for chapter 2 waits in raw/: it wins.
  await mkdir(join(layout.raw, 'story', 'tales', 'the keeper', 'voice'), { recursive: true });
  await writeFile(join(layout.raw, 'story', 'tales', 'the keeper', 'voice', 'chapter_0002.mp3'), 'x');
  assert.deepEqual(await narrationStatus(layout, { fromStories: true }), { queued: 2, done: 0, failed: 0, uncaptioned: 0 });
  queue.schedule();
  await queue.idle();
  const voice = layout.scannedVoiceDir('tales', 'the keeper');
  assert.deepEqual(await visible(voice), ['chapter_0001.mp3', 'chapter_0001.mp3.json', 'chapter_0001.mp3.words.json']);
  assert.deepEqual(filed, ['scanned/story/tales/the keeper/voice/chapter_0001.mp3']);
  const record = await readJson(AssetRecordSchema, join(voice, 'chapter_0001.mp3.json'), 'IO');
  assert.deepEqual([record.kind, record.category, record.raw_path, record.transcript], ['voice', 'tales', 'scanned/story/tales/the keeper/chunk_0001.txt', 'The keeper climbed the stairs.']);
  assert.deepEqual((await readWords(join(voice, 'chapter_0001.mp3.words.json'))).words.map((w) => w.word), ['The', 'keeper', 'climbed', 'the', 'stairs.']);
  assert.deepEqual(queue.counts, { queued: 0, done: 1, failed: 1 });
  const [failure] = await readdir(join(layout.root, 'trash', 'narration'));
  const f = JSON.parse(await readFile(join(layout.root, 'trash', 'narration', failure!), 'utf8')) as { target: string; code: string };
  assert.deepEqual([f.target, f.code], ['scanned/story/tales/the keeper/voice/chapter_0003.mp3', 'NARRATION_UNAVAILABLE']);
  assert.deepEqual(await narrationStatus(layout, { fromStories: true }), { queued: 0, done: 1, failed: 1, uncaptioned: 0 });
  // Discovery again: the failure is not retried in this run, the done one not voiced again.
  const calls = p.calls;
  queue.schedule();
  await queue.idle();
  assert.equal(p.calls, calls);
});

test('narration queue: a recording with a transcript gets word timings, one without is counted uncaptioned', async (t) => {
  const p = await provider();
  const { layout, queue } = await setup(t, p);
  // Two "recordings" (made by espeak-ng here), filed with asset records, one with a transcript.
  const voice = layout.scannedVoiceDir('tales', 'told');
  await mkdir(voice, { recursive: true });
  const text = 'It was late. The rain had stopped at last.';
  for (const [name, transcript] of [['chapter_0001.mp3', text], ['chapter_0002.mp3', null]] as const) {
    await p.synthesize(text, { out: join(voice, name), workDir: join(layout.root, 'w') });
    await writeJson(AssetRecordSchema, join(voice, `${name}.json`), { schema_version: 1, kind: 'voice', id: name, category: 'tales', raw_path: `raw/${name}`, filed_at: new Date().toISOString(), tags: [], ...(transcript ? { transcript } : {}) });
  }
  assert.deepEqual(await narrationStatus(layout, { fromStories: false }), { queued: 1, done: 0, failed: 0, uncaptioned: 1 });
  queue.schedule();
  await queue.idle();
  const words = await readWords(join(voice, 'chapter_0001.mp3.words.json'));
  assert.equal(words.source, 'transcript');
  assert.deepEqual(words.words.map((w) => w.word), text.split(' '));
  assert.deepEqual(await narrationStatus(layout, { fromStories: false }), { queued: 0, done: 0, failed: 0, uncaptioned: 1 });
});
