// A guest's pages (ADR 0108). On /guest: read the invitation from the fragment, clear it
// from the address bar (and so from history), and post it to the console, which redeems
// it and keeps the guest's token server-side. On /guest/channel: check the session every
// few seconds (the console refreshes the token when due) and say so when it has ended.
"use strict";

(function () {
  const signin = document.querySelector("[data-guest-signin]");
  if (signin) {
    const message = signin.querySelector("[data-guest-message]");
    const say = (text, kind) => {
      message.textContent = text;
      message.className = kind ? `flash ${kind}` : "";
    };
    const invite = decodeURIComponent(location.hash.slice(1));
    history.replaceState(null, "", location.pathname + location.search);
    if (!invite) {
      if (!message.textContent.trim()) return;
      say("This link holds no invitation: open the whole link you were sent.", "error");
      return;
    }
    (async () => {
      let answer;
      try {
        answer = await fetch("/guest", {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-csrf-token": signin.dataset.csrf,
            accept: "application/json",
          },
          body: JSON.stringify({ invite }),
        });
      } catch (_) {
        say("The console cannot be reached: try the link again in a moment.", "error");
        return;
      }
      let body = {};
      try { body = await answer.json(); } catch (_) { /* not JSON: the status says it */ }
      if (answer.ok && typeof body.next === "string" && body.next.startsWith("/")) {
        location.replace(body.next);
        return;
      }
      say(body.detail || `The invitation was refused (${answer.status}).`, "error");
      signin.dataset.refused = String(answer.status);
    })();
    return;
  }

  const body = document.body;
  if (!body || !("guestChannel" in body.dataset)) return;
  const every = Math.max(Number(body.dataset.checkEveryMs) || 1000, 1000);
  const banner = document.querySelector("[data-guest-ended]");
  const panel = document.querySelector("aside[data-channel]");
  let timer = null;

  const ended = () => {
    clearInterval(timer);
    banner.hidden = false;
    body.dataset.ended = "true";
    if (!panel) return;
    panel.dataset.state = "ended";
    const state = panel.querySelector("[data-channel-state]");
    if (state) state.textContent = "ended";
    const reopen = panel.querySelector("[data-channel-reopen]");
    if (reopen) reopen.hidden = true;
    for (const button of panel.querySelectorAll("button[data-action]")) button.disabled = true;
  };
  const check = async () => {
    try {
      const answer = await fetch("/guest/channel/session", { headers: { accept: "application/json" } });
      if (answer.status === 401) ended();
    } catch (_) {
      // the console itself is unreachable: keep the page, try again
    }
  };
  timer = setInterval(check, every);
})();
