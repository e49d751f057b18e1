// `clipmill status`: the report of src/shared/reports/status.ts as text (the shorts providers'
// breakers and each short's stage).
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { statusReport } from '../../../src/shared/reports/status.js';
import { Layout } from '../../../src/shared/layout.js';
import { tempDir } from '../../helpers.js';

const A = '0f8fad5b-d9cb-469f-a165-70867728950e';
const json = (v: unknown) => JSON.stringify(v);

test('status shows the shorts providers\' breakers the main worker wrote, and each short\'s stage', async (t) => {
  const { cli } = await import('../../helpers.js');
  const layout = new Layout(await tempDir(t));
  await mkdir(layout.nodes, { recursive: true });
  await mkdir(layout.raw, { recursive: true });
  await writeFile(layout.mainWorkerStatus, json({ host: 'h', pid: 7, started_at: '2026-01-01T00:00:00Z', providers: [{ provider: 'transcription', state: 'open', failures: 3, reopens_at: '2026-01-01T00:05:00Z' }, { provider: 'llm', state: 'closed', failures: 0, reopens_at: null }] }));
  await mkdir(layout.shorts, { recursive: true });
  await writeFile(layout.shortState(A), json({ schema_version: 1, key: 'short/c/a.wav', audio: 'scanned/short/c/a.wav', task_id: A, stage: 'failed', failed: { stage: 'transcribing', code: 'PROVIDER_INVALID', message: 'no words' }, updated_at: '2026-01-01T00:00:00Z', history: [] }));
  const r = await statusReport(layout, 10, 60_000);
  assert.deepEqual(r.providers.map((p) => [p.provider, p.state]), [['transcription', 'open'], ['llm', 'closed']]);
  assert.deepEqual(r.shorts.map((s) => [s.key, s.stage]), [['short/c/a.wav', 'failed']]);
  const run = await cli(['status', '--root', layout.root]);
  const out = run.stdout + run.stderr;
  assert.match(out, /shorts provider transcription: breaker OPEN, 3 failure\(s\) in a row, left alone until 2026-01-01T00:05:00Z/);
  assert.match(out, /short\/c\/a\.wav: failed: failed while transcribing: PROVIDER_INVALID: no words/);
});
