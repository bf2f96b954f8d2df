"""Readable numbers on every Datasette table, row and query page, formatted in the browser.

The model table's server time is the project's latency target (benchmarks/serve_latency.py):
formatting 2,000 cells per page in Python would add to it, so the server sends the raw values
(unchanged in HTML, JSON and CSV) and this script rewrites the text of float cells with the
column's unit from the schema (3.8e25 FLOP, 30.84M GPU-hours, 671B parameters), keeping the raw
value on hover. It mirrors catalog.units.readable; tests/test_browser.py checks the result.
It also folds long text behind a "more" button, orders year facets by year, and labels the cells
of cegdb's own tables on small screens from their own headers.
"""

from __future__ import annotations

import json

from sqlalchemy import Boolean

from catalog import schema


def column_units() -> dict[str, str]:
    """Column name -> unit ("bool" for yes/no columns), where every table agrees on it."""
    units: dict[str, set] = {}
    for table in schema.TABLES:
        docs = schema.column_docs(table)
        for column in table.__table__.columns:
            unit = "bool" if isinstance(column.type, Boolean) else docs.get(column.name, ("", None))[1]
            units.setdefault(column.name, set()).add(unit)
    return {name: next(iter(found)) for name, found in units.items() if len(found) == 1 and None not in found}


