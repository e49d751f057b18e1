// `clipmill edit`: revision N of a finished task (its timeline edited) queued as a new task, or
// --undo: the previous revision made current. See src/shared/protocol/edit.ts.
import { userInfo } from 'node:os';
import { ClipmillError } from '../../shared/errors.js';
import { exists } from '../../shared/fs.js';
import { Layout } from '../../shared/layout.js';
import { resolveBinaries } from '../../shared/media/ffmpeg.js';
import { probe } from '../../shared/media/probe.js';
import { editTask, undoRevision } from '../../shared/protocol/edit.js';
import { ANIMATIONS } from '../../shared/timeline/schema.js';
import { parseLogoPosition, type TimelineEdit } from '../../shared/timeline/edit.js';
import { COMMON_HELP, COMMON_OPTIONS, configFrom, loggerFor, rootFrom, usageError, type Command } from '../common.js';

/** Who is editing: the OS user (the API records its token's name instead). */
export function osUser(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? env.LOGNAME ?? 'unknown';
  }
}

function numberOption(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw usageError(`--${name} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

export const edit: Command = {
  name: 'edit',
  summary: 'make revision N of a finished task (music, logo, clip order, voice) and queue it; or --undo',
  usage: 'clipmill edit --root <dir> <task_id> [--music-volume <v> | --no-music] [--logo-position <h,v>] [--logo-scale <f>] [--logo-animation fade|zoom|slide|none] [--order <i,j,...>] [--voice <scanned voice>] | --undo',
  help: `Edits the timeline of a finished task (one in output/) and publishes the result as a new
task, revision N of the original: its id is derived from the original's id and N, its
metadata.json names revision_of and revision, and render workers render it like any task
(output/<new id>/). The finished output is never modified. revisions/<original id>.json
lists the revisions: who made each (your OS user), when, from which one, what changed, and
which one is current (the newest). Editing a revision starts from that revision.

Options:
  --music-volume <v>        the music track's gain, 0 to 10 (1 keeps the level)
  --no-music                remove the music track
  --logo-position <h,v>     where the logo goes: left|center|right,top|center|bottom
                            (e.g. right,bottom), or a position name such as bottom-right
  --logo-scale <f>          the logo's width as a fraction of the video's width (0.001-4)
  --logo-animation <a>      how the logo appears: fade, zoom, slide or none
  --order <i,j,...>         the video segments in a new order, numbered from 1 in the current
                            order, each once (e.g. 3,1,2)
  --voice <path>            another voice: a scanned voice file relative to the root
                            (scanned/story/<category>/<story>/voice/chapter_0002.mp3); the
                            video is cut to its length (the footage must be long enough)
  --undo                    make the revision before the current one current again (nothing is
                            rendered; the undone revision's output stays)
${COMMON_HELP}

Examples:
  clipmill edit <task_id> --music-volume 0.1 --logo-position right,bottom
  clipmill edit <task_id> --order 3,1,2 --logo-animation fade
  clipmill edit <task_id> --undo`,
  options: {
    ...COMMON_OPTIONS,
    'music-volume': { type: 'string' },
    'no-music': { type: 'boolean' },
    'logo-position': { type: 'string' },
    'logo-scale': { type: 'string' },
    'logo-animation': { type: 'string' },
    order: { type: 'string' },
    voice: { type: 'string' },
    undo: { type: 'boolean' },
  },
  allowPositionals: 1,
  async run(args, io) {
    const [id] = args.positionals;
    if (!id) throw usageError('missing <task_id>');
    const config = configFrom(args, io.env);
    const layout = new Layout(rootFrom(args, io.env, { mustExist: true }));
    const log = loggerFor(config, 'cli');
    const by = osUser(io.env);
    const v = args.values;
    const editing = ['music-volume', 'no-music', 'logo-position', 'logo-scale', 'logo-animation', 'order', 'voice'].filter((k) => v[k] !== undefined);
    if (v.undo) {
      if (editing.length) throw usageError(`--undo takes no other change (got --${editing.join(', --')})`);
      const r = await undoRevision(layout, id, by);
      log.info({ task: r.original }, `Undo: revision ${r.current.revision} (${r.current.task_id}) of ${r.original} is current again; revision ${r.undone.revision} (${r.undone.task_id}) stays as it is`);
      io.out.write(`${r.current.task_id} revision ${r.current.revision} current\n`);
      return 0;
    }
    if (v['music-volume'] !== undefined && v['no-music']) throw usageError('give --music-volume or --no-music, not both');
    const e: TimelineEdit = {};
    if (typeof v['music-volume'] === 'string') e.musicVolume = numberOption('music-volume', v['music-volume'], 0, 10);
    if (v['no-music']) e.noMusic = true;
    if (typeof v['logo-position'] === 'string') e.logoPosition = parseLogoPosition(v['logo-position']);
    if (typeof v['logo-scale'] === 'string') e.logoScale = numberOption('logo-scale', v['logo-scale'], 0.001, 4);
    if (typeof v['logo-animation'] === 'string') {
      const a = v['logo-animation'];
      if (!(ANIMATIONS as readonly string[]).includes(a)) throw usageError(`--logo-animation must be one of ${ANIMATIONS.join(', ')}, got ${JSON.stringify(a)}`);
      e.logoAnimation = a as TimelineEdit['logoAnimation'];
    }
    if (typeof v.order === 'string') {
      const order = v.order.split(',').map((x) => Number(x.trim()));
      if (!order.every((x) => Number.isInteger(x) && x >= 1)) throw usageError(`--order must be segment numbers from 1, comma-separated (e.g. 3,1,2), got ${JSON.stringify(v.order)}`);
      e.order = order;
    }
    if (typeof v.voice === 'string') {
      const path = v.voice.replace(/^\.?\/+/, '');
      if (!path.startsWith('scanned/') || path.split('/').includes('..')) throw usageError(`--voice must be a scanned voice file relative to the root (scanned/story/...), got ${JSON.stringify(v.voice)}`);
      if (!(await exists(layout.abs(path)))) throw usageError(`--voice: no file ${path} in the root`);
      const bins = await resolveBinaries(config, io.env);
      const duration = (await probe(bins.ffprobe.path, layout.abs(path), { signal: io.signal })).duration;
      if (!(duration > 0)) throw new ClipmillError('PROBE_FAILED', `--voice: ${path} has no duration`);
      // Its word timings, when it has them (<voice>.words.json beside it): the captions follow them.
      const words = `${path}.words.json`;
      e.voice = { path, duration, words: (await exists(layout.abs(words))) ? words : null };
    }
    const r = await editTask(layout, { taskId: id, edit: e, by });
    log.info({ task: r.taskId }, `Edit: revision ${r.revision} of ${r.original} queued as tasks/${r.taskId} (${r.changes.join('; ')})`);
    io.out.write(`${r.taskId} revision ${r.revision}\n`);
    return 0;
  },
};
