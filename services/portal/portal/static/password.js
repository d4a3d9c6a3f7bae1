// The guide's password rule, checked as the candidate types (the server checks it again).
(function () {
  "use strict";
  var checks = {
    length: function (v) { return v.length >= 8 && v.length <= 20; },
    lower: function (v) { return /\p{Ll}/u.test(v); },
    upper: function (v) { return /\p{Lu}/u.test(v); },
    special: function (v) { return /[^\p{L}\p{N}\s]/u.test(v); }
  };
  document.querySelectorAll("input[data-password-rule]").forEach(function (input) {
    var list = document.querySelector('[data-rule-for="' + input.id + '"]');
    if (!list) { return; }
    input.addEventListener("input", function () {
      list.querySelectorAll("[data-rule]").forEach(function (item) {
        var ok = checks[item.dataset.rule](input.value);
        item.classList.toggle("fr-message--valid", ok);
        item.classList.toggle("fr-message--error", !ok && input.value.length > 0);
        item.classList.toggle("fr-message--info", !ok && input.value.length === 0);
      });
    });
  });
})();
