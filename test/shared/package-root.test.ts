// packageRoot: the nearest folder above the running code whose package.json is clipmill's.
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot, packageVersion } from '../../src/shared/package-root.js';
import { tempDir } from '../helpers.js';

// This file runs as <repo>/dist/test/shared/package-root.test.js.
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

test('packageRoot is the checkout this code runs from; packageVersion is its package.json version', async () => {
  assert.equal(packageRoot(), REPO_ROOT);
  assert.equal(packageRoot(), packageRoot(), 'cached');
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  assert.equal(pkg.name, 'clipmill');
  assert.equal(packageVersion(), pkg.version);
  assert.match(packageVersion(), /^\d+\.\d+\.\d+/);
});

/** A fresh copy of the compiled module at `dir/<sub>/package-root.js`, imported on its own (its own cache). */
async function moduleCopyAt(dir: string): Promise<typeof import('../../src/shared/package-root.js')> {
  await mkdir(dir, { recursive: true });
  const compiled = fileURLToPath(import.meta.resolve('../../src/shared/package-root.js'));
  await copyFile(compiled, join(dir, 'package-root.js'));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' })); // ESM, and no name: skipped
  return (await import(pathToFileURL(join(dir, 'package-root.js')).href)) as typeof import('../../src/shared/package-root.js');
}

test('packageRoot skips package.json files of other packages on the way up', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'clipmill', version: '9.8.7' }));
  await mkdir(join(dir, 'node_modules', 'other'), { recursive: true });
  await writeFile(join(dir, 'node_modules', 'package.json'), JSON.stringify({ name: 'other', version: '1.0.0' }));
  const m = await moduleCopyAt(join(dir, 'node_modules', 'other', 'lib'));
  assert.equal(m.packageRoot(), dir);
  assert.equal(m.packageVersion(), '9.8.7');
});

test('packageRoot throws, naming where it looked from, when no clipmill package.json is above', async (t) => {
  const dir = await tempDir(t);
  const m = await moduleCopyAt(join(dir, 'lib'));
  assert.throws(() => m.packageRoot(), { message: `cannot find clipmill's package.json above ${join(dir, 'lib', 'package-root.js')}` });
});
