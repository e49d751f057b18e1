// Configuration: config/default.json, merged with a user file (--config), then with
// CLIPMILL_<SECTION>_<KEY> environment overrides; validated strictly and deep-frozen (STYLE 8).
// The schema, and the Config type inferred from it, are in config/schema.ts; docs/config.md
// documents every key; test/shared/config.test.ts checks it does.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigSchema, LayerSchema, SCHEMA, type Config } from './config/schema.js';
import { ClipmillError } from './errors.js';
import { fieldPath } from './json.js';
import { packageRoot } from './package-root.js';

export { CategorySettingsSchema, ConfigSchema, SCHEMA, parseResolution, type CategorySettings, type Config, type Fit, type LogFormat, type LogLevel } from './config/schema.js';

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

/** Environment variables starting with CLIPMILL_ that are not config overrides. */
const NON_CONFIG_ENV = new Set(['CLIPMILL_ROOT', 'CLIPMILL_CONFIG', 'CLIPMILL_NODE_BIN']);

/** Keys whose objects merge entry by entry across layers, so that a user file can tune one encoder only. */
const MERGED_PER_ENTRY = new Set(['render.encoderArgs']);

/** `render.stallTimeoutMs` -> `CLIPMILL_RENDER_STALL_TIMEOUT_MS`. */
export function envName(section: string, key: string): string {
  return `CLIPMILL_${section.toUpperCase()}_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const s = JSON.stringify(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function bad(source: string, key: string, expected: string, given: unknown): ClipmillError {
  return new ClipmillError('CONFIG_INVALID', `${source}: ${key} must be ${expected}, got ${describe(given)}`, {
    details: { source, key, expected, given },
  });
}

interface Problem {
  source: string;
  key: string;
  expected: string;
  given: unknown;
  text: string;
}

/**
 * zod's issues as config messages: "<source>: <key> must be <expected>, got <value>", or
 * "<source>: unknown key "<key>" (known: ...)". Each schema leaf's error message is what it
 * expects (config/schema.ts), so the message is the issue's own.
 */
function problems(issues: readonly z.core.$ZodIssue[], sourceFor: (path: readonly PropertyKey[]) => string): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  const add = (p: Problem) => {
    if (!seen.has(p.text)) out.push(p);
    seen.add(p.text);
  };
  for (const iss of issues) {
    const source = sourceFor(iss.path);
    if (iss.code === 'unrecognized_keys') {
      for (const k of iss.keys) {
        const key = fieldPath([...iss.path, k]);
        add({ source, key, expected: 'a known key', given: k, text: `${source}: unknown key "${key}" (${iss.message})` });
      }
      continue;
    }
    const key = fieldPath(iss.path);
    // A record's bad key (an encoder or category name): what the key schema said.
    const expected = iss.code === 'invalid_key' ? (iss.issues[0]?.message ?? iss.message) : iss.message;
    const given = iss.input;
    // Only the defaults can leave a key out: every later layer is merged over them.
    const text = given === undefined && iss.code === 'invalid_type' ? `${source}: ${key} is missing (every key must be in the defaults; it must be ${expected})` : `${source}: ${key} must be ${expected}, got ${describe(given)}`;
    add({ source, key, expected, given, text });
  }
  return out;
}

function invalid(issues: readonly z.core.$ZodIssue[], sourceFor: (path: readonly PropertyKey[]) => string): ClipmillError {
  const all = problems(issues, sourceFor);
  const first = all[0];
  return new ClipmillError('CONFIG_INVALID', all.slice(0, 5).map((p) => p.text).join('; ') || 'invalid configuration', {
    details: first ? { source: first.source, key: first.key, expected: first.expected, given: first.given } : {},
  });
}

/** An environment value read by the type its key's schema declares (docs/config.md). */
function envValue(leaf: z.ZodType, name: string, key: string, raw: string): unknown {
  const nullable = leaf instanceof z.ZodNullable;
  const inner: unknown = leaf instanceof z.ZodNullable ? leaf.unwrap() : leaf;
  // For a key that allows null, an empty value means null (and `null` too, for numbers).
  if (nullable && (raw === '' || (raw === 'null' && inner instanceof z.ZodNumber))) return null;
  if (inner instanceof z.ZodNumber) {
    const n = raw.trim() === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(n)) throw bad(name, key, 'a number', raw);
    return n;
  }
  if (inner instanceof z.ZodBoolean) {
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    throw bad(name, key, 'true or false (1/0, yes/no, on/off)', raw);
  }
  if (inner instanceof z.ZodArray) return raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (inner instanceof z.ZodRecord) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw bad(name, key, 'a JSON object', raw);
    }
  }
  return raw; // strings and enums: the schema checks them after merging
}

function envOverrides(env: NodeJS.ProcessEnv): { source: string; section: string; key: string; value: unknown }[] {
  const byName = new Map<string, { section: string; key: string; leaf: z.ZodType }>();
  for (const [section, keys] of Object.entries(SCHEMA)) for (const [key, leaf] of Object.entries(keys)) byName.set(envName(section, key), { section, key, leaf });
  const out = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('CLIPMILL_') || NON_CONFIG_ENV.has(name) || raw === undefined) continue;
    const hit = byName.get(name);
    if (!hit) throw new ClipmillError('CONFIG_INVALID', `environment variable ${name} is not a clipmill setting (settings look like ${envName('render', 'fps')})`, { details: { key: name } });
    out.push({ source: `environment ${name}`, section: hit.section, key: hit.key, value: envValue(hit.leaf, name, `${hit.section}.${hit.key}`, raw) });
  }
  return out;
}

function deepFreeze<T>(obj: T): T {
  if (typeof obj === 'object' && obj !== null) {
    for (const v of Object.values(obj)) deepFreeze(v);
    Object.freeze(obj);
  }
  return obj;
}

export interface LoadConfigOptions {
  /** A user JSON file merged over the defaults. */
  file?: string | undefined;
  /** Overrides merged last (used by `clipmill demo` and tests); validated like a file. */
  overrides?: DeepPartial<Config> | undefined;
  /** Environment to read CLIPMILL_* overrides from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export function defaultConfigPath(): string {
  return join(packageRoot(), 'config', 'default.json');
}

/** A layer's JSON, unchecked: its keys are checked by LayerSchema, its values after merging. */
function readLayer(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ClipmillError('CONFIG_UNREADABLE', `cannot read ${what} ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ClipmillError('CONFIG_UNREADABLE', `${what} ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Loads, merges, validates and freezes the configuration. Throws ClipmillError('CONFIG_*'). */
export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const defaultsPath = defaultConfigPath();
  const layers: { source: string; obj: unknown }[] = [{ source: defaultsPath, obj: readLayer(defaultsPath, 'default config') }];
  if (opts.file) layers.push({ source: opts.file, obj: readLayer(opts.file, 'config file') });
  if (opts.overrides) layers.push({ source: 'overrides', obj: structuredClone(opts.overrides) });

  const merged: Record<string, Record<string, unknown>> = {};
  const sourceOf = new Map<string, string>();
  const put = (source: string, section: string, key: string, value: unknown) => {
    const body = (merged[section] ??= {});
    const prev = body[key];
    body[key] = MERGED_PER_ENTRY.has(`${section}.${key}`) && isPlainObject(prev) && isPlainObject(value) ? { ...prev, ...value } : value;
    sourceOf.set(`${section}.${key}`, source);
  };
  for (const { source, obj } of layers) {
    // Unknown sections and keys are refused per layer, naming the layer that holds them.
    const shape = LayerSchema.safeParse(obj, { reportInput: true });
    if (!shape.success) throw invalid(shape.error.issues, () => source);
    for (const [section, body] of Object.entries(shape.data)) {
      for (const [key, value] of Object.entries(body ?? {})) if (value !== undefined) put(source, section, key, value);
    }
  }
  for (const o of envOverrides(opts.env ?? process.env)) put(o.source, o.section, o.key, o.value);

  // A value is blamed on the layer that set it last.
  const r = ConfigSchema.safeParse(merged, { reportInput: true });
  if (!r.success) throw invalid(r.error.issues, (path) => sourceOf.get(`${String(path[0])}.${String(path[1])}`) ?? defaultsPath);
  return deepFreeze(r.data);
}

/** The node id: `node.id`, else the host name (sanitized). */
export function nodeId(config: Config): string {
  return config.node.id ?? (hostname().replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || 'node');
}
