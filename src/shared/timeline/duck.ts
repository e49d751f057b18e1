// Ducking (DESIGN §3, docs/timeline.md): an audio track lowered by `db` decibels over spans
// of output seconds, e.g. music under the words of a voice. The schema of a track's `duck` and
// its filters, placed by audio.ts after the track is delayed to its start.
//
// The gain ramps, it never jumps: down over `attack` seconds that end where a span starts (the
// music is already low when the voice starts), up over `release` seconds that start where it
// ends. Spans closer than attack + release are one span (the music does not bounce between
// words). The ramp is linear in decibels: loudness is heard in decibels, so the level falls and
// rises at one even rate (db / attack dB a second); a ramp linear in amplitude would spend most
// of its time near the top and drop the last decibels (all of them, at 60 dB) at the very end,
// a pump of its own.
//
// FFmpeg 5.1 has no per-sample gain curve filter; `volume` with eval=frame evaluates an
// expression of `t` once per audio frame. Frames are cut to 1 ms (asetnsamples) before it, so
// the curve moves in steps of db * 1 ms / attack (0.23 dB for 18 dB over 80 ms): far below what
// is heard, where the step it replaces was the whole `db` in one sample.
//
// The expression stays small whatever the number of spans (up to 5000): a volume expression
// holding every span would be evaluated in full every millisecond, and would not fit in one
// argument of the command line (128 KiB on Linux). The volume filter starts with the
// expression of the first DUCK_WINDOW spans; an asendcmd file (one of the run's auxiliary
// files) hands it the expression of the next ones in the gap before them. asendcmd looks at
// every command for every frame it sees, so it sees 10 ms frames, not 1 ms ones.
import { z } from 'zod';
import { filterValue } from './escape.js';
import { secs, type Graph } from './graph.js';

const seconds = (what: string, gt = false) => (gt ? z.number({ error: what }).gt(0, { error: what }) : z.number({ error: what }).min(0, { error: what }));
const between = (min: number, max: number) => z.number({ error: `a number from ${min} to ${max}` }).min(min, { error: `a number from ${min} to ${max}` }).max(max, { error: `a number from ${min} to ${max}` });

/** Seconds the level takes to go down before a span (default): fast enough to be down before the first syllable, slow enough not to be heard as a cut. */
export const DUCK_ATTACK = 0.08;
/** Seconds the level takes to come back after a span (default): a gentle return that does not breathe between sentences. */
export const DUCK_RELEASE = 0.25;

export const DuckSchema = z
  .strictObject(
    {
      db: between(0, 60),
      /** Seconds of the ramp down, ending where each span starts. */
      attack: between(0.01, 2).default(DUCK_ATTACK),
      /** Seconds of the ramp up, starting where each span ends. */
      release: between(0.01, 5).default(DUCK_RELEASE),
      /** Output seconds, in order, not overlapping. */
      spans: z.array(z.strictObject({ start: seconds('a number >= 0'), end: seconds('a number > 0', true) }, { error: 'an object' }), { error: 'a list of { "start", "end" }' }).max(5000, { error: 'at most 5000 spans' }),
    },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : 'an object') },
  )
  .superRefine((d, ctx) => {
    d.spans.forEach((s, i, all) => {
      if (s.end <= s.start) ctx.addIssue({ code: 'custom', path: ['spans', i, 'end'], message: `a number above start (${s.start})`, input: s.end });
      else if (i > 0 && s.start < all[i - 1]!.end) ctx.addIssue({ code: 'custom', path: ['spans', i, 'start'], message: `a number >= the previous span's end (${all[i - 1]!.end})`, input: s.start });
    });
  });
export type Duck = z.infer<typeof DuckSchema>;

/** Spans per expression handed to the volume filter. */
export const DUCK_WINDOW = 4;
/** Samples per frame of the volume filter (1 ms at 48 kHz) and of asendcmd (10 ms). */
export const DUCK_FRAME = 48;
const COMMAND_FRAME = 480;
/**
 * Seconds an expression also covers on each side of its window: asendcmd hands it over on the
 * first 10 ms frame at or after the command's time, and frames it let through before may still
 * wait for the volume filter (in the FIFOs between them), so the old and the new expression
 * must both hold around the hand-over. A quarter second is many frames; it adds a region or two
 * to an expression (regions last at least attack + release).
 */
