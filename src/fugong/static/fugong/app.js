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

/* ---- Gate page (fugong.gates): camera QR scanning with the vendored jsQR, and the next person. ----
 * getUserMedia → <video> → <canvas> → jsQR, all in this file (CSP: no inline script). A code read
 * by the camera fills the code field and moves on to the temperature; the guard presses 进 or 出.
 * The forms post with htmx and come back blank after a record (or as typed, with errors): the
 * camera then looks for the next pass. Browsers open the camera only for HTTPS pages (and
 * localhost); elsewhere the guard types or pastes the code, or a USB scanner types it. */
(function () {
  "use strict";
  var LOOKING = "将出入证二维码对准取景框。";

  function scanner(box) {
    var video = box.querySelector("video");
    var canvas = box.querySelector("canvas");
    var toggle = box.querySelector("[data-qr-toggle]");
    var label = toggle.querySelector("span");
    var status = box.querySelector("[data-qr-status]");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    var stream = null;
    var paused = false;
    var recent = "";
    var quietUntil = 0;

    function say(text) { status.textContent = text; }
    // Looked up each time: the forms are replaced after every post.
    function field(attribute) { return document.getElementById(box.getAttribute(attribute)); }

    function stop() {
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
      stream = null;
      video.srcObject = null;
      video.classList.add("d-none");
      label.textContent = toggle.getAttribute("data-label-start");
    }

    function found(text) {
      var target = field("data-qr-target");
      if (!target) { return; }
      // The pass just answered for, still in front of the camera, is not read again until it has
      // been out of sight for a moment (a new presentation).
      if (text === recent && Date.now() < quietUntil) { quietUntil = Date.now() + 1500; return; }
      recent = text;
      target.value = text;
      paused = true;
      if (navigator.vibrate) { navigator.vibrate(80); }
      say("已识别二维码，请测温后点“进”或“出”。");
      var next = field("data-qr-next");
      if (next) { next.focus(); }
    }

    function tick() {
      if (!stream) { return; }
      if (!paused && window.jsQR && video.readyState === video.HAVE_ENOUGH_DATA) {
        // Decode a scaled-down frame: a pass fills much of the picture, and phones are slow.
        var scale = Math.min(1, 640 / Math.max(video.videoWidth, video.videoHeight));
        canvas.width = Math.round(video.videoWidth * scale);
        canvas.height = Math.round(video.videoHeight * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        if (code && code.data) { found(code.data); }
      }
      window.requestAnimationFrame(tick);
    }

    toggle.addEventListener("click", function () {
      if (stream) { stop(); say(""); return; }
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        say("此浏览器无法使用摄像头（须通过 HTTPS 访问）：请手动输入或粘贴二维码下方的编码。");
        return;
      }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (media) {
        stream = media;
        paused = false;
        video.srcObject = media;
        video.classList.remove("d-none");
        label.textContent = toggle.getAttribute("data-label-stop");
        video.play();
        say(LOOKING);
        window.requestAnimationFrame(tick);
      }).catch(function () {
        say("无法打开摄像头（未授权或被占用）：请手动输入或粘贴二维码下方的编码。");
      });
    });
    // The camera is not left running behind another tab or a locked screen.
    var tab = document.getElementById("tab-scan");
    if (tab) { tab.addEventListener("hide.bs.tab", function () { stop(); say(""); }); }
    document.addEventListener("visibilitychange", function () { if (document.hidden && stream) { stop(); say(""); } });

    return {
      running: function () { return stream !== null; },
      resume: function () { if (stream) { paused = false; quietUntil = Date.now() + 1500; say(LOOKING); } }
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var scanners = [];
    document.querySelectorAll("[data-qr-scanner]").forEach(function (box) { scanners.push(scanner(box)); });
    if (!document.querySelector("[data-gate-form]")) { return; }
    // A form comes back from a post: refused → to the first field to fix; recorded → ready for
    // the next person (the camera looks again; without it, the code field takes a typed code).
    document.addEventListener("htmx:load", function (event) {
      var form = event.detail && event.detail.elt;
      if (!form || !form.matches || !form.matches("[data-gate-form]")) { return; }
      var invalid = form.querySelector(".is-invalid");
      if (invalid) { invalid.focus(); return; }
      var camera = false;
      scanners.forEach(function (s) { if (s.running()) { camera = true; s.resume(); } });
      var first = form.querySelector("input:not([type=hidden])");
      if (first && !camera) { first.focus(); }
    });
  });
})();
/* ---- end of gate page ---- */
/* ---- Passes (fugong.workforce, A2): print buttons, "select all" on the 待发证 list ---- */
document.addEventListener("DOMContentLoaded", function () {
  // Buttons marked data-print print the page (the pass card; the rest is d-print-none).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
});
// data-select-all="<name>" ticks every checkbox of that name in its form (this page's rows);
// data-select-every="<name>" ("all N matching the filters") ticks them too, and unticking a row
// unticks it, so the form never says "all" while a row is left out. Bound on every htmx swap:
// the pending table comes back through htmx when the filters change.
function fugongBindSelectAll(root) {
  root.querySelectorAll("[data-select-all], [data-select-every]").forEach(function (box) {
    if (box.dataset.bound) { return; }
    box.dataset.bound = "1";
    var name = box.getAttribute("data-select-all") || box.getAttribute("data-select-every");
    var form = box.form;
    if (!form) { return; }
    var rows = function () { return form.querySelectorAll('input[type=checkbox][name="' + name + '"]'); };
    box.addEventListener("change", function () {
      rows().forEach(function (row) { row.checked = box.checked; });
      if (!box.checked) {
        form.querySelectorAll("[data-select-all], [data-select-every]").forEach(function (other) { other.checked = false; });
      }
    });
    rows().forEach(function (row) {
      row.addEventListener("change", function () { if (!row.checked) { box.checked = false; } });
    });
  });
}
document.addEventListener("DOMContentLoaded", function () { fugongBindSelectAll(document); });
document.addEventListener("htmx:load", function (event) { if (event.detail && event.detail.elt) { fugongBindSelectAll(event.detail.elt); } });
/* ---- end of passes ---- */
/* ---- People (fugong.workforce, A1): progress bars, copy buttons, the travel places of the health declaration ---- */
(function () {
  "use strict";
  // Bootstrap progress bars take their width from data-progress (no style attribute: CSP);
  // the roster import's status comes back through htmx every second.
  function bindProgress(root) {
    root.querySelectorAll("[data-progress]").forEach(function (bar) {
      var value = Math.max(0, Math.min(100, parseInt(bar.getAttribute("data-progress"), 10) || 0));
      bar.style.width = value + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { bindProgress(document); });
  document.addEventListener("htmx:load", function (event) { if (event.detail && event.detail.elt) { bindProgress(event.detail.elt); } });

  // data-copy="<id>" copies the value of that field (a personal link) to the clipboard.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    var done = function () { button.textContent = button.getAttribute("data-copied-label") || "已复制"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
    } else {
      field.select();  // without HTTPS the browser will not let a page write the clipboard: the user copies the selection
    }
  });

  // Travel places: choosing a province fills the second select with its cities (or counties),
  // choosing a city fills the third with its counties, from the form's data-divisions-url. Bound
  // on the document, so rows added with "添加一条行程" work too. Without JavaScript the page
  // still works: the server fills the lower selects when the form comes back.
  function fill(select, children) {
    var placeholder = select.options.length ? select.options[0].text : "";
    select.innerHTML = "";
    select.appendChild(new Option(placeholder, ""));
    children.forEach(function (child) { select.appendChild(new Option(child.name, child.code)); });
    select.disabled = children.length === 0;
  }
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-division-level]")) { return; }
    var row = select.closest("[data-travel-row]");
    var form = select.closest("[data-divisions-url]");
    if (!row || !form) { return; }
    var level = parseInt(select.getAttribute("data-division-level"), 10);
    var next = row.querySelector('select[data-division-level="' + (level + 1) + '"]');
    row.querySelectorAll("select[data-division-level]").forEach(function (lower) {
      if (parseInt(lower.getAttribute("data-division-level"), 10) > level) { fill(lower, []); }
    });
    if (!next || !select.value) { return; }
    var url = form.getAttribute("data-divisions-url") + "?parent=" + encodeURIComponent(select.value);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { children: [] }; })
      .then(function (data) { fill(next, data.children || []); })
      .catch(function () { fill(next, []); });
  });
})();
/* ---- end of people ---- */
/* ---- Quarantine (fugong.quarantine): the "place a person" form ---- */
// A home quarantine has no site: the site and room fields hide while 居家隔离 is chosen. Without
// JavaScript they stay visible and the server ignores them for a home quarantine.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-quarantine-kind]").forEach(function (kind) {
    var fields = kind.form && kind.form.querySelector("[data-site-fields]");
    if (!fields) { return; }
    function toggle() { fields.classList.toggle("d-none", kind.value === "home"); }
    kind.addEventListener("change", toggle);
    toggle();
  });
});
/* ---- end of quarantine ---- */
/* ---- Exports (fugong.exports): the lists' export button ---- */
// The filters change the list through htmx and push their query into the address bar: the export
// takes the filters shown now, not those the page was first loaded with.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches || !form.matches("form[data-export-form]")) { return; }
  var query = form.querySelector("input[name=query]");
  if (query && window.location.pathname === form.querySelector("input[name=path]").value) {
    query.value = window.location.search.replace(/^\?/, "");
  }
});
/* ---- end of exports ---- */
