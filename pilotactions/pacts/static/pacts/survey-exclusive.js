// The survey's exclusive option (« Aucune réussite particulière »): ticking it unticks the other answers of
// its question, ticking another answer unticks it. The server refuses the combination anyway (the form works
// without this script); this only spares a refused save. A static file: the CSP allows scripts from 'self' only.
(function () {
  "use strict";

  function onChange(event) {
    var box = event.target;
    var exclusive = box.getAttribute("data-pa-exclusive");
    if (!exclusive || !box.checked) {
      return;
    }
    var others = document.querySelectorAll('input[type="checkbox"][data-pa-exclusive]');
    Array.prototype.forEach.call(others, function (other) {
      if (other === box || other.name !== box.name) {
        return;
      }
      if (box.value === exclusive || other.value === exclusive) {
        other.checked = false;
      }
    });
  }

  document.addEventListener("change", onChange);
})();
