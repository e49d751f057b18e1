// Word timings for a person's recording that came with a transcript (its sidecar's
// `transcript`): the pauses of the recording found with ffmpeg's silencedetect, the
// transcript's sentences laid on the stretches of sound between them and each sentence's words
// spread by length (src/shared/words.ts alignTranscript). Without a transcript a recording gets
// no words file, and so no captions.
import { alignTranscript, type WordsFile } from '../../shared/words.js';
import { soundSpans } from './pcm.js';

/** A pause between sentences: quieter than -40 dB for 0.25 s or more (breaths between words are shorter). */
export const SENTENCE_PAUSE = { noiseDb: -40, minPause: 0.25 } as const;

export async function transcriptWords(ffmpeg: string, voiceFile: string, transcript: string, signal?: AbortSignal): Promise<WordsFile> {
  const { spans, duration } = await soundSpans(ffmpeg, voiceFile, { ...SENTENCE_PAUSE, ...(signal ? { signal } : {}) });
  return { source: 'transcript', words: alignTranscript(transcript, spans, duration) };
}
