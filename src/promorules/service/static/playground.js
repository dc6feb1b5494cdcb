// promorules playground: plain JavaScript, no build step, no dependency, works offline.
// Reads GET v1/rulesets (the service) and v1/playground/* (this page's endpoints). Edited YAML
// is kept in this tab only (sessionStorage) and sent to the server to check and evaluate;
// the server never writes it anywhere.
"use strict";

const L = {
  en: {
    playground: "playground", ruleset: "Ruleset", decision: "Decision", as_of: "As of",
    facts: "Facts", result: "Result", load_facts: "Paste facts JSON", clear: "Clear",
    apply: "Fill the form", copy_facts: "Copy as facts JSON", copy_test: "Copy as a test example",
    revert: "Revert to served", pick: "Pick a ruleset and a decision, then fill in the facts.",
    tab_only: "Edits live only in this browser tab; nothing is written to the server's disk.",
    pass: "PASS", fail: "FAIL", unknown: "UNKNOWN", error: "Cannot evaluate",
    failed_rules: "Failed rules", missing: "Missing facts", defaults: "Defaults taken",
    warnings: "Warnings", value: "Value", explanation: "Explanation", actual: "actual",
    expected: "expected", gap: "gap", source: "source", not_sent: "not sent",
    default: "default", served: "served version", edited: "edited in this tab",
    valid: "No problems", valid_warn: "Valid, with warnings", errors: "problems",
    invalid_eval: "The edited YAML has errors: fix them to evaluate it.",
    not_in_force: "This version is not in force today: evaluating as of ",
    copied: "Copied to the clipboard", copy_failed: "Select and copy the text below",
    comma: "comma-separated", lowest_first: "lowest first", multi: "Ctrl/⌘-click for several",
    version: "version", took_default: "not sent: its declared default was used",
    bad_json: "Not a JSON object of facts", loading: "Evaluating…",
  },
  zh: {
    playground: "试验台", ruleset: "规则集", decision: "决策", as_of: "评估时间",
    facts: "事实", result: "结果", load_facts: "粘贴事实 JSON", clear: "清空",
    apply: "填入表单", copy_facts: "复制为事实 JSON", copy_test: "复制为测试样例",
    revert: "恢复为线上版本", pick: "请选择规则集和决策，然后填写事实。",
    tab_only: "修改只保存在本浏览器标签页中，不会写入服务器磁盘。",
    pass: "通过", fail: "不通过", unknown: "未知", error: "无法评估",
    failed_rules: "未通过的规则", missing: "缺少的事实", defaults: "采用默认值",
    warnings: "警告", value: "值", explanation: "说明", actual: "实际",
    expected: "要求", gap: "差距", source: "依据", not_sent: "未提供",
    default: "默认", served: "线上版本", edited: "本标签页中已修改",
    valid: "没有问题", valid_warn: "有效，但有警告", errors: "个问题",
    invalid_eval: "修改后的 YAML 有错误，请先修正再评估。",
    not_in_force: "该版本今天不在有效期内：评估时间为 ",
    copied: "已复制到剪贴板", copy_failed: "请选中并复制下面的文本",
    comma: "用逗号分隔", lowest_first: "从低到高", multi: "按住 Ctrl/⌘ 多选",
    version: "版本", took_default: "未提供：采用声明的默认值",
    bad_json: "不是事实的 JSON 对象", loading: "评估中…",
  },
};
const NUMERIC = new Set(["number", "integer", "percent", "money"]);
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
const $ = (id) => document.getElementById(id);
const S = {
  lang: "en", rulesetId: null, decision: null, form: null, served: "", values: {},
  result: null, problems: [], valid: true, evalSeq: 0, checkSeq: 0, timers: {}, autoAsOf: null,
  inputPending: false, notice: null, pickSeq: 0,
};

function t(key) { return (L[S.lang] || L.en)[key] || L.en[key] || key; }
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k in node && typeof v !== "string") node[k] = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
  }
  return node;
}
function debounce(name, ms, fn) {
  clearTimeout(S.timers[name]);
  S.timers[name] = setTimeout(fn, ms);
}
async function api(method, path, body) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {  // the service is down or unreachable
    return { ok: false, status: 0, data: { detail: "the service cannot be reached: " + e.message } };
  }
  let data = null;
  try { data = await response.json(); } catch (e) { data = { detail: response.statusText }; }
  return { ok: response.ok, status: response.status, data };
}
function text2(value) {  // a bilingual text: the page's language first, the other after it
  if (!value) return [null, null];
  return S.lang === "zh" ? [value.zh, value.en] : [value.en, value.zh];
}
function edited() { return $("yaml").value !== S.served; }
function storageKey() { return "promorules.playground.yaml." + S.rulesetId; }

