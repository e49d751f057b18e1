// Versions of a voice or a narration part (DESIGN §1: scanned/ is immutable). A voice made
// again — by `clipmill narrate` with another provider or voice, or a person's recording dropped
// after its chapter was synthesized — is filed beside the first as the next version:
//   chapter_0001.mp3 (version 1), chapter_0001.v2.mp3, chapter_0001.v3.mp3, ...
// each with its own .json asset record and .words.json. The catalog gives planners the highest
// version only, and a voice-over task's id is derived from the voice's path, so a new version
// gets new tasks while the old tasks and outputs stay as they are.
//
// Who may file the next version: a person's recording always (it wins over a synthesized
// voice; ingest/index.ts), the narration engine only when an operator asked for it
// (`clipmill narrate`: src/shared/narration-requests.ts). Both run in the main worker (one per root: root-lock.ts),
// so an in-process lock per voice serializes them: the version number is read, the record and
// words written and the file renamed in under the lock, and no two writers pick one number.
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseVersionedName } from '../../shared/asset-names.js';
import { AssetRecordSchema, assetRecordPath, type AssetRecord } from '../../shared/assets.js';
import { readJsonOrNull } from '../../shared/json.js';
import { sameContent } from '../../shared/fs.js';
import { versionedName } from '../../shared/asset-names.js';
import { KeyedLock } from '../keyed-lock.js';

export interface VoiceVersion {
  name: string;
  path: string;
  version: number;
}

/** Every version of `base` (the name of version 1) in `dir`, lowest first. */
export async function listVersions(dir: string, base: string): Promise<VoiceVersion[]> {
  const out: VoiceVersion[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith('.') || !name.toLowerCase().endsWith('.mp3')) continue;
    const v = parseVersionedName(name);
    if (v.base === base) out.push({ name, path: join(dir, name), version: v.version });
  }
  return out.sort((a, b) => a.version - b.version);
}

/** The highest version of `base` in `dir` and its asset record (null: none filed). */
export async function latestVersion(dir: string, base: string): Promise<(VoiceVersion & { record: AssetRecord | null }) | null> {
  const all = await listVersions(dir, base);
  const last = all[all.length - 1];
  if (!last) return null;
  return { ...last, record: await readJsonOrNull(AssetRecordSchema, assetRecordPath(last.path)) };
}

/**
 * Whether a filed voice was made by the narration engine. Records written before `origin`
 * existed: a voice made from a crawled chunk names it (`raw_path` scanned/story/.../chunk_NNNN.txt).
 */
export function isSynthesized(record: AssetRecord | null): boolean {
  if (!record) return false;
  if (record.origin) return record.origin === 'synthesized';
  return record.voice_key !== undefined || record.raw_path.startsWith('scanned/');
}

const locks = new KeyedLock();

/** Runs `fn` alone among the writers of versions of `base` in `dir` (in this process). */
export function withVersionLock<T>(dir: string, base: string, fn: () => Promise<T>): Promise<T> {
  return locks.run(join(dir, base), fn);
}

/**
 * Where a person's voice for `dest` (version 1's path) is filed: `dest` when nothing is filed
 * under its name; the latest version itself when that holds these very bytes (`sameAs`: the
 * raw file; a run that stopped before removing it from raw/); the next version when the
 * latest was synthesized (a person's voice wins); else the latest (a person's recording is
 * there: the caller refuses this one as a duplicate, as before versions existed). Call it
 * under withVersionLock.
 */
export async function personVoiceDest(dest: string, sameAs: string | null): Promise<string> {
  const latest = await latestVersion(dirname(dest), basename(dest));
  if (!latest) return dest;
  if (sameAs && (await sameContent(sameAs, latest.path))) return latest.path;
  return isSynthesized(latest.record) ? join(dirname(dest), versionedName(basename(dest), latest.version + 1)) : latest.path;
}

/** Whether a person's voice for `dest` (version 1's path) may be filed: nothing there yet, or the latest version was synthesized. */
export async function personVoiceWelcome(dest: string): Promise<boolean> {
  const latest = await latestVersion(dirname(dest), basename(dest));
  return !latest || isSynthesized(latest.record);
}
