// Which ffmpeg and ffprobe to run. Order (first that exists wins):
//   FFMPEG_PATH / FFPROBE_PATH, then config ffmpeg.ffmpegPath / ffmpeg.ffprobePath,
//   then `ffmpeg` / `ffprobe` on PATH, then the ffmpeg-static / ffprobe-static packages.
// An explicit choice (env or config) that does not run is an error, not a silent fallback:
// an operator who points at a binary wants that binary.
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import type { Config } from '../config.js';
import { ClipmillError } from '../errors.js';
import { isExecutable } from '../fs.js';

export type BinaryName = 'ffmpeg' | 'ffprobe';
export type BinarySource = 'env' | 'config' | 'path' | 'static';

export interface ResolvedBinary {
  name: BinaryName;
  path: string;
  source: BinarySource;
  /** First line of `-version`, e.g. "ffmpeg version 5.1.6-0+deb12u1 ...". */
  version: string;
}

export interface Binaries {
  ffmpeg: ResolvedBinary;
  ffprobe: ResolvedBinary;
}

const require = createRequire(import.meta.url);

function staticPath(name: BinaryName): string | null {
  try {
    if (name === 'ffmpeg') return (require('ffmpeg-static') as string | null) ?? null;
    return (require('ffprobe-static') as { path: string }).path;
  } catch {
    // ffmpeg-static is an optional dependency: absent where its download failed.
    return null;
  }
}

async function onPath(name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && (await isExecutable(join(dir, name)))) return join(dir, name);
  }
  return null;
}

async function versionOf(path: string): Promise<string | null> {
  const r = await execa(path, ['-version'], { reject: false, timeout: 15_000 });
  if (r.failed) return null;
  return r.stdout.split('\n')[0]?.trim() || null;
}

export async function resolveBinary(name: BinaryName, config: Config, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedBinary> {
  const envVar = name === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH';
  const configured = name === 'ffmpeg' ? config.ffmpeg.ffmpegPath : config.ffmpeg.ffprobePath;
  const code = name === 'ffmpeg' ? 'FFMPEG_NOT_FOUND' : 'FFPROBE_NOT_FOUND';
  const explicit: [BinarySource, string, string][] = [];
  if (env[envVar]) explicit.push(['env', env[envVar]!, envVar]);
  else if (configured) explicit.push(['config', configured, `config ffmpeg.${name}Path`]);
  for (const [source, path, label] of explicit) {
    const version = (await isExecutable(path)) ? await versionOf(path) : null;
    if (!version) throw new ClipmillError(code, `${label} is ${path}, which is not a runnable ${name}`, { details: { path, source } });
    return { name, path, source, version };
  }
  const candidates: [BinarySource, string | null][] = [
    ['path', await onPath(name, env)],
    ['static', staticPath(name)],
  ];
  const tried: string[] = [];
  for (const [source, path] of candidates) {
    if (!path) continue;
    tried.push(path);
    const version = (await isExecutable(path)) ? await versionOf(path) : null;
    if (version) return { name, path, source, version };
  }
  throw new ClipmillError(
    code,
    `no runnable ${name} found (tried ${envVar}, config ffmpeg.${name}Path, PATH${tried.length ? `, ${tried.join(', ')}` : ''}, ${name}-static); install ${name} (Debian/Ubuntu: apt-get install ffmpeg) or set ${envVar}`,
  );
}

export async function resolveBinaries(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<Binaries> {
  const [ffmpeg, ffprobe] = await Promise.all([resolveBinary('ffmpeg', config, env), resolveBinary('ffprobe', config, env)]);
  return { ffmpeg, ffprobe };
}
