// The siege, evacuation and access panels: the API's JSON as tables and charts. Numbers are
// shown as the API gives them (only unit changes: m → km, s → h, shares → %).

import { lineChart } from "./charts.js";
import { VERDICT_COLORS } from "./style.js";

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

/** Days of food as the API gives them: a number of days, or `null` when stocks do not run out. */
function daysText(f) {
  if (!f) return "no forecast";
  return f.days_left == null ? "does not run out" : `${num(f.days_left, 1)} days`;
}

/** Every piece of an enclave: verdict, people, days of food and the daily stock as a chart. */
function piecesTable(e, ei) {
  const rows = (e.pieces || []).map((p, pi) => {
    const f = p.forecast;
    const stock = f?.daily_stock_kcal || [];
    const k = (what) => `data-k="piece-${ei}-${pi}-${what}"`;
    const chart = stock.length
      ? lineChart({ series: [stock], labels: ["stock, kcal"], colors: [VERDICT_COLORS[p.status] || "#7a4cc2"], xLabel: "day", yLabel: "kcal", title: `Food stock in piece ${p.index + 1} of ${e.name}, kcal at the start of each day from ${f.runs_out_on ? "as_of to when it runs out" : "as_of"}` })
      : "";
    return `<tr data-piece="${pi}"><th scope="row">${esc(p.index + 1)}</th>
      <td ${k("status")} data-value="${esc(p.status)}">${verdict(p.status)}</td>
      <td ${k("people")} data-value="${p.population}">${num(p.population)}</td>
      <td ${k("days")} data-value="${f ? (f.days_left ?? "null") : ""}">${daysText(f)}${f?.runs_out_on ? `<br><span class="muted">until ${esc(f.runs_out_on)}</span>` : ""}</td></tr>
      ${chart ? `<tr class="chart-row"><td colspan="4">${chart}</td></tr>` : ""}`;
  });
  return `<table class="pieces"><caption>Every piece of the enclave (on the map: dots by verdict)</caption>
    <thead><tr><th scope="col">Piece</th><th scope="col">Verdict</th><th scope="col">People</th><th scope="col">Food left</th></tr></thead>
    <tbody>${rows.join("") || "<tr><td colspan=4>no piece</td></tr>"}</tbody></table>`;
}

function siegeEnclave(e, ei) {
  const f = e.forecast || {};
  const routes = (e.supply_routes || [])
    .map((r) => `<tr><td>${esc(r.road)}</td><td>${esc(r.profile)}</td><td>${num(r.exposure, 1)}</td><td>${r.open ? "open" : "exposed"}</td></tr>`)
    .join("");
  const ifCut = (e.forecast_if_cut || [])
    .map((c) => `<tr><td>${roadList(c.roads_cut)}</td><td>${num(c.open_supply_routes)}</td><td>${c.days_left == null ? "does not run out" : num(c.days_left, 1)}</td></tr>`)
    .join("");
  const area = (e.pieces_km2 || []).map((k, i) => `${num(k, 3)} km²`).join(", ");
  return `<article class="enclave" data-enclave="${esc(e.name)}">
    <h3>${esc(e.name)} ${verdict(e.status)}</h3>
    <ul>${(e.headline || []).map((h) => `<li>${esc(h)}</li>`).join("")}</ul>
    <p>Population <span data-k="enclave-people" data-value="${e.population}">${num(e.population)}</span> on ${esc(area || "—")} of ground.</p>
    ${piecesTable(e, ei)}
    <h4>The worst piece (piece ${esc(e.headline_piece + 1)})</h4>
    <p>Status by profile: ${(e.status_by_profile || []).map((p) => `${esc(p.profile)} ${verdict(p.status)} (best exposure ${num(p.best_exposure, 1)})`).join(", ")}</p>
    <table><caption>Supply routes</caption><thead><tr><th>Road</th><th>Profile</th><th>Exposure</th><th></th></tr></thead><tbody>${routes || "<tr><td colspan=4>none</td></tr>"}</tbody></table>
    <p>Minimum cut (trucks): <strong data-k="cut-size">${num(e.min_cut?.size)}</strong> road segment(s): ${roadList(e.min_cut?.roads)}</p>
    <p>Minimum cut (on foot): ${num(e.min_cut_foot?.size)}: ${roadList(e.min_cut_foot?.roads)}</p>
    <p>Food: <strong data-k="days-left">${daysText(f)}</strong>${f.runs_out_on ? `, runs out on ${esc(f.runs_out_on)}` : ""}; need ${num(f.need_kcal_per_day)} kcal/day, inflow ${num(f.inflow_kcal_per_day)} kcal/day.</p>
    <table><caption>If supply roads were cut</caption><thead><tr><th>Cut</th><th>Routes left</th><th>Days left</th></tr></thead><tbody>${ifCut}</tbody></table>
  </article>`;
}

