// The task pages' one behaviour beyond plain forms: a chosen roster file's name is shown in the
// page's language (the browser's own file button speaks the browser's language, so it is hidden
// behind a label in the page's words). No build step, no CDN.
(function () {
  "use strict";
  document.querySelectorAll("input[type=file][data-chosen]").forEach((input) => {
    const shown = document.getElementById(input.dataset.chosen);
    if (!shown) return;
    const none = shown.textContent;
    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      shown.textContent = file ? file.name : none;
    });
  });
})();
