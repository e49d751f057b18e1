// Strict reading of the text files operators write (on-screen texts, narration texts): UTF-8
// with or without a byte order mark, no control characters, and CSV tables whose every error
// names the line. One implementation for every kind; each caller gives its own error (its code)
// and its own columns.
import { parse } from 'csv-parse/sync';

/** Makes the caller's error: `line` is 1-based, absent when the problem is the whole file. */
export type Invalid = (message: string, line?: number) => Error;

/** UTF-8 decoded strictly, the byte order mark dropped; the error names the first line that is not UTF-8. */
export function decodeUtf8Strict(bytes: Uint8Array, invalid: Invalid): string {
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

// Control characters other than tab and line breaks cannot be drawn or spoken and break text files.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** `text` as it is, or an error naming the control character and its line (`line`: where the text starts). */
export function checkControl(text: string, line: number, invalid: Invalid): string {
  const m = CONTROL.exec(text);
  if (m) throw invalid(`the text holds the control character U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`, line + (text.slice(0, m.index).match(/\n/g)?.length ?? 0));
  return text;
}

export interface CsvColumns {
  required: readonly string[];
  optional: readonly string[];
}

export interface CsvRow {
  /** Cells by column name (lower-case); a column the file lacks is absent. */
  cells: Map<string, string>;
  /** The 1-based line the row starts on. */
  line: number;
}

/** "text, campaign_part and, optionally, tags". */
function describe(columns: CsvColumns): string {
  return `${columns.required.join(', ')}${columns.optional.length ? ` and, optionally, ${columns.optional.join(', ')}` : ''}`;
}

/** The line a parsed row starts on: where it ends, less the line breaks inside it (raw holds skipped empty lines before it). */
function startLine(row: { info: { lines: number }; raw: string }): number {
  const body = row.raw.replace(/^\n+/, '').replace(/\n$/, '');
  return row.info.lines - (body.match(/\n/g)?.length ?? 0);
}

/**
 * A CSV table with a header row naming its columns (any order, case-insensitive); quoted
 * fields may hold commas, quotes ("") and line breaks. Returns the rows after the header.
 */
export function parseCsvTable(source: string, columns: CsvColumns, invalid: Invalid): CsvRow[] {
  // Line breaks as LF first: csv-parse counts lines of CRLF files inconsistently inside quoted
  // fields, and a text's own line breaks are LF anyway.
  const text = source.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n');
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
    throw invalid(e.message.replace(/ at line \d+.*$/, '').replace(/ on line \d+$/, ''), e.lines ?? start);
  }
  if (rows.length === 0) throw invalid(`the file holds no header (expected the columns ${describe(columns)})`);
  const header = rows[0]!.record.map((h) => h.trim().toLowerCase());
  const headerLine = startLine(rows[0]!);
  const known = [...columns.required, ...columns.optional];
  for (const [i, h] of header.entries()) {
    if (!known.includes(h)) throw invalid(`unknown column ${JSON.stringify(rows[0]!.record[i])} in the header: the columns are ${describe(columns)}`, headerLine);
    if (header.indexOf(h) !== i) throw invalid(`the column ${h} appears twice in the header`, headerLine);
  }
  for (const need of columns.required) if (!header.includes(need)) throw invalid(`the header has no column ${need} (the first row names the columns: ${describe(columns)})`, headerLine);
  return rows.slice(1).map((row) => ({ cells: new Map(header.map((h, i) => [h, row.record[i] ?? ''])), line: startLine(row) }));
}
