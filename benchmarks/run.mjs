#!/usr/bin/env node
// `npm run bench`: emu side by side with v86 (interpreter and JIT), QEMU's TCG and the host.
// See benchmarks/README.md. Numbers are noisy on a shared machine: medians and ratios from one
// run, alternating peers; nothing here is asserted.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { BENCH_DIR, LOOP_NAMES, MissingTool, plan, BenchOutput } from "./lib/programs.mjs";
import { PEERS, PEER_NAMES } from "./lib/peers.mjs";
import { watchChild } from "./lib/child.mjs";
import { median, formatReport } from "./lib/report.mjs";

const ROOT = join(BENCH_DIR, "..");
const BENCHMARKS = [...LOOP_NAMES, "boot"];
/** The tiny Linux's shell prompt (PS1='\w \$ ' in /root, images/init). */
const PROMPT = "~ # ";
/** The kernel command line every peer boots the tiny Linux with (emu run's default). */
const CMDLINE = "console=ttyS0";
const QUICK_SCALE = 0.1;

const USAGE = `usage: npm run bench -- [options]
  --reps N           repetitions (default 3, quick 1; env BENCH_REPS)
  --peers LIST       of ${PEER_NAMES.join(",")} (default all; env BENCH_PEERS)
  --only LIST        of ${BENCHMARKS.join(",")} (default all; env BENCH_ONLY)
  --quick            loops at ${QUICK_SCALE}x length, one repetition (env BENCH_QUICK=1)
  --memory MIB       guest RAM for every peer (default 128)
  --no-save          do not write benchmarks/results/bench-*.json
e.g. npm run bench -- --peers emu --only alu --quick`;

function fail(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const env = process.env;
  const o = {
    reps: env.BENCH_REPS ? Number(env.BENCH_REPS) : undefined,
    peers: env.BENCH_PEERS ? env.BENCH_PEERS.split(",") : PEER_NAMES,
    only: env.BENCH_ONLY ? env.BENCH_ONLY.split(",") : BENCHMARKS,
    quick: env.BENCH_QUICK === "1",
    memoryMiB: 128,
    save: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i] ?? fail(`${a} needs a value\n${USAGE}`);
    if (a === "--reps") o.reps = Number(value());
    else if (a === "--peers") o.peers = value().split(",");
    else if (a === "--only") o.only = value().split(",");
    else if (a === "--quick") o.quick = true;
    else if (a === "--memory") o.memoryMiB = Number(value());
    else if (a === "--no-save") o.save = false;
    else if (a === "-h" || a === "--help") { console.log(USAGE); process.exit(0); }
    else fail(`unknown option ${a}\n${USAGE}`);
  }
  o.reps ??= o.quick ? 1 : 3;
  if (!Number.isInteger(o.reps) || o.reps < 1) fail("--reps must be a whole number of at least 1");
  if (!Number.isInteger(o.memoryMiB) || o.memoryMiB < 16) fail("--memory must be a whole number of MiB, at least 16");
  for (const p of o.peers) if (!PEER_NAMES.includes(p)) fail(`unknown peer ${p} (peers: ${PEER_NAMES.join(", ")})`);
  for (const b of o.only) if (!BENCHMARKS.includes(b)) fail(`unknown benchmark ${b} (benchmarks: ${BENCHMARKS.join(", ")})`);
  return o;
}

/** Newest modification time of the files under `dir` (recursively), skipping `skip` names. */
function newest(dir, skip = []) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (skip.includes(e.name)) continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p, skip) : statSync(p).mtimeMs);
  }
  return t;
}

/** emu's numbers come from the release build in dist/: rebuild it when a source is newer. */
function ensureReleaseBuild() {
  const outputs = ["core.wasm", "cli.js", "bios.bin"].map((f) => join(ROOT, "dist", f));
  const built = outputs.every(existsSync) ? Math.min(...outputs.map((f) => statSync(f).mtimeMs)) : 0;
  const sources = Math.max(
    newest(join(ROOT, "emulator-core"), ["gen"]), newest(join(ROOT, "src"), ["gen"]), newest(join(ROOT, "bios"), ["test"]),
    ...["tools/opcode-table.mjs", "tools/gen-core.mjs", "asconfig.json"].map((f) => statSync(join(ROOT, f)).mtimeMs),
  );
  if (built >= sources) return;
  process.stderr.write("bench: dist/ is older than emu's sources: npm run build (release core)\n");
  const r = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) fail("npm run build failed");
}

