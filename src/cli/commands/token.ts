// `clipmill token`: print the HTTP API's token (server/token.json), or replace it.
import { Layout } from '../../shared/layout.js';
import { ensureToken, rotateToken } from '../../shared/server-token.js';
import { COMMON_HELP, COMMON_OPTIONS, rootFrom, type Command } from '../common.js';

export const token: Command = {
  name: 'token',
  summary: "print the HTTP API's token, or replace it with --rotate",
  usage: 'clipmill token --root <dir> [--rotate]',
  help: `Prints the token of the HTTP API and dashboard (clipmill serve), kept in
<root>/server/token.json with mode 0600 (made by clipmill init, or now when it is missing).
Scripts send it as "Authorization: Bearer <token>"; the dashboard's log-in page asks for it.

Options:
  --rotate            make a new token and print it: the old one, and every dashboard session
                      made with it, stop working at once (running servers read the file again)
${COMMON_HELP}

Examples:
  clipmill token --root /srv/clipmill
  curl -H "Authorization: Bearer $(clipmill token --root /srv/clipmill)" http://127.0.0.1:8080/api/v1/status
  clipmill token --root /srv/clipmill --rotate`,
  options: { ...COMMON_OPTIONS, rotate: { type: 'boolean' } },
  async run(args, io) {
    const layout = new Layout(rootFrom(args, io.env, { mustExist: true }));
    const file = args.values.rotate ? await rotateToken(layout) : (await ensureToken(layout)).file;
    io.out.write(`${file.token}\n`);
    return 0;
  },
};
