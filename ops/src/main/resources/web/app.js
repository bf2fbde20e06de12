// The live page: Server-Sent Events from /events fill the charts and tables.
// Plain script, no build step; the charts are uPlot's (served from the same jar).
"use strict";

const COLORS = ["#2456c7", "#d9480f", "#2b8a3e", "#862e9c", "#c2255c", "#0b7285", "#5f3dc4", "#e67700"];
let windowS = 15 * 60;              // seconds of history the charts keep (web.history-minutes)
const MAX_METRICS = 50000;
const metrics = [];                // charted dashboard metrics, oldest first
const marks = [];                  // {t, model, version, kind: "serving" | "published"}
const servingSeen = {};            // model -> last serving version seen in throughput
let tables = null;
let dirty = false;
const charts = {};

const $ = (id) => document.getElementById(id);
const fmtTime = (ms) => new Date(ms).toLocaleTimeString();
const fmt = (v, d) => (v === null || v === undefined ? "–" : Number(v).toFixed(d));
let names = [];                    // the models, recomputed once per render
const colorOf = (model) => COLORS[Math.max(0, names.indexOf(model)) % COLORS.length];
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => (k === "class" ? (e.className = v) : e.setAttribute(k, v)));
  children.forEach((c) => e.append(c === null || c === undefined ? "" : c));
  return e;
}

function modelNames() {
  const set = new Set();
  metrics.forEach((m) => m.model && (m.metric === "throughput" || m.metric === "accuracy" || m.metric.startsWith("prequential")) && set.add(m.model));
  return [...set].sort();
}

// a window written again (a later revision, with the records that came late) replaces its
// earlier revision: the charts sum versions per window, never revisions
function accept(m) {
  const same = m.revision > 0 ? metrics.findIndex((o) => o.metric === m.metric && o.model === m.model
    && o.version === m.version && o.label === m.label && o.start === m.start && o.end === m.end) : -1;
  if (same >= 0 && metrics[same].revision >= m.revision) return;
  if (same >= 0) metrics[same] = m; else metrics.push(m);
  if (m.metric === "throughput" && m.version !== undefined) {
    const last = servingSeen[m.model];
    if (last === undefined || m.version > last) {
      if (last !== undefined) marks.push({ t: m.start / 1000, model: m.model, version: m.version, kind: "serving" });
      servingSeen[m.model] = m.version;
    }
  }
  if (m.metric === "model_version") {
    marks.push({ t: m.ts / 1000, model: m.model, version: m.value, kind: "published" });
  }
  dirty = true;
}

// by the wall clock: a record with a strange time must not empty (or keep) the charts
function trim() {
  const oldest = Date.now() / 1000 - windowS;
  if (metrics.length > MAX_METRICS) metrics.splice(0, metrics.length - MAX_METRICS);
  while (metrics.length && metrics[0].ts / 1000 < oldest) metrics.shift();
  while (marks.length && marks[0].t < oldest) marks.shift();
}

// x values shared by every series of a chart; y: model -> Map(x -> value)
function aligned(series) {
  const xs = new Set();
  Object.values(series).forEach((byX) => byX.forEach((_, x) => xs.add(x)));
  const x = [...xs].sort((a, b) => a - b);
  const names = Object.keys(series).sort();
  return { names, data: [x, ...names.map((n) => x.map((t) => (series[n].has(t) ? series[n].get(t) : null)))] };
}

function marksPlugin(kind) {
  return {
    hooks: {
      draw: [(u) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.setLineDash([4, 4]);
        ctx.font = `${11 * devicePixelRatio}px system-ui`;
        marks.filter((mk) => mk.kind === kind).forEach((mk) => {
          const x = u.valToPos(mk.t, "x", true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
          ctx.strokeStyle = colorOf(mk.model);
          ctx.fillStyle = colorOf(mk.model);
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.fillText(`${mk.model} v${mk.version}`, x + 3, u.bbox.top + 12 * devicePixelRatio);
        });
        ctx.restore();
      }],
    },
  };
}

function draw(id, names, data, opts) {
  const box = $(id);
  const key = id + ":" + names.join(",") + ":" + (opts.key || "");
  const width = Math.max(300, box.clientWidth || box.parentElement.clientWidth - 30);
  if (!charts[id] || charts[id].key !== key) {
    if (charts[id]) charts[id].plot.destroy();
    const series = [{}].concat(names.map((n, i) => ({
      label: opts.labels ? opts.labels[i] : n,
      stroke: opts.colors ? opts.colors[i] : colorOf(n),
      width: 1.5,
      points: { size: 5 },
      dash: opts.dashes ? opts.dashes[i] : undefined,
      spanGaps: true,
      value: (u, v) => (v === null ? "–" : v.toFixed(opts.digits || 0)),
    })));
    const plot = new uPlot({
      width, height: 220, series,
      scales: { x: { time: true }, y: opts.range ? { range: opts.range } : opts.log ? { distr: 3 } : {} },
      axes: [{ space: 90 }, { size: 55 }],
      plugins: opts.marks ? [marksPlugin(opts.marks)] : [],
    }, data, box);
    charts[id] = { plot, key };
  } else {
    charts[id].plot.setData(data);
  }
  box.dataset.points = String(data[0].length);
}

