// docs/jobs.md stays true to the schema: every ```json block is a valid job file, and every key
// of the schema is named in the doc.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeIssues } from '../../src/shared/json.js';
import { JobSchema, PartSchema, TextSpecSchema, UniquenessSchema } from '../../src/shared/job.js';
import { JobFieldSchema, MetadataSchema } from '../../src/shared/task.js';
import { REPO } from '../helpers.js';

/** The text of every ```json block, with its line. */
function jsonBlocks(markdown: string): { line: number; metadata: boolean; text: string }[] {
  const lines = markdown.split('\n');
  const out: { line: number; metadata: boolean; text: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```json') continue;
    const end = lines.indexOf('```', i + 1);
    let j = i - 1;
    while (j >= 0 && lines[j]!.trim() === '') j--;
    out.push({ line: i + 1, metadata: lines[j]?.trim() === '<!-- metadata -->', text: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return out;
}

const doc = () => readFile(join(REPO, 'docs', 'jobs.md'), 'utf8');

test('every JSON example of docs/jobs.md is a valid job file', async () => {
  const blocks = jsonBlocks(await doc());
  assert.ok(blocks.length >= 3, `${blocks.length} examples`);
  let multi = false;
  let one = false;
  for (const b of blocks.filter((x) => !x.metadata)) {
    const r = JobSchema.safeParse(JSON.parse(b.text), { reportInput: true });
    assert.ok(r.success, `line ${b.line}: ${r.success ? '' : describeIssues(r.error.issues)}`);
    if (r.data.parts) multi = true;
    else one = true;
  }
  assert.ok(multi && one, 'a multi-part and a one-part example');
});

test("the job task's metadata.json example is valid metadata with a job field", async () => {
  const blocks = jsonBlocks(await doc()).filter((b) => b.metadata);
  assert.equal(blocks.length, 1);
  const r = MetadataSchema.safeParse(JSON.parse(blocks[0]!.text), { reportInput: true });
  assert.ok(r.success, r.success ? '' : describeIssues(r.error.issues));
  assert.deepEqual(Object.keys(r.data.job!).sort(), Object.keys(JobFieldSchema.shape).sort(), 'every job field shown');
});

test('docs/jobs.md names every key of the schema', async () => {
  const text = await doc();
  const keys = [...Object.keys(JobSchema.shape), ...Object.keys(PartSchema.shape), ...Object.keys(TextSpecSchema.shape), ...Object.keys(UniquenessSchema.shape), 'from_part', 'to_part', 'volume', 'music', 'resolution', 'fps', 'min', 'max', 'campaign', 'part'];
  assert.deepEqual(keys.filter((k) => !text.includes(`\`${k}\``)), []);
});
