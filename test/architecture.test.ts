// The code layout of DESIGN §2, checked on the sources: the two daemons never import each
// other (what both need lives in src/shared/, which imports neither), the HTTP server imports
// neither daemon nor the CLI (what it and the CLI show is read by src/shared/reports/), no
// module grows past 300 lines, and every module with logic has its test at the mirrored path
// (STYLE 1: src/main-worker/ingest/video.ts is tested by test/main-worker/ingest/video.test.ts).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { REPO } from './helpers.js';

const MAX_LINES = 300;

/**
 * Modules that need no test file of their own: pure types or constants, and entry points that
 * only wire tested parts together. One line each on why.
 */
const NO_TEST_NEEDED: Record<string, string> = {
  'src/cli/main.ts': 'entry point: the Node version check, then runCli(); every CLI test goes through it',
  'src/cli/commands/main-worker.ts': 'entry point of the main worker daemon: wires config, binaries, metrics and MainWorker',
  'src/cli/commands/render-worker.ts': 'entry point of the render worker daemon: wires config, binaries, encoder and RenderWorker',
  'src/main-worker/context.ts': 'types only (MainContext)',
  'src/shared/catalog-types.ts': 'types only (the catalog\'s assets); tested through test/shared/catalog.test.ts',
  'src/shared/protocol/files.ts': 'schema declarations only (claim.json, error.json, report.json), no functions',
  'src/main-worker/narrate/provider.ts': 'types only (NarrationProvider) and one constant',
  'src/shared/config/fields.ts': 'the leaf schemas of the config, tested through test/shared/config.test.ts',
  'src/shared/config/narration.ts': 'schema declaration only (the narration section), tested through test/shared/config.test.ts',
  'src/shared/config/shorts.ts': 'schema declaration only (the shorts section), tested through test/shared/config.test.ts',
};

/** Every .ts file under src/, relative to the repository ("src/a/b.ts"), sorted. */
async function sources(dir = join(REPO, 'src')): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(relative(REPO, p));
  }
  return out.sort();
}

/** The module specifiers a file imports or re-exports: static, side-effect and dynamic imports. */
function importSpecifiers(text: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g, // import x from '…', export { x } from '…'
    /^\s*import\s*['"]([^'"]+)['"]/gm, // import '…'
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // import('…')
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) out.push(m[1]!);
  return out;
}

/** The top folder under src/ ("main-worker", "shared", …) a relative specifier of `file` lands in. */
function targetArea(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null; // a package or a node: built-in
  const target = relative(join(REPO, 'src'), resolve(REPO, dirname(file), specifier));
  return target.startsWith('..') ? '(outside src/)' : target.split('/')[0]!;
}

function areaOf(file: string): string {
  return file.split('/')[1]!;
}

test('import specifiers are found in every form', () => {
  const text = [
    "import { a } from './a.js';",
    "import type { B } from '../b.js';",
    'import {\n  c,\n  d,\n} from "./cd.js";',
    "export { e } from './e.js';",
    "export * from './f.js';",
    "import './side-effect.js';",
    "const { g } = await import('./g.js');",
    "import { readFile } from 'node:fs/promises';",
  ].join('\n');
  assert.deepEqual(importSpecifiers(text).sort(), ['../b.js', './a.js', './cd.js', './e.js', './f.js', './g.js', './side-effect.js', 'node:fs/promises'].sort());
});

test('the daemons never import each other; src/shared/ imports neither (nor the CLI); the server imports neither (nor the CLI)', async () => {
  // area -> areas it must not import
  const forbidden: Record<string, string[]> = {
    'main-worker': ['render-worker'],
    'render-worker': ['main-worker'],
    server: ['cli', 'main-worker', 'render-worker'],
    shared: ['main-worker', 'render-worker', 'cli', 'server'],
  };
  const bad: string[] = [];
  for (const file of await sources()) {
    const banned = forbidden[areaOf(file)] ?? [];
    for (const spec of importSpecifiers(await readFile(join(REPO, file), 'utf8'))) {
      const area = targetArea(file, spec);
      if (area && (banned.includes(area) || area === '(outside src/)')) bad.push(`${file} imports ${spec}`);
    }
  }
  if (bad.length) assert.fail(`${bad.length} import(s) across the layout of DESIGN §2 (move what both need to src/shared/):\n  ${bad.join('\n  ')}`);
});

test(`no module under src/ is longer than ${MAX_LINES} lines`, async () => {
  const long: string[] = [];
  for (const file of await sources()) {
    const text = await readFile(join(REPO, file), 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > MAX_LINES) long.push(`${file}: ${lines} lines`);
  }
  if (long.length) assert.fail(`${long.length} module(s) over ${MAX_LINES} lines (split them by stage):\n  ${long.join('\n  ')}`);
});

test('every module with logic has a test at the mirrored path', async () => {
  const files = await sources();
  for (const f of Object.keys(NO_TEST_NEEDED)) assert.ok(files.includes(f), `NO_TEST_NEEDED names ${f}, which does not exist any more`);
  const missing: string[] = [];
  for (const file of files) {
    if (file in NO_TEST_NEEDED) continue;
    const mirrored = file.replace(/^src\//, 'test/').replace(/\.ts$/, '.test.ts');
    // A folder's index.ts may also be tested under the folder's name (ingest/index.ts by
    // test/main-worker/ingest/ingest.test.ts).
    const folder = dirname(mirrored);
    const accepted = file.endsWith('/index.ts') ? [mirrored, join(folder, `${folder.split('/').pop()}.test.ts`)] : [mirrored];
    if (!accepted.some((p) => existsSync(join(REPO, p)))) missing.push(`${file} -> ${accepted.join(' or ')}`);
  }
  if (missing.length) assert.fail(`${missing.length} module(s) without a test at the mirrored path (or add them to NO_TEST_NEEDED with the reason):\n  ${missing.join('\n  ')}`);
});
