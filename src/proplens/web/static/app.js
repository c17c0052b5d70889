/* proplens web page: a small single-page app over the REST API (/api/v1).
 *
 * Security: article text, titles, sources and URLs are untrusted. They are only ever put into
 * the page with textContent / createTextNode / setAttribute of non-URL attributes; links are
 * built only from http(s) URLs. There is no innerHTML anywhere in this file. The server also
 * sends a strict Content-Security-Policy (script-src 'self', no inline script).
 *
 * Offsets: the API gives Python str offsets (Unicode code points). JavaScript strings are UTF-16,
 * so every offset goes through a code point -> UTF-16 map before slicing (emoji take 2 units).
 *
 * Paragraph notes (the model's paragraph view, "¶3 Name calling 40%") sit inside #article but hold no
 * text node: their words are CSS generated content (attr(data-text)), so #article's textContent stays
 * exactly the analysed text and every highlight keeps its offsets.
 */
"use strict";

(function () {
  const API = "/api/v1";
  const app = document.getElementById("app");
  let TECH = null; // id -> technique
  let TECH_LIST = [];

  // ------------------------------------------------------------------ DOM helpers
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === "class") el.className = v;
        else if (k === "text") el.textContent = v;
        else if (k === "style") Object.assign(el.style, v);
        else if (k === "dataset") Object.assign(el.dataset, v);
        else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
        else if (k === "href") { const u = safeHref(v); if (u) el.setAttribute("href", u); }
        else el.setAttribute(k, v === true ? "" : String(v));
      }
    }
    append(el, children);
    return el;
  }
  function append(el, children) {
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  const SVGNS = "http://www.w3.org/2000/svg";
  function s(tag, attrs, ...children) {
    const el = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") el.textContent = v;
      else el.setAttribute(k, String(v));
    }
    for (const c of children.flat(Infinity)) if (c) el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    return el;
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }
  function safeHref(u) {
    if (typeof u !== "string") return null;
    if (u.startsWith("#/") || u.startsWith("/api/") || u === "/docs") return u;
    try {
      const x = new URL(u);
      if (x.protocol === "http:" || x.protocol === "https:") return x.href;
    } catch (e) { /* not a URL */ }
    return null;
  }
  function toast(msg) {
    const t = document.getElementById("toast");
    t.textContent = msg; t.hidden = false;
    clearTimeout(toast._t); toast._t = setTimeout(() => { t.hidden = true; }, 3500);
  }
  function clip(t, n) { const cps = Array.from(t); return cps.length > n ? cps.slice(0, n - 1).join("") + "…" : t; }
  function pct(x) { return Math.round((x || 0) * 100) + "%"; }
  function rgba(hex, a) {
    const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || "");
    if (!m) return "rgba(255,196,0," + a + ")";
    return "rgba(" + parseInt(m[1], 16) + "," + parseInt(m[2], 16) + "," + parseInt(m[3], 16) + "," + a + ")";
  }
  function heat(x) {
    x = Math.max(0, Math.min(1, x || 0));
    // pale grey-blue -> amber -> deep red
    const stops = [[236, 240, 245], [255, 196, 87], [214, 40, 40]];
    const [a, b, t] = x < 0.5 ? [stops[0], stops[1], x / 0.5] : [stops[1], stops[2], (x - 0.5) / 0.5];
    const c = a.map((v, i) => Math.round(v + (b[i] - v) * t));
    return "rgb(" + c.join(",") + ")";
  }
  function fmtDate(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    if (isNaN(d)) return String(iso);
    return d.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }
  function fmtDay(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    return isNaN(d) ? String(iso) : d.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
  }

  // ------------------------------------------------------------------ API
  async function api(path, opts) {
    let res;
    try {
      res = await fetch(API + path, opts);
    } catch (e) {
      throw new Error("The server cannot be reached. Is `proplens serve` running?");
    }
    if (res.status === 204) return null;
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    if (!res.ok) {
      const msg = body && body.error ? body.error.message : "The server answered HTTP " + res.status + ".";
      const err = new Error(msg); err.status = res.status; throw err;
    }
    return body;
  }
  // A long analysis answers 202 with a job: poll it, show its progress in `box`, offer to cancel it.
  // Resolves to the stored analysis id; rejects with the job's error (or when it is cancelled).
  async function followJob(job, box, btn) {
    const fill = h("div", { class: "fill" });
    const bar = h("div", { class: "jobbar", id: "job-progress", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": "0" }, fill);
    const label = h("div", { class: "muted small", id: "job-status" });
    const cancel = h("button", { class: "btn", type: "button", id: "job-cancel", text: "Cancel", onclick: async () => {
      cancel.disabled = true;
      try { await api("/jobs/" + encodeURIComponent(job.id), { method: "DELETE" }); } catch (e) { toast(e.message); }
    } });
    clear(box).append(label, bar, h("div", { class: "actions", style: { marginTop: "8px" } }, cancel));
    box.hidden = false;
    for (;;) {
      const p = job.progress || {};
      const pc = Math.round(100 * (p.fraction || 0));
      fill.style.width = pc + "%";
      bar.setAttribute("aria-valuenow", String(pc));
      label.textContent = job.status === "queued" ? "Waiting for a free worker…"
        : job.status === "cancelling" ? "Cancelling…"
        : p.total && p.done >= p.total ? "Finding sources and scoring sentences…"
        : `Analyzing a long article (${Number(job.n_chars).toLocaleString()} characters): ${pc}%`;
      clear(btn).append(h("span", { class: "spinner" }), job.status === "queued" ? "Waiting…" : `Analyzing… ${pc}%`);
      if (job.status === "done") return job.analysis_id;
      if (job.status === "failed") throw new Error(job.error ? job.error.message : "The analysis failed.");
      if (job.status === "cancelled") throw new Error("The analysis was cancelled.");
      await new Promise((r) => setTimeout(r, 600));
      job = await api("/jobs/" + encodeURIComponent(job.id));
    }
  }
  async function techniques() {
    if (!TECH) {
      TECH_LIST = await api("/techniques");
      TECH = Object.fromEntries(TECH_LIST.map((t) => [t.id, t]));
    }
    return TECH;
  }

  // ------------------------------------------------------------------ offsets
  /** cp2u[i] = UTF-16 index of code point i (length n+1). */
  function codepointMap(text) {
    const map = [0];
    let u = 0;
    for (const ch of text) { u += ch.length; map.push(u); }
    return map;
  }

  /** The analysis's paragraphs (API "paragraphs") with their number among the text's non-blank lines and
   * `at`, the code point offset of their note: after the paragraph's last non-space character. */
  function numberedParagraphs(text, cp2u, paragraphs) {
    const starts = [];  // code point offset of each non-blank line
    let cp = 0;
    for (const line of text.split("\n")) {
      if (line.trim()) starts.push(cp);
      cp += Array.from(line).length + 1;
    }
    const n = cp2u.length - 1;
    const isSpace = (i) => /^\s$/.test(text.slice(cp2u[i], cp2u[i + 1]));
    return paragraphs.filter((p) => 0 <= p.start && p.start < p.end && p.end <= n && (p.techniques || []).length)
      .map((p) => {
        let at = p.end;
        while (at > p.start && isSpace(at - 1)) at--;
        return { ...p, number: Math.max(1, starts.filter((st) => st <= p.start).length), at };
      })
      .sort((x, y) => x.start - y.start);
  }

  /** Cut [0, n) at every span boundary (and at each of `extra`); each segment lists covering span indices,
   * best score first. */
  function segments(n, spans, extra) {
    const cuts = new Set([0, n]);
    spans.forEach((sp) => { cuts.add(sp.start); cuts.add(sp.end); });
    (extra || []).forEach((x) => cuts.add(x));
    const pts = Array.from(cuts).filter((x) => x >= 0 && x <= n).sort((a, b) => a - b);
    const out = [];
    for (let i = 0; i + 1 < pts.length; i++) {
      const a = pts[i], b = pts[i + 1];
      const cover = [];
      spans.forEach((sp, j) => { if (sp.start <= a && sp.end >= b) cover.push(j); });
      cover.sort((x, y) => spans[y].score - spans[x].score);
      out.push({ start: a, end: b, cover });
    }
    return out;
  }

  // ------------------------------------------------------------------ charts
  function barChart(items, { width = 320, barH = 18, gap = 7, label = 150, fmt = (v) => String(v) } = {}) {
    const max = Math.max(1, ...items.map((d) => d.value));
    const H = items.length * (barH + gap) + 4;
    const svg = s("svg", { class: "chart", viewBox: `0 0 ${width} ${H}`, width: "100%", role: "img", "aria-label": "Bar chart" });
    items.forEach((d, i) => {
      const y = i * (barH + gap) + 2;
      const w = Math.max(2, (width - label - 44) * (d.value / max));
      const g = s("g", {});
      g.appendChild(s("title", { text: d.title || `${d.label}: ${fmt(d.value)}` }));
      const maxc = Math.floor(label / 6.6);
      const name = d.label.length > maxc ? d.label.slice(0, maxc - 1) + "…" : d.label;
      g.appendChild(s("text", { x: label - 8, y: y + barH * 0.72, "text-anchor": "end", text: name }));
      g.appendChild(s("rect", { x: label, y, width: w, height: barH, rx: 4, fill: d.color || "#4363d8" }));
      g.appendChild(s("text", { x: label + w + 6, y: y + barH * 0.72, text: fmt(d.value), "font-weight": "600" }));
      svg.appendChild(g);
    });
    return svg;
  }

  function trendChart(points, { width = 560, height = 220 } = {}) {
    const pad = { l: 40, r: 14, t: 14, b: 40 };
    const W = width - pad.l - pad.r, H = height - pad.t - pad.b;
    const svg = s("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img", "aria-label": "Trend over time" });
    const n = points.length;
    const maxCount = Math.max(1, ...points.map((p) => p.count));
    const inset = 22; // keep the first and last points clear of the axis labels
    const x = (i) => pad.l + (n === 1 ? W / 2 : inset + ((W - 2 * inset) * i) / (n - 1));
    const y = (v) => pad.t + H * (1 - v);
    for (const v of [0, 0.25, 0.5, 0.75, 1]) {
      svg.appendChild(s("line", { x1: pad.l, x2: pad.l + W, y1: y(v), y2: y(v), class: "axis", "stroke-dasharray": v ? "3 4" : "" }));
      svg.appendChild(s("text", { x: pad.l - 6, y: y(v) + 4, "text-anchor": "end", text: Math.round(v * 100) + "%" }));
    }
    const bw = Math.max(4, Math.min(28, (W / Math.max(1, n)) * 0.5));
    points.forEach((p, i) => {
      const bh = (H * 0.35 * p.count) / maxCount;
      const r = s("rect", { x: x(i) - bw / 2, y: pad.t + H - bh, width: bw, height: bh, fill: "#dfe5f3", rx: 2 });
      r.appendChild(s("title", { text: `${p.period}: ${p.count} analyses` }));
      svg.appendChild(r);
    });
    if (n > 1) {
      svg.appendChild(s("polyline", { points: points.map((p, i) => `${x(i)},${y(p.mean_score)}`).join(" "), fill: "none", stroke: "#d62828", "stroke-width": 2.5, "stroke-linejoin": "round" }));
    }
    const every = Math.ceil(n / 8);
    points.forEach((p, i) => {
      const c = s("circle", { cx: x(i), cy: y(p.mean_score), r: 4.5, fill: "#d62828", stroke: "#fff", "stroke-width": 1.5 });
      c.appendChild(s("title", { text: `${p.period}: mean score ${pct(p.mean_score)} over ${p.count} analyses` }));
      svg.appendChild(c);
      if (i % every === 0 || i === n - 1) {
        const anchor = n > 1 && i === 0 ? "start" : n > 1 && i === n - 1 ? "end" : "middle";
        const dx = anchor === "start" ? -inset : anchor === "end" ? inset : 0;
        svg.appendChild(s("text", { x: x(i) + dx, y: height - 14, "text-anchor": anchor, text: p.period }));
      }
    });
    return svg;
  }

  function gauge(score) {
    const r = 34, c = 2 * Math.PI * r;
    const svg = s("svg", { class: "gauge", viewBox: "0 0 84 84", role: "img", "aria-label": "Article score " + pct(score) });
    svg.appendChild(s("circle", { cx: 42, cy: 42, r, fill: "none", stroke: "#eceef2", "stroke-width": 9 }));
    svg.appendChild(s("circle", { cx: 42, cy: 42, r, fill: "none", stroke: heat(Math.max(0.15, score)), "stroke-width": 9,
      "stroke-dasharray": `${c * score} ${c}`, "stroke-linecap": "round", transform: "rotate(-90 42 42)" }));
    svg.appendChild(s("text", { x: 42, y: 49, "text-anchor": "middle", class: "v", text: pct(score) }));
    return svg;
  }

  // ------------------------------------------------------------------ router
  function parseHash() {
    const raw = location.hash.replace(/^#/, "") || "/";
    const [path, query] = raw.split("?");
    const params = new URLSearchParams(query || "");
    return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), params };
  }
  function setNav(name) {
    document.querySelectorAll("[data-nav]").forEach((a) => a.classList.toggle("active", a.dataset.nav === name));
  }
  async function route() {
    const { parts, params } = parseHash();
    window.scrollTo(0, 0);
    try {
      await techniques();
      if (parts[0] === "a" && parts[1]) { setNav(""); await viewAnalysis(parts[1]); }
      else if (parts[0] === "history") { setNav("history"); await viewHistory(params); }
      else if (parts[0] === "sources") { setNav("sources"); await viewSources(); }
      else if (parts[0] === "source" && parts[1]) { setNav("sources"); await viewSource(parts[1]); }
      else if (parts[0] === "compare" && parts[1]) { setNav(""); await viewCompare(parts[1]); }
      else { setNav("analyze"); await viewAnalyze(); }
    } catch (e) {
      clear(app).appendChild(h("div", { class: "card" }, h("h2", { text: "Something went wrong" }), h("div", { class: "error", text: e.message })));
    }
  }

  // ------------------------------------------------------------------ analyze view
  const SAMPLE_TITLE = "Council's reckless plan will destroy our town";
  const SAMPLE = [
    "The disgraceful council has done it again. Their reckless, disastrous budget is the worst ever passed in this city, and everyone knows it.",
    "These puppet politicians answer to developers, not to you. They are traitors to every family that built this town 🏘️.",
    "A true patriot would never stand by while thugs in suits sell off our parks. Either we stop them now, or we lose everything our grandparents built.",
    "The mayor claims the plan will \"modernise\" the riverside. Ask yourself: who really profits? Not you, and certainly not your children.",
    "Experts at the Riverside Trust, who have studied the area for years, warned that the new towers would double traffic on Mill Road.",
    "Enough is enough. Stand up, show up on Tuesday, and take our town back before these vultures destroy it for good!",
  ].join("\n\n");

  async function viewAnalyze() {
    document.title = "proplens — find propaganda techniques in news";
    clear(app);
    let mode = "text";
    const err = h("div", { class: "error", hidden: true });
    const jobBox = h("div", { class: "job", id: "job-box", hidden: true });
    const ta = h("textarea", { id: "text-input", placeholder: "Paste the article text here…", "aria-label": "Article text" });
    const urlIn = h("input", { type: "url", id: "url-input", placeholder: "https://example.com/news/article", "aria-label": "Article URL" });
    const fileIn = h("input", { type: "file", id: "file-input", accept: ".txt,.html,.htm,text/plain,text/html", hidden: true });
    const fileName = h("div", { class: "muted small", text: "No file chosen" });
    const drop = h("div", { class: "drop" }, h("p", {}, "Drop a .txt or .html file here, or "),
      h("button", { class: "btn", type: "button", text: "Choose a file…", onclick: () => fileIn.click() }), fileName);
    fileIn.addEventListener("change", () => { fileName.textContent = fileIn.files[0] ? fileIn.files[0].name : "No file chosen"; });
    drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => {
      e.preventDefault(); drop.classList.remove("over");
      if (e.dataTransfer.files.length) { fileIn.files = e.dataTransfer.files; fileName.textContent = fileIn.files[0].name; }
    });
    const titleIn = h("input", { type: "text", id: "title-input", placeholder: "Optional", maxlength: 1000 });
    const sourceIn = h("input", { type: "text", id: "source-input", placeholder: "Optional, e.g. example.org", maxlength: 300 });
    // model choice and how low a "possible" passage may score (sent as `model` and `min_score`)
    const modelSel = h("select", { id: "model-select", "aria-label": "Model" },
      h("option", { value: "default", text: "default: most accurate" }),
      h("option", { value: "fast", text: "fast: several times faster" }));
    const possibleSel = h("select", { id: "possible-select", "aria-label": "Show possible passages" },
      h("option", { value: "", text: "the model's default" }),
      h("option", { value: "1", text: "off" }),
      h("option", { value: "0.5", text: "score 0.5 or more" }),
      h("option", { value: "0.3", text: "score 0.3 or more" }),
      h("option", { value: "0.2", text: "score 0.2 or more (most)" }));
    api("/models").then((models) => {  // name the model behind each choice; an unavailable one cannot be picked
      for (const m of models) {
        const opt = modelSel.querySelector(`option[value="${m.choice}"]`);
        if (!opt) continue;
        if (m.available && m.name) opt.textContent += ` (${m.name} ${m.version})`;
        if (!m.available) { opt.disabled = true; opt.textContent += " (not installed on this server)"; }
      }
    }).catch(() => {});
    const panes = {
      text: h("div", {}, ta),
      url: h("div", { hidden: true }, urlIn, h("p", { class: "muted small", text: "The page is fetched by the server and the article text is extracted (title, date and site too)." })),
      file: h("div", { hidden: true }, drop, fileIn),
    };
    const tabs = h("div", { class: "tabs", role: "tablist" });
    for (const [k, label] of [["text", "Paste text"], ["url", "From a URL"], ["file", "Upload a file"]]) {
      tabs.appendChild(h("button", { type: "button", role: "tab", class: k === mode ? "on" : "", dataset: { tab: k }, text: label, onclick: () => {
        mode = k;
        tabs.querySelectorAll("button").forEach((b) => b.classList.toggle("on", b.dataset.tab === k));
        Object.entries(panes).forEach(([pk, p]) => { p.hidden = pk !== k; });
      } }));
    }
    const go = h("button", { class: "btn primary", id: "analyze-btn", type: "button" }, "Analyze");
    const sample = h("button", { class: "btn", type: "button", id: "sample-btn", text: "Try a sample article", onclick: () => {
      tabs.querySelector('[data-tab="text"]').click(); ta.value = SAMPLE; titleIn.value = SAMPLE_TITLE; sourceIn.value = "sample.example"; ta.focus();
    } });
    go.addEventListener("click", async () => {
      err.hidden = true;
      go.disabled = true; clear(go).append(h("span", { class: "spinner" }), "Analyzing…");
      try {
        let rec;
        const meta = {};
        if (titleIn.value.trim()) meta.title = titleIn.value.trim();
        if (sourceIn.value.trim()) meta.source = sourceIn.value.trim();
        meta.model = modelSel.value;
        if (possibleSel.value) meta.min_score = Number(possibleSel.value);
        if (mode === "text") {
          if (!ta.value.trim()) throw new Error("Paste some article text first.");
          // a long text runs as a job from the start, so the progress bar shows at once instead of a spinner
          const hdrs = { "Content-Type": "application/json" };
          if (ta.value.length >= 20000) hdrs.Prefer = "respond-async";
          rec = await api("/analyses", { method: "POST", headers: hdrs, body: JSON.stringify({ text: ta.value, ...meta }) });
        } else if (mode === "url") {
          if (!urlIn.value.trim()) throw new Error("Enter the URL of an article first.");
          rec = await api("/analyses", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ url: urlIn.value.trim(), ...meta }) });
        } else {
          const f = fileIn.files[0];
          if (!f) throw new Error("Choose a .txt or .html file first.");
          const fd = new FormData();
          fd.append("file", f);
          if (meta.title) fd.append("title", meta.title);
          if (meta.source) fd.append("source", meta.source);
          fd.append("model", meta.model);
          if (meta.min_score !== undefined) fd.append("min_score", String(meta.min_score));
          rec = await api("/analyses/upload", { method: "POST", body: fd });
        }
        if (rec && rec.location && rec.progress) rec = { id: await followJob(rec, jobBox, go) };  // 202: a job
        location.hash = "#/a/" + encodeURIComponent(rec.id);
      } catch (e) {
        err.textContent = e.message; err.hidden = false;
      } finally {
        go.disabled = false; clear(go).append("Analyze"); jobBox.hidden = true;
      }
    });
    const recent = h("div", {}, h("p", { class: "muted", text: "Loading…" }));
    app.append(
      h("div", { class: "hero" },
        h("section", { class: "card" },
          h("h1", { text: "Which passages persuade, and how?" }),
          h("p", { class: "lead", text: "Paste a news article, give its URL or upload a file. proplens marks the passages that use one of 14 propaganda techniques, explains each one and scores every sentence." }),
          tabs, panes.text, panes.url, panes.file,
          h("div", { class: "row" }, h("div", {}, h("label", { class: "f", for: "title-input", text: "Title" }), titleIn),
            h("div", {}, h("label", { class: "f", for: "source-input", text: "Source / outlet" }), sourceIn)),
          h("div", { class: "row" }, h("div", {}, h("label", { class: "f", for: "model-select", text: "Model" }), modelSel),
            h("div", {}, h("label", { class: "f", for: "possible-select", text: "Show possible passages (lower confidence)" }), possibleSel)),
          h("div", { class: "actions" }, go, sample, h("span", { class: "muted small", text: "Results are stored in this server's history." })),
          jobBox, err),
        h("aside", {},
          h("section", { class: "card" }, h("h2", { text: "Recent analyses" }), recent),
          h("section", { class: "card" }, h("h2", { text: "The 14 techniques" }),
            h("ul", { class: "legend" }, TECH_LIST.map((t) => h("li", { title: t.definition },
              h("span", { class: "sw", style: { background: t.color } }), h("span", { text: t.name }))))))));
    try {
      const page = await api("/analyses?page_size=6");
      clear(recent);
      if (!page.items.length) recent.appendChild(h("p", { class: "muted", text: "Nothing analyzed yet." }));
      for (const it of page.items) {
        recent.appendChild(h("div", { style: { padding: "7px 0", borderBottom: "1px solid #eef0f4" } },
          h("a", { href: "#/a/" + encodeURIComponent(it.id), text: it.title || it.snippet.slice(0, 70) || "(untitled)" }),
          h("div", { class: "muted small" }, [it.source, fmtDate(it.created), "score " + pct(it.score)].filter(Boolean).join(" · "))));
      }
    } catch (e) { clear(recent).appendChild(h("p", { class: "muted", text: e.message })); }
  }

  // ------------------------------------------------------------------ analysis view
  async function viewAnalysis(id) {
    clear(app).appendChild(h("p", { class: "muted", text: "Loading analysis…" }));
    const a = await api("/analyses/" + encodeURIComponent(id));
    document.title = (a.title || "Analysis") + " — proplens";
    const text = a.text;
    const cp2u = codepointMap(text);
    const sub = (st, en) => text.slice(cp2u[st], cp2u[en]);
    const spans = a.spans;
    // lower-confidence "possible" passages: drawn with a dashed underline, never counted as passages
    const possible = (a.possible_spans || []).map((sp) => ({ ...sp, possible: true }));
    const all = spans.concat(possible);  // explanation indices point into this list
    const active = new Set(all.map((sp) => sp.technique));
    let showPossible = true;
    let showNotes = true;
    let selected = null; // segment element
    // the paragraph view: each paragraph the model gives a technique, numbered among the non-blank lines
    const paras = numberedParagraphs(text, cp2u, a.paragraphs || []);

    const articleEl = h("div", { class: "article", id: "article" });
    const explain = h("section", { class: "card explain", id: "explain" });
    function explainDefault() {
      append(clear(explain), [h("h2", { text: "Explanation" }),
        h("p", { class: "muted small", text: spans.length || possible.length
          ? "Hover over or click a highlighted passage to see its technique, what the technique does, and the model's confidence."
          : "No propaganda technique was found in this text." }),
        paras.length ? h("p", { class: "muted small", id: "paragraph-view-help", text: "A ¶ note at the end of a paragraph is the paragraph view: how likely each technique is to be used somewhere in that paragraph. Its figures are likelihoods, not highlighted passages; click a note for details." }) : null,
        possible.length ? h("p", { class: "muted small", text: `Passages with a dashed underline are possible: the model is less sure of them (${a.min_score != null ? "score " + pct(a.min_score) + " or more, " : ""}below its confident threshold). They are not counted as passages.` }) : null]);
    }
    function explainSpans(idxs) {
      clear(explain).appendChild(h("h2", { text: idxs.length > 1 ? `${idxs.length} techniques here` : "Technique" }));
      for (const j of idxs) {
        const sp = all[j];
        const t = TECH[sp.technique] || { name: sp.technique_name, definition: "", color: "#888", example: "" };
        explain.appendChild(h("div", { class: "item" + (sp.possible ? " possible" : ""), dataset: { technique: sp.technique, possible: sp.possible ? "1" : "0" } },
          h("div", { class: "tname" }, h("span", { class: "sw", style: { background: t.color, width: "14px", height: "14px", borderRadius: "4px", display: "inline-block" } }), h("span", { class: "tech-name", text: t.name }),
            sp.possible ? h("span", { class: "badge-possible", text: "possible" }) : null),
          sp.possible ? h("div", { class: "muted small", text: "Lower confidence: shown as a possible passage, not counted as a passage." }) : null,
          h("div", { class: "def tech-def", text: t.definition }),
          h("div", { class: "conf" }, "Confidence", h("div", { class: "track" }, h("div", { class: "fill", style: { width: pct(sp.score), background: t.color } })), h("b", { class: "tech-conf", text: pct(sp.score) })),
          h("div", { class: "quote", text: "“" + clip(sub(sp.start, sp.end), 320) + "”" }),
          t.example ? h("div", { class: "muted small" }, h("b", { text: "Example: " }), t.example) : null));
      }
    }

    function explainParagraph(p) {
      clear(explain).append(h("h2", { text: `Paragraph ${p.number}` }),
        h("p", { class: "muted small", text: "The paragraph view: how likely it is that each technique is used somewhere in this paragraph. These are likelihoods for the whole paragraph, not highlighted passages; they can name a technique that no highlighted passage shows." }));
      for (const pt of p.techniques) {
        const t = TECH[pt.technique] || { name: pt.technique_name, definition: "", color: "#888" };
        explain.appendChild(h("div", { class: "item paragraph-item", dataset: { technique: pt.technique } },
          h("div", { class: "tname" }, h("span", { class: "sw", style: { background: t.color, width: "14px", height: "14px", borderRadius: "4px", display: "inline-block" } }), h("span", { class: "tech-name", text: t.name })),
          h("div", { class: "def tech-def", text: t.definition }),
          h("div", { class: "conf" }, "Likelihood", h("div", { class: "track" }, h("div", { class: "fill", style: { width: pct(pt.score), background: t.color } })), h("b", { class: "tech-conf", text: pct(pt.score) }))));
      }
    }
    function paragraphNote(p) {
      const label = `Paragraph ${p.number}: ` + p.techniques.map((pt) => (TECH[pt.technique] || { name: pt.technique_name }).name + " " + pct(pt.score)).join(", ");
      const el = h("span", { class: "pnote", role: "button", tabindex: "0", title: label + ". The paragraph view: likelihoods for the whole paragraph, not highlighted passages (click for more).",
        "aria-label": label + " (paragraph view, likelihoods)", dataset: { paragraph: String(p.number), pstart: String(p.start), pend: String(p.end) } },
        h("span", { class: "pn-num", dataset: { text: "¶" + p.number } }),
        p.techniques.map((pt) => h("span", { class: "pn-tech", dataset: { technique: pt.technique, text: (TECH[pt.technique] || { name: pt.technique_name }).name + " " + pct(pt.score) },
          style: { borderLeftColor: (TECH[pt.technique] || {}).color || "#888" } })));
      const pick = () => {
        if (selected) selected.classList.remove("sel");
        if (selected === el) { selected = null; explainDefault(); return; }
        selected = el; el.classList.add("sel"); explainParagraph(p);
      };
      el.addEventListener("mouseenter", () => { if (!selected) explainParagraph(p); });
      el.addEventListener("mouseleave", () => { if (!selected) explainDefault(); });
      el.addEventListener("click", pick);
      el.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(); } });
      return el;
    }

    function renderArticle() {
      clear(articleEl);
      const vis = all.map((sp, j) => ({ ...sp, j })).filter((sp) => active.has(sp.technique) && (showPossible || !sp.possible));
      const n = cp2u.length - 1;
      const notes = new Map();  // code point offset -> the paragraph notes that go there
      if (showNotes) for (const p of paras) { if (!notes.has(p.at)) notes.set(p.at, []); notes.get(p.at).push(p); }
      const noteAt = (off) => { for (const p of notes.get(off) || []) articleEl.appendChild(paragraphNote(p)); notes.delete(off); };
      for (const seg of segments(n, vis, Array.from(notes.keys()))) {
        noteAt(seg.start);
        const el = h("span", { class: "seg", dataset: { start: seg.start, end: seg.end } });
        el.textContent = sub(seg.start, seg.end);
        if (seg.cover.length) {
          // confident passages first; a segment only possible passages cover gets a dashed underline, no fill
          const cov = seg.cover.map((k) => vis[k]).sort((x, y) => (x.possible ? 1 : 0) - (y.possible ? 1 : 0));
          const top = TECH[cov[0].technique] || { color: "#ffc400" };
          el.classList.add("hl");
          if (cov[0].possible) {
            el.classList.add("possible");
            el.dataset.possible = "1";
            el.style.borderBottom = "2px dashed " + top.color;
          } else {
            el.style.background = rgba(top.color, cov.length > 1 ? 0.34 : 0.24);
            el.style.borderBottom = "3px solid " + top.color;
          }
          if (cov.length > 1 && !cov[0].possible) {
            // one extra stripe under the text per overlapping technique: colours stack, text stays readable
            el.style.boxShadow = cov.slice(1, 4).map((c, i) => `0 ${3 * (i + 1)}px 0 ${(TECH[c.technique] || {}).color || "#888"}`).join(",");
            el.classList.add("multi");
          }
          el.tabIndex = 0;
          el.setAttribute("role", "button");
          el.setAttribute("aria-label", cov.map((c) => (c.possible ? "possible " : "") + (TECH[c.technique] || {}).name + " " + pct(c.score)).join(", "));
          el.title = cov.map((c) => (TECH[c.technique] || {}).name + (c.possible ? " (possible, " : " (") + pct(c.score) + ")").join("; ");
          el.dataset.spans = cov.map((c) => c.j).join(",");
          el.dataset.techniques = cov.map((c) => c.technique).join(" ");
          const idxs = cov.map((c) => c.j);
          el.addEventListener("mouseenter", () => { if (!selected) explainSpans(idxs); });
          el.addEventListener("mouseleave", () => { if (!selected) explainDefault(); });
          const pick = () => {
            if (selected) selected.classList.remove("sel");
            if (selected === el) { selected = null; explainDefault(); return; }
            selected = el; el.classList.add("sel"); explainSpans(idxs);
          };
          el.addEventListener("click", pick);
          el.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(); } });
        }
        articleEl.appendChild(el);
      }
      for (const off of Array.from(notes.keys())) noteAt(off);  // at the very end of the text
    }

    function scrollToOffset(off) {
      for (const el of articleEl.children) {
        if (+el.dataset.start <= off && off < +el.dataset.end) {
          el.scrollIntoView({ behavior: "smooth", block: "center" });
          el.classList.remove("sent-flash"); void el.offsetWidth; el.classList.add("sent-flash");
          return;
        }
      }
    }

    // legend with counts; click toggles a technique
    const counts = {};
    spans.forEach((sp) => { counts[sp.technique] = (counts[sp.technique] || 0) + 1; });
    const legend = h("ul", { class: "legend", id: "legend" });
    const present = TECH_LIST.filter((t) => counts[t.id]).sort((x, y) => counts[y.id] - counts[x.id]);
    for (const t of present) {
      const li = h("li", { title: t.definition + " (click to show or hide)", dataset: { technique: t.id } },
        h("span", { class: "sw", style: { background: t.color } }), h("span", { text: t.name }), h("span", { class: "n", text: counts[t.id] }));
      li.addEventListener("click", () => {
        if (active.has(t.id)) active.delete(t.id); else active.add(t.id);
        li.classList.toggle("off", !active.has(t.id));
        selected = null; explainDefault(); renderArticle();
      });
      legend.appendChild(li);
    }
    if (!present.length) legend.appendChild(h("li", { class: "muted", text: "None found." }));
    if (paras.length) {  // one legend entry for the paragraph notes; click shows or hides them
      const li = h("li", { id: "legend-paragraphs", title: "The paragraph view: at the end of each paragraph, how likely each technique is to be used in it (likelihoods, not highlighted passages). Click to show or hide." },
        h("span", { class: "sw pn-sw", text: "¶" }), h("span", { text: "Paragraph notes" }), h("span", { class: "n", text: paras.length }));
      li.addEventListener("click", () => {
        showNotes = !showNotes;
        li.classList.toggle("off", !showNotes);
        selected = null; explainDefault(); renderArticle();
      });
      legend.appendChild(li);
    }
    if (possible.length) {  // one legend entry for all possible passages; click shows or hides them
      const li = h("li", { id: "legend-possible", title: "Lower-confidence passages, not counted as passages (click to show or hide)" },
        h("span", { class: "sw possible-sw" }), h("span", { text: "Possible passages" }), h("span", { class: "n", text: possible.length }));
      li.addEventListener("click", () => {
        showPossible = !showPossible;
        li.classList.toggle("off", !showPossible);
        selected = null; explainDefault(); renderArticle();
      });
      legend.appendChild(li);
    }

    // sentence heat strip
    const strip = h("div", { class: "strip", id: "heat-strip", title: "Sentence scores: click a sentence to jump to it" });
    a.sentences.forEach((st, i) => {
      const d = h("div", { title: `Sentence ${i + 1}: ${pct(st.score)} — ${sub(st.start, st.end).slice(0, 90)}`, style: { flexGrow: String(Math.max(1, st.end - st.start)), background: heat(st.score) } });
      d.addEventListener("click", () => scrollToOffset(st.start));
      strip.appendChild(d);
    });

    const meta = h("div", { class: "meta" });
    if (a.source) meta.appendChild(h("span", {}, "Source: ", h("a", { href: "#/source/" + encodeURIComponent(a.source), text: a.source, id: "source-link" })));
    if (a.url) {
      const u = safeHref(a.url);
      meta.appendChild(h("span", {}, "URL: ", u ? h("a", { href: u, target: "_blank", rel: "noopener noreferrer nofollow", text: a.url }) : h("span", { text: a.url })));
    }
    if (a.published) meta.appendChild(h("span", { text: "Published " + fmtDay(a.published) }));
    meta.appendChild(h("span", { text: "Analyzed " + fmtDate(a.created) + (a.cached ? " (cached result)" : "") }));
    meta.appendChild(h("span", { text: "Model " + a.model.name + " " + a.model.version }));

    const exp = (fmt) => `/api/v1/analyses/${encodeURIComponent(a.id)}/export?format=${fmt}`;
    const actions = h("div", { class: "actions", style: { marginTop: "0", marginBottom: "16px" } },
      h("a", { class: "btn", href: exp("json"), download: "", id: "export-json", text: "Export JSON" }),
      h("a", { class: "btn", href: exp("html"), download: "", id: "export-html", text: "HTML report" }),
      h("a", { class: "btn", href: exp("ptc"), download: "", id: "export-ptc", text: "PTC labels" }),
      h("a", { class: "btn", href: "#/compare/" + encodeURIComponent(a.id), id: "compare-link", text: "Compare with other coverage" }),
      h("button", { class: "btn danger", type: "button", text: "Delete", onclick: async () => {
        if (!confirm("Delete this analysis from the history?")) return;
        try { await api("/analyses/" + encodeURIComponent(a.id), { method: "DELETE" }); toast("Deleted."); location.hash = "#/history"; }
        catch (e) { toast(e.message); }
      } }));

    const chartItems = present.map((t) => ({ label: t.name, value: counts[t.id], color: t.color }));
    // a passage is a character range: one range labelled with two techniques is one passage (both are explained on it)
    const nPassages = new Set(spans.map((sp) => sp.start + ":" + sp.end)).size;
    const sentShare = a.sentences.length ? a.sentences.filter((st) => spans.some((sp) => sp.start < st.end && sp.end > st.start)).length : 0;

    const side = h("aside", { class: "side" },
      h("section", { class: "card" },
        h("div", { class: "scorebox" }, gauge(a.score),
          h("div", {}, h("div", { class: "lbl", text: "Article score" }), h("div", { class: "big", id: "article-score", text: pct(a.score) + " persuasive" }),
            h("div", { class: "lbl", text: `${nPassages} passage${nPassages === 1 ? "" : "s"} · ${sentShare} of ${a.sentences.length} sentences` }))),
        h("h3", { text: "Sentence heat" }), strip, h("div", { class: "scale" }, h("span", { text: "start" }), h("span", { text: "end of article" })),
        h("h3", { text: "Techniques" }), legend),
      explain);

    const attributions = (a.attributions || []).length ? h("section", { class: "card", style: { marginTop: "18px" } },
      h("h2", { text: "Sources quoted" }),
      h("table", { class: "list" }, h("tr", {}, h("th", { text: "Source" }), h("th", { text: "Type" }), h("th", { text: "Says" })),
        a.attributions.map((at) => h("tr", {}, h("td", { text: (at.source_text || "(unnamed)") + (at.via && at.via.length ? " via " + at.via.join(", ") : "") }),
          h("td", { text: at.source_type }), h("td", { text: at.content.map(([x, y]) => sub(x, y)).join(" … ").slice(0, 300) }))))) : null;

    clear(app).append(
      h("h1", { id: "analysis-title", text: a.title || "Untitled article" }), meta, actions,
      h("div", { class: "layout" },
        h("div", {},
          h("section", { class: "card" }, articleEl),
          attributions,
          chartItems.length ? h("section", { class: "card", style: { marginTop: "18px" } }, h("h2", { text: "Techniques in this article" }),
            h("div", { id: "technique-chart" }, barChart(chartItems, { width: 640, label: 210 }))) : null),
        side));
    explainDefault();
    renderArticle();
  }

  // ------------------------------------------------------------------ history
  function scoreChip(x) {
    return h("span", { class: "scorechip", style: { background: heat(x), color: x > 0.6 ? "#fff" : "#1d2330" }, text: pct(x) });
  }
  function techPills(tc) {
    return Object.entries(tc || {}).sort((x, y) => y[1] - x[1]).slice(0, 4).map(([k, v]) =>
      h("span", { class: "pill", style: { background: (TECH[k] || {}).color || "#888" }, title: (TECH[k] || {}).name || k, text: `${(TECH[k] || {}).name || k} ${v}` }));
  }
  function analysesTable(items) {
    if (!items.length) return h("div", { class: "empty", text: "No analyses match." });
    return h("table", { class: "list", id: "history-table" },
      h("tr", {}, ["Article", "Source", "Analyzed", "Score", "Techniques"].map((x) => h("th", { text: x }))),
      items.map((it) => h("tr", {},
        h("td", {}, h("a", { href: "#/a/" + encodeURIComponent(it.id), text: it.title || it.snippet.slice(0, 80) || "(untitled)" }),
          h("div", { class: "muted small", text: it.snippet.slice(0, 120) + (it.snippet.length >= 120 ? "…" : "") })),
        h("td", {}, it.source ? h("a", { href: "#/source/" + encodeURIComponent(it.source), text: it.source }) : h("span", { class: "muted", text: "—" })),
        h("td", { class: "small", text: fmtDate(it.created) }),
        h("td", {}, scoreChip(it.score)),
        h("td", {}, techPills(it.technique_counts)))));
  }

  async function viewHistory(params) {
    document.title = "History — proplens";
    const q = params.get("q") || "", page = Math.max(1, +params.get("page") || 1);
    const since = params.get("since") || "", until = params.get("until") || "", source = params.get("source") || "";
    const qIn = h("input", { type: "search", id: "history-q", placeholder: "Search titles, sources and text…", value: q });
    const sIn = h("input", { type: "date", value: since, "aria-label": "Since" });
    const uIn = h("input", { type: "date", value: until, "aria-label": "Until" });
    const go = () => {
      const p = new URLSearchParams();
      if (qIn.value.trim()) p.set("q", qIn.value.trim());
      if (sIn.value) p.set("since", sIn.value);
      if (uIn.value) p.set("until", uIn.value);
      if (source) p.set("source", source);
      location.hash = "#/history" + (p.toString() ? "?" + p : "");
    };
    qIn.addEventListener("keydown", (e) => { if (e.key === "Enter") go(); });
    const qs = new URLSearchParams({ page: String(page), page_size: "20" });
    if (q) qs.set("q", q);
    if (since) qs.set("since", since);
    if (until) qs.set("until", until);
    if (source) qs.set("source", source);
    const res = await api("/analyses?" + qs);
    const pager = h("div", { class: "pager" }, h("span", { class: "muted small", text: `${res.total} analyses · page ${res.page} of ${res.pages}` }));
    const link = (p) => { const x = new URLSearchParams(qs); x.set("page", String(p)); x.delete("page_size"); return "#/history?" + x; };
    if (page > 1) pager.appendChild(h("a", { class: "btn", href: link(page - 1), text: "← Newer" }));
    if (page < res.pages) pager.appendChild(h("a", { class: "btn", href: link(page + 1), text: "Older →" }));
    clear(app).append(h("h1", { text: "History" }), h("p", { class: "muted" }, source ? ["Analyses from ", h("a", { href: "#/source/" + encodeURIComponent(source), text: source }), ", newest first. ", h("a", { href: "#/history", text: "Show all" })] : "Every analysis stored on this server, newest first."),
      h("section", { class: "card", id: "history", dataset: { q, page: String(page) } },
        h("div", { class: "row" }, h("div", { style: { flex: "3" } }, qIn), h("div", {}, sIn), h("div", {}, uIn),
          h("div", { style: { flex: "none" } }, h("button", { class: "btn primary", type: "button", text: "Search", onclick: go }))),
        h("div", { style: { marginTop: "14px" } }, analysesTable(res.items)), pager));
  }

  // ------------------------------------------------------------------ sources
  async function viewSources() {
    document.title = "Sources — proplens";
    const list = await api("/sources");
    clear(app).append(h("h1", { text: "Sources" }), h("p", { class: "muted", text: "Outlets with stored analyses. Open one to see its technique profile and how it changes over time." }),
      list.length ? h("div", { class: "sources", id: "sources-list" }, list.map((x) => h("a", { class: "card", href: "#/source/" + encodeURIComponent(x.source) },
        h("div", { style: { fontWeight: "700", fontSize: "16px", wordBreak: "break-all" }, text: x.source }),
        h("div", { class: "muted small", text: `${x.count} analyses · last ${fmtDay(x.last)}` }),
        h("div", { style: { marginTop: "8px" } }, "Mean score ", scoreChip(x.mean_score)))))
        : h("section", { class: "card" }, h("div", { class: "empty", text: "No analysis has a source yet. Give a source (or a URL) when you analyze an article." })));
  }

  async function viewSource(name) {
    document.title = name + " — proplens";
    const prof = await api("/sources/profile?source=" + encodeURIComponent(name));
    const recent = await api("/analyses?page_size=10&source=" + encodeURIComponent(name));
    const items = TECH_LIST.map((t) => ({ label: t.name, value: prof.technique_counts[t.id] || 0, color: t.color,
      title: `${t.name}: ${prof.technique_counts[t.id] || 0} passages (${pct(prof.technique_share[t.id])} of all)` }))
      .filter((d) => d.value > 0).sort((x, y) => y.value - x.value);
    clear(app).append(
      h("h1", { id: "source-title", text: name }),
      h("div", { class: "meta" }, h("span", { text: `${prof.count} analyses` }), h("span", {}, "Mean article score ", scoreChip(prof.mean_score))),
      h("div", { class: "grid2" },
        h("section", { class: "card" }, h("h2", { text: "Technique profile" }),
          items.length ? h("div", { id: "profile-chart" }, barChart(items, { width: 560, label: 200 })) : h("div", { class: "empty", text: "No techniques found in this source's articles." })),
        h("section", { class: "card" }, h("h2", { text: `Trend (by ${prof.bucket})` }),
          h("div", { id: "trend-chart" }, trendChart(prof.trend)),
          h("p", { class: "muted small", text: "Line: mean article score per period. Bars: number of analyses." }))),
      h("section", { class: "card", style: { marginTop: "18px" } }, h("h2", { text: "Recent analyses" }), analysesTable(recent.items),
        recent.total > recent.items.length ? h("p", {}, h("a", { href: "#/history?source=" + encodeURIComponent(name), text: `All ${recent.total} analyses →` })) : null));
    try {
      app.append(sourceStatsCard(await api("/sources/stats?source=" + encodeURIComponent(name))));
    } catch (e) { /* the figures are an addition; the page stands without them */ }
  }

  // The same figures as `proplens report` (proplens.stats), for this source's stored analyses.
  function sourceStatsCard(st) {
    const table = (cols, rows) => h("table", { class: "list" },
      h("tr", {}, cols.map(([label]) => h("th", { text: label }))),
      rows.map((r) => h("tr", {}, cols.map(([, get]) => h("td", { text: String(get(r)) })))));
    const techName = (id) => (TECH_LIST.find((t) => t.id === id) || { name: id }).name;
    const s = st.summary[0] || {};
    const hist = st.score_histogram.map((b) => ({ label: `${b.bin_low.toFixed(1)}–${b.bin_high.toFixed(1)}`, value: b.articles, color: "#f08c3a",
      title: `${b.articles} articles scored ${b.bin_low.toFixed(1)}–${b.bin_high.toFixed(1)}` }));
    const phrases = st.top_phrases.filter((p) => p.rank <= 3);
    return h("section", { class: "card", id: "source-stats", style: { marginTop: "18px" } },
      h("h2", { text: "Corpus figures" }),
      h("p", { class: "muted small", text: "The figures of the batch report (proplens report) for this source's stored analyses." }),
      h("div", { class: "meta" },
        h("span", { text: `Sentences with propaganda: ${pct(s.propaganda_sentence_share || 0)}` }),
        h("span", { text: `Passages per 1,000 sentences: ${s.spans_per_1k_sentences ?? 0}` }),
        h("span", { text: `Article score median ${(s.score_median ?? 0).toFixed(2)} (10th–90th percentile ${(s.score_p10 ?? 0).toFixed(2)}–${(s.score_p90 ?? 0).toFixed(2)})` })),
      h("div", { class: "grid2" },
        h("div", {}, h("h3", { text: "Article-score distribution" }), h("div", { id: "score-histogram" }, barChart(hist, { width: 520, label: 90 }))),
        h("div", {}, h("h3", { text: "Most quoted sources" }),
          st.top_quoted.length ? table([["Source", (r) => r.quoted], ["Type", (r) => r.type], ["Quotes", (r) => r.count]], st.top_quoted)
            : h("p", { class: "muted", text: "No attributions stored." }))),
      h("h3", { text: "By month" }),
      table([["Month", (r) => r.month], ["Articles", (r) => r.articles], ["Sentences with propaganda", (r) => pct(r.propaganda_sentence_share)],
        ["Passages / 1,000 sentences", (r) => r.spans_per_1k_sentences], ["Mean score", (r) => r.score_mean.toFixed(2)]], st.by_month),
      h("h3", { text: "Top phrases per technique" }),
      phrases.length ? table([["Technique", (r) => techName(r.technique)], ["Phrase", (r) => r.phrase], ["Count", (r) => r.count]], phrases)
        : h("p", { class: "muted", text: "No passages found." }));
  }

  // ------------------------------------------------------------------ compare coverage
  const STATUS_LABEL = { shared: "same", reworded: "reworded", only: "only here" };

  async function viewCompare(id) {
    const a = await api("/analyses/" + encodeURIComponent(id));
    document.title = "Compare — " + (a.title || "analysis") + " — proplens";
    clear(app).appendChild(h("p", { class: "muted", text: "Looking for other coverage of this story…" }));
    const related = await api(`/analyses/${encodeURIComponent(id)}/related?min_similarity=0.5&limit=10`);
    const out = h("div", { id: "compare-result" });
    const err = h("div", { class: "error", hidden: true });
    const boxes = related.map((r) => ({ r, box: h("input", { type: "checkbox", value: r.id, checked: r.similarity >= 0.75 }) }));
    const extra = h("textarea", { id: "compare-text", placeholder: "Optional: paste another version of the story here…", style: { minHeight: "120px" } });
    const go = h("button", { class: "btn primary", type: "button", id: "compare-btn", text: "Compare" });
    go.addEventListener("click", async () => {
      err.hidden = true;
      const versions = [{ analysis_id: a.id }];
      boxes.forEach(({ r, box }) => { if (box.checked) versions.push({ analysis_id: r.id }); });
      if (extra.value.trim()) versions.push({ text: extra.value, label: "pasted" });
      if (versions.length < 2) { err.textContent = "Pick at least one other version, or paste one."; err.hidden = false; return; }
      go.disabled = true; clear(go).append(h("span", { class: "spinner" }), "Comparing…");
      try {
        renderComparison(out, await api("/compare", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ versions: versions.slice(0, 6) }) }));
      } catch (e) { err.textContent = e.message; err.hidden = false; }
      finally { go.disabled = false; clear(go).append("Compare"); }
    });
    clear(app).append(
      h("h1", { text: "Compare coverage" }),
      h("div", { class: "meta" }, h("span", {}, "Base article: ", h("a", { href: "#/a/" + encodeURIComponent(a.id), text: a.title || a.text.slice(0, 80) })),
        a.source ? h("span", { text: "Source: " + a.source }) : null),
      h("section", { class: "card" },
        h("h2", { text: "Other coverage of this story in the history" }),
        related.length ? h("table", { class: "list", id: "related-table" },
          h("tr", {}, ["", "Article", "Source", "Similarity", "Score"].map((x) => h("th", { text: x }))),
          boxes.map(({ r, box }) => h("tr", {}, h("td", {}, box),
            h("td", {}, h("a", { href: "#/a/" + encodeURIComponent(r.id), text: r.title || r.snippet.slice(0, 80) || "(untitled)" })),
            h("td", { text: r.source || "—" }), h("td", { text: pct(r.similarity) }), h("td", {}, scoreChip(r.score)))))
          : h("p", { class: "muted", text: "No stored analysis looks like the same story (story-embedding similarity under 50%). Paste another version below." }),
        h("label", { class: "f", for: "compare-text", text: "Another version" }), extra,
        h("div", { class: "actions" }, go, h("span", { class: "muted small", text: "Versions are aligned sentence by sentence." })), err),
      out);
  }

  function renderComparison(out, c) {
    const ids = c.versions.map((v) => v.id);
    const maps = Object.fromEntries(ids.map((vid) => [vid, codepointMap(c.texts[vid])]));
    // offsets are Python str (code point) offsets; JavaScript strings index UTF-16 units
    const cut = (vid, s, e) => c.texts[vid].slice(maps[vid][s], maps[vid][e]);
    const slice = (vid, span) => (span ? cut(vid, span[0], span[1]) : null);
    const meta = Object.fromEntries((c.meta || []).map((m) => [m.id, m]));
    const terms = (vid) => (c.differences[vid].substituted_terms || []);
    const cards = h("div", { class: "sources" }, c.versions.map((v) => h("div", { class: "card", style: { marginTop: "0" } },
      h("div", { style: { fontWeight: "700", wordBreak: "break-all" }, text: v.id }),
      h("div", { class: "muted small", text: v.title || (meta[v.id] && meta[v.id].title) || "" }),
      terms(v.id).length ? h("ul", { class: "small terms", id: "terms-" + v.id }, terms(v.id).slice(0, 6).map((t) => h("li", {},
        "says ", h("ins", { class: "insert", text: t.term }), " instead of ", h("del", { class: "delete", text: t.instead_of }),
        " (" + t.count + "×)"))) : null,
      h("p", { class: "small summary", text: v.summary || "" }),
      h("div", { style: { margin: "6px 0" } }, "Score ", scoreChip(v.article_score)),
      h("div", {}, techPills(v.techniques)))));
    const inline = (row, vid) => {
      const ops = row.inline && row.inline[vid];
      if (!ops) return null;
      const ref = row.reference;
      const parts = [];
      for (const op of ops) {
        if (op[0] === "delete") {
          if (op[3]) parts.push(op[3]);
          parts.push(h("del", { class: "delete", text: cut(ref, op[1], op[2]), title: "in " + ref + ", not in " + vid }));
          if (op[4]) parts.push(op[4]);
        } else if (op[0] === "insert") {
          parts.push(h("ins", { class: "insert", text: cut(vid, op[1], op[2]), title: "only in " + vid }));
        } else parts.push(cut(vid, op[1], op[2]));
      }
      return h("td", {}, parts);
    };
    const table = h("table", { class: "list", id: "alignment-table" },
      h("tr", {}, h("th", { text: "" }), ids.map((vid) => h("th", { text: vid }))),
      c.alignment.map((row) => h("tr", {},
        h("td", {}, h("span", { class: "pill", style: { background: row.status === "shared" ? "#8a93a3" : row.status === "reworded" ? "#f58231" : "#4363d8" }, text: STATUS_LABEL[row.status] || row.status })),
        ids.map((vid) => {
          const span = row.spans[vid];
          if (!span) return h("td", { class: "muted", text: "—" });
          return inline(row, vid) || h("td", { text: slice(vid, span) });
        }))));
    const quote = (x, vid) => "“" + cut(vid, x.start, x.end) + "”";
    const lists = h("div", { class: "sources" }, ids.map((vid) => {
      const d = c.differences[vid];
      const wording = (d.added_wording || []).slice(0, 8);
      return h("div", { class: "card", style: { marginTop: "0" } },
        h("div", { style: { fontWeight: "700" }, text: vid }),
        (d.added_content || []).length ? h("div", { class: "small" }, h("b", { text: "Adds: " }),
          d.added_content.map((x) => quote(x, vid)).join("; ")) : null,
        (d.dropped_content || []).length ? h("div", { class: "small" }, h("b", { text: "Leaves out: " }),
          d.dropped_content.map((x) => quote(x, x.version) + " (" + x.version + ")").join("; ")) : null,
        wording.length ? h("div", { class: "small" }, h("b", { text: "New wording: " }),
          wording.map((w) => quote(w, vid) + (w.score === null || w.score === undefined ? "" : " " + pct(w.score))).join("; ")) : null);
    }));
    clear(out).append(h("section", { class: "card", style: { marginTop: "18px" } }, h("h2", { text: "Versions" }), cards),
      h("section", { class: "card", style: { marginTop: "18px" } }, h("h2", { text: "Added and left out" }), lists),
      h("section", { class: "card", style: { marginTop: "18px", overflowX: "auto" } }, h("h2", { text: "Sentence by sentence" }), table));
  }

  window.addEventListener("hashchange", route);
  route();
})();
