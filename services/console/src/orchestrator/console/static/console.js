// The console's one script (served from 'self': the CSP allows no inline script).
// Pages work without it; it adds the session check, confirmations and live parts.
"use strict";

(function () {
  const body = document.body;

  // Signed out elsewhere (revoked token, disabled operator, sign-out in another tab):
  // leave the page within a second.
  const every = Number(body && body.dataset.checkEveryMs);
  if (every > 0) {
    const check = async () => {
      if (document.visibilityState !== "visible") return;
      try {
        const answer = await fetch("/session", { headers: { accept: "application/json" } });
        if (answer.status === 401) {
          const next = encodeURIComponent(location.pathname + location.search);
          location.assign("/sign-in?notice=ended&next=" + next);
        }
      } catch (_) {
        // the console itself is unreachable: keep the page, try again
      }
    };
    setInterval(check, every);
  }

  // A form that destroys something asks first.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // The workspace switcher navigates on change.
  for (const select of document.querySelectorAll("form[data-switch-workspace] select")) {
    select.addEventListener("change", () => select.form.submit());
  }
})();

// Identity and impersonation: a button may ask its own question (one form, several
// buttons); a page that shows a new secret swaps its address for the list's, so a reload
// asks for the list (and posts nothing again); "Copy" puts the secret on the clipboard.
(function () {
  document.addEventListener("submit", (event) => {
    const button = event.submitter;
    const question = button instanceof HTMLElement ? button.dataset.confirm : undefined;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  const replacement = document.querySelector("[data-replace-url]");
  if (replacement instanceof HTMLElement && replacement.dataset.replaceUrl) {
    history.replaceState(null, "", replacement.dataset.replaceUrl);
  }

  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.addEventListener("click", async () => {
      const source = document.querySelector(button.dataset.copy);
      if (!(source instanceof HTMLInputElement)) return;
      source.select();
      try {
        await navigator.clipboard.writeText(source.value);
        button.textContent = "Copied";
      } catch (_) {
        button.textContent = "Selected: copy with Ctrl+C";
      }
    });
  }
})();
