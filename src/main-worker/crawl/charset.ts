// The character set of a fetched page: a byte order mark, else the Content-Type header's
// charset, else a <meta charset> or <meta http-equiv="Content-Type"> in the first 4 KiB, else
// UTF-8 when the bytes are valid UTF-8, else windows-1252 (what browsers assume).
// Node's full ICU decodes windows-1251, Shift_JIS, GBK, EUC-KR, Big5 and the rest.

function usable(label: string | null | undefined): string | null {
  if (!label) return null;
  try {
    return new TextDecoder(label.trim().replace(/^["']|["']$/g, '')).encoding;
  } catch {
    return null;
  }
}

export function sniffCharset(buf: Uint8Array, contentType: string | null): { charset: string; source: 'bom' | 'header' | 'meta' | 'utf8-valid' | 'default' } {
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
    return { charset: 'windows-1252', source: 'default' };
  }
}

export function decodePage(buf: Uint8Array, contentType: string | null): { text: string; charset: string } {
  const { charset } = sniffCharset(buf, contentType);
  return { text: new TextDecoder(charset).decode(buf), charset };
}
