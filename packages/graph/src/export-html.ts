/** Self-contained interactive HTML export: inline data, CSS and a small SVG renderer; no network access. */
import { graphToJSON, type JsonExportOptions } from './export-json.js';
import type { ProvenanceGraph } from './graph.js';

/** Options of {@link exportHtml}. */
export interface HtmlExportOptions extends Omit<JsonExportOptions, 'indent'> {
  /** Page title (default: `sysray graph — <file name in the header>`). */
  title?: string;
}

/** JSON safe to place inside a `<script>` element. */
export function scriptSafeJSON(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
*{box-sizing:border-box}
html,body{margin:0;height:100%;font:13px/1.35 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1d2430;background:#f7f8fa}
#app{display:grid;grid-template-columns:1fr 380px;grid-template-rows:auto 1fr;height:100%}
header{grid-column:1/3;padding:8px 12px;background:#1d2430;color:#fff;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
header h1{font-size:15px;margin:0;font-weight:600}
header .stat{opacity:.85}
header button{background:#39475c;color:#fff;border:0;border-radius:4px;padding:4px 10px;cursor:pointer}
#canvas{position:relative;overflow:hidden;background:#fff;border-right:1px solid #d9dde3}
#graph{width:100%;height:100%;cursor:grab;display:block}
#graph.dragging{cursor:grabbing}
aside{overflow:auto;padding:10px 12px}
aside h2{font-size:13px;margin:14px 0 6px;text-transform:uppercase;letter-spacing:.04em;color:#5a6678}
.node rect,.node ellipse{stroke:#5a6678;stroke-width:1}
.node text{font-size:11px;pointer-events:none;fill:#1d2430}
.node{cursor:pointer}
.node.process rect{fill:#dbe9f6}
.node.file rect{fill:#f1f1f1}
.node.endpoint ellipse{fill:#e4f4e0}
.node.container rect{fill:#fdf0d5;stroke-width:2}
.node.pod rect{fill:#efe3f7;stroke-width:2}
.node.alert rect,.node.alert ellipse{stroke:#d00000;stroke-width:3;fill:#ffd6d6}
.node.selected rect,.node.selected ellipse{stroke:#1f6fb2;stroke-width:3}
.edge{fill:none;stroke:#9aa3ae;stroke-width:1.2}
.edge.clone{stroke:#5a6678}
.edge.exec{stroke:#5a6678;stroke-width:2.2}
.edge.network{stroke:#1f6fb2}
.edge.contains{stroke:#c9ced6;stroke-dasharray:4 3}
.edge.alert{stroke:#d00000;stroke-width:2.4}
table.kv{border-collapse:collapse;width:100%}
table.kv td{border-bottom:1px solid #eceef1;padding:2px 4px;vertical-align:top;word-break:break-all}
table.kv td:first-child{color:#5a6678;white-space:nowrap;word-break:normal}
.alert-item{border-left:3px solid #d00000;background:#fff3f3;padding:4px 6px;margin:4px 0;cursor:pointer}
.alert-item .rule{font-weight:600}
.tag{display:inline-block;background:#eceef1;border-radius:3px;padding:0 4px;margin:1px 2px 1px 0;font-size:11px}
.tag.mitre{background:#ffe0e0}
.muted{color:#7a8594}
#traffic{width:100%;height:160px;background:#fff;border:1px solid #d9dde3}
.beacon{color:#d00000;font-weight:600}
`;

const SCRIPT = String.raw`
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('graph-data').textContent);
  var SVGNS = 'http://www.w3.org/2000/svg';
  var nodes = DATA.nodes, edges = DATA.edges;
  var byId = new Map();
  nodes.forEach(function (n) { byId.set(n.id, n); });
  var alertsById = new Map();
  DATA.alerts.forEach(function (a) { alertsById.set(a.id, a); });

  // ---- layout: a layered tree (lineage first, then files and endpoints as leaves), left to right.
  var parent = new Map(), kids = new Map();
  function addKid(p, c) {
    if (p === c || parent.has(c) || !byId.has(p) || !byId.has(c)) return;
    parent.set(c, p);
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p).push(c);
  }
  edges.forEach(function (e) { if (e.kind === 'contains') addKid(e.source, e.target); });
  edges.forEach(function (e) { if (e.kind === 'clone' || e.kind === 'exec') addKid(e.source, e.target); });
  edges.forEach(function (e) { if (e.kind === 'file' || e.kind === 'network') addKid(e.source, e.target); });
  function startOf(id) { var n = byId.get(id); return n && n.start ? BigInt(n.start) : 0n; }
  function byStart(a, b) { var x = startOf(a), y = startOf(b); return x < y ? -1 : x > y ? 1 : 0; }
  kids.forEach(function (list) {
    list.sort(function (a, b) {
      var ka = byId.get(a).kind === 'process' ? 0 : 1, kb = byId.get(b).kind === 'process' ? 0 : 1;
      return ka - kb || byStart(a, b);
    });
  });
  var roots = nodes.map(function (n) { return n.id; }).filter(function (id) { return !parent.has(id); });
  var kindOrder = { pod: 0, container: 1, process: 2, file: 3, endpoint: 4 };
  roots.sort(function (a, b) { return kindOrder[byId.get(a).kind] - kindOrder[byId.get(b).kind] || byStart(a, b); });
  var COLW = 240, ROWH = 34, NW = 200, NH = 24;
  var pos = new Map(), slot = 0, seen = new Set();
  function place(id, depth) {
    seen.add(id);
    var ch = (kids.get(id) || []).filter(function (c) { return !seen.has(c); });
    var y;
    if (ch.length === 0) { y = slot++; }
    else {
      var ys = ch.map(function (c) { return place(c, depth + 1); });
      y = (ys[0] + ys[ys.length - 1]) / 2;
    }
    pos.set(id, { x: depth * COLW, y: y * ROWH });
    return y;
  }
  roots.forEach(function (r) { if (!seen.has(r)) { place(r, 0); slot += 0.5; } });
  nodes.forEach(function (n) { if (!seen.has(n.id)) place(n.id, 0); });

  // ---- render
  var svg = document.getElementById('graph');
  var viewport = document.createElementNS(SVGNS, 'g');
  viewport.setAttribute('id', 'viewport');
  svg.appendChild(viewport);
  var edgeLayer = document.createElementNS(SVGNS, 'g');
  var nodeLayer = document.createElementNS(SVGNS, 'g');
  viewport.appendChild(edgeLayer);
  viewport.appendChild(nodeLayer);
  function el(name, attrs, parentEl) {
    var x = document.createElementNS(SVGNS, name);
    for (var k in attrs) x.setAttribute(k, attrs[k]);
    if (parentEl) parentEl.appendChild(x);
    return x;
  }
  edges.forEach(function (e) {
    var a = pos.get(e.source), b = pos.get(e.target);
    if (!a || !b) return;
    var x1 = a.x + NW, y1 = a.y + NH / 2, x2 = b.x, y2 = b.y + NH / 2;
    if (x2 <= x1) { x1 = a.x + NW / 2; x2 = b.x + NW / 2; }
    var mx = (x1 + x2) / 2;
    var p = el('path', { d: 'M' + x1 + ',' + y1 + ' C' + mx + ',' + y1 + ' ' + mx + ',' + y2 + ' ' + x2 + ',' + y2,
      class: 'edge ' + e.kind + (e.alerts.length ? ' alert' : '') }, edgeLayer);
    var t = document.createElementNS(SVGNS, 'title');
    t.textContent = e.kind + (e.ops.length ? ' ' + e.ops.join('|') : '') +
      (e.bytesIn || e.bytesOut ? ' r=' + e.bytesIn + 'B w=' + e.bytesOut + 'B' : '') + ' (' + e.records + ' records)';
    p.appendChild(t);
  });
  var nodeEls = new Map();
  function short(s, n) { return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }
  nodes.forEach(function (n) {
    var p = pos.get(n.id);
    var g = el('g', { class: 'node ' + n.kind + (n.alerts.length ? ' alert' : ''), transform: 'translate(' + p.x + ',' + p.y + ')' }, nodeLayer);
    g.dataset.id = n.id;
    if (n.kind === 'endpoint') el('ellipse', { cx: NW / 2, cy: NH / 2, rx: NW / 2, ry: NH / 2 }, g);
    else el('rect', { width: NW, height: NH, rx: n.kind === 'process' ? 5 : 1 }, g);
    var label = n.kind === 'process' && n.args ? n.label + ' ' + n.args : n.label;
    var t = el('text', { x: 8, y: 16 }, g);
    t.textContent = short(label, 32);
    if (n.alerts.length) {
      el('circle', { cx: NW, cy: 0, r: 7, fill: '#d00000' }, g);
      var c = el('text', { x: NW - 3, y: 4, fill: '#fff' }, g);
      c.textContent = String(n.alerts.length);
      c.setAttribute('style', 'fill:#fff;font-size:9px;font-weight:700');
    }
    var tt = document.createElementNS(SVGNS, 'title');
    tt.textContent = label;
    g.appendChild(tt);
    g.addEventListener('click', function (ev) { ev.stopPropagation(); select(n.id); });
    nodeEls.set(n.id, g);
  });

  // ---- pan and zoom
  var view = { x: 20, y: 20, k: 1 };
  function apply() { viewport.setAttribute('transform', 'translate(' + view.x + ',' + view.y + ') scale(' + view.k + ')'); }
  function fit() {
    var w = svg.clientWidth || 800, h = svg.clientHeight || 600;
    var maxX = 0, maxY = 0;
    pos.forEach(function (p) { maxX = Math.max(maxX, p.x + NW); maxY = Math.max(maxY, p.y + NH); });
    var k = Math.min(1.5, (w - 40) / Math.max(1, maxX), (h - 40) / Math.max(1, maxY));
    view = { x: 20, y: 20, k: Math.max(0.05, k) };
    apply();
  }
  svg.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    var r = svg.getBoundingClientRect(), mx = ev.clientX - r.left, my = ev.clientY - r.top;
    var f = Math.exp(-ev.deltaY * 0.0015), k = Math.min(8, Math.max(0.03, view.k * f));
    view.x = mx - (mx - view.x) * (k / view.k);
    view.y = my - (my - view.y) * (k / view.k);
    view.k = k;
    apply();
  }, { passive: false });
  var drag = null;
  svg.addEventListener('mousedown', function (ev) { drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y }; svg.classList.add('dragging'); });
  window.addEventListener('mousemove', function (ev) {
    if (!drag) return;
    view.x = drag.vx + ev.clientX - drag.x;
    view.y = drag.vy + ev.clientY - drag.y;
    apply();
  });
  window.addEventListener('mouseup', function () { drag = null; svg.classList.remove('dragging'); });
  document.getElementById('fit').addEventListener('click', fit);

  // ---- details panel
  var details = document.getElementById('details');
  function fmtTime(ns) {
    if (ns === null || ns === undefined) return '';
    var b = BigInt(ns), ms = Number(b / 1000000n);
    var frac = (b % 1000000000n).toString().padStart(9, '0');
    return new Date(ms).toISOString().slice(0, 19) + '.' + frac + 'Z';
  }
  function kvTable(obj, keys) {
    var table = document.createElement('table');
    table.className = 'kv';
    keys.forEach(function (k) {
      if (!(k in obj)) return;
      var v = obj[k];
      if (v === null || v === '' || (Array.isArray(v) && v.length === 0)) return;
      var tr = table.insertRow();
      tr.insertCell().textContent = k;
      tr.insertCell().textContent = k === 'start' || k === 'end' || k === 'time' ? fmtTime(v) : Array.isArray(v) ? v.join(', ') : String(v);
    });
    return table;
  }
  function alertBox(a) {
    var d = document.createElement('div');
    d.className = 'alert-item';
    var r = document.createElement('div');
    r.className = 'rule';
    r.textContent = a.rule + ' (' + a.priority + ')';
    d.appendChild(r);
    var o = document.createElement('div');
    o.textContent = a.output;
    d.appendChild(o);
    var tags = document.createElement('div');
    a.tags.forEach(function (t) {
      var s = document.createElement('span');
      s.className = 'tag' + (a.mitre.indexOf(t.toUpperCase()) >= 0 ? ' mitre' : '');
      s.textContent = t;
      tags.appendChild(s);
    });
    d.appendChild(tags);
    var g = document.createElement('div');
    g.className = 'muted';
    g.textContent = 'graphlet ' + a.graphlet;
    d.appendChild(g);
    d.addEventListener('click', function () { if (a.nodes[0]) select(a.nodes[0]); });
    return d;
  }
  var selected = null;
  var KEYS = ['kind', 'label', 'pid', 'exe', 'args', 'user', 'uid', 'gid', 'container', 'cwd', 'exitCode', 'ops',
    'path', 'restype', 'foid', 'proto', 'ip', 'port', 'role', 'containerId', 'name', 'image', 'runtime', 'privileged',
    'pod', 'podId', 'namespace', 'nodeName', 'count', 'start', 'end', 'graphlet', 'oid'];
  function select(id) {
    var n = byId.get(id);
    if (!n) return;
    if (selected) nodeEls.get(selected).classList.remove('selected');
    selected = id;
    nodeEls.get(id).classList.add('selected');
    details.textContent = '';
    var h = document.createElement('h2');
    h.textContent = n.kind + ' ' + n.label;
    details.appendChild(h);
    details.appendChild(kvTable(n, KEYS));
    if (n.alerts.length) {
      var ah = document.createElement('h2');
      ah.textContent = 'Alerts';
      details.appendChild(ah);
      n.alerts.forEach(function (aid) { var a = alertsById.get(aid); if (a) details.appendChild(alertBox(a)); });
    }
    var conn = edges.filter(function (e) { return e.source === id || e.target === id; });
    if (conn.length) {
      var eh = document.createElement('h2');
      eh.textContent = 'Edges (' + conn.length + ')';
      details.appendChild(eh);
      var t = document.createElement('table');
      t.className = 'kv';
      conn.slice(0, 200).forEach(function (e) {
        var other = byId.get(e.source === id ? e.target : e.source);
        var tr = t.insertRow();
        tr.insertCell().textContent = (e.source === id ? '\u2192 ' : '\u2190 ') + e.kind;
        tr.insertCell().textContent = (other ? other.label : '') + (e.ops.length ? ' [' + e.ops.join('|') + ']' : '') +
          (e.bytesIn || e.bytesOut ? ' r=' + e.bytesIn + 'B w=' + e.bytesOut + 'B' : '');
      });
      details.appendChild(t);
    }
    if (n.kind === 'process') {
      var series = DATA.traffic.filter(function (s) { var p = byId.get(s.process); return s.process === id || (p && p.oid === n.oid); })[0];
      if (series) drawTraffic(series);
    }
  }

  // ---- traffic plot
  var trafficSvg = document.getElementById('traffic');
  var trafficInfo = document.getElementById('traffic-info');
  function drawTraffic(s) {
    trafficSvg.textContent = '';
    var W = 356, H = 160, mid = H / 2, n = Math.max(1, s.ingress.length);
    trafficSvg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    var max = 1;
    for (var i = 0; i < n; i++) max = Math.max(max, s.ingress[i] || 0, s.egress[i] || 0);
    var bw = W / n;
    el('line', { x1: 0, y1: mid, x2: W, y2: mid, stroke: '#9aa3ae' }, trafficSvg);
    for (var j = 0; j < n; j++) {
      var hin = ((s.ingress[j] || 0) / max) * (mid - 4), hout = ((s.egress[j] || 0) / max) * (mid - 4);
      if (hin > 0) el('rect', { class: 'bar-in', x: j * bw, y: mid - hin, width: Math.max(1, bw - 1), height: hin, fill: '#1f6fb2' }, trafficSvg);
      if (hout > 0) el('rect', { class: 'bar-out', x: j * bw, y: mid, width: Math.max(1, bw - 1), height: hout, fill: '#e07b00' }, trafficSvg);
    }
    var lt = el('text', { x: 4, y: 12, style: 'font-size:10px;fill:#1f6fb2' }, trafficSvg);
    lt.textContent = 'ingress ' + s.totalIn + ' B';
    var lb = el('text', { x: 4, y: H - 4, style: 'font-size:10px;fill:#e07b00' }, trafficSvg);
    lb.textContent = 'egress ' + s.totalOut + ' B';
    var p = s.periodicity;
    trafficInfo.textContent = '';
    var line = document.createElement('div');
    line.textContent = s.label + ': ' + s.flows.length + ' flows, periodicity ' + p.score.toFixed(2) +
      ' (cv ' + (p.cv === null ? '\u2013' : p.cv.toFixed(2)) + ', acf ' + p.autocorrelation.toFixed(2) +
      (p.period ? ', period ' + p.period.toFixed(2) + ' s' : '') + ')';
    trafficInfo.appendChild(line);
    if (p.beaconing) {
      var b = document.createElement('div');
      b.className = 'beacon';
      b.textContent = 'beaconing suspected';
      trafficInfo.appendChild(b);
    }
  }
  if (DATA.traffic.length) drawTraffic(DATA.traffic[0]);
  else trafficInfo.textContent = 'No network flows in this graph.';

  // ---- alert list
  var alertList = document.getElementById('alerts');
  if (DATA.alerts.length === 0) alertList.textContent = 'No alerts.';
  DATA.alerts.slice(0, 500).forEach(function (a) { alertList.appendChild(alertBox(a)); });

  fit();
  document.body.dataset.nodes = String(nodeEls.size);
  document.body.dataset.ready = '1';
})();
`;

/**
 * One self-contained HTML file: the graph's JSON inline, a small SVG renderer (layered tree layout,
 * pan by drag, zoom by wheel, click a node for its details and alerts, alerts in red, the traffic plot
 * of the selected process with its periodicity score). No external scripts, styles, fonts or fetches.
 */
export function exportHtml(pg: ProvenanceGraph, options: HtmlExportOptions = {}): string {
  const data = graphToJSON(pg, options);
  const title = options.title ?? `sysray graph${pg.meta.filename ? ` — ${pg.meta.filename}` : ''}`;
  const stats = `${pg.graph.order} nodes · ${pg.graph.size} edges · ${pg.alerts.length} alerts · ${pg.graphlets.length} graphlets`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<div id="app">
<header><h1>${escapeHtml(title)}</h1><span class="stat">${escapeHtml(stats)}</span><button id="fit" type="button">Fit</button></header>
<div id="canvas"><svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="provenance graph"></svg></div>
<aside>
<h2>Details</h2><div id="details" class="muted">Click a node.</div>
<h2>Traffic</h2><svg id="traffic" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 356 160"></svg><div id="traffic-info"></div>
<h2>Alerts</h2><div id="alerts"></div>
</aside>
</div>
<script type="application/json" id="graph-data">${scriptSafeJSON(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
