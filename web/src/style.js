// The map's sources and layers, and the legend entries that switch them. Circle and line layers
// only: symbol layers would need glyph files (road names are HTML labels, see main.js).

const EMPTY = { type: "FeatureCollection", features: [] };

export const ROUTE_COLORS = { fastest: "#1f6fd1", safest: "#0a8a4a" };
/** Territory colours by party index (the scenario's `parties`), shared by the map and legend;
 * none of them a verdict colour, so no ground reads as "besieged" or "open". */
export const PARTY_COLORS = ["#5b7db1", "#a6761d", "#8064a2", "#4bacc6", "#7f7f7f"]; // no verdict red, green or amber
const STATUS_COLORS = ["match", ["get", "status"], "functioning", "#0a8a4a", "partially_functioning", "#e0a100", "not_functioning", "#b3261e", "destroyed", "#222222", "#888888"];
/** Siege verdict colours, shared by the pieces on the map, the legend and the panel. */
export const VERDICT_COLORS = { open: "#0a8a4a", contested: "#c77700", besieged: "#b3261e" };
const VERDICT_MATCH = ["match", ["get", "status"], "besieged", VERDICT_COLORS.besieged, "open", VERDICT_COLORS.open, VERDICT_COLORS.contested];
/** The enclave's ground, neutral grey (see `enclave-fill`). */
export const ENCLAVE_FILL = "#444444";
/** Population areas that lost access to care since the slider's first day (see main.js). */
export const LOST_ACCESS_COLOR = "#d01c8b";
const INCIDENT_COLORS = ["match", ["get", "event_type"], "Battles", "#d7301f", "Explosions/Remote violence", "#ff7f00", "Violence against civilians", "#a50f15", "Strategic developments", "#6a51a3", "#555555"];

/** Legend entries: `id` (checkbox `#layer-ID`), the MapLibre layers it switches, a swatch. */
export const LAYERS = [
  { id: "roads", label: "Roads by class", layers: ["roads"], visible: true, swatch: "background:#f2a33a" },
  { id: "road_names", label: "Road names (zoom in)", layers: [], visible: true, swatch: "background:#fff;border:1px solid #999" },
  { id: "territory", label: "Territory (one colour per party, named below)", layers: ["territory-fill", "territory-line"], visible: true, swatch: "background:none;border:1px solid #777" },
  { id: "front_lines", label: "Front lines", layers: ["front_lines"], visible: true, swatch: "background:#b3261e;height:3px" },
  { id: "incidents", label: "Incidents by type (fading with age)", layers: ["incidents"], visible: true, swatch: "background:#ff7f00;border-radius:50%;width:10px" },
  { id: "closures", label: "Closed roads", layers: ["closures"], visible: true, swatch: "background:repeating-linear-gradient(90deg,#000 0 4px,#fff 4px 6px);height:4px" },
  { id: "facilities", label: "Health facilities by status", layers: ["facilities"], visible: true, swatch: "background:#0a8a4a;border-radius:50%;width:10px" },
  { id: "coverage", label: "Coverage: minutes on foot to care", layers: ["coverage"], visible: false, swatch: "background:linear-gradient(90deg,#1a9850,#fee08b,#d73027)" },
  { id: "enclave", label: "Enclave outline (each piece's verdict: its dot)", layers: ["enclave-fill", "enclave-line"], visible: true, swatch: "background:none;border:2px dashed #222" },
  { id: "lost_access", label: "Lost access to care since the first day (ring size: people; thicker: lost within fewer minutes on foot)", layers: ["lost-access"], visible: true, swatch: `background:none;border:3px solid ${LOST_ACCESS_COLOR};border-radius:50%;width:12px` },
  { id: "pieces", label: "Enclave pieces by verdict (size: people)", layers: ["pieces"], visible: true, swatch: `background:${VERDICT_COLORS.besieged};border-radius:50%;width:10px`, keys: Object.entries(VERDICT_COLORS) },
  { id: "supply", label: "Supply routes", layers: ["supply-routes"], visible: true, swatch: "background:#7a4cc2;height:4px" },
  { id: "cut", label: "Minimum cut", layers: ["min-cut"], visible: true, swatch: "background:#e7298a;height:6px" },
  { id: "checkpoints", label: "Corridors: checkpoints and reception", layers: ["checkpoints"], visible: true, swatch: "background:#fff;border:3px solid #0a5;border-radius:50%;width:10px" },
  { id: "evacuation", label: "Evacuation routes by load", layers: ["evacuation"], visible: false, swatch: "background:#1b9e77;height:5px" },
  { id: "isochrones", label: "Isochrones from a clicked point", layers: ["isochrones"], visible: false, swatch: "background:#3182bd;opacity:.4" },
  { id: "routes", label: "Fastest (blue) and safest (green) route", layers: ["route-fastest", "route-safest", "route-points"], visible: true, swatch: `background:linear-gradient(90deg,${ROUTE_COLORS.fastest} 50%,${ROUTE_COLORS.safest} 50%);height:5px` },
];

