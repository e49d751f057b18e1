// Fault: an invalid file whose name is 251 bytes (issue "faults", item 8): `<name>.reason.json`
// would be too long a name, so the reason's name is shortened and holds the full name.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, tempDir, walk } from '../helpers.js';

test('a 251-byte name is rejected once, its reason under a shortened name with the full name inside', async (t) => {
  const root = join(await tempDir(t), 'root');
  await cli(['init', root]);
  await mkdir(join(root, 'raw/video/c'), { recursive: true });
  const name = `${'é'.repeat(60)}${'a'.repeat(127)}.mp4`;
  assert.equal(Buffer.byteLength(name), 251);
  await writeFile(join(root, 'raw/video/c', name), 'this is not media\n');
  const r = await cli(['main-worker', '--once', '--root', root], { CLIPMILL_INGEST_STABLE_MS: '0' });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(await walk(join(root, 'raw')), []);
  const names = await readdir(join(root, 'trash/invalid/video/c'));
  assert.ok(names.includes(name), 'the file itself keeps its name');
  const reasons = names.filter((n) => n.endsWith('.reason.json'));
  assert.equal(reasons.length, 1);
  assert.ok(Buffer.byteLength(reasons[0]!) <= 255);
  assert.match(reasons[0]!, /^é+a*~[0-9a-f]{8}\.reason\.json$/);
  const reason = JSON.parse(await readFile(join(root, 'trash/invalid/video/c', reasons[0]!), 'utf8')) as { code: string; file_name: string; raw_path: string };
  assert.deepEqual([reason.code, reason.file_name, reason.raw_path], ['PROBE_FAILED', name, `raw/video/c/${name}`]);
});
