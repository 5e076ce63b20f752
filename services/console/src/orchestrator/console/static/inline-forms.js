// Forms marked data-inline post without leaving the page (the live events beside them keep
// streaming); the console answers JSON and its notice is shown as text. Without script the
// form posts as usual.
"use strict";

(function () {
  for (const form of document.querySelectorAll("form[data-inline]")) {
    const result = form.querySelector("[data-inline-result]");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      let answer;
      try {
        const response = await fetch(form.action, {
          method: "POST",
          body: new URLSearchParams(new FormData(form)),
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        answer = await response.json();
        answer.ok = response.ok && answer.ok !== false;
      } catch (_) {
        answer = { ok: false, notice: "The console did not answer: try again." };
      } finally {
        button.disabled = false;
      }
      result.hidden = false;
      result.className = "flash " + (answer.ok ? "ok" : "error");
      result.textContent = answer.notice || answer.detail || "";
    });
  }
})();
