// raw/text/<category>/<file>: on-screen texts (hooks, captions a job draws over footage).
//  - `.txt`: one text per file (outer white space trimmed, line breaks inside kept);
//  - `.csv`: a header with the column `text` and, optionally, `tags` (`;`-separated, DESIGN §1);
//    one text per row; quoted fields may hold commas, quotes ("") and line breaks.
// UTF-8, with or without a byte order mark. Parsed strictly: invalid UTF-8, a control
// character, a broken quote, a row with too many or too few cells, an empty text, an unknown
// column: the file goes to trash/invalid with TEXT_INVALID and the line number. The file is
// filed as it came, as scanned/text/<category>/<uuid>.<txt|csv>; the parsed texts are in its
// asset record (`texts`), which is what the catalog reads.
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { AssetText } from '../../shared/assets.js';
import { ClipmillError } from '../../shared/errors.js';
import { idFromRawName } from '../../shared/ids.js';
import { parseTagCell } from '../../shared/tags.js';
import type { MainContext } from '../context.js';
import type { RawFile } from '../scan.js';
import type { Validated } from './index.js';

export const TEXT_EXTENSIONS = new Set(['.txt', '.csv']);

/** Texts are short: a file larger than this (1 MiB) is not a list of hooks. */
export const MAX_TEXT_FILE_BYTES = 1024 * 1024;

const invalid = (message: string, line?: number) => new ClipmillError('TEXT_INVALID', line === undefined ? message : `line ${line}: ${message}`, { details: line === undefined ? {} : { line } });

/** Decodes UTF-8 strictly; the error names the first line that is not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, i));
        } catch {
          throw invalid('not valid UTF-8 (save the file as UTF-8)', line);
        }
        line++;
        start = i + 1;
      }
    }
    throw invalid('not valid UTF-8 (save the file as UTF-8)');
  }
}

// Control characters other than tab and line breaks cannot be drawn and break text files.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function checkText(text: string, line: number): string {
  const m = CONTROL.exec(text);
  if (m) throw invalid(`the text holds the control character U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`, line + (text.slice(0, m.index).match(/\n/g)?.length ?? 0));
  return text;
}

/** The texts of a .txt: one, its content with outer white space trimmed and CRLF as LF. */
export function parseTxt(source: string): AssetText[] {
  const text = source.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n');
  const trimmed = text.trim();
  if (!trimmed) throw invalid('the file holds no text (only white space)');
  const firstLine = 1 + (text.slice(0, text.indexOf(trimmed)).match(/\n/g)?.length ?? 0);
  return [{ text: checkText(trimmed, firstLine), tags: [], line: firstLine }];
}

/** The texts of a .csv, one per row, each with the line its row starts on. */
export function parseCsv(source: string): AssetText[] {
  const text = source.replace(/^\ufeff/, '');
  let lastEnd = 0;
  let rows: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    rows = parse(text, {
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
    // csv-parse names the line where it noticed; a quote never closed is noticed at the end of
    // the file, so name the line where its row started: the first non-empty one after the last good row.
    const lines = text.split('\n');
    let start = lastEnd + 1;
    while (start <= lines.length && lines[start - 1]!.trim() === '') start++;
    if (e.code === 'CSV_QUOTE_NOT_CLOSED') throw invalid('a quoted field is never closed (a missing " ?)', start);
    if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' || e.code === 'CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH') throw invalid(`the row has a different number of cells than the header (${e.message.replace(/ on line \d+$/, '')})`, e.lines ?? start);
    throw invalid(`${e.message.replace(/ at line \d+.*$/, '').replace(/ on line \d+$/, '')}`, e.lines ?? start);
  }
  if (rows.length === 0) throw invalid('the file holds no header (expected the columns text and, optionally, tags)');
  const header = rows[0]!.record.map((h) => h.trim().toLowerCase());
  const headerLine = startLine(rows[0]!);
  for (const [i, h] of header.entries()) {
    if (h !== 'text' && h !== 'tags') throw invalid(`unknown column ${JSON.stringify(rows[0]!.record[i])} in the header: the columns are text and, optionally, tags`, headerLine);
    if (header.indexOf(h) !== i) throw invalid(`the column ${h} appears twice in the header`, headerLine);
  }
  const textCol = header.indexOf('text');
  if (textCol < 0) throw invalid('the header has no column text (the first row names the columns: text and, optionally, tags)', headerLine);
  const tagsCol = header.indexOf('tags');
  const out: AssetText[] = [];
  for (const row of rows.slice(1)) {
    const line = startLine(row);
    const t = (row.record[textCol] ?? '').replace(/\r\n?/g, '\n').trim();
    if (!t) throw invalid('the text cell is empty', line);
    out.push({ text: checkText(t, line), tags: tagsCol >= 0 ? parseTagCell(row.record[tagsCol] ?? '') : [], line });
  }
  if (out.length === 0) throw invalid('the file holds a header and no text row');
  return out;
}

/** The line a parsed row starts on: where it ends, less the line breaks inside it (raw holds skipped empty lines before it). */
function startLine(row: { info: { lines: number }; raw: string }): number {
  const body = row.raw.replace(/^(\r?\n)+/, '').replace(/\r?\n$/, '');
  return row.info.lines - (body.match(/\n/g)?.length ?? 0);
}

/** Parses a text asset's bytes (`ext`: .txt or .csv). Throws TEXT_INVALID naming the line. */
export function parseTextAsset(bytes: Uint8Array, ext: string): AssetText[] {
  const source = decodeUtf8(bytes);
  return ext === '.csv' ? parseCsv(source) : parseTxt(source);
}

export async function validateText(ctx: MainContext, file: RawFile, category: string, name: string): Promise<Validated> {
  const ext = extname(name).toLowerCase();
  if (!TEXT_EXTENSIONS.has(ext)) throw new ClipmillError('RAW_UNSUPPORTED_TYPE', `text files must be .txt (one text) or .csv (a column text, optionally tags), got ${JSON.stringify(extname(name) || name)}`);
  if (file.size > MAX_TEXT_FILE_BYTES) throw invalid(`the file is ${file.size} bytes, more than ${MAX_TEXT_FILE_BYTES} (texts are short: split it)`);
  const texts = parseTextAsset(await readFile(file.path), ext);
  const id = idFromRawName(name, file);
  return { kind: 'move', dest: join(ctx.layout.scannedTextDir(category), `${id}${ext}`), probe: {}, facts: { id, texts } };
}
