/* Fugong page behaviour. Loaded from our own origin: no inline script (CSP). */
document.addEventListener("DOMContentLoaded", function () {
  // Filter forms marked data-autosubmit refresh the list as soon as a select changes.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.requestSubmit(); });
  });
  // Buttons marked data-confirm ask before they act.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
});