function gitInfo() {
  const git = (...a) => spawnSync("git", a, { cwd: ROOT, encoding: "utf8" }).stdout?.trim() ?? "";
  return { commit: git("rev-parse", "HEAD"), dirty: git("status", "--porcelain", "--untracked-files=no") !== "" };
}

function hostInfo(peers) {
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
  const core = join(ROOT, "dist", "core.wasm");
  return {
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model,
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    versions: Object.fromEntries(peers.map((p) => [p.name, p.version()])),
    git: gitInfo(),
    coreSha256: existsSync(core) ? createHash("sha256").update(readFileSync(core)).digest("hex") : undefined,
    loadAverageAtStart: os.loadavg(),
  };
}

/** One run of the loop program on a peer: a sample per loop, with its checksum. */
async function runLoops(peer, items, o, rep) {
  const [cmd, args] = peer.loops(items, o.memoryMiB);
  const marks = {};
  let now;
  const out = new BenchOutput((name, which) => { (marks[name] ??= {})[which] = now(); });
  const timeoutS = 60 + 600 * (o.quick ? QUICK_SCALE : 1);
  const r = await watchChild(cmd, args, {
    label: `${peer.name} loops`, timeoutS,
    onBytes: (bytes, sample) => { now = sample; out.push(bytes); return out.done; },
  });
  return items.map(({ loop, n, instructions, bytes }) => {
    const { start, end } = marks[loop.name];
    const wall = end.wall - start.wall, cpu = end.cpu - start.cpu, ticks = end.ticks - start.ticks;
    return {
      rep, peer: peer.name, loop: loop.name, n, instructions, wall, cpu, ticks,
      wallMips: instructions / wall / 1e6, cpuMips: instructions / cpu / 1e6,
      ...(bytes ? { bytes, wallMBps: bytes / wall / 1e6, cpuMBps: bytes / cpu / 1e6 } : {}),
      checksum: out.checksums[loop.name], rss: r.rss,
    };
  });
}

/** One boot of the tiny Linux to its shell prompt: seconds since the peer was started, peak RSS. */
async function runBoot(peer, images, o, rep) {
  const [cmd, args] = peer.linux({ ...images, append: CMDLINE, mib: o.memoryMiB });
  let text = "", at;
  const r = await watchChild(cmd, args, {
    label: `${peer.name} boot`, timeoutS: 300,
    onBytes: (bytes, sample) => {
      text += bytes.toString("latin1");
      if (!text.includes(PROMPT)) return false;
      at = sample();
      return true;
    },
  });
  return { rep, peer: peer.name, wall: at.wall, cpu: at.cpu, ticks: at.ticks, rss: r.rss };
}

