import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { checkHealthForRequeue } from '../../main-worker/requeue.js';
import { ClipmillError } from '../../shared/errors.js';
import { exists, writeJsonAtomic } from '../../shared/fs.js';
import { Layout, UUID_RE } from '../../shared/layout.js';
import { TASK_FILES } from '../../shared/task.js';
import { COMMON_HELP, COMMON_OPTIONS, configFrom, loggerFor, rootFrom, usageError, type Command } from '../common.js';

/** Moves trash/failed/<name> back to tasks/<id> with attempts reset; returns the old error. */
async function retryOne(layout: Layout, name: string): Promise<{ id: string; code: string; message: string }> {
  const id = name.split('.')[0]!;
  const from = join(layout.trashFailed, name);
  for (const p of [layout.task(id), layout.processingTask(id), layout.outputTask(id)]) {
    if (await exists(p)) throw new ClipmillError('USAGE', `task ${id} is already in ${layout.rel(p)}`);
  }
  const error = JSON.parse(await readFile(join(from, 'error.json'), 'utf8').catch(() => '{}')) as { code?: string; message?: string };
  const metaPath = join(from, TASK_FILES.metadata);
  const meta = JSON.parse(await readFile(metaPath, 'utf8')) as Record<string, unknown>;
  await writeJsonAtomic(metaPath, { ...meta, attempts: 0 });
  for (const f of ['error.json', 'stderr.log', TASK_FILES.claim, 'final.mp4', 'report.json']) await rm(join(from, f), { force: true });
  await rename(from, layout.task(id));
  return { id, code: error.code ?? '?', message: error.message ?? '' };
}

export const retry: Command = {
  name: 'retry',
  summary: 'move failed tasks from trash/failed/ back to tasks/ with attempts reset',
  usage: 'clipmill retry --root <dir> (<task_id> ... | --all-failed)',
  help: `Moves trash/failed/<task_id>/ back to tasks/<task_id>/: attempts reset to 0, error.json and
stderr.log removed (the log line keeps what the error was). Fix the cause first (see
docs/errors.md). A task whose id is already in tasks/, processing/ or output/ is refused.

Options:
  --all-failed        every task in trash/failed/
${COMMON_HELP}`,
  options: { ...COMMON_OPTIONS, 'all-failed': { type: 'boolean' } },
  allowPositionals: 100,
  async run(args, io) {
    const layout = new Layout(rootFrom(args, io.env, { mustExist: true }));
    const log = loggerFor(configFrom(args, io.env), 'cli');
    const names = (await readdir(layout.trashFailed).catch(() => [] as string[])).filter((n) => UUID_RE.test(n.split('.')[0]!));
    let wanted: string[];
    const latest = (id: string) => names.filter((n) => n.split('.')[0] === id).sort((a, b) => Number(a.split('.')[1] ?? 1) - Number(b.split('.')[1] ?? 1)).pop();
    if (args.values['all-failed']) {
      if (args.positionals.length) throw usageError('give task ids or --all-failed, not both');
      // A task that failed more than once has <id>, <id>.2, ...: its latest failure goes back.
      wanted = [...new Set(names.map((n) => n.split('.')[0]!))].map((id) => latest(id)!);
    } else {
      if (!args.positionals.length) throw usageError('missing <task_id> (or --all-failed)');
      wanted = args.positionals.map((id) => {
        const hits = names.filter((n) => n.split('.')[0] === id.toLowerCase());
        if (!hits.length) throw new ClipmillError('USAGE', `no task ${id} in trash/failed/`);
        // The latest failure of that id (a task that failed twice has <id> and <id>.2).
        return hits.sort((a, b) => Number(a.split('.')[1] ?? 1) - Number(b.split('.')[1] ?? 1)).pop()!;
      });
    }
    let failures = 0;
    for (const name of wanted) {
      try {
        const r = await retryOne(layout, name);
        log.info({ task: r.id }, `Retry: trash/failed/${name} → tasks/${r.id} (attempts reset; it had failed with ${r.code}: ${r.message})`);
        io.out.write(`${r.id}\n`);
      } catch (err) {
        failures++;
        log.error({ task: name }, `Retry of ${name} refused: ${(err as Error).message}`);
      }
    }
    if (!wanted.length) io.out.write('nothing in trash/failed/\n');
    return failures ? 1 : 0;
  },
};

export const requeue: Command = {
  name: 'requeue',
  summary: 'hand a task stuck in processing/ (its node dead) back to tasks/',
  usage: 'clipmill requeue --root <dir> <task_id> ... [--force]',
  help: `Hands processing/<task_id>/ back to tasks/ as the main worker's recovery does (its attempt
counted; to trash/failed/ once tasks.maxAttempts is spent), when its lease is stale: the
worker that claimed it is gone. The main worker does this by itself after
health.leaseStaleMs; requeue is for doing it now, or on a root without a main worker.

Options:
  --force             requeue even though the lease is fresh (only when you know the
                      claiming worker is dead: a live one would keep rendering it)
${COMMON_HELP}`,
  options: { ...COMMON_OPTIONS, force: { type: 'boolean' } },
  allowPositionals: 100,
  async run(args, io) {
    if (!args.positionals.length) throw usageError('missing <task_id>');
    const config = configFrom(args, io.env);
    const layout = new Layout(rootFrom(args, io.env, { mustExist: true }));
    const log = loggerFor(config, 'cli');
    let failures = 0;
    for (const id of args.positionals) {
      const r = await checkHealthForRequeue(layout, config, id.toLowerCase(), log, !!args.values.force);
      if (r === 'requeued' || r === 'failed') io.out.write(`${id} ${r === 'requeued' ? 'back in tasks/' : 'moved to trash/failed/ (attempts spent)'}\n`);
      else {
        failures++;
        io.err.write(`clipmill requeue: ${id}: ${r}\n`);
      }
    }
    return failures ? 1 : 0;
  },
};
