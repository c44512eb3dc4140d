// web/dist is committed (so `cargo run -- serve` needs no node); this proves it is what the
// sources build: rebuild into a temporary folder and compare every file's SHA-256.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stale } from "../build.mjs";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");

test("web/dist matches a fresh build of web/src", async () => {
  const bad = await stale(dist);
  assert.deepEqual(bad, [], `out of date: ${bad.join(", ")} — run 'npm run build' in web/ and commit web/dist`);
});
