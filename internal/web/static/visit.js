// The field record's GPS point: the page's security policy allows no
// inline handlers, so the button is wired here, and shown only where this
// script runs and the browser can locate.
document.addEventListener("DOMContentLoaded", function () {
  var b = document.querySelector("[data-locate]");
  if (!b || !navigator.geolocation) return;
  b.hidden = false;
  b.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (p) {
      document.getElementById("lat").value = p.coords.latitude.toFixed(6);
      document.getElementById("lon").value = p.coords.longitude.toFixed(6);
      document.getElementById("accuracy").value = Math.round(p.coords.accuracy);
      document.getElementById("place").textContent =
        p.coords.latitude.toFixed(6) + ", " + p.coords.longitude.toFixed(6) + " (±" + Math.round(p.coords.accuracy) + " m)";
    }, function () {}, { enableHighAccuracy: true, timeout: 20000 });
  });
});
