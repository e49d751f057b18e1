#!/usr/bin/env node
// clipmill set-up: makes `npm test` and `npm run demo` work on a fresh Debian/Ubuntu
// machine that has only Node 20 and npm. It is idempotent and fast when nothing is missing.
//
// This file runs on whatever Node npm was started with (possibly 20), so it uses plain
// JavaScript and Node's built-ins only. Every subprocess gets an argument array, never a
// shell string.
//
//   node scripts/setup.mjs                  install what is missing and build
//   node scripts/setup.mjs --build-only     the same without the system packages
//   node scripts/setup.mjs --test [files]   ... then run the test suite
//   node scripts/setup.mjs --bench [files]  ... then run the benchmarks in bench/
//   node scripts/setup.mjs -- demo [args]   ... then run `clipmill demo`
//   (--with-espeak is still accepted: espeak-ng is installed in every case now)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, accessSync, constants } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
// The oldest Node the dependencies accept (chokidar, jsdom and undici set the floor).
const MIN_NODE = [22, 22, 2];
// The Node fetched from the npm registry when the system's is older: the current LTS line.
const FETCHED_NODE_MAJOR = 24;
const TOOLS = join(ROOT, '.tools');

const say = (msg) => process.stderr.write(`setup: ${msg}\n`);
function die(msg) {
  process.stderr.write(`setup: error: ${msg}\n`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
  if (r.error) return { ok: false, why: r.error.message };
  return { ok: r.status === 0, why: r.signal ? `killed by ${r.signal}` : `exit code ${r.status}` };
}

function versionOk(v) {
  const parts = v.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if (parts[i] > MIN_NODE[i]) return true;
    if (parts[i] < MIN_NODE[i]) return false;
  }
  return true;
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {}
  }
  return null;
}

function npmCommand() {
  // Under `npm run`, npm tells us which npm started us; reuse it with the current node.
  const execPath = process.env.npm_execpath;
  if (execPath && execPath.endsWith('.js') && existsSync(execPath)) return [process.execPath, [execPath]];
  return ['npm', []];
}

function npm(args, opts) {
  const [cmd, pre] = npmCommand();
  return run(cmd, [...pre, ...args], opts);
}

