// Configuration: config/default.json, merged with a user file (--config), then with
// CLIPMILL_<SECTION>_<KEY> environment overrides; validated strictly and deep-frozen.
// docs/config.md documents every key; test/shared/config.test.ts checks it does.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ClipmillError } from './errors.js';
import { packageRoot } from './package-root.js';

export type Fit = 'pad' | 'crop';
export type LogFormat = 'line' | 'json';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface Config {
  node: { id: string | null };
  ffmpeg: { ffmpegPath: string | null; ffprobePath: string | null };
  watch: { usePolling: boolean; pollingIntervalMs: number };
  ingest: {
    stableMs: number;
    scanIntervalMs: number;
    concurrency: number;
    convertConcurrency: number;
    minClipSeconds: number;
    decodeCheckSeconds: number;
    conformPreset: string;
    conformCrf: number;
    voiceMinSeconds: number;
    voiceMaxSeconds: number;
    voiceSilenceDb: number;
    musicMinSeconds: number;
    musicLoudnessLufs: number;
    musicTruePeakDb: number;
    musicLra: number;
    musicBitrate: string;
  };
  crawl: {
    allowPrivateNetworks: boolean;
    userAgent: string | null;
    concurrency: number;
    connectTimeoutMs: number;
    timeoutMs: number;
    maxBytes: number;
    maxRedirects: number;
    retries: number;
    retryBaseMs: number;
    maxRetryAfterMs: number;
    maxPages: number;
    maxWordsPerChunk: number;
    extractTimeoutMs: number;
    extractMaxHeapMb: number;
  };
  render: {
    resolution: string;
    fps: number;
    encoders: string[];
    encoderArgs: Record<string, string[]>;
    vaapiDevice: string;
    fit: Fit;
    logo: string | null;
    logoWidth: number;
    musicVolume: number;
    voiceVolume: number;
    fadeOutSeconds: number;
    audioBitrate: string;
    scratchDir: string | null;
    pollIntervalMs: number;
    stallTimeoutMs: number;
    shutdownGraceMs: number;
    prefetch: number;
  };
  tasks: { variationsPerVoice: number; maxAttempts: number; classFallback: 'any' | 'same-aspect' | 'none'; categories: Record<string, CategorySettings> };
  health: { heartbeatMs: number; nodeTimeoutMs: number; checkIntervalMs: number; leaseUpdateMs: number; leaseStaleMs: number };
  metrics: { port: number | null; host: string };
  disk: { minFreeMb: number };
  log: { format: LogFormat; level: LogLevel };
}

/** Per-category task settings (tasks.categories). */
export interface CategorySettings {
  /** A logo for this category's tasks, replacing render.logo; null: no logo. */
  logo?: string | null;
  /** Blend a clip of scanned/frame/<category>/ over the footage (screen blend). */
  frame?: boolean;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

type Leaf =
  | { kind: 'integer'; min: number; max?: number; nullable?: boolean }
  | { kind: 'number'; min: number; max?: number; exclusiveMin?: boolean }
  | { kind: 'boolean' }
  | { kind: 'string'; nullable?: boolean; pattern?: RegExp; patternText?: string }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'stringList'; pattern?: RegExp; minItems?: number }
  | { kind: 'argsRecord' }
  | { kind: 'categoryRecord' };

const ENCODER_NAME = /^[a-z0-9_]+$/;

