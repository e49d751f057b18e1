// `clipmill narrate` requests: requests/narrate/<hash>.json, one per (story or campaign,
// provider, voice). The CLI only writes the request; the main worker's narration queue voices
// it (src/main-worker/narrate/queue.ts) and removes it when every version is filed. Why not
// voice in the CLI itself: the main worker is the one writer of scanned/ and of its in-memory
// catalog; voicing there means a running main worker files the new versions under the same
// per-voice lock as a person's recording arriving at the same moment
// (src/main-worker/narrate/versions.ts), adds them to its catalog and plans their tasks at
// once, with no second writer racing it for a version number. The request file is written whole
// (temp name + rename) and named by the hash of what it asks, so running the command twice
// makes one request, and a request voiced already files nothing new (the latest version's
// voice_key says it was made by the same provider, voice, settings and text; the content-hash
// cache means the provider is not called either).
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { chapterName } from './narration-discover.js';
import { ClipmillError } from './errors.js';
import { writeJson, readJsonOrNull } from './json.js';
import type { Layout } from './layout.js';
import { readPlans, type NarrationPlanItem } from './narration.js';

export const NarrateRequestSchema = z.strictObject({
  schema_version: z.literal(1),
  /** A crawled story (its chunks become chapters) or a narration campaign (its plans' parts). */
  kind: z.enum(['story', 'campaign']),
  category: z.string().min(1),
  /** The story's or the campaign's folder name. */
  name: z.string().min(1),
  provider: z.enum(['espeak-ng', 'elevenlabs']),
  /** espeak-ng's voice name or the ElevenLabs voice id; absent: the configured one. */
  voice: z.string().min(1).optional(),
  requested_at: z.string().min(1),
});
export type NarrateRequest = z.infer<typeof NarrateRequestSchema>;

export function requestPath(layout: Layout, r: Pick<NarrateRequest, 'kind' | 'category' | 'name' | 'provider' | 'voice'>): string {
  const h = createHash('sha256').update(JSON.stringify([r.kind, r.category, r.name, r.provider, r.voice ?? null])).digest('hex').slice(0, 24);
  return join(layout.narrationRequestsDir, `${h}.json`);
}

export async function writeRequest(layout: Layout, r: NarrateRequest): Promise<string> {
  const path = requestPath(layout, r);
  await writeJson(NarrateRequestSchema, path, r);
  return path;
}

/** The requests waiting, oldest name first; an unreadable one is skipped (left for an operator). */
export async function listRequests(layout: Layout): Promise<Array<{ path: string; request: NarrateRequest }>> {
  const out: Array<{ path: string; request: NarrateRequest }> = [];
  for (const n of (await readdir(layout.narrationRequestsDir).catch(() => [] as string[])).sort()) {
    if (n.startsWith('.') || !n.endsWith('.json')) continue;
    const request = await readJsonOrNull(NarrateRequestSchema, join(layout.narrationRequestsDir, n));
    if (request) out.push({ path: join(layout.narrationRequestsDir, n), request });
  }
  return out;
}

/** Whether a readable request waits (an unreadable one, edited by hand, does not wake the queue at every scan). */
export async function hasRequests(layout: Layout): Promise<boolean> {
  return (await listRequests(layout)).length > 0;
}

/** One text to voice again: `base` (version 1's name) in `dir`. */
export interface RequestItem {
  dir: string;
  base: string;
  text: string;
  /** Story chapters: the chunk file; campaign parts: the plan item (and the plan's raw path). */
  chunk?: string;
  item?: NarrationPlanItem;
  rawPath?: string;
}

/**
 * What a request voices: a story's chunks (scanned/story/<c>/<story>/chunk_NNNN.txt, each into
 * voice/chapter_NNNN), or every item of a campaign's narration plans. Throws NARRATION_NOTHING
 * when there is no text.
 */
export async function requestItems(layout: Layout, r: Pick<NarrateRequest, 'kind' | 'category' | 'name'>): Promise<RequestItem[]> {
  const out: RequestItem[] = [];
  if (r.kind === 'story') {
    const story = join(layout.scanned, 'story', r.category, r.name);
    for (const n of (await readdir(story).catch(() => [] as string[])).sort()) {
      const chapter = chapterName(n);
      if (!chapter) continue;
      const text = (await readFile(join(story, n), 'utf8')).trim();
      if (text) out.push({ dir: layout.scannedVoiceDir(r.category, r.name), base: chapter, text, chunk: join(story, n) });
    }
  } else {
    const dir = layout.scannedNarrationDir(r.category, r.name);
    for (const plan of await readPlans(join(dir, 'text'))) {
      for (const item of plan.items) out.push({ dir, base: item.target, text: item.text, item, rawPath: plan.raw_path });
    }
  }
  if (!out.length) {
    const where = r.kind === 'story' ? `scanned/story/${r.category}/${r.name}/chunk_NNNN.txt` : `scanned/narration/${r.category}/${r.name}/text/*.plan.json`;
    throw new ClipmillError('NARRATION_NOTHING', `nothing to voice for ${r.category}/${r.name}: no text in ${where}`);
  }
  return out;
}

/** Whether `<category>/<name>` is a story with chunks, a campaign with plans, both or neither. */
export async function requestKinds(layout: Layout, category: string, name: string): Promise<Array<NarrateRequest['kind']>> {
  const kinds: Array<NarrateRequest['kind']> = [];
  for (const kind of ['story', 'campaign'] as const) {
    try {
      await requestItems(layout, { kind, category, name });
      kinds.push(kind);
    } catch (err) {
      if (!(err instanceof ClipmillError)) throw err;
    }
  }
  return kinds;
}
