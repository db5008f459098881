// The weekly digest's print button. The page's security policy allows no
// inline handlers, so the button is wired here, and shown only where this
// script runs.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
});