// -- the picker ---------------------------------------------------------------------------

function rulesetIds(data) {  // GET v1/rulesets: a list, or an object holding one
  const list = Array.isArray(data) ? data : (data && (data.rulesets || data.items)) || [];
  return list.map((r) => (typeof r === "string" ? r : r.id || r.ruleset_id)).filter(Boolean);
}
async function start() {
  const r = await api("GET", "v1/rulesets");
  const ids = r.ok ? [...new Set(rulesetIds(r.data))] : [];
  $("ruleset").replaceChildren(...ids.map((id) => el("option", { value: id }, id)));
  if (!r.ok) showNotice((r.data && r.data.detail) || "GET v1/rulesets: " + r.status);
  if (ids.length) await pickRuleset(ids[0]);
}
async function pickRuleset(id) {
  const seq = ++S.pickSeq;  // the last ruleset picked wins, whatever order the answers come in
  S.rulesetId = id;
  $("ruleset").value = id;
  const r = await api("GET", "v1/playground/rulesets/" + encodeURIComponent(id));
  if (seq !== S.pickSeq) return;
  if (!r.ok) { S.notice = null; showNotice(r.data.detail); return; }
  S.form = r.data;
  S.served = r.data.yaml || "";
  const kept = sessionStorage.getItem(storageKey());
  $("yaml").value = kept !== null ? kept : S.served;
  S.problems = [];
  if (S.autoAsOf && $("as-of").value === S.autoAsOf) $("as-of").value = "";  // another ruleset's
  S.autoAsOf = null;
  if (!r.data.in_force_now && r.data.effective_until && !$("as-of").value) {
    S.autoAsOf = $("as-of").value = r.data.effective_until.slice(0, 19);
  }
  S.notice = r.data.in_force_now ? null : ["not_in_force", $("as-of").value || "—"];
  showNotice();
  renderDecisions();
  renderEditor();
  if (edited()) await checkNow(); else renderProblems(true);
  if (seq !== S.pickSeq) return;
  renderForm();
  await evaluateNow();
}
function renderDecisions() {
  const select = $("decision");
  const ids = S.form.decisions.map((d) => d.id);
  if (!ids.includes(S.decision)) S.decision = ids[0] || null;
  select.replaceChildren(...S.form.decisions.map((d) => el(
    "option", { value: d.id }, d.id + (d.kind === "value" ? " (" + (d.type || "value") + ")" : ""))));
  select.value = S.decision;
}
function showNotice(message) {  // a message, or S.notice: [label key, value] (follows the language)
  const text = message || (S.notice ? t(S.notice[0]) + S.notice[1] : "");
  $("notice").hidden = !text;
  $("notice").textContent = text;
}

// -- the facts form -----------------------------------------------------------------------

function currentDecision() { return S.form && S.form.decisions.find((d) => d.id === S.decision); }
function factDecl(name) { return S.form && S.form.facts.find((f) => f.name === name); }

