// `clipmill assets`: what scanned/ holds, as the main worker's catalog sees it (Catalog.load:
// the scanned names and each file's asset record), with each file's size on disk.
// Listed by src/shared/reports/assets.ts.
import { ASSET_KINDS, type AssetKind } from '../../shared/assets.js';
import { Layout } from '../../shared/layout.js';
import { listAssets, type ListedAsset } from '../../shared/reports/assets.js';
import { normalizeTags } from '../../shared/tags.js';
import { COMMON_HELP, COMMON_OPTIONS, rootFrom, usageError, type Command } from '../common.js';

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
