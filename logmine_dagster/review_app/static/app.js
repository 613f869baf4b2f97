// Keyboard shortcuts; every action also works without JavaScript.
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  function byId(id) { return document.getElementById(id); }
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      var form = event.target && event.target.form;
      if (form && (form.id === "add-form" || form.id === "discard-form")) { event.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var rows = Array.prototype.slice.call(document.querySelectorAll("table.cases a.case-link"));
    switch (event.key) {
      case "a": if (byId("expected_output")) { event.preventDefault(); byId("expected_output").focus(); } break;
      case "d": if (byId("reason")) { event.preventDefault(); byId("reason").focus(); } break;
      case "f": if (byId("pii-kind")) { event.preventDefault(); byId("pii-kind").focus(); } break;
      case "s": if (byId("skip-form")) { event.preventDefault(); byId("skip-form").requestSubmit(); } break;
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
})();
