// Rejects go to trash/invalid/<same relative path as under raw/>, beside <name>.reason.json.
import { dirname, join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { ClipmillError, errorMessage, type ErrorCode } from '../../shared/errors.js';
import { freeName, moveFile, writeJsonAtomic } from '../../shared/fs.js';
import type { MainContext } from '../context.js';
import type { RawFile } from '../scan.js';

export interface RejectReason {
  code: ErrorCode;
  message: string;
  raw_path: string;
  rejected_at: string;
  probe: Record<string, unknown> | null;
  details: Record<string, unknown>;
}

export async function reject(ctx: MainContext, file: RawFile, err: unknown, probe: Record<string, unknown> | null = null): Promise<string> {
  const code: ErrorCode = err instanceof ClipmillError ? err.code : 'IO';
  const message = errorMessage(err);
  const dir = join(ctx.layout.trashInvalid, dirname(file.rel));
  await mkdir(dir, { recursive: true });
  const base = file.rel.split('/').pop()!;
  // If a reason file was written before a crash but the move did not happen, freeName gives
  // the same name again and the reason is simply rewritten.
  const name = await freeName(dir, base);
  const reason: RejectReason = {
    code,
    message,
    raw_path: `raw/${file.rel}`,
    rejected_at: new Date().toISOString(),
    probe,
    details: err instanceof ClipmillError ? Object.fromEntries(Object.entries(err.details).filter(([k]) => k !== 'probe')) : {},
  };
  // Reason first, then the file: a crash in between leaves the file in raw/ to be retried.
  await writeJsonAtomic(join(dir, `${name}.reason.json`), reason);
  const dest = join(dir, name);
  await moveFile(file.path, dest);
  ctx.log.warn({ file: `raw/${file.rel}`, code }, `Rejected file raw/${file.rel} → ${ctx.layout.rel(dest)}: ${message}`);
  return dest;
}
