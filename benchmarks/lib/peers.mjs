// The peers the benchmark compares: how to start each on the boot disk and on the tiny Linux,
// and what is missing when one cannot run here.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { BENCH_DIR, buildDisk, buildNative } from "./programs.mjs";

const ROOT = join(BENCH_DIR, "..");
/** Debian's SeaBIOS (package seabios): the BIOS and VGA BIOS v86 boots with. */
export const SEABIOS = { bios: "/usr/share/seabios/bios.bin", vga: "/usr/share/seabios/vgabios-stdvga.bin" };
const V86_CHILD = join(BENCH_DIR, "peers", "v86.mjs");
const EMU = join(ROOT, "bin", "emu.js");

function v86Version() {
  try {
    const pkg = createRequire(join(ROOT, "package.json")).resolve("v86/package.json");
    return JSON.parse(readFileSync(pkg, "utf8")).version;
  } catch {
    return undefined;
  }
}

function qemuVersion() {
  const r = spawnSync("qemu-system-i386", ["--version"], { encoding: "utf8" });
  return r.status === 0 ? /version ([^\s]+)/.exec(r.stdout)?.[1] ?? r.stdout.split("\n")[0] : undefined;
}

function v86Missing() {
  if (!v86Version()) return "the v86 npm package is not installed (npm ci installs it: it is a devDependency)";
  const gone = Object.values(SEABIOS).filter((f) => !existsSync(f));
  if (gone.length) return `Debian's SeaBIOS is missing (${gone.join(", ")}): apt-get install seabios`;
  return undefined;
}

/** v86 in a node child (peers/v86.mjs) with `flags`. */
function v86Peer(name, title, flags) {
  return {
    name,
    title,
    missing: v86Missing,
    version: v86Version,
    loops: (items, mib) => [process.execPath, [V86_CHILD, ...flags, "-m", String(mib), "-hda", buildDisk(items)]],
    linux: ({ kernel, initrd, append, mib }) => [process.execPath, [V86_CHILD, ...flags, "-m", String(mib), "-kernel", kernel, "-initrd", initrd, "-append", append]],
  };
}

/**
 * Each peer: `missing()` says why it cannot run here (undefined when it can); `loops(items, mib)`
 * and `linux({ kernel, initrd, append, mib })` give [command, args] for a run of those loops or a
 * boot of the tiny Linux; `version()`.
 */
export const PEERS = [
  {
    name: "emu",
    title: "emu run, release core",
    missing: () => (existsSync(join(ROOT, "dist", "cli.js")) && existsSync(join(ROOT, "dist", "core.wasm")) ? undefined : "emu is not built (npm run build)"),
    version: () => JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version,
    loops: (items, mib) => [process.execPath, [EMU, "run", "-m", String(mib), "-snapshot", "-hda", buildDisk(items)]],
    linux: ({ kernel, initrd, append, mib }) => [process.execPath, [EMU, "run", "-m", String(mib), "-kernel", kernel, "-initrd", initrd, "-append", append]],
  },
  v86Peer("v86-interp", "v86 with disable_jit: true", ["--no-jit"]),
  v86Peer("v86-jit", "v86 with JIT", []),
  {
    name: "qemu",
    title: "qemu-system-i386 -accel tcg",
    missing: () => (qemuVersion() ? undefined : "qemu-system-i386 is not installed (apt-get install qemu-system-x86)"),
    version: qemuVersion,
    loops: (items, mib) => ["qemu-system-i386", [...QEMU_COMMON, "-m", String(mib), "-drive", `file=${buildDisk(items)},format=raw,if=ide,snapshot=on`]],
    linux: ({ kernel, initrd, append, mib }) => ["qemu-system-i386", [...QEMU_COMMON, "-m", String(mib), "-kernel", kernel, "-initrd", initrd, "-append", append]],
  },
  {
    name: "native",
    title: "the loops as a native i386 Linux program",
    missing: () => {
      const ld = spawnSync("ld", ["-v"]);
      return ld.status === 0 ? undefined : "ld is not installed (apt-get install binutils)";
    },
    version: () => "-",
    loops: (items) => [buildNative(items), []],
    linux: undefined,
  },
];
/** QEMU's TCG at its defaults, COM1 on stdio, no monitor, no network card (no iPXE ROM to load). */
const QEMU_COMMON = ["-accel", "tcg", "-nographic", "-monitor", "none", "-nic", "none", "-no-reboot"];
export const PEER_NAMES = PEERS.map((p) => p.name);
