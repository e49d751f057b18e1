// The local, offline provider: espeak-ng (installed by scripts/setup.mjs), driven through its
// library, libespeak-ng, so that the word timings come from the synthesis itself: the library
// reports a WORD event with the sample where each word starts, which its command line cannot
// print. Node has no FFI, so a small Python program (the standard library's ctypes) loads the
// library, synthesizes the text read from stdin and writes the PCM to a file and the events as
// JSON to stdout.
//
// Measured (test/main-worker/narrate/espeak-ng.test.ts, 18 words with 300 ms between them,
// against the onsets ffmpeg's silencedetect finds in the same audio): the library's WORD events
// alone are 13 ms off (median), 53 ms at worst, because an event marks where the word's
// phonemes begin, a few ms of near-silence before its sound; trimmed to the first sample above
// -45 dBFS, 0.4 ms (median) and 13 ms at worst. In normal speech, sentence starts are within
// 1 ms (median) and 13 ms (worst). The alternative, sentence boundaries exact and words split by
// length within each sentence, is 273 ms off (median) on the same text.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { ClipmillError } from '../../shared/errors.js';
import { roundMs, splitWords, wordSpans, type Word } from '../../shared/words.js';
import { encodeMp3, type Pcm } from './pcm.js';
import type { NarrationProvider, Synthesis, SynthesizeOptions } from './provider.js';

export interface EspeakSettings {
  voice: string;
  /** Words per minute. */
  rate: number;
  /** 0-99. */
  pitch: number;
  /** Extra pause between words, in units of 10 ms at the default speed (espeak-ng -g); 0 in narration, used by the accuracy test. */
  wordGap?: number;
}

/**
 * The program run by python3. argv: voice rate pitch wordgap pcm-out; stdin: the text (UTF-8).
 * stdout: {"rate": Hz, "samples": n, "words": [[char index, start sample, end sample], ...]}.
 * Exit 3: unknown voice; 4: the library does not load; 5: synthesis failed.
 */
export const ESPEAK_PROGRAM = String.raw`
import ctypes, ctypes.util, json, sys
try:
    lib = ctypes.CDLL(ctypes.util.find_library('espeak-ng') or 'libespeak-ng.so.1')
except OSError as e:
    sys.stderr.write('libespeak-ng does not load: %s\n' % e); sys.exit(4)
class Event(ctypes.Structure):
    _fields_ = [('type', ctypes.c_int), ('unique_identifier', ctypes.c_uint), ('text_position', ctypes.c_int),
                ('length', ctypes.c_int), ('audio_position', ctypes.c_int), ('sample', ctypes.c_int),
                ('user_data', ctypes.c_void_p), ('id', ctypes.c_char * 8)]
Callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(Event))
voice, rate, pitch, gap, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
text = sys.stdin.buffer.read()
hz = lib.espeak_Initialize(2, 0, None, 0x8000)  # AUDIO_OUTPUT_SYNCHRONOUS; espeakINITIALIZE_DONT_EXIT
if hz <= 0:
    sys.stderr.write('espeak_Initialize failed\n'); sys.exit(4)
chunks, starts = [], []
total = [0]
def on_audio(wav, n, events):
    i = 0
    while events[i].type != 0:
        e = events[i]
        if e.type == 1:  # espeakEVENT_WORD: text_position counts characters from 1
            starts.append((e.text_position - 1, e.sample))
        i += 1
    if wav and n > 0:
        chunks.append(ctypes.string_at(wav, n * 2)); total[0] += n
    return 0
cb = Callback(on_audio)
lib.espeak_SetSynthCallback(cb)
if lib.espeak_SetVoiceByName(voice.encode()) != 0:
    sys.stderr.write('unknown voice %s\n' % voice); sys.exit(3)
lib.espeak_SetParameter(1, rate, 0)   # espeakRATE
lib.espeak_SetParameter(3, pitch, 0)  # espeakPITCH
lib.espeak_SetParameter(7, gap, 0)    # espeakWORDGAP
buf = ctypes.create_string_buffer(text)
if lib.espeak_Synth(buf, len(text) + 1, 0, 1, 0, 1, None, None) != 0:  # POS_CHARACTER, espeakCHARS_UTF8
    sys.stderr.write('espeak_Synth failed\n'); sys.exit(5)
lib.espeak_Synchronize()
pcm = b''.join(chunks)
with open(out, 'wb') as f:
    f.write(pcm)
print(json.dumps({'rate': hz, 'samples': len(pcm) // 2, 'words': starts}))
`;

/** Quieter than this (about -45 dBFS) is silence, when a word's sound is trimmed to where it starts and ends. */
const QUIET = 180;

interface EspeakOutput {
  rate: number;
  samples: number;
  words: Array<[number, number]>;
}

/**
 * Word timings from espeak-ng's WORD events: each of the text's words (wordSpans) gets the
 * events that fall inside it (espeak may read "1,234" as several words, or skip a lone "—"),
 * from the first one's sample; it ends where its sound ends before the next word starts (the
 * trailing pause trimmed), and starts where its sound starts (the pause before it trimmed).
 * A word with no event of its own (not spoken) is zero-length where the word before it ends.
 */
