// A root with the API's token and a server built on it (fastify.inject: no port), for the
// server's tests.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { initRoot } from '../../src/cli/commands/init.js';
import { buildServer, type ServerOptions } from '../../src/server/app.js';
import { Layout } from '../../src/shared/layout.js';
import { readTokenFile } from '../../src/shared/server-token.js';
import type { TaskMetadata } from '../../src/shared/task.js';
import { sampleMetadata } from '../fixtures.js';
import { tempDir } from '../helpers.js';

export interface Served {
  app: FastifyInstance;
  layout: Layout;
  token: string;
  auth: { authorization: string };
}

export async function served(t: Parameters<typeof tempDir>[0], opts: Partial<ServerOptions> = {}): Promise<Served> {
  const root = await tempDir(t);
  await initRoot(root);
  const layout = new Layout(root);
  const app = await buildServer({ layout, maxUploadBytes: 1024 * 1024, nodeTimeoutMs: 30_000, rescanMs: 60_000, eventsMs: 50, ...opts });
  t.after(() => app.close());
  const token = (await readTokenFile(layout)).token;
  return { app, layout, token, auth: { authorization: `Bearer ${token}` } };
}

/** A task folder with a metadata.json (and more files) under `dir`. */
export async function taskFolder(dir: string, id: string, over: Partial<TaskMetadata> = {}, files: Record<string, string | Buffer> = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'metadata.json'), JSON.stringify(sampleMetadata({ task_id: id, ...over })));
  for (const [name, data] of Object.entries(files)) await writeFile(join(dir, name), data);
}

/** A multipart/form-data body: the fields in order, then the file. */
export function form(fields: Record<string, string>, file: { name: string; data: Buffer | string } | null): { payload: Buffer; headers: Record<string, string> } {
  const b = '----clipmillTestBoundary';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="${file.name.replace(/"/g, '%22')}"\r\nContent-Type: application/octet-stream\r\n\r\n`), Buffer.from(file.data), Buffer.from('\r\n'));
  parts.push(Buffer.from(`--${b}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${b}` } };
}
