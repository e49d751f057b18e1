// FFmpeg's two levels of escaping for a value inside -filter_complex (ffmpeg-filters(1),
// "Notes on filtergraph escaping"): the option parser of a filter reads `\`, `'` and `:`
// specially, and the graph parser, one level up, `\`, `'`, `[`, `]`, `,` and `;`. A value
// escaped by filterValue reaches the filter byte for byte whatever it holds (paths with
// quotes, colons, brackets, spaces or Unicode); test/shared/timeline/escape.test.ts renders
// with such paths.

/**
 * Both parsers also drop the whitespace around a value (av_get_token): spaces and tabs at its
 * start and end are escaped, so that a path ending in a space still names its file.
 */
function edges(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, (run) => run.replace(/[ \t]/g, '\\$&'));
}

/** Escapes `s` for use as one option value of a filter (`key=<value>`). */
export function optionValue(s: string): string {
  return edges(s.replace(/[\\':]/g, '\\$&'));
}

/** Escapes a filter's whole argument string for the graph parser. */
export function graphValue(s: string): string {
  return edges(s.replace(/[\\'[\],;]/g, '\\$&'));
}

/** Both levels: a value that reaches the filter as written. Line breaks cannot be passed and are refused. */
export function filterValue(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\r\n\u0000]/.test(s)) throw new Error(`a filter value cannot contain a line break: ${JSON.stringify(s)}`);
  return graphValue(optionValue(s));
}
