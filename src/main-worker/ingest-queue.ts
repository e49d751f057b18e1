// The ingest queue: each stable raw file is checked (ingest/index.ts) and then moved into
// scanned/, kept as an original to convert, rejected into trash/invalid/, or left in raw/ to be
// tried again. Story links go on their own queue (crawl.concurrency): they wait on the network,
// not on the CPU, and must not hold up footage (ingest.concurrency).
//
// A file that fails for a machine reason (a killed ffprobe, a disk error) stays in raw/ and is
// skipped by the scans until its backoff (INGEST_RETRY) has passed. After INGEST_RETRY.tries
// tries, a tool failing on it every time is taken to be the file's fault and it is rejected with
// the reason (mayBlameInput); any other failure (a disk error) gives it up, listed by status.
import PQueue from 'p-queue';
import type { Agent } from 'undici';
import type { AssetRecord } from '../shared/assets.js';
import { ClipmillError, errorMessage } from '../shared/errors.js';
import type { StuckFile } from '../shared/node-files.js';
import { RetryPolicy } from '../shared/retry.js';
import type { MainContext } from './context.js';
import { crawlOptions } from './crawl/crawl.js';
import { createCrawlAgent } from './crawl/fetch.js';
import type { ConvertJob } from './ingest/convert.js';
import { ingestFile } from './ingest/index.js';
import type { MainMetrics, Totals } from './metrics.js';
import type { RawFile } from './scan.js';

/**
 * Retries of a raw file that failed for a machine reason: 5 retries after the first try, 2 s
 * doubling up to 10 min between them (taken at the first scan after the wait). On the sixth
 * try, a tool that crashes on the same input every time is the input's fault, and the file is
 * rejected; a file system error never is. No jitter: the scans already spread the retries.
 */
export const INGEST_RETRY = new RetryPolicy({ tries: 1 + 5, baseMs: 2000, factor: 2, maxMs: 10 * 60_000 });

export interface IngestQueueOptions {
  ctx: MainContext;
  totals: Totals;
  metrics: MainMetrics | null;
  /** Told when a file has left raw/ or must settle again, so that it is watched afresh. */
  forget(path: string): void;
  /** A file was moved into scanned/ as it was (`dest`: its path there). */
  moved(dest: string, signal?: AbortSignal, record?: AssetRecord): void;
  /** A file was kept as an original under scanned/; it is to be converted. */
  convert(job: ConvertJob, signal?: AbortSignal): void;
  /** Default INGEST_RETRY. */
  policy?: RetryPolicy;
  /** Default ingestFile (ingest/index.ts); tests pass a stub. */
  ingest?: typeof ingestFile;
}

export class IngestQueue {
  private readonly opts: IngestQueueOptions;
  private readonly policy: RetryPolicy;
  private readonly ingest: typeof ingestFile;
  private readonly files: PQueue;
  private readonly links: PQueue;
  private readonly inFlight = new Set<string>();
  /** Raw files whose last try failed for a machine reason: how many failed, and not before `until`. */
  private readonly backoff = new Map<string, { failures: number; until: number }>();
  /** Raw files given up on for now (every retry spent, and still not rejected): reported once, skipped until they change. */
  private readonly stuck = new Map<string, StuckFile & { size: number; mtimeMs: number }>();
  private readonly skippedLogged = new Set<string>();
  private agent: Agent | null = null;
  private stopped = false;
  private changedFlag = false;

  constructor(opts: IngestQueueOptions) {
    this.opts = opts;
    this.policy = opts.policy ?? INGEST_RETRY;
    this.ingest = opts.ingest ?? ingestFile;
    this.files = new PQueue({ concurrency: opts.ctx.config.ingest.concurrency });
    this.links = new PQueue({ concurrency: opts.ctx.config.crawl.concurrency });
  }

  /** Jobs queued or running: footage, music and voices (ingest), and story links (crawl). */
  depths(): { ingest: number; crawl: number } {
    return { ingest: this.files.size + this.files.pending, crawl: this.links.size + this.links.pending };
  }

  /** Raw files queued or being checked. */
  inFlightPaths(): Iterable<string> {
    return this.inFlight;
  }

  /** Whether a file changed while it was being checked since the last resetChanged(). */
  get changed(): boolean {
    return this.changedFlag;
  }

  resetChanged(): void {
    this.changedFlag = false;
  }

  /** Whether a stable file may be queued now: not already queued, not waiting out a backoff, not given up on (unless it changed since). */
  isDue(path: string, now: number, file?: RawFile): boolean {
    const stuck = this.stuck.get(path);
    if (stuck && file && (stuck.size !== file.size || stuck.mtimeMs !== file.mtimeMs)) {
      this.stuck.delete(path);
      this.backoff.delete(path);
    } else if (stuck) return false;
    return !this.inFlight.has(path) && (this.backoff.get(path)?.until ?? 0) <= now;
  }

