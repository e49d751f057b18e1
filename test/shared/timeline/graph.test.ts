// What the compiler's parts build together: inputs numbered in order, unique labels, chains,
// auxiliary files, local paths, and seconds written without float noise.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isClipmillError } from '../../../src/shared/errors.js';
import { Graph, localPath, MAX_GRAPH_ARGUMENT, secs } from '../../../src/shared/timeline/graph.js';

test('inputs are numbered in the order added; labels are unique across prefixes; chains and files kept in order', () => {
  const g = new Graph();
  assert.equal(g.input(['-f', 'concat', '-safe', '0', '-i', '/w/run-1.ffconcat']), 0);
  assert.equal(g.input(['-stream_loop', '-1', '-i', '/m/a.mp3']), 1);
  assert.deepEqual(g.inputs, [['-f', 'concat', '-safe', '0', '-i', '/w/run-1.ffconcat'], ['-stream_loop', '-1', '-i', '/m/a.mp3']]);
  assert.deepEqual([g.label('p'), g.label('p'), g.label('a'), g.label('base')], ['[p1]', '[p2]', '[a3]', '[base4]']);
  g.chain('[0:v]null[p1]');
  g.chain('[p1]null[p2]');
  assert.deepEqual(g.chains, ['[0:v]null[p1]', '[p1]null[p2]']);
  assert.equal(g.file('/w/a.txt', 'x'), '/w/a.txt');
  g.file('/w/b.txt', 'y');
  assert.deepEqual(g.files, [{ path: '/w/a.txt', content: 'x' }, { path: '/w/b.txt', content: 'y' }]);
  // Another graph starts over.
  assert.equal(new Graph().label('p'), '[p1]');
});

test('filterArgs: the graph as an argument, or from a file in the work folder when longer than one argument may be', () => {
  const g = new Graph();
  g.chain('[0:a]anull[a1]');
  g.chain('[a1]anull[a2]');
  assert.deepEqual(g.filterArgs('/w'), ['-filter_complex', '[0:a]anull[a1];[a1]anull[a2]']);
  assert.deepEqual(g.files, []);
  const long = `[0:a]volume=volume='${'1*'.repeat(MAX_GRAPH_ARGUMENT / 2)}1'[a3]`;
  g.chain(long);
  assert.deepEqual(g.filterArgs('/w/it s'), ['-filter_complex_script', '/w/it s/graph.txt']);
  assert.deepEqual(g.files, [{ path: '/w/it s/graph.txt', content: `[0:a]anull[a1];[a1]anull[a2];${long}` }]);
  // Bytes, not characters: 40000 three-byte characters are 120000 bytes.
  const u = new Graph();
  u.chain(`[0:a]anull[${'✓'.repeat(40_000)}]`);
  assert.equal(u.filterArgs('/w')[0], '-filter_complex_script');
});

test('secs: at most three decimals, no float noise, no exponent', () => {
  assert.equal(secs(125.70000000000002), '125.7');
  assert.equal(secs(2 / 3), '0.667');
  assert.equal(secs(0.1 + 0.2), '0.3');
  assert.equal(secs(3), '3');
  assert.equal(secs(0), '0');
  assert.equal(secs(0.0004), '0');
  assert.equal(secs(1e-7 + 1), '1');
});

test('localPath: every file the timeline names needs a local copy', () => {
  const paths = new Map([['a.mp4', '/m/a.mp4']]);
  assert.equal(localPath(paths, 'a.mp4'), '/m/a.mp4');
  assert.throws(() => localPath(paths, 'b.mp4'), (err: unknown) => isClipmillError(err, 'TASK_INVALID') && /the timeline names "b\.mp4", which has no local copy/.test((err as Error).message));
});
