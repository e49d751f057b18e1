// docs/shorts.md stays true to the schemas: every ```json block after a `<!-- kind -->` comment
// parses with that kind's schema (job files through validateJobFile, as raw/job/ and the API
// read them; configuration through loadConfig), and every key of the short job template is named in the doc.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { z } from 'zod';
import { RawSidecarSchema } from '../../src/shared/assets.js';
import { loadConfig, type Config, type DeepPartial } from '../../src/shared/config.js';
import { ShortJobSchema, validateJobFile } from '../../src/shared/job.js';
import { ShortStateSchema } from '../../src/shared/short-state.js';
import { ShortFieldSchema } from '../../src/shared/task.js';
import { REPO } from '../helpers.js';

/** Every ```json block with its line and the `<!-- kind -->` comment just before it. */
function jsonBlocks(markdown: string): { line: number; kind: string | null; text: string }[] {
  const lines = markdown.split('\n');
  const out: { line: number; kind: string | null; text: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```json') continue;
    const end = lines.indexOf('```', i + 1);
    let j = i - 1;
    while (j >= 0 && lines[j]!.trim() === '') j--;
    const m = /^<!-- ([a-z-]+) -->$/.exec(lines[j]?.trim() ?? '');
    out.push({ line: i + 1, kind: m ? m[1]! : null, text: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return out;
}

const SCHEMAS: Record<string, z.ZodType> = { sidecar: RawSidecarSchema, 'metadata-short': ShortFieldSchema, state: ShortStateSchema };

test('every JSON example of docs/shorts.md parses with its schema; every key of the short template is documented', async () => {
  const doc = await readFile(join(REPO, 'docs', 'shorts.md'), 'utf8');
  const blocks = jsonBlocks(doc);
  const kinds = new Set<string>();
  for (const b of blocks) {
    assert.ok(b.kind, `line ${b.line}: a <!-- kind --> comment before the block`);
    kinds.add(b.kind);
    const value = JSON.parse(b.text) as unknown;
    if (b.kind === 'job') assert.equal(validateJobFile(value, `docs/shorts.md line ${b.line}`).template, 'short');
    else if (b.kind === 'config') loadConfig({ overrides: value as DeepPartial<Config>, env: {} });
    else {
      const r = SCHEMAS[b.kind]!.safeParse(value);
      assert.ok(r.success, `line ${b.line} (${b.kind}): ${r.success ? '' : JSON.stringify(r.error.issues)}`);
    }
  }
  assert.deepEqual([...kinds].sort(), ['config', 'job', 'metadata-short', 'sidecar', 'state']);
  for (const key of Object.keys(ShortJobSchema.shape)) assert.match(doc, new RegExp(`\\| \`${key}\` \\|`), `docs/shorts.md documents "${key}"`);
});
