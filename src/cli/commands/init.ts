import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Layout, TREE } from '../../shared/layout.js';
import { ensureToken } from '../../shared/server-token.js';
import { COMMON_HELP, COMMON_OPTIONS, usageError, type Command } from '../common.js';

export async function initRoot(root: string): Promise<string[]> {
  const created: string[] = [];
  for (const dir of TREE) {
    const made = await mkdir(join(root, dir), { recursive: true });
    if (made) created.push(dir);
  }
  // The HTTP API's token (clipmill serve), mode 0600; kept when there is one.
  if ((await ensureToken(new Layout(root))).created) created.push('server/token.json');
  return created;
}

export const init: Command = {
  name: 'init',
  summary: 'create the folder tree of a project root (idempotent)',
  usage: 'clipmill init <root>',
  help: `Creates raw/, scanned/, tasks/, processing/, output/, trash/ and nodes/ under <root>, and
server/token.json (mode 0600): the token of the HTTP API (clipmill serve; see clipmill token).
Existing folders and files are left as they are; running it twice is harmless.

Options:
${COMMON_HELP}`,
  options: COMMON_OPTIONS,
  allowPositionals: 1,
  async run(args, io) {
    const root = args.positionals[0] ?? (args.values.root as string | undefined) ?? io.env.CLIPMILL_ROOT;
    if (!root) throw usageError('missing <root>: clipmill init <root>');
    const abs = resolve(root);
    const created = await initRoot(abs);
    io.out.write(created.length ? `Initialized ${abs} (created ${created.join(', ')})\n` : `${abs} is already a clipmill root; nothing to do\n`);
    return 0;
  },
};
