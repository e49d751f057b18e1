// The main worker as a daemon (child process): a slow copy is not taken early, and SIGKILL at
// any moment followed by a restart loses nothing and duplicates nothing.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ingestFile } from '../../src/main-worker/ingest/index.js';
import { Layout } from '../../src/shared/layout.js';
import { createLogger } from '../../src/shared/log.js';
import { resolveBinaries } from '../../src/shared/media/ffmpeg.js';
import { fakeFfmpeg } from '../fake-ffmpeg.js';
import { FIXTURES } from '../media.js';
import { assertKeptOnce, cleanEnv, cli, sha256 as sha, startCli, tempDir, testConfig, visible, waitUntil, walk } from '../helpers.js';

/** The files below `dir` that readers see (no dot-named temporaries, no asset records or kept sidecars). */
const filed = async (dir: string) => (await walk(dir)).filter((p) => !basename(p).startsWith('.') && !p.endsWith('.json'));

function daemon(root: string, env: Record<string, string>) {
  return startCli(['main-worker', '--root', root], env);
}

test('a file copied slowly, in pieces, is taken only once complete', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await cli(['init', root]);
  const d = daemon(root, { CLIPMILL_INGEST_STABLE_MS: '700', CLIPMILL_INGEST_SCAN_INTERVAL_MS: '150' });
  t.after(() => d.sub.kill('SIGKILL'));
  await d.waitFor(/Main worker watching/);
  // moov at the end: any prefix of this file is unreadable, so an early take would be a reject.
  await FIXTURES.clip(join(dir, 'src.mp4'), 2);
  const bytes = await readFile(join(dir, 'src.mp4'));
  const dest = join(root, 'raw/video/c/slow copy.mp4');
  await mkdir(dirname(dest), { recursive: true });
  const pieces = 8;
  const step = Math.ceil(bytes.length / pieces);
  await writeFile(dest, bytes.subarray(0, step));
  for (let i = 1; i < pieces; i++) {
    await sleep(250); // each pause is shorter than stableMs, the whole copy much longer
    await appendFile(dest, bytes.subarray(i * step, (i + 1) * step));
  }
  const taken = await waitUntil('the copy in scanned/video/c/', async () => (await filed(join(root, 'scanned/video/c')))[0]);
  assert.ok((await walk(join(root, 'scanned/video/c'))).includes(`${taken}.json`), 'with its asset record');
  assert.equal(await sha(taken), createHash('sha256').update(bytes).digest('hex'));
  assert.deepEqual(await walk(join(root, 'trash')), [], 'never rejected (an early take would have been)');
  assert.deepEqual(await walk(join(root, 'raw')), []);
  d.sub.kill('SIGTERM');
  assert.equal((await d.sub).exitCode, 0);
});

test('a clip dropped with its sidecar appears in the catalog with its tags (the sidecar copied after the clip)', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await cli(['init', root]);
  // stableMs well above any pause between the two writes below, even on a loaded machine.
  const d = daemon(root, { CLIPMILL_INGEST_STABLE_MS: '1000', CLIPMILL_INGEST_SCAN_INTERVAL_MS: '100' });
  t.after(() => d.sub.kill('SIGKILL'));
  await d.waitFor(/Main worker watching/);
  await FIXTURES.clip(join(dir, 'c.mp4'), 1);
  await mkdir(join(root, 'raw/video/cars'), { recursive: true });
  await rename(join(dir, 'c.mp4'), join(root, 'raw/video/cars/spring drive.mp4'));
  // The sidecar arrives after the clip (as a copy tool copies a folder), written in two steps.
  await writeFile(join(root, 'raw/video/cars/spring drive.mp4.json'), '{"tags": [" Spring",');
  await sleep(100);
  await appendFile(join(root, 'raw/video/cars/spring drive.mp4.json'), ' "Red Car"]}');
  const listed = await waitUntil('the clip listed by clipmill assets --tag spring', async () => {
    const r = await cli(['assets', '--root', root, '--json', '--tag', 'spring']);
    const list = JSON.parse(r.stdout) as { kind: string; tags: string[]; path: string }[];
    return list.length ? list : null;
  });
  assert.deepEqual(listed.map((a) => [a.kind, a.tags]), [['video', ['spring', 'red car']]]);
  assert.ok((await walk(join(root, 'scanned/video/cars'))).some((p) => p.endsWith('.mp4.sidecar.json')));
  assert.deepEqual(await walk(join(root, 'trash')), []);
  assert.deepEqual(await walk(join(root, 'raw')), []);
  d.sub.kill('SIGTERM');
  assert.equal((await d.sub).exitCode, 0);
});

