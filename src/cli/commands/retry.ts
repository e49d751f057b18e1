// `clipmill retry` and `clipmill requeue`: the task protocol's retry and requeue, by hand.
import { Layout } from '../../shared/layout.js';
import { requeueTask } from '../../shared/protocol/requeue.js';
import { latestFailures, retryFailed } from '../../shared/protocol/retry.js';
import { COMMON_HELP, COMMON_OPTIONS, configFrom, loggerFor, rootFrom, usageError, type Command } from '../common.js';

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
    if (args.values['all-failed'] && args.positionals.length) throw usageError('give task ids or --all-failed, not both');
    if (!args.values['all-failed'] && !args.positionals.length) throw usageError('missing <task_id> (or --all-failed)');
    const wanted = await latestFailures(layout, args.values['all-failed'] ? undefined : args.positionals);
    let failures = 0;
    for (const name of wanted) {
      try {
        const r = await retryFailed(layout, name);
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
      const r = await requeueTask(layout, id.toLowerCase(), { maxAttempts: config.tasks.maxAttempts, leaseStaleMs: config.health.leaseStaleMs, log, force: !!args.values.force });
      if ('ok' in r) io.out.write(`${id} ${r.ok === 'requeued' ? 'back in tasks/' : 'moved to trash/failed/ (attempts spent)'}\n`);
      else {
        failures++;
        io.err.write(`clipmill requeue: ${id}: ${r.refused}\n`);
      }
    }
    return failures ? 1 : 0;
  },
};