function renderForm() {
  const form = $("form");
  const decision = currentDecision();
  if (!decision) { form.replaceChildren(); return; }
  const [desc] = text2(decision.description);
  $("decision-description").textContent = (desc || "") + (decision.source ? "  ·  " + decision.source : "");
  form.replaceChildren(...decision.facts.map(factDecl).filter(Boolean).map(field));
  markFields();
}
function markFields() {  // the field a 422 names, marked in place (typing keeps its focus)
  const r = S.result;
  for (const node of document.querySelectorAll("#form .field")) {
    const bad = Boolean(r && r.error && r.fact === node.dataset.fact);
    node.classList.toggle("bad", bad);
    const hint = node.querySelector(".hint");
    if (bad && hint) hint.textContent = r.detail;
    else if (bad) node.append(el("div", { class: "hint" }, r.detail));
    else if (hint) hint.remove();
  }
}
function field(fact) {
  const [first, other] = text2(fact.description);
  return el("div", { class: "field", "data-fact": fact.name },
    el("label", { class: "name", for: "fact-" + fact.name }, fact.name),
    el("div", { class: "desc" }, first, other && el("span", { class: "other" }, other)),
    el("div", { class: "control" }, control(fact)));
}
function control(fact) {
  const name = fact.name;
  const id = "fact-" + name;
  const value = S.values[name];
  const set = (v) => { if (v === undefined) delete S.values[name]; else S.values[name] = v; changed(); };
  const dflt = fact.has_default ? t("default") + ": " + show(fact.default) : t("not_sent");
  if (fact.kind === "boolean") {
    const box = el("input", { type: "checkbox", id, "data-kind": "boolean" });
    box.checked = value === true;
    box.indeterminate = value === undefined;
    const state = el("span", { class: "state" }, value === undefined ? dflt : String(value));
    box.addEventListener("change", () => {
      set(box.checked);
      state.textContent = String(box.checked);
    });
    const clear = el("button", { type: "button", class: "unit", title: t("not_sent"),
      style: "border:0;background:none;cursor:pointer", onclick: () => { set(undefined); renderForm(); } }, "×");
    return [el("label", { class: "bool" }, box, state), clear];
  }
  if (fact.kind === "enum" || fact.kind === "ordinal") {
    const select = el("select", { id, "data-kind": fact.kind,
      title: fact.kind === "ordinal" ? t("lowest_first") : null },
      el("option", { value: "" }, "— " + dflt + " —"),
      fact.values.map((v) => el("option", { value: v }, v)));
    select.value = value === undefined ? "" : value;
    select.addEventListener("change", () => set(select.value === "" ? undefined : select.value));
    return select;
  }
  if (fact.kind === "list" && fact.item_kind === "enum") {
    const select = el("select", { id, multiple: true, "data-kind": "list", title: t("multi") },
      fact.values.map((v) => el("option", { value: v, selected: (value || []).includes(v) }, v)));
    select.addEventListener("change", () => {
      const chosen = [...select.selectedOptions].map((o) => o.value);
      set(chosen);
    });
    return select;
  }
  const type = fact.kind === "date" ? "date" : "text";
  const unit = fact.kind === "money" ? fact.currency : fact.kind === "percent" ? "%" : fact.unit;
  const shown = value === undefined ? "" : Array.isArray(value) ? value.join(", ") : String(value);
  const placeholder = fact.kind === "list" ? t("comma") : fact.kind === "datetime"
    ? "2024-03-01T10:00:00+08:00" : fact.has_default ? dflt : fact.expected;
  const input = el("input", { type, id, value: shown, placeholder, title: fact.expected,
    "data-kind": fact.kind, inputmode: NUMERIC.has(fact.kind) ? "decimal" : null });
  input.addEventListener("input", () => {
    const raw = input.value.trim();
    if (raw === "") set(undefined);
    else if (fact.kind === "list") set(raw.split(/[,，、]/).map((s) => s.trim()).filter(Boolean));
    else set(raw);
  });
  return [input, unit ? el("span", { class: "unit" }, unit) : null];
}
function changed() { debounce("evaluate", 150, evaluateNow); }

function factsObject() {  // the facts as sent: exactly what the form holds, in form order
  const out = {};
  const decision = currentDecision();
  const names = decision ? decision.facts : Object.keys(S.values);
  for (const name of names) if (S.values[name] !== undefined) out[name] = S.values[name];
  return out;
}
function jsonValue(name, value) {  // numbers as typed (exact); money as a decimal string
  const fact = factDecl(name);
  if (fact && NUMERIC.has(fact.kind) && fact.kind !== "money" && PLAIN_NUMBER.test(value)) {
    return value.replace(/^(-?)0+(?=\d)/, "$1");
  }
  if (fact && fact.kind === "list" && fact.item_kind !== "enum" && fact.item_kind !== "string") {
    return "[" + value.map((v) => (PLAIN_NUMBER.test(v) ? v : JSON.stringify(v))).join(", ") + "]";
  }
  return JSON.stringify(value);
}
function factsJson() {
  const entries = Object.entries(factsObject());
  if (!entries.length) return "{}\n";
  return "{\n" + entries.map(([k, v]) => "  " + JSON.stringify(k) + ": " + jsonValue(k, v)).join(",\n") + "\n}\n";
}
function fillFrom(facts) {
  for (const [name, value] of Object.entries(facts)) {
    const fact = factDecl(name);
    if (!fact) continue;
    if (value === null) delete S.values[name];
    else if (fact.kind === "boolean") S.values[name] = value === true;
    else if (Array.isArray(value)) S.values[name] = value.map(String);
    else S.values[name] = String(value);
  }
  renderForm();
  changed();
}

