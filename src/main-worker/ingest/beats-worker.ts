// Beat analysis (detectBeats, src/shared/media/beats.ts) in a worker thread: it is pure CPU
// work (about 1.3 s per 20 s of audio, 40 s for a 10-minute track), and on the main worker's
// event loop it would stall everything else there (heartbeats, leases, the watchers) for as
// long. One short-lived worker per track (an analysis is one per music file filed, and the
// worker loads nothing but the detector); the samples are transferred, not copied. An abort
// terminates the worker.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { BeatsSchema, detectBeats, type Beats } from '../../shared/media/beats.js';

type Reply = { ok: true; beats: Beats } | { ok: false; error: string };

if (!isMainThread && parentPort && (workerData as { clipmillBeats?: boolean } | null)?.clipmillBeats) {
  parentPort.once('message', (samples: Int16Array) => {
    let reply: Reply;
    try {
      reply = { ok: true, beats: detectBeats(samples) };
    } catch (err) {
      reply = { ok: false, error: (err as Error).message ?? String(err) };
    }
    parentPort!.postMessage(reply);
  });
}

/** detectBeats(samples) off the event loop. `samples` is transferred: unusable by the caller afterwards. */
export function detectBeatsInWorker(samples: Int16Array, signal?: AbortSignal): Promise<Beats> {
  signal?.throwIfAborted();
  return new Promise<Beats>((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { clipmillBeats: true } });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      fn();
    };
    const onAbort = () => settle(() => reject(signal!.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (m: Reply) => settle(() => (m.ok ? resolve(BeatsSchema.parse(m.beats)) : reject(new Error(`beat analysis: ${m.error}`)))));
    worker.once('error', (err) => settle(() => reject(err)));
    worker.once('exit', (code) => settle(() => reject(new Error(`the beat analysis worker stopped (exit code ${code})`))));
    const copy = samples.byteOffset === 0 && samples.byteLength === samples.buffer.byteLength ? samples : samples.slice();
    worker.postMessage(copy, [copy.buffer as ArrayBuffer]);
  });
}
