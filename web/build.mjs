// Builds the web map into a folder (default dist/): index.html, app.js (MapLibre GL JS and the
// page, one ES module bundle), app.css, worker.js (MapLibre's own worker, as npm ships it). Deterministic: the same sources give the same bytes, which
// `node build.mjs --check dist` (run by the tests) relies on to prove dist/ is up to date.
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const FILES = ["index.html", "app.js", "app.css", "worker.js"];

/** Writes the three files into `out`. */
export async function build(out) {
  mkdirSync(out, { recursive: true });
  const common = { bundle: true, minify: true, legalComments: "eof", logLevel: "warning", absWorkingDir: here };
  await esbuild.build({ ...common, entryPoints: ["src/main.js"], outfile: join(out, "app.js"), format: "esm", target: "es2022" });
  await esbuild.build({ ...common, entryPoints: ["src/style.css"], outfile: join(out, "app.css") });
  copyFileSync(join(here, "src/index.html"), join(out, "index.html"));
  copyFileSync(join(here, "node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs"), join(out, "worker.js"));
}

export function digest(dir) {
  return Object.fromEntries(FILES.map((f) => [f, createHash("sha256").update(readFileSync(join(dir, f))).digest("hex")]));
}

/** Rebuilds into a temporary folder and lists the files of `committed` that differ. */
export async function stale(committed) {
  const tmp = mkdtempSync(join(tmpdir(), "corridor-web-"));
  try {
    await build(tmp);
    const want = digest(tmp);
    const have = digest(committed);
    const extra = readdirSync(committed).filter((f) => !FILES.includes(f));
    return [...FILES.filter((f) => want[f] !== have[f]), ...extra];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes("--check");
  const out = resolve(here, process.argv.filter((a) => !a.startsWith("--"))[2] || "dist");
  if (check) {
    const bad = await stale(out);
    if (bad.length) {
      console.error(`web/dist is out of date (${bad.join(", ")}): run 'npm run build' in web/ and commit web/dist`);
      process.exit(1);
    }
    console.log("web/dist matches web/src");
  } else {
    await build(out);
    console.log(`built ${out}: ${FILES.join(", ")}`);
  }
}
