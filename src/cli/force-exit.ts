// The forced exit (a second signal, or a shutdown past its bound) must really exit.
// process.exit() joins libuv's thread pool on the way out, and a pool thread stuck in the
// kernel (an open() of a FIFO waiting for a writer, a read from a hung NFS mount) blocks it
// forever: a worker printed "exiting" and was alive 9 minutes later. So a detached watchdog
// process is started first; if this process has not gone within `graceMs`, it is SIGKILLed.
// The watchdog checks the process's start time before it kills, so a reused pid is safe.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Field 22 of /proc/<pid>/stat: the start time in clock ticks since boot; null off Linux or once gone. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

const WATCHDOG = `
const [pid, started, graceMs] = process.argv.slice(1);
setTimeout(() => {
  let now = null;
  try { const s = require('fs').readFileSync('/proc/' + pid + '/stat', 'utf8'); now = s.slice(s.lastIndexOf(')') + 2).split(' ')[19]; } catch {}
  if (now !== null && now === started) { try { process.kill(Number(pid), 'SIGKILL'); } catch {} }
}, Number(graceMs));
`;

/** Exits with `code`, or is killed `graceMs` later if the exit itself hangs. Only the CLI's entry point calls it. */
export function forceExit(code: number, graceMs = 3000): never {
  const started = processStartTime(process.pid);
  if (started !== null) {
    try {
      spawn(process.execPath, ['-e', WATCHDOG, String(process.pid), started, String(graceMs)], { detached: true, stdio: 'ignore' }).unref();
    } catch {
      // No watchdog (out of processes): exit as well as we can.
    }
  }
  process.exit(code);
}
