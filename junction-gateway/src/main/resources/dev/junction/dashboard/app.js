// The dashboard's pages. Data comes from /ui/api (session cookie); changes carry the CSRF token.
import { el, count, tokens, ms, rate, percent, usd, perMillion, when } from './format.js';
import { lineChart } from './charts.js';

const main = document.getElementById('main');
const page = location.pathname.split('/')[2] || 'overview';
let session = null;
let poll = null;

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (options.method && options.method !== 'GET') headers['x-csrf-token'] = session.csrf;
  if (options.body && typeof options.body !== 'string') {
    headers['content-type'] = 'application/json';
    options = { ...options, body: JSON.stringify(options.body) };
  }
  const response = await fetch(path, { ...options, headers, credentials: 'same-origin' });
  if (response.status === 401) {
    location.assign('/ui/signin?failed=expired');
    throw new Error('signed out');
  }
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(json.error?.message || `HTTP ${response.status}`);
  return json;
}

function show(...children) {
  main.replaceChildren(...children);
}

function table(columns, rows, attrs = {}) {
  return el('div', { class: 'scroll' }, el('table', attrs,
    el('thead', {}, el('tr', {}, columns.map((c) => el('th', { class: c.num ? 'num' : null }, c.title)))),
    el('tbody', {}, rows.map((r) => el('tr', r.attrs || {}, columns.map((c) =>
      el('td', { class: [c.num ? 'num' : null, c.cls ? c.cls(r) : null].filter(Boolean).join(' ') || null },
        c.cell(r))))))));
}

function empty(...text) {
  return el('div', { class: 'empty' }, ...text);
}

function every(ms, task) {
  let busy = false;
  const run = async () => {
    if (busy || document.hidden) return;
    busy = true;
    try { await task(); } catch (e) { if (e.message !== 'signed out') console.warn(e.message); } finally { busy = false; }
  };
  poll = setInterval(run, ms);
  return run();
}

// ---------- Overview

const RANGES = { hour: 'Last hour', day: 'Last day', month: 'Last 30 days' };

async function overview() {
  const state = { range: 'hour', split: 'provider' };
  const cards = el('div', { class: 'cards', id: 'totals' });
  const note = el('div');
  const charts = el('div', { class: 'charts' });
  const boxes = ['requests', 'tokens', 'spend', 'errors'].map((id) => el('div', { class: 'chart', id: `chart-${id}` }));
  charts.append(...boxes);
  const range = el('select', { id: 'range', onchange: () => { state.range = range.value; refresh(); } },
    Object.entries(RANGES).map(([v, t]) => el('option', { value: v }, t)));
  const split = el('select', { id: 'split', onchange: () => { state.split = split.value; refresh(); } },
    [['provider', 'by provider'], ['model', 'by model'], ['key', 'by key'], ['team', 'by team'], ['none', 'all together']]
      .map(([v, t]) => el('option', { value: v }, t)));
  show(el('h1', {}, 'Overview'),
    el('div', { class: 'toolbar' }, el('label', {}, 'Period', range), el('label', {}, 'Split', split),
      el('span', { class: 'muted' }, 'Refreshes every 5 s; times in your zone.')),
    cards, note, charts);

  async function refresh() {
    const data = await api(`/ui/api/overview?range=${state.range}&split=${state.split}`);
    const t = data.totals;
    const errorRate = t.requests ? t.errors / t.requests : 0;
    cards.replaceChildren(
      card('Requests', count(t.requests)), card('Tokens', tokens(t.tokens)), card('Spend', usd(t.cost_usd)),
      card('Error rate', percent(errorRate)), card('Failovers', count(t.failovers)));
    note.replaceChildren(t.requests ? '' : empty(
      'No requests in this period yet. Send one through the gateway (any OpenAI SDK with base URL ',
      el('code', {}, `${location.origin}/v1`), '), or try the ', el('a', { href: '/ui/playground' }, 'Playground'), '.'));
    const xs = [];
    for (let x = data.from_ms; x <= data.to_ms; x += data.bucket_ms) xs.push(Math.floor(x / 1000));
    const index = new Map(xs.map((x, i) => [x, i]));
    const names = [...new Set(data.points.map((p) => p.series))].sort();
    const column = (pick) => names.map((name) => {
      const values = xs.map(() => 0);
      for (const p of data.points) if (p.series === name) values[index.get(Math.floor(p.t / 1000))] += pick(p);
      return { label: name, values };
    });
    const labels = names.length ? null : [{ label: 'no traffic', values: xs.map(() => 0) }];
    lineChart(boxes[0], 'Requests (per bucket)', xs, labels || column((p) => p.requests), count);
    lineChart(boxes[1], 'Tokens (input + output)', xs, labels || column((p) => p.input_tokens + p.output_tokens), tokens);
    lineChart(boxes[2], 'Spend (USD)', xs, labels || column((p) => Number(p.cost_usd)), usd);
    const totals = xs.map(() => ({ requests: 0, errors: 0, failovers: 0 }));
    for (const p of data.points) {
      const b = totals[index.get(Math.floor(p.t / 1000))];
      if (b) { b.requests += p.requests; b.errors += p.errors; b.failovers += p.failovers; }
    }
    lineChart(boxes[3], 'Error rate (%) and failovers (count)', xs, [
      { label: 'error rate %', values: totals.map((b) => b.requests ? (100 * b.errors) / b.requests : null) },
      { label: 'failovers', values: totals.map((b) => b.failovers) },
    ], (v) => (Math.round(v * 10) / 10).toString());
  }
  function card(label, value) {
    return el('div', { class: 'card' }, el('div', { class: 'label' }, label), el('div', { class: 'value' }, value));
  }
  await every(5000, refresh);
}

