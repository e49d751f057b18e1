// Extraction in a worker thread, so that a hostile page (deeply nested, enormous) costs
// bounded time (crawl.extractTimeoutMs) and memory (crawl.extractMaxHeapMb) and cannot take
// the main worker down with it. One worker is kept and reused (loading jsdom costs far more
// than parsing a page); a worker that times out or runs out of memory is terminated and the
// next page gets a fresh one. Idle, it is unref'ed so that it never keeps a process alive.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ClipmillError } from '../../shared/errors.js';
import { extractFromHtml, type Extracted } from './extract.js';

interface Job {
  id: number;
  html: string;
  url: string;
}
type Reply = { id: number; ok: true; result: Extracted } | { id: number; ok: false; error: string };

if (!isMainThread && parentPort && (workerData as { clipmillExtract?: boolean } | null)?.clipmillExtract) {
  parentPort.on('message', (job: Job) => {
    let reply: Reply;
    try {
      reply = { id: job.id, ok: true, result: extractFromHtml(job.html, job.url) };
    } catch (err) {
      reply = { id: job.id, ok: false, error: (err as Error).message ?? String(err) };
    }
    parentPort!.postMessage(reply);
  });
}

interface Pooled {
  worker: Worker;
  heapMb: number;
  busy: boolean;
}

let pooled: Pooled | null = null;
let nextId = 0;

function take(maxHeapMb: number): Pooled {
  if (pooled && !pooled.busy && pooled.heapMb === maxHeapMb) {
    pooled.busy = true;
    pooled.worker.ref();
    return pooled;
  }
  const worker = new Worker(new URL(import.meta.url), { workerData: { clipmillExtract: true }, resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, stackSizeMb: 8 } });
  const p: Pooled = { worker, heapMb: maxHeapMb, busy: true };
  // Keep one idle worker; a second one (concurrent crawls) is thrown away after its job.
  if (!pooled || pooled.busy) pooled ??= p;
  return p;
}

function release(p: Pooled, healthy: boolean): void {
  p.busy = false;
  if (healthy && pooled === p) {
    p.worker.unref();
    return;
  }
  if (pooled === p) pooled = null;
  void p.worker.terminate();
}

export async function extractInWorker(html: string, url: string, opts: { timeoutMs: number; maxHeapMb: number; signal?: AbortSignal | undefined }): Promise<Extracted> {
  // An abort listener added to a signal already aborted never fires: refuse now.
  if (opts.signal?.aborted) throw new ClipmillError('SUBPROCESS_FAILED', 'extraction canceled', { details: { url, canceled: true } });
  const p = take(opts.maxHeapMb);
  const id = ++nextId;
  let healthy = false;
  try {
    return await new Promise<Extracted>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        p.worker.off('message', onMessage);
        p.worker.off('error', onError);
        p.worker.off('exit', onExit);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new ClipmillError('CRAWL_NO_TEXT', `${url}: extraction took longer than crawl.extractTimeoutMs (${opts.timeoutMs} ms)`, { details: { url } }));
      }, opts.timeoutMs);
      const onAbort = () => {
        cleanup();
        reject(new ClipmillError('SUBPROCESS_FAILED', 'extraction canceled', { details: { url, canceled: true } }));
      };
      const onMessage = (m: Reply) => {
        if (m.id !== id) return;
        cleanup();
        healthy = true;
        if (m.ok) resolve(m.result);
        else reject(new ClipmillError('CRAWL_NO_TEXT', `${url}: the page could not be parsed: ${m.error}`, { details: { url } }));
      };
      const onError = (err: Error) => {
        cleanup();
        // ERR_WORKER_OUT_OF_MEMORY when the heap limit is hit.
        reject(new ClipmillError('CRAWL_NO_TEXT', `${url}: the page could not be parsed within crawl.extractMaxHeapMb (${opts.maxHeapMb} MB): ${err.message}`, { details: { url } }));
      };
      const onExit = (code: number) => onError(new Error(`the extractor stopped (exit code ${code})`));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      p.worker.on('message', onMessage);
      p.worker.once('error', onError);
      p.worker.once('exit', onExit);
      p.worker.postMessage({ id, html, url } satisfies Job);
    });
  } finally {
    release(p, healthy);
  }
}
