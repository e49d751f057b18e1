// The story text of one page: @mozilla/readability on jsdom (scripts never run, no
// subresource loaded), paragraphs kept, boilerplate dropped, whitespace and Unicode (NFC)
// normalized; a fallback over the page's own paragraphs when Readability finds no article;
// a safety net that keeps plain Readability's text when this cleaning lost most of an article;
// and the page's next-page link for multi-page stories. Pure (no I/O): extract-worker.ts
// runs it in a worker thread with a time and memory limit.
import { Readability } from '@mozilla/readability';
import { JSDOM, VirtualConsole } from 'jsdom';
import { INNER_NOISE, NOISE_CLASS, noiseOutside, normalizeText, removeFurniture } from './furniture.js';

export { normalizeText };

export interface Extracted {
  title: string | null;
  byline: string | null;
  paragraphs: string[];
  /** An absolute http(s) URL on the same site, or null. */
  nextUrl: string | null;
  method: 'readability' | 'fallback' | 'text';
  /**
   * Which text was kept: 'cleaned' (clipmill's cleaning around Readability, or the fallback) or
   * 'readability' (plain Readability's article, kept because the cleaning lost most of it).
   */
  kept?: 'cleaned' | 'readability';
}

const BLOCK = new Set(['P', 'DIV', 'SECTION', 'ARTICLE', 'MAIN', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'LI', 'UL', 'OL', 'BLOCKQUOTE', 'PRE', 'TABLE', 'TR', 'TD', 'TH', 'DL', 'DT', 'DD', 'FIGURE', 'FIGCAPTION', 'HR', 'HEADER', 'FOOTER', 'ASIDE', 'NAV', 'ADDRESS', 'CENTER']);
// FIGCAPTION: image captions and photo credits are not story.
const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'IFRAME', 'OBJECT', 'SVG', 'CANVAS', 'BUTTON', 'SELECT', 'TEXTAREA', 'INPUT', 'FORM', 'NAV', 'ASIDE', 'FOOTER', 'FIGCAPTION']);

/** Short lines that are page furniture, not story (share buttons, "read more", comment counts). */
const BOILERPLATE = [
  // "Share: Facebook Twitter", "Share this story", "Subscribe now" - but not "Share the bread, she said."
  /^(share|tweet|pin it|email|print|like|follow us|subscribe|sign up|log in|register|advertisement|sponsored|ad)\s*([:|»›].*|\s+(this|on|via|to|now|us|here|it)\b[^.!?]*)?$/i,

  /^(\d+\s+)?comments?\b|^leave a (comment|reply)|^post a comment/i,
  /^(previous|next)( page| chapter| part| post)?\s*[»›→>]*$/i,
  /^(cookie|we use cookies|accept( all)? cookies)/i,
  /^(tags?|categories|filed under|posted in)\s*:/i,
  /^(copyright|©|all rights reserved)/i,
  // An archive or comment widget left empty because its script never ran (Substack's "No posts").
  /^no (posts|comments|results)( yet| found)?\s*[.!]?$/i,
];


/** Cross-links ("Read more: <headline>") run longer than other furniture. */
const CROSS_LINK = /^(read more|read also|see also|continue reading|read the full story)\s*[:»›→-]/i;
const SHORT_CROSS_LINK = /^(read more|read also|continue reading|read the full story|click here|see also|related( posts| stories| articles)?|you may also like|recommended|more from)\b/i;

export function isBoilerplate(p: string): boolean {
  return (p.length < 80 && (BOILERPLATE.some((re) => re.test(p)) || SHORT_CROSS_LINK.test(p))) || (p.length < 200 && CROSS_LINK.test(p));
}

/**
 * Text of a subtree, one entry per block, <br> kept as a space. A short block that is mostly
 * link text (a breadcrumb "Fiction » Fantasy » Title", a row of tag links) is dropped.
 */
