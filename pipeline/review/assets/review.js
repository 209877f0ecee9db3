/* ogi review: the index and the report page. Runs from file://, loads only local <script> data
   files (data/index.js, data/r/<id>.js, data/clean/<n>.js), never the network. */
(function () {
  "use strict";
  const OGI = window.OGI = { tpl: null, idx: null, byId: {}, want: null, cur: null };
  const $ = (sel, el) => (el || document).querySelector(sel);
  const $$ = (sel, el) => Array.from((el || document).querySelectorAll(sel));
  const esc = s => String(s == null ? "" : s).replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
  const isIndex = () => document.body.classList.contains("index");

  // ------------------------------------------------------------------ data files
  OGI.templates = t => { OGI.tpl = t; };
  OGI.packed = (name, b64) => {
    inflate(b64).then(text => OGI[name](JSON.parse(text))).catch(err => problem("cannot read data: " + err));
  };
  async function inflate(b64) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return await new Response(stream).text();
  }
  OGI.index = rows => {
    OGI.idx = rows;
    if (isIndex()) startIndex(); else startReport();
  };
  OGI.report = r => { OGI.byId[r.id] = r; if (OGI.want === r.id) showReport(); };
  OGI.reports = list => { for (const r of list) OGI.byId[r.id] = r; if (OGI.want && OGI.byId[OGI.want]) showReport(); };
  function problem(msg) {
    const el = $("#summary") || $("#title");
    if (el) el.textContent = msg;
  }
  function loadScript(src) {
    const s = document.createElement("script");
    s.src = src;
    s.onerror = () => problem("missing data file " + src + ": run `ogi review` again");
    document.body.appendChild(s);
  }

  // ------------------------------------------------------------------ index
  const FILTERS = ["status", "check", "agency", "year", "format"];
  let sortKey = "review", sortDir = -1;
  function startIndex() {
    const rows = OGI.idx;
    const n = s => rows.filter(r => r.status === s).length;
    const review = rows.filter(r => r.review).length;
    $("#summary").textContent = `${rows.length} reports: ${n("ok")} ok, ${n("partial")} partial, ` +
      `${n("not_a_report")} not a report, ${n("failed")} failed; ${review} with something to review.`;
    const values = {
      status: rows.map(r => r.status), agency: rows.map(r => r.agency), year: rows.map(r => r.year),
      format: rows.map(r => r.format), check: rows.flatMap(r => r.failed.concat(r.failed_warn)),
    };
    for (const f of FILTERS) {
      const sel = $("#filter-" + f);
      const opts = Array.from(new Set(values[f].filter(v => v !== ""))).sort();
      if (f === "check") { sel.add(new Option("any failed check", "*")); sel.add(new Option("no failed check", "-")); }
      for (const v of opts) sel.add(new Option(f === "check" ? v + " failed" : v, v));
      sel.addEventListener("change", renderIndex);
    }
    $("#search").addEventListener("input", renderIndex);
    $("#filter-review").addEventListener("change", renderIndex);
    for (const th of $$("#reports th")) th.addEventListener("click", () => {
      const k = th.dataset.sort;
      sortDir = sortKey === k ? -sortDir : 1;
      sortKey = k;
      renderIndex();
    });
    renderIndex();
  }
  function matches(r) {
    const q = $("#search").value.trim().toLowerCase();
    if (q && !(r.agency + " " + r.source_path + " " + r.report_id + " " + r.error).toLowerCase().includes(q)) return false;
    for (const f of FILTERS) {
      const v = $("#filter-" + f).value;
      if (!v) continue;
      if (f === "check") {
        const all = r.failed.concat(r.failed_warn);
        if (v === "*" ? !all.length : v === "-" ? all.length : !all.includes(v)) return false;
      } else if (String(r[f]) !== v) return false;
    }
    return !$("#filter-review").checked || r.review;
  }
  function renderIndex() {
    const MAX = 1000;
    const num = k => ["n_failed", "warnings", "ambiguous", "unplaced", "cells", "year"].includes(k);
    const key = r => sortKey === "review" ? (r.review ? 1 : 0) * 1e6 + r.n_failed * 1e3 + r.warnings : r[sortKey];
    const cmp = (x, y) => (x < y ? -1 : x > y ? 1 : 0);   // code-point order: the same on every machine
    const rows = OGI.idx.filter(matches).sort((a, b) => {
      const x = key(a), y = key(b);
      const c = (num(sortKey) || sortKey === "review") ? (Number(x) || 0) - (Number(y) || 0) : cmp(String(x), String(y));
      return sortDir * c || cmp(String(a.source_path), String(b.source_path));
    });
    for (const th of $$("#reports th")) th.className = th.dataset.sort === sortKey ? (sortDir > 0 ? "asc" : "desc") : "";
    const html = rows.slice(0, MAX).map(r => {
      const checks = r.failed.concat(r.failed_warn.map(c => c + "?")).join(" ");
      return `<tr data-id="${esc(r.report_id)}" class="${r.review ? "review" : ""}">` +
        `<td><a href="report.html#${esc(r.report_id)}">${esc(r.agency || "(no agency)")}</a></td>` +
        `<td>${esc(r.year)}</td><td>${esc(r.template)}</td><td>${esc(r.format)}</td>` +
        `<td class="status-${esc(r.status)}" title="${esc(r.error)}">${esc(r.status)}</td>` +
        `<td class="n-failed">${r.n_failed || ""} ${esc(checks)}</td><td>${r.warnings || ""}</td>` +
        `<td>${r.ambiguous || ""}</td><td>${r.unplaced || ""}</td><td>${esc(r.cells)}</td>` +
        `<td>${esc(r.source_path)}</td></tr>`;
    }).join("");
    $("#reports tbody").innerHTML = html;
    $("#shown").textContent = `${rows.length} of ${OGI.idx.length} shown`;
    $("#more").textContent = rows.length > MAX ? `first ${MAX} listed: filter or search to see the others` : "";
  }

  // ------------------------------------------------------------------ report page
  function startReport() {
    const id = decodeURIComponent(location.hash.slice(1));
    const entry = OGI.idx.find(r => r.report_id === id);
    if (!entry) { problem("no report " + id + " in this run"); return; }
    OGI.cur = entry;
    OGI.want = id;
    if (OGI.byId[id]) showReport(); else loadScript(entry.data);
  }
  window.addEventListener("hashchange", () => { if (!isIndex() && OGI.idx) location.reload(); });

  function cleanData(entry, packed) {
    // a clean report: values in the template's print order ("~": not in cells.csv)
    const tpl = OGI.tpl[entry.template];
    const keys = tpl ? tpl.tables.flatMap(t => t.rows.flatMap(r => r.cols.map(c => `${t.key}/${r.key}/${c}`))) : [];
    const vals = packed.v ? packed.v.split(",") : [];
    const cells = {};
    keys.forEach((k, i) => {
      if (vals[i] !== undefined && vals[i] !== "~") cells[k] = [vals[i], vals[i], (packed.m || {})[k] || "read", null, null, null, "", "", "", []];
    });
    for (const [k, v] of Object.entries(packed.x || {})) cells[k] = [v, v, (packed.m || {})[k] || "read", null, null, null, "", "", "", []];
    return { id: packed.id, cells, checks: [], log: [], clean: true,
      source: { kind: "none", why: "A clean report (read cleanly, every check passed): no source view. " +
        "Run `ogi review OUT_DIR --review-all` to build one for every report." } };
  }

  const C = { value: 0, raw: 1, method: 2, page: 3, bbox: 4, pos: 5, rowLabel: 6, colLabel: 7, state: 8, cands: 9 };
  const K = { id: 0, table: 1, scope: 2, kind: 3, expr: 4, lhs: 5, rhs: 6, diff: 7, status: 8, severity: 9, msg: 10, cells: 11, culprit: 12 };

  function showReport() {
    const entry = OGI.cur;
    const raw = OGI.byId[entry.report_id];
    const data = raw.cells && !Array.isArray(raw.cells) && raw.source ? raw : cleanData(entry, raw);
    OGI.data = data;
    data.checks.forEach(c => { c.keys = c[K.cells] ? c[K.cells].split(";") : []; });
    OGI.failedKeys = new Set(data.checks.filter(c => c[K.status] === "fail").flatMap(c => c.keys));
    OGI.culprits = new Set(data.checks.map(c => c[K.culprit]).filter(Boolean));
    document.title = `ogi review: ${entry.agency} ${entry.year}`;
    $("#title").textContent = `${entry.agency || "(no agency)"} ${entry.year || ""}`;
    $("#meta").innerHTML = [["status", entry.status], ["template", entry.template], ["format", entry.format],
      ["pages", entry.pages], ["cells", entry.cells], ["file", entry.source_path], ["report_id", entry.report_id],
      ["reason", entry.error]].filter(x => x[1]).map(([k, v]) => `<span><b>${k}</b> ${esc(v)}</span>`).join("");
    renderTables(entry, data);
    renderChecks(data);
    renderLog(data);
    renderSource(data);
  }

  function cellClass(key, cell) {
    const cls = ["cell"];
    const st = cell[C.state];
    if (st === "ambiguous" || st === "unplaced") cls.push("st-ambiguous");
    else if (cell[C.value] === "") cls.push("st-empty");
    else if (st === "placed") cls.push("st-placed");
    else if (cell[C.method] === "recovered") cls.push("st-recovered");
    else cls.push("st-read");
    if (OGI.culprits.has(key)) cls.push("culprit");
    else if (OGI.failedKeys.has(key)) cls.push("in-failed");
    return cls.join(" ");
  }
  function cellHtml(key, cell) {
    if (!cell) return `<td class="cell missing" title="not in cells.csv"></td>`;
    const cands = cell[C.cands] && cell[C.cands].length ? `<span class="cands">${cell[C.cands].map(esc).join(" | ")}</span>` : "";
    const tip = `${key}\nprinted: ${cell[C.raw]}\nmethod: ${cell[C.method]}` + (cell[C.state] ? `\n${cell[C.state]}` : "");
    return `<td class="${cellClass(key, cell)}" data-key="${esc(key)}" title="${esc(tip)}">${esc(cell[C.value])}${cands}</td>`;
  }
  function renderTables(entry, data) {
    const tpl = OGI.tpl[entry.template];
    const out = [];
    const placed = new Set();
    if (!tpl) out.push(`<p class="why">No template table was read from this report.</p>`);
    for (const t of tpl ? tpl.tables : []) {
      const has = k => data.cells[k] !== undefined;
      const inTable = Object.keys(data.cells).some(k => k.startsWith(t.key + "/"));
      const colsOf = r => r.cols.filter(c => !t.columns[c].variant || t.rows.some(x => has(`${t.key}/${x.key}/${c}`)));
      let html = `<table class="tpl" data-table="${esc(t.key)}"><caption>${esc(t.title)}${inTable ? "" : " — not found in this report"}</caption>`;
      let prevCols = null;
      const rows = t.sparse ? t.rows.filter(r => r.cols.some(c => has(`${t.key}/${r.key}/${c}`))) : t.rows;
      rows.forEach((r, i) => {
        const cols = colsOf(r);
        const sig = cols.join(",");
        if (sig !== prevCols) {
          html += `<tr><th colspan="2"></th>${cols.map(c => `<th>${esc(t.columns[c].label)}</th>`).join("")}</tr>`;
          prevCols = sig;
        }
        const prev = rows[i - 1];
        let group = "";
        if (!prev || prev.group !== r.group || colsOf(prev).join(",") !== sig) {
          let span = 1;
          while (i + span < rows.length && rows[i + span].group === r.group && colsOf(rows[i + span]).join(",") === sig) span++;
          group = `<th class="group" rowspan="${span}">${esc(r.group)}</th>`;
        }
        html += `<tr data-row="${esc(r.key)}">${group}<th class="row">${esc(r.label)}</th>` +
          cols.map(c => { const k = `${t.key}/${r.key}/${c}`; placed.add(k); return cellHtml(k, data.cells[k]); }).join("") + `</tr>`;
      });
      out.push(html + `</table>`);
    }
    const extra = Object.keys(data.cells).filter(k => !placed.has(k));
    if (extra.length) {
      out.push(`<table class="tpl" data-table="other"><caption>Cells outside the template's printed layout</caption>` +
        extra.map(k => `<tr><th class="row">${esc(k)}</th>${cellHtml(k, data.cells[k])}</tr>`).join("") + `</table>`);
    }
    $("#tables").innerHTML = out.join("");
    for (const td of $$("td.cell[data-key]", $("#tables"))) td.addEventListener("click", () => select(td.dataset.key, "tables"));
  }
  function renderChecks(data) {
    const failed = data.checks.map((c, i) => [c, i]).filter(([c]) => c[K.status] === "fail");
    const skipped = data.checks.filter(c => c[K.status] === "skipped").length;
    const passed = data.checks.filter(c => c[K.status] === "pass").length;
    let html = failed.map(([c, i]) =>
      `<li class="${esc(c[K.severity])}" data-check="${i}"><b>${esc(c[K.id])}</b> ${esc(c[K.table])} ` +
      `<i>${esc(c[K.kind])} ${esc(c[K.scope])}</i>: ${esc(c[K.expr])}<br><span class="msg">${esc(c[K.msg])}` +
      `${c[K.culprit] ? " — culprit " + esc(c[K.culprit]) : ""}</span></li>`).join("");
    if (!failed.length) html = `<li class="none">${data.clean ? "every check passed" : "no failed check"}</li>`;
    html += data.clean ? "" : `<li class="none">${passed} passed, ${skipped} skipped</li>`;
    $("#failed").innerHTML = html;
    for (const li of $$("#failed li[data-check]")) li.addEventListener("click", () => {
      const c = data.checks[Number(li.dataset.check)];
      $$("#failed li.active").forEach(x => x.classList.remove("active"));
      li.classList.add("active");
      select(c[K.culprit] || c.keys[0], "checks", c);
    });
  }
  function renderLog(data) {
    $("#log tbody").innerHTML = data.log.map(e => {
      const key = e[1] && e[2] ? (e[3] ? `${e[1]}/${e[2]}/${e[3]}` : Object.keys(data.cells).find(k => k.startsWith(`${e[1]}/${e[2]}/`))) : "";
      return `<tr class="${esc(e[0])}"${key ? ` data-key="${esc(key)}"` : ""}><td>${esc(e[0])}</td><td>${esc(e[1])}</td>` +
        `<td>${esc(e[2])}</td><td>${esc(e[3])}</td><td>${esc(e[4])}</td><td>${esc(e[5])}</td></tr>`;
    }).join("") || `<tr><td colspan="6">no log entries</td></tr>`;
    for (const tr of $$("#log tr[data-key]")) tr.addEventListener("click", () => select(tr.dataset.key, "log"));
  }

  // ------------------------------------------------------------------ source
  function renderSource(data) {
    const src = data.source || { kind: "none", why: "no source view" };
    const el = $("#source");
    el.dataset.kind = src.kind;
    const entries = Object.entries(data.cells);
    if (src.kind === "pdf") {
      el.innerHTML = src.pages.map(p => {
        const boxes = entries.filter(([, c]) => c[C.page] === p.page && c[C.bbox]).map(([k, c]) => {
          const [x0, top, x1, bottom] = c[C.bbox];
          const st = `left:${100 * x0 / p.w}%;top:${100 * top / p.h}%;width:${100 * (x1 - x0) / p.w}%;height:${100 * (bottom - top) / p.h}%`;
          return `<div class="box src${srcFlags(k)}" data-src="${esc(k)}" style="${st}" title="${esc(k)}"></div>`;
        }).join("");
        return `<div class="page" data-page="${p.page}" data-w="${p.w}" data-h="${p.h}"><img src="img/${esc(p.img)}" alt="page ${p.page}">` +
          `<span class="pno">page ${p.page}</span>${boxes}</div>`;
      }).join("") || `<p class="why">No page of this PDF holds a placed cell.</p>`;
    } else if (src.kind === "text") {
      const byLine = {};
      for (const [k, c] of entries) {
        const p = c[C.pos];
        if (p && p.line !== undefined) (byLine[p.line] = byLine[p.line] || []).push([p.start, p.end, k]);
      }
      el.innerHTML = `<div class="lines">` + src.lines.map((text, i) => {
        const n = src.first + i;
        const marks = (byLine[n] || []).sort((a, b) => a[0] - b[0]);
        let html = "", at = 0;
        for (const [a, b, k] of marks) {
          if (a < at) continue;
          html += esc(text.slice(at, a)) + `<span class="src${srcFlags(k)}" data-src="${esc(k)}">${esc(text.slice(a, b))}</span>`;
          at = b;
        }
        html += esc(text.slice(at));
        return `<div class="line" data-line="${n}"><span class="ln">${n}</span>${html}</div>`;
      }).join("") + `</div>`;
    } else if (src.kind === "grid") {
      const at = {};
      for (const [k, c] of entries) { const p = c[C.pos]; if (p && p.table !== undefined) at[`${p.table}/${p.row}/${p.col}`] = k; }
      el.innerHTML = src.tables.map(t => {
        const rows = [];
        for (const [text, r, c, rs, cs] of t.cells) (rows[r] = rows[r] || []).push([text, r, c, rs, cs]);
        return `<table class="src-grid" data-table="${t.table}"><caption>table ${t.table} of the source</caption>` +
          rows.map(cells => `<tr>` + (cells || []).map(([text, r, c, rs, cs]) => {
            const k = at[`${t.table}/${r}/${c}`];
            return `<td data-row="${r}" data-col="${c}" rowspan="${rs}" colspan="${cs}"` +
              (k ? ` class="src${srcFlags(k)}" data-src="${esc(k)}"` : "") + `>${esc(text)}</td>`;
          }).join("") + `</tr>`).join("") + `</table>`;
      }).join("") || `<p class="why">No table of the source holds a placed cell.</p>`;
    } else {
      el.innerHTML = `<p class="why">${esc(src.why || "no source view")}</p>`;
    }
    for (const s of $$("[data-src]", el)) s.addEventListener("click", () => select(s.dataset.src, "source"));
  }
  function srcFlags(k) {
    return OGI.culprits.has(k) ? " culprit" : OGI.failedKeys.has(k) ? " in-failed" : "";
  }

  // ------------------------------------------------------------------ selection
  function identityOf(key, chosen) {
    if (chosen) return chosen;
    const checks = OGI.data.checks.filter(c => c.keys.includes(key));
    return checks.find(c => c[K.status] === "fail") || checks[0] || null;
  }
  function select(key, from, check) {
    if (!key) return;
    const data = OGI.data;
    const cell = data.cells[key];
    const ident = identityOf(key, check);
    $$(".sel, .ident").forEach(x => x.classList.remove("sel", "ident"));
    for (const k of ident ? ident.keys : []) {
      if (k === key) continue;
      $$(`[data-key="${CSS.escape(k)}"], [data-src="${CSS.escape(k)}"]`).forEach(x => x.classList.add("ident"));
    }
    const inTable = $(`#tables td[data-key="${CSS.escape(key)}"]`);
    const inSource = $$(`#source [data-src="${CSS.escape(key)}"]`);
    if (inTable) inTable.classList.add("sel");
    inSource.forEach(x => x.classList.add("sel"));
    if (from !== "tables" && inTable) inTable.scrollIntoView({ block: "center" });
    if (from !== "source" && inSource.length) inSource[0].scrollIntoView({ block: "center" });
    const pos = cell ? cell[C.pos] : null;
    const where = !cell ? "" : cell[C.bbox] ? `page ${cell[C.page]}, box ${cell[C.bbox].join(" ")}` :
      pos && pos.line !== undefined ? `line ${pos.line}, characters ${pos.start}–${pos.end}` :
      pos ? `table ${pos.table}, row ${pos.row}, column ${pos.col}` : cell[C.page] ? `page ${cell[C.page]}` : "no position";
    const checks = data.checks.filter(c => c.keys.includes(key)).map(c => `${c[K.id]} ${c[K.scope]}: ${c[K.status]}`);
    $("#selected").innerHTML = `<b>${esc(key)}</b>` + (cell ? ` = <b>${esc(cell[C.value]) || "(empty)"}</b>` +
      ` (printed ${esc(JSON.stringify(cell[C.raw]))}, ${esc(cell[C.method])}${cell[C.state] ? ", " + esc(cell[C.state]) : ""})` +
      (cell[C.cands].length ? `<br>candidates: ${cell[C.cands].map(esc).join(", ")}` : "") +
      (cell[C.rowLabel] ? `<br>row printed as ${esc(cell[C.rowLabel])}` : "") : " (not in cells.csv)") +
      `<br>source: <span id="where">${esc(where)}${inSource.length ? "" : " — not shown in the source view"}</span>` +
      (OGI.culprits.has(key) ? `<br><b class="culprit-note">likely culprit</b>` : "") +
      (checks.length ? `<br>checks: ${esc(checks.join("; "))}` : "");
    $("#selected").dataset.key = key;
  }
  OGI.select = select;
})();
