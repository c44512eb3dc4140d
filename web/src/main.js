// The situation map: roads, scenario layers and analyses from `corridor serve`, on one page.
// Everything is fetched from the page's own origin; no tiles, glyphs or fonts from elsewhere.

import * as maplibregl from "maplibre-gl";
import { api, ApiError, explain, setToken, token } from "./api.js";
import { accessPanel, esc, evacuatePanel, siegePanel } from "./panels.js";
import { LAYERS, PARTY_COLORS, ROUTE_COLORS, addMapLayers, setIncidentAge, setLayerVisible } from "./style.js";

const $ = (sel) => document.querySelector(sel);
const EMPTY = { type: "FeatureCollection", features: [] };

const state = {
  scenario: null, // id
  layers: null, // the scenario's layers (GeoJSON), from /v1/scenarios/{id}/layers
  timeline: [],
  date: null,
  points: [], // route start and end, [lon, lat]
  incidentAt: null,
  roadLabels: [],
  dateRequest: 0,
  territoryRequest: 0,
  territoryDay: null, // the day the territory layer shows
  routeRequest: 0,
};
window.corridorMap = state; // for the browser tests: what the page shows and when it is idle

let map;

// ------------------------------------------------------------------ errors

function showError(msg) {
  const el = $("#error");
  el.textContent = msg;
  el.hidden = false;
}

function clearError() {
  $("#error").hidden = true;
}

function handle(err, what) {
  showError(explain(err, what));
  if (err instanceof ApiError && err.status === 401) askForToken();
}

function askForToken() {
  $("#token-form").hidden = false;
  $("#token-input").focus();
}

// ------------------------------------------------------------------ start

