// SingleStepTests 80286 (../shared/ssts-80286): every test matches the 286's final state, or is a
// documented 286-vs-386 difference (test/ssts-exceptions.json) where the 386+ behaviour holds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runSsts, runOne, formatReport, Cpu } from "../dist/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = join(root, "..", "shared", "ssts-80286");
const exceptions = JSON.parse(readFileSync(join(root, "test", "ssts-exceptions.json"), "utf8"));
const missing = existsSync(dir) ? false : `SingleStepTests data not found at ${dir}`;

test("every SingleStepTests 80286 case passes or is a verified documented difference", { skip: missing }, async () => {
  const report = await runSsts(dir, { exceptions });
  if (report.failed > 0) console.log(formatReport(report, 3));
  const compared = report.normalPassed + report.normalFailed;
  const rate = (100 * report.normalPassed) / compared;
  console.log(`ssts: ${report.passed} passed, ${report.failed} failed, ${report.skipped} documented differences verified; "normal" pass rate ${rate.toFixed(2)}%`);
  assert.equal(report.failed, 0);
  assert.ok(rate >= 99.5, `pass rate ${rate}% below 99.5%`);
  assert.ok(report.passed > 60000, "the data set looks incomplete");
});

test("every documented difference still differs from the 286's recorded state", { skip: missing }, async () => {
  const cpu = await Cpu.create({ ramBytes: 0x120000, romBytes: 4096 });
  for (const d of exceptions.differences) {
    for (const [file, indices] of Object.entries(d.tests)) {
      const tests = JSON.parse(gunzipSync(readFileSync(join(dir, `${file}.json.gz`))).toString("utf8"));
      for (const i of indices) {
        const diffs = runOne(cpu, tests[i], 0x0fff);
        assert.ok(diffs.length > 0, `${file} #${i} (${d.id}) now matches the 286: remove it from ssts-exceptions.json`);
      }
    }
  }
});
