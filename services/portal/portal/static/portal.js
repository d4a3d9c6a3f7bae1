// A page that comes back with errors puts the keyboard focus on their summary, so a screen
// reader reads it first; each item links to its field.
(function () {
  "use strict";
  var summary = document.getElementById("erreurs");
  if (summary) { summary.focus(); }
})();
