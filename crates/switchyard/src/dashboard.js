// The `switchyard run --http` dashboard: polls api/stats every second and redraws the page.
//
// Keys, reasons and topic names come from records, so data only ever reaches the page as text
// (textContent, setAttribute): never as HTML.
"use strict";

(function () {
  const POLL_MS = 1000;
  const SVG = "http://www.w3.org/2000/svg";
  const number = new Intl.NumberFormat("en-US");
  const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

  const byId = (id) => document.getElementById(id);
  const setText = (id, text) => {
    byId(id).textContent = text;
  };
  const count = (n) => (typeof n === "number" ? number.format(n) : "–");
  const rate = (r) => (typeof r === "number" ? decimal.format(r) + "/s" : "–");
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);

  function duration(seconds) {
    if (typeof seconds !== "number" || !isFinite(seconds)) return "–";
    if (seconds < 0.001) return (seconds * 1e6).toFixed(0) + " µs";
    if (seconds < 1) return (seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1) + " ms";
    return seconds.toFixed(2) + " s";
  }

  function uptime(seconds) {
    const s = Math.floor(seconds);
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    const pad = (x) => String(x).padStart(2, "0");
    if (d > 0) return `${d}d ${h}h ${pad(m)}m`;
    if (h > 0) return `${h}h ${pad(m)}m ${pad(s % 60)}s`;
    if (m > 0) return `${m}m ${pad(s % 60)}s`;
    return `${s}s`;
  }

  function ago(seconds) {
    if (seconds < 60) return `${Math.max(0, Math.round(seconds))}s ago`;
    if (seconds < 3600) return `${Math.round(seconds / 60)}m ago`;
    return `${Math.round(seconds / 3600)}h ago`;
  }

  // One table cell; `cls` styles it, `title` shows the full text on hover.
  function cell(text, cls, title) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    if (title) td.setAttribute("title", title);
    return td;
  }

  // Replace a table's body with `rows` (arrays of cells), or one line saying `empty`.
  function fill(tableId, rows, empty, attrs) {
    const body = byId(tableId).tBodies[0];
    const columns = byId(tableId).tHead.rows[0].cells.length;
    if (rows.length === 0) {
      const tr = document.createElement("tr");
      const td = cell(empty, "empty");
      td.colSpan = columns;
      tr.append(td);
      body.replaceChildren(tr);
      return;
    }
    body.replaceChildren(
      ...rows.map((cells, i) => {
        const tr = document.createElement("tr");
        for (const [k, v] of Object.entries((attrs && attrs[i]) || {})) tr.setAttribute(k, String(v));
        tr.append(...cells);
        return tr;
      })
    );
  }

  function short(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  function sparkline(history) {
    const svg = byId("spark");
    const ins = (history && history.records_in_per_second) || [];
    const outs = (history && history.records_out_per_second) || [];
    const peak = Math.max(1, ...ins, ...outs);
    const [w, h] = [600, 90];
    const slots = Math.max(ins.length, outs.length, 2) - 1;
    const line = (values, cls) => {
      const pl = document.createElementNS(SVG, "polyline");
      const points = values.map((v, i) => {
        const x = (i / slots) * w;
        const y = h - 2 - (v / peak) * (h - 4);
        return `${x.toFixed(1)},${y.toFixed(1)}`;
      });
      pl.setAttribute("points", points.join(" "));
      pl.setAttribute("class", cls);
      return pl;
    };
    svg.replaceChildren(line(ins, "in"), line(outs, "out"));
    setText("spark-out", outs.length ? rate(outs[outs.length - 1]) : "–");
    setText("spark-in", ins.length ? rate(ins[ins.length - 1]) : "–");
    setText("spark-peak", ins.length || outs.length ? rate(Math.max(...ins, ...outs)) : "–");
  }

  function render(s) {
    const now = s.started_at + s.uptime_seconds;
    setText("uptime", uptime(s.uptime_seconds));
    const status = byId("status");
    status.textContent = s.ready === false ? "starting" : "running";
    status.className = "status " + (s.ready === false ? "warn" : "ok");

    const sources = s.sources || [];
    setText("total-in", count(sum(sources.map((x) => x.records_in))));
    setText("rate-in", rate(sum(sources.map((x) => x.rate))));
    const outs = s.records_out || [];
    setText("total-out", count(sum(outs.map((x) => x.count))));
    setText("rate-out", rate(sum(outs.map((x) => x.rate))));

    const dead = s.dead_letters || [];
    const deadTotal = sum(dead.map((x) => x.count));
    setText("total-dlq", count(deadTotal));
    byId("card-dlq").classList.toggle("alert", deadTotal > 0);
    const skipped = sum(Object.values(s.skipped || {}));
    const ignored = sum(Object.values(s.ignored || {}));
    setText("other-outcomes", `${count(skipped)} skipped · ${count(ignored)} ignored · ${count(s.retries)} retries`);

    const c = s.commit_latency || {};
    setText("commits", count(s.commits));
    setText(
      "commit-latency",
      c.count ? `last ${duration(c.last_seconds)} · mean ${duration(c.mean_seconds)} · max ${duration(c.max_seconds)}` : "no commit yet"
    );

    const cache = s.registry_cache;
    if (cache) {
      const lookups = cache.hits + cache.misses;
      setText("cache", lookups ? `${decimal.format((100 * cache.hits) / lookups)}%` : "–");
      setText(
        "cache-detail",
        `${count(cache.hits)} hits · ${count(cache.misses)} misses · ${count(cache.entries)}/${count(cache.capacity)} held`
      );
    } else {
      setText("cache", "–");
      setText("cache-detail", "no registry configured");
    }

    const lag = s.lag || [];
    setText("total-lag", lag.length ? count(sum(lag.map((x) => x.lag))) : "–");

    sparkline(s.throughput);

    fill(
      "statements",
      outs.map((r) => [
        cell(String(r.statement), "num"),
        cell(r.source || "–", "mono"),
        cell(r.sink, "mono"),
        cell(count(r.records_in), "num in"),
        cell(count(r.count), "num out"),
        cell(count(r.filtered), "num filtered"),
        cell(rate(r.rate), "num rate"),
      ]),
      "no statement has run yet",
      outs.map((r) => ({ "data-statement": r.statement }))
    );
    fill(
      "dead-letters",
      dead.map((d) => [cell(d.stage), cell(d.code, "code"), cell(count(d.count), "num")]),
      "none"
    );
    fill(
      "lag",
      lag.map((l) => [cell(l.topic, "mono"), cell(String(l.partition), "num"), cell(count(l.lag), "num")]),
      "not measured yet"
    );
    fill(
      "recent",
      (s.recent_dead_letters || []).map((d) => [
        cell(ago(now - d.time), "num", new Date(d.time * 1000).toISOString()),
        cell(d.stage),
        cell(d.code, "code"),
        cell(short(d.key || "(no key)", 60), "mono key", d.key),
        cell(d.message, "reason"),
        cell(d.source, "mono"),
      ]),
      "none"
    );
    setText("updated", new Date().toLocaleTimeString());
  }

  function trouble(text) {
    const status = byId("status");
    status.textContent = text;
    status.className = "status bad";
  }

  async function poll() {
    let stats = null;
    try {
      const response = await fetch("api/stats", { cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      stats = await response.json();
    } catch (e) {
      trouble(`disconnected (${e.message})`);
    }
    try {
      if (stats) render(stats);
    } catch (e) {
      trouble(`cannot show the data (${e.message})`);
    }
    setTimeout(poll, POLL_MS);
  }

  poll();
})();
