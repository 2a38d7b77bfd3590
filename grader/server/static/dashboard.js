// The dashboard's few behaviours: sort and filter the gradebook, and poll the live grading feed.
"use strict";

function sortTable(table, col, th) {
  const body = table.tBodies[0];
  const ascending = !th.classList.contains("asc");
  table.querySelectorAll("th").forEach((h) => h.classList.remove("asc", "desc"));
  th.classList.add(ascending ? "asc" : "desc");
  const value = (row) => {
    const text = row.cells[col].textContent.trim();
    const number = parseFloat(text);
    return text !== "" && !isNaN(number) ? number : text.toLowerCase();
  };
  const rows = Array.from(body.rows).sort((a, b) => {
    const x = value(a), y = value(b);
    const order = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === "number" ? -1 : 1);
    return ascending ? order : -order;
  });
  rows.forEach((row) => body.appendChild(row));
}

function item(text, isNew) {
  const li = document.createElement("li");
  li.textContent = text;
  if (isNew) li.classList.add("new");
  return li;
}

function startLive(section) {
  const seen = new Set();
  let first = true;
  async function tick() {
    try {
      const response = await fetch(section.dataset.live, { credentials: "same-origin" });
      if (response.ok) {
        const live = await response.json();
        const counts = Object.entries(live.counts).map(([state, n]) => `${state}: ${n}`).join(", ");
        document.getElementById("queue-counts").textContent = counts || "empty";
        document.getElementById("queue").replaceChildren(...live.queue.map(
          (j) => item(`${j.submission} (${j.kind}) ${j.state}${j.worker ? " on " + j.worker : ""}`, false)));
        document.getElementById("recent").replaceChildren(...live.recent.map((s) => {
          const li = item(`${s.received_at} ${s.student} ${s.exercise}: ${s.score}/${s.max_score}`,
                          !first && !seen.has(s.id));
          li.dataset.submission = s.id;
          seen.add(s.id);
          return li;
        }));
        first = false;
      }
    } catch (e) { /* the server restarts now and then: the next tick tries again */ }
    setTimeout(tick, 1500);
  }
  tick();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table.sortable").forEach((table) => {
    table.querySelectorAll("th[data-col]").forEach((th) =>
      th.addEventListener("click", () => sortTable(table, Number(th.dataset.col), th)));
  });
  const filter = document.getElementById("filter");
  if (filter) {
    filter.addEventListener("input", () => {
      const needle = filter.value.toLowerCase();
      document.querySelectorAll("#gradebook tbody tr").forEach((row) => {
        row.hidden = !row.cells[0].textContent.toLowerCase().includes(needle) &&
                     !row.cells[1].textContent.toLowerCase().includes(needle);
      });
    });
  }
  const live = document.getElementById("live");
  if (live) startLive(live);
});
