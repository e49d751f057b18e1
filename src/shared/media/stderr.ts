import { ClipmillError } from '../errors.js';

/**
 * ffmpeg's stderr as clean lines: trimmed, empty ones dropped, and the component prefix
 * ("[h264_nvenc @ 0x55d...] ") removed, so that messages read "Cannot load libcuda.so.1".
 */
export function ffmpegErrorLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((l) => l.replace(/^\[[^\]]+ @ 0x[0-9a-f]+\]\s*/, '').trim())
    .filter(Boolean);
}

/**
 * The machine failures that ffmpeg reports only in its stderr: a full disk or quota, an I/O
 * error, memory exhausted. ffmpeg 5.1 even exits 0 after "Error writing trailer ... No space
 * left on device". These strings are strerror()'s (glibc), the one place the errno survives;
 * everything else is classified by the subprocess's flags (STYLE 4).
 */
const MACHINE_FAILURES: { re: RegExp; code: 'IO' | 'OUT_OF_MEMORY'; errno: string }[] = [
  { re: /No space left on device/i, code: 'IO', errno: 'ENOSPC' },
  { re: /Disk quota exceeded/i, code: 'IO', errno: 'EDQUOT' },
  { re: /Input\/output error/i, code: 'IO', errno: 'EIO' },
  { re: /Cannot allocate memory|Could not allocate memory|Out of memory/i, code: 'OUT_OF_MEMORY', errno: 'ENOMEM' },
];

export function machineFailureIn(stderr: string): { code: 'IO' | 'OUT_OF_MEMORY'; errno: string; line: string } | null {
  for (const line of ffmpegErrorLines(stderr).reverse()) {
    for (const f of MACHINE_FAILURES) if (f.re.test(line)) return { code: f.code, errno: f.errno, line };
  }
  return null;
}

/** The catalog error for a machine failure in ffmpeg's stderr (see machineFailureIn), or null. */
export function machineFailureError(what: string, stderr: string, details: Record<string, unknown> = {}): ClipmillError | null {
  const m = machineFailureIn(stderr);
  return m ? new ClipmillError(m.code, `${what} failed (${m.errno}): ${m.line}`, { details: { ...details, errno: m.errno } }) : null;
}
