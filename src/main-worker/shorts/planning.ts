// The shorts pipeline (docs/shorts.md), one pass at a time inside the planner's pass: for every
// short that has no task yet — audio filed under scanned/short/<category>/, or a job file with
// "template": "short" — get its word timings (transcribing), plan its scenes (planning) and
// publish its one task (compiling). Each change of stage is written to shorts/<task id>.json
// first; a short that cannot go on says why there (`waiting`) and in the status file's waiting
// jobs, or fails with the stage, the code and the reason.
//
// Idempotent: the task id and the seed derive from the short's key, the ledger says whether
// the task exists, and the word timings written by a pass are read by the next one.
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseResolution } from '../../shared/config.js';
import { ClipmillError, classOf, errorMessage } from '../../shared/errors.js';
import { exists } from '../../shared/fs.js';
import type { ShortJob } from '../../shared/job.js';
import { readJsonOrNull, writeJson } from '../../shared/json.js';
import { AssetRecordSchema, assetRecordPath, type AssetRecord } from '../../shared/assets.js';
import { isIgnoredName } from '../../shared/layout.js';
import { createRng } from '../../shared/rng.js';
import { ShortStateSchema, shortProgress, type ShortStage, type ShortState } from '../../shared/short-state.js';
import { readWords, writeWords, wordsPath, type WordsFile } from '../../shared/words.js';
import type { Catalog } from '../../shared/catalog.js';
import type { MainContext } from '../context.js';
import type { TemplatePlanning } from '../job-planning.js';
import type { Ledger } from '../ledger.js';
import type { MainMetrics, Totals } from '../metrics.js';
import { transcriptWords } from '../narrate/transcript.js';
import { planShort, shortEnd, type ShortRules } from '../planners/short.js';
import type { Beat } from '../planners/short-beats.js';
import { writeShortTask } from './write-short-task.js';
import { shortJobVoice, shortSeed, shortTaskIdFor, type ShortSource } from './short-source.js';
import { generateVisuals } from './generated.js';
import { ShortQueue } from './queue.js';
import type { ProviderBreakerStatus } from './provider-breaker.js';
import { ShortProviders } from './providers.js';

export { shortSeed, shortTaskIdFor, type ShortSource } from './short-source.js';

export interface ShortPlanningOptions {
  ctx: MainContext;
  ledger: Ledger;
  /** A short changed (a stage, a task): plan again (the status file, jobs). */
  changed?: (signal?: AbortSignal) => void;
  totals: Totals;
  metrics: MainMetrics | null;
}

type Outcome = { stage: ShortStage; waiting?: string };

export class ShortPlanning implements TemplatePlanning<'short'> {
  private readonly opts: ShortPlanningOptions;
  /** Keys whose short is completed (output/<task>/final.mp4 is there): never looked at again. */
  private readonly done = new Set<string>();
  /** Keys that failed for good in this process (a transcript that does not align): not tried again until a restart. */
  private readonly failed = new Set<string>();
  private readonly records = new Map<string, AssetRecord | null>();
  private readonly names = new Map<string, string>();
  /** The LLM planner's beats of each short not yet published (asked for once, not at every pass). */
  private readonly llmBeats = new Map<string, Beat[]>();

  private readonly providers: ShortProviders; // speech to text, the llm planner and generation (stills or clips), each behind its breaker
  readonly queue: ShortQueue;
  private writes = 0;

  constructor(opts: ShortPlanningOptions) {
    this.opts = opts;
    this.providers = new ShortProviders(opts.ctx.config, opts.ctx.log);
    this.queue = new ShortQueue(opts.ctx.log, opts.changed ?? (() => {}));
  }

  /** The circuit breakers of the configured providers (the status file shows them). */
  providerStatus = (): ProviderBreakerStatus[] => this.providers.status();