export function siegePanel(r) {
  return (r.enclaves || []).map((e, i) => siegeEnclave(e, i)).join("") || "<p>No enclave in this scenario.</p>";
}

const QUEUE_COLORS = ["#1f6fd1", "#c77700", "#0a8a4a", "#7a4cc2", "#b3261e", "#555555"];

/** The queue at each checkpoint over time (`queue_by_hour`: the most people waiting in each
 * hour), one line per corridor that carries anyone, with its own legend. */
function queueChart(corridors) {
  const used = corridors.map((c, i) => ({ c, i })).filter(({ c }) => (c.queue_by_hour || []).length);
  if (!used.length) return "<p class=\"muted\">No checkpoint has a queue.</p>";
  const colors = used.map(({ i }) => QUEUE_COLORS[i % QUEUE_COLORS.length]);
  const chart = lineChart({
    series: used.map(({ c }) => c.queue_by_hour),
    labels: used.map(({ c }) => `${c.name}: people waiting`),
    keys: used.map(({ i }) => `queue-${i}`),
    colors,
    xLabel: "hour",
    yLabel: "waiting",
    title: "Queue at each checkpoint: the most people waiting in each hour from the start",
  });
  const crossed = lineChart({
    series: used.map(({ c }) => c.crossed_by_hour || []),
    labels: used.map(({ c }) => `${c.name}: people through`),
    keys: used.map(({ i }) => `crossed-${i}`),
    colors,
    xLabel: "hour",
    yLabel: "through",
    title: "People through each checkpoint in each hour from the start",
  });
  const legend = used
    .map(({ c, i }, k) => `<li><span class="sw" style="background:${colors[k]}"></span>${esc(c.name)} (peak queue ${num(c.peak_queue)})</li>`)
    .join("");
  return `<h3>Queue at each checkpoint</h3>${chart}<p class="muted">The plan times each neighbourhood's departures (its departure windows), so people queue only where arrivals outpace a checkpoint.</p><h3>Through each checkpoint, per hour</h3>${crossed}<ul class="chart-legend">${legend}</ul>`;
}

/** The corridor's purpose after its name, unless it is civilian or the name already says it
 * ("CS-101 crossing (combatants)" needs no "(combatant)"). */
function purposeNote(c) {
  if (c.purpose === "civilian" || String(c.name).toLowerCase().includes(String(c.purpose).toLowerCase())) return "";
  return ` <span class="muted">(${esc(c.purpose)})</span>`;
}

