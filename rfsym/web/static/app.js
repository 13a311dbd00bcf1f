// rfsym serve: the page. It edits a spec (JSON), sends it to the server and lays out what the
// server computed. It does no receptive-field arithmetic of its own: every number, formula and
// derivation on the page comes from rfsym's engine in Python.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const GRAPH_NODES = { input: ["size"], add: ["inputs"], concat: ["inputs"] };
  const STARTERS = { kernel_size: 3, padding: 1, cropping: 1, scale_factor: 2, output_size: 1 };
  const state = {
    info: null, spec: null, valid: null, view: null, axis: 0,
    history: [], seq: 0, editStart: 0, focusId: null,
  };

  // -- talking to the server ---------------------------------------------------------------
  async function post(job, body) {
    const res = await fetch("/api/" + job, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    return res.json();
  }

  function setStatus(text, kind) {
    $("status").textContent = text;
    document.body.dataset.state = kind || "ready";
  }

  // -- values <-> text (syntax only: the server's parser reads every expression) -------------
  function split(text, sep) {
    const parts = []; let depth = 0, cur = "";
    for (const ch of text) {
      if (ch === "(") depth++;
      if (ch === ")") depth--;
      if (ch === sep && depth === 0) { parts.push(cur); cur = ""; } else cur += ch;
    }
    parts.push(cur);
    return parts.map((p) => p.trim());
  }
  function atom(t) { return /^-?\d{1,9}$/.test(t) ? parseInt(t, 10) : t; }
  function textToValue(text, field) {
    text = text.trim();
    if (text === "") return undefined;
    if (field === "inputs") return split(text, ",");
    if (field === "name" || field === "input" || field === "op" || field === "mode") return text;
    const parts = split(text, ",").map((p) => {
      const lr = split(p, ":");
      return lr.length === 2 ? lr.map(atom) : atom(p);
    });
    if (parts.length === 1) return Array.isArray(parts[0]) ? [parts[0]] : parts[0];
    return parts;
  }
  function valueToText(v) {
    if (v === undefined || v === null) return "";
    if (Array.isArray(v)) return v.map((x) => (Array.isArray(x) ? x.map(valueToText).join(":") : valueToText(x))).join(", ");
    return String(v);
  }

  // -- the URL keeps the network -------------------------------------------------------------
  function encode(spec) {
    const bytes = new TextEncoder().encode(JSON.stringify(spec));
    let bin = "";
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function decode(text) {
    const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
  }
  function saveUrl() {
    const hash = "#spec=" + encode(state.valid) + (state.axis ? "&axis=" + state.axis : "");
    state.hash = hash;
    history.replaceState(null, "", hash);
  }
  function readUrl() {
    const params = new URLSearchParams(location.hash.slice(1));
    const axis = parseInt(params.get("axis") || "0", 10);
    try {
      if (params.get("spec")) return { spec: decode(params.get("spec")), axis: axis || 0 };
    } catch (e) {
      showMessage("The link's network could not be read (" + e.message + "); starting empty.");
    }
    if (params.get("zoo")) return { zoo: params.get("zoo"), axis: axis || 0 };
    return null;
  }

  // -- the editor ------------------------------------------------------------------------------
  const clone = (x) => JSON.parse(JSON.stringify(x));
  const isGraph = (spec) => spec.kind === "graph";
  const items = (spec) => (isGraph(spec) ? spec.nodes : spec.layers);

  function fieldsOf(item) {
    const kinds = state.info.kinds;
    if (GRAPH_NODES[item.type]) return GRAPH_NODES[item.type];
    return kinds[item.type] ? kinds[item.type].fields : [];
  }

  function makeInput(id, label, text, onApply) {
    const wrap = document.createElement("span"); wrap.className = "field";
    const lab = document.createElement("label"); lab.htmlFor = id;
    lab.textContent = label.short;
    const input = document.createElement("input"); input.type = "text"; input.id = id;
    input.value = text; input.setAttribute("aria-label", label.long);
    input.dataset.valid = text;
    if (label.placeholder !== undefined) input.placeholder = label.placeholder;
    input.dataset.applied = text;
    const apply = () => {
      if (input.value === input.dataset.applied) return; // Enter, then the change on blur
      input.dataset.applied = input.value;
      onApply(input.value, input);
    };
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") { ev.preventDefault(); apply(); }
      if (ev.key === "Escape") { input.value = input.dataset.valid; clearFieldError(input); apply(); }
    });
    input.addEventListener("change", apply);
    const err = document.createElement("span"); err.className = "field-error"; err.id = id + "-error";
    err.setAttribute("role", "alert");
    input.setAttribute("aria-describedby", err.id);
    const line = document.createElement("span"); line.append(lab, " ", input);
    wrap.append(line, err);
    return wrap;
  }

  function renderMeta() {
    const meta = $("meta"); meta.textContent = "";
    const spec = state.spec;
    const top = [["name", "network name"], ["ndim", "number of axes"]];
    if (isGraph(spec)) top.push(["input_size", "input size"]);
    for (const [field, long] of top) {
      meta.append(makeInput("meta-" + field, { short: field, long: long }, valueToText(spec[field]), (text) => {
        edit((s) => { const v = textToValue(text, field); if (v === undefined) delete s[field]; else s[field] = v; }, "meta-" + field);
      }));
    }
    const symText = Object.entries(spec.symbols || {}).map(([k, v]) => k + ": " + v).join(", ");
    meta.append(makeInput("meta-symbols", { short: "symbols", long: "symbol kinds", placeholder: "p: nonnegative" }, symText, (text) => {
      edit((s) => {
        const table = {};
        for (const part of split(text, ",")) {
          if (!part) continue;
          const [name, kind] = split(part, ":");
          table[name] = kind === undefined ? "positive" : kind;
        }
        if (Object.keys(table).length) s.symbols = table; else delete s.symbols;
      }, "meta-symbols");
    }));
  }

  function renderEditor() {
    renderMeta();
    const list = $("layers"); list.textContent = "";
    const spec = state.spec, graph = isGraph(spec);
    const types = Object.keys(state.info.kinds);
    const all = graph ? ["input", "add", "concat", ...types] : types;
    items(spec).forEach((item, i) => {
      const n = i + 1, li = document.createElement("li");
      li.className = "layer"; li.dataset.index = String(n);
      const idx = document.createElement("span"); idx.className = "index"; idx.textContent = String(n);
      const sel = document.createElement("select"); sel.id = `l${n}-type`;
      sel.setAttribute("aria-label", `${graph ? "node" : "layer"} ${n} type`);
      for (const t of all) { const o = document.createElement("option"); o.value = t; o.textContent = t; sel.append(o); }
      sel.value = item.type;
      sel.addEventListener("change", () => edit((s) => { items(s)[i] = retype(items(s)[i], sel.value); }, sel.id, true));
      li.append(idx, sel);
      const what = graph ? "node" : "layer";
      li.append(makeInput(`l${n}-name`, { short: "name", long: `${what} ${n} name` }, valueToText(item.name), (text, el) => setField(i, "name", text, el)));
      if (graph && !GRAPH_NODES[item.type]) {
        li.append(makeInput(`l${n}-input`, { short: "input", long: `${what} ${n} input` }, valueToText(item.input), (text, el) => setField(i, "input", text, el)));
      }
      for (const field of fieldsOf(item)) {
        if (field === "ceil_mode") {
          const lab = document.createElement("label"); const box = document.createElement("input");
          box.type = "checkbox"; box.id = `l${n}-ceil_mode`; box.checked = !!item.ceil_mode;
          box.addEventListener("change", () => edit((s) => { if (box.checked) items(s)[i].ceil_mode = true; else delete items(s)[i].ceil_mode; }, box.id, false));
          lab.append(box, " ceil_mode"); li.append(lab); continue;
        }
        const kind = state.info.kinds[item.type];
        const def = kind && kind.defaults[field] !== undefined ? String(kind.defaults[field]) : undefined;
        li.append(makeInput(`l${n}-${field}`, { short: field, long: `${what} ${n} ${field}`, placeholder: def },
          valueToText(item[field]), (text, el) => setField(i, field, text, el)));
      }
      const moves = document.createElement("span"); moves.className = "moves";
      for (const [label, act, sign] of [["↑", "up", -1], ["↓", "down", 1], ["+", "insert", 0], ["✕", "remove", null]]) {
        const b = document.createElement("button"); b.type = "button"; b.textContent = label; b.id = `l${n}-${act}`;
        b.setAttribute("aria-label", { up: `Move ${what} ${n} up`, down: `Move ${what} ${n} down`, insert: `Insert a ${what} after ${n}`, remove: `Remove ${what} ${n}` }[act]);
        b.addEventListener("click", () => structural(i, act, sign, b.id));
        moves.append(b);
      }
      li.append(moves);
      list.append(li);
    });
    $("to-graph").disabled = graph;
    $("add-layer").textContent = graph ? "Add node" : "Add layer";
  }

  function retype(item, type) {
    const next = { type: type };
    for (const key of ["name", "input"]) if (item[key] !== undefined) next[key] = item[key];
    const fields = GRAPH_NODES[type] || state.info.kinds[type].fields;
    for (const f of fields) if (item[f] !== undefined) next[f] = item[f];
    const required = GRAPH_NODES[type] ? [] : state.info.kinds[type].required;
    for (const f of required) if (next[f] === undefined) next[f] = STARTERS[f] !== undefined ? STARTERS[f] : 1;
    if (type === "add" || type === "concat") { next.inputs = item.inputs || (item.input ? [item.input] : []); delete next.input; }
    if (type === "input") delete next.input;
    return next;
  }

  function setField(i, field, text, el) {
    edit((s) => {
      const v = textToValue(text, field);
      if (v === undefined) delete items(s)[i][field]; else items(s)[i][field] = v;
    }, el.id);
  }

  function freshName(spec) {
    const names = new Set(items(spec).map((x) => x.name));
    let k = items(spec).length + 1;
    while (names.has("node" + k)) k++;
    return "node" + k;
  }

  function structural(i, act, sign, id) {
    edit((s) => {
      const list = items(s);
      if (act === "remove") { list.splice(i, 1); return; }
      if (act === "insert") {
        const layer = { type: "conv", kernel_size: 3 };
        if (isGraph(s)) { layer.name = freshName(s); layer.input = list[i].name; }
        list.splice(i + 1, 0, layer); return;
      }
      const j = i + sign;
      if (j < 0 || j >= list.length) return;
      [list[i], list[j]] = [list[j], list[i]];
    }, act === "remove" ? null : act === "insert" ? `l${i + 2}-type` : `l${i + sign + 1}-${act}`, true);
  }

  // -- applying an edit: the server checks it; the last valid state stays on screen otherwise --
  function edit(change, focusId, rerender) {
    const draft = clone(state.spec);
    change(draft);
    state.spec = draft;
    state.focusId = focusId;
    if (rerender) { renderEditor(); restoreFocus(); }
    analyse(draft, true);
  }

  function restoreFocus() {
    const el = state.focusId && $(state.focusId);
    if (el) el.focus();
  }

  async function analyse(spec, record) {
    const seq = ++state.seq;
    state.editStart = performance.now();
    setStatus("Updating", "busy");
    let answer, figs;
    try { // the figures are drawn by a second worker while the first derives
      [answer, figs] = await Promise.all([
        post("analyse", { spec: spec, axis: state.axis }),
        post("figures", { spec: spec, axis: state.axis }),
      ]);
    } catch (e) {
      answer = { ok: false, error: { message: "the server does not answer (" + e.message + ")" } };
    }
    if (answer.ok) answer.figures = figs.ok ? figs : { index: null, boxes: null, notes: [figs.error.message] };
    if (seq !== state.seq) return; // a newer edit is on its way
    const fetched = performance.now();
    clearErrors();
    if (!answer.ok) {
      showError(answer.error);
      setStatus("Not applied: the last valid network is shown", "error");
      document.body.dataset.updates = String(Number(document.body.dataset.updates) + 1);
      return;
    }
    if (record && state.valid !== null) state.history.push({ spec: state.valid, view: state.view, axis: state.axis });
    state.valid = clone(spec);
    state.view = answer;
    markValid();
    renderView(answer);
    saveUrl();
    const rendered = performance.now();
    // timed to the first frame painted with the new content (two animation frames)
    requestAnimationFrame(() => requestAnimationFrame(() => {
      if (seq !== state.seq) return;
      const ms = performance.now() - state.editStart;
      document.body.dataset.updateMs = ms.toFixed(1);
      document.body.dataset.fetchMs = (fetched - state.editStart).toFixed(1);
      document.body.dataset.renderMs = (rendered - fetched).toFixed(1);
      const engine = Math.max(answer.compute_ms, answer.figures.compute_ms || 0);
      document.body.dataset.computeMs = String(engine);
      setStatus(`Updated in ${ms.toFixed(0)} ms (engine ${engine.toFixed(0)} ms)`, "ready");
      document.body.dataset.updates = String(Number(document.body.dataset.updates) + 1);
    }));
  }

  function markValid() {
    for (const input of document.querySelectorAll("#editor input[type=text]")) input.dataset.valid = input.value;
  }

  function clearFieldError(input) {
    input.removeAttribute("aria-invalid");
    const err = $(input.id + "-error"); if (err) err.textContent = "";
  }
  function clearErrors() {
    for (const el of document.querySelectorAll("[aria-invalid=true]")) clearFieldError(el);
    $("message").hidden = true; $("message").textContent = "";
  }
  function showMessage(text) { $("message").textContent = text; $("message").hidden = false; }

  function showError(error) {
    let target = null;
    if (error.index && error.field) target = $(`l${error.index}-${error.field}`);
    if (!target && error.index) target = $(`l${error.index}-type`);
    if (!target && error.field) target = $("meta-" + error.field);
    if (target && target.tagName === "INPUT" && target.type === "text") {
      target.setAttribute("aria-invalid", "true");
      $(target.id + "-error").textContent = error.message;
      return;
    }
    showMessage(error.message);
  }

  // -- the results -----------------------------------------------------------------------------
  function cell(tr, value, cls) {
    const td = document.createElement("td"); if (cls) td.className = cls;
    if (value && value.mathml) td.innerHTML = value.mathml;
    else td.textContent = value === null || value === undefined ? "" : typeof value === "object" ? value.text : String(value);
    tr.append(td);
  }

  function renderView(view) {
    const axisSel = $("axis"); axisSel.textContent = "";
    view.axis_names.forEach((name, i) => { const o = document.createElement("option"); o.value = String(i); o.textContent = `${i} (${name})`; axisSel.append(o); });
    axisSel.value = String(view.axis); axisSel.disabled = view.ndim < 2;
    const summary = $("summary"); summary.textContent = "";
    for (const out of view.outputs) {
      const li = document.createElement("li"); const b = document.createElement("span");
      b.className = "value"; b.textContent = out.summary; li.append(`Output ${out.node}: `, b); summary.append(li);
    }
    const body = $("table").tBodies[0]; const rows = document.createDocumentFragment();
    view.rows.forEach((row, i) => {
      const tr = document.createElement("tr"); tr.dataset.node = row.node;
      if (row.aligned === false) tr.className = "misaligned";
      cell(tr, i); cell(tr, row.node, "node"); cell(tr, row.type, "type"); cell(tr, row.size);
      cell(tr, row.rf); cell(tr, row.jump); cell(tr, row.start); cell(tr, row.centre);
      cell(tr, row.aligned === undefined ? "" : row.aligned ? "yes" : "no");
      rows.append(tr);
    });
    body.replaceChildren(rows);
    const notes = $("notes"); notes.textContent = "";
    for (const note of view.notes) { const p = document.createElement("p"); p.textContent = note; notes.append(p); }
    $("forms-section").hidden = view.forms.length === 0;
    $("forms").innerHTML = view.forms.map((f) => `<div class="form">${f.mathml}</div>`).join("");
    renderWhatif(view);
    renderFigures(view.figures);
    const d = $("derivation");
    if (view.derivation.html) d.innerHTML = view.derivation.html;
    else { d.textContent = ""; const p = document.createElement("p"); p.className = "note"; p.textContent = view.derivation.note; d.append(p); }
  }

  function renderFigures(figs) {
    for (const [key, id] of [["index", "figure-index"], ["boxes", "figure-boxes"]]) {
      const fig = $(id), found = figs[key];
      fig.hidden = !found;
      fig.querySelector(".svg").innerHTML = found ? found.svg : "";
      fig.querySelector("figcaption").textContent = found ? found.description : "";
    }
    const notes = $("figure-notes"); notes.textContent = "";
    for (const note of figs.notes) { const p = document.createElement("p"); p.className = "note"; p.textContent = note; notes.append(p); }
  }

  function renderWhatif(view) {
    $("whatif-section").hidden = view.symbols.length === 0;
    const sel = $("wi-unknown"); const keep = sel.value; sel.textContent = "";
    for (const name of view.symbols) { const o = document.createElement("option"); o.value = name; o.textContent = name; sel.append(o); }
    if (view.symbols.includes(keep)) sel.value = keep;
  }

  async function solve(ev) {
    ev.preventDefault();
    $("wi-error").textContent = ""; $("wi-target").removeAttribute("aria-invalid");
    const values = split($("wi-values").value, ",").filter((x) => x);
    const answer = await post("whatif", {
      spec: state.valid, axis: state.axis, unknown: $("wi-unknown").value, target: $("wi-target").value,
      relation: $("wi-relation").value, quantity: $("wi-quantity").value, values: values,
    });
    if (!answer.ok) { $("wi-error").textContent = answer.error.message; $("whatif-explain").textContent = ""; $("whatif-plot").hidden = true; $("whatif-derivation").textContent = ""; return; }
    $("whatif-explain").textContent = answer.explain;
    $("whatif-plot").hidden = !answer.plot;
    $("whatif-plot").querySelector(".svg").innerHTML = answer.plot || "";
    $("whatif-derivation").innerHTML = answer.html || "";
  }

  async function exportAs(fmt) {
    $("export-error").textContent = ""; $("export-note").textContent = "";
    const answer = await post("export", { spec: state.valid, axis: state.axis, format: fmt });
    if (!answer.ok) { $("export-error").textContent = answer.error.message; return; }
    $("export-note").textContent = answer.filename + (answer.note ? ": " + answer.note : "");
    const url = URL.createObjectURL(new Blob([answer.text], { type: answer.mime }));
    const a = document.createElement("a"); a.href = url; a.download = answer.filename;
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // -- loading networks ------------------------------------------------------------------------
  async function loadSpec(spec, axis) {
    state.spec = clone(spec); state.axis = axis || 0; state.focusId = null;
    renderEditor();
    await analyse(spec, true);
  }

  async function loadZoo(name) {
    const res = await fetch("/api/zoo/" + encodeURIComponent(name));
    const answer = await res.json();
    if (!answer.ok) { showMessage(answer.error.message); return; }
    await loadSpec(answer.spec, 0);
  }

  async function readFile(input, asText) {
    const file = input.files[0]; input.value = "";
    if (!file) return;
    if (asText) {
      const answer = await post("load", { text: await file.text(), source: file.name });
      if (!answer.ok) { showMessage(answer.error.message); return; }
      await loadSpec(answer.spec, 0);
      return;
    }
    const res = await fetch("/api/onnx", { method: "POST", headers: { "Content-Type": "application/octet-stream" }, body: await file.arrayBuffer() });
    const answer = await res.json();
    if (!answer.ok) { showMessage(file.name + ": " + answer.error.message); return; }
    await loadSpec(answer.spec, 0);
    if (answer.diagnostics.length) showMessage(file.name + ": " + answer.diagnostics.join("\n") + (answer.partial ? "\n(the imported graph is partial)" : ""));
  }

  function undo() {
    const prev = state.history.pop();
    if (!prev) { setStatus("Nothing to undo", "ready"); return; }
    state.spec = clone(prev.spec); state.valid = clone(prev.spec); state.view = prev.view; state.axis = prev.axis;
    clearErrors(); renderEditor(); renderView(prev.view); saveUrl();
    setStatus("Undone", "ready");
    document.body.dataset.updates = String(Number(document.body.dataset.updates) + 1);
  }

  function wire() {
    const zoo = $("zoo-select");
    for (const name of state.info.zoo) { const o = document.createElement("option"); o.value = name; o.textContent = name; zoo.append(o); }
    $("zoo-load").addEventListener("click", () => loadZoo(zoo.value));
    $("spec-file").addEventListener("change", () => readFile($("spec-file"), true));
    if (state.info.onnx) $("onnx-file").addEventListener("change", () => readFile($("onnx-file"), false));
    else { $("onnx-file").disabled = true; $("onnx-file").title = "needs the onnx extra: pip install 'rfsym[onnx]'"; }
    $("new-chain").addEventListener("click", () => loadSpec({ schema_version: 1, layers: [] }, 0));
    $("to-graph").addEventListener("click", async () => {
      const answer = await post("to_graph", { spec: state.valid });
      if (!answer.ok) { showMessage(answer.error.message); return; }
      await loadSpec(answer.spec, state.axis);
    });
    $("undo").addEventListener("click", undo);
    $("add-layer").addEventListener("click", () => {
      const n = items(state.spec).length;
      edit((s) => {
        const layer = { type: "conv", kernel_size: 3 };
        if (isGraph(s)) { layer.name = freshName(s); if (n) layer.input = items(s)[n - 1].name; }
        items(s).push(layer);
      }, `l${n + 1}-kernel_size`, true);
    });
    $("axis").addEventListener("change", () => { state.axis = parseInt($("axis").value, 10); analyse(state.valid, false); });
    $("whatif").addEventListener("submit", solve);
    for (const b of document.querySelectorAll("[data-export]")) b.addEventListener("click", () => exportAs(b.dataset.export));
    document.addEventListener("keydown", (ev) => {
      const typing = ev.target instanceof HTMLInputElement && ev.target.type === "text";
      if ((ev.ctrlKey || ev.metaKey) && ev.key === "z" && !typing) { ev.preventDefault(); undo(); }
    });
  }

  async function start() {
    state.info = await (await fetch("/api/info")).json();
    wire();
    const fromUrl = readUrl();
    if (fromUrl && fromUrl.spec) { state.axis = fromUrl.axis; await loadSpec(fromUrl.spec, fromUrl.axis); }
    else if (fromUrl && fromUrl.zoo) await loadZoo(fromUrl.zoo);
    else if (state.info.initial) await loadSpec(state.info.initial, 0);
    else await loadSpec({ schema_version: 1, layers: [] }, 0);
    state.history = [];
  }

  async function followLink() { // a link pasted into this tab: load what it names
    if (location.hash === state.hash) return;
    const fromUrl = readUrl();
    if (fromUrl && fromUrl.spec) await loadSpec(fromUrl.spec, fromUrl.axis);
    else if (fromUrl && fromUrl.zoo) await loadZoo(fromUrl.zoo);
  }

  window.addEventListener("hashchange", () => { followLink(); });
  document.addEventListener("DOMContentLoaded", () => {
    start().catch((e) => { setStatus("The page could not start: " + e.message, "error"); });
  });
})();