SCRIPT = """
(function () {
  var UNITS = %(units)s;
  // Columns whose unit is in the same row's `unit` cell (claim.value_num and its bounds).
  var ROW_UNIT = {"value_num": 1, "value": 1, "lower": 1, "upper": 1};
  // Id columns of query results that name a row of another table: shown as links to it.
  var LINKS = {"model_id": "model", "innovation_id": "innovation", "hardware_id": "hardware", "source_id": "source",
               "organization_id": "organization", "base_model_id": "model", "same_pretraining_as": "model",
               "primary_source_id": "source", "run_counted_under": "model"};
  var database = location.pathname.split("/")[1];
  var COUNTS = {"ratio": 1, "parameters": 1, "tokens": 1, "chips": 1, "layers": 1, "heads": 1, "experts": 1,
                "dimensions": 1, "series": 1, "citations": 1, "epochs": 1, "perplexity": 1, "years": 1};
  var FLOAT = /^-?(\\d+\\.\\d+(e[+-]?\\d+)?|\\d+(\\.\\d+)?e[+-]?\\d+)$/i;
  function g(x, p) {
    if (x === 0) return "0";
    var e = Math.floor(Math.log10(Math.abs(x))), s;
    if (e < -4 || e >= p) {
      s = x.toExponential(p - 1).split("e");
      var m = s[0].indexOf(".") >= 0 ? s[0].replace(/0+$/, "").replace(/\\.$/, "") : s[0];
      return m + "e" + String(parseInt(s[1], 10));
    }
    s = x.toFixed(Math.max(0, p - 1 - e));
    return s.indexOf(".") >= 0 ? s.replace(/0+$/, "").replace(/\\.$/, "") : s;
  }
  function readable(x, unit) {
    if (!isFinite(x)) return String(x);
    if (unit === "years") return x.toFixed(2);  // a fractional year: 2019.54, not 2020
    // In a table the header names what is counted: 671B, not "671B parameters"; physical units stay.
    var suffix = !unit || COUNTS[unit] ? "" : unit === "x" ? "×" : " " + (unit === "hours" ? "GPU-hours" : unit);
    if (unit === "FLOP" || Math.abs(x) >= 1e15) return g(x, 3) + suffix;
    if (Math.abs(x) < 1e6) {
      if (Number.isInteger(x)) return (unit ? x.toLocaleString("en-US") : String(x)) + suffix;
      return g(x, 4) + suffix;
    }
    var scales = [[1e12, "T"], [1e9, "B"], [1e6, "M"]];
    for (var i = 0; i < scales.length; i++) {
      if (Math.abs(x) >= scales[i][0]) return g(x / scales[i][0], 4) + scales[i][1] + suffix;
    }
    return g(x, 4) + suffix;
  }
  function headerNames(table) {
    return Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return (th.getAttribute("data-column") || th.textContent).replace(/[\\u25b2\\u25bc]/g, "").trim();
    });
  }
  document.querySelectorAll("table.rows-and-columns").forEach(function (table) {
    var names = headerNames(table);
    var own = table.classList.contains("cegdb-table");
    // Row pages hold several tables; Datasette labels all their cells with the row's own columns.
    var labelled = own || document.body.classList.contains("row");
    var unitIndex = names.indexOf("unit");
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      var cells = tr.children;
      for (var i = 0; i < cells.length; i++) {
        var td = cells[i], name = names[i];
        if (labelled && name !== undefined && !td.hasAttribute("data-label")) td.setAttribute("data-label", name);
        if (own || td.children.length) continue;
        var text = td.textContent.trim();
        var unit = UNITS[name];
        if (ROW_UNIT[name] && unitIndex >= 0 && cells[unitIndex]) unit = cells[unitIndex].textContent.trim() || unit;
        if (LINKS[name] && database && /^[\\w.:+-]+$/.test(text) && document.body.classList.contains("query")) {
          var a = document.createElement("a");
          a.href = "/" + database + "/" + LINKS[name] + "/" + encodeURIComponent(text); a.textContent = text;
          td.textContent = ""; td.appendChild(a);
        } else if (unit === "bool" && (text === "1" || text === "0")) {
          td.textContent = text === "1" ? "yes" : "no"; td.title = text;
        } else if (FLOAT.test(text)) {
          td.textContent = readable(parseFloat(text), unit === "bool" ? null : unit); td.title = text;
        } else if (text.length > 240) {
          td.title = "";
          var full = text, shortText = text.slice(0, 200).replace(/\\s+\\S*$/, "") + "\\u2026 ";
          var button = document.createElement("button");
          button.type = "button"; button.className = "cegdb-more"; button.textContent = "more";
          button.addEventListener("click", function (t, f, s) { return function () {
            var open = this.textContent === "less";
            t.firstChild.nodeValue = open ? s : f + " "; this.textContent = open ? "more" : "less";
          }; }(td, full, shortText));
          td.textContent = shortText; td.appendChild(button);
        }
      }
    });
  });
  // Canned queries paginated by a `page` parameter (compute_by_model): previous and next links.
  var pageInput = document.querySelector("form.sql input[name='page']");
  var results = document.querySelector("table.rows-and-columns");
  if (pageInput && results) {
    var current = parseInt(pageInput.value || "1", 10) || 1;
    var shown = results.querySelectorAll("tbody tr").length;
    var nav = document.createElement("p"); nav.className = "cegdb-pages";
    function pageLink(n, text) {
      var params = new URLSearchParams(location.search); params.set("page", String(n));
      var a = document.createElement("a"); a.href = "?" + params.toString(); a.textContent = text; return a;
    }
    if (current > 1) nav.appendChild(pageLink(current - 1, "\u2190 page " + (current - 1)));
    nav.appendChild(document.createTextNode(" page " + current + " "));
    if (shown >= 100) nav.appendChild(pageLink(current + 1, "page " + (current + 1) + " \u2192"));
    results.parentNode.parentNode.insertBefore(nav, results.parentNode.nextSibling);
  }
  // Year facets in year order (newest first), not by count.
  document.querySelectorAll(".facet-info[data-column$='year'] ul").forEach(function (ul) {
    var items = Array.prototype.filter.call(ul.children, function (li) { return !li.classList.contains("facet-truncated"); });
    var tail = Array.prototype.filter.call(ul.children, function (li) { return li.classList.contains("facet-truncated"); });
    items.sort(function (a, b) { return (parseInt(b.textContent, 10) || 0) - (parseInt(a.textContent, 10) || 0); });
    items.concat(tail).forEach(function (li) { ul.appendChild(li); });
  });
})();
"""


def script() -> str:
    return SCRIPT % {"units": json.dumps(column_units(), sort_keys=True)}
