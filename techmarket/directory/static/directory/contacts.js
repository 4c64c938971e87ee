/* Contacts formset: "添加联系人" appends an empty row (the page also works without it: one empty row is always there). */
(function () {
  "use strict";
  var button = document.getElementById("contact-add");
  var template = document.getElementById("contact-empty");
  var rows = document.getElementById("contact-rows");
  var total = document.getElementById("id_contacts-TOTAL_FORMS");
  if (!button || !template || !rows || !total) {
    return;
  }
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10) || 0;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("tbody");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    rows.appendChild(row);
    total.value = String(index + 1);
    var first = row.querySelector("input[type=text]");
    if (first) {
      first.focus();
    }
  });
})();
