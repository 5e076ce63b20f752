// The workspace status channel's panel, on every workspace page (templates/_channel.html).
// It opens a channel session for this tab through the console, which calls the control-api
// with the operator's token and relays the session's live stream. Every value goes in as
// text (textContent), never as markup; the CSP allows no inline script.
"use strict";

(function () {
  const panel = document.querySelector("aside[data-channel]");
  if (!panel) return;
  const base = panel.dataset.channel;
  const csrf = panel.dataset.csrf;
  const state = panel.querySelector("[data-channel-state]");
  const sessions = panel.querySelector("[data-channel-sessions]");
  const reopen = panel.querySelector("[data-channel-reopen]");
  const actions = panel.querySelector("[data-channel-actions]");
  const polls = panel.querySelector("[data-channel-polls]");
  const counters = panel.querySelector("[data-channel-counters]");
  const feed = panel.querySelector("[data-channel-feed]");
  const labels = new Map();
  const remembered = `orch-channel-session:${base}`;
  let session = null;
  let source = null;
  let leaving = false;

  // A guest's page marks the panel ended (static/guest.js): nothing here reopens it.
  const ended = () => panel.dataset.state === "ended";
  const show = (text, kind) => {
    if (ended()) return;
    state.textContent = text;
    panel.dataset.state = kind;
  };
  const post = (path, body) => fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": csrf, accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const button = (text, data) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.title = data.action === "vote" ? `vote ${data.choice} in ${data.poll}` : data.action;
    b.disabled = true;
    Object.assign(b.dataset, data);
    return b;
  };
  const keyOf = (event) => event.action === "vote" ? `vote:${event.poll}:${event.choice}` : event.action;
  // A vote of a poll defined after the page loaded: "poll: choice" all the same.
  const labelOf = (key) => labels.get(key) || (key.startsWith("vote:") ? key.slice(5).replace(":", ": ") : key);

  const setCounter = (key, count) => {
    let item = counters.querySelector(`li[data-key="${CSS.escape(key)}"]`);
    if (!item) {
      item = document.createElement("li");
      item.dataset.key = key;
      counters.append(item);
    }
    item.dataset.count = String(count);
    item.textContent = `${labelOf(key)} ${count}`;
  };
  const line = (event, text) => {
    const item = document.createElement("li");
    item.dataset.type = event.type;
    if (event.status) item.dataset.status = event.status;
    if (event.action) item.dataset.action = event.action;
    if (event.actor) item.dataset.actor = event.actor.name;
    const when = new Date((event.at || Date.now() / 1000) * 1000).toLocaleTimeString();
    item.className = event.type;
    item.textContent = `${when} ${text}`;
    feed.prepend(item);
    while (feed.children.length > 200) feed.lastElementChild.remove();
  };
  const enable = (on) => {
    for (const b of panel.querySelectorAll("button[data-action]")) b.disabled = !on;
  };

  const closed = (why) => {
    if (source) source.close();
    source = null;
    session = null;
    sessionStorage.removeItem(remembered);
    enable(false);
    show(why, "closed");
    reopen.hidden = ended();
  };

  const receive = (message) => {
    let event;
    try { event = JSON.parse(message.data); } catch (_) { return; }
    switch (event.type) {
      case "snapshot":
        counters.replaceChildren();
        for (const counter of event.counters || []) setCounter(counter.action, counter.count);
        sessions.textContent = String(event.sessions || 0);
        break;
      case "presence":
        sessions.textContent = String(event.sessions || 0);
        line(event, `${event.sessions} open`);
        break;
      case "action": {
        const key = keyOf(event);
        setCounter(key, event.count);
        const what = event.action === "vote" ? `voted ${event.choice} in ${event.poll}` : labelOf(event.action);
        line(event, `${event.actor ? event.actor.name : "?"}: ${what}`);
        break;
      }
      case "status": {
        const figures = Object.entries(event.figures || {}).map(([k, v]) => `${k} ${v}`).join(", ");
        line(event, `orchestrator: ${event.status} ${event.subject || ""}${figures ? ` (${figures})` : ""}`);
        break;
      }
      case "closed":
        closed("closed: another tab took this one's place, or it sat idle");
        break;
    }
  };

  // This tab's session, streamed; a page it had earlier (a refused stream: it was closed
  // meanwhile) is replaced by a new one.
  const watch = (id, earlier) => {
    session = id;
    panel.dataset.session = id;
    sessionStorage.setItem(remembered, id);
    let opened = false;
    source = new EventSource(`${base}/stream?session=${encodeURIComponent(id)}`);
    source.onopen = () => { opened = true; show("live", "live"); enable(true); };
    source.onerror = () => {
      if (leaving) return; // the page is going: its stream is cut, its session stays the tab's
      if (!source || source.readyState !== EventSource.CLOSED) {
        show("reconnecting…", "reconnecting");
      } else if (earlier && !opened) {
        source = null;
        sessionStorage.removeItem(remembered);
        open();
      } else {
        closed("closed");
      }
    };
    source.onmessage = receive;
  };

  const open = async () => {
    reopen.hidden = true;
    show("connecting…", "connecting");
    const earlier = sessionStorage.getItem(remembered);
    if (earlier) {
      watch(earlier, true);
      return;
    }
    let made;
    try {
      const answer = await post("/sessions");
      if (!answer.ok) throw new Error(String(answer.status));
      made = await answer.json();
    } catch (_) {
      closed("closed: the channel cannot be opened");
      return;
    }
    watch(made.id, false);
  };

  const send = async (body) => {
    if (!session) return;
    const answer = await post("/actions", Object.assign({ session }, body));
    if (answer.status === 404) closed("closed");
  };

  const load = async () => {
    let found;
    try {
      const answer = await fetch(base, { headers: { accept: "application/json" } });
      if (!answer.ok) throw new Error(String(answer.status));
      found = await answer.json();
    } catch (_) {
      show("unavailable", "closed");
      return false;
    }
    for (const action of found.actions || []) {
      labels.set(action.key, action.label);
      if (action.key === "vote") continue;
      actions.append(button(action.label, { action: action.key }));
    }
    for (const poll of found.polls || []) {
      const group = document.createElement("span");
      group.className = "poll";
      group.dataset.poll = poll.name;
      const name = document.createElement("span");
      name.textContent = `${poll.name}:`;
      group.append(name);
      for (const choice of poll.choices) {
        labels.set(`vote:${poll.name}:${choice}`, `${poll.name}: ${choice}`);
        group.append(button(choice, { action: "vote", poll: poll.name, choice }));
      }
      polls.append(group);
    }
    for (const counter of found.counters || []) setCounter(counter.action, counter.count);
    sessions.textContent = String(found.sessions || 0);
    return true;
  };

  panel.addEventListener("click", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLButtonElement) || !target.dataset.action) return;
    const { action, poll, choice } = target.dataset;
    send(action === "vote" ? { action, poll, choice } : { action });
  });
  reopen.addEventListener("click", open);
  // The tab keeps its session from page to page (sessionStorage is the tab's): moving
  // between pages does not use up the operator's three, and a closed tab's session ends
  // when idle (ORCH_CHANNEL_IDLE_S). Back from the browser's cache: connect again.
  // Leaving cuts the stream before "pagehide" (an error the page must not take for a
  // closed session): "beforeunload" says so first.
  const leave = () => {
    leaving = true;
    if (source) source.close();
  };
  window.addEventListener("beforeunload", leave);
  window.addEventListener("pagehide", leave);
  window.addEventListener("pageshow", (event) => {
    leaving = false;
    if (event.persisted && session) {
      source = null;
      open();
    }
  });

  load().then((ok) => { if (ok) open(); });
})();
