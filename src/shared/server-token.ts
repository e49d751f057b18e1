// The HTTP API's token (issue 20): server/token.json in the root, mode 0600 (its folder 0700),
// made by `clipmill init` when absent and replaced by `clipmill token --rotate`. Every node
// that mounts the root can run `clipmill serve` with it; rotating it ends every session
// (sessions are derived from it: src/server/auth.ts). Written like any file of the tree: a
// dot-named temporary created with mode 0600, fsynced, renamed in.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic, writeNewFileNoReplace } from './fs.js';
import { readJson } from './json.js';
import type { Layout } from './layout.js';

export const TokenFileSchema = z.strictObject({
  schema_version: z.literal(1),
  /** Who the token is: recorded as `by` in the revisions made through the API. */
  name: z.string().min(1),
  /** 32 random bytes, base64url. */
  token: z.string().min(32),
  created_at: z.string().min(1),
});
export type TokenFile = z.infer<typeof TokenFileSchema>;

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Writes the token file, mode 0600 from its creation on (its folder 0700); `replace` false: only when there is none (DUPLICATE otherwise). */
async function writeTokenFile(layout: Layout, file: TokenFile, replace: boolean): Promise<void> {
  const path = layout.serverToken;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await chmod(dirname(path), 0o700);
  const text = `${JSON.stringify(file, null, 2)}\n`;
  if (replace) await writeFileAtomic(path, text, { mode: 0o600 });
  else await writeNewFileNoReplace(path, text, { mode: 0o600 });
}

export function readTokenFile(layout: Layout): Promise<TokenFile> {
  return readJson(TokenFileSchema, layout.serverToken, 'CONFIG_INVALID', layout.rel(layout.serverToken), { missing: 'ROOT_MISSING' });
}

/** The token file, made now when there is none; `created` says which. */
export async function ensureToken(layout: Layout, name = 'dashboard', now = new Date()): Promise<{ file: TokenFile; created: boolean }> {
  try {
    return { file: await readTokenFile(layout), created: false };
  } catch (err) {
    if ((err as { code?: string }).code !== 'ROOT_MISSING') throw err;
  }
  const file: TokenFile = { schema_version: 1, name, token: newToken(), created_at: now.toISOString() };
  try {
    await writeTokenFile(layout, file, false);
  } catch (err) {
    // Made meanwhile (two `clipmill init`s or serves at once): that one is the token.
    if ((err as { code?: string }).code !== 'DUPLICATE') throw err;
    return { file: await readTokenFile(layout), created: false };
  }
  return { file, created: true };
}

/** A new token replaces the old one (same name); the old one and its sessions stop working. */
export async function rotateToken(layout: Layout, now = new Date()): Promise<TokenFile> {
  const old = await readTokenFile(layout).catch(() => null);
  const file: TokenFile = { schema_version: 1, name: old?.name ?? 'dashboard', token: newToken(), created_at: now.toISOString() };
  await writeTokenFile(layout, file, true);
  return file;
}

/** Constant-time equality of two secrets of any lengths (both hashed first, so the lengths leak nothing either). */
export function secretsEqual(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(h(a), h(b)) && a.length === b.length;
}
