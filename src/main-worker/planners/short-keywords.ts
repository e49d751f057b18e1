// Keywords for matching what is said to what the catalog holds (docs/shorts.md): words
// lower-cased, split at anything that is not a letter or a digit, stop words removed, and
// stemmed by a small suffix stripper (English: "cars" and "car", "running" and "run" meet).
// Pure; the same text gives the same keywords.

/** English function words: they say nothing about what to show. */
const STOP_WORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below between both but by can could did do does doing down during each ' +
    'even ever every few for from further get gets got had has have having he her here hers herself him himself his how i if in into is it its itself just let lets like ' +
    'made make many may me more most much must my myself no nor not now of off on once one only or other our ours ourselves out over own really same say says said see ' +
    'she should so some such than that the their theirs them themselves then there these they this those through to too under until up upon us very was we were what ' +
    'when where which while who whom why will with would yet you your yours yourself yourselves thing things way ways there here today tonight well back still'
  ).split(' '),
);

const VOWEL = /[aeiouy]/;

/** A light English stemmer: plural, -ing, -ed and -ly endings (short words are left alone). */
export function stem(word: string): string {
  let w = word.toLowerCase();
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (/(?:ch|sh|x|z)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  for (const suffix of ['ing', 'ed']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3 && VOWEL.test(w.slice(0, -suffix.length))) {
      w = w.slice(0, -suffix.length);
      // running -> runn -> run; hopped -> hopp -> hop
      if (/([^aeiouslz])\1$/.test(w)) w = w.slice(0, -1);
      break;
    }
  }
  if (w.endsWith('ly') && w.length > 5) w = w.slice(0, -2);
  return w;
}

/** The words of a text, lower-cased (letters and digits of any script; apostrophes join "don't"). */
export function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/['’]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0);
}

/** The keywords of a text: stop words and one-letter words removed, stemmed, each once, in order. */
export function keywords(text: string): string[] {
  const out: string[] = [];
  for (const t of tokens(text)) {
    if (STOP_WORDS.has(t) || [...t].length < 2 || /^\d+$/.test(t)) continue;
    const s = stem(t);
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

/** The terms of a file name (its extension dropped; camelCase, dashes and underscores split). */
export function nameTerms(fileName: string): string[] {
  const base = fileName.replace(/\.[A-Za-z0-9]{1,5}$/, '').replace(/([a-z])([A-Z])/g, '$1 $2');
  return keywords(base);
}
