// raw/story/<category>/<story>/voice/<name>.mp3 -> scanned/story/<category>/<story>/voice/<name>.mp3
// Speech is validated for length (ingest.voiceMinSeconds..voiceMaxSeconds) and for not being
// silence (its loudest sample above ingest.voiceSilenceDb), which also decodes all of it.
import { extname, join } from 'node:path';
import { ClipmillError } from '../../shared/errors.js';
import { parseVersionedName } from '../../shared/asset-names.js';
import { exists } from '../../shared/fs.js';
import { personVoiceWelcome } from '../narrate/versions.js';
import { headerLies } from '../../shared/media/audio.js';
import { checkSpeech } from './speech-checks.js';
import { probe, probeSummary } from '../../shared/media/probe.js';
import type { MainContext } from '../context.js';
import type { RawFile } from '../scan.js';
import type { AssetFacts } from './asset-record.js';
import type { Validated } from './index.js';

export async function validateVoice(ctx: MainContext, file: RawFile, category: string, story: string, name: string, signal?: AbortSignal): Promise<Validated> {
  if (extname(name).toLowerCase() !== '.mp3') throw new ClipmillError('RAW_UNSUPPORTED_TYPE', `voice files must be .mp3, got ${JSON.stringify(extname(name) || name)}`);
  // Versions (chapter_0001.v2.mp3) are filed by clipmill (narrate/versions.ts), never dropped.
  if (parseVersionedName(name).version > 1) throw new ClipmillError('RAW_BAD_NAME', `${JSON.stringify(name)} is a version name (<name>.v<N>.mp3), which clipmill gives to voices made again; drop the voice under its chapter's name (a person's voice for a synthesized chapter becomes its next version)`);
  const dir = ctx.layout.scannedVoiceDir(category, story);
  return validateSpeech(ctx, file, name, dir, ctx.layout.scannedVoiceOriginalDir(category, story), { id: `${category}/${story}/${name.replace(/\.mp3$/i, '')}` }, signal, { versions: true });
}

/**
 * A recorded speech file (a story's voice, a narration part): MP3, ingest.voiceMinSeconds to
 * voiceMaxSeconds long when decoded, not silent. Moved to `dir`/`name`, or re-encoded there
 * from `originalDir` when its header lies about its length.
 */
/** `opts.versions`: a story voice, filed as the next version when its chapter was synthesized (narrate/versions.ts). */
export async function validateSpeech(ctx: MainContext, file: RawFile, name: string, dir: string, originalDir: string, facts: AssetFacts, signal?: AbortSignal, opts: { versions?: boolean } = {}): Promise<Validated> {
  const info = await probe(ctx.bins.ffprobe.path, file.path, { signal });
  const summary = probeSummary(info);
  const details = { details: { probe: summary } };
  if (!info.audio) throw new ClipmillError('NO_AUDIO_STREAM', 'the file has no audio stream', details);
  if (info.audio.codec !== 'mp3') throw new ClipmillError('WRONG_CODEC', `voice files must be MP3 audio, this file holds ${info.audio.codec}`, details);
  const { voiceMinSeconds: min, voiceMaxSeconds: max, voiceSilenceDb } = ctx.config.ingest;
  // The header's length can lie (a VBR MP3 without a Xing header): refuse early on it only when
  // it is already too long, then judge by what decodes.
  const seconds = await checkSpeech(ctx, file.path, { duration: info.duration, probe: summary }, { what: 'the voice', min, max, silenceDb: voiceSilenceDb, headerMax: max, keys: { min: 'ingest.voiceMinSeconds', max: 'ingest.voiceMaxSeconds', silenceDb: 'ingest.voiceSilenceDb' } }, signal);
  // A header that lies about the length (a VBR MP3 without a Xing header) would make the task
  // as long as the header says and drop the rest of the narration: re-encode it with a true one.
  if (headerLies(info.duration, seconds)) {
    // The re-encoded voice takes the name of the raw one: a voice of that name already filed is
    // a duplicate now, not after the original has been moved out of raw/.
    const dest = join(dir, name);
    if ((await exists(dest)) && !(opts.versions && (await personVoiceWelcome(dest)))) throw new ClipmillError('DUPLICATE', `${ctx.layout.rel(dest)} already exists (scanned/ is immutable)`, { details: { destination: ctx.layout.rel(dest) } });
    return {
      kind: 'convert',
      original: join(originalDir, name),
      why: `its header says ${info.duration.toFixed(2)} s, it decodes to ${seconds.toFixed(2)} s`,
      probe: summary,
      extra: { decoded_seconds: seconds },
    };
  }
  return { kind: 'move', dest: join(dir, name), probe: summary, facts: { ...facts, duration: seconds } };
}
