// The web map in a real browser: Debian's Chromium, headless, driven by playwright-core, on the
// real `corridor serve` (bundled Andorra map, example scenario, SQLite in a temporary folder).
// Every number the page shows is compared with the API's own answer to the same request.
//
// Needs the `corridor` binary (CORRIDOR_BIN, default ../target/debug/corridor or
// $CARGO_TARGET_DIR/debug/corridor) and Chromium (CHROMIUM, default /usr/bin/chromium).
// Without Chromium the tests are skipped with a message, except under CI=true, where they fail.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const targetDir = process.env.CARGO_TARGET_DIR || join(repo, "target");
const BIN = process.env.CORRIDOR_BIN || join(targetDir, "debug/corridor");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SHOTS = process.env.SCREENSHOT_DIR || join(here, "..", "test-output");
const missing = [BIN, CHROMIUM].filter((p) => !existsSync(p));
if (missing.length && process.env.CI === "true") {
  throw new Error(`browser tests need ${missing.join(" and ")} (CI=true: not skipping)`);
}
/** The binary has `corridor serve` (the service, issue 12) once that is merged. */
function hasServe() {
  try {
    execFileSync(BIN, ["serve", "--help"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const skip = missing.length
  ? `skipped: ${missing.join(" and ")} not found`
  : !hasServe()
    ? `skipped: ${BIN} has no 'serve' command yet`
    : false;

let server, origin, dataDir, browser, editorToken, viewerToken;

/** `corridor token create`: the secret is the last line it prints on stdout, its id is on
 * stderr ("token N (role) created"). */
function createTokenWithId(role, dir = dataDir, extra = []) {
  const r = spawnSync(BIN, ["token", "create", "--role", role, "--data-dir", dir, ...extra], { cwd: repo, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return { secret: r.stdout.trim().split("\n").pop().trim(), id: Number(r.stderr.match(/token (\d+)/)[1]) };
}
const createToken = (role) => createTokenWithId(role).secret;

/** Starts `corridor serve` on a free port and resolves with its origin once it listens. */
function startServer(dir = dataDir, extra = []) {
  return new Promise((ok, fail) => {
    const p = spawn(BIN, ["serve", "--data-dir", dir, "--addr", "127.0.0.1:0", ...extra], { cwd: repo, stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    const timer = setTimeout(() => fail(new Error(`corridor serve did not start in 120 s:\n${log}`)), 120000);
    p.stderr.on("data", (d) => {
      log += d;
      const m = log.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        ok({ process: p, origin: m[1] });
      }
    });
    p.on("exit", (code) => fail(new Error(`corridor serve exited with ${code}:\n${log}`)));
  });
}

async function apiGet(path, token = editorToken, at = origin) {
  const res = await fetch(at + path, { headers: { Authorization: `Bearer ${token}` } });
  return res.json();
}

/** A page with its console errors and every request it made recorded. */
async function openPage(viewport, token, at = origin) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.errors = [];
  page.requests = [];
  page.on("console", (m) => m.type() === "error" && page.errors.push(m.text()));
  page.on("pageerror", (e) => page.errors.push(e.message));
  page.on("request", (r) => page.requests.push(r.url()));
  if (token) await page.addInitScript((t) => sessionStorage.setItem("corridor.token", t), token);
  await page.goto(`${at}/`);
  return page;
}

const idle = (page) =>
  page.waitForFunction(() => {
    const s = window.corridorMap;
    return s && s.ready && !s.busy && !s.busyRoute && s.map.loaded();
  }, null, { timeout: 90000 });

const rendered = (page, layer) => page.evaluate((l) => window.corridorMap.map.queryRenderedFeatures({ layers: [l] }).length, layer);

/** Clicks the map at `[lon, lat]`, where it is drawn. */
async function clickAt(page, lonlat) {
  const box = await page.locator("#map").boundingBox();
  const xy = await page.evaluate((c) => window.corridorMap.map.project(c), lonlat);
  await page.mouse.click(box.x + xy.x, box.y + xy.y);
}

const routeCell = (page, k) => page.locator(`[data-k="${k}"]`).getAttribute("data-value");

/** The two routes the page drew, and what the API answers for the same clicked points, profile
 * and slider day. */
async function routesAgainstApi(page, profile = "foot") {
  const { points: pts, date } = await page.evaluate(() => ({ points: window.corridorMap.points, date: window.corridorMap.routeDate }));
  assert.equal(date, await page.evaluate(() => window.corridorMap.date), "the routes are those of the slider's day");
  const base = `/route/v1/${profile}/${pts[0].join(",")};${pts[1].join(",")}?overview=full&geometries=geojson&scenario=andorra-siege&as_of=${date}`;
  const out = {};
  for (const mode of ["fastest", "safest"]) {
    const answer = await apiGet(`${base}&mode=${mode}`);
    if (answer.code === "NoRoute") {
      // The page says so in words, in the table and the hint, and draws nothing for it.
      assert.equal(await page.locator(`[data-k="${mode}-distance"]`).textContent(), "no route", `${mode}: no route shown`);
      assert.match(await page.locator("#route-hint").textContent(), /no route — Impossible route/);
      assert.equal(await page.evaluate((m) => window.corridorMap.routes[m], mode), undefined);
      out[mode] = null;
      continue;
    }
    const api = answer.routes[0];
    const passed = api.legs.flatMap((l) => l.exposure.incidents_within_250m).length;
    assert.equal(Number(await routeCell(page, `${mode}-distance`)), api.distance, `${mode} distance`);
    assert.equal(Number(await routeCell(page, `${mode}-duration`)), api.duration, `${mode} duration`);
    assert.equal(Number(await routeCell(page, `${mode}-exposure`)), api.risk, `${mode} exposure`);
    assert.equal(Number(await routeCell(page, `${mode}-incidents`)), passed, `${mode} incidents passed`);
    const drawn = await page.evaluate((m) => window.corridorMap.routes[m].geometry.coordinates, mode);
    assert.deepEqual(drawn, api.geometry.coordinates, `${mode} geometry`);
    out[mode] = api;
  }
  return out;
}

/** Nothing left the server's origin; nothing went wrong in the console. The browser logs a
 * refused request ("status of 401") as an error: only the tests that expect a refusal of that
 * status allow it. */
function assertClean(page, at = origin, allowStatus = null) {
  const foreign = page.requests.filter((u) => !u.startsWith(at) && !u.startsWith("data:") && !u.startsWith("blob:"));
  assert.deepEqual(foreign, [], "requests to other origins");
  const errors = page.errors.filter((e) => !(allowStatus && e.includes(`status of ${allowStatus}`)));
  assert.deepEqual(errors, [], "console errors");
}

/** The first number in a panel's text ("1,234.5 h" → 1234.5). */
function shownNumber(text) {
  const m = String(text).replace(/,/g, "").match(/-?\d+(\.\d+)?/);
  assert.ok(m, `a number in '${text}'`);
  return Number(m[0]);
}

/** A cell shows `value` (the API's, times `scale`) to the decimals it prints, and carries it. */
async function assertCell(page, key, value, scale = 1, what = key) {
  const cell = page.locator(`[data-k="${key}"]`);
  assert.equal(await cell.count(), 1, `${what}: one cell ${key}`);
  const raw = await cell.getAttribute("data-value");
  assert.equal(raw, String(value ?? "null"), `${what}: the API's value`);
  if (value == null) return;
  const text = await cell.textContent();
  const shown = shownNumber(text);
  const decimals = (String(shown).split(".")[1] || "").length;
  assert.ok(Math.abs(shown - value * scale) <= 0.5 * 10 ** -decimals + 1e-9, `${what}: shows '${text}' for ${value}`);
}

/** The values a chart line was drawn from. */
async function chartValues(page, selector) {
  const v = await page.locator(selector).getAttribute("data-values");
  return JSON.parse(v);
}

/** Metres between two [lon, lat] points (haversine), independent of the server's lengths. */
function haversine(a, b) {
  const r = Math.PI / 180;
  const h = Math.sin(((b[1] - a[1]) * r) / 2) ** 2 + Math.cos(a[1] * r) * Math.cos(b[1] * r) * Math.sin(((b[0] - a[0]) * r) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
}

/** The longest edge of an OSM way in the network the page draws, from the API. */
async function wayEdge(wayId, token) {
  const net = await apiGet("/v1/web/network", token);
  const len = (c) => c.slice(1).reduce((a, p, i) => a + Math.hypot((p[0] - c[i][0]) * Math.cos((p[1] * Math.PI) / 180), p[1] - c[i][1]), 0);
  return net.features
    .filter((f) => f.properties.osm_way_id === wayId)
    .map((f) => f.geometry.coordinates)
    .sort((a, b) => len(b) - len(a))[0];
}

describe("web map in Chromium", { skip }, () => {
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "corridor-web-test-"));
    editorToken = createToken("editor");
    viewerToken = createToken("viewer");
    ({ process: server, origin } = await startServer());
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
    mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    server?.kill("SIGTERM");
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test("without a token the page asks for one; a wrong one gets a readable refusal", async () => {
    const page = await openPage({ width: 1366, height: 768 });
    await page.locator("#token-form").waitFor({ state: "visible" });
    assert.match(await page.locator("#error").textContent(), /needs an access token/);
    await page.fill("#token-input", "crd_not_a_real_token");
    await page.press("#token-input", "Enter");
    await page.waitForFunction(() => /refused the token/.test(document.querySelector("#error").textContent));
    await page.fill("#token-input", viewerToken);
    await page.press("#token-input", "Enter");
    await idle(page);
    assert.equal(await page.locator("#token-form").isHidden(), true);
    assert.equal(await page.locator("#error").isHidden(), true);
    assertClean(page, origin, 401);
    await page.context().close();
  });

  test("a wrong or revoked token gets a readable error and the prompt, never a blank page", async () => {
    // A token the server never issued, kept from an earlier session.
    let page = await openPage({ width: 1366, height: 768 }, "crd_expired_or_never_issued");
    await page.locator("#token-form").waitFor({ state: "visible" });
    assert.match(await page.locator("#error").textContent(), /refused the token .*expired or been revoked/);
    assertClean(page, origin, 401);
    await page.context().close();

    // A token revoked while the page is open: the next request says so; the map stays drawn.
    const { secret, id } = createTokenWithId("viewer");
    page = await openPage({ width: 1366, height: 768 }, secret);
    await idle(page);
    assert.ok((await rendered(page, "roads")) > 0);
    execFileSync(BIN, ["token", "revoke", String(id), "--data-dir", dataDir], { cwd: repo, stdio: "ignore" });
    await page.focus("#date-slider");
    await page.keyboard.press("Home");
    await page.locator("#token-form").waitFor({ state: "visible" });
    assert.match(await page.locator("#error").textContent(), /refused the token/);
    assert.match(await page.locator("#siege-panel .body").textContent(), /refused the token/);
    assert.ok((await rendered(page, "roads")) > 0, "the roads are still drawn");
    assertClean(page, origin, 401);
    await page.context().close();
  });

  test("an expired token gets the readable 'expired' error and the prompt", async () => {
    // Its last day was yesterday (UTC): expired at midnight.
    const yesterday = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
    const { secret, id } = createTokenWithId("viewer", dataDir, ["--expires", yesterday]);
    const page = await openPage({ width: 1366, height: 768 }, secret);
    await page.locator("#token-form").waitFor({ state: "visible" });
    const msg = await page.locator("#error").textContent();
    assert.match(msg, /your token has expired/);
    const today = new Date().toISOString().slice(0, 10);
    assert.ok(msg.includes(`token ${id} expired at ${today}T00:00:00.000Z`), msg);
    // A valid token in the prompt: the map loads.
    await page.fill("#token-input", viewerToken);
    await page.press("#token-input", "Enter");
    await idle(page);
    assert.equal(await page.locator("#error").isHidden(), true);
    assertClean(page, origin, 401);
    await page.context().close();
  });

  test("a --public-read server shows the map without asking for a token", async () => {
    const dir = mkdtempSync(join(tmpdir(), "corridor-web-public-"));
    const pub = await startServer(dir, ["--public-read"]);
    try {
      const page = await openPage({ width: 1366, height: 768 }, null, pub.origin);
      await idle(page);
      assert.equal(await page.locator("#token-form").isHidden(), true, "no token prompt");
      assert.equal(await page.locator("#error").isHidden(), true, "no error");
      assert.ok((await rendered(page, "roads")) > 0);
      assert.ok((await rendered(page, "pieces")) > 0);
      assertClean(page, pub.origin);
      await page.context().close();
    } finally {
      pub.process.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the page shows the example scenario, every layer, routes, an added incident and the past", async () => {
    const page = await openPage({ width: 1366, height: 768 }, editorToken);
    await idle(page);

    // The example scenario, as the API names it.
    const layers = await apiGet("/v1/scenarios/andorra-siege/layers");
    assert.equal(await page.locator("#title").textContent(), layers.properties.scenario);
    assert.match(await page.locator("#date-label").textContent(), new RegExp(layers.properties.as_of));

    // Each layer appears (the switched-off ones once switched on).
    for (const id of ["roads", "territory-fill", "front_lines", "incidents", "closures", "facilities", "enclave-fill", "pieces", "supply-routes", "min-cut", "checkpoints"]) {
      assert.ok((await rendered(page, id)) > 0, `layer ${id} shows features`);
    }
    for (const [box, id] of [["coverage", "coverage"], ["evacuation", "evacuation"]]) {
      await page.locator(`#layer-${box}`).check();
      await page.waitForTimeout(300);
      assert.ok((await rendered(page, id)) > 0, `layer ${id} shows features once switched on`);
    }
    for (const box of ["coverage", "evacuation"]) await page.locator(`#layer-${box}`).uncheck();
    assert.ok((await page.locator(".road-label").count()) > 0, "main road names are labelled");
    await page.locator("#layer-supply").uncheck();
    await page.waitForTimeout(200);
    assert.equal(await rendered(page, "supply-routes"), 0, "a switched-off layer disappears");
    await page.locator("#layer-supply").check();

    // Panels: the siege verdict and days of food are the API's.
    const siege = await apiGet(`/v1/scenarios/andorra-siege/replay/siege?as_of=${layers.properties.as_of}`);
    const direct = await apiGet("/v1/scenarios/andorra-siege/siege");
    assert.deepEqual(siege.enclaves, direct.enclaves, "replay on as_of equals the analysis endpoint");
    const verdict = await page.locator("#siege-panel .verdict").first().textContent();
    assert.equal(verdict, siege.enclaves[0].status);
    assert.equal(await page.locator('[data-k="cut-size"]').first().textContent(), String(siege.enclaves[0].min_cut.size));

    // Isochrones from a clicked point.
    await page.locator('input[name="click-mode"][value="isochrone"]').check();
    await clickAt(page, [1.518, 42.507]);
    await page.waitForFunction(() => window.corridorMap.map.querySourceFeatures("isochrones").length > 0);
    await page.waitForTimeout(300);
    assert.ok((await rendered(page, "isochrones")) > 0, "isochrones drawn");
    await page.locator("#layer-isochrones").uncheck();

    // Two clicks: fastest and safest route, numbers equal to the API's.
    await page.locator('input[name="click-mode"][value="route"]').check();
    await clickAt(page, [1.518, 42.507]);
    await clickAt(page, [1.499, 42.4945]);
    await idle(page);
    await page.waitForFunction(() => window.corridorMap.routes && window.corridorMap.routes.safest);
    const before = await routesAgainstApi(page);
    assert.ok((await rendered(page, "route-fastest")) > 0 && (await rendered(page, "route-safest")) > 0, "both routes drawn");
    await page.mouse.move(1300, 700); // no hover popup in the picture
    await page.locator("#route-table").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, "laptop-1366x768.png") });

    // An editor adds an incident on the safest route through the form: the safest route changes.
    const coords = before.safest.geometry.coordinates;
    const target = coords[Math.floor(coords.length / 2)];
    await page.locator('input[name="click-mode"][value="incident"]').check();
    await clickAt(page, target);
    await page.locator("#incident-form").waitFor({ state: "visible" });
    await page.selectOption("#inc-type", "Explosions/Remote violence");
    await page.fill("#inc-sub", "Air/drone strike");
    await page.fill("#inc-fat", "6");
    await page.fill("#inc-notes", "browser test: strike on the safest route");
    await page.click('#incident-form button[type="submit"]');
    await page.locator("#incident-form").waitFor({ state: "hidden" });
    await idle(page);
    await page.waitForFunction((old) => JSON.stringify(window.corridorMap.routes?.safest?.geometry) !== old || window.corridorMap.routes?.safest?.risk !== undefined, JSON.stringify(before.safest.geometry));
    const afterAdd = await routesAgainstApi(page);
    const changed = JSON.stringify(afterAdd.safest.geometry) !== JSON.stringify(before.safest.geometry) || afterAdd.safest.risk > before.safest.risk;
    assert.ok(changed, "the safest route avoids the new incident or reports more exposure");
    const log = await apiGet("/v1/scenarios/andorra-siege/incidents");
    assert.ok(JSON.stringify(log).includes("browser test: strike on the safest route"), "the incident is in the log");

    // The slider: back to the first day, fewer incidents and closures, analyses replayed.
    const incidentsNow = await rendered(page, "incidents");
    const closuresNow = await rendered(page, "closures");
    await page.focus("#date-slider");
    await page.keyboard.press("Home");
    await page.waitForFunction(() => window.corridorMap.date === window.corridorMap.timeline[0]);
    await idle(page);
    const first = await page.evaluate(() => window.corridorMap.timeline[0]);
    assert.ok((await rendered(page, "incidents")) < incidentsNow, "fewer incidents on the first day");
    assert.ok((await rendered(page, "closures")) < closuresNow, "the later closure is not shown");
    const shown = await page.evaluate(() => window.corridorMap.analyses.siege);
    assert.equal(shown.replayed_as_of, first);
    assert.equal(shown.scenario.as_of, first);

    assertClean(page);
    await page.context().close();
  });

  test("the territory and front lines follow the slider (territory features dated by since/until)", async () => {
    // The example scenario with the enclave's northern strip held until 2016-07-14, then by
    // nobody: a copy in a temporary folder, served under the example's name.
    const dir = mkdtempSync(join(tmpdir(), "corridor-web-front-"));
    const scen = join(dir, "scenarios", "andorra-siege");
    cpSync(join(repo, "data/scenarios/andorra-siege"), scen, { recursive: true });
    const toml = readFileSync(join(scen, "scenario.toml"), "utf8");
    writeFileSync(join(scen, "scenario.toml"), toml.replace(/^map = .*$/m, `map = ${JSON.stringify(join(repo, "data/andorra.osm.pbf"))}`));
    const territory = JSON.parse(readFileSync(join(scen, "territory.geojson"), "utf8"));
    const strip = [[1.512, 42.5145], [1.545, 42.5145], [1.545, 42.52], [1.512, 42.52], [1.512, 42.5145]];
    territory.features.push({ type: "Feature", properties: { party: "opp", name: "northern strip", until: "2016-07-14" }, geometry: { type: "Polygon", coordinates: [strip] } });
    writeFileSync(join(scen, "territory.geojson"), JSON.stringify(territory));
    const srv = await startServer(dir, ["--public-read", "--scenario", join(scen, "scenario.toml")]);
    const shownFeatures = (page) =>
      page.evaluate(() => [...new Set(window.corridorMap.map.querySourceFeatures("territory").map((f) => f.properties.feature))].sort());
    try {
      const page = await openPage({ width: 1366, height: 768 }, null, srv.origin);
      await idle(page);
      const timeline = await page.evaluate(() => window.corridorMap.timeline);
      assert.ok(timeline.includes("2016-07-15"), "the day the strip was lost is a stop of the slider");
      assert.deepEqual(await shownFeatures(page), [0, 1], "on as_of the strip is not shown");
      // Back to the first day (before 2016-07-14): the strip is shown, as the API gives it.
      await page.focus("#date-slider");
      await page.keyboard.press("Home");
      await page.waitForFunction(() => window.corridorMap.territoryDay === window.corridorMap.timeline[0]);
      await idle(page);
      const first = timeline[0];
      assert.ok(first <= "2016-07-14", `first day ${first}`);
      const api = await (await fetch(`${srv.origin}/v1/scenarios/andorra-siege/layers?as_of=${first}`)).json();
      const apiTerritory = api.features.filter((f) => f.properties.layer === "territory");
      assert.deepEqual(apiTerritory.map((f) => f.properties.feature).sort(), [0, 1, 2]);
      assert.equal(apiTerritory.find((f) => f.properties.feature === 2).properties.until, "2016-07-14");
      assert.deepEqual(await shownFeatures(page), [0, 1, 2], "on the first day the strip is shown");
      assert.match(await page.locator("#date-note").textContent(), /territory/);
      // Forward to the last day: the strip is gone again.
      await page.keyboard.press("End");
      await page.waitForFunction(() => window.corridorMap.territoryDay === window.corridorMap.timeline.at(-1));
      await idle(page);
      assert.deepEqual(await shownFeatures(page), [0, 1]);
      assertClean(page, srv.origin);
      await page.context().close();
    } finally {
      srv.process.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("every number on the siege, evacuation and access panels is the API's", async () => {
    const page = await openPage({ width: 1366, height: 768 }, viewerToken);
    await idle(page);
    const day = await page.evaluate(() => window.corridorMap.date);
    const siege = await apiGet(`/v1/scenarios/andorra-siege/replay/siege?as_of=${day}`, viewerToken);
    const pieceFeatures = await page.evaluate(() => window.corridorMap.map.querySourceFeatures("siege").filter((f) => f.properties.layer === "piece").map((f) => f.properties));
    let pieces = 0;
    for (const [ei, e] of siege.enclaves.entries()) {
      await assertCell(page, "enclave-people", e.population, 1, `${e.name} people`);
      assert.ok(e.pieces.length > 0, "the example enclave has pieces");
      for (const [pi, p] of e.pieces.entries()) {
        const what = `${e.name} piece ${p.index + 1}`;
        assert.equal(await page.locator(`[data-k="piece-${ei}-${pi}-status"]`).getAttribute("data-value"), p.status, `${what} verdict`);
        assert.equal((await page.locator(`[data-k="piece-${ei}-${pi}-status"]`).textContent()).trim(), p.status, `${what} verdict shown`);
        await assertCell(page, `piece-${ei}-${pi}-people`, p.population, 1, `${what} people`);
        const f = p.forecast;
        if (f && f.days_left != null) await assertCell(page, `piece-${ei}-${pi}-days`, f.days_left, 1, `${what} days of food`);
        else assert.match(await page.locator(`[data-k="piece-${ei}-${pi}-days"]`).textContent(), f ? /does not run out/ : /no forecast/);
        if (f?.daily_stock_kcal?.length) {
          const row = page.locator(`[data-k="piece-${ei}-${pi}-status"]`).locator("xpath=../following-sibling::tr[1]");
          assert.deepEqual(JSON.parse(await row.locator("polyline").getAttribute("data-values")), f.daily_stock_kcal, `${what} daily stock chart`);
        }
        const onMap = pieceFeatures.find((x) => x.enclave === e.name && x.piece === p.index + 1);
        assert.equal(onMap?.status, p.status, `${what} drawn with its verdict`);
        pieces++;
      }
    }
    assert.equal(await page.locator("table.pieces tbody tr[data-piece]").count(), pieces, "every piece listed once");
    const labels = (await page.locator(".piece-label").allTextContents()).sort();
    const expected = siege.enclaves.flatMap((e) => e.pieces.map((p) => `piece ${p.index + 1}: ${p.status}`)).sort();
    assert.deepEqual(labels, expected, "every piece is named on the map with its verdict");
    await page.locator("#siege-panel").scrollIntoViewIfNeeded();
    await page.mouse.move(5, 700);
    await page.screenshot({ path: join(SHOTS, "laptop-siege-1366x768.png") });

    const evac = await apiGet(`/v1/scenarios/andorra-siege/replay/evacuate?as_of=${day}`, viewerToken);
    await page.locator("#evacuate-panel summary").click();
    await assertCell(page, "egress", evac.egress_time_s, 1 / 3600, "egress, h");
    await assertCell(page, "bound", evac.lower_bound_s, 1 / 3600, "lower bound, h");
    await assertCell(page, "gap", evac.gap, 100, "gap, %");
    await assertCell(page, "stranded", evac.stranded, 1, "stranded");
    let charted = 0;
    for (const [i, c] of evac.corridors.entries()) {
      await assertCell(page, `corridor-${i}-people`, c.people, 1, `${c.name} people`);
      await assertCell(page, `corridor-${i}-peak`, c.peak_queue, 1, `${c.name} peak queue`);
      assert.ok(Array.isArray(c.queue_by_hour), `${c.name}: the API gives the queue by hour`);
      if (c.queue_by_hour.length) {
        assert.deepEqual(await chartValues(page, `polyline[data-k="queue-${i}"]`), c.queue_by_hour, `${c.name} queue chart`);
        assert.deepEqual(await chartValues(page, `polyline[data-k="crossed-${i}"]`), c.crossed_by_hour, `${c.name} crossings chart`);
        charted++;
      } else {
        assert.equal(await page.locator(`polyline[data-k="queue-${i}"]`).count(), 0);
      }
    }
    assert.ok(charted > 0, "at least one checkpoint's queue is charted");
    await page.locator("#evacuate-panel .chart-legend").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, "laptop-evacuation-1366x768.png") });

    const first = await page.evaluate(() => window.corridorMap.timeline[0]);
    const access = await apiGet(`/v1/scenarios/andorra-siege/replay/access?as_of=${day}&compare=${first}`, viewerToken);
    for (const k of ["functioning", "partially_functioning", "not_functioning", "destroyed"]) {
      await assertCell(page, `facilities-${k}`, access.facilities[k], 1, `facilities ${k}`);
    }
    const lost = new Map(access.changes.people_lost_access.map((c) => [c.minutes, c.people]));
    for (const c of access.coverage) {
      await assertCell(page, `covered-${c.minutes}`, c.people, 1, `covered within ${c.minutes} min`);
      await assertCell(page, `lost-${c.minutes}`, lost.get(c.minutes), 1, `lost access within ${c.minutes} min`);
    }
    assertClean(page);
    await page.context().close();
  });

  test("routes are computed as of the slider's day (the tunnel closed on 2016-07-19 carries the car route before); no route is said in words", async () => {
    const page = await openPage({ width: 1366, height: 768 }, viewerToken);
    await idle(page);
    const tunnel = await wayEdge(24364447, viewerToken); // closures.geojson: closed since 2016-07-19
    const [a, b] = [tunnel[0], tunnel[tunnel.length - 1]];
    await page.evaluate(([p, q]) => window.corridorMap.map.fitBounds([p, q], { padding: 150, duration: 0 }), [a, b]);
    await page.selectOption("#profile", "car");
    await clickAt(page, a);
    await clickAt(page, b);
    const routed = (day) => page.waitForFunction((d) => window.corridorMap.routeDate === d && !window.corridorMap.busyRoute, day);
    await routed(await page.evaluate(() => window.corridorMap.date));
    const late = await routesAgainstApi(page, "car");
    const asOf = await page.evaluate(() => window.corridorMap.date);
    assert.match(await page.locator("#route-caption").textContent(), new RegExp(asOf));
    const length = tunnel.slice(1).reduce((m, p, i) => m + haversine(tunnel[i], p), 0);

    await page.focus("#date-slider");
    await page.keyboard.press("Home");
    const first = await page.evaluate(() => window.corridorMap.timeline[0]);
    assert.ok(first < "2016-07-19", `the first day ${first} is before the closure`);
    await routed(first);
    await idle(page);
    const early = await routesAgainstApi(page, "car");
    assert.match(await page.locator("#route-caption").textContent(), new RegExp(first));
    for (const mode of ["fastest", "safest"]) {
      // Through the tunnel before it was closed: its own length (from the network's geometry).
      assert.ok(early[mode] && Math.abs(early[mode].distance - length) < 0.1 * length + 30, `${mode} on ${first}: ${early[mode]?.distance} m, tunnel ${length} m`);
      // Closed on as_of: no route from where the clicks snap, or a detour.
      assert.ok(late[mode] === null || late[mode].distance > 1.5 * length, `${mode} on ${asOf}: ${late[mode]?.distance} m`);
    }

    // A click far from any road: the API's NoSegment, said in words, nothing drawn.
    const net = await apiGet("/v1/web/network", viewerToken);
    const [w, south, e, n] = net.properties.bbox;
    let far = null;
    for (const c of [[w + 0.01, n - 0.01], [e - 0.01, n - 0.01], [w + 0.01, south + 0.01], [e - 0.01, south + 0.01]]) {
      const near = await apiGet(`/nearest/v1/car/${c.join(",")}?radiuses=unlimited`, viewerToken);
      if (near.waypoints[0].distance > 1000) {
        far = c;
        break;
      }
    }
    assert.ok(far, "a corner of the map more than 1 km from any road");
    await page.click("#route-clear");
    await clickAt(page, a);
    await page.evaluate((c) => window.corridorMap.map.jumpTo({ center: c }), far);
    await clickAt(page, far);
    await routed(first);
    await page.waitForFunction(() => /too far from any road/.test(document.querySelector("#route-hint").textContent));
    assert.equal(await page.locator("#route-table").isHidden(), true, "no route table for no route");
    assertClean(page, origin, 400);
    await page.context().close();
  });

  test("keyboard: tab order reaches every control; Enter on the map sets a route point", async () => {
    const page = await openPage({ width: 1366, height: 768 }, viewerToken);
    await idle(page);
    const reached = new Set();
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press("Tab");
      reached.add(await page.evaluate(() => {
        const el = document.activeElement;
        if (el.id) return `#${el.id}`;
        if (el.name) return `${el.name}=${el.value}`;
        if (el.tagName === "SUMMARY") return `summary:${el.parentElement.id}`;
        if (el.tagName === "CANVAS") return "map";
        return el.tagName.toLowerCase();
      }));
    }
    const controls = ["#date-slider", "#layer-roads", "#layer-pieces", "#layer-evacuation", "click-mode=route", "#profile", "#route-clear", "summary:siege-panel", "summary:evacuate-panel", "summary:access-panel", "map"];
    for (const c of controls) assert.ok(reached.has(c), `Tab reaches ${c} (reached: ${[...reached].join(" ")})`);
    await page.locator(".maplibregl-canvas").focus();
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => window.corridorMap.points.length), 1, "Enter on the focused map sets the start");
    assertClean(page);
    await page.context().close();
  });

  /** A MapLibre layer's colour for one feature, as the map evaluates its paint expression
   * (style internals), as `rgb(r, g, b)` like the CSS of the legend. */
  const paintColour = (page, layer, paint, props) =>
    page.evaluate(([l, k, p]) => {
      const c = window.corridorMap.map.style.getLayer(l).paint.get(k).evaluate({ type: "Point", properties: p }, {});
      return `rgb(${Math.round(c.r * 255)}, ${Math.round(c.g * 255)}, ${Math.round(c.b * 255)})`;
    }, [layer, paint, props]);

  test("the territory legend names every party of the scenario, in the colour the map draws its ground", async () => {
    const page = await openPage({ width: 1366, height: 768 }, viewerToken);
    await idle(page);
    const layers = await apiGet("/v1/scenarios/andorra-siege/layers", viewerToken);
    const parties = layers.properties.parties;
    assert.ok(parties.length >= 2, "the example has at least two parties");
    const keys = page.locator("#keys-territory .key");
    assert.deepEqual(await keys.allTextContents(), parties.map((p) => p.name), "one key per party, named as the API names it");
    assert.deepEqual(await keys.evaluateAll((els) => els.map((e) => e.dataset.party)), parties.map((p) => p.id));
    const swatch = await page.locator("#keys-territory .key .sw").evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
    assert.equal(new Set(swatch).size, parties.length, "a colour of its own for each party");
    const held = layers.features.filter((f) => f.properties.layer === "territory");
    assert.ok(held.length > 0);
    for (const f of held) {
      const i = parties.findIndex((p) => p.id === f.properties.party);
      assert.equal(await paintColour(page, "territory-fill", "fill-color", f.properties), swatch[i], `${f.properties.feature} (${f.properties.party}) drawn in its party's legend colour`);
    }
    assert.equal(await page.locator("#layer-list li", { hasText: "Territory by party" }).count(), 0, "no single catch-all territory swatch");
    assertClean(page);
    await page.context().close();
  });

  for (const viewport of [{ width: 1366, height: 768 }, { width: 390, height: 844 }]) {
    test(`at ${viewport.width} px every piece label lies inside the map, and each piece has its own verdict's colour`, async () => {
      const page = await openPage(viewport, viewerToken);
      await idle(page);
      const day = await page.evaluate(() => window.corridorMap.date);
      const siege = await apiGet(`/v1/scenarios/andorra-siege/replay/siege?as_of=${day}`, viewerToken);
      const pieces = siege.enclaves.flatMap((e) => e.pieces.map((p) => ({ enclave: e.name, piece: p.index + 1, status: p.status, population: p.population })));
      const box = await page.locator("#map").boundingBox();
      const labels = page.locator(".piece-label");
      assert.equal(await labels.count(), pieces.length, "one label per piece");
      for (let i = 0; i < pieces.length; i++) {
        const b = await labels.nth(i).boundingBox();
        const text = await labels.nth(i).textContent();
        assert.ok(b.x >= box.x - 0.5 && b.y >= box.y - 0.5 && b.x + b.width <= box.x + box.width + 0.5 && b.y + b.height <= box.y + box.height + 0.5,
          `'${text}' at ${JSON.stringify(b)} inside the map ${JSON.stringify(box)}`);
      }
      // Piece 1 (open in the example, the most people) in the colour of its own verdict, as the
      // legend keys it; the enclave's ground in none of the verdict colours.
      const verdictColour = async (status) => page.locator(`#keys-pieces [data-key="${status}"] .sw`).evaluate((e) => getComputedStyle(e).backgroundColor);
      for (const p of pieces) {
        assert.equal(await paintColour(page, "pieces", "circle-color", p), await verdictColour(p.status), `${p.enclave} piece ${p.piece} (${p.status}) in its verdict's colour`);
        const label = page.locator(".piece-label", { hasText: `piece ${p.piece}: ` });
        assert.equal(await label.evaluate((e) => getComputedStyle(e).backgroundColor), await verdictColour(p.status), `label of piece ${p.piece}`);
      }
      const first = pieces.find((p) => p.piece === 1);
      assert.equal(first.status, "open", "the example's piece 1 is open (the case the reviewer saw tinted red)");
      const verdicts = await Promise.all(["open", "contested", "besieged"].map(verdictColour));
      for (const e of siege.enclaves) {
        const ground = await paintColour(page, "enclave-fill", "fill-color", { layer: "enclave", name: e.name, status: e.status });
        assert.ok(!verdicts.includes(ground), `the enclave's ground (${ground}) is not coloured by its worst piece's verdict (${e.status})`);
      }
      assertClean(page);
      await page.context().close();
    });
  }

  test("who lost hospital access is on the map (on by default) and adds up to the API's people_lost_access", async () => {
    const page = await openPage({ width: 1366, height: 768 }, viewerToken);
    await idle(page);
    const { date: day, first } = await page.evaluate(() => ({ date: window.corridorMap.date, first: window.corridorMap.timeline[0] }));
    const access = await apiGet(`/v1/scenarios/andorra-siege/replay/access?as_of=${day}&compare=${first}`, viewerToken);
    assert.ok(await page.locator("#layer-lost_access").isChecked(), "the layer is on by default");
    assert.equal(await page.locator("#access-panel").getAttribute("open"), "", "the access panel is open by default");
    const drawn = await page.evaluate(() => window.corridorMap.lostAccess.features.map((f) => f.properties));
    const lostSome = access.changes.people_lost_access.filter((c) => c.people > 0);
    assert.ok(lostSome.length > 0, "in the example, people lost access between the first day and as_of");
    for (const c of access.changes.people_lost_access) {
      const people = drawn.filter((p) => p.lost.includes(c.minutes)).reduce((a, p) => a + p.people, 0);
      assert.equal(Math.round(people), c.people, `people ringed as lost within ${c.minutes} min = the API's`);
    }
    await page.waitForTimeout(300);
    assert.ok((await rendered(page, "lost-access")) > 0, "the rings are drawn");
    // The load, as the API gives it, in place of the old dash.
    await assertCell(page, "largest-catchment", access.load.largest_catchment[1], 1, "largest catchment");
    if (access.load.most_people_per_bed) await assertCell(page, "most-per-bed", access.load.most_people_per_bed[1], 1, "most people per bed");
    assert.doesNotMatch(await page.locator("#access-panel").textContent(), /per working facility —/);
    // A corridor whose name says its purpose does not say it twice.
    const evac = await apiGet(`/v1/scenarios/andorra-siege/replay/evacuate?as_of=${day}`, viewerToken);
    for (const [i, c] of evac.corridors.entries()) {
      const name = await page.locator(`[data-k="corridor-${i}-people"]`).locator("xpath=../td[1]").textContent();
      const says = name.toLowerCase().split(String(c.purpose).toLowerCase()).length - 1;
      assert.ok(name.startsWith(c.name), `${c.name}: its name`);
      assert.ok(c.purpose === "civilian" ? says <= (c.name.toLowerCase().includes("civilian") ? 1 : 0) : says === 1, `'${name}' names the purpose ${c.purpose} once`);
    }
    await page.screenshot({ path: join(SHOTS, "laptop-lost-access-1366x768.png") });
    assertClean(page);
    await page.context().close();
  });

  test("phone width: the map and the panel both fit, nothing wider than the screen", async () => {
    const page = await openPage({ width: 390, height: 844 }, viewerToken);
    await idle(page);
    const map = await page.locator("#map").boundingBox();
    assert.ok(map.width <= 390 && map.height > 300, "map spans the phone's width");
    assert.ok((await rendered(page, "roads")) > 0);
    await page.screenshot({ path: join(SHOTS, "phone-390x844.png") });
    for (const d of ["siege", "evacuate", "access"]) await page.evaluate((id) => (document.getElementById(id).open = true), `${d}-panel`);
    const wide = await page.evaluate(() => {
      const out = [];
      if (document.documentElement.scrollWidth > window.innerWidth) out.push(`page ${document.documentElement.scrollWidth}px`);
      const panel = document.getElementById("panel");
      if (panel.scrollWidth > panel.clientWidth) out.push(`panel ${panel.scrollWidth}px > ${panel.clientWidth}px`);
      for (const el of panel.querySelectorAll("*")) {
        const r = el.getBoundingClientRect();
        const where = el.closest("table")?.caption?.textContent.slice(0, 40) ?? el.textContent.slice(0, 40);
        if (r.width && r.right > window.innerWidth + 0.5) out.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} (${where}) right ${Math.round(r.right)}px`);
      }
      return out.slice(0, 10);
    });
    assert.deepEqual(wide, [], "overflow at 390 px");
    assertClean(page);
    await page.context().close();
  });
});