async function start() {
  // MapLibre 6 runs its parsing in a module worker: ship it beside the bundle, same origin.
  maplibregl.setWorkerUrl(new URL("worker.js", location.href).href);
  map = new maplibregl.Map({
    container: "map",
    style: { version: 8, sources: {}, layers: [{ id: "background", type: "background", paint: { "background-color": "#eef0ea" } }] },
    center: [1.52, 42.507],
    zoom: 13,
    attributionControl: false,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
  map.addControl(new maplibregl.ScaleControl(), "bottom-left");
  map.addControl(new maplibregl.AttributionControl({ customAttribution: "© OpenStreetMap contributors" }));
  state.map = map;
  await new Promise((r) => map.on("load", r));
  addMapLayers(map);
  bindControls();
  await loadAll();
}

async function loadAll() {
  clearError();
  let health;
  try {
    health = await api("/health");
  } catch (e) {
    return handle(e, "Server");
  }
  const wanted = new URLSearchParams(location.search).get("scenario");
  state.scenario = wanted && health.scenarios.includes(wanted) ? wanted : health.scenarios[0];
  if (!state.scenario) return showError("This server holds no scenario: start it with --scenario S.toml.");
  try {
    const [network, layers] = await Promise.all([
      api("/v1/web/network"),
      api(`/v1/scenarios/${encodeURIComponent(state.scenario)}/layers`),
    ]);
    $("#token-form").hidden = true;
    showNetwork(network);
    showScenario(layers);
  } catch (e) {
    return handle(e, "Loading the map");
  }
  await setDate(state.timeline.length - 1);
  state.ready = true;
}

function showNetwork(network) {
  map.getSource("roads").setData(network);
  const [w, s, e, n] = network.properties.bbox;
  map.fitBounds([[w, s], [e, n]], { padding: 20, duration: 0 });
  makeRoadLabels(network);
}

function showScenario(layers) {
  const p = layers.properties;
  state.layers = layers;
  state.timeline = p.timeline;
  for (const f of layers.features) if (f.properties.date) f.properties.day = dayNumber(f.properties.date);
  $("#title").textContent = p.scenario;
  showPartyKeys(p.parties);
  $("#subtitle").textContent = `As of ${p.as_of} · scenario ${state.scenario} · ${p.sha256.slice(0, 12)}`;
  const slider = $("#date-slider");
  slider.max = String(state.timeline.length - 1);
  slider.value = slider.max;
  const byLayer = (name) => ({ type: "FeatureCollection", features: layers.features.filter((f) => f.properties.layer === name) });
  map.getSource("territory").setData(byLayer("territory"));
  map.getSource("front_lines").setData(byLayer("front_line"));
  state.territoryDay = p.as_of;
  map.getSource("incidents").setData(byLayer("incident"));
  map.getSource("closures").setData(byLayer("closure"));
  map.getSource("checkpoints").setData({ type: "FeatureCollection", features: layers.features.filter((f) => ["checkpoint", "reception"].includes(f.properties.layer)) });
  // Frame the enclaves' ground and the corridors out of it: where the questions are.
  const besieged = new Set(p.enclaves.map((e) => e.party));
  const focus = layers.features.filter((f) => (f.properties.layer === "territory" && besieged.has(f.properties.party)) || ["checkpoint", "reception"].includes(f.properties.layer));
  if (focus.length && !state.framed) fitTo(focus);
  state.framed = true;
}

/** The territory legend: one swatch per party, named as the scenario names it, in the colour
 * the map gives its `party_index`. */
function showPartyKeys(parties) {
  $("#keys-territory").innerHTML = parties
    .map((party, i) => `<span class="key" data-party="${esc(party.id)}"><span class="sw" style="background:${PARTY_COLORS[i % PARTY_COLORS.length]};opacity:.6"></span>${esc(party.name)}</span>`)
    .join("");
}

function fitTo(features) {
  const b = new maplibregl.LngLatBounds();
  const walk = (c) => (typeof c[0] === "number" ? b.extend(c) : c.forEach(walk));
  features.forEach((f) => walk(f.geometry.coordinates));
  map.fitBounds(b, { padding: 30, duration: 0, maxZoom: 15 });
}

function dayNumber(iso) {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / 86400000);
}

// ------------------------------------------------------------------ road names (no glyphs)

/** Names of the main roads as HTML labels (MapLibre text needs glyph files; we ship none):
 * trunk and primary roads from zoom 13.5, secondary and tertiary from zoom 15. */
function makeRoadLabels(network) {
  state.roadLabels.forEach((m) => m.remove());
  const minZoom = { trunk: 13.5, primary: 13.5, secondary: 15, tertiary: 15 };
  const best = new Map();
  for (const f of network.features) {
    const { name, class: cls } = f.properties;
    if (!name || !(cls in minZoom)) continue;
    const c = f.geometry.coordinates;
    if (!best.has(name) || best.get(name).coords.length < c.length) best.set(name, { coords: c, zoom: minZoom[cls] });
  }
  state.roadLabels = [...best].map(([name, { coords, zoom }]) => {
    const el = document.createElement("div");
    el.className = "road-label";
    el.textContent = name;
    el.setAttribute("aria-hidden", "true");
    const marker = new maplibregl.Marker({ element: el }).setLngLat(coords[Math.floor(coords.length / 2)]);
    marker.minZoom = zoom;
    return marker;
  });
  updateRoadLabels();
}

/** Each piece of an enclave named on the map with its verdict, in the verdict's colour (HTML,
 * as the road names), beside its dot; switched with the pieces layer. The marker is a point;
 * its text sits to the right of the dot, or to the left, and is nudged up or down, so that it
 * stays inside the map (`keepPieceLabelsInside`). */
function makePieceLabels(geo) {
  (state.pieceLabels || []).forEach((m) => m.remove());
  state.pieceLabels = geo.features
    .filter((f) => f.properties.layer === "piece")
    .map((f) => {
      const p = f.properties;
      const el = document.createElement("div");
      el.className = "piece-anchor";
      el.setAttribute("aria-hidden", "true");
      const text = document.createElement("span");
      text.className = `piece-label verdict ${p.status}`;
      text.textContent = `piece ${p.piece}: ${p.status}`;
      el.append(text);
      return new maplibregl.Marker({ element: el, anchor: "center" }).setLngLat(f.geometry.coordinates);
    });
  updatePieceLabels();
}

function updatePieceLabels() {
  const on = $("#layer-pieces")?.checked;
  (state.pieceLabels || []).forEach((m) => (on ? m.addTo(map) : m.remove()));
  keepPieceLabelsInside();
}

/** Puts each piece label on the side of its dot with room, inside the map's box. */
function keepPieceLabelsInside() {
  const box = map.getContainer().getBoundingClientRect();
  for (const m of state.pieceLabels || []) {
    const text = m.getElement().firstChild;
    text.style.transform = "";
    text.classList.remove("left");
    let r = text.getBoundingClientRect();
    if (r.right > box.right - 2) {
      text.classList.add("left");
      r = text.getBoundingClientRect();
    }
    const dx = Math.max(0, box.left + 2 - r.left);
    const dy = Math.max(0, box.top + 2 - r.top) - Math.max(0, r.bottom - (box.bottom - 2));
    if (dx || dy) text.style.transform = `translate(${dx}px, ${dy}px)`;
  }
}

function updateRoadLabels() {
  const on = $("#layer-road_names")?.checked;
  const z = map.getZoom();
  state.roadLabels.forEach((m) => (on && z >= m.minZoom ? m.addTo(map) : m.remove()));
}

// ------------------------------------------------------------------ time

async function setDate(index) {
  const day = state.timeline[index];
  if (!day) return;
  state.date = day;
  $("#date-label").textContent = day;
  const asOf = state.timeline[state.timeline.length - 1];
  $("#date-note").textContent = day === asOf ? "The latest state of the scenario." : `Replaying: territory, incidents, closures and analyses as they were on ${day}.`;
  const dn = dayNumber(day);
  for (const id of ["incidents", "closures"]) map.setFilter(id, ["<=", ["get", "day"], dn]);
  setIncidentAge(map, dn);
  await Promise.all([refreshTerritory(day), refreshAnalyses(), routes()]);
}

// The territory and front lines held on `day` (territory features carry since/until; the front
// lines follow from them): the server's layers as of that day.
async function refreshTerritory(day) {
  const req = ++state.territoryRequest;
  const asOf = state.timeline[state.timeline.length - 1];
  const id = encodeURIComponent(state.scenario);
  const layers = day === asOf ? state.layers : await api(`/v1/scenarios/${id}/layers?as_of=${day}`).catch((e) => (handle(e, "the territory on that day"), null));
  if (!layers || req !== state.territoryRequest) return;
  const byLayer = (name) => ({ type: "FeatureCollection", features: layers.features.filter((f) => f.properties.layer === name) });
  map.getSource("territory").setData(byLayer("territory"));
  map.getSource("front_lines").setData(byLayer("front_line"));
  state.territoryDay = day;
}

async function refreshAnalyses() {
  const req = ++state.dateRequest;
  const id = encodeURIComponent(state.scenario);
  const q = `as_of=${state.date}`;
  const first = state.timeline[0];
  const get = (what, extra = "") => api(`/v1/scenarios/${id}/replay/${what}?${q}${extra}`);
  state.busy = true;
  const jobs = {
    siege: Promise.all([get("siege"), get("siege", "&format=geojson")]),
    evacuate: Promise.all([get("evacuate"), get("evacuate", "&format=geojson")]),
    access: Promise.all([
      get("access", first < state.date ? `&compare=${first}` : ""),
      get("access", "&format=geojson"),
      first < state.date ? api(`/v1/scenarios/${id}/replay/access?as_of=${first}&format=geojson`) : null,
    ]),
  };
  const results = await Promise.allSettled(Object.values(jobs));
  if (req !== state.dateRequest) return; // a newer date was chosen meanwhile
  const [siege, evac, access] = results;
  show("siege", siege, ([json, geo]) => {
    map.getSource("siege").setData(geo);
    makePieceLabels(geo);
    return siegePanel(json);
  });
  show("evacuate", evac, ([json, geo]) => {
    map.getSource("evacuation").setData(geo);
    return evacuatePanel(json);
  });
  show("access", access, ([json, geo, before]) => {
    map.getSource("access").setData(geo);
    state.lostAccess = lostAccess(before, geo, json.coverage.map((c) => c.minutes));
    map.getSource("lost_access").setData(state.lostAccess);
    return accessPanel(json, state.lostAccess);
  });
  state.analyses = { siege: siege.value?.[0], evacuate: evac.value?.[0], access: access.value?.[0] };
  state.busy = false;
}

/** The population areas (the access GeoJSON's `population` points) within a threshold of care
 * on the first day and beyond it now: who lost hospital access. Areas are matched across the two
 * days by name and position, not by their order in the answer. Each carries `lost_within`, the
 * smallest such threshold, and `lost`, all of them. */
function lostAccess(before, now, thresholds) {
  if (!before) return EMPTY;
  const units = (g) => g.features.filter((f) => f.properties.layer === "population");
  const key = (f) => `${f.properties.name}|${JSON.stringify(f.geometry?.coordinates)}`;
  const was = new Map(units(before).map((f) => [key(f), f.properties.minutes_on_foot]));
  const within = (m, t) => m != null && m <= t;
  const features = units(now).flatMap((f) => {
    const then = was.get(key(f));
    const lost = thresholds.filter((t) => within(then, t) && !within(f.properties.minutes_on_foot, t));
    if (!lost.length) return [];
    return [{ ...f, properties: { ...f.properties, minutes_before: then, lost, lost_within: Math.min(...lost) } }];
  });
  return { type: "FeatureCollection", features, properties: { from: state.timeline[0] } };
}

function show(name, result, render) {
  const body = $(`#${name}-panel .body`);
  if (result.status === "fulfilled") {
    body.innerHTML = render(result.value);
  } else {
    body.innerHTML = `<p role="status">${esc(explain(result.reason, name))}</p>`;
    if (result.reason instanceof ApiError && result.reason.status === 401) handle(result.reason, name);
  }
}

// ------------------------------------------------------------------ clicks

function clickMode() {
  return document.querySelector('input[name="click-mode"]:checked').value;
}

function onMapPoint(lngLat) {
  const p = [Number(lngLat.lng.toFixed(6)), Number(lngLat.lat.toFixed(6))];
  const mode = clickMode();
  if (mode === "incident") return placeIncident(p);
  if (mode === "isochrone") return isochrone(p);
  state.points = state.points.length >= 2 ? [p] : [...state.points, p];
  drawPoints();
  if (state.points.length === 2) routes();
  else $("#route-hint").textContent = "Now click the destination.";
}

function drawPoints() {
  map.getSource("route_points").setData({
    type: "FeatureCollection",
    features: state.points.map((c, i) => ({ type: "Feature", geometry: { type: "Point", coordinates: c }, properties: { role: i ? "end" : "start" } })),
  });
}

async function routes() {
  const [a, b] = state.points;
  if (!a || !b) return;
  const profile = $("#profile").value;
  // Routed on the scenario as it stood on the slider's day: its incidents and closures.
  const base = `/route/v1/${profile}/${a.join(",")};${b.join(",")}?overview=full&geometries=geojson&scenario=${encodeURIComponent(state.scenario)}&as_of=${state.date}`;
  $("#route-hint").textContent = "Routing…";
  const req = ++state.routeRequest;
  state.busyRoute = true;
  const [fast, safe] = await Promise.allSettled([api(`${base}&mode=fastest`), api(`${base}&mode=safest`)]);
  if (req !== state.routeRequest) return; // newer points or a newer day meanwhile
  state.busyRoute = false;
  state.routeDate = state.date;
  state.routes = {};
  const features = [];
  for (const [name, r] of [["fastest", fast], ["safest", safe]]) {
    if (r.status === "rejected") {
      fillRoute(name, null);
      $("#route-hint").textContent = explain(r.reason, `${name} route`);
      continue;
    }
    const route = r.value.routes[0];
    state.routes[name] = route;
    features.push({ type: "Feature", geometry: route.geometry, properties: { mode: name } });
    fillRoute(name, route);
  }
  map.getSource("routes").setData({ type: "FeatureCollection", features });
  $("#route-table").hidden = features.length === 0;
  $("#route-caption").textContent = `Fastest and safest route as of ${state.date} (numbers from /route/v1)`;
  if (features.length === 2) $("#route-hint").textContent = "Click again to start a new route.";
}

function fillRoute(name, route) {
  const cell = (k) => document.querySelector(`[data-k="${name}-${k}"]`);
  const set = (k, text, raw) => {
    cell(k).textContent = text;
    cell(k).dataset.value = raw ?? "";
  };
  if (!route) {
    ["distance", "duration", "exposure", "incidents"].forEach((k) => set(k, "no route", ""));
    return;
  }
  const passed = route.legs.flatMap((l) => l.exposure?.incidents_within_250m || []);
  set("distance", `${(route.distance / 1000).toFixed(2)} km`, route.distance);
  set("duration", `${(route.duration / 60).toFixed(1)} min`, route.duration);
  set("exposure", route.risk == null ? "—" : route.risk.toFixed(1), route.risk);
  set("incidents", passed.length ? `${passed.length}: ${passed.map((i) => `${i.id} (${i.date})`).join(", ")}` : "none", passed.length);
}

function clearRoute() {
  state.routeRequest++; // an answer still on its way is not drawn
  state.busyRoute = false;
  state.points = [];
  state.routes = {};
  drawPoints();
  map.getSource("routes").setData(EMPTY);
  $("#route-table").hidden = true;
  $("#route-hint").textContent = "Click the start, then the destination.";
}

async function isochrone(p) {
  try {
    const geo = await api(`/v1/scenarios/${encodeURIComponent(state.scenario)}/isochrone?from=${p.join(",")}&profile=${$("#profile").value}`);
    map.getSource("isochrones").setData(geo);
    setLayerVisible(map, "isochrones", true);
    $("#layer-isochrones").checked = true;
  } catch (e) {
    handle(e, "Isochrone");
  }
}

// ------------------------------------------------------------------ adding an incident

function placeIncident(p) {
  state.incidentAt = p;
  $("#incident-where").textContent = `${p[1]}, ${p[0]} (lat, lon)`;
  $("#inc-date").value = state.timeline[state.timeline.length - 1];
  $("#incident-form").hidden = false;
  map.getSource("new_incident").setData({ type: "FeatureCollection", features: [{ type: "Feature", geometry: { type: "Point", coordinates: p }, properties: {} }] });
  $("#inc-date").focus();
}

async function submitIncident(ev) {
  ev.preventDefault();
  const [lon, lat] = state.incidentAt;
  const body = {
    event_date: $("#inc-date").value,
    event_type: $("#inc-type").value,
    sub_event_type: $("#inc-sub").value,
    latitude: lat,
    longitude: lon,
    fatalities: Number($("#inc-fat").value || 0),
    notes: $("#inc-notes").value || "Added on the web map",
  };
  try {
    await api(`/v1/scenarios/${encodeURIComponent(state.scenario)}/incidents`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (e) {
    return handle(e, "Adding the incident");
  }
  clearError();
  $("#incident-form").hidden = true;
  map.getSource("new_incident").setData(EMPTY);
  try {
    showScenario(await api(`/v1/scenarios/${encodeURIComponent(state.scenario)}/layers`));
  } catch (e) {
    return handle(e, "Reloading the scenario");
  }
  await setDate(state.timeline.length - 1); // the analyses and the routes, with the new incident
}

// ------------------------------------------------------------------ controls

function bindControls() {
  const list = $("#layer-list");
  for (const l of LAYERS) {
    const li = document.createElement("li");
    const keys = (l.keys || []).map(([name, color]) => `<span class="key" data-key="${esc(name)}"><span class="sw" style="background:${color};border-radius:50%;width:10px"></span>${esc(name)}</span>`).join("");
    li.innerHTML = `<label><input type="checkbox" id="layer-${l.id}" ${l.visible ? "checked" : ""}> <span class="sw" style="${l.swatch}"></span>${esc(l.label)}</label><span class="keys" id="keys-${l.id}">${keys}</span>`;
    list.append(li);
    li.querySelector("input").addEventListener("change", (e) => {
      if (l.id === "road_names") return updateRoadLabels();
      setLayerVisible(map, l.id, e.target.checked);
      if (l.id === "pieces") updatePieceLabels();
    });
  }
  map.on("zoomend", updateRoadLabels);
  map.on("move", keepPieceLabelsInside);
  map.on("resize", keepPieceLabelsInside);
  map.on("click", (e) => onMapPoint(e.lngLat));
  map.getCanvas().setAttribute("aria-label", "Map. Arrow keys pan, + and - zoom; Enter uses the map centre as a clicked point.");
  map.getCanvas().addEventListener("keydown", (e) => {
    if (e.key === "Enter") onMapPoint(map.getCenter());
  });
  let timer;
  $("#date-slider").addEventListener("input", (e) => {
    clearTimeout(timer);
    const i = Number(e.target.value);
    $("#date-label").textContent = state.timeline[i];
    timer = setTimeout(() => setDate(i), 250);
  });
  $("#route-clear").addEventListener("click", clearRoute);
  $("#profile").addEventListener("change", routes);
  $("#incident-form").addEventListener("submit", submitIncident);
  $("#incident-cancel").addEventListener("click", () => {
    $("#incident-form").hidden = true;
    map.getSource("new_incident").setData(EMPTY);
  });
  $("#token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    setToken($("#token-input").value.trim());
    loadAll();
  });
  const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false });
  map.on("mousemove", (e) => {
    const f = map.queryRenderedFeatures(e.point, { layers: ["lost-access", "incidents", "facilities", "checkpoints", "pieces", "closures", "roads"] })[0];
    if (!f) return popup.remove();
    popup.setLngLat(e.lngLat).setHTML(describe(f)).addTo(map);
  });
  map.on("mouseout", () => popup.remove());
  void token;
  void ROUTE_COLORS;
}

