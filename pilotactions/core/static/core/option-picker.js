// Long multiple choices (communes, intercommunalités, long option lists): native checkboxes in a fieldset,
// which work without this script. It adds what a long list needs: a filter field (accents and case ignored)
// and, above it, the chosen items as buttons that remove them. Every text comes from the template (French).
// A static file, never an inline script: the Content-Security-Policy allows scripts from 'self' only.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[’'\-\s]+/g, " ").trim();
  }

  function count(template, n) {
    return template.replace("{n}", n.toLocaleString("fr-FR"));
  }

  function enhance(fieldset) {
    var items = Array.prototype.slice.call(fieldset.querySelectorAll("[data-pa-picker-item]"));
    var filter = fieldset.querySelector("[data-pa-picker-filter]");
    var status = fieldset.querySelector("[data-pa-picker-status]");
    var chosen = fieldset.querySelector("[data-pa-picker-chosen]");
    var heading = fieldset.querySelector("[data-pa-picker-count]");
    var folded = items.map(function (item) { return fold(item.dataset.label); });

    function boxOf(item) { return item.querySelector("input[type=checkbox]"); }

    function renderChosen(focusAfter) {
      chosen.textContent = "";
      var checked = items.filter(function (item) { return boxOf(item).checked; });
      heading.textContent = checked.length === 0 ? heading.dataset.empty
        : checked.length === 1 ? heading.dataset.one : count(heading.dataset.many, checked.length);
      checked.forEach(function (item) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "fr-tag fr-tag--sm fr-tag--icon-left fr-icon-close-line";
        button.textContent = item.dataset.label;
        button.setAttribute("aria-label", chosen.dataset.removeLabel.replace("{label}", item.dataset.label));
        button.dataset.value = boxOf(item).value;
        li.appendChild(button);
        chosen.appendChild(li);
      });
      if (focusAfter !== undefined) {
        var buttons = chosen.querySelectorAll("button");
        (buttons[Math.min(focusAfter, buttons.length - 1)] || filter).focus();
      }
    }

    function applyFilter() {
      var wanted = fold(filter.value);
      var shown = 0;
      items.forEach(function (item, index) {
        var match = wanted === "" || folded[index].indexOf(wanted) !== -1;
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      status.textContent = wanted === "" ? "" : shown === 0 ? status.dataset.none
        : shown === 1 ? status.dataset.one : count(status.dataset.many, shown);
    }

    chosen.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-value]");
      if (!button) { return; }
      var position = Array.prototype.indexOf.call(chosen.querySelectorAll("button"), button);
      items.forEach(function (item) {
        var box = boxOf(item);
        if (box.value === button.dataset.value) {
          box.checked = false;
          box.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
      renderChosen(position);
    });
    fieldset.addEventListener("change", function (event) {
      if (event.target.type === "checkbox") { renderChosen(); }
    });
    filter.addEventListener("input", applyFilter);
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // Enter in the filter must not send the form
    });

    fieldset.querySelector(".pa-picker__chosen").hidden = false;
    fieldset.querySelector(".pa-picker__filter").hidden = false;
    fieldset.classList.add("pa-picker--enhanced");
    renderChosen();
  }

  document.querySelectorAll("[data-pa-picker]").forEach(enhance);
})();