// -- evaluation and the result ------------------------------------------------------------

async function evaluateNow() {
  if (!S.form || !S.decision) return;
  const seq = ++S.evalSeq;
  const body = { decision: S.decision, facts: factsObject(), lang: S.lang };
  if ($("as-of").value) body.as_of = $("as-of").value;
  if (edited()) {
    if (!S.valid) { S.result = null; renderMessage(t("invalid_eval")); return; }
    body.yaml = $("yaml").value;
  } else {
    body.ruleset_id = S.rulesetId;
  }
  $("result").setAttribute("aria-busy", "true");
  const r = await api("POST", "v1/playground/evaluate", body);
  if (seq !== S.evalSeq) return;  // a later evaluation was started
  $("result").removeAttribute("aria-busy");
  S.result = r.ok ? r.data : { error: true, status: r.status, ...r.data };
  renderResult();
  markFields();
}
function renderMessage(message) {
  $("result").replaceChildren(el("div", { class: "outcome error", "data-outcome": "error" },
    el("div", { class: "big" }, t("error"))), el("p", {}, message));
}
function failedNodes(trace, failed) {  // the trace's failed leaves named in `failed`, in order
  const wanted = new Set(failed);
  const out = [];
  const walk = (node) => {
    const kids = node.children || [];
    if (node.outcome === "fail" && wanted.has(node.rule_id)
        && !kids.some((c) => c.outcome === "fail" && wanted.has(c.rule_id))) out.push(node);
    kids.forEach(walk);
  };
  if (trace) walk(trace);
  return out;
}
function unitOf(name) {
  const fact = factDecl(name);
  if (!fact) return "";
  if (fact.kind === "money") return " " + fact.currency;
  if (fact.kind === "percent") return "%";
  return fact.unit ? " " + fact.unit : "";
}
function show(value) { return typeof value === "string" ? value : JSON.stringify(value); }
function renderResult() {
  const r = S.result;
  const box = $("result");
  if (!r) return;
  if (r.error) {
    box.setAttribute("data-outcome", "error");
    const list = (r.problems || []).map((p) => el("li", {}, (p.line ? p.line + ":" + (p.column || 1) + " " : "") + p.code + " " + p.message));
    box.replaceChildren(el("div", { class: "outcome error", "data-outcome": "error" },
      el("div", {}, el("div", { class: "big" }, t("error")), el("div", { class: "sub" }, (r.code || r.status) + (r.fact ? " · " + r.fact : "")))),
      el("p", { class: "error-text" }, r.detail), list.length ? el("ul", { class: "small" }, list) : null);
    return;
  }
  box.setAttribute("data-outcome", r.outcome);
  const parts = [];
  const decision = currentDecision();
  // a value decision that gave its value shows the value; otherwise PASS / FAIL / UNKNOWN
  const valued = decision && decision.kind === "value" && r.outcome === "pass";
  parts.push(el("div", { class: "outcome " + (valued ? "valued" : r.outcome), "data-outcome": r.outcome },
    el("div", {}, valued ? el("div", { class: "label" }, t("value")) : null,
      el("div", { class: "big", id: valued ? "value" : "outcome" }, valued ? show(r.value) : t(r.outcome)),
      el("div", { class: "sub" }, r.decision + " · " + r.ruleset_id + " " + t("version") + " " + r.ruleset_version
        + (edited() ? " (" + t("edited") + ")" : "") + (r.as_of ? " · " + r.as_of : "")))));

  const failed = failedNodes(r.trace, r.failed || []);
  if (failed.length) {
    parts.push(el("h3", {}, t("failed_rules") + " (" + failed.length + ")"));
    for (const node of failed) {
      const [desc] = text2(node.description);
      const actual = Object.entries(node.actual || {}).map(([k, v]) => k + " = " + show(v) + unitOf(k)).join(", ");
      const subject = (node.facts || [])[0];
      const rows = [["actual", actual], ["expected", node.expected],
        ["gap", node.gap === null || node.gap === undefined ? null : show(node.gap) + unitOf(subject)],
        ["source", node.source]];
      parts.push(el("div", { class: "rule", "data-rule": node.rule_id },
        el("div", { class: "rid" }, node.rule_id), el("div", { class: "rdesc" }, desc),
        el("dl", {}, rows.filter(([, v]) => v).flatMap(([k, v]) => [el("dt", {}, t(k)), el("dd", { class: k }, v)]))));
    }
  }
  if ((r.missing || []).length) {
    parts.push(el("h3", {}, t("missing")), el("div", { class: "chips" }, r.missing.map((m) =>
      el("span", { class: "chip", onclick: () => { const f = $("fact-" + m); if (f) f.focus(); } }, m))));
  }
  if (r.defaults && Object.keys(r.defaults).length) {
    parts.push(el("h3", {}, t("defaults")), el("div", { class: "chips" }, Object.entries(r.defaults).map(([k, v]) =>
      el("span", { class: "chip plain", title: t("took_default") }, k + " = " + show(v)))));
  }
  if ((r.warnings || []).length) {
    parts.push(el("h3", {}, t("warnings")), r.warnings.map((w) => el("div", { class: "warning" }, w)));
  }
  parts.push(el("details", { class: "explain", open: true }, el("summary", {}, t("explanation")),
    el("pre", { id: "explanation" }, r.explanation)));
  box.replaceChildren(...parts);
}

