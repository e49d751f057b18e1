// raw/narration/<category>/<campaign>.csv|txt: text to voice. Parsed strictly (the rows of a
// CSV: text, campaign_part, tags; a .txt split at paragraphs over narration.maxPartWords), each
// row planned as a narration part with its take (part_<NNNN>.mp3, then _2, _3 for further rows
// or files with the same campaign_part), the plan written beside the filed source, then the
// source renamed into scanned/narration/<category>/<campaign>/text/<id>.<csv|txt>. Voicing is
// not done here: the narration queue (narrate/queue.ts) reads the plan, so that ingest never
// waits for a provider. A bad row rejects the whole file (NARRATION_TEXT_INVALID, its line).
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ClipmillError } from '../../shared/errors.js';
import { exists, moveFile } from '../../shared/fs.js';
import { idFromRawName } from '../../shared/ids.js';
import { readJsonOrNull, writeJson } from '../../shared/json.js';
import { assignTakes, decodeNarration, NarrationPlanSchema, parseNarrationCsv, parseNarrationTxt, planPath, readPlans, type NarrationPlan } from '../../shared/narration.js';
import type { RawSidecar } from '../../shared/assets.js';
import { normalizeTags } from '../../shared/tags.js';
import { parseNarrationPartName } from '../../shared/asset-names.js';
import type { MainContext } from '../context.js';
import type { RawFile } from '../scan.js';
import { KeyedLock } from '../keyed-lock.js';

/** A narration text larger than this (10 MiB) is refused before it is read. */
export const MAX_NARRATION_TEXT_BYTES = 10 * 1024 * 1024;

/** scanned/narration/<category>/<campaign>/text/: the filed sources and their plans. */
export function narrationTextDir(ctx: Pick<MainContext, 'layout'>, category: string, campaign: string): string {
  return join(ctx.layout.scannedNarrationDir(category, campaign), 'text');
}

/** Part -> takes already filed (part files) or planned (other plans) in the campaign. */
export async function takenTakes(ctx: Pick<MainContext, 'layout'>, category: string, campaign: string): Promise<Map<number, Set<number>>> {
  const taken = new Map<number, Set<number>>();
  const add = (part: number, take: number) => taken.set(part, (taken.get(part) ?? new Set()).add(take));
  for (const n of await readdir(ctx.layout.scannedNarrationDir(category, campaign)).catch(() => [] as string[])) {
    const p = parseNarrationPartName(n);
    if (p) add(p.part, p.take);
  }
  for (const plan of await readPlans(narrationTextDir(ctx, category, campaign))) for (const item of plan.items) add(item.part, item.take);
  return taken;
}

/** Takes are assigned one file at a time per campaign (two files with the same campaign_part get different takes). */
const campaignLocks = new KeyedLock();
const withCampaignLock = <T>(key: string, fn: () => Promise<T>): Promise<T> => campaignLocks.run(key, fn);

export async function ingestNarrationText(ctx: MainContext, file: RawFile, category: string, campaign: string, name: string, sidecar: RawSidecar | null): Promise<{ dest: string; plan: NarrationPlan }> {
  const ext = extname(name).toLowerCase();
  if (file.size > MAX_NARRATION_TEXT_BYTES) throw new ClipmillError('NARRATION_TEXT_INVALID', `the file is ${file.size} bytes, more than ${MAX_NARRATION_TEXT_BYTES}: split it`);
  const source = decodeNarration(await readFile(file.path));
  const rows = ext === '.csv' ? parseNarrationCsv(source) : parseNarrationTxt(source, ctx.config.narration.maxPartWords);
  const extra = sidecar?.tags ?? [];
  const id = idFromRawName(name, file);
  const dest = join(narrationTextDir(ctx, category, campaign), `${id}${ext}`);
  return withCampaignLock(`${category}/${campaign}`, async () => {
    // The same file filed by a run that stopped before removing it from raw/: its plan holds.
    const kept = (await exists(dest)) ? await readJsonOrNull(NarrationPlanSchema, planPath(dest)) : null;
    let plan = kept;
    if (!plan) {
      const items = assignTakes(rows, await takenTakes(ctx, category, campaign)).map((i) => ({ ...i, tags: normalizeTags([...extra, ...i.tags]) }));
      plan = { schema_version: 1, category, campaign, raw_path: `raw/${file.rel}`, filed_at: new Date().toISOString(), items };
      await writeJson(NarrationPlanSchema, planPath(dest), plan);
    }
    await moveFile(file.path, dest);
    ctx.log.info({ file: `raw/${file.rel}` }, `Moved file raw/${file.rel} → ${ctx.layout.rel(dest)} (${plan.items.length} narration part(s) to voice: ${plan.items.map((i) => i.target).join(', ')})`);
    return { dest, plan };
  });
}
