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
