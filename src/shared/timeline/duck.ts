// Ducking (DESIGN §3, docs/timeline.md): an audio track lowered by `db` decibels over spans
// of output seconds, e.g. music under the words of a voice. The schema of a track's `duck` and
// its one volume filter, placed by audio.ts after the track is delayed to its start.
import { z } from 'zod';
import { secs } from './graph.js';

const seconds = (what: string, gt = false) => (gt ? z.number({ error: what }).gt(0, { error: what }) : z.number({ error: what }).min(0, { error: what }));

export const DuckSchema = z
  .strictObject(
    {
      db: z.number({ error: 'a number from 0 to 60' }).min(0, { error: 'a number from 0 to 60' }).max(60, { error: 'a number from 0 to 60' }),
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

/**
 * The ducking filter of a track: one volume filter enabled over the spans (output seconds);
 * null when it has none. The expression is a sum of between() terms inside quotes, numbers
 * only (validated), so nothing needs escaping.
 */
export function duckFilter(t: { duck?: Duck | undefined }): string | null {
  if (!t.duck || t.duck.db <= 0 || t.duck.spans.length === 0) return null;
  const gain = Math.round(10 ** (-t.duck.db / 20) * 1e6) / 1e6;
  const terms = t.duck.spans.map((s) => `between(t,${secs(s.start)},${secs(s.end)})`).join('+');
  return `volume=volume=${gain}:enable='${terms}'`;
}