const ROAD_WIDTH = ["match", ["get", "class"], ["motorway", "trunk", "primary"], 4, ["secondary", "tertiary", "motorway_link", "trunk_link", "primary_link"], 3, ["footway", "path", "steps", "cycleway", "bridleway", "track"], 1, 1.8];
const ROAD_COLOR = ["match", ["get", "class"], ["motorway", "trunk", "motorway_link", "trunk_link"], "#e46d3a", ["primary", "primary_link"], "#f2a33a", ["secondary", "secondary_link"], "#f5cf6a", ["footway", "path", "steps", "cycleway", "bridleway", "pedestrian"], "#9a8f80", ["track"], "#a0824b", "#ffffff"];

function sources(map) {
  for (const id of ["roads", "territory", "front_lines", "incidents", "closures", "checkpoints", "siege", "evacuation", "access", "lost_access", "isochrones", "routes", "route_points", "new_incident"]) {
    map.addSource(id, { type: "geojson", data: EMPTY });
  }
}

const layer = (map, id, source, type, paint, extra = {}) => map.addLayer({ id, source, type, paint, ...extra });
const only = (name) => ["==", ["get", "layer"], name];

/** Every source and layer, bottom to top. */
export function addMapLayers(map) {
  sources(map);
  const party = ["to-color", ["at", ["%", ["get", "party_index"], PARTY_COLORS.length], ["literal", PARTY_COLORS]]];
  layer(map, "territory-fill", "territory", "fill", { "fill-color": party, "fill-opacity": 0.14 });
  layer(map, "coverage", "access", "circle", {
    "circle-color": ["interpolate", ["linear"], ["coalesce", ["get", "minutes_on_foot"], 999], 0, "#1a9850", 15, "#fee08b", 30, "#d73027", 60, "#67001f"],
    "circle-radius": ["interpolate", ["linear"], ["get", "people"], 0, 8, 40000, 40],
    "circle-opacity": 0.35,
  }, { filter: only("population") });
  layer(map, "isochrones", "isochrones", "fill", { "fill-color": ["interpolate", ["linear"], ["get", "minutes"], 10, "#08519c", 30, "#9ecae1"], "fill-opacity": 0.3 });
  layer(map, "roads", "roads", "line", { "line-color": ROAD_COLOR, "line-width": ROAD_WIDTH }, { layout: { "line-cap": "round", "line-join": "round" } });
  layer(map, "territory-line", "territory", "line", { "line-color": party, "line-width": 1.5, "line-opacity": 0.7 });
  // Neutral: the enclave's verdict is its worst piece's, so a verdict fill would paint an open
  // piece red. Each piece carries its own verdict (the pieces layer).
  layer(map, "enclave-fill", "siege", "fill", { "fill-color": ENCLAVE_FILL, "fill-opacity": 0.08 }, { filter: only("enclave") });
  layer(map, "enclave-line", "siege", "line", { "line-color": "#222", "line-width": 2, "line-dasharray": [3, 2] }, { filter: only("enclave") });
  layer(map, "front_lines", "front_lines", "line", { "line-color": "#b3261e", "line-width": 3 });
  layer(map, "evacuation", "evacuation", "line", {
    "line-color": "#1b9e77",
    "line-width": ["interpolate", ["linear"], ["get", "people"], 0, 1, 20000, 10],
    "line-opacity": 0.7,
  }, { layout: { visibility: "none" } });
  layer(map, "supply-routes", "siege", "line", { "line-color": "#7a4cc2", "line-width": 4, "line-opacity": ["case", ["get", "open"], 0.9, 0.4] }, { filter: only("supply_route") });
  layer(map, "min-cut", "siege", "line", { "line-color": "#e7298a", "line-width": 7 }, { filter: ["==", ["get", "layer"], "min_cut"] });
  layer(map, "closures", "closures", "line", { "line-color": "#000", "line-width": 5, "line-dasharray": [1, 0.6] });
  layer(map, "route-fastest", "routes", "line", { "line-color": ROUTE_COLORS.fastest, "line-width": 5, "line-opacity": 0.85, "line-offset": -2 }, { filter: ["==", ["get", "mode"], "fastest"] });
  layer(map, "route-safest", "routes", "line", { "line-color": ROUTE_COLORS.safest, "line-width": 5, "line-opacity": 0.85, "line-offset": 2 }, { filter: ["==", ["get", "mode"], "safest"] });
  layer(map, "incidents", "incidents", "circle", { "circle-color": INCIDENT_COLORS, "circle-radius": ["+", 5, ["min", 8, ["get", "fatalities"]]], "circle-stroke-color": "#fff", "circle-stroke-width": 1 });
  layer(map, "facilities", "access", "circle", { "circle-color": STATUS_COLORS, "circle-radius": 7, "circle-stroke-color": "#fff", "circle-stroke-width": 2 }, { filter: only("facility") });
  layer(map, "checkpoints", "checkpoints", "circle", {
    "circle-color": ["match", ["get", "layer"], "reception", "#cde8d6", "#ffffff"],
    "circle-radius": 7,
    "circle-stroke-color": ["match", ["get", "purpose"], "combatant", "#7a4cc2", "#00aa55"],
    "circle-stroke-width": 3,
  });
  layer(map, "pieces", "siege", "circle", {
    "circle-color": VERDICT_MATCH,
    "circle-radius": ["interpolate", ["linear"], ["get", "population"], 0, 9, 100000, 20],
    "circle-opacity": 0.55,
    "circle-stroke-color": "#111",
    "circle-stroke-width": 2,
  }, { filter: only("piece") });
  layer(map, "lost-access", "lost_access", "circle", {
    "circle-color": "rgba(0,0,0,0)",
    "circle-radius": ["interpolate", ["linear"], ["get", "people"], 0, 8, 40000, 30],
    "circle-stroke-color": LOST_ACCESS_COLOR,
    "circle-stroke-width": ["interpolate", ["linear"], ["get", "lost_within"], 15, 5, 60, 2],
  });
  layer(map, "route-points", "route_points", "circle", { "circle-color": ["match", ["get", "role"], "start", "#111", "#fff"], "circle-radius": 6, "circle-stroke-color": "#111", "circle-stroke-width": 2 });
  layer(map, "new-incident", "new_incident", "circle", { "circle-color": "#ff0", "circle-radius": 8, "circle-stroke-color": "#000", "circle-stroke-width": 2 });
  for (const l of LAYERS) if (!l.visible) setLayerVisible(map, l.id, false);
}

/** Switches a legend entry's layers on or off. */
export function setLayerVisible(map, id, visible) {
  const entry = LAYERS.find((l) => l.id === id);
  for (const ml of entry.layers) map.setLayoutProperty(ml, "visibility", visible ? "visible" : "none");
}

/** Incidents fade with their age on the chosen day (`today`, days since 1970). */
export function setIncidentAge(map, today) {
  map.setPaintProperty("incidents", "circle-opacity", ["interpolate", ["linear"], ["-", today, ["get", "day"]], 0, 1, 30, 0.25]);
  map.setPaintProperty("incidents", "circle-stroke-opacity", ["interpolate", ["linear"], ["-", today, ["get", "day"]], 0, 1, 30, 0.25]);
}
