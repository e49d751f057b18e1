// docs/golden-frame.md stays true to the schema: every ```json block is a valid golden-frame job
// file (through validateJobFile, as raw/job/ and the API take it), every key is named, and the
// documented defaults are the schema's.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateJobFile } from '../../src/shared/job.js';
import { GoldenFrameJobSchema } from '../../src/shared/jobs/golden-frame.js';
import { REPO } from '../helpers.js';

const doc = () => readFile(join(REPO, 'docs', 'golden-frame.md'), 'utf8');

test('every JSON example of docs/golden-frame.md is a valid golden-frame job file', async () => {
  const blocks = [...(await doc()).matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
  assert.equal(blocks.length, 3);
  for (const b of blocks) assert.equal(validateJobFile(JSON.parse(b), 'docs/golden-frame.md').template, 'golden-frame');
  // The example "with its default" values is the defaults, except the keys it sets on purpose.
  const all = validateJobFile(JSON.parse(blocks[2]!), 'x');
  const { template: _t, ...fields } = JSON.parse(blocks[1]!) as Record<string, unknown>;
  const minimal = GoldenFrameJobSchema.parse({ ...fields, audio: { category: 'lounge' }, variations: 3 });
  assert.ok(all.template === 'golden-frame');
  assert.deepEqual({ ...all.job, images: null }, { ...minimal, images: null, style: { ...minimal.style, content: { width: 900, height: 1600 }, border: { color: '#D4AF37', width: 12 }, hook: { ...minimal.style.hook, size: 64 } } });
});

test('docs/golden-frame.md names every key of the schema', async () => {
  const text = await doc();
  const style = GoldenFrameJobSchema.parse({ images: [{ id: 'x' }] }).style;
  const keys = [...Object.keys(GoldenFrameJobSchema.shape), ...Object.keys(style), 'content', 'width', 'height', 'min', 'max', 'resolution', 'fps', 'font', 'size', 'color', 'bold', 'stroke_color', 'template', 'BEATS_FALLBACK', 'BORDER_FALLBACK', 'FRAME_ASPECT'];
  assert.deepEqual(keys.filter((k) => !text.includes(`\`${k}\``)), []);
});
