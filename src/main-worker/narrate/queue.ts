// The narration queue (narration.concurrency): voices what src/shared/narration-discover.ts finds — narration parts
// of the plans, story chapters (narration.fromStories), word timings of recordings with a
// transcript — on a queue of its own, so that ingest never waits for a provider. Each voice
// comes from the cache (cache.ts: text voiced the same way is never sent again) and is filed
// like an ingested one: word timings first, then the asset record, then the MP3 renamed in
// without replacing anything (a person's file that appeared meanwhile wins). A failure is
// recorded in trash/narration/ (counted by `clipmill status`) and tried again at the next start.
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import PQueue from 'p-queue';
import type { AssetRecord } from '../../shared/assets.js';
import { narrationPartId, versionedName } from '../../shared/asset-names.js';
import { ClipmillError, errorMessage, isClipmillError } from '../../shared/errors.js';
import { exists, fsyncPath, renameNoReplace, tempPathFor, writeJsonAtomic } from '../../shared/fs.js';
import { wordsPath, writeWords } from '../../shared/words.js';
import type { MainContext } from '../context.js';
import { buildAssetRecord, writeAssetRecord } from '../ingest/asset-record.js';
import { cacheKey, NarrationCache, type Voiced } from './cache.js';
import { requestItems, type NarrateRequest } from '../../shared/narration-requests.js';
import { latestVersion, withVersionLock } from './versions.js';
import { discoverNarration, failurePath, type NarrationJob } from '../../shared/narration-discover.js';
import type { NarrationProvider } from './provider.js';
import { createProvider } from './providers.js';
import { transcriptWords } from './transcript.js';

export interface NarrationQueueOptions {
  ctx: MainContext;
  /** A voice entered scanned/ (its record just written): into the catalog, and plan again. */
  filed(dest: string, record: AssetRecord | undefined, signal?: AbortSignal): void;
  /** Word timings were made for a recording, or could not be (the planner waits for one or the other). */
  aligned?(signal?: AbortSignal): void;
  /** Default: the provider narration.provider names. */
  provider?: NarrationProvider;
}

export interface NarrationCounts {
  queued: number;
  done: number;
  failed: number;
}

export class NarrationQueue {
  private readonly queue: PQueue;
  private readonly cache: NarrationCache;
  private provider: NarrationProvider | null;
  /** Targets queued or being voiced. */
  private readonly inFlight = new Set<string>();
  /** Targets that failed in this run: tried again at the next start, not at every discovery. */
  private readonly failedNow = new Set<string>();
  private discovering: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  readonly counts: NarrationCounts = { queued: 0, done: 0, failed: 0 };

  constructor(private readonly opts: NarrationQueueOptions) {
    this.queue = new PQueue({ concurrency: opts.ctx.config.narration.concurrency });
    this.cache = new NarrationCache(opts.ctx.layout.narrationCacheDir);
    this.provider = opts.provider ?? null;
  }

  depth(): number {
    return this.queue.size + this.queue.pending + (this.discovering ? 1 : 0);
  }

