// /api/v1/tasks: the task list (from the TaskList cache), one task with what its folder says,
// retry and edit through the task protocol (the same functions as clipmill retry / edit), and
// its video, preview and poster with Range.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { exists } from '../shared/fs.js';
import { readJsonOrNull } from '../shared/json.js';
import { editTask } from '../shared/protocol/edit.js';
import { RevisionsFileSchema } from '../shared/protocol/edit.js';
import { ErrorFileSchema, ReportSchema } from '../shared/protocol/files.js';
import { PREVIEW_FILES } from '../shared/protocol/previews.js';
import { latestFailures, retryFailed } from '../shared/protocol/retry.js';
import { readMetadata } from '../shared/protocol/task-files.js';
import { ANIMATIONS } from '../shared/timeline/schema.js';
import { parseLogoPosition, type TimelineEdit } from '../shared/timeline/edit.js';
import type { AppContext } from './app.js';
import { ApiError, ErrorBodySchema } from './http-error.js';
import { progressByTask, readNodes } from './nodes.js';
import { sendFile } from './range.js';
import { TASK_STATES, type TaskSummary } from './task-list.js';

export const TaskIdParams = { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' } }, required: ['id'], additionalProperties: false } as const;

const TaskSummarySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: [...TASK_STATES] },
    folder: { type: 'string' },
    priority: { type: 'integer' },
    created_at: { type: ['string', 'null'] },
    category: { type: ['string', 'null'] },
    job: { type: ['object', 'null'], properties: { name: { type: 'string' }, variation: { type: 'integer' }, source: { type: 'string' } } },
    revision_of: { type: ['string', 'null'] },
    revision: { type: ['integer', 'null'] },
    progress: { type: ['object', 'null'], properties: { stage: { type: 'string' }, progress: { type: 'number' }, node: { type: 'string' } } },
  },
} as const;

const EditBody = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: {
    music_volume: { type: 'number', minimum: 0, maximum: 10 },
    no_music: { type: 'boolean', const: true },
    logo_position: { type: 'string', maxLength: 40 },
    logo_scale: { type: 'number', minimum: 0.001, maximum: 4 },
    logo_animation: { type: 'string', enum: [...ANIMATIONS] },
    order: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1, maxItems: 1000 },
  },
} as const;

type EditBodyT = { music_volume?: number; no_music?: true; logo_position?: string; logo_scale?: number; logo_animation?: (typeof ANIMATIONS)[number]; order?: number[] };

