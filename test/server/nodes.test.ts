import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressByTask, type NodeView } from '../../src/server/nodes.js';

test('progressByTask: the task each live node renders, with its stage and progress; dead nodes and idle ones say nothing', () => {
  const n = (node: string, alive: boolean, task: string | null) => ({ node, alive, current: task ? { task, stage: 'render', progress: 0.4, since: '' } : null }) as unknown as NodeView;
  assert.deepEqual([...progressByTask([n('a', true, 't1'), n('b', false, 't2'), n('c', true, null)])], [['t1', { stage: 'render', progress: 0.4, node: 'a' }]]);
});