  /** The job-file template: `job/<name>`, its voice a narration part (first take, latest version) or a story's voice (latest version). */
  async run(name: string, job: ShortJob, catalog: Catalog, busy: ReadonlySet<string>, waiting: Map<string, string>, signal?: AbortSignal): Promise<void> {
    const key = `job/${name}`;
    if (this.done.has(key) || this.failed.has(key)) return;
    const voice = await shortJobVoice(job.audio, catalog, (path) => this.record(this.opts.ctx.layout.abs(path)));
    if ('missing' in voice) {
      waiting.set(name, `audio: no ${voice.missing}`);
      return;
    }
    const { config } = this.opts.ctx;
    const size = job.output.resolution ? parseResolution(job.output.resolution) : null;
    const output = size || job.output.fps ? { ...(size ?? parseResolution(config.shorts.resolution)), fps: job.output.fps ?? config.render.fps } : undefined;
    const facts = { key, audio: voice.path, duration: voice.duration, category: job.category ?? voice.category, transcript: voice.transcript, targetSeconds: job.target_seconds };
    this.offer({ ...facts, style: job.style, music: job.music, priority: job.priority, quality: job.quality, output }, catalog, busy, waiting, name, signal);
  }

  /** The audio filed under scanned/short/: one short each. */
  async runFiled(catalog: Catalog, busy: ReadonlySet<string>, waiting: Map<string, string>, signal?: AbortSignal): Promise<void> {
    const { layout } = this.opts.ctx;
    const top = join(layout.scanned, 'short');
    for (const category of (await readdir(top).catch(() => [] as string[])).filter((n) => !isIgnoredName(n)).sort()) {
      for (const name of (await readdir(join(top, category)).catch(() => [] as string[])).sort()) {
        if (signal?.aborted) return;
        if (isIgnoredName(name) || !/\.(mp3|wav|m4a)$/i.test(name)) continue;
        const key = `short/${category}/${name}`;
        if (this.done.has(key) || this.failed.has(key)) continue;
        const abs = join(top, category, name);
        const record = await this.record(abs);
        // Ingest writes the record before the file: a file without one was not filed by clipmill.
        if (!record?.duration) continue;
        const facts = { key, audio: layout.rel(abs), duration: record.duration, category, transcript: record.transcript, targetSeconds: record.target_seconds, priority: record.priority ?? 0, quality: 'normal' as const };
        this.offer({ ...facts, ...(record.style ? { style: record.style as ShortRules['captionStyle'] } : {}) }, catalog, busy, waiting, key, signal);
      }
    }
  }

  /** The names footage and stills were dropped under (their records' raw_path), read once per asset. */
  private async originalNames(catalog: Catalog): Promise<Map<string, string>> {
    for (const a of catalog.assets()) {
      if ((a.kind !== 'video' && a.kind !== 'image') || this.names.has(a.path)) continue;
      const rec = await readJsonOrNull(AssetRecordSchema, assetRecordPath(this.opts.ctx.layout.abs(a.path)));
      this.names.set(a.path, rec ? basename(rec.raw_path) : '');
    }
    return this.names;
  }

  private async record(abs: string): Promise<AssetRecord | null> {
    if (!this.records.has(abs)) this.records.set(abs, await readJsonOrNull(AssetRecordSchema, assetRecordPath(abs)));
    return this.records.get(abs)!;
  }

  /** Queues one short (queue.ts); resolves at once. */
  private offer(src: ShortSource, catalog: Catalog, busy: ReadonlySet<string>, waiting: Map<string, string>, label: string, signal?: AbortSignal): void {
    this.queue.offer(src.key, label, waiting, async (found) => {
      const before = this.writes;
      await this.make(src, catalog, busy, found, label, signal);
      return this.writes !== before;
    }, signal);
  }

