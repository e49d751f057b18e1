// Entry point of bin/clipmill. Only Node built-ins are imported before the version check,
// so an old Node gets a one-line reason instead of a syntax error from a dependency.
// Signals are handled here and nowhere else (library code never calls process.exit).
const MIN_NODE = [22, 22, 2];

function nodeOk(): boolean {
  const v = process.versions.node.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if (v[i]! > MIN_NODE[i]!) return true;
    if (v[i]! < MIN_NODE[i]!) return false;
  }
  return true;
}

if (!nodeOk()) {
  process.stderr.write(`clipmill: error: Node.js ${process.versions.node} is too old; clipmill needs ${MIN_NODE.join('.')} or newer (run 'npm run setup' to fetch one into .tools/) [NODE_TOO_OLD]\n`);
  process.exit(1);
}

const { runCli } = await import('./cli.js');
process.exitCode = await runCli(process.argv.slice(2));