const OVERLAP = 0.25;

/** Where the gain moves: from `from` (the attack starts) to `to` (the release ends). */
export interface DuckRegion {
  from: number;
  to: number;
}

/** The spans as the ramps see them: spans closer than attack + release merged, widened by the ramps. */
export function duckRegions(d: Duck): DuckRegion[] {
  const merged: { start: number; end: number }[] = [];
  for (const s of d.spans) {
    const last = merged[merged.length - 1];
    // Spans are given to the millisecond: a gap of exactly attack + release keeps them apart,
    // whatever the float noise of start - end.
    if (last && s.start - last.end < d.attack + d.release - 1e-6) last.end = s.end;
    else merged.push({ start: s.start, end: s.end });
  }
  return merged.map((s) => ({ from: s.start - d.attack, to: s.end + d.release }));
}

/**
 * The gain over `regions` as a volume expression of `t`: 10^(-db/20 * x), x the depth from 0
 * (full level) to 1 (down by db): (t - from) / attack on the way down, (to - t) / release on
 * the way up, 1 in between, below 0 outside (clipped). The regions do not overlap, so the
 * largest x is the region t is in. t is NaN when volume evaluates it before the first frame:
 * 1 then, not a warning.
 */
export function duckExpression(d: Duck, regions: readonly DuckRegion[]): string {
  const terms = regions.map((r) => `min((t-${secs(r.from)})/${secs(d.attack)},(${secs(r.to)}-t)/${secs(d.release)})`);
  const depth = terms.reduceRight((inner, term) => `max(${term},${inner})`);
  return `if(isnan(t),1,pow(10,-${Math.round((d.db / 20) * 1e6) / 1e6}*clip(${depth},0,1)))`;
}

/**
 * The expressions of a duck: the one the volume filter starts with, and the later ones with the
 * output second at which each is handed over (in the gap before its first span, in order).
 * Each covers DUCK_WINDOW spans and those within OVERLAP seconds of its hand-overs.
 */
export function duckPlan(d: Duck): { initial: string; commands: { at: number; expression: string }[] } {
  const regions = duckRegions(d);
  const starts: number[] = [];
  const at: number[] = [];
  for (let i = 0; i < regions.length; i += DUCK_WINDOW) {
    starts.push(i);
    at.push(i === 0 ? -Infinity : (regions[i - 1]!.to + regions[i]!.from) / 2);
  }
  const expressions = starts.map((_, j) => {
    const from = at[j]! - OVERLAP;
    const to = j + 1 < at.length ? at[j + 1]! + OVERLAP : Infinity;
    return duckExpression(d, regions.filter((r) => r.to >= from && r.from <= to));
  });
  return { initial: expressions[0]!, commands: expressions.slice(1).map((expression, j) => ({ at: at[j + 1]!, expression })) };
}

/** The asendcmd file that hands the volume filter named `target` its later expressions. */
export function duckCommands(target: string, commands: readonly { at: number; expression: string }[]): string {
  // Quoted: the expressions hold commas, which separate commands; they hold no quotes.
  return commands.map((c) => `${secs(c.at)} ${target} volume '${c.expression}';\n`).join('');
}

/**
 * The ducking filters of a track, null when it has none: 1 ms frames into a volume filter of
 * its own name (asendcmd finds it by it) that evaluates the gain per frame, and, for more spans
 * than one expression holds, the asendcmd that reads the later expressions from a file in
 * `workDir`; then frames of 1024 samples again for the filters after it.
 */
export function duckFilters(g: Graph, t: { duck?: Duck | undefined }, workDir: string): string[] | null {
  if (!t.duck || t.duck.db <= 0 || t.duck.spans.length === 0) return null;
  const plan = duckPlan(t.duck);
  const id = g.label('duck').slice(1, -1);
  const name = `volume@${id}`;
  const f: string[] = [];
  if (plan.commands.length) {
    const path = g.file(`${workDir}/${id}.cmd`, duckCommands(name, plan.commands));
    f.push(`asetnsamples=n=${COMMAND_FRAME}:p=0`, `asendcmd=f=${filterValue(path)}`);
  }
  f.push(`asetnsamples=n=${DUCK_FRAME}:p=0`, `${name}=volume='${plan.initial}':eval=frame`, 'asetnsamples=n=1024:p=0');
  return f;
}