function describe(f) {
  const p = f.properties;
  switch (f.layer.id) {
    case "incidents":
      return `<strong>${esc(p.event_type)}</strong><br>${esc(p.sub_event_type)}<br>${esc(p.date)} · ${esc(p.fatalities)} killed<br>${esc(p.notes)}`;
    case "facilities":
      return `<strong>${esc(p.name || p.kind)}</strong><br>${esc(p.status)}`;
    case "checkpoints":
      return `<strong>${esc(p.corridor)}</strong><br>${esc(p.layer)} · ${esc(p.purpose)}${p.capacity_per_hour ? ` · ${esc(p.capacity_per_hour)}/h` : ""}`;
    case "pieces":
      return `<strong>${esc(p.enclave)}, piece ${esc(p.piece)}</strong><br>${esc(p.status)} · ${Number(p.population).toLocaleString("en-GB", { maximumFractionDigits: 0 })} people`;
    case "lost-access":
      return `<strong>${esc(p.name)}: lost access to care</strong><br>${Number(p.people).toLocaleString("en-GB", { maximumFractionDigits: 0 })} people; ${esc(Math.round(p.minutes_before))} min on foot on ${esc(state.timeline[0])}, ${p.minutes_on_foot == null || p.minutes_on_foot === "null" ? "no working facility in reach" : `${esc(Math.round(p.minutes_on_foot))} min`} now`;
    case "closures":
      return `<strong>Closed: ${esc(p.name || p.road)}</strong><br>since ${esc(p.date)}`;
    default:
      return `<strong>${esc(p.name === "null" ? "" : p.name || "(unnamed)")}</strong><br>${esc(p.class)}`;
  }
}

start().catch((e) => showError(`The map failed to start: ${e.message}`));
