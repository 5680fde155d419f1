// The printed report of `npm run bench`: medians per (benchmark, peer), ratios of emu to each
// peer, and issue 7's targets with the distance to each.
import { LOOPS } from "./programs.mjs";

export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const MiB = 2 ** 20;
const RATIO_PEERS = ["v86-interp", "v86-jit", "qemu", "native"];
/** Issue 7: emu's interpreter at least this many times v86's interpreter on every loop. */
const TARGET_VS_V86_INTERP = 3;
const TARGET_ALU_MIPS = 200;
const TARGET_RSS_OVER_GUEST_MIB = 64;

function num(x, digits = 1) {
  if (!Number.isFinite(x)) return "-";
  if (x !== 0 && Math.abs(x) < 0.1) return x.toPrecision(2);
  if (Math.abs(x) >= 1000) return x.toFixed(0);
  return x.toFixed(digits);
}
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

/** { text, ratios, targets } from a result of run.mjs (with `medians`). */
export function formatReport(r) {
  const lines = [];
  const peers = r.options.peers;
  const h = r.host;
  const load = (l) => l.map((x) => x.toFixed(2)).join(" ");
  lines.push(`emu benchmark ${r.date}  ${r.options.reps} repetition(s), medians${r.options.quick ? ", QUICK (loops at 0.1x)" : ""}`);
  lines.push(`host: ${h.cpu}, ${h.cpus} CPUs, ${h.memoryGiB} GiB, Linux ${h.kernel}, node ${h.node}; load average ${load(h.loadAverageAtStart)} at start, ${load(h.loadAverageAtEnd)} at end`);
  lines.push(`emu ${h.git.commit.slice(0, 12)}${h.git.dirty ? " (with uncommitted changes)" : ""}, release core; v86 ${h.versions["v86-jit"] ?? h.versions["v86-interp"] ?? "-"}; QEMU ${h.versions.qemu ?? "-"}; guest RAM ${r.options.memoryMiB} MiB everywhere`);
  lines.push(`peers: ${r.options.peerTitles.join("; ")}`);
  for (const [what, why] of Object.entries(r.skipped)) lines.push(`skipped ${what}: ${why}`);
  for (const f of r.failures) lines.push(`FAILED ${f.what}: ${f.error}`);

  const ratios = {};
  const ratio = (key, bench, metric, get, peerName) => {
    const emu = get("emu"), other = get(peerName);
    const v = emu / other;
    if (Number.isFinite(v)) ((ratios[key] ??= { bench, metric })[peerName] = v);
  };

  if (r.plan.length) {
    lines.push("");
    lines.push("guest loops (protected mode, paging on): MIPS = instructions / time between the '[' and ']' bytes on COM1");
    lines.push(`${pad("loop", 18)}${lpad("work", 13)}  ${pad("peer", 11)}${lpad("wall MIPS", 10)}${lpad("CPU MIPS", 10)}  checksum`);
    for (const p of r.plan) {
      const loop = LOOPS.find((l) => l.name === p.loop);
      const unit = p.bytes ? "MB/s" : "MIPS";
      const work = p.bytes ? `${num(p.bytes / 1e6)} MB` : `${num(p.instructions / 1e6)} M instr`;
      const m = r.medians.loops[p.loop] ?? {};
      let first = true;
      for (const peer of peers) {
        const x = m[peer];
        if (!x) continue;
        const wall = p.bytes ? x.wallMBps : x.wallMips, cpu = p.bytes ? x.cpuMBps : x.cpuMips;
        const title = p.bytes ? `${loop.title} (${unit})` : loop.title;
        lines.push(`${pad(first ? title : "", 18)}${lpad(first ? work : "", 13)}  ${pad(peer, 11)}${lpad(num(wall), 10)}${lpad(num(cpu), 10)}  ${first ? x.checksum : ""}`.trimEnd());
        first = false;
      }
      for (const peer of RATIO_PEERS) {
        ratio(`${p.loop}.wall`, loop.title, `${unit} wall`, (q) => (p.bytes ? m[q]?.wallMBps : m[q]?.wallMips), peer);
        ratio(`${p.loop}.cpu`, loop.title, `${unit} CPU`, (q) => (p.bytes ? m[q]?.cpuMBps : m[q]?.cpuMips), peer);
      }
    }
  }
  const boot = r.medians.boot;
  if (Object.keys(boot).length) {
    lines.push("");
    lines.push(`tiny Linux from start to its shell prompt ('~ # '), -append "${r.options.cmdline}"`);
    lines.push(`${pad("peer", 13)}${lpad("seconds", 9)}${lpad("CPU s", 9)}${lpad("peak RSS MiB", 14)}`);
    for (const peer of peers) {
      const b = boot[peer];
      if (b) lines.push(`${pad(peer, 13)}${lpad(num(b.wall, 2), 9)}${lpad(num(b.cpu, 2), 9)}${lpad(num(b.rss / MiB, 0), 14)}`);
    }
    for (const peer of RATIO_PEERS) {
      ratio("boot.wall", "Linux boot", "seconds", (q) => boot[q]?.wall, peer);
      ratio("boot.rss", "Linux boot", "peak RSS", (q) => boot[q]?.rss, peer);
    }
  }
  if (Object.keys(ratios).length) {
    const cols = RATIO_PEERS.filter((p) => Object.values(ratios).some((x) => x[p] !== undefined));
    lines.push("");
    lines.push("ratios emu / peer (MIPS, MB/s: above 1 = emu faster; seconds, RSS: below 1 = emu faster, smaller)");
    lines.push(`${pad("", 18)}${pad("", 11)}${cols.map((c) => lpad(`emu/${c}`, 16)).join("")}`);
    let last;
    for (const x of Object.values(ratios)) {
      lines.push(`${pad(x.bench === last ? "" : x.bench, 18)}${pad(x.metric, 11)}${cols.map((c) => lpad(num(x[c], 2), 16)).join("")}`);
      last = x.bench;
    }
  }
  const targets = targetLines(r, ratios);
  if (targets.length) {
    lines.push("");
    lines.push("issue 7's targets (CPU-time MIPS)");
    for (const t of targets) lines.push(`  ${t.met ? "met    " : "NOT met"}  ${t.what}: ${t.measured}`);
  }
  return { text: lines.join("\n"), ratios, targets };
}

