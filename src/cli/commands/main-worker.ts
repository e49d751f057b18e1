import { Layout } from '../../shared/layout.js';
import { resolveBinaries } from '../../shared/media/ffmpeg.js';
import { MainWorker } from '../../main-worker/index.js';
import { COMMON_HELP, COMMON_OPTIONS, configFrom, loggerFor, nodeId, rootFrom, type Command, type Io, type ParsedArgs } from '../common.js';
import { createRegistry, startMetricsServer } from '../../shared/metrics.js';
import type { Logger } from '../../shared/log.js';

export const mainWorker: Command = {
  name: 'main-worker',
  summary: 'file raw/ into scanned/ and publish render tasks (the daemon; one per farm)',
  usage: 'clipmill main-worker --root <dir> [--once]',
  help: `Watches raw/ (file system events, or polling with watch.usePolling) and rescans it every
ingest.scanIntervalMs. A file is taken once its size and modification time have not changed
for ingest.stableMs. Footage is probed and decode-checked, then moved to scanned/ as it is
when it fits the concat profile, else kept under original/ and conformed once; music is
loudness-normalized to MP3; voice files are checked for length and silence. Invalid files go
to trash/invalid/ beside a <name>.reason.json. For every voice file in scanned/ it publishes
tasks.variationsPerVoice tasks in tasks/. A restart finishes what a crash left half-done.

Options:
  --once              process what is ready, wait for it, and exit (0, or 1 if an
                      unexpected error happened; rejected files are not errors)
${COMMON_HELP}

Stops cleanly on SIGTERM or SIGINT.`,
  options: { ...COMMON_OPTIONS, once: { type: 'boolean' } },
  async run(args, io) {
    const config = configFrom(args, io.env);
    const layout = new Layout(rootFrom(args, io.env, { mustExist: true }));
    const log = loggerFor(config, 'main_worker');
    const bins = await resolveBinaries(config, io.env);
    const registry = config.metrics.port !== null ? createRegistry('main_worker', nodeId(config)) : undefined;
    const server = registry ? await startMetricsServer(config, registry, log) : null;
    const worker = new MainWorker({ config, layout, log, bins }, registry);
    try {
      return await runMain(worker, args, io, log);
    } finally {
      await server?.close();
    }
  },
};

async function runMain(worker: MainWorker, args: ParsedArgs, io: Io, log: Logger): Promise<number> {
  if (args.values.once) {
    const s = await worker.runOnce(io.signal);
    log.info(`Done: ${s.moved} moved, ${s.converted} converted, ${s.rejected} rejected, ${s.tasksCreated} task(s) created, ${s.waiting} voice(s) waiting, ${s.errors} error(s)`);
    // Interrupted (SIGTERM) before everything was done: not a success.
    return s.errors || io.signal.aborted ? 1 : 0;
  }
  await worker.run(io.signal);
  return 0;
}
