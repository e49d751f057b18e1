// Failing a task: error.json (one schema, ErrorFileSchema) and the stderr tail are written into
// the task folder, which then moves to trash/failed/<id>/ (or <id>.2, ... when the id failed
// before) in one rename. The render worker, the main worker's recovery and `clipmill requeue`
// all fail tasks through here.
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ClipmillError, errorMessage } from '../errors.js';
import { firstFreePath, writeFileAtomic } from '../fs.js';
import { writeJson } from '../json.js';
import type { Layout } from '../layout.js';
import { ErrorFileSchema, TASK_STAGES, type ErrorFile, type TaskStage } from './files.js';

export interface TaskFailure {
  error: ClipmillError;
  /** Where it failed; defaults to the error's details.stage, else 'publish'. */
  stage?: TaskStage;
  attempts: number | null;
  node: string | null;
  encoder: string | null;
}

/** The catalog error for anything thrown at a task (a foreign error is the machine's: IO). */
export function asTaskError(err: unknown): ClipmillError {
  return err instanceof ClipmillError ? err : new ClipmillError('IO', errorMessage(err), { cause: err });
}

export function stageOf(err: ClipmillError): TaskStage {
  const s = err.details.stage;
  return TASK_STAGES.includes(s as TaskStage) ? (s as TaskStage) : 'publish';
}

/** Writes error.json (+ stderr.log) and moves the folder from `dir` to trash/failed/; returns where it went. */
export async function failTask(layout: Layout, id: string, dir: string, f: TaskFailure): Promise<string> {
  const { stage: _stage, stderr: _stderr, ...details } = f.error.details;
  const file: ErrorFile = {
    task_id: id,
    code: f.error.code,
    class: f.error.errorClass,
    stage: f.stage ?? stageOf(f.error),
    message: f.error.message,
    attempts: f.attempts,
    node: f.node,
    encoder: f.encoder,
    failed_at: new Date().toISOString(),
    ...(Object.keys(details).length ? { details } : {}),
  };
  // ffmpeg's stderr tail, when it ran, travels in the error's details (stageError).
  const stderr = f.error.details.stderr;
  if (typeof stderr === 'string' && stderr) await writeFileAtomic(join(dir, 'stderr.log'), stderr);
  await writeJson(ErrorFileSchema, join(dir, 'error.json'), file);
  await rm(join(dir, 'final.mp4'), { force: true });
  const dest = await firstFreePath(layout.failedTask(id));
  await rename(dir, dest);
  return dest;
}