function blocks(root: Element, skip: (el: Element) => boolean): string[] {
  const out: string[] = [];
  let cur = '';
  let linked = 0;
  let inLink = 0;
  const flush = () => {
    const t = normalizeText(cur);
    const linkShare = cur.trim().length ? linked / cur.trim().length : 0;
    if (t && !(t.length < 120 && linkShare > 0.6)) out.push(t);
    cur = '';
    linked = 0;
  };
  // Iterative walk: hostile pages nest deeply enough to overflow a recursive one.
  const stack: { node: Node; leaving: boolean }[] = [{ node: root, leaving: false }];
  while (stack.length) {
    const { node, leaving } = stack.pop()!;
    if (node.nodeType === 3) {
      cur += node.nodeValue ?? '';
      if (inLink) linked += (node.nodeValue ?? '').trim().length;
      continue;
    }
    if (node.nodeType !== 1) continue;
    const el = node as Element;
    if (leaving) {
      if (el.tagName === 'A') inLink--;
      if (BLOCK.has(el.tagName)) flush();
      continue;
    }
    if (el.tagName === 'A') inLink++;
    if (node !== root && (SKIP.has(el.tagName) || skip(el))) continue;
    if (el.tagName === 'BR') {
      cur += ' ';
      continue;
    }
    if (BLOCK.has(el.tagName)) flush();
    stack.push({ node: el, leaving: true });
    const kids = el.childNodes;
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i]!, leaving: false });
  }
  flush();
  return out;
}

/**
 * Whether `next` continues the page at `cur` (page 2 of it, the next chapter) rather than
 * leading elsewhere (a blog's rel=next to the next, unrelated post): it lies below the
 * current path, or beside it in the same folder.
 */
export function isContinuation(cur: URL, next: URL): boolean {
  const dir = (p: string) => p.replace(/\/+$/, '').replace(/\/[^/]*$/, '');
  const curPath = cur.pathname.replace(/\/+$/, '');
  if (next.pathname === cur.pathname) return next.search !== cur.search;
  return next.pathname.startsWith(`${curPath}/`) || dir(next.pathname) === dir(cur.pathname);
}

const NEXT_TEXT = /^(next|next page|next chapter|next part|continue|continue reading|older posts?|page suivante|suivant|siguiente|weiter|nächste seite|следующая( страница| глава)?|далее|вперёд|次へ|次のページ|次の話|下一页|下一章|다음)\s*[»›→>]*$|^[»›→]$|^>>?$/i;

function sameSite(a: URL, b: URL): boolean {
  const host = (u: URL) => u.hostname.replace(/^www\./, '');
  return host(a) === host(b);
}

/** rel=next (link or a), else an anchor whose text or label says "next". */
export function findNextUrl(doc: Document, pageUrl: string): string | null {
  const base = new URL(pageUrl);
  const candidates: Element[] = [
    ...Array.from(doc.querySelectorAll('link[rel~="next" i][href], a[rel~="next" i][href]')),
    ...Array.from(doc.querySelectorAll('a[href]')).filter((a) => {
      const label = normalizeText(a.textContent || a.getAttribute('aria-label') || a.getAttribute('title') || '');
      return NEXT_TEXT.test(label);
    }),
  ];
  for (const el of candidates) {
    try {
      const u = new URL(el.getAttribute('href')!, base);
      u.hash = '';
      if ((u.protocol === 'http:' || u.protocol === 'https:') && sameSite(u, base) && u.href !== new URL(base.href.split('#')[0]!).href && isContinuation(base, u)) return u.href;
    } catch {
      // an unparsable href is not a next page
    }
  }
  return null;
}

function clean(paragraphs: string[]): string[] {
  const out: string[] = [];
  for (const p of paragraphs) {
    if (!p || isBoilerplate(p)) continue;
    if (out[out.length - 1] === p) continue; // repeated block (title printed twice)
    out.push(p);
  }
  return out;
}

const wordCount = (ps: string[]) => ps.reduce((n, p) => n + (p.match(/\S+/g)?.length ?? 0), 0);

/**
 * Words of `paragraphs` that are in paragraphs of sentences (eight words or more, ending like a
 * sentence): what an article has and a menu, a tag cloud or a "No posts" widget has not.
 */
