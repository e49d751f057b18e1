// What there is to voice, read from the tree alone (so that `clipmill status` counts it the
// same way the main worker does, and a restarted main worker picks up where it stopped):
//  - every item of every narration plan (scanned/narration/<category>/<campaign>/text/*.plan.json)
//    whose part is not filed yet;
//  - with narration.fromStories, every crawled chunk (scanned/story/<category>/<story>/chunk_NNNN.txt)
//    whose chapter voice (voice/chapter_NNNN.mp3) is neither filed nor waiting in raw/: a voice a
//    person dropped always wins;
//  - every recording with a transcript in its asset record (voices, narration parts) that has
//    no word timings yet. Recordings without a transcript get no captions (counted in status).
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AssetRecordSchema, assetRecordPath } from './assets.js';
import { exists } from './fs.js';
import { readJsonOrNull } from './json.js';
import { isIgnoredName, type Layout } from './layout.js';
import { readPlans, type NarrationPlanItem } from './narration.js';
import { wordsPath, WordsFileSchema } from './words.js';
import { parseNarrationPartName } from './asset-names.js';
import { listRequests, type NarrateRequest } from './narration-requests.js';

export type NarrationJob =
  | { kind: 'part'; target: string; category: string; campaign: string; rawPath: string; item: NarrationPlanItem }
  | { kind: 'chapter'; target: string; category: string; story: string; chunk: string }
  | { kind: 'words'; target: string; transcript: string }
  /** A `clipmill narrate` request (narration-requests.ts): `target` is the request file. */
  | { kind: 'request'; target: string; request: NarrateRequest };

async function names(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((n) => !isIgnoredName(n)).sort();
}

/** chunk_0007.txt -> chapter_0007.mp3. */
export function chapterName(chunk: string): string | null {
  const m = /^chunk_(\d{4,})\.txt$/.exec(chunk);
  return m ? `chapter_${m[1]}.mp3` : null;
}

/** Where a failed voicing is recorded: trash/narration/<hash of the target>.json (the target inside). */
export function failurePath(layout: Layout, target: string): string {
  return join(layout.root, 'trash', 'narration', `${createHash('sha256').update(layout.rel(target)).digest('hex').slice(0, 24)}.json`);
}

export interface Discovered {
  /** Work still to do: targets not filed. */
  todo: NarrationJob[];
  /** Voices filed by the narration engine (parts and chapters with words from a provider). */
  done: number;
  /** Recordings with neither word timings nor a transcript: no captions for them. */
  uncaptioned: number;
}

export async function discoverNarration(layout: Layout, opts: { fromStories: boolean }): Promise<Discovered> {
  const out: Discovered = { todo: [], done: 0, uncaptioned: 0 };
  for (const r of await listRequests(layout)) out.todo.push({ kind: 'request', target: r.path, request: r.request });
  const narration = join(layout.scanned, 'narration');
  for (const category of await names(narration)) {
    for (const campaign of await names(join(narration, category))) {
      const dir = layout.scannedNarrationDir(category, campaign);
      for (const plan of await readPlans(join(dir, 'text'))) {
        for (const item of plan.items) {
          const target = join(dir, item.target);
          if (!(await exists(target))) out.todo.push({ kind: 'part', target, category, campaign, rawPath: plan.raw_path, item });
        }
      }
      for (const n of await names(dir)) if (parseNarrationPartName(n)) await recording(join(dir, n), out);
    }
  }
  const stories = join(layout.scanned, 'story');
  for (const category of await names(stories)) {
    for (const story of await names(join(stories, category))) {
      const voiceDir = layout.scannedVoiceDir(category, story);
      if (opts.fromStories) {
        for (const n of await names(join(stories, category, story))) {
          const chapter = chapterName(n);
          if (!chapter) continue;
          const target = join(voiceDir, chapter);
          if (await exists(target)) continue;
          // A person's voice for this chapter waiting in raw/ wins over a synthesized one.
          if (await exists(join(layout.raw, 'story', category, story, 'voice', chapter))) continue;
          out.todo.push({ kind: 'chapter', target, category, story, chunk: join(stories, category, story, n) });
        }
      }
      for (const n of await names(voiceDir)) if (n.toLowerCase().endsWith('.mp3')) await recording(join(voiceDir, n), out);
    }
  }
  return out;
}

/** A filed voice or part: synthesized (counted done), words to align (a transcript), or uncaptioned. */
async function recording(file: string, out: Discovered): Promise<void> {
  if (await exists(wordsPath(file))) {
    const words = await readJsonOrNull(WordsFileSchema, wordsPath(file));
    if (words && words.source !== 'transcript') out.done++;
    return;
  }
  const record = await readJsonOrNull(AssetRecordSchema, assetRecordPath(file));
  if (record?.transcript) out.todo.push({ kind: 'words', target: file, transcript: record.transcript });
  else out.uncaptioned++;
}

export interface NarrationStatus {
  /** Parts, chapters and word timings waiting to be made (failed ones not included). */
  queued: number;
  /** Voices the narration engine filed. */
  done: number;
  /** Voicings that failed (trash/narration/), their target still missing: tried again at the main worker's next start. */
  failed: number;
  /** Recordings without word timings nor a transcript: their videos have no captions. */
  uncaptioned: number;
}

/** The narration counts `clipmill status` shows, read from the tree. */
export async function narrationStatus(layout: Layout, opts: { fromStories: boolean }): Promise<NarrationStatus> {
  const d = await discoverNarration(layout, opts);
  const failed = new Set<string>();
  for (const n of await names(join(layout.root, 'trash', 'narration'))) failed.add(n);
  let f = 0;
  for (const job of d.todo) if (failed.has(failurePath(layout, job.target).split('/').pop()!)) f++;
  return { queued: d.todo.length - f, done: d.done, failed: f, uncaptioned: d.uncaptioned };
}
