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
  // Forms marked data-submit-once ignore a second submission (a double click on a decision).
  // The buttons stay enabled so the clicked button's name/value is still sent; the server
  // refuses a repeat anyway.
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }
      if (form.dataset.submitted) { event.preventDefault(); return; }
      form.dataset.submitted = "1";
    });
  });
  // Coming back with the browser's back button restores the page as it was: submittable again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-submit-once]").forEach(function (form) { delete form.dataset.submitted; });
    }
  });
  // Inspection page: a photo is uploaded as soon as it is taken, with the rest of the page (the
  // item's upload button posts the whole form, so nothing typed is lost).
  document.querySelectorAll("input[type=file][data-submit-with]").forEach(function (input) {
    input.addEventListener("change", function () {
      var button = document.getElementById(input.getAttribute("data-submit-with"));
      if (input.files.length && button && input.form) { input.form.requestSubmit(button); }
    });
  });
  // Inspection page: the note of an item marked 不合格 is required (the server says so too).
  document.querySelectorAll("textarea[data-note-for]").forEach(function (note) {
    var name = note.getAttribute("data-note-for");
    document.querySelectorAll("input[type=radio][name='" + name + "']").forEach(function (radio) {
      radio.addEventListener("change", function () { note.required = radio.checked && radio.value === "fail"; });
    });
  });
  // Buttons marked data-confirm ask before they act.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
});
// Formsets (e.g. the return plan of a resumption application): a button data-formset-add="<prefix>"
// appends a copy of <template data-formset-template="<prefix>"> to [data-formset-body="<prefix>"]
// and counts it in <prefix>-TOTAL_FORMS. Without JavaScript the page still offers empty rows.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var template = document.querySelector('template[data-formset-template="' + prefix + '"]');
    var body = document.querySelector('[data-formset-body="' + prefix + '"]');
    var total = document.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    if (!template || !body || !total) { return; }
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      while (holder.firstChild) { body.appendChild(holder.firstChild); }
      total.value = String(index + 1);
      var first = body.lastElementChild && body.lastElementChild.querySelector("input, select");
      if (first) { first.focus(); }
    });
  });
});
