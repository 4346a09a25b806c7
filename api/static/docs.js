// beleidsgraaf: starts Swagger UI (/docs) or ReDoc (/redoc) from the vendored bundles. A static file, not an
// inline script, so the docs pages run under a CSP with script-src 'self'.
(function () {
  "use strict";
  var swagger = document.getElementById("swagger-ui");
  if (swagger && window.SwaggerUIBundle) {
    window.ui = window.SwaggerUIBundle({
      url: swagger.getAttribute("data-openapi-url"),
      dom_id: "#swagger-ui",
      deepLinking: true,
      // No validator badge: it would send the schema to validator.swagger.io.
      validatorUrl: null,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      tryItOutEnabled: true,
      displayRequestDuration: true,
    });
  }
  var redoc = document.getElementById("redoc");
  if (redoc && window.Redoc) {
    window.Redoc.init(redoc.getAttribute("data-openapi-url"), {
      hideDownloadButton: false,
      expandResponses: "200",
      // The bundle's default fonts are not loaded from anywhere; use the system's.
      theme: { typography: { fontFamily: "system-ui, sans-serif", headings: { fontFamily: "system-ui, sans-serif" } } },
    }, redoc);
  }
})();
