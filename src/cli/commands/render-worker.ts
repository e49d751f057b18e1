import { nodeId } from '../../shared/config.js';
import { ClipmillError } from '../../shared/errors.js';
import { Layout } from '../../shared/layout.js';
import { detectEncoder } from '../../shared/media/encoders.js';
import { resolveBinaries } from '../../shared/media/ffmpeg.js';
import { RenderWorker } from '../../render-worker/index.js';
import { COMMON_HELP, COMMON_OPTIONS, configFrom, loggerFor, rootFrom, type Command } from '../common.js';
import { createRegistry, startMetricsServer } from '../../shared/metrics.js';

export const renderWorker: Command = {
  name: 'render-worker',
  summary: 'claim tasks and render them with FFmpeg (the daemon; one per node or GPU)',
  usage: 'clipmill render-worker --root <dir> [--once] [--node-id <id>]',
  help: `Picks the encoder at start-up: the first of render.encoders that passes a real
one-frame test encode. Then claims tasks by renaming tasks/<id> to processing/<id>, the
highest priority first, then the oldest, never before a task's not_before; renders each in
one FFmpeg pass, verifies the result and publishes output/<id>/final.mp4 with report.json
and poster.jpg (with render.preview or a task's "preview": true, a draft is published to
previews/<id>/ first). A failure of the machine (recoverable: I/O, a stalled or crashed
ffmpeg) or of memory (resource) sends the task back to tasks/ with backoff while
tasks.maxAttempts allows; a fatal one (a bad input) sends it to trash/failed/<id>/ with
stderr.log and error.json. After render.breakerFailures failures in a row the worker's
circuit breaker opens: it claims nothing for render.breakerCooldownMs, gives the attempts
back to the tasks it failed, then tries one task.

Options:
  --once              render every task there is (waiting for tasks in backoff), then exit
                      (1 if any failed, or the circuit breaker opened)
  --node-id <id>      this worker's node id (its heartbeat nodes/<id>.json, its claims and its
                      logs); wins over CLIPMILL_NODE_ID and node.id. Give each worker on a
                      host its own (default: the host name)
${COMMON_HELP}

On SIGTERM or SIGINT it claims nothing more; the render in progress gets render.shutdownGraceMs
to finish and be published, else it is stopped and its task handed back to tasks/ (as is a
task downloaded ahead); then it exits 0.`,
  options: { ...COMMON_OPTIONS, once: { type: 'boolean' }, 'node-id': { type: 'string' } },
  async run(args, io) {
    const id = args.values['node-id'] as string | undefined;
    // --node-id wins over CLIPMILL_NODE_ID (environment overrides are applied after the others).
    const env = { ...io.env };
    if (id !== undefined) delete env.CLIPMILL_NODE_ID;
    const config = configFrom(args, env, id !== undefined ? { node: { id } } : undefined);
    const layout = new Layout(rootFrom(args, io.env, { mustExist: true }));
    const node = nodeId(config);
    const log = loggerFor(config, 'render_worker').child({ node });
    const bins = await resolveBinaries(config, io.env);
    let detected: Awaited<ReturnType<typeof detectEncoder>>;
    try {
      detected = await detectEncoder(bins.ffmpeg.path, config, io.signal);
    } catch (err) {
      // Stopped (SIGTERM) while testing encoders: a clean shutdown, nothing was claimed.
      if (io.signal.aborted) return 0;
      throw err;
    }
    const { chosen, tests } = detected;
    for (const t of tests) log.info(`Encoder ${t.name}: ${t.ok ? 'ok' : `unavailable (${t.error})`}`);
    if (!chosen) throw new ClipmillError('NO_ENCODER', `none of render.encoders (${config.render.encoders.join(', ')}) passed a test encode; run clipmill doctor`);
    const registry = config.metrics.port !== null ? createRegistry('render_worker', node) : undefined;
    const server = registry ? await startMetricsServer(config, registry, log) : null;
    const worker = new RenderWorker({ config, layout, log, bins, encoder: chosen, node }, registry);
    try {
      if (args.values.once) {
        const t = await worker.runOnce(io.signal);
        const util = t.wallSeconds > 0 ? ` render_utilization ${((100 * t.renderSeconds) / t.wallSeconds).toFixed(0)}%` : '';
        log.info(`Done: ${t.done} rendered, ${t.failed} failed, ${t.requeued} back in tasks/ after a failure, ${t.handedBack} handed back, ${t.abandoned} abandoned${t.split ? `, ${t.split} split into chunks` : ''}${t.breakerOpen ? ', circuit breaker open' : ''} in ${t.wallSeconds.toFixed(1)} s;${util}${t.lowDisk ? '; stopped early for lack of disk space' : ''}`);
        return t.failed || t.lowDisk || t.breakerOpen ? 1 : 0;
      }
      await worker.run(io.signal);
      return 0;
    } finally {
      await server?.close();
    }
  },
};
