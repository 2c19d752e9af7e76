/* wordvec explore: small page helpers shared by the server page and the HTML map. */
(function (global) {
  "use strict";

  function formatCount(n) {
    return (n === null || n === undefined) ? "" : Number(n).toLocaleString("en-US");
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* Fill an <ol> with answers [{word, similarity, count}], each word a button.
   * onHover(word or null) follows the pointer over the list. */
  function renderAnswers(list, answers, onWord, onHover) {
    list.textContent = "";
    var top = answers.length ? Math.max(answers[0].similarity, 1e-9) : 1;
    answers.forEach(function (answer, i) {
      var item = element("li", "answer");
      var button = element("button", "answer-word", answer.word);
      button.type = "button";
      button.title = "search “" + answer.word + "”" + (answer.count ? " (frequency " + formatCount(answer.count) + ")" : "");
      button.addEventListener("click", function () { onWord(answer.word); });
      if (onHover) {
        item.addEventListener("mouseenter", function () { onHover(answer.word); });
        item.addEventListener("mouseleave", function () { onHover(null); });
      }
      var bar = element("span", "bar");
      var fill = element("span", "bar-fill");
      fill.style.width = (100 * Math.max(0, Math.min(1, answer.similarity / top))).toFixed(1) + "%";
      bar.appendChild(fill);
      item.appendChild(element("span", "rank", String(i + 1)));
      item.appendChild(button);
      item.appendChild(bar);
      item.appendChild(element("span", "score", answer.similarity.toFixed(3)));
      list.appendChild(item);
    });
  }

  /* A text box with a list of completions.
   * source(prefix) → Promise of [{word, count}]; onChoose(word) when the user picks or submits. */
  function Combobox(input, list, source, onChoose) {
    var items = [], active = -1, timer = 0, generation = 0;

    function close() {
      list.hidden = true; items = []; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function mark(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (node, i) {
        node.classList.toggle("active", i === active);
        node.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", list.children[active].id);
        list.children[active].scrollIntoView({ block: "nearest" });
      }
    }
    function show(words) {
      items = words; list.textContent = ""; active = -1;
      if (!words.length) { close(); return; }
      words.forEach(function (entry, i) {
        var option = element("li", "suggestion");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.appendChild(element("span", "suggestion-word", entry.word));
        if (entry.count !== null && entry.count !== undefined) {
          option.appendChild(element("span", "suggestion-count", formatCount(entry.count)));
        }
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(entry.word); });
        list.appendChild(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    function choose(word) {
      input.value = word;
      close();
      onChoose(word);
    }
    function update() {
      var prefix = input.value.trim(), mine = ++generation;
      if (!prefix) { close(); return; }
      Promise.resolve(source(prefix)).then(function (words) {
        if (mine === generation && document.activeElement === input) show(words || []);
      }, function () { if (mine === generation) close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 70);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && items.length) { event.preventDefault(); mark((active + 1) % items.length); }
      else if (event.key === "ArrowUp" && items.length) { event.preventDefault(); mark((active - 1 + items.length) % items.length); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter") {
        event.preventDefault();
        clearTimeout(timer); generation++;
        var word = active >= 0 ? items[active].word : input.value.trim();
        if (word) choose(word);
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    return { close: close, set: function (word) { input.value = word; close(); } };
  }

  global.ExploreUI = { formatCount: formatCount, element: element, renderAnswers: renderAnswers, Combobox: Combobox };
})(window);
