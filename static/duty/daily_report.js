// 值班日报 print view: the print button (no inline handlers under CSP script-src 'self').
(function () {
  "use strict";
  var button = document.getElementById("print-report");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
})();
