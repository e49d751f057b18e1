// The CLI run in this process (runCli with its own streams and env, no signal handlers): the
// exit code and what went to stdout and stderr, without starting a Node for each case. Logs
// of the commands go to the process's stderr, not to `stderr` here; CLIPMILL_LOG_LEVEL=fatal
// keeps them quiet where a test does not need them.
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/cli.js';

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
}

export async function runInProcess(argv: string[], env: Record<string, string> = {}, signal: AbortSignal = new AbortController().signal): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const exitCode = await runCli(argv, { out: out.stream, err: err.stream, env: { PATH: process.env.PATH ?? '', ...env }, signal });
  return { exitCode, stdout: out.text(), stderr: err.text() };
}
