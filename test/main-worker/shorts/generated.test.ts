// A generated still is filed like a dropped one: validated (a real PNG made by ffmpeg passes,
// bytes that only claim to be one are PROVIDER_INVALID and removed), its record tagged with the
// beat's keywords, the file in scanned/image/<category>/ and in the catalog. A generated clip
// is filed like dropped footage (moved, or conformed; one that does not decode is refused), and
// generateVisuals with "video" leaves the beats whose generation fails to the catalog. Refused
// downloads open the provider's breaker; a beat generated before is used, not paid for again.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { Catalog } from '../../../src/shared/catalog.js';
import { fileGenerated, generateVisuals } from '../../../src/main-worker/shorts/generated.js';
import { GenerationProvider } from '../../../src/main-worker/shorts/generation.js';
import { ProviderBreaker } from '../../../src/main-worker/shorts/provider-breaker.js';
import type { BeatVisual } from '../../../src/main-worker/planners/short.js';
import { ClipmillError } from '../../../src/shared/errors.js';
import { stableUuid } from '../../../src/shared/ids.js';
import { binaries } from '../../helpers.js';
import { FIXTURES } from '../../media.js';
import { ingestEnv } from '../ingest/env.js';
import { fakeServer, json, type Behaviour } from './fake-server.js';

test('fileGenerated: a valid still is filed with its tags; an invalid one is refused and removed', async (t) => {
  const env = await ingestEnv(t);
  const { ffmpeg } = await binaries();
  const dir = join(env.layout.scanned, '.generating');
  await mkdir(dir, { recursive: true });
  const good = join(dir, '0f8fad5b-d9cb-469f-a165-708677289502.png');
  await execa(ffmpeg.path, ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=32x48', '-frames:v', '1', '-f', 'image2', '-c:v', 'png', good]);
  const catalog = new Catalog();
  const rel = await fileGenerated(env.ctx, catalog, good, 'city', ['red', 'car'], 'task-1');
  assert.equal(rel, 'scanned/image/city/32x48_0f8fad5b-d9cb-469f-a165-708677289502.png');
  const a = catalog.byId('0f8fad5b-d9cb-469f-a165-708677289502');
  assert.ok(a?.kind === 'image');
  assert.deepEqual(a.tags, ['red', 'car']);
  const bad = join(dir, '1f8fad5b-d9cb-469f-a165-708677289502.png');
  await writeFile(bad, 'not a picture');
  await assert.rejects(fileGenerated(env.ctx, catalog, bad, 'city', ['x'], 'task-2'), (err: ClipmillError) => err.code === 'PROVIDER_INVALID');
  assert.deepEqual(await readdir(dir), []);
});

/** Every file under `dir`, relative to it (none when it is missing). */
async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

test('fileGenerated: a clip is filed as dropped footage is: moved when it conforms, conformed when not (its tags kept), refused when it does not decode', async (t) => {
  const env = await ingestEnv(t);
  const { ffmpeg } = await binaries();
  const dir = join(env.layout.scanned, '.generating');
  await mkdir(dir, { recursive: true });
  const catalog = new Catalog();
  // H.264 at render.fps, no audio: moved as it is.
  const good = join(dir, '2f8fad5b-d9cb-469f-a165-708677289502.mp4');
  await FIXTURES.clip(good, 2, '108x192');
  const rel = await fileGenerated(env.ctx, catalog, good, 'city', ['red car'], 'task-1');
  assert.match(rel, /^scanned\/video\/city\/mp4_w108_h192\/[0-9.]+_2f8fad5b-d9cb-469f-a165-708677289502\.mp4$/);
  const a = catalog.byId('2f8fad5b-d9cb-469f-a165-708677289502');
  assert.ok(a?.kind === 'video');
  assert.deepEqual(a.tags, ['red car']);
  const record = JSON.parse(await readFile(join(env.layout.root, `${rel}.json`), 'utf8')) as { raw_path: string; tags: string[] };
  assert.equal(record.raw_path, 'generated/task-1');
  // What a service gives: 24 fps with a sound track: kept as an original and conformed, as ingest does.
  const kling = join(dir, '3f8fad5b-d9cb-469f-a165-708677289502.mp4');
  await execa(ffmpeg.path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=108x192:r=24', '-f', 'lavfi', '-i', 'sine=f=300', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-f', 'mp4', kling]);
  const conformed = await fileGenerated(env.ctx, catalog, kling, 'city', ['big tree'], 'task-2');
  assert.match(conformed, /^scanned\/video\/city\/mp4_w108_h192\/[0-9.]+_3f8fad5b-d9cb-469f-a165-708677289502\.mp4$/);
  const b = catalog.byId('3f8fad5b-d9cb-469f-a165-708677289502');
  assert.ok(b?.kind === 'video');
  assert.deepEqual(b.tags, ['big tree']);
  assert.ok(b.sound, 'its sound stays in the original');
  // An MP4 header over bytes that do not decode: refused, removed, nothing filed.
  const bad = join(dir, '4f8fad5b-d9cb-469f-a165-708677289502.mp4');
  await FIXTURES.truncated(bad);
  await assert.rejects(fileGenerated(env.ctx, catalog, bad, 'city', ['x'], 'task-3'), (err: ClipmillError) => err.code === 'PROVIDER_INVALID' && /not a valid clip/.test(err.message));
  assert.deepEqual(await readdir(dir), []);
  assert.equal((await filesUnder(join(env.layout.scanned, 'video', 'city'))).filter((f) => f.includes('4f8fad5b')).length, 0);
});