export function proseWords(paragraphs: string[]): number {
  return wordCount(paragraphs.filter((p) => (p.match(/\S+/g)?.length ?? 0) >= 8 && /[.!?…。！？"'”’»)]$/.test(p)));
}

/** The safety net keeps plain Readability's text when the cleaned text has less than this share of its words... */
export const KEEP_READABILITY_BELOW = 0.5;
/** ...and Readability's text has at least this many words in paragraphs of sentences. */
export const ARTICLE_MIN_WORDS = 150;

/** Plain Readability (default options) on the page as it came, its article in paragraphs. */
function plainReadability(doc: Document): { title: string | null; byline: string | null; paragraphs: string[] } | null {
  try {
    const article = new Readability<Element>(doc, { serializer: (el) => el as Element }).parse();
    if (!article?.content) return null;
    return { title: normalizeText(article.title ?? '') || null, byline: normalizeText(article.byline ?? '') || null, paragraphs: clean(blocks(article.content, () => false)) };
  } catch {
    return null;
  }
}

export function extractFromHtml(html: string, url: string): Extracted {
  const dom = new JSDOM(html, { url, contentType: 'text/html', virtualConsole: new VirtualConsole() });
  try {
    const doc = dom.window.document;
    const nextUrl = findNextUrl(doc, url);
    const title = normalizeText(doc.title || '') || null;
    // The safety net's reference: plain Readability on the page before any cleaning.
    const plain = plainReadability(doc.cloneNode(true) as Document);
    const cleaned = extractCleaned(doc, title, nextUrl);
    const cleanedWords = wordCount(cleaned.paragraphs);
    if (plain?.paragraphs.length) {
      const plainWords = wordCount(plain.paragraphs);
      const lost = cleanedWords < plainWords * KEEP_READABILITY_BELOW && proseWords(plain.paragraphs) >= ARTICLE_MIN_WORDS;
      if (lost || cleanedWords === 0) return { title: plain.title ?? title, byline: plain.byline, paragraphs: plain.paragraphs, nextUrl, method: 'readability', kept: 'readability' };
    }
    return cleaned;
  } finally {
    dom.window.close();
  }
}

/** clipmill's own extraction: furniture removed, Readability, the story's blocks; else the fallback. */
function extractCleaned(doc: Document, title: string | null, nextUrl: string | null): Extracted {
  let article: ReturnType<Readability<Element>['parse']> = null;
  removeFurniture(doc);
  try {
    // keepClasses: the class names let blocks() drop newsletter boxes and author bios that
    // Readability leaves inside the article.
    article = new Readability<Element>(doc.cloneNode(true) as Document, { charThreshold: 250, keepClasses: true, serializer: (el) => el as Element }).parse();
  } catch {
    article = null; // Readability gives up on some hostile pages: use the fallback
  }
  if (article?.content) {
    const paragraphs = clean(blocks(article.content, noiseOutside(INNER_NOISE, article.content)));
    if (paragraphs.length) return { title: normalizeText(article.title ?? '') || title, byline: normalizeText(article.byline ?? '') || null, paragraphs, nextUrl, method: 'readability', kept: 'cleaned' };
  }
  // Fallback: the page's own text blocks, without the regions that are evidently not story.
  const body = doc.body ?? doc.documentElement;
  const skip = noiseOutside(NOISE_CLASS, body, (el) => /navigation|banner|complementary|contentinfo/.test(el.getAttribute('role') ?? '') || el.tagName === 'HEADER');
  const paragraphs = clean(blocks(body, skip)).filter((p) => p.length >= 30 || /[.!?…。！？"”»]$/.test(p));
  return { title, byline: null, paragraphs, nextUrl, method: 'fallback', kept: 'cleaned' };
}

/** A text/plain page: paragraphs are separated by blank lines. */
export function extractFromText(text: string): Extracted {
  const paragraphs = clean(text.split(/\r?\n\s*\r?\n/).map(normalizeText));
  return { title: null, byline: null, paragraphs, nextUrl: null, method: 'text' };
}