// ---------- Providers

async function providers() {
  const body = el('div');
  show(el('h1', {}, 'Providers'), el('p', { class: 'muted' },
    'Live figures routing uses: time to first token and output rate are moving averages; p50/p95 latency are of the last 15 minutes\' requests.'), body);
  await every(5000, async () => {
    const data = await api('/ui/api/providers');
    if (!data.deployments.length) {
      body.replaceChildren(empty('No provider configured: add one like this to junction.yaml, then restart.',
        el('pre', {}, 'providers:\n  - { name: openai, kind: openai, api_key: "${OPENAI_API_KEY}" }\nmodels:\n  - id: gpt-4o-mini\n    providers: [{ provider: openai, model: gpt-4o-mini }]')));
      return;
    }
    body.replaceChildren(table([
      { title: 'Provider', cell: (d) => d.provider },
      { title: 'Model', cell: (d) => d.model },
      { title: 'Provider model', cell: (d) => el('code', {}, d.provider_model) },
      { title: 'p50', num: true, cell: (d) => ms(d.p50_ms) },
      { title: 'p95', num: true, cell: (d) => ms(d.p95_ms) },
      { title: 'TTFT', num: true, cell: (d) => ms(d.ttft_ms) },
      { title: 'Output', num: true, cell: (d) => rate(d.tokens_per_second) },
      { title: 'Error rate', num: true, cell: (d) => percent(d.error_rate) },
      { title: 'In flight', num: true, cell: (d) => count(d.in_flight) },
      { title: 'Breaker', cls: (d) => `state-${d.breaker}`, cell: (d) => d.breaker.replace('_', '-') },
      { title: 'Cooldown', num: true, cell: (d) => d.cooldown_ms > 0 ? ms(d.cooldown_ms) : '–' },
      { title: 'Status', cell: (d) => d.live ? 'live' : 'offline' },
    ], data.deployments, { id: 'providers' }));
  });
}

// ---------- Requests

