// Story extraction: quality on saved pages whose main text is known, and pages per second.
// The pages are in bench/pages (read from the source folder, not dist): NAME.html, the page as
// bytes in its own charset, and NAME.txt, the gold story text in UTF-8 (paragraphs separated by
// a blank line). They were written for this benchmark: blog, news, fiction and forum layouts,
// cookie banners, windows-1251 and Shift_JIS pages, Substack posts, WordPress pages whose content
// wrappers carry furniture-like class tokens, list articles, review roundups. A page's kind is
// its file name up to the first '-' (substack-hive.html is a "substack" page). Everything is
// measured side by side in this one run, on the same pages:
//   quality   word precision, recall and F1 against the gold text, for clipmill (decodePage then
//             extractFromHtml, paragraphs joined), for plain Readability (the same jsdom and
//             @mozilla/readability with default options, its textContent) and for the naive
//             baseline document.body.textContent (jsdom, same decode); per page, then macro
//             averages per kind and over all pages. Words are the lowercased word-like
//             segments of Intl.Segmenter (so Japanese is split too), compared as bags.
//   speed     pages/s of extractFromHtml in-process, of extractInWorker (the daemon's path: one
//             reused worker thread), and of the baseline, each for BENCH_SECONDS (3) seconds.
// BENCH_VERBOSE=1 also prints, per page, the extracted paragraphs that are not story (leaked)
// and the story paragraphs that were not extracted (dropped).
// Run: npm run bench (or node scripts/setup.mjs --bench bench/extract.ts)
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readability } from '@mozilla/readability';
import { JSDOM, VirtualConsole } from 'jsdom';
import { decodePage } from '../src/main-worker/crawl/charset.js';
import { extractFromHtml, normalizeText, type Extracted } from '../src/main-worker/crawl/extract.js';
import { extractInWorker } from '../src/main-worker/crawl/extract-worker.js';
import { packageRoot } from '../src/shared/package-root.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const VERBOSE = process.env.BENCH_VERBOSE === '1';
const WORKER_OPTS = { timeoutMs: 20_000, maxHeapMb: 256 };

interface Page {
  name: string;
  url: string;
  bytes: number;
  html: string;
  charset: string;
  gold: string;
}

interface Score {
  p: number;
  r: number;
  f1: number;
}

const segmenter = new Intl.Segmenter('und', { granularity: 'word' });

function bag(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of segmenter.segment(text.normalize('NFC'))) {
    if (!s.isWordLike) continue;
    const w = s.segment.toLowerCase();
    out.set(w, (out.get(w) ?? 0) + 1);
  }
  return out;
}

function size(b: Map<string, number>): number {
  let n = 0;
  for (const c of b.values()) n += c;
  return n;
}

/** Multiset overlap of the words of `got` and `gold`. */
function score(got: string, gold: string): Score {
  const g = bag(got);
  const t = bag(gold);
  let common = 0;
  for (const [w, c] of g) common += Math.min(c, t.get(w) ?? 0);
  const p = size(g) ? common / size(g) : 0;
  const r = size(t) ? common / size(t) : 0;
  return { p, r, f1: p + r ? (2 * p * r) / (p + r) : 0 };
}

function baseline(html: string, url: string): string {
  const dom = new JSDOM(html, { url, contentType: 'text/html', virtualConsole: new VirtualConsole() });
  try {
    return dom.window.document.body?.textContent ?? '';
  } finally {
    dom.window.close();
  }
}

/** Plain Readability: default options, its textContent split into paragraphs (lines). */
function plainReadability(html: string, url: string): string[] {
  const dom = new JSDOM(html, { url, contentType: 'text/html', virtualConsole: new VirtualConsole() });
  try {
    const article = new Readability(dom.window.document).parse();
    return (article?.textContent ?? '').split(/\n/).map(normalizeText).filter(Boolean);
  } catch {
    return [];
  } finally {
    dom.window.close();
  }
}

const kindOf = (name: string) => name.split('-')[0]!;

const joined = (x: Extracted) => x.paragraphs.join('\n\n');

function loadPages(): Page[] {
  const dir = join(packageRoot(), 'bench', 'pages');
  const names = readdirSync(dir).filter((f) => f.endsWith('.html')).map((f) => f.slice(0, -'.html'.length)).sort();
  if (!names.length) throw new Error(`no pages in ${dir}`);
  return names.map((name) => {
    const buf = readFileSync(join(dir, `${name}.html`));
    const { text, charset } = decodePage(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), null);
    const gold = readFileSync(join(dir, `${name}.txt`), 'utf8');
    return { name, url: `https://example.com/${name}`, bytes: buf.byteLength, html: text, charset, gold };
  });
}

/** Runs whole rounds over the pages until SECONDS have passed (after one warm-up round). */
async function rate(pages: Page[], fn: (p: Page) => unknown): Promise<number> {
  for (const p of pages) await fn(p);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    for (const p of pages) await fn(p);
    n += pages.length;
  }
  return n / ((performance.now() - t0) / 1000);
}

const f3 = (x: number) => x.toFixed(3);
const trio = (s: Score) => `${f3(s.p)} ${f3(s.r)} ${f3(s.f1)}`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const macro = (ss: Score[]): Score => ({ p: mean(ss.map((s) => s.p)), r: mean(ss.map((s) => s.r)), f1: mean(ss.map((s) => s.f1)) });

