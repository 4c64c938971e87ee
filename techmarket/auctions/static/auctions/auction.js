/* The live auction page: "填入最低应价" fills the bid field with the minimum the live block shows.
   The live block itself is refreshed by htmx (hx-trigger="every 1s"); no other script is needed. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("#bid-fill-min");
    if (!button) { return; }
    var live = document.getElementById("auction-live");
    var input = document.querySelector(button.getAttribute("data-amount-target"));
    if (live && input && live.dataset.nextMin) {
      input.value = live.dataset.nextMin;
      input.focus();
    }
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "bid-feedback") {
      var ok = event.target.querySelector(".alert-success");
      var input = document.getElementById("id_amount");
      if (ok && input) { input.value = ""; }
    }
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    var live = document.getElementById("auction-live");
    var input = document.getElementById("id_amount");
    if (live && input && live.dataset.nextMin) {
      input.placeholder = "最低应价 " + Number(live.dataset.nextMin).toLocaleString("zh-CN", {minimumFractionDigits: 2});
    }
  });
})();