function targetLines(r, ratios) {
  const t = [];
  const vsInterp = r.plan.map((p) => [LOOPS.find((l) => l.name === p.loop).title, ratios[`${p.loop}.cpu`]?.["v86-interp"]]).filter(([, v]) => v !== undefined);
  if (vsInterp.length) {
    t.push({
      what: `emu >= ${TARGET_VS_V86_INTERP}x v86's interpreter on every loop`,
      measured: vsInterp.map(([n, v]) => `${n} ${num(v, 2)}x`).join(", "),
      met: vsInterp.every(([, v]) => v >= TARGET_VS_V86_INTERP),
    });
  }
  const alu = r.medians.loops.alu?.emu;
  if (alu) t.push({ what: `emu ALU loop >= ${TARGET_ALU_MIPS} MIPS`, measured: `${num(alu.cpuMips)} MIPS`, met: alu.cpuMips >= TARGET_ALU_MIPS });
  const boot = r.medians.boot;
  if (boot.emu && boot["v86-jit"]) {
    t.push({ what: "boot to the shell prompt faster than v86 with its JIT", measured: `${num(boot.emu.wall, 2)} s vs ${num(boot["v86-jit"].wall, 2)} s`, met: boot.emu.wall < boot["v86-jit"].wall });
  }
  if (boot.emu) {
    const limit = r.options.memoryMiB + TARGET_RSS_OVER_GUEST_MIB;
    t.push({ what: `emu's peak RSS booting Linux <= guest RAM + ${TARGET_RSS_OVER_GUEST_MIB} MiB (${limit} MiB)`, measured: `${num(boot.emu.rss / MiB, 0)} MiB`, met: boot.emu.rss / MiB <= limit });
  }
  return t;
}