// -- copy buttons -------------------------------------------------------------------------

function yamlKey(s) { return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? s : JSON.stringify(s); }
function testExample() {
  const r = S.result && !S.result.error ? S.result : null;
  const outcome = r ? r.outcome : "unknown";
  const id = r ? r.ruleset_id : S.rulesetId;  // the edited text's id, when it is edited
  const lines = [
    "# " + id + ".test.yaml: an example tried in the promorules playground.",
    "# Run it with `promorules test`; to keep it, add the item under `examples:` to the",
    "# ruleset's NAME.test.yaml.",
    "ruleset: " + yamlKey(id),
    "examples:",
    "  - name: " + JSON.stringify(S.decision + " " + outcome
      + (r && r.failed.length ? " (" + r.failed.join(", ") + ")" : "") + ", tried in the playground"),
    "    decision: " + yamlKey(S.decision),
  ];
  if ($("as-of").value) lines.push("    as_of: " + JSON.stringify($("as-of").value));
  const facts = factsObject();
  if (Object.keys(facts).length) {
    lines.push("    facts:");
    for (const [k, v] of Object.entries(facts)) lines.push("      " + yamlKey(k) + ": " + jsonValue(k, v));
  } else {
    lines.push("    facts: {}");
  }
  const expect = ["outcome: " + outcome];
  if (r && outcome !== "unknown") expect.push("failed: [" + r.failed.map(yamlKey).join(", ") + "]");
  if (r && outcome === "unknown") expect.push("missing: [" + r.missing.map(yamlKey).join(", ") + "]");
  const decision = currentDecision();
  if (r && decision && decision.kind === "value" && r.value !== null) expect.push("value: " + JSON.stringify(r.value));
  lines.push("    expect: {" + expect.join(", ") + "}");
  return lines.join("\n") + "\n";
}
async function copy(kind, text) {
  $("copied").hidden = false;
  $("copied").setAttribute("data-kind", kind);
  $("copied-text").value = text;
  let ok = false;
  try { await navigator.clipboard.writeText(text); ok = true; } catch (e) {
    $("copied-text").select();
    try { ok = document.execCommand("copy"); } catch (e2) { ok = false; }
  }
  $("copied-label").textContent = ok ? t("copied") : t("copy_failed");
}

// -- the YAML editor ----------------------------------------------------------------------

