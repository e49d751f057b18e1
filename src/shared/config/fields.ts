// The leaf schemas of the configuration (schema.ts): each carries, as its error message, what
// it expects, so that a bad value is reported as "<source>: <key> must be <expected>, got <value>".
import { z } from 'zod';

const range = (min: number, max: number | undefined, exclusiveMin = false) => `${exclusiveMin ? '>' : '>='} ${min}${max === undefined ? '' : ` and <= ${max}`}`;

/** An integer in [min, max]; `orNull` widens the message of a nullable key. */
export function integer(min: number, max?: number, orNull = '') {
  const error = `an integer ${range(min, max)}${orNull}`;
  const s = z.number({ error }).int({ error }).min(min, { error });
  return max === undefined ? s : s.max(max, { error });
}

/** A finite number in [min, max], or (min, max] with `exclusiveMin`. */
export function number(min: number, max?: number, exclusiveMin = false) {
  const error = `a number ${range(min, max, exclusiveMin)}`;
  const s = exclusiveMin ? z.number({ error }).gt(min, { error }) : z.number({ error }).min(min, { error });
  return max === undefined ? s : s.max(max, { error });
}

/** A non-empty string, optionally matching `pattern` (then `expected` says what it should look like). */
export function text(pattern?: RegExp, expected = 'a non-empty string') {
  const s = z.string({ error: expected }).min(1, { error: expected });
  return pattern ? s.regex(pattern, { error: expected }) : s;
}

export const nullableText = () => text(undefined, 'a non-empty string or null').nullable();
export const flag = () => z.boolean({ error: 'true or false' });
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `one of ${values.map((x) => `"${x}"`).join(', ')}` });
}

/** A strict object: unknown keys are errors whose message lists the known ones. */
export function strict<S extends z.ZodRawShape>(shape: S, known: string, notObject: string) {
  return z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? `${known}: ${Object.keys(shape).join(', ')}` : notObject) });
}
export const section = <S extends z.ZodRawShape>(name: string, shape: S) => strict(shape, `known in ${name}`, 'an object');