function render() {
  if (!dirty) return;
  dirty = false;
  trim();
  names = modelNames();
  const throughput = {};
  const latency = {};
  const accuracy = {};
  for (const m of metrics) {
    const x = m.end / 1000;
    if (m.metric === "throughput") {
      const s = (throughput[m.model] ||= new Map());
      s.set(x, (s.get(x) || 0) + m.value);
    } else if (m.metric === "latency_ms") {
      const s = (latency[m.model] ||= new Map());
      const prev = s.get(x);
      if (!prev || m.count > prev.count) s.set(x, m);
    } else if (m.metric === "accuracy" && m.value !== null) {
      // every version's joined scores of a window, weighted by their counts
      const s = (accuracy[m.model + " served"] ||= new Map());
      const prev = s.get(x) || { right: 0, count: 0 };
      s.set(x, { right: prev.right + m.value * m.count, count: prev.count + m.count });
    } else if (m.metric === "prequential_accuracy") {
      (accuracy[m.model + " prequential"] ||= new Map()).set(m.ts / 1000, m.value);
    }
  }
  Object.values(accuracy).forEach((s) => s.forEach((v, x) => {
    if (v !== null && typeof v === "object") s.set(x, v.count > 0 ? v.right / v.count : null);
  }));
  const any = metrics.length > 0;
  $("empty").hidden = any;
  if (Object.keys(throughput).length) {
    $("throughput-panel").hidden = false;
    const t = aligned(throughput);
    draw("throughput", t.names, t.data, { marks: "serving", digits: 1 });
  }
  const latencyModels = Object.keys(latency).sort();
  if (latencyModels.length) {
    $("latency-panel").hidden = false;
    const select = $("latency-model");
    if (select.options.length !== latencyModels.length) {
      const keep = select.value;
      select.replaceChildren(...latencyModels.map((n) => el("option", { value: n }, n)));
      if (latencyModels.includes(keep)) select.value = keep;
    }
    const chosen = latency[select.value] || latency[latencyModels[0]];
    const q = {};
    ["p50", "p95", "p99"].forEach((p) => (q[p] = new Map([...chosen].map(([x, m]) => [x, m[p]]))));
    q.max = new Map([...chosen].map(([x, m]) => [x, m.value]));
    const names = ["p50", "p95", "p99", "max"];
    const x = [...chosen.keys()].sort((a, b) => a - b);
    // a log scale: a backlog's seconds and a steady state's milliseconds both stay readable
    const floor = (v) => (v === null || v === undefined ? null : Math.max(1, v));
    draw("latency", names, [x, ...names.map((n) => x.map((t) => floor(q[n].get(t))))], {
      key: select.value, colors: ["#2b8a3e", "#e67700", "#c92a2a", "#adb5bd"], digits: 0, log: true,
    });
  }
  if (Object.keys(accuracy).length) {
    $("accuracy-panel").hidden = false;
    const a = aligned(accuracy);
    draw("accuracy", a.names, a.data, {
      marks: "published", digits: 3, range: [0, 1],
      colors: a.names.map((n) => colorOf(n.split(" ")[0])),
      dashes: a.names.map((n) => (n.endsWith("prequential") ? [2, 3] : undefined)),
    });
  }
}