function renderEditor() {
  const lines = $("yaml").value.split("\n").length;
  const marks = {};
  for (const p of S.problems) {
    if (p.line && marks[p.line] !== "error") marks[p.line] = p.severity;
  }
  const gutter = $("gutter");
  const rows = [];
  for (let i = 1; i <= lines; i++) {
    const row = document.createElement("div");
    row.textContent = i;
    if (marks[i]) { row.className = marks[i]; row.title = S.problems.filter((p) => p.line === i).map((p) => p.code + " " + p.message).join("\n"); }
    rows.push(row);
  }
  gutter.replaceChildren(...rows);
  gutter.scrollTop = $("yaml").scrollTop;
  const tag = $("editor-state");
  tag.textContent = edited() ? t("edited") : t("served");
  tag.className = "tag" + (edited() ? " edited" : "");
}
function renderProblems(valid) {
  S.valid = valid;
  const errors = S.problems.filter((p) => p.severity === "error").length;
  const summary = $("check-summary");
  summary.className = "check-summary " + (errors ? "bad" : "ok");
  summary.textContent = errors ? errors + " " + t("errors")
    : S.problems.length ? t("valid_warn") + " (" + S.problems.length + ")" : "✓ " + t("valid");
  $("problems").replaceChildren(...S.problems.map((p) => el("li", {
    class: p.severity, "data-line": p.line || "", onclick: () => jumpTo(p.line, p.column) },
    el("span", { class: "where" }, p.line ? "L" + p.line + ":" + (p.column || 1) : "—"),
    el("span", { class: "code" }, p.code), p.message,
    p.hint ? el("span", { class: "hint" }, "→ " + p.hint) : null)));
  renderEditor();
}
function jumpTo(line, column) {
  if (!line) return;
  const area = $("yaml");
  const lines = area.value.split("\n");
  let start = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
  const length = (lines[line - 1] || "").length;
  area.focus();
  area.setSelectionRange(start + Math.min((column || 1) - 1, length), start + length);
  area.scrollTop = Math.max(0, (line - 1) * 18 - area.clientHeight / 3);
  $("gutter").scrollTop = area.scrollTop;
}
async function checkNow() {
  const seq = ++S.checkSeq;
  const r = await api("POST", "v1/playground/check", { yaml: $("yaml").value });
  if (seq !== S.checkSeq) return;
  if (!r.ok) {
    S.problems = [{ severity: "error", code: r.data.code || String(r.status), message: r.data.detail, line: null }];
    renderProblems(false);
    return;
  }
  S.problems = r.data.problems;
  if (r.data.ruleset) {  // the form follows the edited declarations; values are kept
    S.form = { ...r.data.ruleset, yaml: S.served };
    renderDecisions();
    renderForm();
  }
  renderProblems(r.data.valid);
}
function onYamlInput() {
  // a paste fires "input" once per line it inserts: do the work once, after the last one
  if (!S.inputPending) {
    S.inputPending = true;
    setTimeout(() => { S.inputPending = false; yamlChanged(); }, 0);
  }
}
function yamlChanged() {
  if (edited()) sessionStorage.setItem(storageKey(), $("yaml").value);
  else sessionStorage.removeItem(storageKey());
  renderEditor();
  debounce("check", 250, async () => { await checkNow(); await evaluateNow(); });
}

// -- language -----------------------------------------------------------------------------

function setLang(lang) {
  S.lang = lang;
  document.documentElement.lang = lang === "zh" ? "zh-Hans" : "en";
  $("lang-en").classList.toggle("on", lang === "en");
  $("lang-zh").classList.toggle("on", lang === "zh");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  renderForm();
  renderProblems(S.valid);
  renderResult();
  if (S.notice) showNotice();
  evaluateNow();
}

// -- wiring -------------------------------------------------------------------------------

function wire() {
  $("ruleset").addEventListener("change", (e) => pickRuleset(e.target.value));
  $("decision").addEventListener("change", (e) => { S.decision = e.target.value; renderForm(); evaluateNow(); });
  $("as-of").addEventListener("input", changed);
  $("lang-en").addEventListener("click", () => setLang("en"));
  $("lang-zh").addEventListener("click", () => setLang("zh"));
  $("yaml").addEventListener("input", onYamlInput);
  $("yaml").addEventListener("scroll", () => { $("gutter").scrollTop = $("yaml").scrollTop; });
  $("yaml").addEventListener("keydown", (e) => {
    if (e.key === "Tab") {  // two spaces, as YAML wants
      e.preventDefault();
      document.execCommand("insertText", false, "  ");
    }
  });
  $("revert").addEventListener("click", () => {
    $("yaml").value = S.served;
    $("yaml").scrollLeft = 0;
    yamlChanged();
  });
  $("load-facts").addEventListener("click", () => { $("paste-box").hidden = !$("paste-box").hidden; });
  $("apply-facts").addEventListener("click", () => {
    let facts = null;
    try { facts = JSON.parse($("paste-facts").value); } catch (e) { facts = null; }
    if (!facts || typeof facts !== "object" || Array.isArray(facts)) { $("paste-error").textContent = t("bad_json"); return; }
    $("paste-error").textContent = "";
    fillFrom(facts);
  });
  $("clear-facts").addEventListener("click", () => { S.values = {}; renderForm(); changed(); });
  $("copy-facts").addEventListener("click", () => copy("facts", factsJson()));
  $("copy-test").addEventListener("click", () => copy("test", testExample()));
  $("copied-close").addEventListener("click", () => { $("copied").hidden = true; });
}
wire();
start();
