/* wordvec explore: a zoomable, pannable map of words drawn on one <canvas>.
 *
 * Every point is drawn each frame (thousands are cheap on a canvas); labels are
 * placed greedily, most frequent word first, skipping any that would overlap one
 * already placed, so a zoomed-out map shows the common words and zooming in
 * reveals the rest. No DOM node per word, no dependencies.
 */
(function (global) {
  "use strict";

  var STYLE = {
    background: "#fcfcfe",
    point: "rgba(67, 82, 148, 0.50)",
    label: "rgba(38, 43, 58, 0.86)",
    halo: "rgba(252, 252, 254, 0.92)",
    focus: "#d9480f",
    neighbour: "#f08c00",
    link: "rgba(217, 72, 15, 0.28)",
    hover: "#1c7ed6",
    font: "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"
  };
  var MIN_ZOOM = 0.5, MAX_ZOOM = 400, PADDING = 36, CELL = 48;

  function WordMap(canvas, options) {
    options = options || {};
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.onSelect = options.onSelect || null;
    this.tooltip = options.tooltip || null;
    this.maxLabels = options.maxLabels || 300;
    this.fontSize = options.fontSize || 12;
    this.obstacles = options.obstacles || [];   // elements over the canvas that labels avoid
    this.words = [];
    this.xs = new Float64Array(0);
    this.ys = new Float64Array(0);
    this.counts = [];
    this.radius = new Float32Array(0);
    this.lookup = new Map();
    this.widths = null;
    this.width = 0; this.height = 0; this.ratio = 1;
    this.zoom = 1; this.cx = 0; this.cy = 0;   // view: zoom level and data point at the centre
    this.base = 1;                             // pixels per data unit at zoom 1 (whole map)
    this.focus = -1; this.neighbours = [];
    this.hover = -1;
    this.pointers = new Map();
    this.drag = null;
    this.frame = 0;
    this.animation = null;
    this.labelCount = 0;
    this._bind();
    this.resize();
  }

  WordMap.prototype.setData = function (data) {
    var n = data.words.length;
    this.words = data.words.slice();
    this.xs = Float64Array.from(data.x);
    this.ys = Float64Array.from(data.y);
    this.counts = data.counts || [];
    this.lookup = new Map();
    for (var i = 0; i < n; i++) this.lookup.set(this.words[i], i);
    var lo = Infinity, hi = -Infinity;
    for (i = 0; i < n; i++) {
      var c = this.counts[i];
      if (c > 0) { lo = Math.min(lo, Math.log(c)); hi = Math.max(hi, Math.log(c)); }
    }
    this.radius = new Float32Array(n);
    for (i = 0; i < n; i++) {
      var t = (this.counts[i] > 0 && hi > lo) ? (Math.log(this.counts[i]) - lo) / (hi - lo) : 0.3;
      this.radius[i] = 1.8 + 3.2 * t;
    }
    this.widths = null;
    this.focus = -1; this.neighbours = []; this.hover = -1;
    this.bounds = this._bounds();
    this.reset(false);
  };

  WordMap.prototype._bounds = function () {
    var b = { x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity };
    for (var i = 0; i < this.xs.length; i++) {
      b.x0 = Math.min(b.x0, this.xs[i]); b.x1 = Math.max(b.x1, this.xs[i]);
      b.y0 = Math.min(b.y0, this.ys[i]); b.y1 = Math.max(b.y1, this.ys[i]);
    }
    if (!isFinite(b.x0)) b = { x0: -1, x1: 1, y0: -1, y1: 1 };
    return b;
  };

  WordMap.prototype._fitBase = function () {
    var b = this.bounds || { x0: -1, x1: 1, y0: -1, y1: 1 };
    var w = Math.max(b.x1 - b.x0, 1e-9), h = Math.max(b.y1 - b.y0, 1e-9);
    // leave room on the right for the labels of the rightmost words
    this.base = Math.max(Math.min((this.width - 2 * PADDING - 40) / w, (this.height - 2 * PADDING) / h), 1e-9);
  };

  // -- coordinates -----------------------------------------------------------
  WordMap.prototype.scale = function () { return this.base * this.zoom; };
  WordMap.prototype.toScreenX = function (x) { return (x - this.cx) * this.scale() + this.width / 2; };
  WordMap.prototype.toScreenY = function (y) { return (this.cy - y) * this.scale() + this.height / 2; };
  WordMap.prototype.toDataX = function (sx) { return (sx - this.width / 2) / this.scale() + this.cx; };
  WordMap.prototype.toDataY = function (sy) { return this.cy - (sy - this.height / 2) / this.scale(); };

  // -- view changes ------------------------------------------------------------
  WordMap.prototype.reset = function (animate) {
    var b = this.bounds || { x0: -1, x1: 1, y0: -1, y1: 1 };
    this._fitBase();
    this.moveTo((b.x0 + b.x1) / 2 + 20 / this.base, (b.y0 + b.y1) / 2, 1, animate);
  };

  WordMap.prototype.zoomAt = function (factor, sx, sy) {
    if (sx === undefined) { sx = this.width / 2; sy = this.height / 2; this._setHover(-1, 0, 0); }
    this._stopAnimation();
    var zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, this.zoom * factor));
    var dx = this.toDataX(sx), dy = this.toDataY(sy);
    this.zoom = zoom;
    // keep the data point under (sx, sy) where it is
    this.cx = dx - (sx - this.width / 2) / this.scale();
    this.cy = dy + (sy - this.height / 2) / this.scale();
    this.draw();
  };

  WordMap.prototype.panBy = function (dxPixels, dyPixels) {
    this._stopAnimation();
    this.cx -= dxPixels / this.scale();
    this.cy += dyPixels / this.scale();
    this.draw();
  };

  WordMap.prototype.moveTo = function (cx, cy, zoom, animate) {
    zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
    this._stopAnimation();
    this._setHover(-1, 0, 0);
    var reduce = global.matchMedia && global.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (!animate || reduce) {
      this.cx = cx; this.cy = cy; this.zoom = zoom; this.draw();
      return;
    }
    var self = this, from = { cx: this.cx, cy: this.cy, zoom: this.zoom }, start = null, ms = 450;
    function step(now) {
      if (start === null) start = now;
      var t = Math.min(1, (now - start) / ms), e = t < 0.5 ? 4 * t * t * t : 1 - Math.pow(-2 * t + 2, 3) / 2;
      var z = Math.exp(Math.log(from.zoom) + (Math.log(zoom) - Math.log(from.zoom)) * e);
      self.cx = from.cx + (cx - from.cx) * e;
      self.cy = from.cy + (cy - from.cy) * e;
      self.zoom = z;
      self._render();
      self.animation = t < 1 ? global.requestAnimationFrame(step) : null;
    }
    this.animation = global.requestAnimationFrame(step);
  };

  WordMap.prototype._stopAnimation = function () {
    if (this.animation) { global.cancelAnimationFrame(this.animation); this.animation = null; }
  };

  /* Highlight `word` and the words of `neighbours` (those on the map) and bring
   * them into view. Returns true when `word` itself is on the map. */
  WordMap.prototype.showWord = function (word, neighbours, animate) {
    var self = this;
    this.focus = this.lookup.has(word) ? this.lookup.get(word) : -1;
    this.neighbours = (neighbours || []).map(function (w) { return self.lookup.get(w); })
      .filter(function (i) { return i !== undefined && i !== self.focus; });
    if (this.focus >= 0) {
      var fx = this.xs[this.focus], fy = this.ys[this.focus];
      var d = this.neighbours.map(function (i) { return Math.hypot(self.xs[i] - fx, self.ys[i] - fy); })
        .sort(function (a, b) { return a - b; });
      // frame most of the neighbours around the word, keeping some of the map around it
      var reach = d.length ? d[Math.floor((d.length - 1) * 0.75)] : 0;
      var span = Math.max(reach * 2.4, 1e-9);
      var zoom = Math.min(this.width, this.height) / (span * this.base);
      zoom = Math.min(Math.max(zoom, 1.5), 4);
      var x0 = fx, x1 = fx, y0 = fy, y1 = fy;
      this.neighbours.forEach(function (i) {
        if (Math.hypot(self.xs[i] - fx, self.ys[i] - fy) > reach) return;
        x0 = Math.min(x0, self.xs[i]); x1 = Math.max(x1, self.xs[i]);
        y0 = Math.min(y0, self.ys[i]); y1 = Math.max(y1, self.ys[i]);
      });
      var centre = this._withinMap((x0 + x1) / 2 + 30 / (this.base * zoom), (y0 + y1) / 2, zoom);
      this.moveTo(centre[0], centre[1], zoom, animate !== false);
    } else {
      this.draw();
    }
    return this.focus >= 0;
  };

  /* Ring the point of `word` (null: none), as when the pointer is over it. */
  WordMap.prototype.markWord = function (word) {
    var index = word === null || !this.lookup.has(word) ? -1 : this.lookup.get(word);
    if (index !== this.hover) { this.hover = index; this.draw(); }
  };

  /* The centre nearest to (cx, cy) at which the view at `zoom` shows no empty
   * margin beyond the map (where the map is larger than the view). */
  WordMap.prototype._withinMap = function (cx, cy, zoom) {
    var b = this.bounds, s = this.base * zoom, margin = 40 / s;
    var hw = this.width / 2 / s, hh = this.height / 2 / s;
    function clamp(value, lo, hi) { return lo > hi ? value : Math.min(Math.max(value, lo), hi); }
    return [clamp(cx, b.x0 + hw - margin, b.x1 - hw + margin + 60 / s), clamp(cy, b.y0 + hh - margin, b.y1 - hh + margin)];
  };

  WordMap.prototype.clearHighlight = function () {
    this.focus = -1; this.neighbours = []; this.draw();
  };

  // -- drawing -------------------------------------------------------------------
  WordMap.prototype.resize = function () {
    var rect = this.canvas.getBoundingClientRect();
    this.ratio = global.devicePixelRatio || 1;
    this.width = Math.max(1, rect.width); this.height = Math.max(1, rect.height);
    this.canvas.width = Math.round(this.width * this.ratio);
    this.canvas.height = Math.round(this.height * this.ratio);
    this._fitBase();   // the same zoom level shows the same part of the map at any size
    this._render();
  };

  WordMap.prototype.draw = function () {
    var self = this;
    if (this.frame) return;
    this.frame = global.requestAnimationFrame(function () { self.frame = 0; self._render(); });
  };

  WordMap.prototype._measure = function () {
    var ctx = this.ctx;
    ctx.font = this.fontSize + "px " + STYLE.font;
    this.widths = new Float32Array(this.words.length);
    for (var i = 0; i < this.words.length; i++) this.widths[i] = ctx.measureText(this.words[i]).width;
  };

  WordMap.prototype._render = function () {
    var ctx = this.ctx, w = this.width, h = this.height, n = this.words.length, i;
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    ctx.fillStyle = STYLE.background;
    ctx.fillRect(0, 0, w, h);
    if (!n) return;
    if (!this.widths) this._measure();
    var sx = new Float32Array(n), sy = new Float32Array(n), s = this.scale();
    var hw = w / 2, hh = h / 2;
    for (i = 0; i < n; i++) {
      sx[i] = (this.xs[i] - this.cx) * s + hw;
      sy[i] = (this.cy - this.ys[i]) * s + hh;
    }
    this._sx = sx; this._sy = sy;
    var grow = Math.min(1.8, Math.pow(this.zoom, 0.18));

    // links from the searched word to its neighbours
    var special = new Set(this.neighbours);
    if (this.focus >= 0) {
      special.add(this.focus);
      ctx.strokeStyle = STYLE.link; ctx.lineWidth = 1.2;
      ctx.beginPath();
      for (var k = 0; k < this.neighbours.length; k++) {
        var j = this.neighbours[k];
        ctx.moveTo(sx[this.focus], sy[this.focus]); ctx.lineTo(sx[j], sy[j]);
      }
      ctx.stroke();
    }

    // all points in one path
    ctx.fillStyle = STYLE.point;
    ctx.beginPath();
    for (i = 0; i < n; i++) {
      if (sx[i] < -10 || sx[i] > w + 10 || sy[i] < -10 || sy[i] > h + 10 || special.has(i)) continue;
      var r = this.radius[i] * grow;
      ctx.moveTo(sx[i] + r, sy[i]);
      ctx.arc(sx[i], sy[i], r, 0, 2 * Math.PI);
    }
    ctx.fill();

    // labels: highlighted words first (always), then by frequency while they do not overlap
    var grid = new Map(), placed = 0;
    var lineHeight = this.fontSize + 3;
    function cellsOf(x0, y0, x1, y1, visit) {
      for (var gx = Math.floor(x0 / CELL); gx <= Math.floor(x1 / CELL); gx++) {
        for (var gy = Math.floor(y0 / CELL); gy <= Math.floor(y1 / CELL); gy++) {
          if (visit(gx + "," + gy) === false) return false;
        }
      }
      return true;
    }
    function fits(box) {
      return cellsOf(box[0], box[1], box[2], box[3], function (key) {
        var boxes = grid.get(key);
        if (!boxes) return true;
        for (var b = 0; b < boxes.length; b++) {
          var o = boxes[b];
          if (box[0] < o[2] && box[2] > o[0] && box[1] < o[3] && box[3] > o[1]) return false;
        }
        return true;
      });
    }
    function take(box) {
      cellsOf(box[0], box[1], box[2], box[3], function (key) {
        var boxes = grid.get(key);
        if (!boxes) grid.set(key, boxes = []);
        boxes.push(box);
      });
    }
    var self = this;
    function labelBox(idx, bold, side) {
      var width = self.widths[idx] * (bold ? 1.1 : 1), gap = (bold ? 6 : self.radius[idx] * grow) + 3;
      var x = sx[idx] + gap, y = sy[idx] - lineHeight / 2;
      if (side === 1) x = sx[idx] - gap - width;                                  // left
      else if (side === 2) { x = sx[idx] - width / 2; y = sy[idx] - gap - lineHeight; }  // above
      else if (side === 3) { x = sx[idx] - width / 2; y = sy[idx] + gap; }               // below
      return [x - 1, y, x + width + 1, y + lineHeight];
    }

    var canvasBox = this.canvas.getBoundingClientRect();
    this.obstacles.forEach(function (node) {
      if (node.hidden || !node.offsetParent) return;
      var r = node.getBoundingClientRect();
      take([r.left - canvasBox.left - 4, r.top - canvasBox.top - 4, r.right - canvasBox.left + 4, r.bottom - canvasBox.top + 4]);
    });

    var order = [];
    if (this.focus >= 0) order.push(this.focus);
    for (k = 0; k < this.neighbours.length; k++) order.push(this.neighbours[k]);
    var highlighted = order.length;

    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    var labels = [];
    for (k = 0; k < order.length; k++) {   // no label over a highlighted point
      var pr = order[k] === this.focus ? 7 : 5;
      take([sx[order[k]] - pr, sy[order[k]] - pr, sx[order[k]] + pr, sy[order[k]] + pr]);
    }
    for (k = 0; k < order.length; k++) {   // highlighted labels: the first side where they do not overlap
      var hb = null;
      for (var side = 0; side < 4 && !hb; side++) {
        var candidate = labelBox(order[k], true, side);
        if (fits(candidate)) hb = candidate;
      }
      hb = hb || labelBox(order[k], true, 0);
      take(hb);
      labels.push([order[k], hb, true]);
    }
    for (i = 0; i < n && placed < this.maxLabels; i++) {
      if (special.has(i)) continue;
      if (sx[i] < 0 || sx[i] > w || sy[i] < 0 || sy[i] > h) continue;
      var box = labelBox(i, false);
      if (box[2] > w - 2 || box[1] < 0 || box[3] > h) continue;
      if (!fits(box)) continue;
      take(box);
      labels.push([i, box, false]);
      placed++;
    }
    this.labelCount = placed;

    ctx.font = this.fontSize + "px " + STYLE.font;
    ctx.fillStyle = STYLE.label;
    ctx.strokeStyle = STYLE.halo;
    ctx.lineWidth = 3;
    for (k = highlighted; k < labels.length; k++) {
      var lb = labels[k];
      ctx.strokeText(this.words[lb[0]], lb[1][0] + 1, (lb[1][1] + lb[1][3]) / 2);
      ctx.fillText(this.words[lb[0]], lb[1][0] + 1, (lb[1][1] + lb[1][3]) / 2);
    }

    // highlighted points and labels on top
    for (k = order.length - 1; k >= 0; k--) {
      var idx = order[k], isFocus = idx === this.focus;
      ctx.beginPath();
      ctx.arc(sx[idx], sy[idx], (isFocus ? 6.5 : 4.5) * Math.min(grow, 1.3), 0, 2 * Math.PI);
      ctx.fillStyle = isFocus ? STYLE.focus : STYLE.neighbour;
      ctx.fill();
      ctx.lineWidth = 1.5; ctx.strokeStyle = "#fff"; ctx.stroke();
    }
    ctx.font = "600 " + this.fontSize + "px " + STYLE.font;
    ctx.lineWidth = 4;
    for (k = 0; k < highlighted; k++) {
      var hl = labels[k], word = this.words[hl[0]];
      var ly = (hl[1][1] + hl[1][3]) / 2;
      ctx.strokeStyle = STYLE.halo; ctx.strokeText(word, hl[1][0] + 1, ly);
      ctx.fillStyle = hl[0] === this.focus ? STYLE.focus : "#a35200";
      ctx.fillText(word, hl[1][0] + 1, ly);
    }

    // the word under the pointer
    if (this.hover >= 0) {
      ctx.beginPath();
      ctx.arc(sx[this.hover], sy[this.hover], this.radius[this.hover] * grow + 3, 0, 2 * Math.PI);
      ctx.lineWidth = 2; ctx.strokeStyle = STYLE.hover; ctx.stroke();
    }
  };

  // -- pointer and keyboard --------------------------------------------------------
  WordMap.prototype.hitTest = function (px, py) {
    if (!this._sx) return -1;
    var best = -1, bestDistance = 10 * 10;
    for (var i = 0; i < this.words.length; i++) {
      var dx = this._sx[i] - px, dy = this._sy[i] - py, d = dx * dx + dy * dy;
      if (d < bestDistance) { bestDistance = d; best = i; }
    }
    return best;
  };

  WordMap.prototype._local = function (event) {
    var rect = this.canvas.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  };

  WordMap.prototype._setHover = function (index, px, py) {
    if (index !== this.hover) { this.hover = index; this.draw(); }
    this.canvas.style.cursor = this.drag ? "grabbing" : (index >= 0 ? "pointer" : "grab");
    var tip = this.tooltip;
    if (!tip) return;
    if (index < 0) { tip.hidden = true; return; }
    var count = this.counts[index];
    tip.textContent = "";
    var strong = document.createElement("strong");
    strong.textContent = this.words[index];
    tip.appendChild(strong);
    var detail = document.createElement("span");
    detail.textContent = (count === null || count === undefined ? "" : "frequency " + count.toLocaleString("en-US") + " · ")
      + "rank " + (index + 1).toLocaleString("en-US");
    tip.appendChild(detail);
    tip.hidden = false;
    var left = Math.min(px + 14, this.width - tip.offsetWidth - 6);
    var top = py + 16 + tip.offsetHeight > this.height ? py - tip.offsetHeight - 10 : py + 16;
    tip.style.left = Math.max(4, left) + "px";
    tip.style.top = Math.max(4, top) + "px";
  };

  WordMap.prototype._bind = function () {
    var self = this, canvas = this.canvas;
    canvas.style.touchAction = "none";
    canvas.style.cursor = "grab";

    canvas.addEventListener("wheel", function (event) {
      event.preventDefault();
      var p = self._local(event);
      var delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
      self.zoomAt(Math.exp(-delta * (event.ctrlKey ? 0.01 : 0.0018)), p[0], p[1]);
    }, { passive: false });

    canvas.addEventListener("pointerdown", function (event) {
      canvas.setPointerCapture(event.pointerId);
      var p = self._local(event);
      self.pointers.set(event.pointerId, p);
      if (self.pointers.size === 1) self.drag = { start: p, last: p, moved: false };
      else self.drag = null;
    });

    canvas.addEventListener("pointermove", function (event) {
      var p = self._local(event);
      if (self.pointers.has(event.pointerId)) {
        var previous = self.pointers.get(event.pointerId);
        self.pointers.set(event.pointerId, p);
        if (self.pointers.size === 2) {        // pinch
          var other = null;
          self.pointers.forEach(function (q, id) { if (id !== event.pointerId) other = q; });
          var before = Math.hypot(previous[0] - other[0], previous[1] - other[1]);
          var after = Math.hypot(p[0] - other[0], p[1] - other[1]);
          if (before > 0) self.zoomAt(after / before, (p[0] + other[0]) / 2, (p[1] + other[1]) / 2);
          return;
        }
        if (self.drag) {
          if (Math.hypot(p[0] - self.drag.start[0], p[1] - self.drag.start[1]) > 4) self.drag.moved = true;
          if (self.drag.moved) {
            self.panBy(p[0] - self.drag.last[0], p[1] - self.drag.last[1]);
            self.drag.last = p;
            self._setHover(-1, p[0], p[1]);
            return;
          }
        }
      }
      self._setHover(self.hitTest(p[0], p[1]), p[0], p[1]);
    });

    function release(event) {
      var p = self._local(event);
      var drag = self.drag;
      self.pointers.delete(event.pointerId);
      self.drag = null;
      if (event.type === "pointerup" && drag && !drag.moved) {
        var hit = self.hitTest(p[0], p[1]);
        if (hit >= 0 && self.onSelect) self.onSelect(self.words[hit]);
      }
      self._setHover(self.hitTest(p[0], p[1]), p[0], p[1]);
    }
    canvas.addEventListener("pointerup", release);
    canvas.addEventListener("pointercancel", release);
    canvas.addEventListener("pointerleave", function () {
      if (!self.pointers.size) self._setHover(-1, 0, 0);
    });

    canvas.addEventListener("dblclick", function (event) {
      var p = self._local(event);
      self.zoomAt(event.shiftKey ? 0.5 : 2, p[0], p[1]);
    });

    canvas.addEventListener("keydown", function (event) {
      var step = 60, handled = true;
      switch (event.key) {
        case "+": case "=": self.zoomAt(1.4); break;
        case "-": case "_": self.zoomAt(1 / 1.4); break;
        case "0": self.reset(true); break;
        case "ArrowLeft": self.panBy(step, 0); break;
        case "ArrowRight": self.panBy(-step, 0); break;
        case "ArrowUp": self.panBy(0, step); break;
        case "ArrowDown": self.panBy(0, -step); break;
        default: handled = false;
      }
      if (handled) event.preventDefault();
    });

    if (global.ResizeObserver) {
      new global.ResizeObserver(function () { self.resize(); }).observe(canvas);
    } else {
      global.addEventListener("resize", function () { self.resize(); });
    }
  };

  global.WordMap = WordMap;
})(window);