// 1. npm packages, reinstalled only when package.json or the lock file changed.
function ensurePackages() {
  const lock = join(ROOT, 'package-lock.json');
  const hash = createHash('sha256');
  hash.update(readFileSync(join(ROOT, 'package.json')));
  if (existsSync(lock)) hash.update(readFileSync(lock));
  const want = hash.digest('hex');
  const stamp = join(ROOT, 'node_modules', '.clipmill-setup-stamp');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  say('installing npm packages');
  // ffmpeg-static is optional: its install script downloads a binary and fails where that
  // host is unreachable; npm then drops it and the install still succeeds.
  const r = npm([existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund', '--loglevel=error']);
  if (!r.ok) die(`npm install failed (${r.why}); check the network access to the npm registry`);
  writeFileSync(stamp, want);
}

// 2. A Node new enough for the project, fetched from the npm registry when the system's is older.
function ensureNode() {
  if (versionOk(process.version)) return process.execPath;
  const link = join(TOOLS, 'bin', 'node');
  const check = (p) => {
    const r = spawnSync(p, ['--version'], { encoding: 'utf8' });
    return r.status === 0 && versionOk(r.stdout.trim());
  };
  if (existsSync(link) && check(link)) return link;
  const pkg = `node-${process.platform}-${process.arch}`;
  say(`Node ${process.version} is older than ${MIN_NODE.join('.')}; fetching Node ${FETCHED_NODE_MAJOR} (${pkg}) from the npm registry into .tools/`);
  const prefix = join(TOOLS, 'node');
  mkdirSync(prefix, { recursive: true });
  writeFileSync(join(prefix, 'package.json'), JSON.stringify({ private: true, description: 'Node.js for clipmill, installed by scripts/setup.mjs' }));
  const r = npm(['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', `${pkg}@${FETCHED_NODE_MAJOR}`]);
  const bin = join(prefix, 'node_modules', pkg, 'bin', 'node');
  if (!r.ok || !existsSync(bin)) die(`could not install ${pkg}@${FETCHED_NODE_MAJOR} (${r.why}); install Node.js >= ${MIN_NODE.join('.')} yourself`);
  mkdirSync(dirname(link), { recursive: true });
  rmSync(link, { force: true });
  symlinkSync(relative(dirname(link), bin), link);
  if (!check(link)) die(`${bin} does not run on this machine; install Node.js >= ${MIN_NODE.join('.')} yourself`);
  return link;
}

// 3. FFmpeg, espeak-ng and python3 (the default narration provider drives libespeak-ng through
// python3's ctypes: src/main-worker/narrate/espeak-ng.ts), and the fonts of text layers, from
// the distribution when missing.
// The order mirrors src/shared/media/ffmpeg.ts: FFMPEG_PATH, then PATH, then ffmpeg-static.
function findFfmpeg() {
  if (process.env.FFMPEG_PATH) return existsSync(process.env.FFMPEG_PATH) ? process.env.FFMPEG_PATH : null;
  const p = onPath('ffmpeg');
  if (p) return p;
  const staticBin = join(ROOT, 'node_modules', 'ffmpeg-static', process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg');
  return existsSync(staticBin) ? staticBin : null;
}

// The fonts text layers need (src/shared/timeline/text/fonts.ts): Noto for most scripts, Noto
// CJK, Symbola for symbols such as U+2728 (as outlines: libass cannot draw the bitmaps of Noto
// Color Emoji, which is deliberately not installed), DejaVu as the last fallback. A package
// counts as present when its file is where Debian puts it, or when fontconfig knows the
// family (a font installed another way).
const FONT_PACKAGES = [
  { pkg: 'fonts-dejavu-core', family: 'DejaVu Sans', file: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf' },
  { pkg: 'fonts-noto-core', family: 'Noto Sans', file: '/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf' },
  { pkg: 'fonts-noto-cjk', family: 'Noto Sans CJK JP', file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc' },
  { pkg: 'fonts-symbola', family: 'Symbola', file: '/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf' },
];

function fontInstalled({ family, file }) {
  if (existsSync(file)) return true;
  if (!onPath('fc-list')) return false;
  const r = spawnSync('fc-list', [family, 'family'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 && r.stdout.trim().length > 0;
}

function ensureSystemTools() {
  const missing = [];
  if (!findFfmpeg()) missing.push('ffmpeg');
  if (!onPath('espeak-ng')) missing.push('espeak-ng');
  if (!onPath('python3')) missing.push('python3');
  // Debian's chromium: the dashboard's browser test drives it headless (playwright-core); a
  // machine where it cannot be installed fails here, saying so, rather than skipping that test.
  if (!(process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) && !onPath('chromium') && !onPath('chromium-browser')) missing.push('chromium');
  // fc-match and fc-list (package fontconfig) find the fonts of text layers.
  if (!onPath('fc-match') || !onPath('fc-list')) missing.push('fontconfig');
  for (const font of FONT_PACKAGES) if (!fontInstalled(font)) missing.push(font.pkg);
  if (missing.length === 0) return;
  const manual = `install them yourself (Debian/Ubuntu: sudo apt-get install ${missing.join(' ')}), or set FFMPEG_PATH to an ffmpeg binary (CHROMIUM_PATH to a Chromium for the dashboard's browser test)`;
  // Without the fonts only text layers suffer (a fallback font, or TEXT_UNRENDERABLE): say so
  // and go on where they cannot be installed; without ffmpeg, espeak-ng or python3 nothing works.
  const fontsOnly = missing.every((p) => p === 'fontconfig' || p.startsWith('fonts-'));
  const cannot = (why) => {
    if (!fontsOnly) die(`missing ${missing.join(', ')} and ${why}; ${manual}`);
    say(`warning: missing ${missing.join(', ')} and ${why}; text layers may fall back to other fonts or fail (install them: sudo apt-get install ${missing.join(' ')})`);
  };
  if (process.platform !== 'linux' || !onPath('apt-get')) return cannot('this is not a Debian/Ubuntu machine');
  let prefix = [];
  if (process.getuid?.() !== 0) {
    if (!onPath('sudo') || spawnSync('sudo', ['-n', 'true']).status !== 0) return cannot('not root (no password-less sudo)');
    prefix = ['sudo', '-n'];
  }
  say(`installing ${missing.join(', ')} with apt-get`);
  // sudo resets the environment: DEBIAN_FRONTEND goes through env(1), or a package such as
  // tzdata would stop at a prompt. A fresh VM often runs unattended-upgrades at boot: wait for
  // the dpkg lock instead of failing.
  const cmd = (args) => (prefix.length ? run(prefix[0], [...prefix.slice(1), 'env', 'DEBIAN_FRONTEND=noninteractive', ...args]) : run(args[0], args.slice(1), { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }));
  const lockWait = ['-o', 'DPkg::Lock::Timeout=300'];
  const up = cmd(['apt-get', ...lockWait, 'update', '-qq']);
  if (!up.ok) return cannot(`apt-get update failed (${up.why})`);
  const inst = cmd(['apt-get', ...lockWait, 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
  if (!inst.ok) return cannot(`apt-get install ${missing.join(' ')} failed (${inst.why})`);
}

// 4. Compile the TypeScript (incremental: a no-op when nothing changed).
function build(node) {
  const r = run(node, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')]);
  if (!r.ok) die(`TypeScript build failed (${r.why})`);
}

function testFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(p));
    else if (entry.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const flags = sep === -1 ? argv : argv.slice(0, sep);
const rest = sep === -1 ? [] : argv.slice(sep + 1);
const known = new Set(['--test', '--bench', '--build-only', '--with-espeak']);
const positional = flags.filter((f) => !f.startsWith('--'));
for (const f of flags) if (f.startsWith('--') && !known.has(f)) die(`unknown option ${f}`);
if (positional.length && !flags.includes('--test') && !flags.includes('--bench')) die(`unexpected argument ${positional[0]}`);

ensurePackages();
const node = ensureNode();
if (!flags.includes('--build-only')) ensureSystemTools();
build(node);

// Child processes (the tests start bin/clipmill) must find the same Node first on PATH.
const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };
if (flags.includes('--test')) {
  const files = positional.length ? positional.map((f) => join(ROOT, 'dist', f.replace(/\.ts$/, '.js'))) : testFiles(join(ROOT, 'dist', 'test'));
  const r = spawnSync(node, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...files], { stdio: 'inherit', cwd: ROOT, env });
  process.exit(r.status ?? 1);
} else if (flags.includes('--bench')) {
  // Benchmarks print ratios measured side by side in one run; run them one after the other.
  const files = positional.length ? positional.map((f) => join(ROOT, 'dist', f.replace(/\.ts$/, '.js'))) : readdirSync(join(ROOT, 'dist', 'bench')).filter((f) => f.endsWith('.js')).sort().map((f) => join(ROOT, 'dist', 'bench', f));
  for (const f of files) {
    const r = spawnSync(node, [f], { stdio: 'inherit', cwd: ROOT, env });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
} else if (rest.length) {
  const r = spawnSync(node, [join(ROOT, 'dist', 'src', 'cli', 'main.js'), ...rest], { stdio: 'inherit', cwd: process.env.INIT_CWD ?? ROOT, env });
  process.exit(r.status ?? 1);
} else {
  say('ready: bin/clipmill --help');
}
