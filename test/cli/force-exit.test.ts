import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { execa } from 'execa';
import { processStartTime } from '../../src/cli/force-exit.js';
import { tempDir } from '../helpers.js';

const MODULE = fileURLToPath(new URL('../../src/cli/force-exit.js', import.meta.url));

/** A script that blocks a libuv pool thread on a FIFO (or not), then forces its exit. */
async function script(dir: string, blockOn: string | null): Promise<string> {
  const file = join(dir, 'exit.mjs');
  await writeFile(file, `import { open } from 'node:fs';
const { forceExit } = await import(${JSON.stringify(MODULE)});
${blockOn ? `open(${JSON.stringify(blockOn)}, 'r', () => {});` : ''}
setTimeout(() => forceExit(3, 1000), 200);
`);
  return file;
}

test('forceExit exits even when a pool thread is stuck in the kernel (an open() of a FIFO), where process.exit alone hangs', async (t) => {
  const dir = await tempDir(t);
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  const hung = await execa(process.execPath, ['-e', `require('fs').open(${JSON.stringify(join(dir, 'fifo'))}, 'r', () => {}); setTimeout(() => process.exit(3), 200);`], { reject: false, timeout: 4000 });
  assert.equal(hung.timedOut, true, 'process.exit alone does not end it (why forceExit exists)');
  const forced = await execa(process.execPath, [await script(dir, join(dir, 'fifo'))], { reject: false, timeout: 15_000 });
  assert.equal(forced.timedOut, false);
  assert.equal(forced.signal, 'SIGKILL', 'killed by its watchdog once the exit hung');
});

test('forceExit with nothing stuck exits with its code; the watchdog then finds the pid gone and kills nothing', async (t) => {
  const dir = await tempDir(t);
  const r = await execa(process.execPath, [await script(dir, null)], { reject: false, timeout: 15_000 });
  assert.equal(r.exitCode, 3);
  assert.match(processStartTime(process.pid) ?? '', /^\d+$/);
  assert.equal(processStartTime(2 ** 22 + 11), null);
});
