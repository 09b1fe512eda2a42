// datastroom dashboard: selects the view of the filters chosen and draws it. Every figure was
// computed by datastroom; this script only picks, formats and draws (docs/dashboard.md).
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('data').textContent);
  var W = D.words;
  var NL = D.lang === 'nl';
  var LOC = NL ? 'nl-NL' : 'en-GB';
  var NF0 = new Intl.NumberFormat(LOC, { maximumFractionDigits: 0 });
  var NF2 = new Intl.NumberFormat(LOC, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var MONTH = new Intl.DateTimeFormat(LOC, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  var SVGNS = 'http://www.w3.org/2000/svg';
  var COLORS = ['#1f4e79', '#a0291f', '#1e6b3a', '#6c3483', '#7d5a00', '#333333'];
  var DASHES = ['', '7 4', '2 3', '10 3 2 3', '4 2', '1 2'];
  var LINE = { solid: '', dash: '7 4', dot: '2 3' };
  var sel = D.filters.map(function () { return 0; });
  var hidden = D.panels.map(function () { return {}; });
  var tip = document.getElementById('tip');

  function num(v) { return Number.isInteger(v) ? NF0.format(v) : NF2.format(v); }
  function day(v) { return NL ? v.slice(8, 10) + '-' + v.slice(5, 7) + '-' + v.slice(0, 4) : v; }
  function fmt(v, t) {
    if (v === null || v === undefined) { return t === 'days' ? W.notReached : ''; }
    if (t === 'date') { return day(v); }
    if (t === 'bool') { return v ? W.yes : W.no; }
    if (t === 'weekday') { return W.weekdays[v - 1] || String(v); }
    if (typeof v === 'number') { return num(v); }
    return String(v);
  }
  // The type of a cell: a tile table's median row says "niet bereikt" where it is empty.
  function typeAt(p, k, j) {
    var t = p.columns[j].type;
    return p.kind === 'tiles' && p.keys[k] === 'median_days' && t === 'num' ? 'days' : t;
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  // The rows of panel i in the view of the filters chosen (null: no data).
  function rowsOf(i) {
    var view = D.views[sel.join('-')];
    if (!view || !view[i]) { return null; }
    var rows = [];
    view[i].forEach(function (b) { rows = rows.concat(D.blocks[b]); });
    var c = D.panels[i].newest_first;
    if (c !== null && c !== undefined) {
      rows.sort(function (a, b) { return a[c] < b[c] ? 1 : a[c] > b[c] ? -1 : 0; });
    }
    return rows;
  }

  function table(p, rows, cls) {
    var wrap = el('div', { 'class': 'tablewrap', tabindex: '0', role: 'region', 'aria-label': p.title });
    var t = el('table', cls ? { 'class': cls } : {});
    var tr = el('tr');
    p.columns.forEach(function (c) { tr.appendChild(el('th', { scope: 'col' }, c.label)); });
    var head = el('thead'); head.appendChild(tr); t.appendChild(head);
    var body = el('tbody');
    rows.forEach(function (r, k) {
      var row = el('tr');
      p.columns.forEach(function (c, j) {
        var numeric = ['text', 'date', 'bool', 'weekday'].indexOf(c.type) < 0;
        var long = c.type === 'text' && typeof r[j] === 'string' && r[j].length > 60;
        row.appendChild(el('td', numeric ? { 'class': 'n' } : long ? { 'class': 'long' } : {}, fmt(r[j], typeAt(p, k, j))));
      });
      body.appendChild(row);
    });
    if (!rows.length) {
      var none = el('tr');
      none.appendChild(el('td', { colspan: String(p.columns.length) }, W.empty));
      body.appendChild(none);
    }
    t.appendChild(body);
    wrap.appendChild(t);
    return wrap;
  }

  // CSV for Dutch Excel, as datastroom's csv-excel: BOM, ';', decimal comma, dd-mm-yyyy.
  function csv(p, rows) {
    function cell(v, t) {
      var s;
      if (v === null || v === undefined) { s = t === 'days' ? W.notReached : ''; }
      else if (t === 'date') { s = v.slice(8, 10) + '-' + v.slice(5, 7) + '-' + v.slice(0, 4); }
      else if (t === 'bool') { s = v ? W.yes : W.no; }
      else if (t === 'weekday') { s = W.weekdays[v - 1] || String(v); }
      else if (typeof v === 'number') { s = String(v).replace('.', ','); }
      else { s = String(v); if (/^[=+\-@\t\r]/.test(s)) { s = "'" + s; } }
      return /[;"\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    }
    var lines = [p.columns.map(function (c) { return cell(c.label, 'text'); }).join(';')];
    rows.forEach(function (r, k) {
      lines.push(p.columns.map(function (c, j) { return cell(r[j], typeAt(p, k, j)); }).join(';'));
    });
    return '\ufeff' + lines.join('\r\n') + '\r\n';
  }
  function download(i, p, rows) {
    var b = el('button', { type: 'button', 'class': 'dl' }, W.download);
    b.addEventListener('click', function () {
      var blob = new Blob([csv(p, rows)], { type: 'text/csv;charset=utf-8' });
      var a = el('a', { href: URL.createObjectURL(blob), download: D.name + '-' + (i + 1) + '-' + sel.join('-') + '.csv' });
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
    });
    return b;
  }
  function behind(p, rows) {
    var d = el('details');
    d.appendChild(el('summary', {}, W.table));
    d.appendChild(table(p, rows));
    return d;
  }

  function tiles(i, p, rows) {
    var box = el('div', { 'class': 'tiles' });
    rows.forEach(function (r, k) {
      var t = el('div', { 'class': 'tile', 'data-key': p.keys[k] || '' });
      t.appendChild(el('div', { 'class': 'tile-label' }, r[0]));
      var v = el('div', { 'class': 'tile-value' }, fmt(r[1], typeAt(p, k, 1)));
      var unit = p.columns[2] && p.columns[2].type === 'text' ? r[2] : '';
      if (unit && r[1] !== null) { v.appendChild(document.createTextNode(unit === '%' ? '' : ' ')); v.appendChild(el('span', { 'class': 'unit' }, unit)); }
      t.appendChild(v);
      var sub = [];
      if (p.columns.length > 4) {
        // Waiting lists: the interval, and the value a quarter earlier with the change.
        if (r[3] !== null || r[4] !== null) {
          sub.push(W.interval + ': ' + fmt(r[3], 'days') + ' \u2013 ' + fmt(r[4], 'days'));
        }
        if (r[5] !== null) {
          var ch = r[6] === null ? '' : ' (' + (r[6] > 0 ? '+' : r[6] < 0 ? '\u2212' : '\u00b1') + num(Math.abs(r[6])) + ')';
          sub.push(W.previous + ': ' + num(r[5]) + ch);
        }
      } else if (r[2] !== null || r[3] !== null) {
        // A week without a bound (too little history for Farrington) says only what it has.
        var parts = [];
        if (r[2] !== null) { parts.push(W.expected + ' ' + fmt(r[2], 'num')); }
        if (r[3] !== null) { parts.push(W.upper + ' ' + fmt(r[3], 'num')); }
        sub.push(parts.join(', '));
      }
      sub.forEach(function (s) { t.appendChild(el('div', { 'class': 'tile-sub' }, s)); });
      box.appendChild(t);
    });
    return box;
  }

  function heat(p, rows) {
    var counts = {}, max = 0;
    rows.forEach(function (r) { counts[r[0] + ':' + r[1]] = r[2]; max = Math.max(max, r[2]); });
    var t = el('table', { 'class': 'heat' });
    var tr = el('tr');
    tr.appendChild(el('th', { scope: 'col' }, W.day + ' \\ ' + W.hour));
    for (var h = 0; h < 24; h++) { tr.appendChild(el('th', { scope: 'col' }, String(h))); }
    var head = el('thead'); head.appendChild(tr); t.appendChild(head);
    var body = el('tbody');
    for (var d = 1; d <= 7; d++) {
      var row = el('tr');
      row.appendChild(el('th', { scope: 'row' }, W.weekdays[d - 1]));
      for (h = 0; h < 24; h++) {
        var n = counts[d + ':' + h] || 0;
        var level = n === 0 ? 'z' : 'l' + Math.max(1, Math.ceil(n / max * 5));
        row.appendChild(el('td', { 'class': level }, NF0.format(n)));
      }
      body.appendChild(row);
    }
    t.appendChild(body);
    var wrap = el('div', { 'class': 'tablewrap', tabindex: '0', role: 'region', 'aria-label': p.title });
    wrap.appendChild(t);
    return wrap;
  }

  // Axis ticks from 0 to max or just above; whole numbers for counts.
  function ticks(max, n, whole) {
    if (!(max > 0)) { max = 1; }
    var raw = max / n, p = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / p;
    var step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p, out = [];
    if (whole) { step = Math.max(1, Math.round(step)); }
    for (var v = 0; v < max + step * 0.999; v += step) { out.push(Math.round(v * 1e6) / 1e6); }
    if (out.length < 2) { out.push(step); }
    return out;
  }

  // The chart of a panel: one figure per facet, a legend that toggles lines, marks for alarms.
  function chart(i, p, rows, box) {
    var c = p.chart, hide = hidden[i];
    var entries = [];
    if (c.series !== undefined) {
      var seen = [];
      rows.forEach(function (r) { if (seen.indexOf(r[c.series]) < 0) { seen.push(r[c.series]); } });
      seen.forEach(function (s, k) {
        // Colour and dash pattern cycle at different steps: 36 series differ in both.
        entries.push({ key: 's:' + s, label: String(s), color: COLORS[k % 6], dash: DASHES[(k + Math.floor(k / 6)) % 6] });
      });
    } else {
      c.facets.forEach(function (f) {
        f.lines.forEach(function (l, k) {
          entries.push({ key: 'c:' + l.col, label: p.columns[l.col].label, color: k === 0 ? COLORS[0] : l.style === 'dash' ? COLORS[1] : '#444', dash: LINE[l.style] });
        });
      });
    }
    if (c.marks !== undefined) { entries.push({ key: 'marks', label: W.alarm, mark: true }); }
    var legend = el('div', { 'class': 'legend', role: 'group', 'aria-label': W.series });
    entries.forEach(function (e) {
      var b = el('button', { type: 'button', 'aria-pressed': hide[e.key] ? 'false' : 'true' });
      var sw = svg('svg', { viewBox: '0 0 28 10', 'aria-hidden': 'true', focusable: 'false' });
      sw.appendChild(e.mark ? svg('circle', { cx: 14, cy: 5, r: 4, fill: COLORS[1] })
        : svg('line', { x1: 1, y1: 5, x2: 27, y2: 5, stroke: e.color, 'stroke-width': 2, 'stroke-dasharray': e.dash }));
      b.appendChild(sw);
      b.appendChild(document.createTextNode(e.label));
      b.addEventListener('click', function () { hide[e.key] = !hide[e.key]; draw(i); focusLegend(i, e.key); });
      b.setAttribute('data-key', e.key);
      legend.appendChild(b);
    });
    var facets = [];
    if (c.facet !== undefined) {
      rows.forEach(function (r) {
        var last = facets[facets.length - 1];
        if (last && last.title === r[c.facet]) { last.rows.push(r); } else { facets.push({ title: r[c.facet], rows: [r], def: c.facets[0] }); }
      });
    } else {
      facets = c.facets.map(function (f) { return { title: f.title, rows: rows, def: f }; });
    }
    // Small multiples of more than two charts get the page's whole width.
    document.getElementById('p' + i).classList.toggle('wide', facets.length > 2);
    var grid = el('div', { 'class': 'facets' });
    facets.forEach(function (f) { grid.appendChild(figure(p, c, f, entries, hide)); });
    box.appendChild(legend);
    box.appendChild(grid);
  }
  function focusLegend(i, key) {
    var b = document.querySelector('#p' + i + ' .legend button[data-key="' + CSS.escape(key) + '"]');
    if (b) { b.focus(); }
  }

  function figure(p, c, f, entries, hide) {
    var w = 640, h = 230, m = { l: 50, r: 14, t: 12, b: 30 };
    var fig = el('figure');
    fig.appendChild(el('figcaption', {}, f.title));
    var xv = function (r) { return c.xType === 'date' ? Date.parse(r[c.x]) : r[c.x]; };
    // Lines: per series value (one column), or per column.
    var lines = [];
    if (c.series !== undefined) {
      var col = f.def.lines[0].col;
      entries.forEach(function (e) {
        if (hide[e.key] || e.mark) { return; }
        var pts = f.rows.filter(function (r) { return 's:' + r[c.series] === e.key; });
        if (c.step) { pts = [null].concat(pts); }
        lines.push({ e: e, col: col, pts: pts });
      });
    } else {
      f.def.lines.forEach(function (l) {
        var e = entries.filter(function (x) { return x.key === 'c:' + l.col; })[0];
        if (!hide[e.key]) { lines.push({ e: e, col: l.col, pts: f.rows }); }
      });
    }
    var share = f.def.share, pct = f.def.pct;
    var yOf = function (r, col) { return r === null ? (share ? 1 : null) : r[col]; };
    var xs = [], ymax = 0, whole = true;
    f.rows.forEach(function (r) { xs.push(xv(r)); });
    lines.forEach(function (L) {
      L.pts.forEach(function (r) {
        var y = yOf(r, L.col);
        if (y !== null && y !== undefined) { ymax = Math.max(ymax, y); whole = whole && Number.isInteger(y); }
      });
    });
    if (c.step) { xs.push(0); }
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    if (x1 === x0) { x1 = x0 + 1; }
    var yt = share ? [0, 0.25, 0.5, 0.75, 1] : pct ? [0, 25, 50, 75, 100] : ticks(ymax, 4, whole);
    var y1 = yt[yt.length - 1];
    var X = function (v) { return m.l + (v - x0) / (x1 - x0) * (w - m.l - m.r); };
    var Y = function (v) { return h - m.b - v / y1 * (h - m.t - m.b); };
    var s = svg('svg', { viewBox: '0 0 ' + w + ' ' + h, role: 'group', tabindex: '0', 'aria-label': f.title + '. ' + W.chart });
    yt.forEach(function (t) {
      s.appendChild(svg('line', { 'class': 'grid', x1: m.l, x2: w - m.r, y1: Y(t), y2: Y(t) }));
      var lab = svg('text', { x: m.l - 6, y: Y(t) + 4, 'text-anchor': 'end' });
      lab.textContent = share ? NF0.format(t * 100) + '%' : pct ? NF0.format(t) + '%' : num(t);
      s.appendChild(lab);
    });
    s.appendChild(svg('line', { 'class': 'axis', x1: m.l, x2: w - m.r, y1: h - m.b, y2: h - m.b }));
    var xt = c.xType === 'date' ? dateTicks(x0, x1) : ticks(x1, 5, true).filter(function (t) { return t <= x1; });
    xt.forEach(function (t) {
      var anchor = X(t) > w - m.r - 30 ? 'end' : X(t) < m.l + 30 ? 'start' : 'middle';
      var lab = svg('text', { x: X(t), y: h - m.b + 16, 'text-anchor': anchor });
      lab.textContent = c.xType === 'date' ? MONTH.format(new Date(t)) : num(t);
      s.appendChild(lab);
      s.appendChild(svg('line', { 'class': 'axis', x1: X(t), x2: X(t), y1: h - m.b, y2: h - m.b + 4 }));
    });
    if (c.xLabel) {
      var xl = svg('text', { x: w - m.r, y: h - 2, 'text-anchor': 'end' }); xl.textContent = c.xLabel; s.appendChild(xl);
    }
    lines.forEach(function (L) {
      var d = '', prev = null;
      L.pts.forEach(function (r) {
        var y = yOf(r, L.col), x = r === null ? 0 : xv(r);
        if (y === null || y === undefined) { prev = null; return; }
        if (prev === null) { d += 'M' + X(x).toFixed(1) + ' ' + Y(y).toFixed(1); }
        else if (c.step) { d += 'H' + X(x).toFixed(1) + 'V' + Y(y).toFixed(1); }
        else { d += 'L' + X(x).toFixed(1) + ' ' + Y(y).toFixed(1); }
        prev = y;
      });
      s.appendChild(svg('path', { d: d, fill: 'none', stroke: L.e.color, 'stroke-width': L === lines[0] || c.series !== undefined ? 2 : 1.5, 'stroke-dasharray': L.e.dash }));
    });
    var cursor = svg('line', { 'class': 'cursor', y1: m.t, y2: h - m.b, visibility: 'hidden' });
    s.appendChild(cursor);
    var order = [];
    f.rows.forEach(function (r) { var x = xv(r); if (order.indexOf(x) < 0) { order.push(x); } });
    order.sort(function (a, b) { return a - b; });
    function at(x) {
      var parts = [];
      lines.forEach(function (L) {
        var best = null;
        L.pts.forEach(function (r) { if (r !== null && (c.step ? xv(r) <= x : xv(r) === x)) { best = r; } });
        if (best !== null) {
          var v = best[L.col], t = p.columns[L.col].type;
          parts.push(L.e.label + ': ' + fmt(v, t));
        }
      });
      return parts;
    }
    function show(k, anchor) {
      var x = order[k];
      cursor.setAttribute('x1', X(x)); cursor.setAttribute('x2', X(x)); cursor.setAttribute('visibility', 'visible');
      var head = c.xType === 'date' ? day(new Date(x).toISOString().slice(0, 10)) : num(x) + ' ' + (c.xLabel || '');
      var extra = [];
      if (c.marks !== undefined) {
        f.rows.forEach(function (r) {
          if (xv(r) === x && r[c.marks] === true) {
            extra.push(W.alarm.toUpperCase());
            (c.info || []).forEach(function (j) { if (r[j]) { extra.push(p.columns[j].label + ': ' + r[j]); } });
          }
        });
      }
      tipShow(head, at(x).concat(extra), anchor, X(x) / w);
    }
    var idx = -1;
    var overlay = svg('rect', { x: m.l, y: m.t, width: w - m.l - m.r, height: h - m.t - m.b, fill: 'transparent' });
    overlay.addEventListener('mousemove', function (ev) {
      var b = s.getBoundingClientRect();
      var x = x0 + ((ev.clientX - b.left) / b.width * w - m.l) / (w - m.l - m.r) * (x1 - x0);
      var k = 0;
      order.forEach(function (v, j) { if (Math.abs(v - x) < Math.abs(order[k] - x)) { k = j; } });
      idx = k; show(k, s);
    });
    overlay.addEventListener('mouseleave', function () { cursor.setAttribute('visibility', 'hidden'); tipHide(); });
    s.appendChild(overlay);
    s.addEventListener('keydown', function (ev) {
      if (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft' && ev.key !== 'Home' && ev.key !== 'End') { return; }
      ev.preventDefault();
      idx = ev.key === 'Home' ? 0 : ev.key === 'End' ? order.length - 1
        : Math.max(0, Math.min(order.length - 1, idx + (ev.key === 'ArrowRight' ? 1 : -1)));
      show(idx, s);
    });
    s.addEventListener('blur', function () { cursor.setAttribute('visibility', 'hidden'); tipHide(); });
    if (c.marks !== undefined && !hide.marks && lines.length && lines[0].col === f.def.lines[0].col) {
      f.rows.forEach(function (r) {
        if (r[c.marks] !== true || r[lines[0].col] === null) { return; }
        var k = order.indexOf(xv(r));
        var dot = svg('circle', { cx: X(xv(r)), cy: Y(r[lines[0].col]), r: 4.5, fill: COLORS[1], stroke: '#fff', 'stroke-width': 1.5, 'class': 'mark' });
        // Hover, or a click (a touch screen), shows what drove the alarm.
        dot.addEventListener('mouseenter', function () { idx = k; show(k, s); });
        dot.addEventListener('click', function () { idx = k; show(k, s); });
        s.appendChild(dot);
      });
    }
    fig.appendChild(s);
    return fig;
  }
  function dateTicks(x0, x1) {
    var out = [], d = new Date(x0), span = (x1 - x0) / 864e5;
    var step = span > 540 ? 6 : span > 200 ? 3 : 1;
    d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
    while (d.getTime() <= x1) {
      if (d.getUTCMonth() % step === 0) { out.push(d.getTime()); }
      d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
    }
    return out;
  }

  function tipShow(head, lines, anchor, frac) {
    tip.textContent = '';
    tip.appendChild(el('b', {}, head));
    lines.forEach(function (l) { tip.appendChild(el('div', {}, l)); });
    tip.hidden = false;
    var b = anchor.getBoundingClientRect();
    var left = b.left + window.scrollX + frac * b.width + 12;
    if (left + tip.offsetWidth > window.scrollX + document.documentElement.clientWidth) { left -= tip.offsetWidth + 24; }
    tip.style.left = Math.max(window.scrollX, left) + 'px';
    tip.style.top = b.top + window.scrollY + 8 + 'px';
  }
  function tipHide() { tip.hidden = true; }

  // A text column empty in every row of the view (no weather file: no weather) is left out.
  function shown(p, rows) {
    var keep = p.columns.map(function (c, j) {
      return c.type !== 'text' || rows.some(function (r) { return r[j] !== null && r[j] !== ''; });
    });
    if (keep.every(Boolean)) { return { p: p, rows: rows }; }
    var q = Object.assign({}, p);
    q.columns = p.columns.filter(function (c, j) { return keep[j]; });
    return { p: q, rows: rows.map(function (r) { return r.filter(function (v, j) { return keep[j]; }); }) };
  }

  function draw(i) {
    var p = D.panels[i];
    var box = document.querySelector('#p' + i + ' .content');
    box.textContent = '';
    var rows = rowsOf(i);
    if (rows === null || (rows.length === 0 && p.kind !== 'table')) {
      box.appendChild(el('p', { 'class': 'nodata' }, W.nodata));
      return;
    }
    var t = shown(p, rows);
    if (p.kind === 'tiles') { box.appendChild(tiles(i, p, rows)); box.appendChild(behind(t.p, t.rows)); }
    else if (p.kind === 'heat') { box.appendChild(heat(p, rows)); }
    else if (p.kind === 'table') { box.appendChild(table(t.p, t.rows)); }
    else { chart(i, p, rows, box); box.appendChild(behind(t.p, t.rows)); }
    box.appendChild(download(i, t.p, t.rows));
  }
  function update() {
    tipHide();
    D.filters.forEach(function (f, j) { sel[j] = Number(document.getElementById(f.id).value); });
    D.panels.forEach(function (p, i) { draw(i); });
    document.getElementById('status').textContent = W.shown + ': ' + D.filters.map(function (f, j) {
      return f.label + ' ' + f.values[sel[j]];
    }).join(' \u00b7 ');
  }
  D.filters.forEach(function (f) { document.getElementById(f.id).addEventListener('change', update); });
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  });
  update();
  document.documentElement.setAttribute('data-ready', String(Math.round(performance.now())));
})();
