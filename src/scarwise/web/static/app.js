// scarwise: the only script besides htmx. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";
  function wireCompare(root) {
    root.querySelectorAll("[data-compare]").forEach(function (box) {
      var range = box.parentElement.querySelector("input[type=range][data-compare-range]");
      if (!range || range.dataset.wired) { return; }
      range.dataset.wired = "1";
      var update = function () { box.style.setProperty("--split", range.value + "%"); };
      range.addEventListener("input", update);
      update();
    });
    root.querySelectorAll("[data-progress]").forEach(function (bar) {
      bar.style.setProperty("--w", bar.dataset.progress + "%");
    });
  }
  document.addEventListener("click", function (e) {
    var target = e.target;
    if (target && target.closest && target.closest("[data-print]")) { window.print(); }
  });
  document.addEventListener("DOMContentLoaded", function () { wireCompare(document); });
  document.addEventListener("htmx:afterSwap", function (e) { wireCompare(e.target); });
})();
