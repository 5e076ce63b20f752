// The live events page: an EventSource on the console's relay of the exec-api's stream.
// Every value goes in as text (textContent), never as markup.
"use strict";

(function () {
  const table = document.querySelector("table[data-live-events]");
  if (!table) return;
  const body = table.querySelector("tbody");
  const status = document.querySelector("[data-live-status]");
  const empty = document.querySelector("[data-live-empty]");
  const source = new EventSource(table.dataset.source);

  const cell = (text) => {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  };

  source.onopen = () => { status.textContent = "live"; };
  source.onerror = () => { status.textContent = "reconnecting…"; };
  const show = (message) => {
    let event;
    try { event = JSON.parse(message.data); } catch (_) { return; }
    const row = document.createElement("tr");
    row.dataset.eventId = message.lastEventId;
    row.append(cell(event.created_at || ""), cell(event.type || message.type));
    const job = document.createElement("td");
    if (event.job_id) {
      const link = document.createElement("a");
      link.href = table.dataset.jobs + encodeURIComponent(event.job_id);
      link.textContent = event.job_id;
      job.append(link);
    }
    row.append(job, cell(JSON.stringify(event.data || {})));
    body.prepend(row);
    if (empty) empty.hidden = true;
    while (body.rows.length > 500) body.deleteRow(-1);
  };
  source.onmessage = show;
})();
