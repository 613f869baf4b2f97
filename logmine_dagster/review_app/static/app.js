// Keyboard shortcuts, canned answers and the expected-vs-model diff; every action also works without JavaScript.
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  function byId(id) { return document.getElementById(id); }
  function submit(form, button) { if (form) { form.requestSubmit(button || undefined); } }

  // Word-level diff (longest common subsequence), capped so a huge output cannot freeze the page.
  var MAX_WORDS = 1500;
  function words(text) { return (text || "").split(/(\s+)/).filter(function (w) { return w.length; }); }
  function diff(a, b) {
    if (a.length > MAX_WORDS || b.length > MAX_WORDS) { return null; }
    var n = a.length, m = b.length, i, j, table = [];
    for (i = 0; i <= n; i++) { table.push(new Uint16Array(m + 1)); }
    for (i = n - 1; i >= 0; i--) {
      for (j = m - 1; j >= 0; j--) {
        table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
      }
    }
    var out = [];
    i = 0; j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i] === b[j]) { out.push(["same", a[i]]); i++; j++; }
      else if (j < m && (i === n || table[i][j + 1] >= table[i + 1][j])) { out.push(["add", b[j]]); j++; }
      else { out.push(["del", a[i]]); i++; }
    }
    return out;
  }
  function showDiff() {
    var box = byId("diff"), model = byId("model-output"), expected = byId("expected_output");
    if (!box || !model) { return; }
    var parts = diff(words(model.textContent), words(expected ? expected.value : ""));
    box.textContent = "";
    if (parts === null) { box.textContent = "Too long to compare word by word."; return; }
    var changed = false, runs = [];
    parts.forEach(function (part) {  // one element per run of the same kind, so a change reads as a phrase
      var last = runs[runs.length - 1];
      if (last && last[0] === part[0]) { last[1] += part[1]; } else { runs.push([part[0], part[1]]); }
    });
    runs.forEach(function (part) {
      var el = document.createElement(part[0] === "same" ? "span" : part[0] === "add" ? "ins" : "del");
      el.textContent = part[1];
      if (part[0] !== "same") { changed = true; }
      box.appendChild(el);
    });
    if (!changed) { var same = document.createElement("p"); same.className = "hint"; same.textContent = "Expected output = model output."; box.prepend(same); }
  }

  function insertCanned(button) {
    var field = byId(button.dataset.field === "reason" ? "reason" : "expected_output");
    if (!field) { return; }
    field.value = button.dataset.text;
    field.dispatchEvent(new Event("input"));
    if (button.dataset.field === "reason") { byId("discard-button").focus(); } else { byId("add-button").focus(); }
  }

  document.addEventListener("input", function (event) { if (event.target && event.target.id === "expected_output") { showDiff(); } });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.canned-item");
    if (button) { insertCanned(button); }
  });
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      var form = event.target && event.target.form;
      if (form && (form.id === "add-form" || form.id === "discard-form")) { event.preventDefault(); submit(form); }
      return;
    }
    if (event.key === "Escape" && typing(event.target)) { event.target.blur(); return; }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var rows = Array.prototype.slice.call(document.querySelectorAll("table.cases a.case-link"));
    if (/^[1-9]$/.test(event.key)) {
      var canned = document.querySelector("button.canned-item[data-key='" + event.key + "']");
      if (canned) { event.preventDefault(); insertCanned(canned); }
      return;
    }
    switch (event.key) {
      case "a": case "e": if (byId("expected_output")) { event.preventDefault(); byId("expected_output").focus(); } break;
      case "y": if (byId("add-form")) { event.preventDefault(); submit(byId("add-form")); } break;
      case "x": case "d":
        if (byId("reason")) {
          event.preventDefault();
          if (event.key === "x" && byId("reason").value.trim()) { submit(byId("discard-form")); } else { byId("reason").focus(); }
        }
        break;
      case "u": if (byId("undo-form")) { event.preventDefault(); submit(byId("undo-form")); } break;
      case "f": if (byId("pii-kind")) { event.preventDefault(); byId("pii-kind").focus(); } break;
      case "s": if (byId("skip-form")) { event.preventDefault(); submit(byId("skip-form")); } break;
      case "g": if (byId("guidelines")) { byId("guidelines").open = !byId("guidelines").open; } break;
      case "n": if (byId("next-case")) { window.location = byId("next-case").href; } break;
      case "q": window.location = "/"; break;
      case "j": case "k":
        if (rows.length) {
          var current = rows.findIndex(function (a) { return a.closest("tr").classList.contains("selected"); });
          if (current >= 0) { rows[current].closest("tr").classList.remove("selected"); }
          var next = event.key === "j" ? Math.min(current + 1, rows.length - 1) : Math.max(current - 1, 0);
          rows[next].closest("tr").classList.add("selected");
          rows[next].focus();
        }
        break;
    }
  });
  var flag = byId("flag-form");
  if (flag) {
    flag.addEventListener("submit", function (event) {
      if (!window.confirm("Quarantine this case for PII? It leaves the queue for everyone.")) { event.preventDefault(); }
    });
  }
  // Forms are submitted once: a second key press while the page loads must not post again.
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    var form = event.target;
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
  });
  showDiff();
})();
