// beleidsgraaf: the SPARQL page's editor and results view. Loaded by app.js after the vendored YASQE
// (/static/vendor/yasqe). Everything is built with DOM calls and textContent: a value from the graph is
// only ever text, and the page runs under a CSP without inline script or style.
(function () {
  "use strict";
  var form = document.getElementById("sparql-form");
  var textarea = document.getElementById("query");
  var output = document.getElementById("sparql-results");
  var status = document.getElementById("sparql-status");
  if (!form || !textarea || !output) { return; }

  function data(id) {
    var node = document.getElementById(id);
    try { return node ? JSON.parse(node.textContent) : null; } catch (e) { return null; }
  }
  var T = data("editor-text") || {};
  var PREFIXES = data("prefix-data") || {};
  var EXAMPLES = data("example-data") || [];
  var ID = "https://w3id.org/beleidsgraaf/id/";
  var RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label";
  var XSD_STRING = "http://www.w3.org/2001/XMLSchema#string";
  var LANG = (document.documentElement.lang || "nl").toLowerCase();
  var PAGE_SIZE = 100;
  var LABEL_BATCH = 200; // IRIs per label lookup: one small query per page of results
  var state = { query: "", result: null, page: 0, labels: {}, ms: null, server: null };

  // -- the editor ---------------------------------------------------------------------------------
  var yasqe = null;
  if (window.Yasqe) {
    var Yasqe = window.Yasqe;
    // Prefix help: the project's prefixes first, then YASQE's bundled list (prefix.cc's popular ones,
    // shipped in the bundle: nothing is fetched). Typing "bg:" adds "PREFIX bg: <...>" by itself.
    var bundled = Yasqe.Autocompleters.prefixes.get;
    var ours = Object.keys(PREFIXES).map(function (p) { return p + ": <" + PREFIXES[p] + ">"; });
    Yasqe.Autocompleters.prefixes.get = function (editor) {
      return bundled(editor).then(function (list) {
        var taken = {};
        ours.forEach(function (line) { taken[line.split(":")[0]] = true; });
        return ours.concat(list.filter(function (line) { return !taken[line.split(":")[0]]; }));
      });
    };
    // Only completers that need no network: property and class completion would ask LOV (another host).
    Yasqe.defaults.autocompleters = ["prefixes", "variables"];
    // The server declares the project's prefixes before every query, so the editor's syntax check must not
    // call "bg:" undefined: the SPARQL mode starts with them declared.
    Yasqe.defineMode("sparql11-beleidsgraaf", function (config) {
      var base = Yasqe.getMode(config, "sparql11");
      var mode = Object.create(base);
      mode.startState = function () {
        var start = base.startState.apply(base, arguments);
        Object.keys(PREFIXES).forEach(function (p) { start.prefixes[p] = PREFIXES[p]; });
        return start;
      };
      return mode;
    });
    var holder = document.createElement("div");
    holder.className = "sparql-editor";
    textarea.parentNode.insertBefore(holder, textarea);
    textarea.hidden = true; // still the form field: kept equal to the editor, so the form works without fetch
    yasqe = new Yasqe(holder, {
      value: textarea.value,
      mode: "sparql11-beleidsgraaf",
      persistenceId: null,        // the page's query comes from the URL or the example list, not localStorage
      consumeShareLink: null,     // this page's share link is its own (?query=), see below
      createShareableLink: null,
      showQueryButton: false,     // the form's button runs the query, with this page's results view
      resizeable: true,
      editorHeight: "15rem",
      extraKeys: { "Ctrl-Enter": function () { run(); }, "Cmd-Enter": function () { run(); } },
    });
    yasqe.setValue(textarea.value);
    yasqe.on("change", function () {
      textarea.value = yasqe.getValue();
      clearErrorMark();
    });
  }

  function queryText() { return yasqe ? yasqe.getValue() : textarea.value; }

  var select = document.getElementById("examples");
  if (select) {
    select.addEventListener("change", function () {
      if (select.value === "") { return; }
      var text = EXAMPLES[Number(select.value)];
      textarea.value = text;
      if (yasqe) { yasqe.setValue(text); }
    });
  }

  var marked = null;
  function clearErrorMark() {
    if (yasqe && marked !== null) {
      yasqe.removeLineClass(marked, "background", "sparql-error-line");
      marked = null;
    }
  }
  function markError(line, column) {
    if (!yasqe || !line) { return; }
    clearErrorMark();
    marked = Math.max(0, Math.min(line - 1, yasqe.lineCount() - 1));
    yasqe.addLineClass(marked, "background", "sparql-error-line");
    yasqe.setCursor({ line: marked, ch: Math.max(0, (column || 1) - 1) });
  }

  // -- IRIs: prefixed names, labels, links -----------------------------------------------------------
  function declaredPrefixes(text) {
    var found = {};
    var pattern = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>/gi;
    var match;
    while ((match = pattern.exec(text)) !== null) { found[match[1] || ""] = match[2]; }
    return found;
  }
  function shorten(iri, prefixes) {
    var best = null;
    Object.keys(prefixes).forEach(function (p) {
      var ns = prefixes[p];
      if (ns && iri.indexOf(ns) === 0 && (best === null || ns.length > prefixes[best].length)) { best = p; }
    });
    if (best !== null) {
      var local = iri.slice(prefixes[best].length);
      // For reading, not for pasting: "id:gebied/almelo/aadorp" is shorter than the IRI, though SPARQL
      // would want the slashes escaped. The link's title and href carry the full IRI.
      if (/^[\w-]([\w.\/-]*[\w-])?$/.test(local) || local === "") { return best + ":" + local; }
    }
    return "<" + iri + ">";
  }
  function href(iri) {
    if (iri.indexOf(ID) === 0) { return "/resource/" + iri.slice(ID.length); }
    return /^https?:\/\//i.test(iri) ? iri : null; // a javascript: or data: IRI is never a link
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  // -- running ----------------------------------------------------------------------------------------
  function post(text, accept) {
    return fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": accept },
      body: new URLSearchParams({ query: text }).toString(),
    });
  }
  function serverMs(response) {
    var timing = response.headers.get("Server-Timing") || "";
    var match = /dur=([\d.]+)/.exec(timing);
    return match ? Number(match[1]) : null;
  }

  var button = form.querySelector("button[type=submit]");
  function run() {
    var text = queryText();
    if (!text.trim()) { return; }
    textarea.value = text;
    state.query = text;
    status.textContent = T.running || "…";
    if (button) { button.disabled = true; }
    var started = performance.now();
    post(text, "application/sparql-results+json, text/turtle;q=0.9")
      .then(function (response) {
        return response.text().then(function (body) { return { response: response, body: body }; });
      })
      .then(function (reply) {
        state.ms = Math.round(performance.now() - started);
        state.server = serverMs(reply.response);
        var type = (reply.response.headers.get("Content-Type") || "").split(";")[0];
        if (!reply.response.ok) {
          var problem;
          try { problem = JSON.parse(reply.body); } catch (e) { problem = { detail: reply.body || String(reply.response.status) }; }
          showProblem(problem);
        } else if (type === "application/sparql-results+json") {
          show({ json: JSON.parse(reply.body) });
        } else {
          show({ turtle: reply.body });
        }
      })
      .catch(function () { showProblem({ detail: T.network || "network error" }); })
      .then(function () { if (button) { button.disabled = false; } });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });

  // -- showing ----------------------------------------------------------------------------------------
  function timing(count, unit) {
    var text = count === null ? unit : count + " " + unit;
    if (state.ms !== null) { text += " " + (T.took || "in") + " " + state.ms + " ms"; }
    if (state.server !== null) { text += " (" + (T.server || "server") + " " + Math.round(state.server) + " ms)"; }
    return text;
  }
  function showProblem(problem) {
    output.textContent = "";
    var message = problem.detail || problem.title || "error";
    var box = el("p", "error", message);
    box.setAttribute("role", "alert");
    output.appendChild(box);
    status.textContent = "";
    if (problem.line) { markError(problem.line, problem.column); }
  }
  function show(result) {
    state.result = result;
    state.page = 0;
    state.labels = {};
    render();
  }
  function render() {
    output.textContent = "";
    draw(state.result);
    output.appendChild(share(state.query));
  }
  function draw(result) {
    if (result.turtle !== undefined) { renderGraph(result.turtle); return; }
    var json = result.json;
    if (json.boolean !== undefined) {
      status.textContent = timing(1, T.row || "row");
      output.appendChild(el("p", "ask-result", json.boolean ? (T.yes || "true") : (T.no || "false")));
      output.appendChild(downloads(["csv", "json"]));
      return;
    }
    var vars = json.head.vars || [];
    var rows = json.results.bindings || [];
    status.textContent = timing(rows.length, T.rows || "rows");
    output.appendChild(downloads(["csv", "tsv", "json"]));
    if (!rows.length) { output.appendChild(el("p", "sub", T.empty || "No results.")); return; }
    var pages = Math.ceil(rows.length / PAGE_SIZE);
    var first = state.page * PAGE_SIZE;
    var shown = rows.slice(first, first + PAGE_SIZE);
    if (pages > 1) { output.appendChild(pager(pages, first, shown.length, rows.length)); }
    var prefixes = Object.assign({}, PREFIXES, declaredPrefixes(state.query));
    var table = el("table", "results");
    var head = table.createTHead().insertRow();
    vars.forEach(function (v) { head.appendChild(el("th", null, v)); });
    var body = table.createTBody();
    shown.forEach(function (binding) {
      var tr = body.insertRow();
      vars.forEach(function (v) { tr.appendChild(cell(binding[v], prefixes)); });
    });
    var scroll = el("div", "scroll");
    scroll.appendChild(table);
    output.appendChild(scroll);
    if (pages > 1) { output.appendChild(pager(pages, first, shown.length, rows.length)); }
    lookUpLabels(shown, vars);
  }
  function cell(term, prefixes) {
    var td = document.createElement("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      var short = shorten(term.value, prefixes);
      var label = state.labels[term.value];
      var target = href(term.value);
      var link = el(target ? "a" : "span", "term-iri", label || short);
      if (target) { link.href = target; }
      link.title = term.value;
      link.setAttribute("data-iri", term.value);
      td.appendChild(link);
      if (label) { td.appendChild(el("small", "iri-name", short)); }
    } else if (term.type === "bnode") {
      td.appendChild(el("span", "bnode", "_:" + term.value));
    } else if (term.type === "literal" || term.type === "typed-literal") {
      td.appendChild(el("span", "literal", term.value));
      if (term["xml:lang"]) {
        td.appendChild(el("small", "lang", "@" + term["xml:lang"]));
      } else if (term.datatype && term.datatype !== XSD_STRING) {
        td.appendChild(el("small", "datatype", "^^" + shorten(term.datatype, prefixes)));
      }
    } else {
      td.textContent = JSON.stringify(term.value);
    }
    return td;
  }
  function pager(pages, first, count, total) {
    var nav = el("nav", "pager");
    nav.setAttribute("aria-label", T.page || "Page");
    var previous = el("button", "secondary", "‹ " + (T.previous || "Previous"));
    previous.type = "button";
    previous.disabled = state.page === 0;
    previous.addEventListener("click", function () { state.page -= 1; render(); });
    var next = el("button", "secondary", (T.next || "Next") + " ›");
    next.type = "button";
    next.disabled = state.page >= pages - 1;
    next.addEventListener("click", function () { state.page += 1; render(); });
    nav.appendChild(previous);
    nav.appendChild(el("span", "pager-where", (first + 1) + "–" + (first + count) + " " + (T.of || "of") + " " + total));
    nav.appendChild(next);
    return nav;
  }
  function renderGraph(turtle) {
    status.textContent = timing(null, "Turtle");
    output.appendChild(downloads(["turtle", "json-ld", "n-triples"]));
    output.appendChild(el("pre", "turtle", turtle));
  }

  // rdfs:label for the IRIs on the page: one VALUES query per page, only for IRIs the query did not label.
  function lookUpLabels(rows, vars) {
    var wanted = [];
    var seen = {};
    rows.forEach(function (binding) {
      vars.forEach(function (v) {
        var term = binding[v];
        if (term && term.type === "uri" && !seen[term.value] && !(term.value in state.labels) &&
            /^[^<>"{}|^`\\\s]+$/.test(term.value)) {
          seen[term.value] = true;
          wanted.push(term.value);
        }
      });
    });
    wanted = wanted.slice(0, LABEL_BATCH);
    if (!wanted.length) { return; }
    var query = "SELECT ?s ?l WHERE { VALUES ?s { " +
      wanted.map(function (iri) { return "<" + iri + ">"; }).join(" ") +
      " } ?s <" + RDFS_LABEL + "> ?l }";
    var forResult = state.result;
    post(query, "application/sparql-results+json")
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (json) {
        if (!json || state.result !== forResult) { return; }
        wanted.forEach(function (iri) { state.labels[iri] = null; }); // asked: do not ask again
        // The label in the page's language, else one without a language, else any (the first in order).
        var rank = {};
        json.results.bindings.forEach(function (b) {
          var lang = (b.l["xml:lang"] || "").toLowerCase();
          var score = lang === LANG ? 3 : lang === "" ? 2 : 1;
          if (!(rank[b.s.value] >= score)) {
            rank[b.s.value] = score;
            state.labels[b.s.value] = b.l.value;
          }
        });
        relabel();
      })
      .catch(function () { /* labels are a convenience: the prefixed names stay */ });
  }
  function relabel() {
    var links = output.querySelectorAll("[data-iri]");
    Array.prototype.forEach.call(links, function (link) {
      var label = state.labels[link.getAttribute("data-iri")];
      if (label && link.textContent !== label) {
        var short = link.textContent;
        link.textContent = label;
        link.parentNode.appendChild(el("small", "iri-name", short));
      }
    });
  }

  // -- downloads and sharing -------------------------------------------------------------------------
  var MEDIA = {
    csv: ["text/csv", "csv"], tsv: ["text/tab-separated-values", "tsv"],
    json: ["application/sparql-results+json", "json"], turtle: ["text/turtle", "ttl"],
    "json-ld": ["application/ld+json", "jsonld"], "n-triples": ["application/n-triples", "nt"],
  };
  function downloads(formats) {
    var bar = el("div", "downloads");
    bar.appendChild(el("span", "sub", (T.download || "Download") + ":"));
    formats.forEach(function (format) {
      var button = el("button", "secondary", format.toUpperCase());
      button.type = "button";
      button.addEventListener("click", function () { download(format); });
      bar.appendChild(button);
    });
    return bar;
  }
  function download(format) {
    var media = MEDIA[format];
    post(state.query, media[0])
      .then(function (response) { return response.ok ? response.blob() : Promise.reject(response); })
      .then(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = "beleidsgraaf-result." + media[1];
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      })
      .catch(function () { status.textContent = T.error || "Error"; });
  }
  // The links for the query that produced what is shown; drawn again with every page of the results.
  function share(text) {
    if (history.replaceState) { history.replaceState(null, "", "/ui/sparql?query=" + encodeURIComponent(text)); }
    var page = location.origin + "/ui/sparql?query=" + encodeURIComponent(text);
    var endpoint = location.origin + "/sparql?query=" + encodeURIComponent(text);
    var box = el("div", "share");
    box.appendChild(shareField(T.share || "Shareable link", page, "share-link"));
    box.appendChild(shareField(T.endpoint || "Endpoint URL", endpoint, "endpoint-link"));
    return box;
  }
  function shareField(label, url, id) {
    var wrap = el("label", "share-field");
    wrap.appendChild(el("span", "sub", label));
    var input = el("input");
    input.type = "text";
    input.readOnly = true;
    input.value = url;
    input.id = id;
    input.addEventListener("focus", function () { input.select(); });
    var copy = el("button", "secondary", T.copy || "Copy");
    copy.type = "button";
    copy.addEventListener("click", function () {
      input.select();
      var done = function () { copy.textContent = T.copied || "Copied"; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
    wrap.appendChild(input);
    wrap.appendChild(copy);
    return wrap;
  }

  // -- a result the server already ran (GET /ui/sparql?query=..., or the form without script) --------
  var first = data("result-data");
  if (first && first.problem) {
    state.query = queryText();
    if (first.problem.line) { markError(first.problem.line, first.problem.column); }
  } else if (first && (first.json || first.turtle !== undefined)) {
    state.query = queryText();
    state.ms = first.ms;
    state.server = first.ms;
    show(first);
  }
})();
