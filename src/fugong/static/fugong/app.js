/* Fugong page behaviour. Loaded from our own origin: no inline script (CSP). */
document.addEventListener("DOMContentLoaded", function () {
  // Filter forms marked data-autosubmit refresh the list as soon as a select changes.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.requestSubmit(); });
  });
  // The language switch returns to the page as it is now: htmx may have pushed a filtered URL
  // since the page (and its hidden "next" field) was rendered.
  document.querySelectorAll("form[data-language-switch]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var next = form.querySelector("input[name=next]");
      if (next) { next.value = window.location.pathname + window.location.search; }
    });
  });
  // Buttons marked data-confirm ask before they act.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
});