async function requests() {
  const filters = {};
  const fields = ['key', 'model', 'provider'].map((name) => el('input', { name, placeholder: name, size: 14 }));
  if (!session.master) fields[0].disabled = true;
  const status = el('select', { name: 'status' }, ['', 'ok', 'error', 'partial', 'cancelled', 'rejected']
    .map((s) => el('option', { value: s }, s || 'any status')));
  const list = el('div');
  const detail = el('div', { id: 'detail' });
  const form = el('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); load(); } },
    fields.map((f) => el('label', {}, f.name, f)), el('label', {}, 'status', status), el('button', { type: 'submit' }, 'Filter'));
  show(el('h1', {}, 'Requests'), form, detail, list);

  async function load() {
    const query = new URLSearchParams();
    for (const f of [...fields, status]) if (f.value && !f.disabled) query.set(f.name, f.value);
    const data = await api(`/ui/api/requests?${query}`);
    // A search by model, provider or status looks only through the newest records (of the key, if one is given).
    const depth = data.searched_newest
      ? el('p', { class: 'hint' }, `Searched the newest ${count(data.searched_newest)} requests${query.has('key') || !session.master ? ' of this key' : ''}.`)
      : '';
    if (!data.requests.length) {
      list.replaceChildren(empty('No requests match. Requests appear here a moment after they finish; send one from the ',
        el('a', { href: '/ui/playground' }, 'Playground'), '.'), depth);
      return;
    }
    list.replaceChildren(depth, table([
      { title: 'Time', cell: (r) => when(r.created_ms) },
      { title: 'Request', cell: (r) => el('a', { href: `#${r.id}`, class: 'mono request-link', onclick: (e) => { e.preventDefault(); open(r.id); } }, r.id) },
      { title: 'Model', cell: (r) => r.model ?? '–' },
      { title: 'Provider', cell: (r) => r.provider ?? '–' },
      { title: 'Status', cls: (r) => `status-${r.status}`, cell: (r) => `${r.status} (${r.http_status})` },
      { title: 'Attempts', num: true, cell: (r) => count(r.attempts) },
      { title: 'Tokens in/out', num: true, cell: (r) => `${count(r.input_tokens)} / ${count(r.output_tokens)}` },
      { title: 'Cost', num: true, cell: (r) => usd(r.cost_usd) },
      { title: 'Latency', num: true, cell: (r) => ms(r.latency_ms) },
      { title: 'Key', cell: (r) => r.key_id ?? 'master' },
    ], data.requests, { id: 'requests' }));
  }

  async function open(id) {
    history.replaceState(null, '', `#${id}`);
    detail.replaceChildren(await requestDetail(id));
    detail.scrollIntoView({ block: 'nearest' });
  }
  await load();
  if (location.hash.length > 1) await open(decodeURIComponent(location.hash.slice(1)));
}