/** The shape every config must have. Keys here and in config/default.json are the same set. */
export const SCHEMA: Record<string, Record<string, Leaf>> = {
  // "main-worker" would share nodes/main-worker.json with the main worker.
  node: { id: { kind: 'string', nullable: true, pattern: /^(?!main-worker$)[A-Za-z0-9._-]{1,128}$/, patternText: '1-128 letters, digits, dots, dashes or underscores, not "main-worker"' } },
  ffmpeg: {
    ffmpegPath: { kind: 'string', nullable: true },
    ffprobePath: { kind: 'string', nullable: true },
  },
  watch: {
    usePolling: { kind: 'boolean' },
    pollingIntervalMs: { kind: 'integer', min: 50 },
  },
  ingest: {
    stableMs: { kind: 'integer', min: 0 },
    scanIntervalMs: { kind: 'integer', min: 100 },
    concurrency: { kind: 'integer', min: 1, max: 64 },
    convertConcurrency: { kind: 'integer', min: 1, max: 64 },
    minClipSeconds: { kind: 'number', min: 0, exclusiveMin: true },
    decodeCheckSeconds: { kind: 'number', min: 0, max: 60, exclusiveMin: true },
    conformPreset: { kind: 'enum', values: ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] },
    conformCrf: { kind: 'integer', min: 0, max: 51 },
    voiceMinSeconds: { kind: 'number', min: 0, exclusiveMin: true },
    voiceMaxSeconds: { kind: 'number', min: 0, exclusiveMin: true },
    voiceSilenceDb: { kind: 'number', min: -120, max: 0 },
    musicMinSeconds: { kind: 'number', min: 0, exclusiveMin: true },
    musicLoudnessLufs: { kind: 'number', min: -70, max: -5 },
    musicTruePeakDb: { kind: 'number', min: -9, max: 0 },
    musicLra: { kind: 'number', min: 1, max: 50 },
    musicBitrate: { kind: 'string', pattern: /^[1-9][0-9]*k$/, patternText: 'a bit rate such as "192k"' },
  },
  crawl: {
    allowPrivateNetworks: { kind: 'boolean' },
    userAgent: { kind: 'string', nullable: true },
    concurrency: { kind: 'integer', min: 1, max: 32 },
    connectTimeoutMs: { kind: 'integer', min: 100 },
    timeoutMs: { kind: 'integer', min: 100 },
    maxBytes: { kind: 'integer', min: 1024 },
    maxRedirects: { kind: 'integer', min: 0, max: 50 },
    retries: { kind: 'integer', min: 0, max: 20 },
    retryBaseMs: { kind: 'integer', min: 0 },
    maxRetryAfterMs: { kind: 'integer', min: 0 },
    maxPages: { kind: 'integer', min: 1, max: 10000 },
    maxWordsPerChunk: { kind: 'integer', min: 10 },
    extractTimeoutMs: { kind: 'integer', min: 100 },
    extractMaxHeapMb: { kind: 'integer', min: 32, max: 8192 },
  },
  render: {
    resolution: { kind: 'string', pattern: /^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$/, patternText: '"WIDTHxHEIGHT" such as "1920x1080"' },
    fps: { kind: 'number', min: 1, max: 240 },
    encoders: { kind: 'stringList', pattern: ENCODER_NAME, minItems: 1 },
    encoderArgs: { kind: 'argsRecord' },
    vaapiDevice: { kind: 'string' },
    fit: { kind: 'enum', values: ['pad', 'crop'] },
    logo: { kind: 'string', nullable: true },
    logoWidth: { kind: 'number', min: 0, max: 1, exclusiveMin: true },
    musicVolume: { kind: 'number', min: 0, max: 4 },
    voiceVolume: { kind: 'number', min: 0, max: 4 },
    fadeOutSeconds: { kind: 'number', min: 0, max: 10 },
    audioBitrate: { kind: 'string', pattern: /^[1-9][0-9]*k$/, patternText: 'a bit rate such as "192k"' },
    scratchDir: { kind: 'string', nullable: true },
    pollIntervalMs: { kind: 'integer', min: 50 },
    stallTimeoutMs: { kind: 'integer', min: 500 },
    // At most 90 s: the CLI forces the exit 120 s after the first signal.
    shutdownGraceMs: { kind: 'integer', min: 0, max: 90_000 },
    prefetch: { kind: 'integer', min: 0, max: 1 },
  },
  tasks: {
    variationsPerVoice: { kind: 'integer', min: 1, max: 100 },
    maxAttempts: { kind: 'integer', min: 1, max: 100 },
    classFallback: { kind: 'enum', values: ['any', 'same-aspect', 'none'] },
    categories: { kind: 'categoryRecord' },
  },
  health: {
    heartbeatMs: { kind: 'integer', min: 100, max: 600_000 },
    nodeTimeoutMs: { kind: 'integer', min: 1000 },
    checkIntervalMs: { kind: 'integer', min: 100 },
    // proper-lockfile's own limits: update at least 1 s, stale at least 5 s.
    leaseUpdateMs: { kind: 'integer', min: 1000 },
    leaseStaleMs: { kind: 'integer', min: 5000 },
  },
  metrics: {
    // 0 picks a free port (logged); null turns the endpoint off.
    port: { kind: 'integer', min: 0, max: 65535, nullable: true },
    host: { kind: 'string' },
  },
  disk: { minFreeMb: { kind: 'integer', min: 0 } },
  log: {
    format: { kind: 'enum', values: ['line', 'json'] },
    level: { kind: 'enum', values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] },
  },
};

/** Environment variables starting with CLIPMILL_ that are not config overrides. */
const NON_CONFIG_ENV = new Set(['CLIPMILL_ROOT', 'CLIPMILL_CONFIG', 'CLIPMILL_NODE_BIN']);

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