test('generateVisuals with "video": a 429 retried then a clip filed; a failed task and text named .mp4 leave their beats to the catalog, nothing filed', async (t) => {
  const env = await ingestEnv(t);
  const clip = join(env.stage, 'clip.mp4');
  await FIXTURES.clip(clip, 2, '108x192');
  const mp4 = await readFile(clip);
  let base = '';
  const task = (id: string, s: string, file?: string): Behaviour => (req, res, body) => json(200, { code: 0, data: { task_id: id, task_status: s, ...(file ? { task_result: { videos: [{ url: `${base}/files/${file}` }] } } : {}) } })(req, res, body);
  const serve = (b: Buffer): Behaviour => (_req, res) => {
    res.writeHead(200, { 'content-type': 'video/mp4' });
    res.end(b);
  };
  const { url, seen } = await fakeServer(t, [
    json(429, 'slow down'), task('a', 'submitted'), task('a', 'processing'), task('a', 'succeed', 'a.mp4'), serve(mp4),
    task('b', 'submitted'), task('b', 'failed'),
    task('c', 'submitted'), task('c', 'succeed', 'c.mp4'), serve(Buffer.from('just text, named .mp4\n')),
  ]);
  base = url;
  const provider = new GenerationProvider({ baseUrl: url, model: 'kling-v1', apiKeyEnv: 'K', pollMs: 1, taskTimeoutMs: 5000, maxBytes: 1_000_000, timeoutMs: 5000, tries: 2, retryBaseMs: 1, videoSeconds: 5 }, undefined, {});
  const gen = { provider, breaker: new ProviderBreaker('generation', 3, 60_000), kind: 'video' as const };
  const beat = (start: number, words: string[]) => ({ beat: { start, end: start + 3, text: words.join(' '), keywords: words }, asset: {} as BeatVisual['asset'], matched: [], score: 0 });
  const catalog = new Catalog();
  const g = await generateVisuals(env.ctx, gen, catalog, 'short/city/a.mp3', 'city', [beat(0, ['red', 'car']), beat(3, ['big', 'tree']), beat(6, ['blue', 'boat'])], '9:16');
  assert.equal(g.filed.length, 1, g.warnings.join("; "));
  assert.match(g.filed[0]!, /^scanned\/video\/city\/mp4_w108_h192\/[0-9.]+_[0-9a-f-]{36}\.mp4$/);
  assert.deepEqual(catalog.assets().map((a) => a.tags), [['red car']]);
  assert.equal(g.warnings.length, 2);
  assert.match(g.warnings[0]!, /^generation for the beat at 3 s: generation for short\/city\/a\.mp3: task b failed; the catalog's match is shown$/);
  assert.match(g.warnings[1]!, /^generation for the beat at 6 s: .*task c gave a file that is not an MP4, MOV, WebM or Matroska video.*; the catalog's match is shown$/);
  assert.equal(seen.filter((s) => s.method === 'POST').length, 4, 'the 429 was tried again');
  assert.ok(seen.filter((s) => s.method === 'POST').every((s) => s.path === '/v1/videos/text2video' && JSON.parse(s.body).duration === '5'));
  assert.deepEqual(await filesUnder(env.layout.scanned), [g.filed[0]!.slice('scanned/'.length), `${g.filed[0]!.slice('scanned/'.length)}.json`].sort());
});

test('generateVisuals: downloads refused as invalid count against the provider: its breaker opens and the next beat asks nothing', async (t) => {
  const env = await ingestEnv(t);
  let base = '';
  const task = (id: string): Behaviour => (req, res, body) => json(200, { code: 0, data: { task_id: id, task_status: 'succeed', task_result: { images: [{ url: `${base}/files/${id}.png` }] } } })(req, res, body);
  // PNG magic numbers, then nothing a decoder takes: passes the download's type check, fails validation.
  const broken: Behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('broken broken broken')]));
  };
  const { url, seen } = await fakeServer(t, [task('a'), task('a'), broken, task('b'), task('b'), broken]);
  base = url;
  const provider = new GenerationProvider({ baseUrl: url, model: 'kling-v1', apiKeyEnv: 'K', pollMs: 1, taskTimeoutMs: 5000, maxBytes: 1_000_000, timeoutMs: 5000, tries: 1, retryBaseMs: 1, videoSeconds: 5 }, undefined, {});
  const gen = { provider, breaker: new ProviderBreaker('generation', 2, 60_000), kind: 'image' as const };
  const beat = (start: number, words: string[]) => ({ beat: { start, end: start + 3, text: words.join(' '), keywords: words }, asset: {} as BeatVisual['asset'], matched: [], score: 0 });
  const g = await generateVisuals(env.ctx, gen, new Catalog(), 'short/city/a.mp3', 'city', [beat(0, ['red', 'car']), beat(3, ['big', 'tree']), beat(6, ['blue', 'boat'])], '9:16');
  assert.deepEqual(g.filed, []);
  assert.match(g.warnings[0]!, /beat at 0 s: the generated image is not a valid still/);
  assert.match(g.warnings[1]!, /beat at 3 s: the generated image is not a valid still/);
  assert.match(g.warnings[2]!, /beat at 6 s: the generation provider failed 2 times in a row: left alone until .* \(shorts\.breakerCooldownMs\)/);
  assert.deepEqual({ state: gen.breaker.status().state, failures: gen.breaker.status().failures }, { state: 'open', failures: 2 });
  assert.equal(seen.filter((s) => s.method === 'POST').length, 2, 'the third beat asked nothing');
  assert.deepEqual(await filesUnder(env.layout.scanned), []);
});