export function registerTaskRoutes(api: FastifyInstance, ctx: AppContext): void {
  const { layout, tasks } = ctx;
  const withProgress = async (list: readonly TaskSummary[]) => {
    const p = progressByTask(await readNodes(layout, ctx.opts.nodeTimeoutMs));
    return list.map((t) => ({ ...t, progress: t.state === 'rendering' ? p.get(t.id) ?? null : null }));
  };
  const found = async (id: string) => {
    await tasks.refresh();
    let t = tasks.get(id.toLowerCase());
    // Not seen yet (another host's rename on NFS, before the next background rescan): its own
    // folder looked for, never a listing of every folder per unknown id.
    t ??= await tasks.lookup(id.toLowerCase());
    if (!t) throw new ApiError(404, 'NOT_FOUND', `no task ${id}`);
    return t;
  };

  api.get('/tasks', {
    schema: {
      summary: 'every task, newest first, one page at a time; ?state= to keep one state',
      querystring: { type: 'object', additionalProperties: false, properties: { state: { type: 'string', enum: [...TASK_STATES] }, job: { type: 'string', maxLength: 200 }, offset: { type: 'integer', minimum: 0, default: 0 }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } } },
      response: { 200: { type: 'object', properties: { total: { type: 'integer' }, offset: { type: 'integer' }, tasks: { type: 'array', items: TaskSummarySchema } } } },
    },
  }, async (req) => {
    const q = req.query as { state?: string; job?: string; offset: number; limit: number };
    await tasks.refresh();
    let list = tasks.all();
    if (q.state || q.job) list = list.filter((t) => (!q.state || t.state === q.state) && (!q.job || t.job?.name === q.job));
    return { total: list.length, offset: q.offset, tasks: await withProgress(list.slice(q.offset, q.offset + q.limit)) };
  });

  api.get('/tasks/:id', {
    schema: { summary: "one task: where it is, its metadata.json, report.json or error.json, its revisions and which media it has", params: TaskIdParams, response: { 200: { type: 'object', additionalProperties: true }, 404: ErrorBodySchema } },
  }, async (req) => {
    const t = await found((req.params as { id: string }).id);
    const dir = layout.abs(t.folder);
    const original = t.revision_of ?? t.id;
    return {
      ...(await withProgress([t]))[0],
      metadata: await readMetadata(dir).catch(() => null),
      report: t.state === 'rendered' ? await readJsonOrNull(ReportSchema, join(dir, 'report.json')) : null,
      error: t.state === 'failed' ? await readJsonOrNull(ErrorFileSchema.partial().loose(), join(dir, 'error.json')) : null,
      revisions: await readJsonOrNull(RevisionsFileSchema, layout.revisionsFile(original)),
      media: {
        video: t.state === 'rendered' && (await exists(join(dir, 'final.mp4'))),
        preview: await exists(join(layout.previewTask(t.id), PREVIEW_FILES.video)),
        poster: (t.state === 'rendered' && (await exists(join(dir, 'poster.jpg')))) || (await exists(join(layout.previewTask(t.id), PREVIEW_FILES.poster))),
      },
    };
  });

  api.post('/tasks/:id/retry', {
    schema: { summary: 'a failed task back to tasks/ with its attempts reset (clipmill retry)', params: TaskIdParams, response: { 200: { type: 'object', properties: { id: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } }, 400: ErrorBodySchema } },
  }, async (req) => {
    const id = (req.params as { id: string }).id.toLowerCase();
    const [name] = await latestFailures(layout, [id]);
    const r = await retryFailed(layout, name!);
    await tasks.rescan();
    return r;
  });

  api.post('/tasks/:id/edit', {
    schema: { summary: 'revision N of a finished task (music volume or none, logo position/size/animation, segment order), queued as a new task (clipmill edit)', params: TaskIdParams, body: EditBody, response: { 200: { type: 'object', properties: { original: { type: 'string' }, revision: { type: 'integer' }, taskId: { type: 'string' }, changes: { type: 'array', items: { type: 'string' } } } }, 400: ErrorBodySchema } },
  }, async (req) => {
    const b = req.body as EditBodyT;
    if (b.music_volume !== undefined && b.no_music) throw new ApiError(400, 'INVALID', 'music_volume or no_music, not both', 'no_music');
    const e: TimelineEdit = {};
    if (b.music_volume !== undefined) e.musicVolume = b.music_volume;
    if (b.no_music) e.noMusic = true;
    // A refusal names its field (details.field: logo_position, order, music_volume...).
    if (b.logo_position !== undefined) e.logoPosition = parseLogoPosition(b.logo_position);
    if (b.logo_scale !== undefined) e.logoScale = b.logo_scale;
    if (b.logo_animation !== undefined) e.logoAnimation = b.logo_animation;
    if (b.order !== undefined) e.order = b.order;
    const r = await editTask(layout, { taskId: (req.params as { id: string }).id, edit: e, by: req.caller!.name });
    await tasks.rescan();
    return r;
  });

  api.get('/tasks/:id/video', { schema: { summary: 'output/<id>/final.mp4, with Range', params: TaskIdParams } }, async (req, reply) => {
    const t = await found((req.params as { id: string }).id);
    if (t.state !== 'rendered') throw new ApiError(404, 'NOT_FOUND', `task ${t.id} is ${t.state}: no video yet`);
    return sendFile(req, reply, join(layout.outputTask(t.id), 'final.mp4'), 'video/mp4', `the video of ${t.id}`);
  });
  api.get('/tasks/:id/preview', { schema: { summary: 'previews/<id>/preview.mp4 (the draft render), with Range', params: TaskIdParams } }, async (req, reply) => {
    const id = (req.params as { id: string }).id.toLowerCase();
    return sendFile(req, reply, join(layout.previewTask(id), PREVIEW_FILES.video), 'video/mp4', `the preview of ${id}`);
  });
  api.get('/tasks/:id/poster', { schema: { summary: "the poster frame: the final's (output/<id>/poster.jpg), else the preview's", params: TaskIdParams } }, async (req, reply) => {
    const id = (req.params as { id: string }).id.toLowerCase();
    const final = join(layout.outputTask(id), 'poster.jpg');
    return sendFile(req, reply, (await exists(final)) ? final : join(layout.previewTask(id), PREVIEW_FILES.poster), 'image/jpeg', `the poster of ${id}`);
  });
}