function checkLeaf(source: string, key: string, leaf: Leaf, v: unknown): void {
  switch (leaf.kind) {
    case 'integer':
    case 'number': {
      if (v === null && leaf.kind === 'integer' && leaf.nullable) return;
      const range = `${leaf.kind === 'number' && leaf.exclusiveMin ? `> ${leaf.min}` : `>= ${leaf.min}`}${leaf.max === undefined ? '' : ` and <= ${leaf.max}`}`;
      const what = `${leaf.kind === 'integer' ? 'an integer' : 'a number'} ${range}`;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(source, key, what, v);
      if (leaf.kind === 'integer' && !Number.isInteger(v)) throw bad(source, key, what, v);
      if (leaf.kind === 'number' && leaf.exclusiveMin ? v <= leaf.min : v < leaf.min) throw bad(source, key, what, v);
      if (leaf.max !== undefined && v > leaf.max) throw bad(source, key, what, v);
      return;
    }
    case 'string': {
      if (v === null && leaf.nullable) return;
      const what = leaf.patternText ?? (leaf.nullable ? 'a non-empty string or null' : 'a non-empty string');
      if (typeof v !== 'string' || v.length === 0) throw bad(source, key, what, v);
      if (leaf.pattern && !leaf.pattern.test(v)) throw bad(source, key, what, v);
      return;
    }
    case 'boolean':
      if (typeof v !== 'boolean') throw bad(source, key, 'true or false', v);
      return;
    case 'enum':
      if (typeof v !== 'string' || !leaf.values.includes(v)) throw bad(source, key, `one of ${leaf.values.map((x) => `"${x}"`).join(', ')}`, v);
      return;
    case 'stringList': {
      const what = `a list of at least ${leaf.minItems ?? 0} names${leaf.pattern ? ' of lowercase letters, digits and underscores' : ''}`;
      if (!Array.isArray(v) || v.length < (leaf.minItems ?? 0)) throw bad(source, key, what, v);
      for (const item of v) if (typeof item !== 'string' || (leaf.pattern && !leaf.pattern.test(item))) throw bad(source, key, what, v);
      return;
    }
    case 'categoryRecord': {
      const what = 'an object mapping category names to { "logo": path or null, "frame": true or false }';
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(source, key, what, v);
      for (const [name, settings] of Object.entries(v)) {
        if (!name || name.includes('/')) throw bad(source, `${key}.${name}`, 'a category folder name', name);
        if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw bad(source, `${key}.${name}`, 'an object such as { "logo": "assets/x.png", "frame": true }', settings);
        for (const [k, val] of Object.entries(settings)) {
          if (k === 'logo') {
            if (val !== null && (typeof val !== 'string' || val === '')) throw bad(source, `${key}.${name}.logo`, 'a path or null', val);
          } else if (k === 'frame') {
            if (typeof val !== 'boolean') throw bad(source, `${key}.${name}.frame`, 'true or false', val);
          } else throw new ClipmillError('CONFIG_INVALID', `${source}: unknown key "${key}.${name}.${k}" (known: logo, frame)`, { details: { source, key: `${key}.${name}.${k}` } });
        }
      }
      return;
    }
    case 'argsRecord': {
      const what = 'an object mapping encoder names to lists of ffmpeg arguments';
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(source, key, what, v);
      for (const [name, args] of Object.entries(v)) {
        if (!ENCODER_NAME.test(name)) throw bad(source, `${key}.${name}`, 'an encoder name of lowercase letters, digits and underscores', name);
        if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) throw bad(source, `${key}.${name}`, 'a list of strings', args);
      }
      return;
    }
  }
}

/** Checks that `obj` only has known sections and keys (values are checked after merging). */
function checkShape(source: string, obj: unknown): asserts obj is Record<string, Record<string, unknown>> {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw bad(source, '(top level)', 'a JSON object', obj);
  for (const [section, body] of Object.entries(obj)) {
    const spec = SCHEMA[section];
    if (!spec) throw new ClipmillError('CONFIG_INVALID', `${source}: unknown key "${section}" (known: ${Object.keys(SCHEMA).join(', ')})`, { details: { source, key: section } });
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad(source, section, 'an object', body);
    for (const key of Object.keys(body)) {
      if (!spec[key]) throw new ClipmillError('CONFIG_INVALID', `${source}: unknown key "${section}.${key}" (known in ${section}: ${Object.keys(spec).join(', ')})`, { details: { source, key: `${section}.${key}` } });
    }
  }
}