export function evacuatePanel(r) {
  const corridors = (r.corridors || [])
    .map((c, i) => `<tr><td>${esc(c.name)}${purposeNote(c)}</td><td data-k="corridor-${i}-people" data-value="${c.people}">${num(c.people)}</td><td>${hours(c.last_arrival_s)}</td><td data-k="corridor-${i}-peak" data-value="${c.peak_queue}">${num(c.peak_queue)}</td><td>${pct(c.checkpoint_utilisation)}</td></tr>`)
    .join("");
  const inside = (r.remaining_by_hour || []).map((h) => h.inside);
  const bottlenecks = (r.bottlenecks || []).map((b) => `<li>${esc(b.name)} (${esc(b.mode)}): saturated ${num(b.saturated_buckets)} × ${num(r.parameters?.bucket_s / 60)} min at ${num(b.capacity_per_hour)} /h</li>`).join("");
  return `<p>${esc(r.enclave)}: ${num(r.people)} people, ${num(r.leaving)} leaving, ${num(r.staying)} staying.</p>
    <table><tbody>
      <tr><th>Egress time</th><td data-k="egress" data-value="${r.egress_time_s ?? "null"}">${hours(r.egress_time_s)}</td></tr>
      <tr><th>Lower bound</th><td data-k="bound" data-value="${r.lower_bound_s ?? "null"}">${hours(r.lower_bound_s)}</td></tr>
      <tr><th>Gap to the bound</th><td data-k="gap" data-value="${r.gap ?? "null"}">${pct(r.gap)}</td></tr>
      <tr><th>Stranded</th><td data-k="stranded" data-value="${r.stranded}">${num(r.stranded)}</td></tr>
    </tbody></table>
    <table><caption>Corridors (use: share of the checkpoint's capacity used while open)</caption><thead><tr><th>Crossing</th><th>People</th><th>Last out</th><th>Peak queue</th><th>Use</th></tr></thead><tbody>${corridors}</tbody></table>
    ${inside.length ? lineChart({ series: [inside], labels: ["people still inside"], colors: ["#b3261e"], xLabel: "hour", yLabel: "inside", title: "People still inside the enclave, by hour" }) : ""}
    ${queueChart(r.corridors || [])}
    <ul>${bottlenecks}</ul>`;
}

/** The people on the map's lost-access layer within `minutes` (the page's own per-area check,
 * which the API's `people_lost_access` must agree with). */
function lostOnMap(lostGeo, minutes) {
  const f = (lostGeo?.features || []).filter((x) => x.properties.lost.includes(minutes));
  return { areas: f.length, people: f.reduce((a, x) => a + x.properties.people, 0) };
}

/** The load on the working facilities, as the API gives it (`load`): the largest catchment
 * and the most people per bed, each with its facility. */
function loadText(load, fac) {
  const name = (id) => esc(fac.list?.find((f) => f.id === id)?.name || id);
  const largest = load?.largest_catchment;
  const perBed = load?.most_people_per_bed;
  return `<p>Largest load: ${largest ? `<span data-k="largest-catchment" data-value="${largest[1]}">${num(largest[1])}</span> people go to ${name(largest[0])}` : "no working facility"}; most people per bed: ${perBed ? `<span data-k="most-per-bed" data-value="${perBed[1]}">${num(perBed[1], 1)}</span> at ${name(perBed[0])}` : "no facility with known beds"}.</p>`;
}

export function accessPanel(r, lostGeo) {
  const fac = r.facilities || {};
  const lost = new Map((r.changes?.people_lost_access || []).map((c) => [c.minutes, c]));
  const rows = (r.coverage || [])
    .map((c) => {
      const l = lost.get(c.minutes);
      const onMap = lostOnMap(lostGeo, c.minutes);
      return `<tr><td>${num(c.minutes)} min</td><td data-k="covered-${c.minutes}" data-value="${c.people}">${num(c.people)} (${pct(c.share)})</td><td data-k="lost-${c.minutes}" data-value="${l ? l.people : "null"}">${l ? `${num(l.people)} (${pct(l.share)})` : "—"}${l && onMap.areas ? `<br><span class="muted">${num(onMap.areas)} area(s), ringed on the map</span>` : ""}</td></tr>`;
    })
    .join("");
  const lostFac = (r.changes?.facilities_lost || []).map((f) => `<li>${esc(f.name || f.id)}: ${esc(f.status)} (${esc(f.status_source)})</li>`).join("");
  const from = r.changes?.from;
  const count = (k) => `<span data-k="facilities-${k}" data-value="${fac[k] ?? "null"}">${num(fac[k])}</span>`;
  return `<p>On ${esc(r.date)}: ${count("functioning")} functioning, ${count("partially_functioning")} partly, ${count("not_functioning")} not functioning, ${count("destroyed")} destroyed facilities.</p>
    <table><caption>People within reach (on foot) of a working facility${from ? ` (lost since ${esc(from)}: ringed on the map)` : ""}</caption>
      <thead><tr><th>Within</th><th>Covered on ${esc(r.date)}</th><th>Lost access</th></tr></thead><tbody>${rows}</tbody></table>
    ${lostFac ? `<p>Facilities lost:</p><ul>${lostFac}</ul>` : ""}
    ${loadText(r.load, fac)}`;
}