test('SIGKILL mid-ingest, twice, then a restart: nothing lost, nothing duplicated', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await cli(['init', root]);
  const stage = join(dir, 'stage');
  await mkdir(stage);
  const files: Record<string, (p: string) => Promise<void>> = {
    'raw/story/c/s/voice/chapter_0001.mp3': (p) => FIXTURES.voice(p, 2),
    'raw/music/c/a.wav': FIXTURES.musicWav,
    'raw/music/c/b.wav': FIXTURES.musicWav,
  };
  for (let i = 0; i < 4; i++) files[`raw/video/c/ok ${i}.mp4`] = (p) => FIXTURES.clip(p, 1 + i / 10);
  for (let i = 0; i < 6; i++) files[`raw/video/c/pal ${i}.mp4`] = FIXTURES.clip25fps;
  const hashes = new Map<string, string>();
  let n = 0;
  for (const [rel, make] of Object.entries(files)) {
    const p = join(stage, String(n++));
    await make(p);
    // Make every file distinct, so that "exactly once" is checked per file (a trailing byte
    // after the last atom does not change how the media reads).
    await appendFile(p, Buffer.from([n]));
    hashes.set(rel, await sha(p));
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await rename(p, join(root, rel));
  }
  const env = { CLIPMILL_INGEST_STABLE_MS: '100', CLIPMILL_INGEST_SCAN_INTERVAL_MS: '100', CLIPMILL_INGEST_CONFORM_PRESET: 'slow', CLIPMILL_INGEST_MUSIC_MIN_SECONDS: '1', CLIPMILL_RENDER_RESOLUTION: '160x90' };

  // What is filed for good: conformed clips, normalized music, the voice (not originals).
  const finished = async () => (await filed(join(root, 'scanned'))).filter((p) => !p.includes('/original/')).length;
  const originals = join(root, 'scanned/video/c/original');
  // Killed right after a clip was taken into original/ (its conversion just starting) ...
  const first = daemon(root, env);
  await waitUntil('a clip taken into scanned/video/c/original/', async () => (await filed(originals)).length > 0);
  first.sub.kill('SIGKILL');
  await first.sub;
  // ... and again in the middle of whatever the restart is doing (it resumes that conversion
  // first), once it has filed two more files.
  const before = await finished();
  const second = daemon(root, env);
  await waitUntil('two more files filed by the restarted daemon', async () => (await finished()) >= before + 2);
  second.sub.kill('SIGKILL');
  await second.sub;

  const once = await cli(['main-worker', '--once', '--root', root], env);
  assert.equal(once.exitCode, 0, once.stderr);

  assert.deepEqual(await walk(join(root, 'raw')), []);
  const trashed = await walk(join(root, 'trash'));
  const reasons = await Promise.all(trashed.filter((p) => p.endsWith('.reason.json')).map((p) => readFile(p, 'utf8')));
  assert.deepEqual(trashed, [], `every file was valid: nothing rejected, but: ${reasons.join('\n')}`);
  const scanned = await walk(join(root, 'scanned'));
  assert.deepEqual(scanned.filter((p) => relative(root, p).split('/').some((s) => s.startsWith('.'))), [], 'no temporary file left');
  await assertKeptOnce(hashes, scanned);
  // (a record written just before a kill and the file then filed: one record per file, none left over)
  assert.deepEqual(scanned.filter((p) => /\.(mp4|mp3)\.json$/.test(p) && !scanned.includes(p.slice(0, -5))), [], 'no record without its file');
  const clips = scanned.filter((p) => /\/video\/c\/mp4_w\d+_h\d+\/[^/]+\.mp4$/.test(p));
  // Every filed clip has its asset record, whether it was moved or converted before or after a kill.
  for (const c of clips) assert.ok(scanned.includes(`${c}.json`), `${c} has its record`);
  assert.equal(clips.filter((p) => p.includes('/mp4_w160_h90/')).length, 4);
  assert.equal(clips.filter((p) => p.includes('/mp4_w320_h180/')).length, 6, 'each 25 fps clip conformed exactly once');
  assert.equal(new Set(clips.map((p) => p.split('_').pop())).size, clips.length, 'no id twice');
  assert.equal(scanned.filter((p) => /\/music\/c\/mp3\/[^/]+\.mp3$/.test(p)).length, 2);
  assert.equal((await visible(join(root, 'tasks'))).length, 1);
});

