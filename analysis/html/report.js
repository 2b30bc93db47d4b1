// report.html's behaviour: sortable tables, the method filter, CSV export and the Pareto
// view. Plain DOM code, no library: the page must work from a file with no network.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  // ColorBrewer Dark2, as the figures use.
  var COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"];
  var data = JSON.parse(document.getElementById("pareto-data").textContent);

  // shownMethods is the set of methods whose box is ticked.
  function shownMethods() {
    var set = {};
    document.querySelectorAll("#methods input").forEach(function (box) {
      if (box.checked) { set[box.value] = true; }
    });
    return set;
  }

  function visible(method, shown) { return method === "" || shown[method] === true; }

  // Tables: a click on a header sorts the rows by that column, again reverses.
  function sortKey(cell) {
    var s = cell.getAttribute("data-sort");
    var n = Number(s);
    return s !== "" && !isNaN(n) ? n : s;
  }

  function sortTable(table, col) {
    var th = table.tHead.rows[0].cells[col];
    var dir = th.getAttribute("aria-sort") === "descending" ? "ascending" : "descending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var sign = dir === "ascending" ? 1 : -1;
    rows.sort(function (a, b) {
      var x = sortKey(a.cells[col]), y = sortKey(b.cells[col]);
      var xn = typeof x === "number", yn = typeof y === "number";
      if (xn && yn) { return sign * (x - y); }
      if (xn !== yn) { return xn ? -1 : 1; } // numbers first, text ("–") last
      return sign * String(x).localeCompare(String(y));
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  function csvField(s) {
    s = String(s).trim();
    return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function csvText(rows) {
    return rows.map(function (r) { return r.map(csvField).join(","); }).join("\n") + "\n";
  }

  // tableCSV is the table's visible rows as CSV, header first.
  function tableCSV(table) {
    var rows = [];
    Array.prototype.forEach.call(table.rows, function (tr) {
      if (tr.hidden) { return; }
      rows.push(Array.prototype.map.call(tr.cells, function (c) { return c.textContent; }));
    });
    return csvText(rows);
  }

  function download(name, text) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }

  document.querySelectorAll("table.sortable").forEach(function (table, t) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.addEventListener("click", function () { sortTable(table, col); });
    });
    var button = table.parentNode.querySelector("button.csv");
    if (button) {
      button.addEventListener("click", function () { download("table" + (t + 1) + ".csv", tableCSV(table)); });
    }
  });

  function filterRows() {
    var shown = shownMethods();
    document.querySelectorAll("table.sortable tbody tr").forEach(function (tr) {
      tr.hidden = !visible(tr.getAttribute("data-method") || "", shown);
    });
  }

  // The Pareto view.
  var taskSelect = document.getElementById("pareto-task");
  var axisSelect = document.getElementById("pareto-x");
  var plot = document.getElementById("pareto-plot");
  // methods in the order of the filter's boxes (the paper's order), then any other.
  var methods = Array.prototype.map.call(document.querySelectorAll("#methods input"), function (b) { return b.value; });
  data.points.forEach(function (p) {
    if (methods.indexOf(p.method) < 0) { methods.push(p.method); }
  });
  function color(method) { return COLORS[methods.indexOf(method) % COLORS.length]; }
  var tasks = [];
  data.points.forEach(function (p) {
    if (tasks.indexOf(p.task) < 0) { tasks.push(p.task); }
  });
  tasks.forEach(function (task) { taskSelect.add(new Option(task, task)); });
  data.axes.forEach(function (a) { axisSelect.add(new Option(a.label, a.key)); });

  // paretoPoints are the points the view shows: the chosen task, the ticked methods, and a
  // value on the chosen axis.
  function paretoPoints() {
    var shown = shownMethods(), key = axisSelect.value, task = taskSelect.value;
    return data.points.filter(function (p) {
      return p.task === task && visible(p.method, shown) && p.x[key] > 0;
    });
  }

  // front returns the points no other point beats on both cost (lower) and metric.
  function front(points) {
    var key = axisSelect.value;
    var sorted = points.slice().sort(function (a, b) { return a.x[key] - b.x[key] || (a.lower_is_better ? a.value - b.value : b.value - a.value); });
    var out = [], best = null;
    sorted.forEach(function (p) {
      var better = best === null || (p.lower_is_better ? p.value < best : p.value > best);
      if (better) { out.push(p); best = p.value; }
    });
    return out;
  }

  function el(name, attrs, text) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function linearTicks(lo, hi) {
    var raw = (hi - lo) / 5, pow = Math.pow(10, Math.floor(Math.log10(raw))), step = 10 * pow;
    [1, 2, 2.5, 5, 10].some(function (m) { if (m * pow >= raw) { step = m * pow; return true; } return false; });
    var ticks = [];
    for (var k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) { ticks.push(k * step); }
    var decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9)) + (Math.abs(step / pow - 2.5) < 1e-9 ? 1 : 0);
    return ticks.map(function (v) { return { v: v, label: v.toFixed(decimals) }; });
  }

  function logTicks(lo, hi) {
    var ticks = [];
    for (var e = Math.floor(Math.log10(lo)); Math.pow(10, e) <= hi * 1.0001; e++) {
      [1, 2, 5].forEach(function (m) {
        var v = m * Math.pow(10, e);
        if (v >= lo && v <= hi) { ticks.push({ v: v, label: shortNumber(v) }); }
      });
    }
    return ticks;
  }

  function shortNumber(v) {
    var units = [[1e9, "G"], [1e6, "M"], [1e3, "k"]];
    for (var i = 0; i < units.length; i++) {
      if (v >= units[i][0]) { return +(v / units[i][0]).toPrecision(3) + units[i][1]; }
    }
    return String(+v.toPrecision(3));
  }

  function draw() {
    while (plot.firstChild) { plot.removeChild(plot.firstChild); }
    var points = paretoPoints();
    var axis = data.axes.filter(function (a) { return a.key === axisSelect.value; })[0];
    document.getElementById("pareto-empty").hidden = points.length > 0 && axis !== undefined;
    if (!axis || points.length === 0) { return; }
    var W = 760, H = 440, L = 70, R = 170, T = 20, B = 50;
    var xs = points.map(function (p) { return p.x[axis.key]; });
    var ys = points.map(function (p) { return p.value; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    if (axis.log) { x0 /= 1.3; x1 *= 1.3; } else { var px = (x1 - x0) * 0.06 || Math.abs(x0) * 0.1 || 1; x0 -= px; x1 += px; }
    var py = (y1 - y0) * 0.08 || Math.abs(y0) * 0.05 || 0.05; y0 -= py; y1 += py;
    var fx = axis.log
      ? function (v) { return L + (Math.log(v) - Math.log(x0)) / (Math.log(x1) - Math.log(x0)) * (W - L - R); }
      : function (v) { return L + (v - x0) / (x1 - x0) * (W - L - R); };
    var fy = function (v) { return H - B - (v - y0) / (y1 - y0) * (H - T - B); };
    (axis.log ? logTicks(x0, x1) : linearTicks(x0, x1)).forEach(function (t) {
      plot.appendChild(el("line", { "class": "grid", x1: fx(t.v), x2: fx(t.v), y1: T, y2: H - B }));
      plot.appendChild(el("text", { x: fx(t.v), y: H - B + 16, "text-anchor": "middle" }, t.label));
    });
    linearTicks(y0, y1).forEach(function (t) {
      plot.appendChild(el("line", { "class": "grid", x1: L, x2: W - R, y1: fy(t.v), y2: fy(t.v) }));
      plot.appendChild(el("text", { x: L - 6, y: fy(t.v) + 4, "text-anchor": "end" }, t.label));
    });
    plot.appendChild(el("path", { "class": "axis", d: "M" + L + "," + T + "V" + (H - B) + "H" + (W - R) }));
    plot.appendChild(el("text", { x: (L + W - R) / 2, y: H - 10, "text-anchor": "middle" }, axis.label + (axis.log ? " (log scale)" : "")));
    plot.appendChild(el("text", { x: 14, y: (T + H - B) / 2, "text-anchor": "middle", transform: "rotate(-90 14 " + (T + H - B) / 2 + ")" },
      points[0].metric + " (" + data.split + ")" + (points[0].lower_is_better ? ", lower is better" : "")));
    var f = front(points);
    plot.appendChild(el("polyline", { "class": "front", points: f.map(function (p) { return fx(p.x[axis.key]) + "," + fy(p.value); }).join(" ") }));
    points.forEach(function (p) {
      var c = el("circle", { cx: fx(p.x[axis.key]), cy: fy(p.value), r: 5.5, fill: color(p.method),
        "data-run": p.run, "data-x": p.x[axis.key], "data-y": p.value, "data-front": f.indexOf(p) >= 0 });
      c.appendChild(el("title", {}, p.setting + ", seed " + p.seed + " (" + p.run + "): " + p.metric + " " + p.value.toFixed(3) + ", " + axis.label + " " + shortNumber(p.x[axis.key])));
      plot.appendChild(c);
    });
    var present = {};
    points.forEach(function (p) { present[p.method] = true; });
    var shown = methods.filter(function (m) { return present[m]; });
    shown.forEach(function (m, i) {
      plot.appendChild(el("circle", { cx: W - R + 20, cy: T + 10 + 20 * i, r: 5.5, fill: color(m), "class": "legend" }));
      plot.appendChild(el("text", { x: W - R + 32, y: T + 14 + 20 * i }, m));
    });
  }

  function paretoCSV() {
    var key = axisSelect.value;
    var rows = [["run", "task", "method", "setting", "seed", "metric", "value", key]];
    paretoPoints().forEach(function (p) { rows.push([p.run, p.task, p.method, p.setting, p.seed, p.metric, p.value, p.x[key]]); });
    return csvText(rows);
  }

  document.getElementById("pareto-csv").addEventListener("click", function () { download("pareto.csv", paretoCSV()); });
  taskSelect.addEventListener("change", draw);
  axisSelect.addEventListener("change", draw);
  document.querySelectorAll("#methods input").forEach(function (box) {
    box.addEventListener("change", function () { filterRows(); draw(); });
  });
  draw();

  // For scripts and tests driving the page.
  window.loralab = { tableCSV: tableCSV, paretoCSV: paretoCSV, paretoPoints: paretoPoints, front: front };
})();
