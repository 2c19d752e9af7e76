/* wordvec explore: the page served by `wordvec explore`, talking to its JSON API. */
(function () {
  "use strict";
  var ui = window.ExploreUI;
  var $ = function (id) { return document.getElementById(id); };

  var state = { word: null, mapWords: 0, mapReady: false, info: null, searches: 0, analogies: 0 };
  var wordMap = new window.WordMap($("map"), {
    tooltip: $("tooltip"), obstacles: [document.querySelector(".map-controls"), $("map-caption")], onSelect: function (w) { search(w); } });

  function api(path, params) {
    var query = new URLSearchParams(params || {}).toString();
    return fetch("/api/" + path + (query ? "?" + query : ""), { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return { error: response.statusText }; })
          .then(function (body) {
            if (!response.ok) {
              var error = new Error(body && body.error ? body.error : "HTTP " + response.status);
              error.status = response.status;
              throw error;
            }
            if (Array.isArray(body)) body.built = builtWords(response.headers.get("X-Built-From-Subwords"));
            return body;
          });
      });
  }

  // The query words a subword model built from their n-grams (not in its vocabulary).
  function builtWords(header) {
    if (!header) return [];
    return header.split(",").map(function (part) {
      try { return decodeURIComponent(part); } catch (error) { return part; }
    });
  }

  function builtNote(words) {
    if (!words || !words.length) return "";
    return "“" + words.join("”, “") + "” " + (words.length > 1 ? "are" : "is")
      + " not in the vocabulary: built from subwords";
  }

  function status(id, text, kind) {
    var node = $(id);
    node.textContent = text || "";
    node.className = "status" + (kind ? " " + kind : "");
  }

  function mark(word) { wordMap.markWord(word); }

  function count() {
    var n = parseInt($("count").value, 10);
    if (!(n >= 1)) n = 10;
    n = Math.min(n, 100);
    $("count").value = n;
    return n;
  }

  // -- nearest words ------------------------------------------------------------
  function search(word, options) {
    word = (word || "").trim();
    if (!word) return;
    options = options || {};
    combo.set(word);
    status("search-status", "Searching…", "muted");
    var mine = ++state.searches;
    function current(value) {   // drop answers overtaken by a later search
      if (mine !== state.searches) throw { stale: true };
      return value;
    }
    var lower = word.toLowerCase();
    function useLower(answers) { word = lower; return current(answers); }
    return api("similar", { word: word, n: count() }).then(function (answers) {
      current();
      if (!answers.built.length || lower === word) return answers;
      // not in the vocabulary, built from subwords: its lower-case form may be a vocabulary word
      return api("similar", { word: lower, n: count() }).then(function (lowerAnswers) {
        return lowerAnswers.built.length ? current(answers) : useLower(lowerAnswers);
      }, function () { return current(answers); });
    }, function (error) {
      current();
      if (error.status === 404 && lower !== word) return api("similar", { word: lower, n: count() }).then(useLower);
      throw error;
    }).then(function (answers) {
      state.word = word;
      combo.set(word);
      ui.renderAnswers($("neighbours"), answers, function (w) { search(w); }, mark);
      $("neighbours").dataset.word = word;
      var onMap = wordMap.showWord(word, answers.map(function (a) { return a.word; }), !options.instant);
      var shown = answers.filter(function (a) { return wordMap.lookup.has(a.word); }).length;
      var where = !state.mapReady ? "" : onMap
        ? " · " + shown + " on the map"
        : " · “" + word + "” is not on the map";
      var note = answers.built.length ? " · " + builtNote(answers.built) : "";
      status("search-status", answers.length + " nearest words" + note + where, "muted");
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", "#" + encodeURIComponent(word));
      }
    }).catch(function (error) {
      if (error.stale) return;
      $("neighbours").textContent = "";
      delete $("neighbours").dataset.word;
      wordMap.clearHighlight();
      status("search-status", error.message, "error");
    });
  }

  var combo = ui.Combobox($("search"), $("suggestions"), function (prefix) {
    return api("vocab", { prefix: prefix, limit: 8 });
  }, function (word) { search(word); });

  $("search-form").addEventListener("submit", function (event) { event.preventDefault(); search($("search").value); });
  $("count").addEventListener("change", function () { if (state.word) search(state.word, { instant: true }); });

  // -- analogies ------------------------------------------------------------------
  $("analogy-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var a = $("analogy-a").value.trim(), b = $("analogy-b").value.trim(), c = $("analogy-c").value.trim();
    if (!a || !c) { status("analogy-status", "Fill in a and c (b is optional): a − b + c", "error"); return; }
    var params = { positive: [a, c].join(","), n: 5 };
    if (b) params.negative = b;
    status("analogy-status", "Solving…", "muted");
    var mine = ++state.analogies;
    api("analogy", params).then(function (answers) {
      if (mine !== state.analogies) return;
      ui.renderAnswers($("analogy-answers"), answers, function (w) { search(w); }, mark);
      var note = answers.built.length ? " · " + builtNote(answers.built) : "";
      status("analogy-status", a + (b ? " − " + b : "") + " + " + c + " ≈ " + (answers.length ? answers[0].word : "?") + note, "muted");
      if (answers.length) wordMap.showWord(answers[0].word, answers.slice(1).map(function (x) { return x.word; }).concat([a, b, c]));
    }).catch(function (error) {
      if (mine !== state.analogies) return;
      $("analogy-answers").textContent = "";
      status("analogy-status", error.message, "error");
    });
  });

  // -- map ----------------------------------------------------------------------------
  $("zoom-in").addEventListener("click", function () { wordMap.zoomAt(1.5); });
  $("zoom-out").addEventListener("click", function () { wordMap.zoomAt(1 / 1.5); });
  $("zoom-reset").addEventListener("click", function () { wordMap.reset(true); });

  function loadMap(attempt) {
    api("map").then(function (data) {
      wordMap.setData(data);
      state.mapReady = true;
      state.mapWords = data.words.length;
      $("map-status").hidden = true;
      $("map").dataset.ready = "true";
      $("map-caption").textContent = "t-SNE map of the " + ui.formatCount(data.words.length)
        + " most frequent words · scroll to zoom, drag to pan, click a word";
      if (state.word) search(state.word, { instant: true });
    }).catch(function (error) {
      if (error.status === 503) {
        $("map-status").textContent = "Computing the map (t-SNE, only the first time)…";
        setTimeout(function () { loadMap(attempt + 1); }, Math.min(4000, 500 + 250 * attempt));
      } else {
        $("map-status").textContent = "No map: " + error.message;
        $("map-status").classList.add("error");
      }
    });
  }

  api("info").then(function (info) {
    state.info = info;
    var parts = [info.model, ui.formatCount(info.words) + " words", info.dim + " dimensions"];
    if (info.engine) parts.push(info.engine + " engine");
    if (info.subwords) parts.push("any word answered from its subwords");
    $("model-info").textContent = parts.join(" · ");
    document.title = info.model + " · wordvec explore";
  }).catch(function () {});

  window.wordvecExplore = { map: wordMap, search: search };   // for scripts and tests
  loadMap(0);
  var initial = "";
  try { initial = decodeURIComponent((window.location.hash || "").slice(1)); } catch (error) { initial = ""; }
  if (initial) search(initial, { instant: true });
  else $("search").focus();
})();
