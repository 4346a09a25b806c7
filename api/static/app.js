// beleidsgraaf: the page script. Fills the SPARQL editor from the chosen named-query example and loads
// the editor scripts on the SPARQL page.
(function () {
  "use strict";
  var select = document.getElementById("examples");
  var data = document.getElementById("example-data");
  var editor = document.getElementById("query");
  if (select && data && editor) {
    var texts = JSON.parse(data.textContent);
    select.addEventListener("change", function () {
      if (select.value !== "") { editor.value = texts[Number(select.value)]; }
    });
  }
  // The SPARQL page: the editor (vendored YASQE) and the results view load only here, and from this
  // origin: the CSP allows scripts from 'self' only, none inline.
  if (document.getElementById("sparql-form")) {
    var load = function (src, next) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = next;
      script.onerror = next; // without the editor the page still runs queries (plain textarea)
      document.body.appendChild(script);
    };
    load("/static/vendor/yasqe/yasqe.min.js", function () { load("/static/sparql.js", function () {}); });
  }
  // Bring a cited line into view below the sticky browser chrome on phones.
  if (location.hash && /^#L\d+$/.test(location.hash)) {
    var line = document.getElementById(location.hash.slice(1));
    if (line) { line.scrollIntoView({ block: "center" }); }
  }
  // Ward, programme and findings pages: open every collapsed group before printing and close them again after,
  // so a printed page holds what its counts promise (print CSS cannot open a <details>).
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.slice.call(document.querySelectorAll("details:not([open])"));
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
