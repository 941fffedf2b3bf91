// Grid entry of a follow-up (campaigns/grid.html). Tab keeps its natural order; ↑ and ↓ move to the same
// column of the previous or next row (in a text area, only from its first or last character, so that the
// arrows still move the caret inside it); Entrée in a one-line field moves down (the field is saved on
// change; on the last row it is saved in place) instead of submitting its row's form. The per-row « Enregistrer » buttons, for pages without
// JavaScript, are hidden. A static file, never an inline script: the Content-Security-Policy allows 'self' only.
(function () {
  var grid = document.querySelector("[data-grille]");
  if (!grid) { return; }
  grid.querySelectorAll("[data-grille-sans-js]").forEach(function (button) { button.hidden = true; });

  function move(field, step) {
    var column = field.getAttribute("data-grille-colonne");
    var row = field.closest("tr");
    var target = null;
    while (!target) {
      row = step > 0 ? row.nextElementSibling : row.previousElementSibling;
      if (!row) { return false; }
      target = row.querySelector('[data-grille-colonne="' + column + '"]');
    }
    target.focus();
    if (target.tagName === "INPUT") { target.select(); }
    return true;
  }

  grid.addEventListener("keydown", function (event) {
    var field = event.target;
    if (!field.hasAttribute || !field.hasAttribute("data-grille-colonne")) { return; }
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    if (event.key === "Enter" && field.tagName === "INPUT") {
      event.preventDefault();
      // Leaving the field saves it; on the last row there is nowhere to go: save it in place.
      if (!move(field, 1)) { field.dispatchEvent(new Event("change", { bubbles: true })); }
      return;
    }
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") { return; }
    if (field.tagName === "TEXTAREA") {
      var atEdge = event.key === "ArrowUp"
        ? field.selectionStart === 0 && field.selectionEnd === 0
        : field.selectionStart === field.value.length;
      if (!atEdge) { return; }
    }
    event.preventDefault();  // a list or a number would otherwise change its value
    move(field, event.key === "ArrowDown" ? 1 : -1);
  });

  // A refused save (403), a stale row (409) or an invalid value (422) still carries the cell or the row to
  // show, with the French message next to it: htmx swaps those answers in too.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ((status === 403 || status === 409 || status === 422) && grid.contains(event.detail.elt)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