async function requestDetail(id) {
  const r = await api(`/ui/api/requests/${encodeURIComponent(id)}`);
  const facts = [
    ['Request', el('code', {}, r.id)], ['Time', when(r.created_ms)], ['Endpoint', r.endpoint],
    ['Model', r.model ?? '–'], ['Served by', r.provider ? `${r.provider} (${r.provider_model})` : '–'],
    ['Status', `${r.status} (HTTP ${r.http_status})`], ['Stream', r.stream ? 'yes' : 'no'],
    ['Input tokens', tokens(r.input_tokens)], ['Cached input', tokens(r.cached_tokens)],
    ['Cache writes', tokens(r.cache_write_tokens)], ['Output tokens', tokens(r.output_tokens)],
    ['Cost', usd(r.cost_usd)], ['Time to first token', ms(r.ttft_ms)], ['Latency', ms(r.latency_ms)],
    ['Key', r.key_id ?? 'master'], ['Error', r.error ?? '–'],
  ];
  return el('section', { class: 'detail' }, el('h2', {}, 'Request ', el('code', {}, r.id)),
    el('dl', {}, facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
    el('h2', {}, `Attempts (${r.attempt_log.length})`),
    r.attempt_log.length ? table([
      { title: '#', num: true, cell: (a) => a.n },
      { title: 'Provider', cell: (a) => a.provider },
      { title: 'Provider model', cell: (a) => el('code', {}, a.model) },
      { title: 'Status', cell: (a) => a.status ?? 'no answer' },
      { title: 'Latency', num: true, cell: (a) => ms(a.latency_ms) },
      { title: 'Outcome', cell: (a) => a.error ?? 'served' },
    ], r.attempt_log.map((a, i) => ({ ...a, n: i + 1 })), { class: 'attempts' })
      : empty('No attempt was made: the gateway refused the request before routing it.'));
}

// ---------- Keys

async function keys() {
  if (!session.master) {
    show(el('h1', {}, 'Keys'), empty(`You are signed in with the virtual key ${session.name}. Keys are created and `
      + 'changed with the master key; your own usage is on the Overview and Requests pages.'));
    return;
  }
  const secret = el('div', { id: 'secret-box' });
  const list = el('div');
  const input = (name, attrs = {}) => el('input', { name, id: `new-${name}`, ...attrs });
  const period = el('select', { name: 'budget_period' }, ['month', 'week', 'day', 'total'].map((p) => el('option', { value: p }, p)));
  const form = el('form', { class: 'toolbar', id: 'create-key', onsubmit: create },
    el('label', {}, 'Name', input('name', { required: true, maxlength: 128 })),
    el('label', {}, 'Team', input('team', { placeholder: 'optional' })),
    el('label', {}, 'Requests/min', input('rpm', { type: 'number', min: 0, value: 0 })),
    el('label', {}, 'Tokens/min', input('tpm', { type: 'number', min: 0, value: 0 })),
    el('label', {}, 'Budget (USD)', input('budget_usd', { type: 'number', min: 0, step: '0.01', value: 0 })),
    el('label', {}, 'Budget period', period),
    el('button', { type: 'submit' }, 'Create key'));
  const message = el('p', { class: 'error', role: 'alert' });
  const teams = el('div');
  show(el('h1', {}, 'Keys'), el('h2', {}, 'New key'), form, message, secret, el('h2', {}, 'Keys'), list,
    el('h2', {}, 'Teams'), teams);

  function limits(source) {
    const body = {};
    for (const name of ['rpm', 'tpm']) body[name] = Number(source[name].value || 0);
    body.budget_usd = Number(source.budget_usd.value || 0);
    body.budget_period = source.budget_period.value;
    return body;
  }
  async function act(task) {
    message.textContent = '';
    try { await task(); } catch (e) { message.textContent = e.message; }
    await Promise.all([load(), loadTeams()]);
  }
  function reveal(issued, verb) {
    secret.replaceChildren(el('div', { class: 'secret' },
      el('p', {}, `${verb} key `, el('strong', {}, issued.name), ' (', el('code', {}, issued.id), '). Copy its secret now: it is shown only this once.'),
      el('code', { id: 'new-secret' }, issued.key)));
  }
  async function create(e) {
    e.preventDefault();
    await act(async () => {
      const body = { name: form.name.value.trim(), ...limits(form) };
      if (form.team.value.trim()) body.team = form.team.value.trim();
      reveal(await api('/ui/api/keys', { method: 'POST', body }), 'Created');
      form.reset();
    });
  }
  function editor(k) {
    const f = el('form', { class: 'toolbar' },
      ['rpm', 'tpm'].map((n) => el('label', {}, n, el('input', { name: n, type: 'number', min: 0, value: k[n] ?? 0 }))),
      el('label', {}, 'budget USD', el('input', { name: 'budget_usd', type: 'number', min: 0, step: '0.01', value: k.budget_usd ?? 0 })),
      el('label', {}, 'period', el('select', { name: 'budget_period' }, ['month', 'week', 'day', 'total']
        .map((p) => el('option', { value: p, selected: p === k.budget_period }, p)))),
      el('button', { type: 'submit' }, 'Save limits'));
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      act(() => api(`/ui/api/keys/${encodeURIComponent(k.id)}`, { method: 'PATCH', body: limits(f) }));
    });
    return f;
  }
  function budget(a) {
    return Number(a.budget_usd) > 0
      ? el('span', {}, el('progress', { max: Number(a.budget_usd), value: Math.min(Number(a.spent_usd), Number(a.budget_usd)) }),
        ` ${usd(a.spent_usd)} of ${usd(a.budget_usd)} / ${a.budget_period}`)
      : `${usd(a.spent_usd)} (no budget)`;
  }
  function lastMinute(a) {
    return el('span', {}, use(a.requests_last_minute, a.rpm, 'req/min', count), el('br'),
      use(a.tokens_last_minute, a.tpm, 'tok/min', count));
  }
  async function loadTeams() {
    const data = await api('/ui/api/teams');
    teams.replaceChildren(data.data.length ? table([
      { title: 'Team', cell: (t) => t.name },
      { title: 'Last minute', cell: lastMinute },
      { title: 'Budget used', cell: budget },
    ], data.data, { id: 'teams' }) : empty('No teams yet. Create one with POST /admin/teams (see docs/accounts.md), '
      + 'then give new keys its name: they share its limits.'));
  }
  function use(used, limit, unit, format) {
    if (!limit) return `${format(used)} ${unit} (no limit)`;
    return el('span', {}, el('progress', { max: limit, value: Math.min(used, limit) }), ` ${format(used)} of ${format(limit)} ${unit}`);
  }
  async function load() {
    const data = await api('/ui/api/keys');
    if (!data.data.length) {
      list.replaceChildren(empty('No virtual keys yet. Create one above and give its secret to a team; '
        + 'its usage then shows here against its limits.'));
      return;
    }
    const editing = el('div');
    list.replaceChildren(editing, table([
      { title: 'Name', cell: (k) => k.name },
      { title: 'Id', cell: (k) => el('code', {}, k.id) },
      { title: 'Team', cell: (k) => k.team ?? '–' },
      { title: 'Status', cls: (k) => k.status === 'active' ? 'status-ok' : 'status-error', cell: (k) => k.status },
      { title: 'Last minute', cell: lastMinute },
      { title: 'Budget used', cell: budget },
      { title: '', cell: (k) => k.status === 'revoked' ? '' : el('span', {},
        el('button', { type: 'button', class: 'secondary', onclick: () => editing.replaceChildren(el('h2', {}, `Limits of ${k.name}`), editor(k)) }, 'Edit limits'), ' ',
        el('button', { type: 'button', class: 'secondary', onclick: () => act(async () => reveal(await api(`/ui/api/keys/${encodeURIComponent(k.id)}/rotate`, { method: 'POST', body: {} }), 'Rotated')) }, 'Rotate'), ' ',
        el('button', { type: 'button', class: 'danger', 'data-revoke': k.id, onclick: () => act(() => api(`/ui/api/keys/${encodeURIComponent(k.id)}`, { method: 'DELETE' })) }, 'Revoke')) },
    ], data.data.map((k) => ({ ...k, attrs: { 'data-key': k.id } })), { id: 'keys' }));
  }
  await Promise.all([load(), loadTeams()]);
}

