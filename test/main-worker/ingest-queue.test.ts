import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClipmillError } from '../../src/shared/errors.js';
import { Agent } from 'undici';
import type { MainContext } from '../../src/main-worker/context.js';
import type { ConvertJob } from '../../src/main-worker/ingest/convert.js';
import type { IngestOutcome, ingestFile } from '../../src/main-worker/ingest/index.js';
import { INGEST_RETRY, IngestQueue } from '../../src/main-worker/ingest-queue.js';
import { emptyTotals } from '../../src/main-worker/metrics.js';
import type { RawFile } from '../../src/main-worker/scan.js';
import { Layout } from '../../src/shared/layout.js';
import { createLogger } from '../../src/shared/log.js';
import { RetryPolicy } from '../../src/shared/retry.js';
import { testConfig } from '../helpers.js';

const layout = new Layout('/farm');
const raw = (rel: string): RawFile => ({ path: `/farm/raw/${rel}`, rel, size: 10, mtimeMs: 1 });

type Call = { rel: string; lastTry: boolean; agent: unknown };

/** An IngestQueue over a stub ingest that answers from `answer`, recording each call. */
function setup(answer: (file: RawFile, n: number) => Promise<IngestOutcome> | IngestOutcome, over: { policy?: RetryPolicy } = {}) {
  const lines: string[] = [];
  const log = createLogger({ format: 'line', level: 'info', out: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
  const ctx: MainContext = { config: testConfig({ ingest: { concurrency: 1 }, crawl: { concurrency: 1 } }), layout, log, bins: null as never };
  const totals = emptyTotals();
  const calls: Call[] = [];
  const forgotten: string[] = [];
  const moved: string[] = [];
  const converts: ConvertJob[] = [];
  const ingest: typeof ingestFile = async (_ctx, file, _signal, opts = {}) => {
    calls.push({ rel: file.rel, lastTry: opts.lastTry === true, agent: opts.agent });
    return answer(file, calls.length);
  };
  const queue = new IngestQueue({ ctx, totals, metrics: null, forget: (p) => forgotten.push(p), moved: (d) => moved.push(d), convert: (j) => converts.push(j), ingest, ...over });
  return { queue, totals, calls, forgotten, moved, converts, lines };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('the ingest retry policy: 5 retries after the first try, 2 s doubling up to 10 min', () => {
  assert.equal(INGEST_RETRY.tries, 6);
  assert.deepEqual([1, 2, 3, 4, 5].map((a) => INGEST_RETRY.delay(a)), [2000, 4000, 8000, 16_000, 32_000]);
  assert.equal(INGEST_RETRY.delay(20), 600_000);
  assert.equal(INGEST_RETRY.exhausted(5), false);
  assert.equal(INGEST_RETRY.exhausted(6), true);
});

test('a machine failure leaves the file in raw/, skipped until its backoff has passed; the last try may reject it', async () => {
  const answers: IngestOutcome[] = [
    { status: 'retry', message: 'ffprobe was killed', code: 'SUBPROCESS_FAILED' },
    { status: 'retry', message: 'ffprobe was killed', code: 'SUBPROCESS_FAILED' },
    { status: 'rejected', dest: '/farm/trash/invalid/video/c/a.mp4', code: 'SUBPROCESS_FAILED' },
  ];
  const s = setup(() => answers.shift()!, { policy: new RetryPolicy({ tries: 3, baseMs: 1000, factor: 2 }) });
  const file = raw('video/c/a.mp4');
  assert.equal(s.queue.enqueue(file), true);
  assert.equal(s.queue.isDue(file.path, Date.now()), false, 'in flight');
  await s.queue.idle();
  assert.equal(s.queue.isDue(file.path, Date.now()), false, 'backing off');
  assert.equal(s.queue.isDue(file.path, Date.now() + 1000), true);
  s.queue.enqueue(file);
  await s.queue.idle();
  assert.equal(s.queue.isDue(file.path, Date.now() + 1000), false, 'the second wait is twice the first');
  assert.equal(s.queue.isDue(file.path, Date.now() + 2000), true);
  s.queue.enqueue(file);
  await s.queue.idle();
  assert.deepEqual(
    s.calls.map((c) => c.lastTry),
    [false, false, true],
    'the third try (tries: 3) is the last',
  );
  assert.equal(s.queue.isDue(file.path, Date.now()), true, 'a decision clears the backoff');
  assert.equal(s.totals.errors, 2);
  assert.equal(s.totals.rejected, 1);
  assert.deepEqual(s.forgotten, [file.path, file.path, file.path]);
  const log = s.lines.join('');
  assert.match(log, /Could not check raw\/video\/c\/a\.mp4: ffprobe was killed; it stays in raw\/ and is tried again in 1 s/);
  assert.match(log, /tried again in 2 s/);
});

test('each outcome goes where it belongs: moved, convert, changed, skipped (logged once), gone, a thrown error', async () => {
  const job: ConvertJob = { kind: 'video', category: 'c', original: '/farm/scanned/video/c/original/b.mov', id: 'b' };
  const byName: Record<string, IngestOutcome | Error> = {
    'a.mp4': { status: 'moved', kind: 'video', dest: '/farm/scanned/video/c/mp4_w160_h90/1.0_a.mp4' },
    'b.mov': { status: 'convert', job },
    'c.mp4': { status: 'changed' },
    'd.mp4': { status: 'skipped', reason: 'no crawler in this process' },
    'e.mp4': { status: 'gone' },
    'f.mp4': new Error('EIO: the share went away'),
  };
  const s = setup((file) => {
    const a = byName[file.rel.split('/').pop()!]!;
    if (a instanceof Error) throw a;
    return a;
  });
  for (const name of Object.keys(byName)) s.queue.enqueue(raw(`video/c/${name}`));
  await s.queue.idle();
  assert.equal(s.queue.changed, true);
  s.queue.resetChanged();
  assert.equal(s.queue.changed, false);
  s.queue.enqueue(raw('video/c/d.mp4'));
  await s.queue.idle();
  assert.deepEqual(s.moved, ['/farm/scanned/video/c/mp4_w160_h90/1.0_a.mp4']);
  assert.deepEqual(s.converts, [job]);
  assert.equal(s.totals.moved, 1);
  assert.equal(s.totals.errors, 1);
  assert.deepEqual(
    s.forgotten.map((p) => p.split('/').pop()),
    ['a.mp4', 'b.mov', 'c.mp4', 'e.mp4'],
    'a skipped file is still watched; a thrown error changes nothing',
  );
  const log = s.lines.join('');
  assert.equal(log.match(/Left raw\/video\/c\/d\.mp4 in place: no crawler in this process/g)?.length, 1);
  assert.match(log, /raw\/video\/c\/c\.mp4 changed while it was being checked/);
  assert.match(log, /Could not check raw\/video\/c\/f\.mp4: could not be ingested: EIO: the share went away; it stays in raw\/ and is tried again in 2 s/);
  assert.equal(s.queue.isDue(raw('video/c/f.mp4').path, Date.now()), false, 'a thrown error backs off like any machine failure');
  assert.equal([...s.queue.inFlightPaths()].length, 0);
});

test('a file that keeps failing (a reject that cannot be written) is given up once its retries are spent, reported once, and taken again when it changes', async () => {
  const s = setup(() => {
    throw new ClipmillError('IO', 'ENAMETOOLONG: name too long');
  }, { policy: new RetryPolicy({ tries: 2, baseMs: 0 }) });
  const file = raw('video/c/a.mp4');
  for (let i = 0; i < 4; i++) {
    if (s.queue.isDue(file.path, Date.now() + 1, file)) s.queue.enqueue(file);
    await s.queue.idle();
  }
  assert.equal(s.calls.length, 2, 'tried twice, then given up');
  const stuck = s.queue.stuckFiles();
  assert.deepEqual(stuck.map((f) => [f.file, f.code, f.tries]), [['raw/video/c/a.mp4', 'IO', 2]]);
  assert.equal(s.lines.join('').match(/Gave up on raw\/video\/c\/a\.mp4 after 2 tries/g)?.length, 1, 'reported once');
  const changed = { ...file, size: file.size + 1 };
  assert.equal(s.queue.isDue(file.path, Date.now(), changed), true, 'a changed file is tried afresh');
  assert.deepEqual(s.queue.stuckFiles(), []);
  // Given up on again, then removed from raw/ by the operator: no longer listed.
  for (let i = 0; i < 2; i++) {
    if (s.queue.isDue(file.path, Date.now() + 1, changed)) s.queue.enqueue(changed);
    await s.queue.idle();
  }
  assert.equal(s.queue.stuckFiles().length, 1);
  s.queue.forgetGone(new Set());
  assert.deepEqual(s.queue.stuckFiles(), []);
});

test('story links go on the crawl queue with the crawler, other files do not', async () => {
  const gate = deferred();
  const s = setup(async () => {
    await gate.promise;
    return { status: 'gone' };
  });
  s.queue.enqueue(raw('story/c/s/link/a.txt'));
  s.queue.enqueue(raw('video/c/a.mp4'));
  assert.deepEqual(s.queue.depths(), { ingest: 1, crawl: 1 });
  gate.resolve();
  await s.queue.idle();
  assert.deepEqual(s.queue.depths(), { ingest: 0, crawl: 0 });
  assert.ok(s.calls.find((c) => c.rel.endsWith('.txt'))!.agent instanceof Agent);
  assert.equal(s.calls.find((c) => c.rel.endsWith('.mp4'))!.agent, undefined);
  await s.queue.closeAgent();
  await s.queue.closeAgent();
});

test('stop(): no new files, but what is queued still runs; after an abort queued jobs return at once', async () => {
  const gate = deferred();
  const s = setup(async () => {
    await gate.promise;
    return { status: 'gone' };
  });
  s.queue.enqueue(raw('video/c/a.mp4'));
  s.queue.enqueue(raw('video/c/b.mp4'));
  s.queue.stop();
  assert.equal(s.queue.enqueue(raw('video/c/c.mp4')), false);
  gate.resolve();
  await s.queue.idle();
  assert.deepEqual(
    s.calls.map((c) => c.rel),
    ['video/c/a.mp4', 'video/c/b.mp4'],
  );

  const t = setup(() => ({ status: 'gone' }));
  const ac = new AbortController();
  ac.abort();
  t.queue.enqueue(raw('video/c/a.mp4'), ac.signal);
  await t.queue.idle();
  assert.equal(t.calls.length, 0);
});
