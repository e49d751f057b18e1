// What the ingest stage tests share: a fresh root per test, a MainContext whose log lines are
// kept, and raw files made by a fixture (the RawFile a scan would have seen).
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { initRoot } from '../../../src/cli/commands/init.js';
import type { MainContext } from '../../../src/main-worker/context.js';
import type { RawFile } from '../../../src/main-worker/scan.js';
import type { Config, DeepPartial } from '../../../src/shared/config.js';
import { Layout } from '../../../src/shared/layout.js';
import { createLogger } from '../../../src/shared/log.js';
import type { Binaries } from '../../../src/shared/media/ffmpeg.js';
import { binaries, tempDir, testConfig } from '../../helpers.js';

export interface IngestEnv {
  ctx: MainContext;
  layout: Layout;
  /** Where fixtures are made before they are put anywhere (outside the root). */
  stage: string;
  /** The log so far. */
  log(): string;
  /** Makes raw/<rel> with `make` and returns it as a scan sees it. */
  raw(rel: string, make: (p: string) => Promise<unknown>): Promise<RawFile>;
}

export async function ingestEnv(t: Parameters<typeof tempDir>[0], config: DeepPartial<Config> = {}, bins?: Binaries): Promise<IngestEnv> {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await initRoot(root);
  const layout = new Layout(root);
  const stage = join(dir, 'stage');
  await mkdir(stage);
  const lines: string[] = [];
  const log = createLogger({ format: 'line', level: 'info', out: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
  const ctx: MainContext = { config: testConfig(config), layout, log, bins: bins ?? (await binaries()) };
  return {
    ctx,
    layout,
    stage,
    log: () => lines.join(''),
    raw: async (rel, make) => {
      const path = join(layout.raw, rel);
      await mkdir(dirname(path), { recursive: true });
      await make(path);
      const s = await stat(path);
      return { path, rel, size: s.size, mtimeMs: s.mtimeMs };
    },
  };
}
