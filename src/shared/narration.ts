// Narration texts (DESIGN §1): raw/narration/<category>/<campaign>.csv|txt, parsed strictly at
// ingest into a plan of narration parts to voice. The plan is written beside the filed source
// (scanned/narration/<category>/<campaign>/text/<id>.<csv|txt>.plan.json) before the source is
// renamed in; the main worker's narration queue voices each item into its target
// (scanned/narration/<category>/<campaign>/part_<NNNN>[_<k>].mp3) and `clipmill status` counts
// the items whose target is there (done) or not (queued), or whose failure is recorded (failed).
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { ClipmillError } from './errors.js';
import { parseTagCell } from './tags.js';

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

/** UTF-8 decoded strictly; the error names the first line that is not UTF-8. */
export function decodeNarration(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\ufeff/, '');
  } catch {
    let start = 0;
    let line = 1;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, i));
      } catch {
        throw invalid('not valid UTF-8 (save the file as UTF-8)', line);
      }
      line++;
      start = i + 1;
    }
    throw invalid('not valid UTF-8 (save the file as UTF-8)');
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
function clean(text: string, line: number): string {
  const m = CONTROL.exec(text);
  if (m) throw invalid(`the text holds the control character U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`, line);
  return text.replace(/\r\n?/g, '\n').trim();
}

const COLUMNS = ['text', 'campaign_part', 'tags'];

/** The rows of a narration CSV: columns text, campaign_part and optionally tags (`;`-separated). */
export function parseNarrationCsv(source: string): NarrationRow[] {
  let lastEnd = 0;
  let rows: Array<{ record: string[]; info: { lines: number }; raw: string }>;
  try {
    rows = parse(source, {
      info: true,
      raw: true,
      skip_empty_lines: true,
      on_record: (record: string[], context: { lines: number }) => {
        lastEnd = context.lines;
        return record;
      },
    }) as unknown as typeof rows;
  } catch (err) {
    const e = err as Error & { code?: string; lines?: number };
    const lines = source.split('\n');
    let start = lastEnd + 1;
    while (start <= lines.length && lines[start - 1]!.trim() === '') start++;
    if (e.code === 'CSV_QUOTE_NOT_CLOSED') throw invalid('a quoted field is never closed (a missing " ?)', start);
    if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' || e.code === 'CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH') throw invalid('the row has a different number of cells than the header', e.lines ?? start);
    throw invalid(e.message.replace(/ at line \d+.*$/, '').replace(/ on line \d+$/, ''), e.lines ?? start);
  }
  if (rows.length === 0) throw invalid('the file holds no header (expected the columns text, campaign_part and, optionally, tags)');
  const startLine = (row: { info: { lines: number }; raw: string }) => row.info.lines - (row.raw.replace(/^(\r?\n)+/, '').replace(/\r?\n$/, '').match(/\n/g)?.length ?? 0);
  const header = rows[0]!.record.map((h) => h.trim().toLowerCase());
  const headerLine = startLine(rows[0]!);
  header.forEach((h, i) => {
    if (!COLUMNS.includes(h)) throw invalid(`unknown column ${JSON.stringify(rows[0]!.record[i])} in the header: the columns are text, campaign_part and, optionally, tags`, headerLine);
    if (header.indexOf(h) !== i) throw invalid(`the column ${h} appears twice in the header`, headerLine);
  });
  for (const need of ['text', 'campaign_part']) if (!header.includes(need)) throw invalid(`the header has no column ${need} (the columns are text, campaign_part and, optionally, tags)`, headerLine);
  const [ti, pi, gi] = [header.indexOf('text'), header.indexOf('campaign_part'), header.indexOf('tags')];
  const out = rows.slice(1).map((row) => {
    const line = startLine(row);
    const text = clean(row.record[ti] ?? '', line);
    if (!text) throw invalid('the text cell is empty', line);
    const cell = (row.record[pi] ?? '').trim();
    if (!/^\d+$/.test(cell) || Number(cell) < 1 || Number(cell) > MAX_PART) throw invalid(`campaign_part must be a whole number from 1 to ${MAX_PART}, got ${JSON.stringify(cell)}`, line);
    return { text, part: Number(cell), tags: gi >= 0 ? parseTagCell(row.record[gi] ?? '') : [], line };
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