// ---------- Models

async function models() {
  const data = await api('/ui/api/models');
  if (!data.models.length) {
    show(el('h1', {}, 'Models'), empty('The catalog is empty: add models under models: in junction.yaml.'));
    return;
  }
  const columns = [
    { key: 'model', title: 'Model', cell: (m) => m.model },
    { key: 'provider', title: 'Provider', cell: (m) => m.provider },
    { key: 'provider_model', title: 'Provider model', cell: (m) => el('code', {}, m.provider_model) },
    { key: 'input_usd_per_million', title: 'Input price', num: true, cell: (m) => perMillion(m.input_usd_per_million) },
    { key: 'output_usd_per_million', title: 'Output price', num: true, cell: (m) => perMillion(m.output_usd_per_million) },
    { key: 'ttft_ms', title: 'TTFT', num: true, cell: (m) => ms(m.ttft_ms) },
    { key: 'tokens_per_second', title: 'Output speed', num: true, cell: (m) => rate(m.tokens_per_second) },
    { key: 'context_length', title: 'Context', num: true, cell: (m) => m.context_length ? tokens(m.context_length) : '–' },
    { key: 'live', title: 'Status', cell: (m) => m.live ? 'live' : 'offline' },
  ];
  let sort = { key: 'model', dir: 1 };
  const holder = el('div');
  const render = () => {
    const rows = [...data.models].sort((a, b) => {
      const x = a[sort.key], y = b[sort.key];
      if (x === y) return 0;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * sort.dir;
    });
    const t = table(columns, rows, { id: 'models' });
    t.querySelectorAll('th').forEach((th, i) => {
      th.classList.add('sortable');
      th.title = 'Sort';
      if (columns[i].key === sort.key) th.append(sort.dir > 0 ? ' ▲' : ' ▼');
      th.addEventListener('click', () => { sort = { key: columns[i].key, dir: sort.key === columns[i].key ? -sort.dir : 1 }; render(); });
    });
    holder.replaceChildren(t);
  };
  show(el('h1', {}, 'Models'), el('p', { class: 'muted' }, 'Click a column to sort: which provider is cheapest or fastest for a model right now.'), holder);
  render();
}

// ---------- Playground