export function wordsFromEvents(text: string, events: ReadonlyArray<readonly [number, number]>, pcm: Pcm): Word[] {
  const words = wordSpans(text);
  const n = pcm.samples.length;
  const startOf = words.map((w) => {
    const inside = events.filter(([pos]) => pos >= w.from && pos < w.to).map(([, s]) => s);
    return inside.length ? Math.min(...inside) : null;
  });
  // Monotonic: an event out of order (it happens around numbers) never moves a word back.
  for (let k = 1; k < startOf.length; k++) if (startOf[k] !== null && startOf[k - 1] !== null && startOf[k]! < startOf[k - 1]!) startOf[k] = startOf[k - 1]!;
  const known = startOf.map((s, k) => ({ s, k })).filter((x) => x.s !== null) as Array<{ s: number; k: number }>;
  const out: Word[] = [];
  words.forEach((w, k) => {
    const a0 = startOf[k];
    if (a0 === null) {
      // Not spoken (a dash, a lone symbol): zero-length where the word before it ends.
      const at = out[k - 1]?.end ?? 0;
      out.push({ word: w.word, start: at, end: at });
      return;
    }
    const nextKnown = known.find((x) => x.k > k);
    const a = Math.max(0, Math.min(a0, n));
    const limit = Math.max(a, Math.min(nextKnown ? nextKnown.s : n, n));
    let s = a;
    while (s < limit && Math.abs(pcm.samples[s]!) < QUIET) s++;
    if (s >= limit) s = a;
    let e = limit;
    while (e > s && Math.abs(pcm.samples[e - 1]!) < QUIET) e--;
    out.push({ word: w.word, start: roundMs(s / pcm.rate), end: roundMs(Math.max(s, e) / pcm.rate) });
  });
  return out;
}

export class EspeakProvider implements NarrationProvider {
  readonly name = 'espeak-ng' as const;
  readonly settings: Readonly<Record<string, string | number>>;

  constructor(private readonly s: EspeakSettings, private readonly bins: { ffmpeg: string; python?: string }) {
    this.settings = Object.freeze({ voice: s.voice, rate: s.rate, pitch: s.pitch, wordGap: s.wordGap ?? 0 });
  }

  async synthesize(text: string, opts: SynthesizeOptions, signal?: AbortSignal): Promise<Synthesis> {
    await mkdir(opts.workDir, { recursive: true });
    const raw = join(opts.workDir, 'espeak.pcm');
    const argv = ['-c', ESPEAK_PROGRAM, this.s.voice, String(this.s.rate), String(this.s.pitch), String(this.s.wordGap ?? 0), raw];
    const python = this.bins.python ?? 'python3';
    const r = await execa(python, argv, { input: text, reject: false, cancelSignal: signal, timeout: 600_000, encoding: 'utf8' });
    if (r.isCanceled) signal?.throwIfAborted();
    const why = r.stderr.trim().split('\n').slice(-1)[0] ?? '';
    if ((r as { code?: string }).code === 'ENOENT') throw new ClipmillError('NARRATION_CONFIG', `${python} is not installed: the espeak-ng provider runs libespeak-ng through it (node scripts/setup.mjs installs both)`);
    if (r.exitCode === 3) throw new ClipmillError('NARRATION_CONFIG', `espeak-ng has no voice "${this.s.voice}" (narration.espeakVoice; espeak-ng --voices lists them)`);
    if (r.exitCode === 4) throw new ClipmillError('NARRATION_CONFIG', `espeak-ng is not installed (${why}); node scripts/setup.mjs installs it`);
    if (r.failed) throw new ClipmillError('NARRATION_UNAVAILABLE', `espeak-ng failed: ${why || r.shortMessage}`);
    let parsed: EspeakOutput;
    try {
      parsed = JSON.parse(r.stdout) as EspeakOutput;
    } catch (err) {
      throw new ClipmillError('NARRATION_UNAVAILABLE', `espeak-ng's helper printed no result: ${r.stdout.slice(0, 200)}`, { cause: err });
    }
    const buf = await readFile(raw);
    const pcm: Pcm = { rate: parsed.rate, samples: new Int16Array(buf.buffer, buf.byteOffset, Math.floor(buf.byteLength / 2)) };
    if (pcm.samples.length === 0) throw new ClipmillError('NARRATION_INVALID', `espeak-ng made no sound for a text of ${splitWords(text).length} words`);
    const words = wordsFromEvents(text, parsed.words, pcm);
    await encodeMp3(this.bins.ffmpeg, pcm, join(opts.workDir, 'espeak-enc.pcm'), opts.out, signal);
    await rm(raw, { force: true });
    await rm(join(opts.workDir, 'espeak-enc.pcm'), { force: true });
    return { audio: opts.out, duration: pcm.samples.length / pcm.rate, words };
  }
}
