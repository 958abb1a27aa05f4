/* Metronet NOC inventory forms: move the focus to the error summary when a form comes back
 * with errors, so keyboard and screen-reader users land on the list of what to fix. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