/** Paragraphs of `from` that are not (whitespace-normalized) substrings of `within`. */
function missing(from: string[], within: string[]): string[] {
  const hay = within.map(normalizeText).join('\n');
  return from.map(normalizeText).filter((p) => p && !hay.includes(p));
}
const clip = (s: string) => (s.length > 110 ? `${s.slice(0, 107)}...` : s);

const pages = loadPages();
const ours: Score[] = [];
const plain: Score[] = [];
const base: Score[] = [];
const width = Math.max(...pages.map((p) => p.name.length), 'macro average'.length);
console.log(`extraction benchmark: ${pages.length} pages in bench/pages, ${pages.reduce((a, p) => a + size(bag(p.gold)), 0)} gold words; P R F1 = word precision, recall, F1; kept: which text clipmill kept (cleaned, or plain Readability's by the safety net)`);
console.log(`${'page'.padEnd(width)}  ${'charset'.padEnd(12)} ${'method'.padEnd(11)} ${'kept'.padEnd(11)} ${'KB'.padStart(5)} ${'words'.padStart(5)}  ${'clipmill P R F1'.padEnd(17)}  ${'Readability P R F1'.padEnd(18)}  body.textContent P R F1`);
for (const page of pages) {
  const x = extractFromHtml(page.html, page.url);
  const s = score(joined(x), page.gold);
  const rd = plainReadability(page.html, page.url);
  const r = score(rd.join('\n\n'), page.gold);
  const b = score(baseline(page.html, page.url), page.gold);
  ours.push(s);
  plain.push(r);
  base.push(b);
  console.log(`${page.name.padEnd(width)}  ${page.charset.padEnd(12)} ${x.method.padEnd(11)} ${(x.kept ?? '').padEnd(11)} ${(page.bytes / 1024).toFixed(1).padStart(5)} ${String(size(bag(page.gold))).padStart(5)}  ${trio(s)}  ${trio(r).padEnd(18)}  ${trio(b)}`);
  if (VERBOSE) {
    const gold = page.gold.split(/\n\s*\n/);
    for (const p of missing(x.paragraphs, gold)) console.log(`    + leaked:  ${clip(p)}`);
    for (const p of missing(gold, x.paragraphs)) console.log(`    - dropped: ${clip(p)}`);
  }
}
const kinds = [...new Set(pages.map((p) => kindOf(p.name)))].sort();
console.log(`\nper kind (macro averages; a kind is a page name's prefix before the first '-')`);
console.log(`${'kind'.padEnd(width)}  ${'pages'.padStart(5)}  ${'clipmill P R F1'.padEnd(17)}  ${'Readability P R F1'.padEnd(18)}  body.textContent P R F1`);
const row = (label: string, idx: number[]) => {
  const pick = (ss: Score[]) => macro(idx.map((i) => ss[i]!));
  console.log(`${label.padEnd(width)}  ${String(idx.length).padStart(5)}  ${trio(pick(ours))}  ${trio(pick(plain)).padEnd(18)}  ${trio(pick(base))}`);
};
for (const kind of kinds) row(kind, pages.flatMap((p, i) => (kindOf(p.name) === kind ? [i] : [])));
row('macro average', pages.map((_, i) => i));
const mo = macro(ours);
const mr = macro(plain);
const mb = macro(base);
const worst = (ss: Score[]) => {
  const i = ss.reduce((w, s, j) => (s.f1 < ss[w]!.f1 ? j : w), 0);
  return `${f3(ss[i]!.f1)} on ${pages[i]!.name}`;
};
console.log(`F1 ratio clipmill/Readability: ${(mo.f1 / mr.f1).toFixed(2)}, clipmill/body.textContent: ${(mo.f1 / mb.f1).toFixed(2)} (macro); min F1: clipmill ${worst(ours)}, Readability ${worst(plain)}; pages where clipmill's F1 is below Readability's by more than 0.05: ${pages.filter((_, i) => ours[i]!.f1 < plain[i]!.f1 - 0.05).map((p) => p.name).join(', ') || 'none'}`);

const kb = pages.reduce((a, p) => a + p.bytes, 0) / 1024 / pages.length;
const inProcess = await rate(pages, (p) => extractFromHtml(p.html, p.url));
const inWorker = await rate(pages, (p) => extractInWorker(p.html, p.url, WORKER_OPTS));
const naive = await rate(pages, (p) => baseline(p.html, p.url));
const readability = await rate(pages, (p) => plainReadability(p.html, p.url));
const speed = (name: string, r: number, note: string) => console.log(`${name.padEnd(34)} ${r.toFixed(1).padStart(7)} pages/s ${(1000 / r).toFixed(2).padStart(7)} ms/page  ${note}`.trimEnd());
console.log(`speed: ${SECONDS} s each over the ${pages.length} pages (mean ${kb.toFixed(1)} KB), one after the other`);
speed('extractFromHtml (in-process)', inProcess, '');
speed('extractInWorker (daemon path)', inWorker, `${(inWorker / inProcess).toFixed(2)}x in-process (timeoutMs ${WORKER_OPTS.timeoutMs}, maxHeapMb ${WORKER_OPTS.maxHeapMb})`);
speed('plain Readability (jsdom)', readability, `clipmill in-process (which also runs plain Readability, for the safety net) runs at ${((100 * inProcess) / readability).toFixed(0)}% of it`);
speed('baseline body.textContent (jsdom)', naive, `jsdom parse + textContent only: clipmill in-process runs at ${((100 * inProcess) / naive).toFixed(0)}% of it`);
