// Generated pictures for beats that match nothing (shorts.generate): a Kling-style asynchronous
// task API, one implementation for stills and clips (shorts.generationKind), parameterised by
// the endpoint, the request's own fields and the result's field (KINDS below):
//  - stills: POST <base>/v1/images/generations {model_name, prompt, aspect_ratio, n: 1};
//    the result is data.task_result.images[0].url;
//  - clips (Kling's text to video): POST <base>/v1/videos/text2video {model_name, prompt,
//    aspect_ratio, duration: "5" | "10" (shorts.generationVideoSeconds, a string as Kling
//    documents it)}; the result is data.task_result.videos[0].url (its `id` and `duration`
//    are not used: the file is measured).
// create answers {"code": 0, "data": {"task_id"}}; poll: GET <endpoint>/<task_id> with backoff
// (shorts.generationPollMs, doubling up to 8x) until data.task_status is "succeed" or "failed",
// within shorts.generationTimeoutMs; download: the file, up to shorts.generationMaxBytes (a
// larger one is PROVIDER_INVALID, not retried), its type judged by its magic bytes; on another
// origin than the base URL only from a public address (http.ts). A task_id is 1 to 200 of
// A-Z a-z 0-9 . _ : - (it reaches logs, messages and raw_path), else PROVIDER_INVALID. The file is only downloaded here; it is validated and filed
// as a dropped still or clip is by the caller (generated.ts), never trusted as it is.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ClipmillError } from '../../shared/errors.js';
import { writeFileAtomic } from '../../shared/fs.js';
import type { Logger } from '../../shared/log.js';
import { RetryPolicy } from '../../shared/retry.js';
import { notJson, providerKey, providerRequest, retryProvider, schemaIssues, type ProviderRequest } from './http.js';

export interface GenerationSettings {
  baseUrl: string;
  model: string;
  apiKeyEnv: string;
  pollMs: number;
  taskTimeoutMs: number;
  maxBytes: number;
  /** Per request (create, poll, download). */
  timeoutMs: number;
  tries: number;
  retryBaseMs: number;
  /** The clip length asked for (Kling's `duration`: 5 or 10). */
  videoSeconds: number;
  /** Download a result on another origin than baseUrl even at a private address (shorts.allowPrivateNetworks). */
  allowPrivateNetworks?: boolean;
  /** Why an address on another origin is refused (null: allowed); for tests. */
  addressPolicy?: (ip: string) => string | null;
  /** A certificate trusted for downloads on another origin instead of the system's: tests' self-signed servers only. */
  testOnlyTrustedCa?: string;
}

export type GenerationKind = 'image' | 'video';

/** A task id: it reaches logs, messages, an asset's raw_path and a URL path segment, so only these characters, and not dots alone ("." and ".." would resolve to a parent path). */
const TASK_ID = /^(?!\.+$)[A-Za-z0-9._:-]{1,200}$/;
const CreateSchema = z.object({ data: z.object({ task_id: z.string().regex(TASK_ID, { error: 'a task id of 1 to 200 letters, digits and . _ : -, not dots alone' }) }) });
const TaskSchema = z.object({
  data: z.object({
    task_status: z.enum(['submitted', 'processing', 'succeed', 'failed']),
    task_status_msg: z.string().optional(),
    task_result: z.object({ images: z.array(z.object({ url: z.string().url() })).optional(), videos: z.array(z.object({ url: z.string().url() })).optional() }).optional(),
  }),
});

/** The image type of downloaded bytes, by their magic numbers; null for anything else. */
export function imageType(bytes: Buffer): 'png' | 'jpg' | 'webp' | null {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  return null;
}

/**
 * The type of downloaded clip bytes, by their magic numbers; null for anything else: an ISO
 * media file (MP4, or MOV by its 'qt  ' brand) starts with a box whose type is 'ftyp'; WebM and
 * Matroska with the EBML header 1A 45 DF A3 (WebM when its DocType says "webm").
 */
export function videoType(bytes: Buffer): 'mp4' | 'mov' | 'webm' | 'mkv' | null {
  if (bytes.length >= 12 && bytes.subarray(4, 8).toString('latin1') === 'ftyp') return bytes.subarray(8, 12).toString('latin1') === 'qt  ' ? 'mov' : 'mp4';
  if (bytes.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]))) return bytes.subarray(4, 64).includes('webm', 0, 'latin1') ? 'webm' : 'mkv';
  return null;
}

/** What differs between a still and a clip: the endpoint, the request's own fields, the result's field, the accepted files. */
const KINDS: Record<GenerationKind, { path: string; body: (s: GenerationSettings) => Record<string, unknown>; result: 'images' | 'videos'; type: (bytes: Buffer) => string | null; expected: string }> = {
  image: { path: '/v1/images/generations', body: () => ({ n: 1 }), result: 'images', type: imageType, expected: 'a PNG, JPEG or WebP image' },
  video: { path: '/v1/videos/text2video', body: (s) => ({ duration: String(s.videoSeconds) }), result: 'videos', type: videoType, expected: 'an MP4, MOV, WebM or Matroska video' },
};

