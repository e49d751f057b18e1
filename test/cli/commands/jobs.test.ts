// clipmill jobs: the jobs report (src/shared/reports/jobs.ts) as JSON or text; and the same
// in clipmill status.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runInProcess } from '../in-process.js';
import { jobTaskId as U, jobsRoot as root } from '../../shared/reports/fixture.js';

test('clipmill jobs --json and status show the jobs', async (t) => {
  const layout = await root(t);
  const json = await runInProcess(['jobs', '--root', layout.root, '--json']);
  assert.equal(json.exitCode, 0, json.stderr);
  assert.equal((JSON.parse(json.stdout) as { jobs: unknown[] }).jobs.length, 3);
  const text = await runInProcess(['jobs', '--root', layout.root]);
  assert.equal(text.exitCode, 0, text.stderr);
  assert.match(text.stdout, /spring: 3 variation\(s\) per source; planned 3, queued 0, rendering 1, rendered 1, failed 1/);
  assert.match(text.stdout, /waiting \(the job\): sources\[0\]/);
  assert.match(text.stdout, new RegExp(`scanned/video/promo/a\\.mp4 #1: rendered output/${U(1)}/final\\.mp4`));
  const status = await runInProcess(['status', '--root', layout.root]);
  assert.equal(status.exitCode, 0, status.stderr);
  assert.match(status.stdout, /jobs \(3\):\n {2}idle: 2 variation/);
  const help = await runInProcess(['jobs', '--help']);
  assert.match(help.stdout, /Examples:\n {2}clipmill jobs --root/);
});
