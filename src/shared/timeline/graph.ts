// What the parts of the compiler build together: the ffmpeg inputs (each its own argv
// fragment, numbered in order), the chains of one -filter_complex, the auxiliary files the
// run needs (concat lists, ASS documents, a graph too long for the command line), and unique
// stream labels; and the helpers every
// part uses (local paths, seconds as ffmpeg reads them).
import { ClipmillError } from '../errors.js';

export interface AuxFile {
  path: string;
  content: string;
}

export class Graph {
  readonly inputs: string[][] = [];
  readonly chains: string[] = [];
  readonly files: AuxFile[] = [];
  private labels = 0;

  /** Adds an input (`-i` last in `args`); returns its index. */
  input(args: string[]): number {
    this.inputs.push(args);
    return this.inputs.length - 1;
  }

  /** A fresh label such as `[v3]`. */
  label(prefix: string): string {
    return `[${prefix}${++this.labels}]`;
  }

  chain(c: string): void {
    this.chains.push(c);
  }

  file(path: string, content: string): string {
    this.files.push({ path, content });
    return path;
  }

  /**
   * The ffmpeg arguments that pass the graph: -filter_complex with it, or, when it is longer
   * than one argument may be (Linux refuses one over 128 KiB: a duck of thousands of spans),
   * -filter_complex_script with a file in `workDir` that holds it (read and parsed the same).
   */
  filterArgs(workDir: string): string[] {
    const graph = this.chains.join(';');
    if (Buffer.byteLength(graph) <= MAX_GRAPH_ARGUMENT) return ['-filter_complex', graph];
    return ['-filter_complex_script', this.file(`${workDir}/graph.txt`, graph)];
  }
}

/** Bytes of the longest graph passed as an argument (MAX_ARG_STRLEN is 131072 on Linux). */
export const MAX_GRAPH_ARGUMENT = 100_000;

/** The local path of a timeline file; every file must have one. */
export function localPath(paths: ReadonlyMap<string, string>, file: string): string {
  const p = paths.get(file);
  if (p === undefined) throw new ClipmillError('TASK_INVALID', `the timeline names ${JSON.stringify(file)}, which has no local copy`, { details: { file } });
  return p;
}

/** Seconds as ffmpeg reads them, without float noise (125.70000000000002 -> "125.7"). */
export function secs(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}
