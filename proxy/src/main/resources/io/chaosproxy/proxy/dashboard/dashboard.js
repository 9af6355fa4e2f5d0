// The chaos-proxy dashboard: polls the control API once a second and draws what it answers.
// Plain JavaScript, no build step; charts by uPlot (served from the jar). Every value from the
// API is put in the page as text, never as HTML: rule names and paths are user input.
(function () {
  'use strict';
  const POLL_MS = 1000;
  const TOKEN_KEY = 'chaosproxy.token';
  const state = { token: sessionStorage.getItem(TOKEN_KEY), lastEvent: 0, needsToken: false, charts: null };

  const $ = (selector) => document.querySelector(selector);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === 'class') node.className = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  class NeedsToken extends Error {}

  async function api(method, path, body) {
    const headers = {};
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status === 401) {
      const answer = await response.json().catch(() => ({}));
      showTokenForm(state.token ? (answer.error || 'wrong token') : '');
      throw new NeedsToken();
    }
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : null };
  }

  function showTokenForm(message) {
    state.needsToken = true;
    $('#token-form').hidden = false;
    $('#token-error').textContent = message;
    setConnection('needs token', 'down');
  }

  function setConnection(text, kind) {
    const badge = $('#connection');
    badge.textContent = text;
    badge.className = 'badge ' + kind;
  }

  // ---- proxies, rules, scenario ----

  function renderStatus(status) {
    const uptime = Math.round(status.uptimeMs / 1000);
    $('#summary').textContent = `seed ${status.seed} · up ${uptime} s · ${status.counters.requests} requests · ${status.faults.length} rules`;
    const body = $('#proxies tbody');
    body.replaceChildren(...status.proxies.map((proxy) => el('tr', { 'data-proxy': proxy.name },
      el('td', {}, proxy.name),
      el('td', {}, proxy.protocol || 'http'),
      el('td', { class: 'mono' }, proxy.listen),
      el('td', {}, (proxy.backends || []).map((backend) => el('div', { class: 'backend', 'data-backend': backend.url },
        el('span', { class: 'breaker breaker-' + backend.breaker }, backend.breaker), ' ',
        el('code', {}, backend.url),
        backend.consecutiveFailures ? el('span', { class: 'muted' }, ` ${backend.consecutiveFailures} failures in a row`) : null,
        backend.retryAfterSeconds !== undefined ? el('span', { class: 'muted' }, ` probe in ${backend.retryAfterSeconds} s`) : null))),
      el('td', {}, proxy.counters ? String(proxy.counters.requests) : ''))));
    renderScenario(status.scenario);
  }

  function renderRules(rules) {
    const body = $('#rules tbody');
    if (!rules.length) {
      body.replaceChildren(el('tr', {}, el('td', { colspan: 8, class: 'muted' }, 'no rules installed')));
      return;
    }
    body.replaceChildren(...rules.map((rule) => el('tr', { 'data-rule': rule.id },
      el('td', { class: 'mono' }, rule.id),
      el('td', {}, rule.name),
      el('td', {}, rule.type + (rule.status ? ' ' + rule.status : '') + (rule.delayMs ? ' ' + rule.delayMs + ' ms' : '')
        + (rule.target === 'upstream' ? ' (upstream)' : '')),
      el('td', {}, rule.proxy || 'all'),
      el('td', { class: 'mono' }, rule.match ? JSON.stringify(rule.match) : ''),
      el('td', {}, rule.origin),
      el('td', { class: 'fired' }, String(rule.fired)),
      el('td', {}, el('button', { type: 'button', class: 'remove', onclick: () => removeRule(rule.id) }, 'Remove')))));
  }

  async function removeRule(id) {
    try {
      await api('DELETE', '/faults/' + encodeURIComponent(id));
      await refresh();
    } catch (e) {
      if (!(e instanceof NeedsToken)) $('#rule-result').textContent = String(e);
    }
  }

  function renderScenario(running) {
    const box = $('#scenario-running');
    if (!running) {
      box.textContent = 'none running';
      return;
    }
    const left = running.phaseTimeLeftMs === null ? '' : ` · ${(running.phaseTimeLeftMs / 1000).toFixed(1)} s left in this phase`;
    box.textContent = `${running.name}: phase ${running.phase + 1} of ${running.phases}` + (running.repeat ? `, round ${running.round + 1}` : '') + left;
  }

  async function loadCatalog() {
    const { json } = await api('GET', '/scenarios');
    $('#scenario-name').replaceChildren(...json.catalog.map((s) => el('option', { value: s.name, title: s.description || '' }, s.name)));
  }

  // ---- charts ----

  function makeCharts() {
    const width = () => Math.max(380, Math.min(760, ($('.charts').clientWidth / (window.innerWidth > 900 ? 2 : 1)) - 20));
    const rate = new uPlot({
      width: width(), height: 220,
      series: [{}, { label: '2xx', stroke: '#1e7d3a' }, { label: '3xx', stroke: '#3b6fb6' },
        { label: '4xx', stroke: '#c77800' }, { label: '5xx', stroke: '#b3261e' }, { label: 'dropped', stroke: '#6b2fb3' }],
      axes: [{}, { label: 'req/s' }],
    }, [[], [], [], [], [], []], $('#rate-chart'));
    const latency = new uPlot({
      width: width(), height: 220,
      series: [{}, { label: 'p50 ms', stroke: '#3b6fb6' }, { label: 'p99 ms', stroke: '#b3261e' }],
      axes: [{}, { label: 'ms' }],
    }, [[], [], []], $('#latency-chart'));
    return { rate, latency };
  }

  function renderSeries(series) {
    const points = series.points.slice(0, -1); // the last is the second in progress: it would always dip
    const t = points.map((p) => p.t);
    state.charts.rate.setData([t, points.map((p) => p['2xx'] + p['1xx']), points.map((p) => p['3xx']),
      points.map((p) => p['4xx']), points.map((p) => p['5xx']), points.map((p) => p.dropped)]);
    state.charts.latency.setData([t, points.map((p) => p.p50Ms), points.map((p) => p.p99Ms)]);
  }

  // ---- events and journal ----

  function renderEvents(answer) {
    const list = $('#events');
    for (const event of answer.events) {
      if (event.seq <= state.lastEvent) continue; // two polls in flight at once both asked for it
      state.lastEvent = event.seq;
      let text;
      if (event.type === 'breaker') text = `breaker ${event.proxy} ${event.backend}: ${event.from} → ${event.to}`;
      else if (event.type === 'phase') text = `scenario ${event.scenario}: phase ${event.phase + 1} (round ${event.round + 1})`;
      else text = `scenario ${event.scenario} ended: ${event.reason}`;
      list.prepend(el('li', { 'data-type': event.type }, new Date(event.at).toLocaleTimeString(), ' ', text));
    }
    while (list.children.length > 100) list.lastChild.remove();
  }

  function statusClass(status) {
    return status === null ? 'status-dropped' : 'status-' + Math.floor(status / 100) + 'xx';
  }

  function renderJournal(entries) {
    const body = $('#journal tbody');
    body.replaceChildren(...entries.slice().reverse().map((entry) => el('tr', { 'data-request': entry.requestId },
      el('td', {}, new Date(entry.startedAt).toLocaleTimeString()),
      el('td', { class: 'mono' }, entry.requestId),
      el('td', {}, entry.proxy),
      el('td', {}, entry.method || ''),
      el('td', { class: 'mono' }, entry.path || ''),
      el('td', { class: statusClass(entry.status) }, entry.status === null ? 'none' : String(entry.status)),
      el('td', { class: 'mono' }, (entry.attempts || []).map((a) => `${a.backend} ${a.status !== null ? a.status : a.error} (${a.durationMs} ms)`).join(', ')),
      el('td', { class: 'mono' }, (entry.faults || []).join(', ')),
      el('td', {}, String(entry.durationMs)))));
  }

  function journalPath() {
    const filter = $('#path-filter').value.trim();
    return '/requests?limit=50' + (filter ? '&path=' + encodeURIComponent(filter) : '');
  }

  // ---- the poll ----

  async function refresh() {
    if (state.needsToken) return;
    const [status, rules, series, events, journal] = await Promise.all([
      api('GET', '/status'), api('GET', '/faults'), api('GET', '/series?seconds=180'),
      api('GET', '/events?after=' + state.lastEvent), api('GET', journalPath())]);
    renderStatus(status.json);
    renderRules(rules.json);
    renderSeries(series.json);
    renderEvents(events.json);
    if (journal.status === 200) {
      $('#path-filter-error').textContent = '';
      renderJournal(journal.json);
    } else {
      $('#path-filter-error').textContent = journal.json.error;
    }
    setConnection('live', 'ok');
  }

  async function loop() {
    try {
      await refresh();
    } catch (e) {
      if (!(e instanceof NeedsToken)) setConnection('unreachable', 'down');
    }
    setTimeout(loop, POLL_MS);
  }

  // ---- forms ----

  function ruleFromForm(form) {
    const rule = {};
    const match = {};
    for (const input of form.querySelectorAll('input[name], select[name]')) {
      const value = input.value.trim();
      if (!value || input.name === 'extra') continue;
      if (input.name === 'match.path') match.path = value;
      else if (input.name === 'match.methods') match.methods = value.split(',').map((m) => m.trim()).filter(Boolean);
      else if (['status', 'delayMs', 'times', 'probability'].includes(input.name)) {
        rule[input.name] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value; // the API names a bad number
      } else rule[input.name] = value;
    }
    if (Object.keys(match).length) rule.match = match;
    const extra = form.elements.extra.value.trim();
    if (extra) {
      let parsed;
      try {
        parsed = JSON.parse(extra);
      } catch (e) {
        throw { field: 'extra', error: 'not JSON: ' + e.message };
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw { field: 'extra', error: 'must be a JSON object' };
      Object.assign(rule, parsed);
    }
    return rule;
  }

  function showFieldError(form, field, message) {
    let slot = form.querySelector(`[data-error-for="${CSS.escape(field || '')}"]`);
    let text = message;
    if (!slot && field && field.includes('.')) slot = form.querySelector(`[data-error-for="${CSS.escape(field.split('.')[0])}"]`);
    if (!slot) {
      slot = form.querySelector('[data-error-for="extra"]');
      text = (field ? field + ': ' : '') + message;
    }
    slot.textContent = text;
    const input = slot.parentElement.querySelector('input, select');
    if (input) input.classList.add('invalid');
  }

  async function submitRule(event) {
    event.preventDefault();
    const form = event.target;
    form.querySelectorAll('.error').forEach((slot) => { slot.textContent = ''; });
    form.querySelectorAll('.invalid').forEach((input) => input.classList.remove('invalid'));
    $('#rule-result').textContent = '';
    let rule;
    try {
      rule = ruleFromForm(form);
    } catch (bad) {
      showFieldError(form, bad.field, bad.error);
      return;
    }
    try {
      const answer = await api('POST', '/faults', rule);
      if (answer.status === 201) {
        $('#rule-result').textContent = `installed ${answer.json.id}`;
        await refresh();
      } else {
        showFieldError(form, answer.json.field, answer.json.error);
      }
    } catch (e) {
      if (!(e instanceof NeedsToken)) $('#rule-result').textContent = String(e);
    }
  }

  async function startScenario(event) {
    event.preventDefault();
    $('#scenario-error').textContent = '';
    const answer = await api('POST', '/scenarios', { name: $('#scenario-name').value });
    if (answer.status !== 201) $('#scenario-error').textContent = answer.json.error;
    await refresh();
  }

  async function stopScenario() {
    $('#scenario-error').textContent = '';
    await api('DELETE', '/scenarios/running');
    await refresh();
  }

  async function useToken(event) {
    event.preventDefault();
    state.token = $('#token').value;
    sessionStorage.setItem(TOKEN_KEY, state.token);
    state.needsToken = false;
    $('#token-form').hidden = true;
    await start();
  }

  async function start() {
    try {
      await loadCatalog();
    } catch (e) {
      if (!(e instanceof NeedsToken)) setConnection('unreachable', 'down');
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    state.charts = makeCharts();
    $('#rule-form').addEventListener('submit', submitRule);
    $('#scenario-form').addEventListener('submit', startScenario);
    $('#scenario-stop').addEventListener('click', () => stopScenario().catch(() => {}));
    $('#token-form').addEventListener('submit', useToken);
    $('#path-filter').addEventListener('input', () => refresh().catch(() => {}));
    start().then(loop);
  });
})();
