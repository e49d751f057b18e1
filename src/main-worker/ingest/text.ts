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
import type { AssetText } from '../../shared/assets.js';
import { ClipmillError } from '../../shared/errors.js';
import { idFromRawName } from '../../shared/ids.js';
import { parseTagCell } from '../../shared/tags.js';
import { checkControl, decodeUtf8Strict, parseCsvTable } from '../../shared/text-files.js';
import type { MainContext } from '../context.js';
import type { RawFile } from '../scan.js';
import type { Validated } from './index.js';

export const TEXT_EXTENSIONS = new Set(['.txt', '.csv']);

/** Texts are short: a file larger than this (1 MiB) is not a list of hooks. */
export const MAX_TEXT_FILE_BYTES = 1024 * 1024;

const invalid = (message: string, line?: number) => new ClipmillError('TEXT_INVALID', line === undefined ? message : `line ${line}: ${message}`, { details: line === undefined ? {} : { line } });

const checkText = (text: string, line: number) => checkControl(text, line, invalid);

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
  const out = parseCsvTable(source, { required: ['text'], optional: ['tags'] }, invalid).map(({ cells, line }) => {
    const t = (cells.get('text') ?? '').trim();
    if (!t) throw invalid('the text cell is empty', line);
    return { text: checkText(t, line), tags: parseTagCell(cells.get('tags') ?? ''), line };
  });
  if (out.length === 0) throw invalid('the file holds a header and no text row');
  return out;
}

/** Parses a text asset's bytes (`ext`: .txt or .csv). Throws TEXT_INVALID naming the line. */
export function parseTextAsset(bytes: Uint8Array, ext: string): AssetText[] {
  const source = decodeUtf8Strict(bytes, invalid);
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
