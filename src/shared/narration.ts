// Narration texts (DESIGN §1): raw/narration/<category>/<campaign>.csv|txt, parsed strictly at
// ingest into a plan of narration parts to voice. The plan is written beside the filed source
// (scanned/narration/<category>/<campaign>/text/<id>.<csv|txt>.plan.json) before the source is
// renamed in; the main worker's narration queue voices each item into its target
// (scanned/narration/<category>/<campaign>/part_<NNNN>[_<k>].mp3) and `clipmill status` counts
// the items whose target is there (done) or not (queued), or whose failure is recorded (failed).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ClipmillError } from './errors.js';
import { readJsonOrNull } from './json.js';
import { parseTagCell } from './tags.js';
import { checkControl, decodeUtf8Strict, parseCsvTable } from './text-files.js';

export interface NarrationRow {
  text: string;
  part: number;
  tags: string[];
  /** The 1-based line the row (or the paragraph) starts on. */
  line: number;
}

const invalid = (message: string, line?: number) => new ClipmillError('NARRATION_TEXT_INVALID', line === undefined ? message : `line ${line}: ${message}`, { details: line === undefined ? {} : { line } });

/** Parts are numbered from 1 to this (part_9999.mp3). */
export const MAX_PART = 9999;

/** UTF-8 decoded strictly, the byte order mark dropped; the error names the first line that is not UTF-8. */
export function decodeNarration(bytes: Uint8Array): string {
  return decodeUtf8Strict(bytes, invalid);
}

function clean(text: string, line: number): string {
  return checkControl(text, line, invalid).replace(/\r\n?/g, '\n').trim();
}

/** The rows of a narration CSV: columns text, campaign_part and optionally tags (`;`-separated). */
export function parseNarrationCsv(source: string): NarrationRow[] {
  const out = parseCsvTable(source, { required: ['text', 'campaign_part'], optional: ['tags'] }, invalid).map(({ cells, line }) => {
    const text = clean(cells.get('text') ?? '', line);
    if (!text) throw invalid('the text cell is empty', line);
    const cell = (cells.get('campaign_part') ?? '').trim();
    if (!/^\d+$/.test(cell) || Number(cell) < 1 || Number(cell) > MAX_PART) throw invalid(`campaign_part must be a whole number from 1 to ${MAX_PART}, got ${JSON.stringify(cell)}`, line);
    return { text, part: Number(cell), tags: parseTagCell(cells.get('tags') ?? ''), line };
  });
  if (out.length === 0) throw invalid('the file holds a header and no row');
  return out;
}

/**
 * A .txt narration: one text, split at paragraph boundaries (blank lines) into parts of at most
 * `maxWords` words (a longer paragraph is a part of its own), numbered from 1.
 */
export function parseNarrationTxt(source: string, maxWords: number): NarrationRow[] {
  const paragraphs: Array<{ text: string; line: number; words: number }> = [];
  let lines: string[] = [];
  let first = 0;
  const flush = () => {
    const t = clean(lines.join('\n'), first);
    if (t) paragraphs.push({ text: t, line: first, words: t.split(/\s+/).length });
    lines = [];
  };
  source.replace(/\r\n?/g, '\n').split('\n').forEach((l, i) => {
    if (l.trim() === '') return flush();
    if (lines.length === 0) first = i + 1;
    lines.push(l);
  });
  flush();
  if (paragraphs.length === 0) throw invalid('the file holds no text (only white space)');
  const out: NarrationRow[] = [];
  let cur: { texts: string[]; words: number; line: number } | null = null;
  for (const p of paragraphs) {
    if (cur && cur.words + p.words > maxWords) {
      out.push({ text: cur.texts.join('\n\n'), part: out.length + 1, tags: [], line: cur.line });
      cur = null;
    }
    if (!cur) cur = { texts: [], words: 0, line: p.line };
    cur.texts.push(p.text);
    cur.words += p.words;
  }
  if (cur) out.push({ text: cur.texts.join('\n\n'), part: out.length + 1, tags: [], line: cur.line });
  if (out.length > MAX_PART) throw invalid(`the text makes ${out.length} parts, more than ${MAX_PART}: raise narration.maxPartWords or split the file`);
  return out;
}

/** part_<NNNN>.mp3 for take 1, part_<NNNN>_<k>.mp3 for take k. */
export function partName(part: number, take: number): string {
  return `part_${String(part).padStart(4, '0')}${take > 1 ? `_${take}` : ''}.mp3`;
}

export const NarrationPlanItemSchema = z.strictObject({
  /** The part's file name in the campaign folder (part_0001.mp3, part_0001_2.mp3). */
  target: z.string().regex(/^part_\d{4,}(_\d+)?\.mp3$/),
  part: z.number().int().min(1),
  take: z.number().int().min(1),
  text: z.string().min(1),
  tags: z.array(z.string()),
  line: z.number().int().min(1),
});
export const NarrationPlanSchema = z.strictObject({
  schema_version: z.literal(1),
  category: z.string().min(1),
  campaign: z.string().min(1),
  raw_path: z.string().min(1),
  filed_at: z.string().min(1),
  items: z.array(NarrationPlanItemSchema).min(1),
});
export type NarrationPlan = z.infer<typeof NarrationPlanSchema>;
export type NarrationPlanItem = z.infer<typeof NarrationPlanItemSchema>;

/** The plan of a filed narration source: its full name plus `.plan.json`. */
export const planPath = (filedSource: string) => `${filedSource}.plan.json`;

/**
 * The plans of a campaign's filed narration sources (scanned/narration/<category>/<campaign>/text/),
 * in name order; temporaries are not plans, and a plan that does not read is left out.
 */
export async function readPlans(textDir: string): Promise<NarrationPlan[]> {
  const out: NarrationPlan[] = [];
  for (const n of (await readdir(textDir).catch(() => [] as string[])).sort()) {
    if (n.startsWith('.') || !n.endsWith('.plan.json')) continue;
    const plan = await readJsonOrNull(NarrationPlanSchema, join(textDir, n));
    if (plan) out.push(plan);
  }
  return out;
}

/**
 * Parts and takes for the rows: a row's campaign_part is its part; its take is the next one
 * free after those `taken` (part -> takes already filed or planned) and the rows before it.
 */
export function assignTakes(rows: readonly NarrationRow[], taken: ReadonlyMap<number, ReadonlySet<number>>): NarrationPlanItem[] {
  const used = new Map([...taken].map(([p, s]) => [p, new Set(s)]));
  return rows.map((r) => {
    const takes = used.get(r.part) ?? new Set<number>();
    let take = 1;
    while (takes.has(take)) take++;
    takes.add(take);
    used.set(r.part, takes);
    return { target: partName(r.part, take), part: r.part, take, text: r.text, tags: r.tags, line: r.line };
  });
}
