// Tags (DESIGN §1): trimmed, compared case-insensitively, stored lower-case; `;`-separated in a
// CSV cell. The pairing rule every planner follows: two tagged assets may appear in one video
// only if they share a tag; an untagged asset pairs with anything.

/** Trimmed, lower-cased, empty ones dropped, duplicates removed, in first-seen order. */
export function normalizeTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    const n = t.trim().toLowerCase();
    if (n && !out.includes(n)) out.push(n);
  }
  return out;
}

/** A CSV cell's tags: `spring; Red Car;` → ["spring", "red car"]. */
export function parseTagCell(cell: string): string[] {
  return normalizeTags(cell.split(';'));
}

/** Whether two assets may appear in one video: either is untagged, or they share a tag. */
export function tagsPair(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  return a.some((t) => b.includes(t));
}

/**
 * The tags of what a planner has drawn for one video so far: an asset may join only when it
 * pairs with every one of them (untagged assets always fit and add nothing).
 */
export class Pairing {
  private readonly sets: string[][] = [];
  fits = (tags: readonly string[]): boolean => this.sets.every((s) => tagsPair(s, tags));
  add = (tags: readonly string[]): void => void (tags.length && this.sets.push([...tags]));
  /** Every tag drawn so far, once each (for a waiting reason). */
  tags(): string[] {
    return [...new Set(this.sets.flat())];
  }
}

/** Whether every asset of `set` pairs with every other (the rule over a whole video). */
export function allPair(set: readonly (readonly string[])[]): boolean {
  for (let i = 0; i < set.length; i++) for (let j = i + 1; j < set.length; j++) if (!tagsPair(set[i]!, set[j]!)) return false;
  return true;
}

/** Whether an asset has every tag a selector asks for (a selector without tags matches all). */
export function hasAllTags(assetTags: readonly string[], wanted: readonly string[]): boolean {
  return wanted.every((t) => assetTags.includes(t.trim().toLowerCase()));
}
