// beleidsgraaf: the only script. Fills the SPARQL editor from the chosen named-query example.
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
  // Bring a cited line into view below the sticky browser chrome on phones.
  if (location.hash && /^#L\d+$/.test(location.hash)) {
    var line = document.getElementById(location.hash.slice(1));
    if (line) { line.scrollIntoView({ block: "center" }); }
  }
})();
