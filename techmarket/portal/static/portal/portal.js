/* 科技大市场: small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  // <form data-confirm="确定删除吗？">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // <input type="file" multiple data-file-list="#id">: list the chosen files and their sizes.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-file-list]")) {
      return;
    }
    var target = document.querySelector(input.getAttribute("data-file-list"));
    if (!target) {
      return;
    }
    target.textContent = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var li = document.createElement("li");
      var size = file.size >= 1048576 ? (file.size / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(file.size / 1024)) + " KB";
      li.textContent = file.name + "（" + size + "）";
      target.appendChild(li);
    });
  });
})();
