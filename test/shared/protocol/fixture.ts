// A project root with published task folders, for the task protocol's unit tests.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initRoot } from '../../../src/cli/commands/init.js';
import { createLogger } from '../../../src/shared/log.js';
import { Layout } from '../../../src/shared/layout.js';
import { sampleMetadata } from '../../fixtures.js';
import { tempDir } from '../../helpers.js';

export const ID = (n: number) => `0f8fad5b-d9cb-469f-a165-7086772895${String(n).padStart(2, '0')}`;
export const quietLog = createLogger({ format: 'line', level: 'fatal' });

export async function rootWithTasks(t: Parameters<typeof tempDir>[0], n: number, attempts = 0): Promise<Layout> {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  for (let i = 1; i <= n; i++) await writeTaskFolder(layout.task(ID(i)), ID(i), attempts);
  return layout;
}

export async function writeTaskFolder(dir: string, id: string, attempts = 0): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'metadata.json'), JSON.stringify({ ...sampleMetadata(), task_id: id, attempts }));
}
