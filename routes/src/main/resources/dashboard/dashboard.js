'use strict';
// The dashboard: read-only views of the runner's HTTP API. The token lives in this tab's sessionStorage and goes
// only into the Authorization header of fetch() calls, never into a URL. Everything shown comes from outside
// (names, model URIs, Knative's and the component's messages): it is set as text, never parsed as HTML, and links
// are made only of http(s) URLs.
(function () {
  const TOKEN_KEY = 'mlflowKnativeToken';
  const REFRESH_MS = 5000;
  let timer = null;
  let round = 0; // a newer refresh or a sign-out makes an answer still in flight stale
  let shown = null; // what the page shows, as JSON: an unchanged answer leaves the page (and a selection) alone

  const byId = (id) => document.getElementById(id);

  /** An element with text content and children; attributes only from this file's own constant names. */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === 'text') {
        node.textContent = value == null ? '' : String(value);
      } else if (name === 'className') {
        node.className = value;
      } else {
        node.setAttribute(name, String(value));
      }
    }
    for (const child of children) {
      if (child != null) {
        node.append(child); // a string becomes a text node
      }
    }
    return node;
  }

  /** The URL if it is http(s), else null: no javascript: or data: link from a hostile value. */
  function httpUrl(value) {
    if (typeof value !== 'string' || value === '') {
      return null;
    }
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(href, text) {
    const url = httpUrl(href);
    if (url === null) {
      return el('span', { text: text });
    }
    return el('a', { href: url, text: text, target: '_blank', rel: 'noopener noreferrer' });
  }

  class HttpError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path, token) {
    const response = await fetch(path, {
      headers: { 'Authorization': 'Bearer ' + token, 'Accept': 'application/json' },
      cache: 'no-store', credentials: 'omit', redirect: 'error', referrerPolicy: 'no-referrer'
    });
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      const message = body && typeof body.message === 'string' ? body.message : response.statusText;
      throw new HttpError(response.status, message || ('HTTP ' + response.status));
    }
    return body;
  }

  // --- what is shown when ------------------------------------------------------------------------------------

  function showPrompt(message) {
    clearTimeout(timer);
    round++;
    shown = null;
    byId('dashboard').hidden = true;
    byId('namespaces').replaceChildren();
    byId('activity').replaceChildren();
    byId('who').hidden = true;
    byId('forget').hidden = true;
    byId('login').hidden = false;
    byId('login-error').textContent = message || '';
    byId('token').focus();
  }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    showPrompt(message);
  }

  function refusal(error) {
    if (error.status === 401) {
      return 'The runner refused this token (' + error.message + '). Check it and try again.';
    }
    return 'The runner cannot show deployments: ' + error.message + ' (HTTP ' + error.status + ')';
  }

  /** One round: context, each namespace's deployments and the activity; the next round starts after it ends. */
  async function refresh() {
    clearTimeout(timer);
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) {
      showPrompt('');
      return;
    }
    const mine = ++round;
    byId('login').hidden = true;
    byId('dashboard').hidden = false;
    try {
      const context = await api('/dashboard/context', token);
      const namespaces = Array.isArray(context.namespaces) ? context.namespaces.map(String) : [];
      const [lists, activity] = await Promise.all([
        Promise.all(namespaces.map((namespace) =>
          api('/deployments?namespace=' + encodeURIComponent(namespace), token)
            .then((items) => ({ namespace: namespace, items: Array.isArray(items) ? items : [] }),
              (error) => ({ namespace: namespace, error: error })))),
        api('/activity', token).catch((error) => ({ error: error }))
      ]);
      if (mine !== round) {
        return;
      }
      const revoked = lists.concat([activity]).find((part) => part.error && part.error.status === 401);
      if (revoked) {
        signOut(refusal(revoked.error));
        return;
      }
      const view = JSON.stringify([context,
        lists.map((list) => (list.error ? { namespace: list.namespace, error: list.error.message } : list)),
        activity.error ? { error: activity.error.message } : activity]);
      if (view !== shown) {
        render(context, lists, activity);
        shown = view;
      }
      byId('status').textContent = 'Updated ' + new Date().toLocaleTimeString() + ', every ' + REFRESH_MS / 1000
        + ' s.';
      byId('status').classList.remove('error');
    } catch (error) {
      if (mine !== round) {
        return;
      }
      if (error instanceof HttpError && (error.status === 401 || error.status === 503)) {
        signOut(refusal(error));
        return;
      }
      byId('status').textContent = 'Could not refresh (' + error.message + '); trying again.';
      byId('status').classList.add('error');
    }
    if (mine === round) {
      timer = setTimeout(refresh, REFRESH_MS);
    }
  }

  // --- rendering ---------------------------------------------------------------------------------------------

  function render(context, lists, activity) {
    byId('who').textContent = String(context.caller) + ' · ' + String(context.role);
    byId('who').hidden = false;
    byId('forget').hidden = false;
    const mlflowUi = httpUrl(context.mlflowUi);
    byId('namespaces').replaceChildren(...lists.map((list) => namespaceSection(list, mlflowUi)));
    byId('activity').replaceChildren(activity.error
      ? el('p', { className: 'error', text: 'Cannot read the activity: ' + activity.error.message })
      : activityTable(activity));
  }

  function table(headings, rows) {
    return el('table', {},
      el('thead', {}, el('tr', {}, ...headings.map((heading) => el('th', { scope: 'col', text: heading })))),
      el('tbody', {}, ...rows));
  }

  /** A cell labelled for the narrow layout, where each row becomes a card (label, then one box of content). */
  function cell(label, ...content) {
    return el('td', { 'data-label': label }, el('div', { className: 'cell' }, ...content));
  }

  function namespaceSection(list, mlflowUi) {
    const section = el('section', { className: 'namespace' },
      el('h2', {}, 'Namespace ', el('span', { className: 'mono', text: list.namespace })));
    if (list.error) {
      section.append(el('p', { className: 'error', text: 'Cannot list: ' + list.error.message }));
    } else if (list.items.length === 0) {
      section.append(el('p', { className: 'empty', text: 'No deployments.' }));
    } else {
      const rows = [];
      for (const deployment of list.items) {
        rows.push(deploymentRow(deployment, mlflowUi));
        const traffic = Array.isArray(deployment.traffic) ? deployment.traffic : [];
        if (traffic.length > 1 || traffic.some((target) => target.tag === 'candidate')) {
          rows.push(el('tr', { className: 'canary' }, el('td', { colspan: 6 }, trafficBar(traffic))));
        }
      }
      section.append(table(['Name', 'Model', 'Run', 'Revision', 'Ready', 'URL'], rows));
    }
    return section;
  }

  function deploymentRow(deployment, mlflowUi) {
    const runId = deployment.runId == null ? '' : String(deployment.runId);
    const run = runId === '' ? '—'
      : mlflowUi === null ? el('span', { className: 'mono', text: runId })
        : link(mlflowUi.replace(/\/+$/, '') + '/#/runs/' + encodeURIComponent(runId), runId);
    const model = deployment.modelUri != null ? el('span', { className: 'mono', text: deployment.modelUri })
      : el('span', { className: 'mono muted', text: deployment.image == null ? '—' : deployment.image });
    return el('tr', { className: 'deployment', 'data-name': String(deployment.name) },
      cell('Name', el('strong', { text: deployment.name })),
      cell('Model', model),
      cell('Run', run),
      cell('Revision', el('span', { className: 'mono revision',
        text: deployment.revision == null ? '—' : deployment.revision })),
      cell('Ready', readiness(deployment)),
      cell('URL', deployment.url == null ? '—' : link(deployment.url, String(deployment.url))));
  }

  function readiness(deployment) {
    const state = { True: ['Ready', 'ok'], False: ['Not ready', 'bad'], Unknown: ['Pending', 'wait'] }[
      deployment.ready] || ['—', 'wait'];
    const box = el('div', { className: 'ready' }, el('span', { className: 'badge ' + state[1], text: state[0] }));
    if (deployment.ready !== 'True' && deployment.readyReason != null) {
      box.append(' ', el('span', { className: 'reason', text: deployment.readyReason }));
    }
    if (deployment.ready !== 'True' && deployment.readyMessage != null) {
      box.append(el('p', { className: 'message', text: deployment.readyMessage }));
    }
    return box;
  }

  /** Serving revision(s) against the candidate: one bar, its shares, the candidate's tag URL. */
  function trafficBar(traffic) {
    const percentOf = (target) => Math.max(0, Math.min(100, Number(target.percent) || 0));
    const bar = el('div', { className: 'traffic', role: 'img' });
    const legend = el('ul', { className: 'legend' });
    const described = [];
    for (const target of traffic) {
      const candidate = target.tag === 'candidate';
      const percent = percentOf(target);
      const segment = el('div', { className: 'segment ' + (candidate ? 'candidate' : 'serving'),
        text: percent + '%' });
      segment.style.flexGrow = String(percent); // CSSOM, not an inline style attribute: allowed by the policy
      bar.append(segment);
      const role = candidate ? 'Candidate' : 'Serving';
      const item = el('li', { className: candidate ? 'candidate' : 'serving' },
        el('span', { className: 'swatch' }), role + ' ',
        el('span', { className: 'mono', text: target.revision == null ? '(latest)' : target.revision }),
        ': ' + percent + '%');
      if (target.url != null) {
        item.append(' · ', link(target.url, String(target.url)));
      }
      legend.append(item);
      described.push(role + ' ' + percent + '%');
    }
    bar.setAttribute('aria-label', 'Traffic: ' + described.join(', '));
    return el('div', { className: 'split' }, el('span', { className: 'label', text: 'Canary' }), bar, legend);
  }

  function activityTable(outcomes) {
    if (!Array.isArray(outcomes) || outcomes.length === 0) {
      return el('p', { className: 'empty', text: 'Nothing deployed since the runner started.' });
    }
    const rows = outcomes.map((outcome) => el('tr', { className: 'outcome ' + (outcome.error == null ? '' : 'failed') },
      cell('When', when(outcome.at)),
      cell('Trigger', String(outcome.trigger)),
      cell('Deployment', el('span', { className: 'mono',
        text: String(outcome.namespace) + '/' + (outcome.name == null ? '?' : String(outcome.name)) })),
      cell('Action', String(outcome.operation) + ' → ',
        el('span', { className: outcome.outcome === 'failed' ? 'badge bad' : 'badge ok', text: outcome.outcome })),
      cell('Duration', seconds(outcome.durationMs)),
      outcome.error == null ? el('td', { className: 'none' })
        : cell('Error', el('p', { className: 'message', text: outcome.error }))));
    return table(['When', 'Trigger', 'Deployment', 'Action', 'Duration', 'Error'], rows);
  }

  function when(at) {
    const date = new Date(String(at));
    return isNaN(date.getTime()) ? String(at) : date.toLocaleString();
  }

  function seconds(millis) {
    const value = Number(millis);
    return isNaN(value) ? '' : (value / 1000).toFixed(1) + ' s';
  }

  // --- start ---------------------------------------------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', function () {
    byId('login').addEventListener('submit', function (event) {
      event.preventDefault();
      const token = byId('token').value.trim();
      byId('token').value = '';
      if (token !== '') {
        sessionStorage.setItem(TOKEN_KEY, token);
        byId('login-error').textContent = '';
        refresh();
      }
    });
    byId('forget').addEventListener('click', function () {
      signOut('');
    });
    refresh();
  });
}());
