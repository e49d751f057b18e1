import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, nodeId, type Config, type DeepPartial } from '../shared/config.js';
import { ClipmillError, type ErrorCode } from '../shared/errors.js';
import { Layout } from '../shared/layout.js';
import { createLogger, type Logger } from '../shared/log.js';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** The whole --help text after the usage line. */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals?: number;
  /** Error codes that mean the input named on the command line is wrong: they exit 2, like USAGE. */
  inputErrors?: readonly ErrorCode[];
  run(args: ParsedArgs, io: Io): Promise<number>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGTERM/SIGINT. */
  signal: AbortSignal;
}

export const COMMON_OPTIONS = {
  root: { type: 'string' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const COMMON_HELP = `  --root <dir>        the project root (default: $CLIPMILL_ROOT)
  --config <file>     a JSON config merged over config/default.json (default: $CLIPMILL_CONFIG)
  -h, --help          show this help`;

export function usageError(message: string): ClipmillError {
  return new ClipmillError('USAGE', message);
}

export function parse(cmd: Command, argv: string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: cmd.options, allowPositionals: true, strict: true });
    if (!values.help && positionals.length > (cmd.allowPositionals ?? 0)) throw usageError(`unexpected argument ${JSON.stringify(positionals[cmd.allowPositionals ?? 0])}; see clipmill ${cmd.name} --help`);
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    if (err instanceof ClipmillError) throw err;
    // node:util's messages are precise ("Unknown option '--x'"); keep them on one line.
    throw usageError(`${(err as Error).message.split('\n')[0]}; see clipmill ${cmd.name} --help`);
  }
}

export function rootFrom(args: ParsedArgs, env: NodeJS.ProcessEnv, opts: { mustExist: boolean }): string {
  const root = (args.values.root as string | undefined) ?? env.CLIPMILL_ROOT;
  if (!root) throw new ClipmillError('ROOT_MISSING', 'no project root: pass --root <dir> or set CLIPMILL_ROOT');
  const abs = resolve(root);
  if (opts.mustExist) {
    if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new ClipmillError('ROOT_MISSING', `project root ${abs} does not exist; create it with: clipmill init ${abs}`);
    if (!existsSync(new Layout(abs).raw)) throw new ClipmillError('ROOT_MISSING', `${abs} is not a clipmill root (it has no raw/); create the tree with: clipmill init ${abs}`);
  }
  return abs;
}

export function configFrom(args: ParsedArgs, env: NodeJS.ProcessEnv, overrides?: DeepPartial<Config>): Config {
  const file = (args.values.config as string | undefined) ?? env.CLIPMILL_CONFIG;
  return loadConfig({ file: file ? resolve(file) : undefined, overrides, env });
}

export function loggerFor(config: Config, component: string, out?: NodeJS.WritableStream): Logger {
  return createLogger({ format: config.log.format, level: config.log.level, ...(out ? { out } : {}) }).child({ component });
}

export { nodeId };