export class GenerationProvider {
  private readonly policy: RetryPolicy;

  constructor(
    private readonly s: GenerationSettings,
    private readonly log?: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.policy = new RetryPolicy({ tries: s.tries, baseMs: s.retryBaseMs, maxRetryAfterMs: 60_000, jitter: 0.2 });
  }

  private call(req: Omit<ProviderRequest, 'provider' | 'key' | 'baseUrl' | 'timeoutMs' | 'maxBytes'> & { maxBytes?: number }, what: string, signal?: AbortSignal) {
    const request = { provider: 'generation', baseUrl: this.s.baseUrl, key: providerKey(this.s.apiKeyEnv, this.env), timeoutMs: this.s.timeoutMs, maxBytes: req.maxBytes ?? 1_000_000, allowPrivateNetworks: this.s.allowPrivateNetworks ?? false, ...(this.s.addressPolicy ? { addressPolicy: this.s.addressPolicy } : {}), ...(this.s.testOnlyTrustedCa ? { testOnlyTrustedCa: this.s.testOnlyTrustedCa } : {}), ...req };
    return retryProvider(this.policy, () => providerRequest(request, signal), `the generation for ${what}`, this.log, signal);
  }

  private parse<T>(schema: z.ZodType<T>, text: string, what: string, step: string): T {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new ClipmillError('PROVIDER_INVALID', `generation for ${what}: the ${step} answer is ${notJson(text)}`);
    }
    const r = schema.safeParse(v);
    if (!r.success) throw new ClipmillError('PROVIDER_INVALID', `generation for ${what}: the ${step} answer fails its schema: ${schemaIssues(r.error.issues, 2)}`);
    return r.data;
  }

  /** Creates a task for a still or a clip, polls it, downloads its file to `out` + its extension; returns that path and the task id. */
  async generate(kind: GenerationKind, prompt: string, aspect: string, out: string, what: string, signal?: AbortSignal): Promise<{ file: string; taskId: string }> {
    const k = KINDS[kind];
    const base = `${this.s.baseUrl.replace(/\/+$/, '')}${k.path}`;
    const created = await this.call({ url: base, body: JSON.stringify({ model_name: this.s.model, prompt, aspect_ratio: aspect, ...k.body(this.s) }), contentType: 'application/json' }, what, signal);
    const taskId = this.parse(CreateSchema, created.text, what, 'create').data.task_id;
    const deadline = Date.now() + this.s.taskTimeoutMs;
    let wait = this.s.pollMs;
    let url: string | null = null;
    for (;;) {
      if (Date.now() + wait > deadline) throw new ClipmillError('PROVIDER_UNAVAILABLE', `generation for ${what}: task ${taskId} not done within ${this.s.taskTimeoutMs} ms (shorts.generationTimeoutMs)`);
      await sleep(wait, undefined, { signal });
      wait = Math.min(wait * 2, this.s.pollMs * 8);
      const polled = await this.call({ url: `${base}/${encodeURIComponent(taskId)}`, method: 'GET' }, what, signal);
      const task = this.parse(TaskSchema, polled.text, what, 'poll').data;
      if (task.task_status === 'failed') throw new ClipmillError('PROVIDER_INVALID', `generation for ${what}: task ${taskId} failed${task.task_status_msg ? ` (its message: ${Buffer.byteLength(task.task_status_msg)} bytes, not shown)` : ''}`);
      if (task.task_status !== 'succeed') continue;
      url = task.task_result?.[k.result]?.[0]?.url ?? null;
      if (!url) throw new ClipmillError('PROVIDER_INVALID', `generation for ${what}: task ${taskId} succeeded without ${kind === 'image' ? 'an image' : 'a video'} URL (data.task_result.${k.result}[0].url)`);
      break;
    }
    // Too large is no outage: refused (not retried), the limit's key named.
    const got = await this.call({ url, method: 'GET', binary: true, maxBytes: this.s.maxBytes, oversize: 'PROVIDER_INVALID', settings: { maxBytes: 'shorts.generationMaxBytes' } }, what, signal);
    const type = k.type(got.bytes);
    if (!type) throw new ClipmillError('PROVIDER_INVALID', `generation for ${what}: task ${taskId} gave a file that is not ${k.expected} (${got.bytes.length} bytes)`);
    const file = `${out}.${type}`;
    // Synced before it is validated and moved into scanned/ (temp name, fsync, rename, fsync of the folder).
    await writeFileAtomic(file, got.bytes);
    return { file, taskId };
  }
}
