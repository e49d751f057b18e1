import { createHash, randomUUID } from 'node:crypto';
import { UUID_RE } from './layout.js';

/**
 * The raw file's id: its name (without extension) when that is a UUID; otherwise one derived
 * from its path, size and modification time, so that a run interrupted after copying the file
 * (a move across file systems) finds its own copy again instead of making a second one.
 */
export function idFromRawName(name: string, identity?: { rel: string; size: number; mtimeMs: number }): string {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  if (UUID_RE.test(stem)) return stem.toLowerCase();
  return identity ? stableUuid('clipmill-raw', identity.rel, String(identity.size), String(identity.mtimeMs)) : randomUUID();
}

/**
 * A UUID (version 8, name-based) derived from `parts`: the same parts always give the same id.
 * Task ids are derived from (voice file, variation), which makes "one task per voice file and
 * variation, ever" a matter of checking whether that id exists anywhere in the root.
 */
export function stableUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\0')).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
