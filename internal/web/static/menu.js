// On a narrow screen the menu folds behind one button, so that the page's
// own content starts near the top. Without this script the menu is shown
// whole, as before.
(function () {
  var button = document.querySelector(".menu-toggle");
  var nav = document.getElementById("main-nav");
  if (!button || !nav) return;
  var narrow = window.matchMedia("(max-width: 39.99rem)");
  function fold(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("folded", !open);
  }
  function apply() {
    button.hidden = !narrow.matches;
    fold(!narrow.matches);
  }
  button.addEventListener("click", function () {
    fold(button.getAttribute("aria-expanded") !== "true");
  });
  if (narrow.addEventListener) narrow.addEventListener("change", apply);
  apply();
})();
