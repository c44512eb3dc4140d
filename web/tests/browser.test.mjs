// The web map in a real browser: Debian's Chromium, headless, driven by playwright-core, on the
// real `corridor serve` (bundled Andorra map, example scenario, SQLite in a temporary folder).
// Every number the page shows is compared with the API's own answer to the same request.
//
// Needs the `corridor` binary (CORRIDOR_BIN, default ../target/debug/corridor or
// $CARGO_TARGET_DIR/debug/corridor) and Chromium (CHROMIUM, default /usr/bin/chromium).
// Without Chromium the tests are skipped with a message, except under CI=true, where they fail.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
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

/** `corridor token create`: the secret is the last line it prints. */
function createToken(role) {
  const out = execFileSync(BIN, ["token", "create", "--role", role, "--data-dir", dataDir], { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return out.trim().split("\n").pop().trim();
}

/** Starts `corridor serve` on a free port and resolves with its origin once it listens. */
function startServer() {
  return new Promise((ok, fail) => {
    const p = spawn(BIN, ["serve", "--data-dir", dataDir, "--addr", "127.0.0.1:0"], { cwd: repo, stdio: ["ignore", "ignore", "pipe"] });
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

async function apiGet(path, token = editorToken) {
  const res = await fetch(origin + path, { headers: { Authorization: `Bearer ${token}` } });
  return res.json();
}

/** A page with its console errors and every request it made recorded. */
async function openPage(viewport, token) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.errors = [];
  page.requests = [];
  page.on("console", (m) => m.type() === "error" && page.errors.push(m.text()));
  page.on("pageerror", (e) => page.errors.push(e.message));
  page.on("request", (r) => page.requests.push(r.url()));
  if (token) await page.addInitScript((t) => sessionStorage.setItem("corridor.token", t), token);
  await page.goto(`${origin}/`);
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

/** The two routes the page drew, and what the API answers for the same clicked points. */
async function routesAgainstApi(page) {
  const pts = await page.evaluate(() => window.corridorMap.points);
  const base = `/route/v1/foot/${pts[0].join(",")};${pts[1].join(",")}?overview=full&geometries=geojson&scenario=andorra-siege`;
  const out = {};
  for (const mode of ["fastest", "safest"]) {
    const api = (await apiGet(`${base}&mode=${mode}`)).routes[0];
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
    await page.context().close();
  });

  test("the page shows the example scenario, every layer, routes, an added incident and the past", async () => {
    const page = await openPage({ width: 1366, height: 768 }, editorToken);
    await idle(page);

    // The example scenario, as the API names it.
    const layers = await apiGet("/v1/scenarios/andorra-siege/layers");
    assert.equal(await page.locator("#title").textContent(), layers.properties.scenario);
    assert.match(await page.locator("#date-label").textContent(), new RegExp(layers.properties.as_of));

    // Each layer appears (the switched-off ones once switched on).
    for (const id of ["roads", "territory-fill", "front_lines", "incidents", "closures", "facilities", "enclave-fill", "supply-routes", "min-cut", "checkpoints"]) {
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

    // Nothing left the server's origin; nothing went wrong in the console.
    const foreign = page.requests.filter((u) => !u.startsWith(origin) && !u.startsWith("data:") && !u.startsWith("blob:"));
    assert.deepEqual(foreign, [], "requests to other origins");
    assert.deepEqual(page.errors, [], "console errors");
    await page.context().close();
  });

  test("phone width: the map and the panel both fit", async () => {
    const page = await openPage({ width: 390, height: 844 }, viewerToken);
    await idle(page);
    const map = await page.locator("#map").boundingBox();
    assert.ok(map.width <= 390 && map.height > 300, "map spans the phone's width");
    assert.ok((await rendered(page, "roads")) > 0);
    await page.screenshot({ path: join(SHOTS, "phone-390x844.png") });
    assert.deepEqual(page.errors, [], "console errors");
    await page.context().close();
  });
});
