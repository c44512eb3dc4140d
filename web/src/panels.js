// The siege, evacuation and access panels: the API's JSON as tables and charts. Numbers are
// shown as the API gives them (only unit changes: m → km, s → h, shares → %).

import { lineChart } from "./charts.js";

export function esc(s) {
  return String(s ?? "—").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}
const num = (v, d = 0) => (Number.isFinite(v) ? v.toLocaleString("en-GB", { maximumFractionDigits: d, minimumFractionDigits: d }) : "—");
const hours = (s) => (Number.isFinite(s) ? `${num(s / 3600, 1)} h` : "—");
const pct = (v) => (Number.isFinite(v) ? `${num(v * 100, 1)} %` : "—");

function verdict(status) {
  return `<span class="verdict ${esc(status)}">${esc(status)}</span>`;
}

function roadList(roads) {
  return (roads || []).map((r) => esc(typeof r === "string" ? r : r.road || r.name || JSON.stringify(r))).join("; ") || "—";
}

function siegeEnclave(e) {
  const f = e.forecast || {};
  const routes = (e.supply_routes || [])
    .map((r) => `<tr><td>${esc(r.road)}</td><td>${esc(r.profile)}</td><td>${num(r.exposure, 1)}</td><td>${r.open ? "open" : "exposed"}</td></tr>`)
    .join("");
  const ifCut = (e.forecast_if_cut || [])
    .map((c) => `<tr><td>${roadList(c.roads_cut)}</td><td>${num(c.open_supply_routes)}</td><td>${c.days_left == null ? "does not run out" : num(c.days_left, 1)}</td></tr>`)
    .join("");
  const pieces = (e.pieces_km2 || []).map((k, i) => `piece ${i + 1}: ${num(k, 3)} km²`).join(", ");
  const stock = f.daily_stock_kcal || [];
  return `<article class="enclave" data-enclave="${esc(e.name)}">
    <h3>${esc(e.name)} ${verdict(e.status)}</h3>
    <ul>${(e.headline || []).map((h) => `<li>${esc(h)}</li>`).join("")}</ul>
    <p>Pieces: ${esc(pieces)}. Population ${num(e.population)}.</p>
    <p>Status by profile: ${(e.status_by_profile || []).map((p) => `${esc(p.profile)} ${verdict(p.status)} (best exposure ${num(p.best_exposure, 1)})`).join(", ")}</p>
    <table><caption>Supply routes</caption><thead><tr><th>Road</th><th>Profile</th><th>Exposure</th><th></th></tr></thead><tbody>${routes || "<tr><td colspan=4>none</td></tr>"}</tbody></table>
    <p>Minimum cut (trucks): <strong data-k="cut-size">${num(e.min_cut?.size)}</strong> road segment(s): ${roadList(e.min_cut?.roads)}</p>
    <p>Minimum cut (on foot): ${num(e.min_cut_foot?.size)}: ${roadList(e.min_cut_foot?.roads)}</p>
    <p>Food: <strong data-k="days-left">${f.days_left == null ? "does not run out" : `${num(f.days_left, 1)} days left`}</strong>${f.runs_out_on ? `, runs out on ${esc(f.runs_out_on)}` : ""}; need ${num(f.need_kcal_per_day)} kcal/day, inflow ${num(f.inflow_kcal_per_day)} kcal/day.</p>
    ${stock.length ? lineChart({ series: [stock], labels: ["stock, kcal"], colors: ["#7a4cc2"], xLabel: "day", yLabel: "stock kcal", title: `Daily food stock in ${e.name}, kcal` }) : ""}
    <table><caption>If supply roads were cut</caption><thead><tr><th>Cut</th><th>Routes left</th><th>Days left</th></tr></thead><tbody>${ifCut}</tbody></table>
  </article>`;
}

export function siegePanel(r) {
  return (r.enclaves || []).map(siegeEnclave).join("") || "<p>No enclave in this scenario.</p>";
}

export function evacuatePanel(r) {
  const stranded = (r.neighbourhoods || []).reduce((a, n) => a + (n.stranded || 0), 0);
  const corridors = (r.corridors || [])
    .map((c) => `<tr><td>${esc(c.name)}</td><td>${esc(c.purpose)}</td><td>${num(c.people)}</td><td>${hours(c.last_arrival_s)}</td><td>${num(c.peak_queue)}</td><td>${pct(c.checkpoint_utilisation)}</td></tr>`)
    .join("");
  const inside = (r.remaining_by_hour || []).map((h) => h.inside);
  const bottlenecks = (r.bottlenecks || []).map((b) => `<li>${esc(b.name)} (${esc(b.mode)}): saturated ${num(b.saturated_buckets)} × ${num(r.parameters?.bucket_s / 60)} min at ${num(b.capacity_per_hour)} /h</li>`).join("");
  return `<p>${esc(r.enclave)}: ${num(r.people)} people, ${num(r.leaving)} leaving, ${num(r.staying)} staying.</p>
    <table><tbody>
      <tr><th>Egress time</th><td data-k="egress">${hours(r.egress_time_s)}</td></tr>
      <tr><th>Lower bound</th><td>${hours(r.lower_bound_s)}</td></tr>
      <tr><th>Gap to the bound</th><td data-k="gap">${pct(r.gap)}</td></tr>
      <tr><th>Stranded</th><td data-k="stranded">${num(stranded)}</td></tr>
    </tbody></table>
    <table><caption>Corridors</caption><thead><tr><th>Crossing</th><th>For</th><th>People</th><th>Last out</th><th>Peak queue</th><th>Checkpoint use</th></tr></thead><tbody>${corridors}</tbody></table>
    ${inside.length ? lineChart({ series: [inside], labels: ["people still inside"], colors: ["#b3261e"], xLabel: "hour", yLabel: "inside", title: "People still inside the enclave, by hour" }) : ""}
    <p class="muted">The API reports each checkpoint's peak queue and saturated time, not a queue time series; the chart shows the people still inside.</p>
    <ul>${bottlenecks}</ul>`;
}

export function accessPanel(r) {
  const fac = r.facilities || {};
  const lost = new Map((r.changes?.people_lost_access || []).map((c) => [c.minutes, c]));
  const rows = (r.coverage || [])
    .map((c) => {
      const l = lost.get(c.minutes);
      return `<tr><td>${num(c.minutes)} min</td><td>${num(c.people)} (${pct(c.share)})</td><td>${l ? `${num(l.people)} (${pct(l.share)})` : "—"}</td></tr>`;
    })
    .join("");
  const lostFac = (r.changes?.facilities_lost || []).map((f) => `<li>${esc(f.name || f.id)}: ${esc(f.status)} (${esc(f.status_source)})</li>`).join("");
  const from = r.changes?.from;
  return `<p>On ${esc(r.date)}: ${num(fac.functioning)} functioning, ${num(fac.partially_functioning)} partly, ${num(fac.not_functioning)} not functioning, ${num(fac.destroyed)} destroyed facilities.</p>
    <table><caption>People within reach of a working facility${from ? ` (lost since ${esc(from)})` : ""}</caption>
      <thead><tr><th>Within</th><th>Covered on ${esc(r.date)}</th><th>Lost access</th></tr></thead><tbody>${rows}</tbody></table>
    ${lostFac ? `<p>Facilities lost:</p><ul>${lostFac}</ul>` : ""}
    <p>People per working facility ${num(r.people_per_functioning_facility)}, per bed ${num(r.people_per_bed)}.</p>`;
}