function parseEnvValue(name: string, key: string, leaf: Leaf, raw: string): unknown {
  switch (leaf.kind) {
    case 'integer':
    case 'number': {
      if (raw === 'null' && leaf.kind === 'integer' && leaf.nullable) return null;
      const n = raw.trim() === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(n)) throw bad(name, key, 'a number', raw);
      return n;
    }
    case 'string':
      return raw === '' && leaf.nullable ? null : raw;
    case 'boolean':
      if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
      if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
      throw bad(name, key, 'true or false (1/0, yes/no, on/off)', raw);
    case 'enum':
      return raw;
    case 'stringList':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'argsRecord':
    case 'categoryRecord':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        throw bad(name, key, 'a JSON object', raw);
      }
  }
}

function envOverrides(env: NodeJS.ProcessEnv): { source: string; section: string; key: string; value: unknown }[] {
  const byName = new Map<string, { section: string; key: string; leaf: Leaf }>();
  for (const [section, keys] of Object.entries(SCHEMA)) for (const [key, leaf] of Object.entries(keys)) byName.set(envName(section, key), { section, key, leaf });
  const out = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('CLIPMILL_') || NON_CONFIG_ENV.has(name) || raw === undefined) continue;
    const hit = byName.get(name);
    if (!hit) throw new ClipmillError('CONFIG_INVALID', `environment variable ${name} is not a clipmill setting (settings look like ${envName('render', 'fps')})`, { details: { key: name } });
    out.push({ source: `environment ${name}`, section: hit.section, key: hit.key, value: parseEnvValue(name, `${hit.section}.${hit.key}`, hit.leaf, raw) });
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

function readJson(path: string, what: string): unknown {
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

/** Loads, merges, validates and freezes the configuration. Throws ClipmillError('CONFIG_*'). */
export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const defaultsPath = defaultConfigPath();
  const layers: { source: string; obj: unknown }[] = [{ source: defaultsPath, obj: readJson(defaultsPath, 'default config') }];
  if (opts.file) layers.push({ source: opts.file, obj: readJson(opts.file, 'config file') });
  if (opts.overrides) layers.push({ source: 'overrides', obj: structuredClone(opts.overrides) });

  const merged: Record<string, Record<string, unknown>> = {};
  const sourceOf = new Map<string, string>();
  const put = (source: string, section: string, key: string, value: unknown) => {
    merged[section] ??= {};
    const prev = merged[section][key];
    // encoderArgs merges per encoder, so a user file can tune one encoder only.
    if (SCHEMA[section]?.[key]?.kind === 'argsRecord' && isPlainObject(prev) && isPlainObject(value)) merged[section][key] = { ...prev, ...value };
    else merged[section][key] = value;
    sourceOf.set(`${section}.${key}`, source);
  };
  for (const { source, obj } of layers) {
    checkShape(source, obj);
    for (const [section, body] of Object.entries(obj)) for (const [key, value] of Object.entries(body)) put(source, section, key, value);
  }
  for (const o of envOverrides(opts.env ?? process.env)) put(o.source, o.section, o.key, o.value);

  for (const [section, keys] of Object.entries(SCHEMA)) {
    for (const [key, leaf] of Object.entries(keys)) {
      const full = `${section}.${key}`;
      const v = merged[section]?.[key];
      if (v === undefined) throw bad(defaultsPath, full, 'present in the defaults', v);
      checkLeaf(sourceOf.get(full) ?? defaultsPath, full, leaf, v);
    }
  }
  const health = merged.health as Config['health'];
  if (health.leaseStaleMs < 2 * health.leaseUpdateMs) throw bad(sourceOf.get('health.leaseStaleMs') ?? defaultsPath, 'health.leaseStaleMs', `at least twice health.leaseUpdateMs (${health.leaseUpdateMs})`, health.leaseStaleMs);
  const ingest = merged.ingest as Config['ingest'];
  if (ingest.voiceMaxSeconds <= ingest.voiceMinSeconds) throw bad(sourceOf.get('ingest.voiceMaxSeconds') ?? defaultsPath, 'ingest.voiceMaxSeconds', `greater than ingest.voiceMinSeconds (${ingest.voiceMinSeconds})`, ingest.voiceMaxSeconds);
  const { width, height } = parseResolution((merged.render as Config['render']).resolution);
  if (width % 2 || height % 2) throw bad(sourceOf.get('render.resolution') ?? defaultsPath, 'render.resolution', 'even width and height (yuv420p needs them)', `${width}x${height}`);
  return deepFreeze(merged as unknown as Config);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The node id: `node.id`, else the host name (sanitized). */
export function nodeId(config: Config): string {
  return config.node.id ?? (hostname().replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || 'node');
}

export function parseResolution(res: string): { width: number; height: number } {
  const [w, h] = res.split('x').map(Number);
  return { width: w!, height: h! };
}
