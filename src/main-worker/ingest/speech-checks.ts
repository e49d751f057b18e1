// The checks every dropped speech shares (a person's voice, ingest/voice.ts; a short's audio,
// ingest/short.ts), each with its own limits: the header's length refused early only when it is
// already far too long, then the audio decoded whole and judged by what decodes: its length
// within the limits, and not silent. Errors name the configuration key of the limit.
import { ClipmillError } from '../../shared/errors.js';
import { checkTimeoutMs, headerLies, peakAndLength } from '../../shared/media/audio.js';
import type { MainContext } from '../context.js';

export interface SpeechLimits {
  /** In messages: "the voice", "the audio". */
  what: string;
  min: number;
  max: number;
  /** The configuration keys of min, max and silenceDb, named in messages. */
  keys: { min: string; max: string; silenceDb: string };
  silenceDb: number;
  /** The header's length past which the file is refused before decoding (a VBR header can lie: at least max). */
  headerMax: number;
}

/** Decodes the whole audio at `path` (probed: `duration`, its summary `probe`); returns the decoded seconds. */
export async function checkSpeech(ctx: MainContext, path: string, info: { duration: number; probe: Record<string, unknown> }, limits: SpeechLimits, signal?: AbortSignal): Promise<number> {
  const { what, min, max, keys } = limits;
  const details = { details: { probe: info.probe } };
  if (info.duration > limits.headerMax) throw new ClipmillError('TOO_LONG', `${what} lasts ${info.duration.toFixed(1)} s, more than ${keys.max} (${max} s)`, details);
  let levels: { peakDb: number; seconds: number };
  try {
    levels = await peakAndLength(ctx.bins.ffmpeg.path, path, { signal, timeoutMs: checkTimeoutMs(Math.max(info.duration, max)) });
  } catch (err) {
    throw err instanceof ClipmillError ? new ClipmillError(err.code, err.message, { details: { ...err.details, ...details.details } }) : err;
  }
  const seconds = levels.seconds;
  const decoded = { details: { ...details.details, decoded_seconds: seconds } };
  if (!(seconds >= min)) throw new ClipmillError('TOO_SHORT', `${what} lasts ${seconds.toFixed(2)} s when decoded, less than ${keys.min} (${min} s)`, decoded);
  if (seconds > max) throw new ClipmillError('TOO_LONG', `${what} lasts ${seconds.toFixed(1)} s when decoded${headerLies(info.duration, seconds) ? ` (its header says ${info.duration.toFixed(1)} s)` : ''}, more than ${keys.max} (${max} s)`, decoded);
  if (!(levels.peakDb > limits.silenceDb)) throw new ClipmillError('SILENT', `${what} is silent: its loudest sample is ${levels.peakDb} dB, at or below ${keys.silenceDb} (${limits.silenceDb} dB)`, details);
  return seconds;
}
