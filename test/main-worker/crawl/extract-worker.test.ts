// Extraction in a worker thread: bounded time (timeoutMs) and heap (maxHeapMb); one worker
// kept and reused; a worker that timed out, ran out of memory or was canceled is replaced.
// Workers are counted through Node's built-in diagnostics channel, which reports each new one.
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { extractInWorker } from '../../../src/main-worker/crawl/extract-worker.js';
import { isClipmillError } from '../../../src/shared/errors.js';
import { ARTICLE_PARAGRAPHS, articlePage } from '../../crawl-server.js';
import { tempDir } from '../../helpers.js';

const OPTS = { timeoutMs: 20_000, maxHeapMb: 256 };
const URL_A = 'http://example.com/a';

let created = 0;
const onWorker = () => created++;
subscribe('worker_threads', onWorker);
test.after(() => unsubscribe('worker_threads', onWorker));

/** How many worker threads `fn` started. */
async function workersStartedBy(fn: () => Promise<unknown>): Promise<number> {
  const before = created;
  await fn();
  return created - before;
}

/** A page that takes a worker a good while to parse (thousands of paragraphs). */
const BIG_PAGE = articlePage(Array.from({ length: 3000 }, (_, i) => `${ARTICLE_PARAGRAPHS[i % 3]} (${i})`));

function rejectsWith(code: 'CRAWL_NO_TEXT' | 'SUBPROCESS_FAILED', re: RegExp) {
  return (err: unknown) => {
    assert.ok(isClipmillError(err, code), `expected ${code}, got ${String(err)}`);
    assert.match((err as Error).message, re);
    return true;
  };
}

test('a page is extracted in a worker thread, which is kept and reused for the next pages', async () => {
  let results: string[][] = [];
  const started = await workersStartedBy(async () => {
    for (let i = 0; i < 3; i++) results.push((await extractInWorker(articlePage(), URL_A, OPTS)).paragraphs);
  });
  assert.equal(started, 1, 'one worker for three pages');
  assert.deepEqual(results, [ARTICLE_PARAGRAPHS, ARTICLE_PARAGRAPHS, ARTICLE_PARAGRAPHS]);
  // Two pages at once: the second gets a worker of its own, thrown away after its page; the
  // kept one serves the page after that.
  results = [];
  assert.equal(await workersStartedBy(async () => (results = (await Promise.all([extractInWorker(articlePage(), URL_A, OPTS), extractInWorker(articlePage(), URL_A, OPTS)])).map((r) => r.paragraphs))), 1);
  assert.deepEqual(results, [ARTICLE_PARAGRAPHS, ARTICLE_PARAGRAPHS]);
  assert.equal(await workersStartedBy(() => extractInWorker(articlePage(), URL_A, OPTS)), 0);
});

test('the time limit: a page that takes longer than timeoutMs fails with CRAWL_NO_TEXT; the next page gets a fresh worker', async () => {
  await assert.rejects(extractInWorker(BIG_PAGE, URL_A, { ...OPTS, timeoutMs: 1 }), rejectsWith('CRAWL_NO_TEXT', /^http:\/\/example\.com\/a: extraction took longer than crawl\.extractTimeoutMs \(1 ms\)$/));
  let paragraphs: string[] = [];
  assert.equal(await workersStartedBy(async () => (paragraphs = (await extractInWorker(articlePage(), URL_A, OPTS)).paragraphs)), 1, 'the timed-out worker was terminated, not reused');
  assert.deepEqual(paragraphs, ARTICLE_PARAGRAPHS);
  assert.equal(await workersStartedBy(() => extractInWorker(articlePage(), URL_A, OPTS)), 0, 'the fresh one is kept');
});

test('the heap limit: a page too big for maxHeapMb fails with CRAWL_NO_TEXT, and the main thread lives on', async () => {
  const huge = `<html><body>${'<p>a b c d e f g</p>'.repeat(400_000)}</body></html>`;
  await assert.rejects(extractInWorker(huge, URL_A, { timeoutMs: 60_000, maxHeapMb: 32 }), rejectsWith('CRAWL_NO_TEXT', /^http:\/\/example\.com\/a: the page could not be parsed within crawl\.extractMaxHeapMb \(32 MB\): /));
  const ok = await extractInWorker(articlePage(), URL_A, OPTS);
  assert.deepEqual(ok.paragraphs, ARTICLE_PARAGRAPHS);
});

test('cancel: an abort rejects at once (SUBPROCESS_FAILED, canceled) and the worker is replaced', async () => {
  const ac = new AbortController();
  const pending = extractInWorker(BIG_PAGE, URL_A, { ...OPTS, signal: ac.signal });
  ac.abort();
  await assert.rejects(pending, rejectsWith('SUBPROCESS_FAILED', /^extraction canceled$/));
  assert.equal(await workersStartedBy(() => extractInWorker(articlePage(), URL_A, OPTS)), 1);
});

test('cancel: a signal aborted before the call is refused without extracting', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(extractInWorker(articlePage(), URL_A, { ...OPTS, signal: ac.signal }), rejectsWith('SUBPROCESS_FAILED', /^extraction canceled$/));
});

test('an idle worker does not keep the process alive', async (t) => {
  const mod = fileURLToPath(new URL('../../../src/main-worker/crawl/extract-worker.js', import.meta.url));
  const script = `const { extractInWorker } = await import(${JSON.stringify(mod)});
const r = await extractInWorker('<html><body><article><p>${ARTICLE_PARAGRAPHS[0]}</p></article></body></html>', 'http://example.com/', { timeoutMs: 20000, maxHeapMb: 256 });
console.log(r.paragraphs.length);`;
  // A script file, not -e: a worker inherits the process's execArgv, and --input-type is refused there.
  const file = join(await tempDir(t), 'extract-once.mjs');
  await writeFile(file, script);
  // Were the idle worker still referenced, the process would never exit and execa would kill it.
  const r = await execa(process.execPath, [file], { reject: false, timeout: 30_000 });
  assert.deepEqual({ exitCode: r.exitCode, timedOut: r.timedOut, stdout: r.stdout }, { exitCode: 0, timedOut: false, stdout: '1' }, r.stderr);
});