test('generateVisuals: a failure of this machine inside generate (a write of the download: IO) counts for nothing against the provider', async (t) => {
  const env = await ingestEnv(t);
  let calls = 0;
  const provider = { generate: async () => { calls++; throw new ClipmillError('IO', 'writing scanned/.generating/x.png: ENOSPC: no space left on device'); } } as unknown as GenerationProvider;
  const gen = { provider, breaker: new ProviderBreaker('generation', 2, 60_000), kind: 'image' as const };
  const beat = (start: number, words: string[]) => ({ beat: { start, end: start + 3, text: words.join(' '), keywords: words }, asset: {} as BeatVisual['asset'], matched: [], score: 0 });
  const g = await generateVisuals(env.ctx, gen, new Catalog(), 'short/city/a.mp3', 'city', [beat(0, ['red', 'car']), beat(3, ['big', 'tree']), beat(6, ['blue', 'boat'])], '9:16');
  assert.equal(calls, 3, 'every beat was tried: the breaker did not open');
  assert.ok(g.warnings.every((w) => /ENOSPC/.test(w)), g.warnings.join('; '));
  assert.deepEqual({ state: gen.breaker.status().state, failures: gen.breaker.status().failures }, { state: 'closed', failures: 0 });
});

test('generateVisuals: a beat generated before (same short, start, kind and keywords) is used, not paid for again; other keywords are another file; an original awaiting its conforming is not generated again; a DUPLICATE says so', async (t) => {
  const env = await ingestEnv(t);
  const { ffmpeg } = await binaries();
  const png = join(env.stage, 'p.png');
  await execa(ffmpeg.path, ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=32x48', '-frames:v', '1', '-f', 'image2', '-c:v', 'png', png]);
  const bytes = await readFile(png);
  let base = '';
  const task = (id: string): Behaviour => (req, res, body) => json(200, { code: 0, data: { task_id: id, task_status: 'succeed', task_result: { images: [{ url: `${base}/files/${id}.png` }] } } })(req, res, body);
  const serve: Behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(bytes);
  };
  const { url, seen } = await fakeServer(t, [task('a'), task('a'), serve, task('b'), task('b'), serve]);
  base = url;
  const provider = new GenerationProvider({ baseUrl: url, model: 'kling-v1', apiKeyEnv: 'K', pollMs: 1, taskTimeoutMs: 5000, maxBytes: 1_000_000, timeoutMs: 5000, tries: 1, retryBaseMs: 1, videoSeconds: 5 }, undefined, {});
  const gen = { provider, breaker: new ProviderBreaker('generation', 3, 60_000), kind: 'image' as const };
  const beat = (start: number, words: string[]) => ({ beat: { start, end: start + 3, text: words.join(' '), keywords: words }, asset: {} as BeatVisual['asset'], matched: [], score: 0 });
  const catalog = new Catalog();
  const key = 'short/city/a.mp3';
  const first = await generateVisuals(env.ctx, gen, catalog, key, 'city', [beat(0, ['red', 'car'])], '9:16');
  const id = stableUuid('clipmill-generated', key, '0', 'image', 'red car');
  assert.deepEqual(first, { filed: [`scanned/image/city/32x48_${id}.png`], warnings: [] });
  // A restart: the plan is made again and the beat matches nothing again.
  const again = await generateVisuals(env.ctx, gen, catalog, key, 'city', [beat(0, ['red', 'car'])], '9:16');
  assert.deepEqual(again, first);
  assert.equal(seen.filter((s) => s.method === 'POST').length, 1, 'not generated twice');
  // Another LLM plan: other keywords at the same start are another request and another file.
  const other = await generateVisuals(env.ctx, gen, catalog, key, 'city', [beat(0, ['red', 'bus'])], '9:16');
  assert.equal(other.warnings.length, 0, other.warnings.join('; '));
  assert.equal(other.filed[0], `scanned/image/city/32x48_${stableUuid('clipmill-generated', key, '0', 'image', 'red bus')}.png`);
  // A clip kept as an original for its conforming (a machine failure before): the next start conforms it.
  const clipId = stableUuid('clipmill-generated', key, '3', 'video', 'big tree');
  const originals = env.layout.scannedOriginalDir('video', 'city');
  await mkdir(originals, { recursive: true });
  await writeFile(join(originals, `${clipId}.mp4`), 'waiting');
  const video = await generateVisuals(env.ctx, { ...gen, kind: 'video' }, catalog, key, 'city', [beat(3, ['big', 'tree'])], '9:16');
  assert.deepEqual(video.filed, []);
  assert.match(video.warnings[0]!, new RegExp(`generated before for the beat at 3 s \\(scanned/video/city/original/${clipId}\\.mp4\\) is conformed at the next start, not generated again`));
  assert.equal(seen.filter((s) => s.method === 'POST').length, 2);
  // The same file filed twice: a DUPLICATE, not "not a valid still".
  const dir = join(env.layout.scanned, '.generating');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${id}.png`), bytes);
  await assert.rejects(fileGenerated(env.ctx, catalog, join(dir, `${id}.png`), 'city', ['red car'], 'a'), (err: ClipmillError) => err.code === 'DUPLICATE' && /already exists/.test(err.message) && !/not a valid/.test(err.message));
});
