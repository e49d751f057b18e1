// The character set of a fetched page: a byte order mark, else the Content-Type header's
// charset, else a <meta charset> or <meta http-equiv="Content-Type"> in the first 4 KiB, else
// UTF-8 when the bytes are valid UTF-8, else a guess from the bytes (chardet, a port of ICU's
// detector: it knows the Cyrillic, CJK, Arabic, Greek and Hebrew encodings), else windows-1252
// (what browsers assume). Node's full ICU decodes windows-1251, Shift_JIS, GBK, EUC-KR, Big5
// and the rest. chardet was chosen because it is plain JavaScript with no dependencies (nothing
// to download at install) and reports a confidence, so that a guess can be told from a fact.
import chardet from 'chardet';

/** Below this confidence (0-100) a guess is not trusted and windows-1252 is used. */
const MIN_CONFIDENCE = 20;

function usable(label: string | null | undefined): string | null {
  if (!label) return null;
  try {
    return new TextDecoder(label.trim().replace(/^["']|["']$/g, '')).encoding;
  } catch {
    return null;
  }
}

export type CharsetSource = 'bom' | 'header' | 'meta' | 'utf8-valid' | 'detected' | 'default';

export function sniffCharset(buf: Uint8Array, contentType: string | null): { charset: string; source: CharsetSource; confidence?: number } {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return { charset: 'utf-8', source: 'bom' };
  if (buf[0] === 0xff && buf[1] === 0xfe) return { charset: 'utf-16le', source: 'bom' };
  if (buf[0] === 0xfe && buf[1] === 0xff) return { charset: 'utf-16be', source: 'bom' };
  const fromHeader = usable(/charset\s*=\s*([^;]+)/i.exec(contentType ?? '')?.[1]);
  if (fromHeader) return { charset: fromHeader, source: 'header' };
  const head = Buffer.from(buf.subarray(0, 4096)).toString('latin1');
  const meta = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1];
  const fromMeta = usable(meta);
  if (fromMeta) return { charset: fromMeta === 'utf-16le' || fromMeta === 'utf-16be' ? 'utf-8' : fromMeta, source: 'meta' };
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return { charset: 'utf-8', source: 'utf8-valid' };
  } catch {
    // Undeclared and not UTF-8: guess from the bytes (a windows-1251 page read as
    // windows-1252 comes out as mojibake).
    for (const g of chardet.analyse(buf)) {
      if (g.confidence < MIN_CONFIDENCE) break;
      const charset = usable(g.name);
      if (charset && !charset.startsWith('utf-')) return { charset, source: 'detected', confidence: g.confidence };
    }
    return { charset: 'windows-1252', source: 'default' };
  }
}

/** The page's text and charset; `guessed` when no declaration said which (detected from the bytes, or the default). */
export function decodePage(buf: Uint8Array, contentType: string | null): { text: string; charset: string; guessed: boolean; confidence?: number } {
  const sniffed = sniffCharset(buf, contentType);
  const guessed = sniffed.source === 'detected' || sniffed.source === 'default';
  return { text: new TextDecoder(sniffed.charset).decode(buf), charset: sniffed.charset, guessed, ...(sniffed.confidence !== undefined ? { confidence: sniffed.confidence } : {}) };
}