async function playground() {
  const data = await api('/ui/api/models');
  const names = [...new Set(data.models.filter((m) => m.live).map((m) => m.model))].sort();
  if (!names.length) {
    show(el('h1', {}, 'Playground'), empty('No model to try: add a provider and a model to junction.yaml first.'));
    return;
  }
  const model = el('select', { id: 'pg-model', name: 'model' }, names.map((n) => el('option', { value: n }, n)));
  const policy = el('select', { id: 'pg-policy', name: 'policy' });
  const fillPolicies = () => policy.replaceChildren(
    el('option', { value: '' }, 'default policy'), el('option', { value: ':fastest' }, ':fastest'),
    el('option', { value: ':cheapest' }, ':cheapest'),
    ...data.models.filter((m) => m.model === model.value && m.live).map((m) => el('option', { value: `:${m.provider}` }, `pin :${m.provider}`)));
  model.addEventListener('change', fillPolicies);
  fillPolicies();
  const prompt = el('textarea', { id: 'pg-prompt', name: 'prompt' }, 'Say hello in five words.');
  const answer = el('div', { class: 'answer', id: 'pg-answer', 'aria-live': 'polite' });
  const route = el('div', { id: 'pg-route' });
  const detail = el('div', { id: 'pg-detail' });
  const send = el('button', { type: 'submit', id: 'pg-send' }, 'Send');
  const form = el('form', { onsubmit: run }, el('div', { class: 'toolbar' }, el('label', {}, 'Model', model), el('label', {}, 'Policy', policy)),
    prompt, el('p', {}, send));
  show(el('h1', {}, 'Playground'), el('p', { class: 'muted' },
    'Sent through the gateway\'s own /v1/chat/completions with your key: routed, limited and recorded like any request.'),
  el('div', { class: 'grid2' }, form, el('div', {}, el('h2', {}, 'Answer'), answer, route)), detail);

  async function run(e) {
    e.preventDefault();
    send.disabled = true;
    answer.textContent = '';
    route.replaceChildren();
    detail.replaceChildren();
    try {
      const response = await fetch('/ui/api/playground', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf },
        body: JSON.stringify({ model: model.value + policy.value, stream: true, stream_options: { include_usage: true },
          messages: [{ role: 'user', content: prompt.value }] }),
      });
      const junction = [...response.headers].filter(([k]) => k.startsWith('x-junction-'));
      route.replaceChildren(el('h2', {}, 'Route'), el('dl', { class: 'detail' },
        junction.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, el('code', {}, v))])));
      if (!response.ok || !(response.headers.get('content-type') || '').includes('event-stream')) {
        const body = await response.json().catch(() => ({}));
        answer.append(el('span', { class: 'error' }, body.error?.message || `HTTP ${response.status}`));
      } else {
        await stream(response, (text) => answer.append(text));
      }
      const id = response.headers.get('x-junction-request-id');
      if (id) detail.replaceChildren(await requestDetail(id));
    } catch (err) {
      answer.append(el('span', { class: 'error' }, err.message));
    } finally {
      send.disabled = false;
    }
  }
}

async function stream(response, onText) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data:')) continue;
        const payload = line.slice(5).trim();
        if (payload === '[DONE]') return;
        try {
          const chunk = JSON.parse(payload);
          if (chunk.error) onText(`\n[${chunk.error.message}]`);
          const text = chunk.choices?.[0]?.delta?.content;
          if (text) onText(text);
        } catch { /* a partial event: keep reading */ }
      }
    }
  }
}

// ---------- start

const PAGES = { overview, providers, requests, keys, models, playground };

async function start() {
  for (const a of document.querySelectorAll('nav a')) {
    if (a.getAttribute('href') === `/ui/${page}`) a.setAttribute('aria-current', 'page');
  }
  session = await api('/ui/api/session');
  document.getElementById('who').textContent = session.master ? 'master key' : `key ${session.name}`;
  document.getElementById('signout').addEventListener('click', async () => {
    if (poll) clearInterval(poll);
    await api('/ui/api/session', { method: 'DELETE' });
    location.assign('/ui/signin');
  });
  await (PAGES[page] || overview)();
}

start().catch((e) => {
  if (e.message !== 'signed out') show(el('p', { class: 'error' }, `The dashboard could not load: ${e.message}`));
});