  /** One short: from wherever it stands to its task, or to why it waits or failed. */
  private async make(src: ShortSource, catalog: Catalog, busy: ReadonlySet<string>, waiting: Map<string, string>, label: string, signal?: AbortSignal): Promise<void> {
    const { ctx, ledger, totals } = this.opts;
    const { layout, log } = ctx;
    const id = shortTaskIdFor(src.key);
    const state = await readJsonOrNull(ShortStateSchema, layout.shortState(id));
    if (await ledger.has(id, { short: src.key, variation: 0 })) {
      // The task exists: its stage is read from the task folders at every pass (a failed task
      // retried is compiling again), until output/<task>/final.mp4 is there.
      const hasTask = state && (state.stage === 'compiling' || state.stage === 'completed' || (state.stage === 'failed' && state.failed?.stage === 'compiling'));
      const s = hasTask ? state : await this.enter(src, id, state, { stage: 'compiling' });
      const now = await shortProgress(layout, s);
      if (now.stage !== s.stage || JSON.stringify(now.failed) !== JSON.stringify(s.failed)) {
        const at = new Date().toISOString();
        await this.save({ ...now, updated_at: at, history: now.stage === s.stage ? now.history : [...now.history, { stage: now.stage, at }] });
      }
      if (now.stage === 'completed') this.done.add(src.key);
      return;
    }
    let current = state ?? (await this.enter(src, id, null, { stage: 'uploaded' }));
    // What it selects from is still arriving: the plan would miss it.
    if ([...busy].some((k) => k.startsWith('video/') || k.startsWith('image/') || k === `music/${src.category}`)) {
      log.debug({ short: src.key }, `Short ${src.key} waits: footage, stills or music are still being filed`);
      return;
    }
    let stage: ShortStage = 'transcribing';
    try {
      const words = await this.words(src, current, id, (s) => (current = s), signal);
      if ('waiting' in words) {
        current = await this.enter(src, id, current, { stage: 'transcribing', waiting: words.waiting });
        waiting.set(label, words.waiting);
        return;
      }
      stage = 'planning';
      current = await this.enter(src, id, current, { stage: 'planning' });
      const { config } = ctx;
      const out = src.output ?? { ...parseResolution(config.shorts.resolution), fps: config.render.fps };
      const rules: ShortRules = {
        ...out,
        quality: src.quality,
        captionStyle: src.style ?? config.shorts.captionStyle,
        musicVolume: config.shorts.musicVolume,
        duckDb: config.shorts.duckDb,
        transition: config.shorts.transition,
        transitionSeconds: config.shorts.transitionSeconds,
      };
      const seed = shortSeed(src.key);
      const names = await this.originalNames(catalog);
      const end = shortEnd(words.file.words, src.duration, src.targetSeconds);
      const local = { audio: src.audio, duration: src.duration, wordsFile: words.path, words: words.file.words, category: src.category, targetSeconds: src.targetSeconds, music: src.music };
      // Whether the short can be planned at all (footage or stills, its music) is known without
      // the paid LLM planner: a short that waits for those never asks it.
      const pre = planShort(local, catalog, rules, createRng(seed), (p) => names.get(p) ?? null);
      if (!pre.ok) {
        current = await this.enter(src, id, current, { stage: 'planning', waiting: pre.waiting });
        waiting.set(label, pre.waiting);
        return;
      }
      // The LLM's beats are asked for once per short, and kept until its task is published.
      let beats = this.llmBeats.get(src.key);
      if (!beats) {
        const llm = await this.providers.llmBeats(src.key, words.file.words, end, signal);
        if (llm && 'warning' in llm) {
          log.warn({ short: src.key }, `Short ${src.key}: ${llm.warning}`);
          current = { ...current, warnings: [...(current.warnings ?? []), llm.warning].slice(-5) };
        }
        if (llm && 'beats' in llm) this.llmBeats.set(src.key, (beats = llm.beats));
      }
      const input = { ...local, beats };
      let r = beats ? planShort(input, catalog, rules, createRng(seed), (p) => names.get(p) ?? null) : pre;
      const gen = this.providers.generation;
      if (r.ok && gen && r.plan.visuals.some((v) => !v.matched.length)) {
        stage = 'generating';
        current = await this.enter(src, id, current, { stage: 'generating' });
        const g = await generateVisuals(ctx, gen, catalog, src.key, src.category, r.plan.visuals, rules.height >= rules.width ? '9:16' : '16:9', signal);
        for (const w of g.warnings) log.warn({ short: src.key }, `Short ${src.key}: ${w}`);
        if (g.warnings.length) current = { ...current, warnings: [...(current.warnings ?? []), ...g.warnings].slice(-5) };
        // The same seed again, the filed stills or clips in the catalog: the beats they were made for match them by tag.
        if (g.filed.length) r = planShort(input, catalog, rules, createRng(seed), (p) => names.get(p) ?? null);
      }
      if (!r.ok) {
        current = await this.enter(src, id, current, { stage: 'planning', waiting: r.waiting });
        waiting.set(label, r.waiting);
        return;
      }
      stage = 'compiling';
      const published = await writeShortTask(layout, { id, key: src.key, category: src.category, audio: src.audio, words: words.path, seed, priority: src.priority, planner: input.beats ? 'llm' : 'local', plan: r.plan });
      await ledger.record({ task_id: id, short: src.key, variation: 0, created_at: new Date().toISOString() });
      current = await this.enter(src, id, current, { stage: 'compiling' });
      this.llmBeats.delete(src.key);
      if (!published) return;
      totals.tasksCreated++;
      this.opts.metrics?.tasks.inc();
      const matched = r.plan.visuals.filter((v) => v.matched.length).length;
      log.info({ task: id, short: src.key }, `Created task tasks/${id} for short ${src.key} (${r.plan.seconds.toFixed(1)} s, ${r.plan.visuals.length} beats, ${matched} matched by tag${r.plan.music ? `, music ${r.plan.music.path}` : ''})`);
    } catch (err) {
      if (signal?.aborted) return;
      if (classOf(err) === 'recoverable') {
        totals.errors++;
        const why = `${errorMessage(err)} (tried again at the next pass)`;
        log.warn({ short: src.key, err }, `Short ${src.key} (${stage}): ${why}`);
        await this.enter(src, id, current, { stage, waiting: why }).catch(() => {});
        waiting.set(label, why);
        return;
      }
      const code = err instanceof ClipmillError ? err.code : 'IO';
      this.failed.add(src.key);
      totals.errors++;
      log.error({ short: src.key, err }, `Short ${src.key} failed (${stage}): ${errorMessage(err)}`);
      const { waiting: _waiting, ...rest } = current;
      const at = new Date().toISOString();
      await this.save({ ...rest, stage: 'failed', failed: { stage, code, message: errorMessage(err) }, updated_at: at, history: [...rest.history, { stage: 'failed', at }] });
    }
  }

