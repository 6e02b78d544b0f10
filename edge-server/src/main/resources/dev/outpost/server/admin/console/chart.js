/* Outpost console: a small SVG time-series chart (no dependencies). */
(function (global) {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) { e.setAttribute(k, attrs[k]); } }
    if (parent) { parent.appendChild(e); }
    return e;
  }

  function niceMax(v) {
    if (!(v > 0)) { return 1; }
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var m = v / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  function clock(t) {
    var d = new Date(t);
    return String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
  }

  /**
   * Draws a chart into container.
   * opts: { title, unit(format fn), series: [{ name, color, key }], windowMs }
   * returns { update(samples) } where samples are objects with t (epoch ms) and each series' key.
   */
  function TimeChart(container, opts) {
    var W = 600, H = 200, L = 52, R = 12, T = 12, B = 26;
    var fmt = opts.format || function (v) { return String(v); };
    var wrap = document.createElement('figure');
    wrap.className = 'chart';
    var cap = document.createElement('figcaption');
    cap.textContent = opts.title;
    var legend = document.createElement('span');
    legend.className = 'legend';
    opts.series.forEach(function (s) {
      var item = document.createElement('span');
      var swatch = document.createElement('i');
      swatch.style.background = s.color;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(s.name));
      legend.appendChild(item);
    });
    cap.appendChild(legend);
    wrap.appendChild(cap);
    var svg = el('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': opts.title });
    wrap.appendChild(svg);
    var tip = document.createElement('div');
    tip.className = 'chart-tip';
    tip.hidden = true;
    wrap.appendChild(tip);
    container.appendChild(wrap);

    var grid = el('g', { 'class': 'grid' }, svg);
    var lines = opts.series.map(function (s) {
      return el('path', { fill: 'none', stroke: s.color, 'stroke-width': 1.75, 'vector-effect': 'non-scaling-stroke',
        'stroke-linejoin': 'round' }, svg);
    });
    var dots = opts.series.map(function (s) {
      return el('circle', { r: 3, fill: s.color, visibility: 'hidden' }, svg);
    });
    var cursor = el('line', { 'class': 'cursor', y1: T, y2: H - B, visibility: 'hidden' }, svg);
    var empty = el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', 'class': 'empty' }, svg);
    var data = [], x0 = 0, x1 = 1, max = 1;

    function xOf(t) { return L + (t - x0) / (x1 - x0) * (W - L - R); }
    function yOf(v) { return H - B - v / max * (H - T - B); }

    function update(samples) {
      data = samples || [];
      var width = Math.round(svg.getBoundingClientRect().width);
      if (width > 100 && width !== W) {
        W = width;
        svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
        empty.setAttribute('x', W / 2);
      }
      var now = data.length ? data[data.length - 1].t : Date.now();
      x1 = now;
      x0 = now - (opts.windowMs || 3600000);
      var top = 0;
      data.forEach(function (d) { opts.series.forEach(function (s) { var v = d[s.key]; if (v > top) { top = v; } }); });
      max = niceMax(top);
      while (grid.firstChild) { grid.removeChild(grid.firstChild); }
      for (var i = 0; i <= 4; i++) {
        var v = max * i / 4, y = yOf(v);
        el('line', { x1: L, x2: W - R, y1: y, y2: y }, grid);
        el('text', { x: L - 6, y: y + 4, 'text-anchor': 'end' }, grid).textContent = fmt(v);
      }
      for (var m = 0; m <= 4; m++) {
        var t = x0 + (x1 - x0) * m / 4;
        el('text', { x: xOf(t), y: H - 8, 'text-anchor': m === 0 ? 'start' : m === 4 ? 'end' : 'middle' }, grid)
          .textContent = clock(t);
      }
      opts.series.forEach(function (s, k) {
        var d = '';
        data.forEach(function (p) {
          if (typeof p[s.key] === 'number') {
            d += (d ? 'L' : 'M') + xOf(p.t).toFixed(1) + ',' + yOf(p[s.key]).toFixed(1);
          }
        });
        lines[k].setAttribute('d', d);
        var last = data.length ? data[data.length - 1] : null;
        if (last && typeof last[s.key] === 'number') {
          dots[k].setAttribute('cx', xOf(last.t).toFixed(1));
          dots[k].setAttribute('cy', yOf(last[s.key]).toFixed(1));
          dots[k].setAttribute('visibility', 'visible');
        } else {
          dots[k].setAttribute('visibility', 'hidden');
        }
      });
      empty.textContent = data.length ? '' : 'Collecting samples\u2026';
    }

    svg.addEventListener('mousemove', function (ev) {
      if (!data.length) { return; }
      var box = svg.getBoundingClientRect();
      var x = (ev.clientX - box.left) / box.width * W;
      var t = x0 + (x - L) / (W - L - R) * (x1 - x0);
      var best = data[0];
      data.forEach(function (p) { if (Math.abs(p.t - t) < Math.abs(best.t - t)) { best = p; } });
      var cx = xOf(best.t);
      cursor.setAttribute('x1', cx);
      cursor.setAttribute('x2', cx);
      cursor.setAttribute('visibility', 'visible');
      tip.hidden = false;
      tip.textContent = new Date(best.t).toLocaleTimeString() + '  ' + opts.series.map(function (s) {
        return s.name + ' ' + (typeof best[s.key] === 'number' ? fmt(best[s.key]) : '\u2013');
      }).join('  \u00b7  ');
    });
    svg.addEventListener('mouseleave', function () { cursor.setAttribute('visibility', 'hidden'); tip.hidden = true; });
    update([]);
    return { update: update, element: wrap };
  }

  global.TimeChart = TimeChart;
})(window);
