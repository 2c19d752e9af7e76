/* wordvec: the self-contained HTML map (`wordvec plot --html`); its data is inlined in the page. */
(function () {
  "use strict";
  var ui = window.ExploreUI;
  var $ = function (id) { return document.getElementById(id); };
  var data = JSON.parse($("map-data").textContent);
  var wordMap = new window.WordMap($("map"), {
    tooltip: $("tooltip"), obstacles: [document.querySelector(".map-controls"), $("map-caption")], onSelect: function (w) { show(w); } });
  wordMap.setData(data);
  var folded = data.words.map(function (w) { return w.toLowerCase(); });

  function complete(prefix) {
    var key = prefix.toLowerCase(), exact = [], rest = [];
    for (var i = 0; i < folded.length && exact.length + rest.length < 40; i++) {
      if (folded[i] === key) exact.push(i);
      else if (folded[i].lastIndexOf(key, 0) === 0) rest.push(i);
    }
    return exact.concat(rest).slice(0, 8).map(function (i) { return { word: data.words[i], count: data.counts[i] }; });
  }

  function status(text, kind) {
    $("search-status").textContent = text;
    $("search-status").className = "status " + (kind || "muted");
  }

  function show(word) {
    word = (word || "").trim();
    if (!word) return;
    var index = wordMap.lookup.get(word);
    if (index === undefined) index = wordMap.lookup.get(word.toLowerCase());
    if (index === undefined) {
      $("neighbours").textContent = "";
      delete $("neighbours").dataset.word;
      wordMap.clearHighlight();
      status("“" + word + "” is not among the " + ui.formatCount(data.words.length) + " words of this map", "error");
      return;
    }
    word = data.words[index];
    combo.set(word);
    var answers = (data.neighbours ? data.neighbours[index] : []).map(function (entry) {
      return { word: entry[0], similarity: entry[1], count: entry[2] };
    });
    ui.renderAnswers($("neighbours"), answers, show, function (w) { wordMap.markWord(w); });
    $("neighbours").dataset.word = word;
    wordMap.showWord(word, answers.map(function (a) { return a.word; }));
    status(answers.length ? "nearest to “" + word + "” by cosine similarity" : "“" + word + "”");
  }

  var combo = ui.Combobox($("search"), $("suggestions"), complete, show);
  $("search-form").addEventListener("submit", function (event) { event.preventDefault(); show($("search").value); });
  $("zoom-in").addEventListener("click", function () { wordMap.zoomAt(1.5); });
  $("zoom-out").addEventListener("click", function () { wordMap.zoomAt(1 / 1.5); });
  $("zoom-reset").addEventListener("click", function () { wordMap.reset(true); });
  $("map-caption").textContent = "t-SNE map of the " + ui.formatCount(data.words.length)
    + " most frequent words · scroll to zoom, drag to pan, click a word";
  window.wordvecExplore = { map: wordMap, search: show };   // for scripts and tests
  $("map").dataset.ready = "true";
})();
