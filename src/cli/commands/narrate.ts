// `clipmill narrate <category>/<story or campaign> --provider p --voice v`: voice a crawled
// story's chapters, or a narration campaign's parts, again with another provider or voice.
// The command checks the request (the story or campaign has text; the provider can be set up as
// asked) and leaves it in requests/narrate/ for the main worker, which files each new voice as
// the next version (chapter_0001.v2.mp3, part_0001.v2.mp3) and plans new tasks for it. Why the
// main worker and not this process: see src/shared/narration-requests.ts (one writer of
// scanned/ and its catalog, safe while a main worker runs).
import { Layout } from '../../shared/layout.js';
import { ClipmillError } from '../../shared/errors.js';
import { createProvider } from '../../main-worker/narrate/providers.js';
import { requestKinds, requestItems, requestPath, writeRequest, type NarrateRequest } from '../../shared/narration-requests.js';
import { exists } from '../../shared/fs.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBinaries } from '../../shared/media/ffmpeg.js';
import type { Config } from '../../shared/config.js';
import { COMMON_HELP, COMMON_OPTIONS, configFrom, rootFrom, usageError, type Command } from '../common.js';

const PROVIDERS = ['espeak-ng', 'elevenlabs'] as const;

export const narrate: Command = {
  name: 'narrate',
  summary: 'voice a story or a narration campaign again with another provider or voice (new versions, new tasks)',
  usage: 'clipmill narrate <category>/<story-or-campaign> [--provider <p>] [--voice <v>] [--story | --campaign]',
  help: `Asks the main worker to voice a crawled story (scanned/story/<category>/<story>/chunk_NNNN.txt)
or a narration campaign (the parsed texts of raw/narration/<category>/<campaign>.csv|txt)
again. scanned/ is immutable: each chapter or part gets a new version beside the old one,
  scanned/story/<category>/<story>/voice/chapter_0001.v2.mp3 (.json, .words.json)
  scanned/narration/<category>/<campaign>/part_0001.v2.mp3
and new plans use the latest version: each chapter's voice-over tasks are planned again as
new tasks (new task ids; the old tasks and outputs stay). Jobs select the latest version of a
narration part. A chapter or part whose latest version was already voiced from the same text
by the same provider, voice and settings is left alone, and text voiced before comes from
the cache (scanned/cache/narration/): running the command twice voices and publishes once.

The request is written to requests/narrate/ and voiced by the main worker (a running one
within ingest.scanIntervalMs; else at the next start, or 'clipmill main-worker --once').
Failures are recorded in trash/narration/ and counted by 'clipmill status'.

Options:
  --provider <p>      espeak-ng or elevenlabs (default: narration.provider)
  --voice <v>         espeak-ng's voice name (espeak-ng --voices) or the ElevenLabs voice id
                      (default: narration.espeakVoice or narration.elevenlabsVoiceId)
  --story             the name is a story (when a campaign has the same name)
  --campaign          the name is a narration campaign
${COMMON_HELP}

Examples:
  clipmill narrate tales/the-keeper --voice en-us
  clipmill narrate tales/the-keeper --provider elevenlabs --voice 21m00Tcm4TlvDq8ikWAM
  clipmill narrate ads/spring-sale --campaign --provider espeak-ng --voice en-gb
  clipmill main-worker --once     # voice the requests now, with no daemon running`,
  options: { ...COMMON_OPTIONS, provider: { type: 'string' }, voice: { type: 'string' }, story: { type: 'boolean' }, campaign: { type: 'boolean' } },
  allowPositionals: 1,
  inputErrors: ['NARRATION_NOTHING', 'NARRATION_CONFIG'],
  async run(args, io) {
    const target = args.positionals[0];
    if (!target) throw usageError('missing <category>/<story-or-campaign>: clipmill narrate tales/the-keeper --voice en-us');
    const m = /^([^/]+)\/([^/]+)$/.exec(target.replace(/\/+$/, ''));
    if (!m || m[1] === '.' || m[1] === '..' || m[2] === '.' || m[2] === '..') throw usageError(`expected <category>/<story-or-campaign>, got ${JSON.stringify(target)}`);
    const [category, name] = [m[1]!, m[2]!];
    const provider = (args.values.provider as string | undefined) ?? undefined;
    if (provider !== undefined && !(PROVIDERS as readonly string[]).includes(provider)) throw usageError(`--provider must be ${PROVIDERS.join(' or ')}, got ${JSON.stringify(provider)}`);
    const voice = args.values.voice as string | undefined;
    if (voice !== undefined && !voice.trim()) throw usageError('--voice is empty');
    if (args.values.story && args.values.campaign) throw usageError('--story and --campaign exclude each other');
    const layout = new Layout(rootFrom(args, io.env, { mustExist: true }));
    const config = configFrom(args, io.env);
    const chosen = (provider ?? config.narration.provider) as NarrateRequest['provider'];
    const p = createProvider(config, { ffmpeg: 'ffmpeg' }, undefined, { provider: chosen, ...(voice ? { voice } : {}) }, io.env);
    // What can be checked without voicing anything is refused now, at the terminal, rather than
    // later in the main worker's log: an ElevenLabs voice id and key, an espeak-ng voice.
    await checkProvider(chosen, voice, config, io.env);
    const kinds = args.values.story ? (['story'] as const) : args.values.campaign ? (['campaign'] as const) : await requestKinds(layout, category, name);
    if (kinds.length === 0) await requestItems(layout, { kind: 'story', category, name }); // throws NARRATION_NOTHING, naming what is missing
    if (kinds.length > 1) throw usageError(`${category}/${name} is both a story and a narration campaign: add --story or --campaign`);
    const kind = kinds[0]!;
    const items = await requestItems(layout, { kind, category, name });
    const request: NarrateRequest = { schema_version: 1, kind, category, name, provider: chosen, ...(voice ? { voice } : {}), requested_at: new Date().toISOString() };
    const already = await exists(requestPath(layout, request));
    const path = await writeRequest(layout, request);
    const settings = Object.entries(p.settings).map(([k, v]) => `${k} ${v}`).join(', ');
    io.out.write(`${already ? 'Already requested' : 'Requested'}: ${kind} ${category}/${name}, ${items.length} ${kind === 'story' ? 'chapter(s)' : 'part(s)'} with ${chosen} (${settings})\n${layout.rel(path)}\nThe main worker voices it: new versions for what changed, then new tasks.\n`);
    return 0;
  },
};