for (const polling of [false, true]) {
  test(`the watcher (${polling ? 'polling' : 'file system events'}) wakes the daemon long before the periodic rescan`, async (t) => {
    const dir = await tempDir(t);
    const root = join(dir, 'root');
    await cli(['init', root]);
    const d = daemon(root, { CLIPMILL_INGEST_STABLE_MS: '200', CLIPMILL_INGEST_SCAN_INTERVAL_MS: '600000', CLIPMILL_WATCH_USE_POLLING: polling ? '1' : '0', CLIPMILL_WATCH_POLLING_INTERVAL_MS: '200' });
    t.after(() => d.sub.kill('SIGKILL'));
    await d.waitFor(/Main worker watching/);
    await sleep(500); // the start-up scan is done; from now on only the watcher can wake it
    await FIXTURES.clip(join(dir, 'c.mp4'), 1);
    await mkdir(join(root, 'raw/video/c'), { recursive: true });
    await rename(join(dir, 'c.mp4'), join(root, 'raw/video/c/new.mp4'));
    await waitUntil('the new clip in scanned/video/c/mp4_w160_h90/', async () => (await filed(join(root, 'scanned/video/c/mp4_w160_h90'))).length === 1, 15_000);
    d.sub.kill('SIGTERM');
    assert.equal((await d.sub).exitCode, 0);
  });
}

test('one main worker per root: a second one (even --once) is refused while the first runs', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await cli(['init', root]);
  const d = daemon(root, {});
  t.after(() => d.sub.kill('SIGKILL'));
  await d.waitFor(/Main worker watching/);
  const second = await cli(['main-worker', '--once', '--root', root]);
  assert.equal(second.exitCode, 1);
  assert.match(second.stderr.trim(), /^clipmill main-worker: error: .*\[MAIN_WORKER_RUNNING\]$/);
  d.sub.kill('SIGTERM');
  await d.sub;
  const after = await cli(['main-worker', '--once', '--root', root]);
  assert.equal(after.exitCode, 0, after.stderr);
});

test('a killed ffprobe is the machine failing, not the file: it stays in raw/, exit 1', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await cli(['init', root]);
  await mkdir(join(root, 'raw/video/c'), { recursive: true });
  await FIXTURES.clip(join(root, 'raw/video/c/a.mp4'), 1);
  const fake = await fakeFfmpeg(dir, 'killed', { name: 'ffprobe' });
  // The outcome of that one file: 'retry' (the machine's failure), not a reject.
  const raw = join(root, 'raw/video/c/a.mp4');
  const s = await stat(raw);
  const config = testConfig();
  const ctx = { config, layout: new Layout(root), log: createLogger({ format: 'line', level: 'fatal' }), bins: await resolveBinaries(config, cleanEnv({ FFPROBE_PATH: fake })) };
  const out = await ingestFile(ctx, { path: raw, rel: 'video/c/a.mp4', size: s.size, mtimeMs: s.mtimeMs });
  assert.equal(out.status, 'retry', JSON.stringify(out));
  assert.match((out as { message: string }).message, /ffprobe killed by SIGKILL/);
  // The daemon: exit 1, the file left in raw/, nothing rejected.
  const r = await cli(['main-worker', '--once', '--root', root], { CLIPMILL_INGEST_STABLE_MS: '0', FFPROBE_PATH: fake });
  assert.equal(r.exitCode, 1);
  assert.deepEqual(await walk(join(root, 'raw')), [raw]);
  assert.deepEqual(await walk(join(root, 'trash')), []);
});

