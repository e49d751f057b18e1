// The queue issue's "done when": a farm with one broken node (every render's ffmpeg dies) and
// one healthy node renders every task once, on the healthy node, urgent tasks first; the broken
// node opens its circuit breaker after render.breakerFailures tasks and gives their attempts
// back; an edited task gets a new revision while the old output stays. Daemons run as child
// processes of bin/clipmill.
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES } from '../media.js';
import { fakeFfmpeg } from '../fake-ffmpeg.js';
import { cli, sha256, startCli, tempDir, visible, waitUntil } from '../helpers.js';

const ENV = { CLIPMILL_INGEST_STABLE_MS: '0', CLIPMILL_RENDER_RESOLUTION: '160x90', CLIPMILL_RENDER_ENCODERS: 'libx264', CLIPMILL_DISK_MIN_FREE_MB: '0' };

test('one broken node and one healthy node: every task rendered once on the healthy node, urgent first; the broken node\'s breaker opens and gives attempts back', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await cli(['init', root]);
  const config = join(dir, 'farm.json');
  await writeFile(config, JSON.stringify({ tasks: { categories: { urgent: { priority: 10 } } } }));
  await FIXTURES.voice(join(dir, 'v.mp3'), 1.2);
  // 6 calm stories and 4 urgent ones; a voice's sidecar priority (5) would be between them.
  const stories: [string, string][] = [...[1, 2, 3, 4, 5, 6].map((i): [string, string] => ['calm', `c${i}`]), ...[1, 2, 3, 4].map((i): [string, string] => ['urgent', `u${i}`])];
  for (const cat of ['calm', 'urgent']) {
    await mkdir(join(root, `raw/video/${cat}`), { recursive: true });
    await mkdir(join(root, `raw/music/${cat}`), { recursive: true });
    await FIXTURES.clip(join(root, `raw/video/${cat}/a.mp4`), 1.5);
    await FIXTURES.musicMp3(join(root, `raw/music/${cat}/m.mp3`));
  }
  for (const [cat, s] of stories) {
    await mkdir(join(root, `raw/story/${cat}/${s}/voice`), { recursive: true });
    await copyFile(join(dir, 'v.mp3'), join(root, `raw/story/${cat}/${s}/voice/chapter_0001.mp3`));
  }
  const main = await cli(['main-worker', '--once', '--root', root, '--config', config], ENV);
  assert.equal(main.exitCode, 0, main.stderr);
  const ids = await visible(join(root, 'tasks'));
  assert.equal(ids.length, 10);
  const meta = new Map<string, { priority: number; created_at: string; category: string }>();
  for (const id of ids) meta.set(id, JSON.parse(await readFile(join(root, 'tasks', id, 'metadata.json'), 'utf8')) as { priority: number; created_at: string; category: string });
  assert.deepEqual([...meta.values()].map((m) => `${m.category}:${m.priority}`).sort(), [...Array(6).fill('calm:0'), ...Array(4).fill('urgent:10')]);

  // The broken node: every render's ffmpeg dies (SIGSEGV). A long backoff: nothing would be
  // retried soon, were the attempts not given back.
  const fake = await fakeFfmpeg(dir, { dies: 'SEGV' });
  const broken = startCli(['render-worker', '--root', root, '--config', config], {
    ...ENV,
    FFMPEG_PATH: fake,
    CLIPMILL_NODE_ID: 'broken',
    CLIPMILL_HEALTH_HEARTBEAT_MS: '200',
    CLIPMILL_TASKS_RETRY_BASE_MS: '600000',
    CLIPMILL_RENDER_SHUTDOWN_GRACE_MS: '0',
  });
  t.after(() => broken.sub.kill('SIGKILL'));
  const [opened] = await broken.waitFor(/Circuit breaker open: 5 failures in a row \(([A-Z_, ]+)\)/);
  assert.match(opened, /SUBPROCESS_FAILED, SUBPROCESS_FAILED, SUBPROCESS_FAILED, SUBPROCESS_FAILED, SUBPROCESS_FAILED/);
  await broken.waitFor(/(are given back[^\n]*\n[^]*){5}/);
  assert.equal((broken.log().match(/Task \S+ failed at render \(SUBPROCESS_FAILED/g) ?? []).length, 5, 'five tasks, then it stopped claiming');
  const hb = await waitUntil('the broken node\'s heartbeat showing its open breaker', async () => {
    const h = JSON.parse(await readFile(join(root, 'nodes/broken.json'), 'utf8').catch(() => 'null')) as { breaker?: string } | null;
    return h?.breaker === 'open' ? h : null;
  });
  assert.equal(hb.breaker, 'open');
  const st = await cli(['status', '--root', root]);
  assert.match(st.stdout, /broken: alive, breaker OPEN/);
  assert.match(st.stdout, /queue: 10 waiting \(0 in backoff\); by priority: 10: 4, 0: 6/);
  for (const id of ids) {
    const m = JSON.parse(await readFile(join(root, 'tasks', id, 'metadata.json'), 'utf8')) as { attempts: number; not_before?: string };
    assert.deepEqual([m.attempts, m.not_before], [0, undefined], `${id}: attempts given back, no backoff`);
  }

  // The healthy node renders them all: urgent first, then the oldest.
  const healthy = await cli(['render-worker', '--once', '--root', root, '--config', config], { ...ENV, CLIPMILL_NODE_ID: 'healthy' });
  assert.equal(healthy.exitCode, 0, healthy.stderr);
  const order = [...healthy.stderr.matchAll(/Rendered task (\S+)/g)].map((m) => m[1]!);
  assert.equal(order.length, 10);
  assert.equal(new Set(order).size, 10, 'each task once');
  const expected = [...ids].sort((a, b) => meta.get(b)!.priority - meta.get(a)!.priority || meta.get(a)!.created_at.localeCompare(meta.get(b)!.created_at) || (a < b ? -1 : 1));
  assert.deepEqual(order, expected, 'priority first, then age');
  for (const id of ids) {
    const report = JSON.parse(await readFile(join(root, 'output', id, 'report.json'), 'utf8')) as { node: string; attempts: number };
    assert.deepEqual([report.node, report.attempts], ['healthy', 1], `${id}: rendered by the healthy node at its first counted attempt`);
  }
  assert.deepEqual(await visible(join(root, 'trash/failed')), []);
  assert.deepEqual(await visible(join(root, 'tasks')), []);
  broken.sub.kill('SIGTERM');
  assert.equal((await broken.sub).exitCode, 0);

  // An edit: a new revision, rendered, while the old output stays as it was.
  const first = order[0]!;
  const before = await sha256(join(root, 'output', first, 'final.mp4'));
  const edit = await cli(['edit', '--root', root, first, '--music-volume', '0.1']);
  assert.equal(edit.exitCode, 0, edit.stderr);
  const [revision] = edit.stdout.trim().split(' ');
  const again = await cli(['render-worker', '--once', '--root', root, '--config', config], { ...ENV, CLIPMILL_NODE_ID: 'healthy' });
  assert.equal(again.exitCode, 0, again.stderr);
  const revMeta = JSON.parse(await readFile(join(root, 'output', revision!, 'metadata.json'), 'utf8')) as { revision_of: string; revision: number; priority: number };
  assert.deepEqual([revMeta.revision_of, revMeta.revision, revMeta.priority], [first, 1, 10]);
  assert.ok((await readFile(join(root, 'output', revision!, 'poster.jpg'))).length > 0);
  assert.equal(await sha256(join(root, 'output', first, 'final.mp4')), before, 'the old output stays');
  const revisions = JSON.parse(await readFile(join(root, 'revisions', `${first}.json`), 'utf8')) as { current: number; revisions: { task_id: string }[] };
  assert.deepEqual([revisions.current, revisions.revisions.map((r) => r.task_id)], [1, [first, revision]]);
});
