// A person's voice dropped with a transcript in its sidecar: the planner waits for its word
// timings (aligned by the narration queue), then plans a captioned voice-over task; a voice
// without a transcript is planned without captions.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import { MainWorker } from '../../src/main-worker/index.js';
import { Layout } from '../../src/shared/layout.js';
import { createLogger } from '../../src/shared/log.js';
import { parseMetadata } from '../../src/shared/task.js';
import { readWords } from '../../src/shared/words.js';
import { FIXTURES } from '../media.js';
import { binaries, tempDir, testConfig, visible } from '../helpers.js';

test('a voice with a transcript is captioned from its aligned words; one without is not', async (t) => {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  const put = async (rel: string, make: (p: string) => Promise<unknown>) => {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await make(join(root, rel));
  };
  await put('raw/video/c/clip.mp4', (p) => FIXTURES.clip(p, 2));
  await put('raw/music/c/bed.mp3', (p) => FIXTURES.musicMp3(p, 6));
  await put('raw/story/c/s/voice/chapter_0001.mp3', (p) => FIXTURES.voice(p, 2));
  await writeFile(join(root, 'raw/story/c/s/voice/chapter_0001.mp3.json'), JSON.stringify({ transcript: 'A short line. Said twice.' }));
  await put('raw/story/c/s/voice/chapter_0002.mp3', (p) => FIXTURES.voice(p, 2));
  const log = createLogger({ format: 'line', level: 'fatal', out: { write: () => true } as unknown as NodeJS.WritableStream });
  const config = testConfig({ ingest: { stableMs: 0, musicMinSeconds: 1 }, render: { resolution: '160x90' } });
  await new MainWorker({ config, layout, log, bins: await binaries() }).runOnce();
  const words = await readWords(join(layout.scannedVoiceDir('c', 's'), 'chapter_0001.mp3.words.json'));
  assert.equal(words.source, 'transcript');
  assert.deepEqual(words.words.map((w) => w.word), ['A', 'short', 'line.', 'Said', 'twice.']);
  const captions = new Map<string | null, unknown>();
  for (const id of await visible(layout.tasks)) {
    const meta = parseMetadata(await readFile(join(layout.tasks, id, 'metadata.json'), 'utf8'));
    captions.set(meta.voice_source, meta.timeline!.layers.filter((l) => l.type === 'captions').map((l) => (l.type === 'captions' ? l.words : null)));
  }
  assert.deepEqual(captions, new Map([
    ['scanned/story/c/s/voice/chapter_0001.mp3', ['scanned/story/c/s/voice/chapter_0001.mp3.words.json']],
    ['scanned/story/c/s/voice/chapter_0002.mp3', []],
  ]));
});