  /** Forgets the backoff and the giving-up of files no longer in raw/ (`present`: the paths a scan found). */
  forgetGone(present: ReadonlySet<string>): void {
    for (const path of [...this.stuck.keys()]) if (!present.has(path)) this.stuck.delete(path);
    for (const path of [...this.backoff.keys()]) if (!present.has(path) && !this.inFlight.has(path)) this.backoff.delete(path);
  }

  /** The raw files given up on, for nodes/main-worker.json and `clipmill status`. */
  stuckFiles(): StuckFile[] {
    return [...this.stuck.values()].map(({ size: _s, mtimeMs: _m, ...f }) => f);
  }

  /**
   * A try that failed for a machine reason: wait out the policy's backoff; once every retry is
   * spent, give the file up (it stays in raw/) and say so once, not on every scan.
   */
  private failed(file: RawFile, code: string, message: string): void {
    const rawPath = `raw/${file.rel}`;
    const failures = (this.backoff.get(file.path)?.failures ?? 0) + 1;
    this.opts.totals.errors++;
    if (this.policy.exhausted(failures)) {
      this.stuck.set(file.path, { file: rawPath, code, message, tries: failures, since: new Date().toISOString(), size: file.size, mtimeMs: file.mtimeMs });
      this.backoff.set(file.path, { failures, until: Number.POSITIVE_INFINITY });
      this.opts.ctx.log.error({ file: rawPath, code }, `Gave up on ${rawPath} after ${failures} tries (${message}); it stays in raw/ and is listed by clipmill status until it changes or the main worker restarts`);
      return;
    }
    const wait = this.policy.delay(failures);
    this.backoff.set(file.path, { failures, until: Date.now() + wait });
    this.opts.ctx.log.error({ file: rawPath, code }, `Could not check ${rawPath}: ${message}; it stays in raw/ and is tried again in ${Math.round(wait / 1000)} s`);
  }

  /** The crawler's connection pool, made when the first link is crawled. */
  private crawlAgent(): Agent {
    this.agent ??= createCrawlAgent(crawlOptions(this.opts.ctx.config));
    return this.agent;
  }

  /** Queues one stable raw file; false when the queue has stopped taking work. */
  enqueue(file: RawFile, signal?: AbortSignal): boolean {
    if (this.stopped) return false;
    this.inFlight.add(file.path);
    const isLink = file.rel.startsWith('story/') && file.rel.split('/')[3] === 'link';
    void (isLink ? this.links : this.files).add(() => this.take(file, isLink, signal)).finally(() => this.inFlight.delete(file.path));
    return true;
  }

  private async take(file: RawFile, isLink: boolean, signal?: AbortSignal): Promise<void> {
    const { ctx, totals, metrics } = this.opts;
    if (signal?.aborted) return;
    const rawPath = `raw/${file.rel}`;
    try {
      const failures = this.backoff.get(file.path)?.failures ?? 0;
      const lastTry = this.policy.exhausted(failures + 1);
      const out = await this.ingest(ctx, file, signal, { ...(isLink ? { agent: this.crawlAgent() } : {}), lastTry });
      if (out.status === 'moved' || out.status === 'convert' || out.status === 'rejected' || out.status === 'retry') metrics?.files.inc({ outcome: out.status === 'convert' ? 'moved' : out.status });
      if (out.status === 'rejected') metrics?.rejects.inc({ code: out.code });
      if (out.status === 'moved') {
        totals.moved++;
        this.opts.moved(out.dest, signal, out.record);
      } else if (out.status === 'convert') {
        this.opts.convert(out.job, signal);
      } else if (out.status === 'changed') {
        this.changedFlag = true;
        ctx.log.info({ file: rawPath }, `${rawPath} changed while it was being checked; it will be taken once it settles again`);
      } else if (out.status === 'retry') {
        this.failed(file, out.code, out.message);
      } else if (out.status === 'rejected') totals.rejected++;
      else if (out.status === 'skipped' && !this.skippedLogged.has(file.path)) {
        this.skippedLogged.add(file.path);
        ctx.log.info({ file: rawPath }, `Left ${rawPath} in place: ${out.reason}`);
      }
      if (out.status !== 'retry') this.backoff.delete(file.path);
      if (out.status !== 'skipped') this.opts.forget(file.path);
    } catch (err) {
      if (signal?.aborted) return;
      // Not even a reject could be written (a full trash/, a name the file system refuses):
      // backoff as for any machine failure, and one report once the retries are spent.
      this.failed(file, err instanceof ClipmillError ? err.code : 'IO', `could not be ingested: ${errorMessage(err)}`);
    }
  }

  /** Resolves when nothing is queued or running. */
  async idle(): Promise<void> {
    await this.files.onIdle();
    await this.links.onIdle();
  }

  /** Takes no more files; what is queued still runs (it returns at once once the signal has aborted). */
  stop(): void {
    this.stopped = true;
  }

  /** Closes the crawler's connections (idle ones would keep a --once process alive). */
  async closeAgent(): Promise<void> {
    const agent = this.agent;
    this.agent = null;
    await agent?.close();
  }
}
