// Story text into chunk files of at most maxWords words: break at a paragraph boundary, else
// at a sentence boundary, never inside a word. Words and sentences come from Intl.Segmenter,
// so text without spaces (Japanese, Chinese) is counted and split correctly too. Pure.

const words = new Intl.Segmenter('und', { granularity: 'word' });
const sentences = new Intl.Segmenter('und', { granularity: 'sentence' });

export function countWords(text: string): number {
  let n = 0;
  for (const s of words.segment(text)) if (s.isWordLike) n++;
  return n;
}

/** Splits text into pieces of at most `max` words at word boundaries (a last resort). */
function splitAtWords(text: string, max: number): string[] {
  const out: string[] = [];
  let start = 0;
  let n = 0;
  for (const s of words.segment(text)) {
    if (!s.isWordLike) continue;
    if (n === max) {
      out.push(text.slice(start, s.index).trim());
      start = s.index;
      n = 0;
    }
    n++;
  }
  out.push(text.slice(start).trim());
  return out.filter(Boolean);
}

/**
 * A paragraph longer than `max` words, as pieces that each fit: whole sentences, else words.
 * Pieces are slices of the original text, so nothing is added between sentences (no space
 * is inserted into Japanese or Chinese).
 */
function splitParagraph(p: string, max: number): string[] {
  const out: string[] = [];
  let start = 0;
  let curWords = 0;
  for (const seg of sentences.segment(p)) {
    const w = countWords(seg.segment);
    if (w > max) {
      if (seg.index > start) out.push(p.slice(start, seg.index).trim());
      const parts = splitAtWords(seg.segment, max);
      out.push(...parts.slice(0, -1));
      const last = parts[parts.length - 1] ?? '';
      // The sentence's last part starts the next piece.
      start = seg.index + seg.segment.lastIndexOf(last);
      curWords = countWords(last);
      continue;
    }
    if (curWords + w > max && seg.index > start) {
      out.push(p.slice(start, seg.index).trim());
      start = seg.index;
      curWords = 0;
    }
    curWords += w;
  }
  if (start < p.length) out.push(p.slice(start).trim());
  return out.filter(Boolean);
}

/** Chunks, each a list of paragraphs, each chunk at most `maxWords` words. */
export function chunkParagraphs(paragraphs: string[], maxWords: number): string[][] {
  const chunks: string[][] = [];
  let cur: string[] = [];
  let curWords = 0;
  const flush = () => {
    if (cur.length) chunks.push(cur);
    cur = [];
    curWords = 0;
  };
  for (const para of paragraphs) {
    const w = countWords(para);
    if (w === 0) continue;
    if (w <= maxWords) {
      if (curWords + w > maxWords) flush();
      cur.push(para);
      curWords += w;
      continue;
    }
    // Longer than a chunk: its sentences fill the current chunk, then new ones.
    for (const piece of splitParagraph(para, maxWords)) {
      const pw = countWords(piece);
      if (curWords + pw > maxWords) flush();
      cur.push(piece);
      curWords += pw;
    }
  }
  flush();
  return chunks;
}

export function chunkFileName(n: number): string {
  return `chunk_${String(n).padStart(4, '0')}.txt`;
}
