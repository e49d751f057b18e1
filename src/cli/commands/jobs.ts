// clipmill jobs: each job file of the root (scanned/job/) with its variations planned, queued,
// rendering, rendered and failed, the output paths, and why it waits (nodes/main-worker.json).
// Read from the task folders' metadata.json `job` field (src/shared/reports/jobs.ts); nothing is
// changed. Job files refused at ingest (trash/invalid/job/) are listed with their reason.
import { Layout } from '../../shared/layout.js';
import { jobsReport, type JobsReport } from '../../shared/reports/jobs.js';
import { COMMON_HELP, COMMON_OPTIONS, rootFrom, type Command } from '../common.js';

/** The text form, also printed by `clipmill status`. */
export function formatJobs(r: JobsReport): string[] {
  const lines: string[] = [r.jobs.length ? `jobs (${r.jobs.length}):` : 'jobs: none'];
  for (const j of r.jobs) {
    lines.push(`  ${j.name}${j.cancelled_job ? ' (cancelled)' : ''}: ${j.variations ?? '?'} variation(s) per source; planned ${j.planned}, queued ${j.queued}, rendering ${j.rendering}, rendered ${j.rendered}, failed ${j.failed}${j.cancelled ? `, cancelled ${j.cancelled}` : ''}`);
    for (const w of j.waiting) lines.push(`    waiting (${w.for}): ${w.reason} (since ${w.since})`);
    for (const t of j.tasks) lines.push(`    ${t.source} #${t.variation + 1}: ${t.state} ${t.output ?? `task ${t.task}`}`);
  }
  if (r.rejected.length) lines.push(`rejected job files (${r.rejected.length}):`);
  for (const x of r.rejected) lines.push(`  ${x.file} at ${x.at}: ${x.message}`);
  return lines;
}

export const jobs: Command = {
  name: 'jobs',
  summary: 'each job file: variations planned, rendered, failed, output paths, why it waits',
  usage: 'clipmill jobs --root <dir> [--json]',
  help: `Lists the job files of the root (raw/job/<name>.json once filed; docs/jobs.md) with, for
each, how many variations are planned, queued, rendering, rendered and failed, the output
path of each rendered one, and why the job (or one of its sources) waits for assets. Job
files refused at ingest are listed with the reason. Reads the root; changes nothing.

Options:
  --json              print one JSON object instead of text
${COMMON_HELP}
Examples:
  clipmill jobs --root /srv/farm
  clipmill jobs --root /srv/farm --json | jq '.jobs[] | {name, rendered, failed}'`,
  options: { ...COMMON_OPTIONS, json: { type: 'boolean' } },
  async run(args, io) {
    const layout = new Layout(rootFrom(args, io.env, { mustExist: true }));
    const report = await jobsReport(layout);
    io.out.write(args.values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatJobs(report).join('\n')}\n`);
    return 0;
  },
};
