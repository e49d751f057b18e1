// Page furniture (newsletter boxes, share rows, comments, sidebars, captions) recognised by
// class or id tokens, and the story's own containers, which are never taken for furniture
// whatever their class says. Used by extract.ts before and after Readability.
/** Text as the extraction compares it: NFC, every kind of space one space, invisible joiners dropped, trimmed. */
export function normalizeText(s: string): string {
  return s.normalize('NFC').replace(/[\u00a0\u2000-\u200b\u202f\u205f\u3000]/g, ' ').replace(/[\u200c\u200d\ufeff]/g, '').replace(/\s+/g, ' ').trim();
}

export const NOISE_CLASS = /(comment|share|social|related|sidebar|widget|advert|promo|newsletter|signup|cookie|breadcrumb|footer|header|menu|nav|popup|subscribe|author-?bio|about-author|author-?note|caption)/i;
/** Inside an article Readability chose: only the blocks that are evidently not story. */
export const INNER_NOISE = /(newsletter|signup|subscribe|share|social|related|advert|promo|author-?bio|about-author|author-?note|breadcrumb|caption|comment)/i;
const noiseOf = (re: RegExp) => (el: Element) => re.test(tokensOf(el).join(' '));

/**
 * Page furniture recognisable by a class or id token ("newsletter-signup", "author-note",
 * "contributor-bio", "share-buttons"), removed before Readability runs: Readability turns
 * such a <div> into a <p> without its attributes, after which it can no longer be told apart.
 */
const FURNITURE_TOKEN = /^(?:[a-z0-9]+[-_])*(newsletter|signup|share|sharing|sharedaddy|social|related|advert|advertisement|ads?|promo|bio|authorbio|author-?bio|author-?note|authors?-?notes?|breadcrumbs?|caption|comments?|cookie|cookies)(?:[-_][a-z0-9]+)*$/i;

const INVISIBLE = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SVG']);

/** Text a reader sees: without scripts and styles (a page's inline JSON can hold the whole post again). */
function visibleLength(root: Element): number {
  let n = 0;
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.nodeType === 3) n += (node.nodeValue ?? '').replace(/\s+/g, ' ').trim().length;
    else if (node.nodeType === 1 && !INVISIBLE.has((node as Element).tagName.toUpperCase())) for (const k of Array.from(node.childNodes)) stack.push(k);
  }
  return n;
}

const tokensOf = (el: Element) => `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`.split(/\s+/).filter(Boolean);

/**
 * The elements that hold the story and must never be taken for furniture, whatever their class
 * says ("content-area has-sidebar", "newsletter-post", "entry-content share-buttons-bottom",
 * a list article's "slide-caption" items):
 *  - the main container: the element that gathers the most paragraph text, each <p> counting
 *    fully for its parent, half for its grandparent and a third for the one above (an article's
 *    paragraphs are siblings; a comment section's are spread one or two per comment), and every
 *    element around it;
 *  - repeated items inside it: three or more elements of the same tag and class that together
 *    hold at least 30% of its paragraph text (the entries of a list article), and what lies
 *    around them up to the main container.
 */
export function storyContainers(root: Element): Set<Element> {
  const keep = new Set<Element>();
  const score = new Map<Element, number>();
  const pText = new Map<Element, number>();
  for (const p of Array.from(root.querySelectorAll('p'))) {
    const len = normalizeText(p.textContent ?? '').length;
    if (!len) continue;
    pText.set(p, len);
    let el = p.parentElement;
    for (let level = 1; el && level <= 3; level++, el = el.parentElement) {
      score.set(el, (score.get(el) ?? 0) + len / level);
      if (el === root) break;
    }
  }
  let main: Element | null = null;
  let best = 0;
  for (const [el, sc] of score) if (sc > best) [main, best] = [el, sc];
  if (!main) return keep;
  for (let el: Element | null = main; el; el = el.parentElement) keep.add(el);
  const inside = (el: Element) => Array.from(el.querySelectorAll('p')).reduce((n, p) => n + (pText.get(p) ?? 0), 0);
  const mainText = inside(main);
  const groups = new Map<string, Element[]>();
  for (const el of Array.from(main.querySelectorAll('[class]'))) {
    const key = `${el.tagName} ${el.getAttribute('class')}`;
    const group = groups.get(key);
    if (group) group.push(el);
    else groups.set(key, [el]);
  }
  for (const els of groups.values()) {
    if (els.length < 3) continue;
    // Items are side by side, not nested in one another (linear: one walk up from each).
    const members = new Set(els);
    const nested = els.some((item) => {
      for (let el = item.parentElement; el && el !== main; el = el.parentElement) if (members.has(el)) return true;
      return false;
    });
    if (nested || els.reduce((n, el) => n + inside(el), 0) < mainText * 0.3) continue;
    for (const item of els) for (let el: Element | null = item; el && el !== main && !keep.has(el); el = el.parentElement) keep.add(el);
  }
  return keep;
}

export function removeFurniture(doc: Document): void {
  const body = doc.body;
  if (!body) return;
  const total = visibleLength(body) || 1;
  const keep = storyContainers(body);
  for (const el of Array.from(body.querySelectorAll('[class], [id]'))) {
    if (!el.isConnected || el.tagName === 'BODY' || el.tagName === 'MAIN' || el.tagName === 'ARTICLE' || keep.has(el)) continue;
    if (!tokensOf(el).some((t) => FURNITURE_TOKEN.test(t))) continue;
    // A wrapper named like furniture ("post has-comments") that holds most of the page's
    // visible text is the story's container, not furniture: keep it.
    if (visibleLength(el) > total * 0.3) continue;
    el.remove();
  }
}

/** A noise test that never matches the story's own containers. */
export function noiseOutside(re: RegExp, root: Element, extra: (el: Element) => boolean = () => false): (el: Element) => boolean {
  const keep = storyContainers(root);
  return (el) => !keep.has(el) && (noiseOf(re)(el) || extra(el));
}

