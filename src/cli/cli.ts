import { forceExit } from './force-exit.js';
import { ClipmillError, errorMessage, isClipmillError } from '../shared/errors.js';
import { packageVersion } from '../shared/package-root.js';
import { parse, type Command, type Io } from './common.js';
import { crawl } from './commands/crawl.js';
import { render } from './commands/render.js';
import { demo } from './commands/demo.js';
import { doctor } from './commands/doctor.js';
import { init } from './commands/init.js';
import { jobs } from './commands/jobs.js';
import { mainWorker } from './commands/main-worker.js';
import { renderWorker } from './commands/render-worker.js';
import { status } from './commands/status.js';
import { edit } from './commands/edit.js';
import { requeue, retry } from './commands/retry.js';
import { assets } from './commands/assets.js';
import { narrate } from './commands/narrate.js';
import { serve } from './commands/serve.js';
import { token } from './commands/token.js';

export const COMMANDS: Command[] = [init, mainWorker, renderWorker, status, jobs, assets, retry, requeue, edit, render, crawl, narrate, serve, token, doctor, demo];

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `clipmill ${packageVersion()}: a video production farm. Operators drop media into raw/;
the main worker files it and publishes render tasks; render workers render them with FFmpeg.

Usage: clipmill <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'clipmill <command> --help' for a command's options.
Exit codes: 0 ok, 1 something failed, 2 wrong usage (or, for render, an invalid input file).
`;
}

/**
 * Shutdown is bounded: a second signal, or 120 s after the first, forces the exit (a render
 * worker's render.shutdownGraceMs is at most 90 s; systemd's TimeoutStopSec should exceed both).
 */
const FORCE_EXIT_MS = 120_000;

export async function runCli(argv: string[], io?: Partial<Io>): Promise<number> {
  const out = io?.out ?? process.stdout;
  const err = io?.err ?? process.stderr;
  const env = io?.env ?? process.env;
  const [name, ...rest] = argv;
  if (!name) {
    err.write(`clipmill: error: missing command\n\n${topHelp()}`);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    out.write(topHelp());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    out.write(`${packageVersion()}\n`);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    err.write(`clipmill: error: unknown command ${JSON.stringify(name)}; commands: ${COMMANDS.map((c) => c.name).join(', ')} [USAGE]\n`);
    return 2;
  }
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      err.write(`clipmill: ${sig} received, shutting down\n`);
      controller.abort(new ClipmillError('RENDER_CANCELED', `${sig} received`));
      setTimeout(() => {
        err.write(`clipmill: shutdown took longer than ${FORCE_EXIT_MS / 1000} s; exiting\n`);
        forceExit(1);
      }, FORCE_EXIT_MS).unref();
    } else {
      err.write(`clipmill: ${sig} received again; exiting now\n`);
      forceExit(1);
    }
  };
  const handleSignals = !io?.signal;
  if (handleSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  try {
    const args = parse(cmd, rest);
    if (args.values.help) {
      out.write(`Usage: ${cmd.usage}\n\n${cmd.help}\n`);
      return 0;
    }
    return await cmd.run(args, { out, err, env, signal: io?.signal ?? controller.signal });
  } catch (e) {
    const code = isClipmillError(e) ? e.code : 'IO';
    err.write(`clipmill ${cmd.name}: error: ${errorMessage(e).split('\n')[0]} [${code}]\n`);
    return code === 'USAGE' || cmd.inputErrors?.includes(code) ? 2 : 1;
  } finally {
    if (handleSignals) {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  }
}