test('twenty chapters, three variations: exactly sixty tasks whatever SIGKILLs happen in between', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await cli(['init', root]);
  const stage = join(dir, 'stage');
  await mkdir(stage);
  const put = async (rel: string, make: (p: string) => Promise<void>) => {
    const p = join(stage, rel.replace(/\//g, '_'));
    await make(p);
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await rename(p, join(root, rel));
  };
  await put('raw/video/c/a.mp4', (p) => FIXTURES.clip(p, 1));
  await put('raw/video/c/b.mp4', (p) => FIXTURES.clip(p, 1.2));
  await put('raw/music/c/m.mp3', (p) => FIXTURES.musicMp3(p));
  await FIXTURES.voice(join(stage, 'voice.mp3'), 1.5);
  const voice = await readFile(join(stage, 'voice.mp3'));
  // A chapter waiting for a category that has no footage yet: listed with its reason.
  await put('raw/story/empty/s/voice/chapter_0001.mp3', async (p) => writeFile(p, voice));
  for (let i = 1; i <= 20; i++) await put(`raw/story/c/saga/voice/chapter_${String(i).padStart(4, '0')}.mp3`, async (p) => writeFile(p, voice));
  const env = { CLIPMILL_INGEST_STABLE_MS: '100', CLIPMILL_INGEST_SCAN_INTERVAL_MS: '100', CLIPMILL_TASKS_VARIATIONS_PER_VOICE: '3', CLIPMILL_RENDER_RESOLUTION: '160x90' };
  // Killed once the first task is published, then once four more are.
  for (const more of [1, 4]) {
    const had = (await visible(join(root, 'tasks'))).length;
    const d = daemon(root, env);
    await waitUntil(`${more} more task(s) in tasks/`, async () => (await visible(join(root, 'tasks'))).length >= had + more);
    d.sub.kill('SIGKILL');
    await d.sub;
  }
  const once = await cli(['main-worker', '--once', '--root', root], env);
  assert.equal(once.exitCode, 0, once.stderr);
  const tasks = await visible(join(root, 'tasks'));
  assert.equal(tasks.length, 60);
  const keys = new Set<string>();
  for (const id of tasks) {
    const meta = JSON.parse(await readFile(join(root, 'tasks', id, 'metadata.json'), 'utf8')) as { voice_source: string; variation: number; seed: number };
    keys.add(`${meta.voice_source}#${meta.variation}`);
    assert.ok(Number.isInteger(meta.seed));
  }
  assert.equal(keys.size, 60, 'one task per (voice, variation)');
  const status = JSON.parse(await readFile(join(root, 'nodes/main-worker.json'), 'utf8')) as { waiting: { voice: string; reason: string }[] };
  assert.deepEqual(status.waiting.map((w) => [w.voice, w.reason]), [['scanned/story/empty/s/voice/chapter_0001.mp3', 'no footage in scanned/video/empty/']]);
  const shown = await cli(['status', '--root', root]);
  assert.equal(shown.exitCode, 0);
  assert.match(shown.stdout, /tasks 60 /);
  assert.match(shown.stdout, /waiting voices \(1\):\n {2}scanned\/story\/empty\/s\/voice\/chapter_0001\.mp3: no footage in scanned\/video\/empty\/ \(since /);
  assert.match(shown.stdout, /main worker: pid \d+ on .*, NOT running/);
  const json = JSON.parse((await cli(['status', '--root', root, '--json'])).stdout) as { counts: Record<string, number>; waiting: unknown[] };
  assert.equal(json.counts.tasks, 60);
  assert.equal(json.counts['scanned/voice'], 21);
  // Deleting a delivered task does not bring it back: one task per voice and variation, ever.
  await import('node:fs/promises').then((fs) => fs.rm(join(root, 'tasks', tasks[0]!), { recursive: true }));
  await cli(['main-worker', '--once', '--root', root], env);
  assert.equal((await visible(join(root, 'tasks'))).length, 59);
});
