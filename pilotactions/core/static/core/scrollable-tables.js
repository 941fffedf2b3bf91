// A DSFR table wider than its space scrolls sideways (on a phone, most do): it then takes the keyboard focus, so
// that it can be scrolled without a mouse (RGAA 7.3; axe-core: scrollable-region-focusable). Only the tables that
// do scroll get a Tab stop; a template that already gives one (tabindex) is left alone. Checked when the page
// is ready, when the window is resized and when htmx swaps content in.
(function () {
  "use strict";
  var SCROLLERS = ".fr-table > table, .fr-table__container";
  var MARK = "data-pa-scrollable";

  function nameOf(scroller) {
    var caption = scroller.querySelector("caption");
    return caption ? caption.textContent.trim() : "Tableau";
  }

  function update() {
    document.querySelectorAll(SCROLLERS).forEach(function (scroller) {
      if (scroller.hasAttribute("tabindex") && !scroller.hasAttribute(MARK)) {
        return;
      }
      var scrolls = scroller.scrollWidth > scroller.clientWidth + 1;
      if (scrolls && !scroller.hasAttribute(MARK)) {
        scroller.setAttribute("tabindex", "0");
        scroller.setAttribute(MARK, "");
        if (scroller.tagName !== "TABLE" && !scroller.hasAttribute("role")) {
          scroller.setAttribute(MARK, "region"); // a focusable container is named after its table
          scroller.setAttribute("role", "region");
          scroller.setAttribute("aria-label", nameOf(scroller));
        }
      } else if (!scrolls && scroller.hasAttribute(MARK)) {
        if (scroller.getAttribute(MARK) === "region") {
          scroller.removeAttribute("role");
          scroller.removeAttribute("aria-label");
        }
        scroller.removeAttribute("tabindex");
        scroller.removeAttribute(MARK);
      }
    });
  }

  var pending = null;
  function later() {
    if (pending === null) {
      pending = window.requestAnimationFrame(function () {
        pending = null;
        update();
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
  window.addEventListener("load", update);
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", update);
})();