/** Checksums per loop must be one value across peers and repetitions. */
function checkChecksums(samples) {
  const bad = [];
  for (const loop of LOOP_NAMES) {
    const seen = new Map();
    for (const s of samples.filter((x) => x.loop === loop)) seen.set(s.checksum, [...(seen.get(s.checksum) ?? []), `${s.peer}#${s.rep + 1}`]);
    if (seen.size > 1) bad.push(`${loop}: ${[...seen].map(([c, who]) => `${c} from ${who.join(" ")}`).join("; ")}`);
  }
  return bad;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const loopNames = o.only.filter((b) => b !== "boot");
  const items = plan({ scale: o.quick ? QUICK_SCALE : 1, only: loopNames });
  const wanted = PEERS.filter((p) => o.peers.includes(p.name));
  if (wanted.some((p) => p.name === "emu")) ensureReleaseBuild();
  const skipped = {};
  const peers = wanted.filter((p) => {
    const why = p.missing();
    if (why) { skipped[p.name] = why; process.stderr.write(`bench: skipping ${p.name}: ${why}\n`); }
    return !why;
  });
  const images = { kernel: join(ROOT, "images", "out", "bzImage"), initrd: join(ROOT, "images", "out", "initramfs.cpio.gz") };
  let boot = o.only.includes("boot");
  if (boot && !(existsSync(images.kernel) && existsSync(images.initrd))) {
    skipped.boot = "the tiny Linux is not built (npm run images)";
    process.stderr.write(`bench: skipping the Linux boot: ${skipped.boot}\n`);
    boot = false;
  }
  if (items.length) {
    try {
      for (const p of peers) p.loops(items, o.memoryMiB); // assemble the disk and native program now
    } catch (e) {
      if (e instanceof MissingTool) fail(`${e.message}: the benchmark programs cannot be assembled`);
      throw e;
    }
  }
  const host = hostInfo(peers);
  const result = {
    date: new Date().toISOString(),
    options: { reps: o.reps, peers: peers.map((p) => p.name), peerTitles: peers.map((p) => `${p.name} = ${p.title}`), only: o.only, quick: o.quick, memoryMiB: o.memoryMiB, cmdline: CMDLINE },
    host, skipped,
    plan: items.map(({ loop, n, instructions, bytes }) => ({ loop: loop.name, title: loop.title, n, instructions, bytes })),
    loops: [], boot: [], failures: [],
  };
  const started = Date.now();
  const note = (msg) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`);
  const attempt = async (what, fn) => {
    try {
      return await fn();
    } catch (e) {
      result.failures.push({ what, error: e.message });
      note(`FAILED ${what}: ${e.message}`);
      return undefined;
    }
  };
  for (let rep = 0; rep < o.reps; rep++) {
    // Alternate: each repetition starts with the next peer, so no peer always runs first or last.
    const order = peers.map((_, i) => peers[(i + rep) % peers.length]);
    if (items.length) {
      for (const peer of order) {
        const s = await attempt(`${peer.name} loops #${rep + 1}`, () => runLoops(peer, items, o, rep));
        if (!s) continue;
        result.loops.push(...s);
        note(`#${rep + 1} ${peer.name.padEnd(10)} ${s.map((x) => `${x.loop} ${x.bytes ? `${x.wallMBps.toFixed(0)} MB/s` : `${x.wallMips.toFixed(1)} MIPS`}`).join(", ")}`);
        const bad = checkChecksums(result.loops);
        if (bad.length) {
          result.checksumMismatch = bad;
          save(result, o);
          fail(`CHECKSUM MISMATCH: the emulators disagree on a loop's result; the numbers mean nothing until this is fixed:\n  ${bad.join("\n  ")}`);
        }
      }
    }
    if (boot) {
      for (const peer of order.filter((p) => p.linux)) {
        const s = await attempt(`${peer.name} boot #${rep + 1}`, () => runBoot(peer, images, o, rep));
        if (!s) continue;
        result.boot.push(s);
        note(`#${rep + 1} ${peer.name.padEnd(10)} boot to prompt ${s.wall.toFixed(2)} s, peak RSS ${(s.rss / 2 ** 20).toFixed(0)} MiB`);
      }
    }
  }
  host.loadAverageAtEnd = os.loadavg();
  result.seconds = (Date.now() - started) / 1000;
  result.medians = medians(result, items, peers);
  const report = formatReport(result);
  console.log(report.text);
  result.ratios = report.ratios;
  result.targets = report.targets;
  save(result, o);
  if (result.failures.length) process.exitCode = 1;
}

function medians(result, items, peers) {
  const m = { loops: {}, boot: {} };
  for (const { loop } of items) {
    for (const p of peers) {
      const s = result.loops.filter((x) => x.loop === loop.name && x.peer === p.name);
      if (!s.length) continue;
      const med = (k) => median(s.map((x) => x[k]));
      (m.loops[loop.name] ??= {})[p.name] = {
        samples: s.length, wallMips: med("wallMips"), cpuMips: med("cpuMips"),
        ...(loop.bytes ? { wallMBps: med("wallMBps"), cpuMBps: med("cpuMBps") } : {}), checksum: s[0].checksum,
      };
    }
  }
  for (const p of peers) {
    const s = result.boot.filter((x) => x.peer === p.name);
    if (s.length) m.boot[p.name] = { samples: s.length, wall: median(s.map((x) => x.wall)), cpu: median(s.map((x) => x.cpu)), rss: median(s.map((x) => x.rss)) };
  }
  return m;
}

function save(result, o) {
  if (!o.save) return;
  const dir = join(BENCH_DIR, "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${result.date.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify(result, null, 1) + "\n");
  process.stderr.write(`bench: saved ${file}\n`);
}

await main();