function renderTables() {
  if (!tables) return;
  const dropped = $("dropped");
  const late = tables.droppedLate > 0 ? `${tables.droppedLate} late records left out of the aggregates (dashboard.grace-ms)` : "";
  const bad = tables.undecodable > 0 ? `${tables.undecodable} undecodable records left out (see the log)` : "";
  dropped.hidden = !(late || bad);
  dropped.textContent = [late, bad].filter((t) => t).join(" · ");
  const models = tables.models.filter((r) => r.serving !== null || r.published !== null);
  $("models-panel").hidden = models.length === 0;
  $("models").tBodies[0].replaceChildren(...models.map((r) => el("tr", { "data-model": r.model },
    el("td", {}, r.model),
    el("td", { class: "serving num" }, r.serving === null ? "–" : "v" + r.serving),
    el("td", { class: "published num" }, r.published === null ? "–" : "v" + r.published),
    el("td", { class: "pinned num" }, r.pinned === null || r.pinned === undefined ? "–" : "v" + r.pinned),
    el("td", { class: "candidate num" }, r.candidate === null || r.candidate === undefined ? "–" : "v" + r.candidate),
    el("td", { class: "num" }, String(r.heldBack)),
    el("td", { class: "num" }, String(r.drifts)),
    el("td", { class: "num" }, fmt(r.servedAccuracy, 3)),
    el("td", { class: "num" }, r.prequential === null ? "–" : fmt(r.prequential, 3) + (r.prequentialMetric.endsWith("error") ? " err" : "")),
    el("td", { class: "num" }, `${fmt(r.p50, 0)} / ${fmt(r.p95, 0)} / ${fmt(r.p99, 0)}`),
    el("td", { class: "num" }, String(r.scores)))));

  const lifecycle = tables.lifecycle || [];
  $("lifecycle-panel").hidden = lifecycle.length === 0;
  $("lifecycle").tBodies[0].replaceChildren(...lifecycle.map((e) => el("tr", { "data-kind": e.kind },
    el("td", {}, fmtTime(e.ts)), el("td", {}, e.model), el("td", {}, el("code", {}, e.kind)),
    el("td", { class: "num" }, e.version === undefined ? "–" : "v" + e.version),
    el("td", {}, e.reason), el("td", {}, e.actor))));

  $("dead-letters-panel").hidden = tables.deadLetters.length === 0;
  $("dead-letters").tBodies[0].replaceChildren(...tables.deadLetters.map((d) => el("tr", { "data-reason": d.reason },
    el("td", {}, d.stage), el("td", {}, el("code", {}, d.reason)), el("td", { class: "num" }, String(d.count)))));
  $("dead-letter-examples").replaceChildren(...tables.recentDeadLetters.map((d) => el("li", { "data-reason": d.reason },
    fmtTime(d.ts) + " ", el("code", {}, d.reason), ` (${d.stage}) ${d.message} — ${d.source}` + (d.partition >= 0 ? `@${d.partition}:${d.offset}` : ""))));

  $("anomalies-panel").hidden = tables.anomalies.length === 0;
  $("anomalies").tBodies[0].replaceChildren(...tables.anomalies.slice(0, 20).map((a) => el("tr", {},
    el("td", {}, fmtTime(a.ts)), el("td", {}, `${a.model} v${a.version}`), el("td", {}, a.series || a.eventId),
    el("td", { class: "num" }, fmt(a.score, 3)), el("td", { class: "num" }, fmt(a.threshold, 3)))));

  const recs = Object.entries(tables.recommendations);
  $("recs-panel").hidden = recs.length === 0;
  $("recs-counts").textContent = recs.map(([basis, n]) => `${basis}: ${n}`).join(" · ");
}

async function lookUp(event) {
  event.preventDefault();
  const user = $("recs-user").value.trim();
  const out = $("recs-result");
  if (!user) return;
  out.textContent = "…";
  try {
    const r = await fetch("/recommendations/" + encodeURIComponent(user));
    const body = await r.json();
    if (!r.ok) { out.textContent = body.error || r.statusText; return; }
    if (!body.items || body.items.length === 0) { out.textContent = "no recommendations for " + user + " yet"; return; }
    out.replaceChildren(
      el("div", { class: "hint" }, `basis ${body.basis}, model v${body.modelVersion}, embeddings v${body.embeddingVersion}, ${fmtTime(body.ts)}`),
      el("ol", {}, ...body.items.map((i) => el("li", {}, `${i.itemId} `, el("span", { class: "hint" }, fmt(i.score, 3))))));
  } catch (e) {
    out.textContent = "lookup failed: " + e;
  }
}

function connect() {
  const status = $("status");
  const source = new EventSource("/events");
  let events = 0;
  const seen = () => { events++; status.textContent = `live · ${events} updates · ${new Date().toLocaleTimeString()}`; };
  source.onopen = () => { status.className = "status up"; status.textContent = "live"; };
  source.onerror = () => {
    status.className = "status down";
    status.textContent = "disconnected, retrying…";
    if (source.readyState === EventSource.CLOSED) {  // refused (e.g. too many pages): try again later
      setTimeout(connect, 5000);
    }
  };
  source.addEventListener("history", (e) => {
    metrics.length = 0; marks.length = 0;
    Object.keys(servingSeen).forEach((k) => delete servingSeen[k]);
    JSON.parse(e.data).forEach(accept);
    seen();
  });
  source.addEventListener("metric", (e) => { accept(JSON.parse(e.data)); seen(); });
  source.addEventListener("tables", (e) => {
    tables = JSON.parse(e.data);
    if (tables.historyMinutes > 0) windowS = tables.historyMinutes * 60;
    renderTables();
    seen();
  });
  source.addEventListener("deadLetter", seen);
  source.addEventListener("anomaly", seen);
  source.addEventListener("lifecycle", seen);
}

$("recs-form").addEventListener("submit", lookUp);
$("latency-model").addEventListener("change", () => { dirty = true; });
window.addEventListener("resize", () => { Object.values(charts).forEach((c) => c.plot.destroy()); Object.keys(charts).forEach((k) => delete charts[k]); dirty = true; });
setInterval(render, 500);
connect();
