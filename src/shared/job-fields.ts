// Field builders shared by every job file schema (src/shared/job.ts and each template's
// src/shared/jobs/<template>.ts): the same wording of errors everywhere. A module of its own so
// that template schemas import them without an import cycle through job.ts.
import { z } from 'zod';

export const num = (what: string) => z.number({ error: what });
export const between = (min: number, max: number) => num(`a number from ${min} to ${max}`).min(min, { error: `a number from ${min} to ${max}` }).max(max, { error: `a number from ${min} to ${max}` });
export const above = (min: number) => num(`a number > ${min}`).gt(min, { error: `a number > ${min}` });
export const intBetween = (min: number, max: number) => z.number({ error: `an integer from ${min} to ${max}` }).int({ error: `an integer from ${min} to ${max}` }).min(min, { error: `an integer from ${min} to ${max}` }).max(max, { error: `an integer from ${min} to ${max}` });
export const nonEmpty = (what = 'a non-empty string') => z.string({ error: what }).trim().min(1, { error: what });
export const bool = () => z.boolean({ error: 'true or false' });
/** A strict object: unknown keys are errors, so a typo in a key is reported, not ignored. */
export const object = <S extends z.ZodRawShape>(shape: S) => z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : 'an object') });
export const list = <T extends z.ZodType>(item: T, what: string, min = 1) => z.array(item, { error: what }).min(min, { error: what });

/** Most variations one job may ask for per source. */
export const MAX_VARIATIONS = 1000;

/**
 * Selector (DESIGN §1): `{"id": "<asset id>"}`, or `{"category": "c", "tags": ["t"]}` (every asset
 * of the category that has all the tags; no tags: all of it).
 */
export const SelectorSchema = object({
  id: nonEmpty('an asset id').optional(),
  category: nonEmpty('a category name').optional(),
  tags: list(nonEmpty('a tag'), 'a list of tags', 0).optional(),
}).superRefine((s, ctx) => {
  if (s.id === undefined && s.category === undefined) ctx.addIssue({ code: 'custom', path: [], message: 'a selector: {"id": ...} or {"category": ..., "tags": [...]}', input: s });
  if (s.id !== undefined && (s.category !== undefined || s.tags !== undefined)) ctx.addIssue({ code: 'custom', path: ['id'], message: 'an id alone (an id names one asset: no category or tags with it)', input: s.id });
});
export type Selector = z.infer<typeof SelectorSchema>;


const RESOLUTION = '"WIDTHxHEIGHT" with even sizes from 16 to 8192, such as "1080x1920"';
/** An output size, "WIDTHxHEIGHT" (even, 16 to 8192). */
export const resolutionField = () =>
  z.string({ error: RESOLUTION }).refine((v) => {
    const m = /^(\d{2,4})x(\d{2,4})$/.exec(v);
    if (!m) return false;
    const [w, h] = [Number(m[1]), Number(m[2])];
    return w >= 16 && h >= 16 && w <= 8192 && h <= 8192 && w % 2 === 0 && h % 2 === 0;
  }, { error: RESOLUTION });
