// `clipmill assets`: what scanned/ holds, as the main worker's catalog sees it (Catalog.load:
// the scanned names and each file's asset record), with each file's size on disk.
import { stat } from 'node:fs/promises';
import { ASSET_KINDS, type AssetKind } from '../../shared/assets.js';
import { Layout } from '../../shared/layout.js';
import { hasAllTags, normalizeTags } from '../../shared/tags.js';
import { Catalog, type CatalogAsset } from '../../main-worker/catalog.js';
import { COMMON_HELP, COMMON_OPTIONS, rootFrom, usageError, type Command } from '../common.js';

/** One listed asset (`--json` prints an array of these). */
export interface ListedAsset {
  kind: AssetKind;
  category: string;
  /** The id a job selects it by (`{"id": ...}`); a voice's is `<category>/<story>/<name>`. */
  id: string;
  /** Relative to the root. */
  path: string;
  /** Seconds; null for stills and texts. */
  duration: number | null;
  /** Bytes of the file (a text row: of its whole file); null when it vanished meanwhile. */
  size: number | null;
  tags: string[];
  width?: number;
  height?: number;
  /** Texts. */
  text?: string;
  line?: number;
  /** Narration parts. */
  campaign?: string;
  part?: number;
  take?: number;
  /** Voices. */
  story?: string;
  /** Voices and narration parts voiced again (`clipmill narrate`) or replaced by a person's recording: 2, 3, ... (absent: 1). */
  version?: number;
  /** Footage with sound: the kept original that holds it (the asset record's `sound.path`). */
  sound?: string;
}

function listed(a: CatalogAsset, size: number | null): ListedAsset {
  const base = { kind: a.kind, category: a.category, path: a.path, size, tags: a.tags };
  switch (a.kind) {
    case 'video':
    case 'frame':
      return { ...base, id: a.id, duration: a.duration, width: a.width, height: a.height, ...(a.sound ? { sound: a.sound.path } : {}) };
    case 'music':
      return { ...base, id: a.id, duration: a.duration };
    case 'voice':
      return { ...base, id: `${a.category}/${a.story}/${a.name.replace(/\.mp3$/i, '')}`, duration: null, story: a.story, ...((a.version ?? 1) > 1 ? { version: a.version } : {}) };
    case 'image':
      return { ...base, id: a.id, duration: null, width: a.width, height: a.height };
    case 'text':
      return { ...base, id: a.id, duration: null, text: a.text, line: a.line };
    case 'narration':
      return { ...base, id: a.id, duration: a.duration, campaign: a.campaign, part: a.part, take: a.take, ...((a.version ?? 1) > 1 ? { version: a.version } : {}) };
  }
}

/** The assets of a root, filtered (`kind`, `category`, every one of `tags`), in the catalog's order. */
export async function listAssets(layout: Layout, filter: { kind?: AssetKind; category?: string; tags?: string[] } = {}): Promise<ListedAsset[]> {
  const catalog = await Catalog.load(layout);
  const sizes = new Map<string, number | null>();
  const out: ListedAsset[] = [];
  for (const a of catalog.assets()) {
    if (filter.kind && a.kind !== filter.kind) continue;
    if (filter.category !== undefined && a.category !== filter.category) continue;
    if (filter.tags?.length && !hasAllTags(a.tags, filter.tags)) continue;
    if (!sizes.has(a.path)) sizes.set(a.path, (await stat(layout.abs(a.path)).catch(() => null))?.size ?? null);
    out.push(listed(a, sizes.get(a.path)!));
  }
  return out;
}

/** Media lengths as m:ss.s (or h:mm:ss). */
function formatDuration(s: number | null): string {
  if (s === null) return '-';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = (s % 60).toFixed(1).padStart(4, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

function formatSize(n: number | null): string {
  if (n === null) return '-';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

function formatText(assets: ListedAsset[]): string {
  if (!assets.length) return 'no assets match\n';
  const rows = assets.map((a) => [
    a.kind,
    a.category,
    a.id,
    formatDuration(a.duration),
    formatSize(a.size),
    a.tags.length ? a.tags.join(', ') : '-',
    a.text !== undefined ? JSON.stringify(a.text.length > 40 ? `${a.text.slice(0, 39)}…` : a.text) : a.width ? `${a.width}x${a.height}` : '',
  ]);
  const head = ['KIND', 'CATEGORY', 'ID', 'DURATION', 'SIZE', 'TAGS', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]!].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length))).join('  ').trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n${assets.length} asset(s)\n`;
}

export const assets: Command = {
  name: 'assets',
  summary: 'list what scanned/ holds: kind, category, id, duration, size, tags',
  usage: 'clipmill assets --root <dir> [--kind <kind>] [--category <c>] [--tag <t> ...] [--json]',
  help: `Lists the assets filed under scanned/ as the main worker's catalog sees them: footage
(video), overlay clips (frame), music, story voices (voice), stills (image), on-screen texts
(text: one row per text, its id <file id>#<line>) and recorded narration parts (narration),
each with its category, the id a job selects it by, its duration, the size of its file and
its tags (from the sidecar it was dropped with). Nothing is changed.

Options:
  --kind <kind>       only this kind: ${ASSET_KINDS.join(', ')}
  --category <c>      only this category
  --tag <t>           only assets with this tag (repeat: with every one of them)
  --json              print a JSON array (kind, category, id, path, duration, size, tags, ...)
${COMMON_HELP}

Examples:
  clipmill assets --root /farm
  clipmill assets --root /farm --kind image --category logos
  clipmill assets --root /farm --kind video --tag spring --tag "red car" --json`,
  options: { ...COMMON_OPTIONS, kind: { type: 'string' }, category: { type: 'string' }, tag: { type: 'string', multiple: true }, json: { type: 'boolean' } },
  async run(args, io) {
    const layout = new Layout(rootFrom(args, io.env, { mustExist: true }));
    const kind = args.values.kind as string | undefined;
    if (kind !== undefined && !(ASSET_KINDS as readonly string[]).includes(kind)) throw usageError(`--kind must be one of ${ASSET_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
    const tags = normalizeTags((args.values.tag as unknown as string[] | undefined) ?? []);
    const category = args.values.category as string | undefined;
    const list = await listAssets(layout, { ...(kind ? { kind: kind as AssetKind } : {}), ...(category !== undefined ? { category } : {}), tags });
    io.out.write(args.values.json ? `${JSON.stringify(list, null, 2)}\n` : formatText(list));
    return 0;
  },
};