async function checkProvider(provider: NarrateRequest['provider'], voice: string | undefined, config: Config, env: NodeJS.ProcessEnv): Promise<void> {
  const n = config.narration;
  if (provider === 'elevenlabs') {
    if (!(voice ?? n.elevenlabsVoiceId)) throw new ClipmillError('NARRATION_CONFIG', 'the elevenlabs provider needs a voice id: pass --voice <id> or set narration.elevenlabsVoiceId');
    if (!env[n.elevenlabsApiKeyEnv]?.trim() && !(n.elevenlabsApiKeyFile && (await exists(n.elevenlabsApiKeyFile)))) throw new ClipmillError('NARRATION_CONFIG', `no ElevenLabs API key for the main worker: set ${n.elevenlabsApiKeyEnv} (narration.elevenlabsApiKeyEnv) where it runs, or narration.elevenlabsApiKeyFile`);
    return;
  }
  // One word voiced into a scratch folder, exactly as the main worker would voice (a voice
  // espeak-ng does not have fails here with NARRATION_CONFIG). espeak-ng's CLI cannot tell:
  // without a terminal it exits 0 and says nothing for an unknown voice.
  const bins = await resolveBinaries(config, env);
  const p = createProvider(config, { ffmpeg: bins.ffmpeg.path }, undefined, { provider, ...(voice ? { voice } : {}) }, env);
  const work = await mkdtemp(join(tmpdir(), 'clipmill-narrate-'));
  try {
    await p.synthesize('hello', { out: join(work, 'check.mp3'), workDir: work });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
