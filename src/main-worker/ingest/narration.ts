// raw/narration/<category>/<campaign>/part_<NNNN>.mp3 (and further takes part_<NNNN>_<k>.mp3,
// k >= 2: alternatives a variation chooses between): recorded narration parts, validated like
// story voices (MP3, ingest.voiceMinSeconds..voiceMaxSeconds when decoded, not silent; a header
// that lies about the length is re-encoded) and filed under the same name as
//   scanned/narration/<category>/<campaign>/part_<NNNN>[_<k>].mp3
// with their asset record (duration, campaign, part, take; the sidecar's transcript). They are
// assets that jobs select: unlike voices, they never make voice-over tasks.
import { join } from 'node:path';
import { ClipmillError } from '../../shared/errors.js';
import { narrationPartId, parseNarrationPartName } from '../../shared/asset-names.js';
import type { MainContext } from '../context.js';
import type { RawFile } from '../scan.js';
import type { Validated } from './index.js';
import { validateSpeech } from './voice.js';

/** scanned/narration/<category>/<campaign>/original/: parts re-encoded because their header lied, as they came. */
export function narrationOriginalDir(ctx: MainContext, category: string, campaign: string): string {
  return join(ctx.layout.scannedNarrationDir(category, campaign), 'original');
}

export async function validateNarrationPart(ctx: MainContext, file: RawFile, category: string, campaign: string, name: string, signal?: AbortSignal): Promise<Validated> {
  const parsed = parseNarrationPartName(name);
  // Versions (part_0001.v2.mp3) are made by `clipmill narrate` in scanned/, never dropped.
  if (!parsed || parsed.version > 1) {
    const why = /^part_\d{4,}_1\.mp3$/.test(name) ? ' (take 1 of a part is part_<NNNN>.mp3 itself; further takes are _2, _3, ...)' : /^part_0+(_\d+)?\.mp3$/.test(name) ? ' (parts are numbered from 0001)' : '';
    throw new ClipmillError('NARRATION_BAD_NAME', `narration parts are named part_<NNNN>.mp3 (the part number, 4 digits or more) or part_<NNNN>_<k>.mp3 (its take k), got ${JSON.stringify(name)}${why}`);
  }
  return validateSpeech(ctx, file, name, ctx.layout.scannedNarrationDir(category, campaign), narrationOriginalDir(ctx, category, campaign), { id: narrationPartId(category, campaign, name), campaign, part: parsed.part, take: parsed.take }, signal);
}
