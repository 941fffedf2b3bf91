// Formset rows added in the page: a button `data-add-row="<prefix>"` copies the <template id="<prefix>-empty">
// row into <tbody id="<prefix>-lines">, numbered after the existing ones (the formset's TOTAL_FORMS).
// A static file, never an inline script: the Content-Security-Policy allows scripts from 'self' only.
document.querySelectorAll("[data-add-row]").forEach(function (button) {
  button.addEventListener("click", function () {
    var prefix = button.dataset.addRow;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var html = document.getElementById(prefix + "-empty").innerHTML.replace(/__prefix__/g, total.value);
    var body = document.getElementById(prefix + "-lines");
    body.insertAdjacentHTML("beforeend", html);
    total.value = parseInt(total.value, 10) + 1;
    if (window.htmx) { htmx.process(body); }
    body.lastElementChild.querySelector("select, input:not([type=hidden])").focus();
  });
});
