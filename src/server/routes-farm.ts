// /api/v1: assets (uploads into raw/, the catalog's listing), narrations, jobs (filed into
// raw/job/ after the same validation as ingest's; cancelled through the task protocol), the
// nodes, the farm's status and the event stream.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ASSET_KINDS, type AssetKind } from '../shared/assets.js';
import { exists, writeNewFileNoReplace } from '../shared/fs.js';
import { describeJobFile, validateJobFile } from '../shared/job.js';
import { cancelJob, jobCancelled } from '../shared/protocol/cancel.js';
import { normalizeTags } from '../shared/tags.js';
import { listAssets } from '../shared/reports/assets.js';
import { jobsReport } from '../shared/reports/jobs.js';
import { statusReport } from '../shared/reports/status.js';
import type { AppContext } from './app.js';
import { ApiError, ErrorBodySchema } from './http-error.js';
import { readNodes } from './nodes.js';
import { checkSegment, receiveUpload, UPLOAD_KINDS } from './uploads.js';

const UPLOAD_FORM = {
  type: 'object',
  description: 'multipart/form-data: the fields first, then the file',
  properties: {
    kind: { type: 'string', enum: [...UPLOAD_KINDS] },
    category: { type: 'string' },
    tags: { type: 'string', description: 'comma- or semicolon-separated' },
    campaign: { type: 'string', description: 'recorded narration parts (part_<NNNN>.mp3): their campaign' },
    file: { type: 'string', format: 'binary' },
  },
  required: ['kind', 'category', 'file'],
};
const UploadResponse = { type: 'object', properties: { path: { type: 'string' }, sidecar: { type: ['string', 'null'] }, bytes: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } } };
const JobName = { type: 'string', minLength: 1, maxLength: 120 } as const;
const JobParams = { type: 'object', properties: { id: JobName }, required: ['id'], additionalProperties: false } as const;
const Loose = { type: 'object', additionalProperties: true } as const;