  /** Looks for work (src/shared/narration-discover.ts) and queues it; a call during a discovery runs another after it. */
  schedule(signal?: AbortSignal): void {
    if (this.stopped) return;
    if (this.discovering) {
      this.again = true;
      return;
    }
    this.discovering = (async () => {
      do {
        this.again = false;
        try {
          const found = await discoverNarration(this.opts.ctx.layout, { fromStories: this.opts.ctx.config.narration.fromStories });
          for (const job of found.todo) this.enqueue(job, signal);
        } catch (err) {
          this.opts.ctx.log.error({ err }, `Looking for text to voice failed: ${errorMessage(err)}`);
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.discovering = null));
  }

  private enqueue(job: NarrationJob, signal?: AbortSignal): void {
    if (this.stopped || this.inFlight.has(job.target) || this.failedNow.has(job.target)) return;
    this.inFlight.add(job.target);
    this.counts.queued++;
    void this.queue.add(async () => {
      try {
        if (signal?.aborted || this.stopped) return;
        await this.run(job, signal);
        this.counts.done++;
        await rm(failurePath(this.opts.ctx.layout, job.target), { force: true });
      } catch (err) {
        if (signal?.aborted || this.stopped) return;
        this.failedNow.add(job.target);
        this.counts.failed++;
        const rel = this.opts.ctx.layout.rel(job.target);
        this.opts.ctx.log.error({ err, target: rel }, `Voicing ${rel} failed: ${errorMessage(err)}`);
        await writeJsonAtomic(failurePath(this.opts.ctx.layout, job.target), { target: rel, kind: job.kind, code: isClipmillError(err) ? err.code : 'IO', message: errorMessage(err), failed_at: new Date().toISOString() }).catch(() => {});
        if (job.kind === 'words') this.opts.aligned?.(signal);
      } finally {
        this.counts.queued--;
        this.inFlight.delete(job.target);
      }
    });
  }

  private getProvider(): NarrationProvider {
    const { ctx } = this.opts;
    this.provider ??= createProvider(ctx.config, { ffmpeg: ctx.bins.ffmpeg.path }, ctx.log.child({ component: 'narrate' }));
    return this.provider;
  }

  private async run(job: NarrationJob, signal?: AbortSignal): Promise<void> {
    const { ctx } = this.opts;
    if (job.kind === 'words') {
      const words = await transcriptWords(ctx.bins.ffmpeg.path, job.target, job.transcript, signal);
      await writeWords(wordsPath(job.target), words);
      ctx.log.info(`Aligned the transcript of ${ctx.layout.rel(job.target)} to its pauses (${words.words.length} words)`);
      this.opts.aligned?.(signal);
      return;
    }
    // A request found by a discovery that listed it just before it was done and removed.
    if (job.kind === 'request') return (await exists(job.target)) ? this.request(job.target, job.request, signal) : undefined;
    const text = job.kind === 'part' ? job.item.text : (await readFile(job.chunk, 'utf8')).trim();
    if (!text) throw new ClipmillError('NARRATION_INVALID', `${ctx.layout.rel(job.kind === 'chapter' ? job.chunk : job.target)} holds no text`);
    const provider = this.getProvider();
    const voiced = await this.cache.voice(provider, text, signal);
    if (await exists(job.target)) return; // filed meanwhile (a person's voice wins)
    const duration = spokenSeconds(voiced);
    const record =
      job.kind === 'part'
        ? buildAssetRecord('narration', job.category, job.rawPath, { tags: job.item.tags, transcript: text }, { id: narrationPartId(job.category, job.campaign, job.item.target), ...(duration > 0 ? { duration } : {}), campaign: job.campaign, part: job.item.part, take: job.item.take, origin: 'synthesized', voice_key: cacheKey(provider, text) })
        : buildAssetRecord('voice', job.category, ctx.layout.rel(job.chunk), { transcript: text }, { id: `${job.category}/${job.story}/${job.target.split('/').pop()!.replace(/\.mp3$/, '')}`, ...(duration > 0 ? { duration } : {}), origin: 'synthesized', voice_key: cacheKey(provider, text) });
    // Under the voice's version lock: a person's recording being filed at this moment (ingest)
    // either is filed first (then this one is dropped) or becomes version 2 after it.
    const written = await withVersionLock(dirname(job.target), basename(job.target), async () => ((await exists(job.target)) ? null : fileVoice(job.target, voiced, record)));
    if (!written) return;
    ctx.log.info({ provider: provider.name, cached: voiced.hit }, `Voiced ${ctx.layout.rel(job.target)} with ${provider.name}${voiced.hit ? ' (from the cache)' : ''} (${voiced.words.words.length} words)`);
    this.opts.filed(job.target, written, signal);
  }

  /**
   * A `clipmill narrate` request: every text of the story or campaign voiced with the request's
   * provider and voice, each filed as the next version of its voice or part unless its latest
   * version was made from the same text the same way (then nothing is filed: running the
   * command twice voices and publishes once). The request file is removed when all are done;
   * a failure leaves it (recorded in trash/narration/, tried again at the next start).
   */
  private async request(file: string, req: NarrateRequest, signal?: AbortSignal): Promise<void> {
    const { ctx } = this.opts;
    const { layout } = ctx;
    const provider = createProvider(ctx.config, { ffmpeg: ctx.bins.ffmpeg.path }, ctx.log.child({ component: 'narrate' }), { provider: req.provider, ...(req.voice ? { voice: req.voice } : {}) });
    const items = await requestItems(layout, req);
    let filed = 0;
    for (const it of items) {
      if (signal?.aborted) throw signal.reason;
      const key = cacheKey(provider, it.text);
      const before = await latestVersion(it.dir, it.base);
      if (before?.record?.voice_key === key) continue;
      const voiced = await this.cache.voice(provider, it.text, signal);
      const dest = await withVersionLock(it.dir, it.base, async () => {
        const latest = await latestVersion(it.dir, it.base);
        if (latest?.record?.voice_key === key) return null;
        const version = (latest?.version ?? 0) + 1;
        const name = versionedName(it.base, version);
        const dest = join(it.dir, name);
        const duration = spokenSeconds(voiced);
        // Tags and priority stay with the chapter or part from version to version.
        const kept = { tags: latest?.record?.tags ?? it.item?.tags ?? [], ...(latest?.record?.priority !== undefined ? { priority: latest.record.priority } : {}), transcript: it.text };
        const facts = { ...(duration > 0 ? { duration } : {}), origin: 'synthesized' as const, voice_key: key, version };
        const record = it.item
          ? buildAssetRecord('narration', req.category, it.rawPath!, kept, { id: narrationPartId(req.category, req.name, name), campaign: req.name, part: it.item.part, take: it.item.take, ...facts })
          : buildAssetRecord('voice', req.category, layout.rel(it.chunk!), kept, { id: `${req.category}/${req.name}/${name.replace(/\.mp3$/, '')}`, ...facts });
        const written = await fileVoice(dest, voiced, record);
        return written && { dest, record: written };
      });
      if (!dest) continue;
      filed++;
      ctx.log.info({ provider: provider.name, cached: voiced.hit }, `Voiced ${layout.rel(dest.dest)} again with ${provider.name} (${Object.entries(provider.settings).map(([k, v]) => `${k} ${v}`).join(', ')})${voiced.hit ? ' (from the cache)' : ''}`);
      this.opts.filed(dest.dest, dest.record, signal);
    }
    await rm(file, { force: true });
    ctx.log.info(`Narrate request for ${req.category}/${req.name} (${req.provider}${req.voice ? ` ${req.voice}` : ''}) done: ${filed} new version(s), ${items.length - filed} unchanged`);
  }

  async idle(): Promise<void> {
    for (;;) {
      if (this.discovering) await this.discovering;
      await this.queue.onIdle();
      if (!this.discovering && this.queue.size + this.queue.pending === 0) return;
    }
  }

  /** Nothing new is started; what runs finishes (aborting the signal ends it early). */
  stop(): void {
    this.stopped = true;
    this.queue.clear();
  }
}

/** The seconds a voice is heard: where its last word ends (0 without words). */
function spokenSeconds(voiced: Voiced): number {
  return voiced.words.words.length ? Math.max(...voiced.words.words.map((w) => w.end)) : 0;
}

/**
 * Files a voice at `dest` (a chapter, a part, or a new version of either): its word timings,
 * then its asset record, then the audio, copied under a temporary name and renamed in without
 * replacing anything. Returns the record that describes `dest`, or null when a file took
 * `dest` meanwhile (a person's voice wins).
 */
async function fileVoice(dest: string, voiced: Voiced, record: AssetRecord): Promise<AssetRecord | null> {
  await mkdir(dirname(dest), { recursive: true });
  await writeWords(wordsPath(dest), voiced.words);
  const written = await writeAssetRecord(dest, record);
  const tmp = tempPathFor(dest);
  try {
    await copyFile(voiced.audio, tmp);
    await fsyncPath(tmp);
    await renameNoReplace(tmp, dest);
    await fsyncPath(dirname(dest));
    return written;
  } catch (err) {
    if (isClipmillError(err) && err.code === 'DUPLICATE') return null;
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}
