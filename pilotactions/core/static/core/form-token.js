// A creation form's one-time token (hidden field `form_token`) kept in the page's history entry: going back
// to the form after saving it shows the form again with the token it was saved with, even when the browser
// fetches the page anew (a hidden field is never restored by the browser), so that saving it again creates
// nothing twice (contracts.services.action_create). A static file: the CSP refuses inline scripts.
(function () {
  "use strict";
  var field = document.querySelector("input[type=hidden][name=form_token]");
  if (!field || !window.history || !window.history.replaceState) { return; }
  var state = window.history.state || {};
  if (state.paFormToken) {
    field.value = state.paFormToken;
  } else {
    var next = {};
    Object.keys(state).forEach(function (key) { next[key] = state[key]; });
    next.paFormToken = field.value;
    window.history.replaceState(next, "");
  }
})();
