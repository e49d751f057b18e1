// The dashboard: Preact + htm as plain ES modules served by clipmill serve (no build step).
// State comes from the API; the event stream (/api/v1/events) keeps the queue and the nodes
// current without polling. Every text from the farm is rendered as text (Preact escapes it).
import { h, render } from '/vendor/preact.mjs';
import { useEffect, useState, useCallback, useRef } from '/vendor/hooks.mjs';
import htm from '/vendor/htm.mjs';
import { Upload, JobBuilder } from './forms.js';
import { Assets, Queue, Nodes, Gallery, TaskEditor, Jobs } from './views.js';

export const html = htm.bind(h);

/** fetch for the API: JSON in and out; an error carries the API's {code, message, field}. */
export async function api(path, opts = {}) {
  const res = await fetch(`/api/v1${path}`, {
    method: opts.method ?? 'GET',
    headers: opts.body !== undefined ? { 'content-type': 'application/json' } : {},
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    credentials: 'same-origin',
  });
  if (res.status === 401) {
    location.href = '/login';
    throw new Error('logged out');
  }
  const data = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
  if (!res.ok) throw Object.assign(new Error(data?.message ?? res.statusText), { field: data?.field ?? null, code: data?.code ?? String(res.status) });
  return data;
}

function App() {
  const [tasks, setTasks] = useState(new Map());
  const [nodes, setNodes] = useState([]);
  const [selected, setSelected] = useState(null);
  const [live, setLive] = useState(false);
  const [tick, setTick] = useState(0);
  const [assetsOpen, setAssetsOpen] = useState(false);
  const refresh = useCallback(() => setTick((n) => n + 1), []);
  // Finished renders come in bursts: the views that list jobs and assets reload once per second at most.
  const later = useRef(null);
  const refreshSoon = useCallback(() => {
    if (later.current) return;
    later.current = setTimeout(() => {
      later.current = null;
      setTick((n) => n + 1);
    }, 1000);
  }, []);

  const loadTasks = useCallback(async () => {
    const r = await api('/tasks?limit=200');
    setTasks(new Map(r.tasks.map((t) => [t.id, t])));
  }, []);

  useEffect(() => {
    const es = new EventSource('/api/v1/events');
    es.onopen = () => {
      setLive(true);
      loadTasks();
    };
    es.onerror = () => setLive(false);
    es.addEventListener('task', (e) => {
      const t = JSON.parse(e.data);
      setTasks((m) => new Map(m).set(t.id, t));
      if (t.state === 'rendered' || t.state === 'failed') refreshSoon();
    });
    es.addEventListener('nodes', (e) => setNodes(JSON.parse(e.data)));
    return () => (es.close(), clearTimeout(later.current));
  }, []);

  const list = [...tasks.values()].sort((a, b) => ((a.created_at ?? '') < (b.created_at ?? '') ? 1 : -1));
  return html`
    <header>
      <h1>clipmill</h1>
      <span class=${live ? 'live on' : 'live'} data-testid="live">${live ? 'live' : 'connecting…'}</span>
      <form method="post" action="/logout"><button type="submit" class="link">Log out</button></form>
    </header>
    <main>
      <section><h2>Upload</h2><${Upload} onDone=${refresh} /></section>
      <section><h2>New job</h2><${JobBuilder} onDone=${refresh} /></section>
      <section class="wide"><h2>Queue</h2><${Queue} tasks=${list} onSelect=${setSelected} onChange=${loadTasks} /></section>
      <section><h2>Nodes</h2><${Nodes} nodes=${nodes} /></section>
      <section><h2>Jobs</h2><${Jobs} tick=${tick} onChange=${loadTasks} /></section>
      <section class="wide"><h2>Outputs</h2><${Gallery} tasks=${list.filter((t) => t.state === 'rendered')} selected=${selected} onSelect=${setSelected} /></section>
      ${selected && html`<section class="wide"><h2>Task</h2><${TaskEditor} id=${selected} tick=${tick} onSelect=${setSelected} /></section>`}
      <section class="wide"><details onToggle=${(e) => setAssetsOpen(e.currentTarget.open)} data-testid="assets-section"><summary><h2>Assets</h2></summary>${assetsOpen && html`<${Assets} tick=${tick} />`}</details></section>
    </main>`;
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