  /**
   * The word timings of the voice: its words file when there is one (a voice we made, or a
   * transcript aligned by an earlier pass); else its transcript aligned offline now and written
   * beside it; else why the short waits.
   */
  private async words(src: ShortSource, current: ShortState, id: string, entered: (s: ShortState) => void, signal?: AbortSignal): Promise<{ path: string; file: WordsFile } | { waiting: string }> {
    const { ctx } = this.opts;
    const abs = ctx.layout.abs(src.audio);
    const path = wordsPath(abs);
    if (await exists(path)) return { path: wordsPath(src.audio), file: await readWords(path, 'WORDS_INVALID', wordsPath(src.audio)) };
    if (src.transcript) {
      entered(await this.enter(src, id, current, { stage: 'transcribing' }));
      const file = await transcriptWords(ctx.bins.ffmpeg.path, abs, src.transcript, signal);
      if (!file.words.length) throw new ClipmillError('WORDS_INVALID', `the transcript of ${src.audio} holds no words to align`);
      await writeWords(path, file);
      return { path: wordsPath(src.audio), file };
    }
    const t = this.providers.transcription;
    if (!t) return { waiting: `no transcript: ${src.audio} has no word timings and no "transcript" (give the audio a sidecar <name>.json with "transcript"; no speech-to-text provider is configured)` };
    entered(await this.enter(src, id, current, { stage: 'transcribing' }));
    const file = await t.breaker.run(src.key, () => t.provider.transcribe(abs, src.audio, signal), signal);
    await writeWords(path, file);
    return { path: wordsPath(src.audio), file };
  }

  /** Writes the short's state at `o.stage` (a stage entered again keeps its history entry). */
  private async enter(src: ShortSource, id: string, prev: ShortState | null, o: Outcome): Promise<ShortState> {
    const at = new Date().toISOString();
    const history = prev?.history ?? [];
    const same = prev?.stage === o.stage && prev.waiting === o.waiting;
    const next: ShortState = {
      schema_version: 1,
      key: src.key,
      audio: src.audio,
      task_id: id,
      stage: o.stage,
      ...(o.waiting ? { waiting: o.waiting } : {}),
      ...(prev?.warnings?.length ? { warnings: prev.warnings } : {}),
      updated_at: same ? prev.updated_at : at,
      history: prev?.stage === o.stage ? history : [...history, { stage: o.stage, at }],
    };
    if (!same) await this.save(next);
    // A job file's short is logged as a waiting job by the planner; one of raw/short/ here, once per reason.
    if (!same && o.waiting && src.key.startsWith('short/')) this.opts.ctx.log.warn({ short: src.key }, `Short ${src.key} is waiting (${o.stage}): ${o.waiting}`);
    return next;
  }

  private async save(s: ShortState): Promise<void> {
    this.writes++;
    await writeJson(ShortStateSchema, this.opts.ctx.layout.shortState(s.task_id), s);
  }
}
