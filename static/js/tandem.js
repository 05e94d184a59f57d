// Tandem works without JavaScript; this file only adds conveniences that a static file may add
// (the Content-Security-Policy forbids inline scripts): the folding navigation on a phone, the focus
// on a form's error summary, and table cells that name their column when a table is shown as cards.
(function () {
  "use strict";

  function navigation() {
    var toggle = document.querySelector(".nav-toggle");
    var header = document.querySelector(".site-header");
    if (!toggle || !header) return;
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("nav-open", open);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && header.classList.contains("nav-open")) {
        header.classList.remove("nav-open");
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
  }

  // After an invalid submit the error summary takes the focus (so it is read first), the title says
  // "Error:" even where the server could not tell, and each entry's link moves the focus to its field.
  function errorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    var prefix = summary.getAttribute("data-title-prefix") || "";
    if (prefix && document.title.indexOf(prefix) !== 0) document.title = prefix + document.title;
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (!field) return;
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    });
  }

  // A table with three or more columns becomes a list of cards on a narrow screen (CSS, .stack);
  // each cell then shows the name of its column in front of its value, taken from the table head.
  function stackTables() {
    var tables = document.querySelectorAll("main table");
    Array.prototype.forEach.call(tables, function (table) {
      var headRow = table.tHead && table.tHead.rows[0];
      if (!headRow || headRow.cells.length < 3 || table.classList.contains("no-stack")) return;
      var labels = [];
      Array.prototype.forEach.call(headRow.cells, function (cell) {
        for (var i = 0; i < (cell.colSpan || 1); i++) labels.push(cell.textContent.trim());
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            var label = labels[column];
            if (label && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", label);
            column += cell.colSpan || 1;
          });
        });
      });
      // Shown as blocks, a table keeps its meaning for assistive technology only when it says so.
      table.setAttribute("role", "table");
      Array.prototype.forEach.call(table.querySelectorAll("thead, tbody, tfoot"), function (g) { g.setAttribute("role", "rowgroup"); });
      Array.prototype.forEach.call(table.rows, function (row) {
        row.setAttribute("role", "row");
        Array.prototype.forEach.call(row.cells, function (cell) {
          var inHead = cell.parentNode.parentNode.tagName === "THEAD";
          cell.setAttribute("role", cell.tagName === "TH" ? (inHead ? "columnheader" : "rowheader") : "cell");
        });
      });
      table.classList.add("stack");
    });
  }

  // A column of buttons alone ("Actions") means nothing on paper: print without it.
  function markActionColumns() {
    Array.prototype.forEach.call(document.querySelectorAll("main table"), function (table) {
      var headRow = table.tHead && table.tHead.rows[0];
      var rows = Array.prototype.slice.call(table.tBodies.length ? table.tBodies[0].rows : []);
      if (!headRow || !rows.length) return;
      Array.prototype.forEach.call(headRow.cells, function (head, index) {
        var onlyControls = rows.every(function (row) {
          var cell = row.cells[index];
          if (!cell) return false;
          var copy = cell.cloneNode(true);
          Array.prototype.forEach.call(copy.querySelectorAll("form, button, .button"), function (c) { c.remove(); });
          return copy.textContent.trim() === "";
        });
        if (!onlyControls) return;
        head.classList.add("no-print");
        rows.forEach(function (row) { row.cells[index].classList.add("no-print"); });
      });
    });
  }

  function ready() {
    markActionColumns();
    navigation();
    stackTables();
    errorSummary();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
