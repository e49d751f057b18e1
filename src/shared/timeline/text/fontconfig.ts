// The installed fonts, as fontconfig sees them (libass finds its fonts through fontconfig
// too): fc-match for the face a family resolves to, fc-list for the outline fonts that have
// a code point. Each call is an execa run with an argument array (never a shell), bounded in
// time and cancellable; answers are cached for a few minutes.
import { execa } from 'execa';
import { ClipmillError, subprocessError } from '../../errors.js';

/** How long one fc-match or fc-list may take (a cold fontconfig cache is rebuilt on first use). */
export const FC_TIMEOUT_MS = 30_000;

/** One face in fontconfig's answer. */
export interface FcFace {
  file: string;
  index: number;
  /** Every family name fontconfig knows the face by. */
  families: string[];
  postscriptName: string;
  /** fontconfig weight: 80 regular, 200 bold. */
  weight: number;
}

const FIELDS = '%{file}\\t%{index}\\t%{family}\\t%{postscriptname}\\t%{weight}\\n';
/** Answers are kept this long: a font installed while a worker runs is seen within minutes. */
export const FC_CACHE_MS = 10 * 60_000;
const cache = new Map<string, { at: number; answer: Promise<FcFace[]> }>();

/**
 * A fontconfig pattern naming one family. In the pattern syntax `\`, `-`, `:` and `,` are
 * special (escape, size, properties, a list of families); each is escaped with a backslash.
 */
export function familyPattern(family: string, props: Record<string, string> = {}): string {
  return [family.replace(/[\\\-:,]/g, '\\$&'), ...Object.entries(props).map(([k, v]) => `${k}=${v}`)].join(':');
}

/** Splits fontconfig's list of values (`a,b`, with `\,` for a comma inside a value). */
export function splitValues(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) cur += s[++i];
    else if (s[i] === ',') (out.push(cur), (cur = ''));
    else cur += s[i];
  }
  out.push(cur);
  return out.filter((v) => v.length > 0);
}

/** Parses fc-match/fc-list lines in the FIELDS format; malformed lines are skipped. */
export function parseFaces(stdout: string): FcFace[] {
  const out: FcFace[] = [];
  for (const line of stdout.split('\n')) {
    const f = line.split('\t');
    if (f.length !== 5 || !f[0]) continue;
    out.push({ file: f[0], index: Number(f[1]) || 0, families: splitValues(f[2]!), postscriptName: f[3]!, weight: Number(f[4]) || 80 });
  }
  return out;
}

async function run(tool: 'fc-match' | 'fc-list', args: string[], signal?: AbortSignal): Promise<FcFace[]> {
  const key = `${tool}\u0000${args.join('\u0000')}`;
  const cached = cache.get(key);
  let answer = cached && Date.now() - cached.at < FC_CACHE_MS ? cached.answer : undefined;
  if (!answer) {
    answer = (async () => {
      const r = await execa(tool, args, { reject: false, timeout: FC_TIMEOUT_MS, ...(signal ? { cancelSignal: signal } : {}) });
      const trouble = subprocessError(tool, r, { args });
      if (trouble) throw trouble;
      if (r.exitCode !== 0) throw new ClipmillError('SUBPROCESS_FAILED', `${tool} exited with code ${r.exitCode}: ${r.stderr.trim().slice(-500)}`, { details: { args } });
      return parseFaces(r.stdout);
    })();
    cache.set(key, { at: Date.now(), answer });
    // A failed or canceled run is not remembered: the next call asks again.
    answer.catch(() => cache.delete(key));
  }
  return answer;
}

/**
 * The face fontconfig resolves `family` (regular or bold) to. fontconfig always answers
 * something (its default font for an unknown family): the caller checks the families.
 */
export async function fcMatch(family: string, bold: boolean, signal?: AbortSignal): Promise<FcFace | null> {
  const faces = await run('fc-match', ['--format', FIELDS, familyPattern(family, { weight: bold ? 'bold' : 'regular', slant: 'roman' })], signal);
  return faces[0] ?? null;
}

/** Every outline face that has the code point (fontconfig's charset; fontkit confirms). */
export async function fcListCharset(codePoint: number, signal?: AbortSignal): Promise<FcFace[]> {
  return run('fc-list', ['--format', FIELDS, `:charset=${codePoint.toString(16)}:outline=true`], signal);
}

/** The families of every installed outline font (each face's first name), sorted, once each. */
export async function fcFamilies(signal?: AbortSignal): Promise<string[]> {
  const faces = await run('fc-list', ['--format', FIELDS, ':outline=true'], signal);
  return [...new Set(faces.map((f) => f.families[0]).filter((f): f is string => !!f))].sort();
}
