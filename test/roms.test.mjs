// Conformance test ROMs (test-roms/*.asm, built into test-roms/build/*.bin).
//
// Every ROM is run twice:
//   (a) under QEMU, the reference: qemu-system-i386 with the ROM as BIOS,
//       port 0xE9 on stdout (debugcon) and isa-debug-exit on port 0xF4, so a
//       ROM that writes 0 to port 0xF4 makes QEMU exit with status 1;
//   (b) under this emulator: `node bin/emu.js rom ROM`, which implements the
//       same protocol (0xE9 text on stdout, exit status (code << 1) | 1).
// A ROM passes when the exit status is 1 and it printed a line "PASS".
// A failing ROM prints "FAIL <rom>/<group>: check #N (...)" before exiting.
//
// Exception: a ROM whose name contains "triplefault" (pm-triplefault.asm)
// ends in a processor shutdown, so it can never print PASS.  It passes when
// its output ends with the line "expecting a triple fault (shutdown) now",
// it printed no FAIL line, and
//   - under QEMU (-no-reboot turns the shutdown's reset into an exit): the
//     exit status is 0;
//   - under `emu rom`: the exit status is 3 and stderr reports the
//     "triple fault" stop.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const buildDir = join(root, "test-roms", "build");
const QEMU = "qemu-system-i386";
// A P6-class model with CMOV, CX8 and TSC (misc.asm checks CPUID.1:EDX).
const QEMU_CPU = "pentium3";
const QEMU_TIMEOUT_MS = 30_000;
const EMU_TIMEOUT_MS = 120_000;

function hasCommand(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  return !r.error && r.status === 0;
}

// Bring the ROM images up to date when nasm is available (build-roms only
// reassembles ROMs whose sources changed).
let buildError = null;
if (hasCommand("nasm", ["-v"])) {
  const r = spawnSync(process.execPath, [join(root, "tools", "build-roms.mjs")], { encoding: "utf8" });
  if (r.status !== 0) buildError = `tools/build-roms.mjs failed:\n${r.stdout}${r.stderr}`;
}

const roms = existsSync(buildDir)
  ? readdirSync(buildDir)
      .filter((f) => f.endsWith(".bin"))
      .sort()
  : [];

const haveQemu = hasCommand(QEMU, ["--version"]);

/** Run a command, capture stdout/stderr, kill it after timeoutMs. */
function run(cmd, args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("latin1");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ status: null, signal: null, stdout, stderr: stderr + String(err), timedOut });
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, timedOut });
    });
  });
}

function describeOutcome(name, r, timeoutMs) {
  const tail = (s) => s.split("\n").slice(-15).join("\n");
  let why;
  if (r.timedOut) why = `timed out after ${timeoutMs / 1000}s (no write to port 0xF4)`;
  else if (r.status === null) why = `was killed by ${r.signal ?? "an error"}`;
  else if (r.status === 1) why = "exited with status 1 but printed no PASS line";
  else if (r.status % 2 === 1) why = `exited with status ${r.status}: failure code ${(r.status - 1) >> 1} (mod 128)`;
  else why = `exited with status ${r.status} (not from the port 0xF4 protocol)`;
  return `${name} ${why}\n--- stdout (tail) ---\n${tail(r.stdout)}\n--- stderr (tail) ---\n${tail(r.stderr)}`;
}

function assertPassed(name, r, timeoutMs) {
  const passed = !r.timedOut && r.status === 1 && /^PASS\r?$/m.test(r.stdout) && !/^FAIL /m.test(r.stdout);
  assert.ok(passed, describeOutcome(name, r, timeoutMs));
}

const TRIPLE_FAULT_MARKER = "expecting a triple fault (shutdown) now";
const expectsTripleFault = (rom) => rom.includes("triplefault");

/** A triple-fault ROM: the marker is the last line, no FAIL, and the given exit status. */
function assertShutdown(name, r, timeoutMs, status, stderrPattern) {
  const lines = r.stdout.replace(/\r/g, "").trimEnd().split("\n");
  const ok =
    !r.timedOut &&
    r.status === status &&
    lines[lines.length - 1] === TRIPLE_FAULT_MARKER &&
    !/^FAIL /m.test(r.stdout) &&
    (!stderrPattern || stderrPattern.test(r.stderr));
  const why = `expected a shutdown: exit status ${status}, output ending with "${TRIPLE_FAULT_MARKER}"` +
    (stderrPattern ? `, stderr matching ${stderrPattern}` : "");
  assert.ok(ok, `${why}\n${describeOutcome(name, r, timeoutMs)}`);
}

test("test ROMs are built (npm run build:roms)", () => {
  assert.equal(buildError, null, buildError ?? "");
  assert.ok(
    roms.length > 0,
    "no ROM images in test-roms/build; run `npm run build:roms` (needs nasm)",
  );
});

describe("test ROMs under qemu-system-i386 (reference)", () => {
  for (const rom of roms) {
    const skip = haveQemu ? false : `${QEMU} is not on PATH; install QEMU to check the ROMs against it`;
    test(`${rom} passes under ${QEMU}`, { skip, timeout: QEMU_TIMEOUT_MS + 5_000 }, async () => {
      const args = [
        "-bios", join(buildDir, rom),
        "-nodefaults",
        "-display", "none",
        "-no-reboot",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
        "-debugcon", "stdio",
        "-cpu", QEMU_CPU,
      ];
      const r = await run(QEMU, args, QEMU_TIMEOUT_MS);
      if (expectsTripleFault(rom)) assertShutdown(`${rom} under ${QEMU}`, r, QEMU_TIMEOUT_MS, 0);
      else assertPassed(`${rom} under ${QEMU}`, r, QEMU_TIMEOUT_MS);
    });
  }
});

describe("test ROMs under the emulator (emu rom)", () => {
  for (const rom of roms) {
    test(`${rom} passes under the emulator (node bin/emu.js rom)`, { timeout: EMU_TIMEOUT_MS + 5_000 }, async () => {
      const r = await run(process.execPath, [join(root, "bin", "emu.js"), "rom", join(buildDir, rom)], EMU_TIMEOUT_MS);
      if (expectsTripleFault(rom)) assertShutdown(`${rom} under emu`, r, EMU_TIMEOUT_MS, 3, /triple fault/);
      else assertPassed(`${rom} under emu`, r, EMU_TIMEOUT_MS);
    });
  }
});