export function registerFarmRoutes(api: FastifyInstance, ctx: AppContext): void {
  const { layout } = ctx;

  api.post('/assets', { schema: { summary: 'upload one file into raw/<kind>/<category>/ (with a sidecar holding its tags); the main worker files it', consumes: ['multipart/form-data'], 'x-form': UPLOAD_FORM, response: { 201: UploadResponse, 400: ErrorBodySchema, 409: ErrorBodySchema, 413: ErrorBodySchema, 503: ErrorBodySchema, 507: ErrorBodySchema } } as Record<string, unknown> }, async (req, reply) => {
    reply.code(201);
    return ctx.uploads.run(req, () => receiveUpload(req, layout));
  });
  api.post('/narrations', { schema: { summary: 'upload a narration CSV (text, campaign_part, tags) or .txt into raw/narration/<category>/<campaign>.csv', consumes: ['multipart/form-data'], 'x-form': { ...UPLOAD_FORM, required: ['category', 'file'] }, response: { 201: UploadResponse, 400: ErrorBodySchema, 503: ErrorBodySchema, 507: ErrorBodySchema } } as Record<string, unknown> }, async (req, reply) => {
    reply.code(201);
    return ctx.uploads.run(req, () => receiveUpload(req, layout, 'narration'));
  });

  api.get('/assets', {
    schema: {
      summary: 'the filed assets (scanned/), as clipmill assets lists them',
      querystring: { type: 'object', additionalProperties: false, properties: { kind: { type: 'string', enum: [...ASSET_KINDS] }, category: { type: 'string', maxLength: 200 }, tag: { type: 'array', items: { type: 'string', maxLength: 100 } } } },
      response: { 200: { type: 'array', items: Loose } },
    },
  }, async (req) => {
    const q = req.query as { kind?: AssetKind; category?: string; tag?: string[] };
    return listAssets(layout, { ...(q.kind ? { kind: q.kind } : {}), ...(q.category !== undefined ? { category: q.category } : {}), tags: normalizeTags(q.tag ?? []) });
  });

  api.post('/jobs', {
    schema: {
      summary: 'a job file of any template, validated as raw/job/ files are, then written to raw/job/<name>.json',
      body: { type: 'object', additionalProperties: false, required: ['name', 'job'], properties: { name: JobName, job: { type: 'object', additionalProperties: true } } },
      response: { 201: { type: 'object', properties: { name: { type: 'string' }, path: { type: 'string' }, template: { type: 'string' }, variations: { type: 'integer' }, summary: { type: 'string' } } }, 400: ErrorBodySchema, 409: ErrorBodySchema },
    },
  }, async (req, reply) => {
    const { name: raw, job } = req.body as { name: string; job: Record<string, unknown> };
    const name = checkSegment('name', raw);
    const file = `raw/job/${name}.json`;
    const parsed = validateJobFile(job, file);
    // Field paths in errors are relative to the job (the page puts "job." before them itself).
    const target = join(layout.raw, 'job', `${name}.json`);
    const taken = () => new ApiError(409, 'EXISTS', `a job named ${JSON.stringify(name)} exists already: pick another name`, 'name');
    if ((await exists(join(layout.scannedJobs, `${name}.json`))) || (await jobCancelled(layout, name))) throw taken();
    // Never replaces a job file put in raw/job/ meanwhile (by an operator or another request).
    await writeNewFileNoReplace(target, `${JSON.stringify(job, null, 2)}\n`).catch((err: unknown) => {
      throw (err as { code?: string }).code === 'DUPLICATE' ? taken() : err;
    });
    reply.code(201);
    return { name, path: file, template: parsed.template, ...describeJobFile(parsed) };
  });

  // From the task list (no metadata.json read per request: one listing of the five folders, and
  // only new tasks read); the job files, the main worker's status and the rejected ones.
  const report = async () => {
    await ctx.tasks.rescan();
    const rows = ctx.tasks.all().flatMap((t) => (t.job ? [{ task: t.id, job: t.job.name, source: t.job.source, variation: t.job.variation, state: t.state }] : []));
    return jobsReport(layout, { tasks: rows });
  };
  api.get('/jobs', { schema: { summary: 'every job with its variations planned, queued, rendering, rendered, failed, cancelled (clipmill jobs)', response: { 200: Loose } } }, report);
  api.get('/jobs/:id', { schema: { summary: 'one job: its variations and their outputs, and why it waits', params: JobParams, response: { 200: Loose, 404: ErrorBodySchema } } }, async (req) => {
    const id = (req.params as { id: string }).id;
    const j = (await report()).jobs.find((x) => x.name === id);
    if (!j) throw new ApiError(404, 'NOT_FOUND', `no job ${JSON.stringify(id)}`);
    return j;
  });
  api.delete('/jobs/:id', {
    schema: { summary: "cancel a job: its job file to trash/cancelled/jobs/ (nothing more is planned; the name stays taken) and its tasks that have not started to trash/cancelled/ (nothing is deleted); started ones render to the end. Again: cancels tasks published meanwhile", params: JobParams, response: { 200: { type: 'object', properties: { job_file: { type: ['string', 'null'] }, cancelled: { type: 'array', items: { type: 'string' } }, refused: { type: 'array', items: { type: 'string' } } } }, 404: ErrorBodySchema } },
  }, async (req) => {
    const id = checkSegment('id', (req.params as { id: string }).id);
    if (!(await exists(join(layout.scannedJobs, `${id}.json`))) && !(await jobCancelled(layout, id))) throw new ApiError(404, 'NOT_FOUND', `no job ${JSON.stringify(id)}`);
    const r = await cancelJob(layout, id);
    await ctx.tasks.rescan();
    return { job_file: r.jobFile, cancelled: r.cancelled, refused: r.refused };
  });

  api.get('/nodes', { schema: { summary: "every render node's heartbeat, and whether it is alive", response: { 200: { type: 'array', items: Loose } } } }, async () => readNodes(layout, ctx.opts.nodeTimeoutMs));
  api.get('/status', { schema: { summary: 'the farm at a glance (clipmill status --json)', response: { 200: Loose } } }, async () => statusReport(layout, 10, ctx.opts.nodeTimeoutMs));
  api.get('/events', { schema: { summary: 'server-sent events: "task" (a task appeared, moved or advanced) and "nodes" (a heartbeat changed)' } as Record<string, unknown> }, async (_req, reply) => {
    const token = (await ctx.tokens.current()).token;
    reply.hijack();
    ctx.events.add(reply.raw, token);
  });
}
