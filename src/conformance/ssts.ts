// `emu conformance ssts DIR`: run SingleStepTests (one instruction from a given state, compare
// registers and memory with what the real CPU did). Format: ../shared/README.md.

import { readFileSync, readdirSync, existsSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { Cpu, Reg, Seg } from "../cpu/cpu.ts";
import { UserError } from "../errors.ts";

interface SstsRegs { [name: string]: number }
interface SstsState { regs: SstsRegs; ram: [number, number][] }
export interface SstsTest { name: string; bytes: number[]; initial: SstsState; final: SstsState; hash: string }

/** Classes of tests where a 386+ rightly differs from the 286 the data was recorded on. */
export interface Difference {
  id: string;
  reason: string;
  reference: string;
  /** What a 386+ must do instead: the vector it delivers, or -1 for no exception. */
  expectVector: number;
  /** opcode file -> test indices */
  tests: Record<string, number[]>;
}
export interface ExceptionsFile { about?: string; differences: Difference[] }

export interface Failure { file: string; index: number; test: SstsTest; diffs: string[] }
export interface OpcodeResult { file: string; status: string; passed: number; failed: number; skipped: number }
export interface SstsReport {
  results: OpcodeResult[];
  failures: Failure[];
  passed: number;
  failed: number;
  skipped: number;
  /** Documented 286 differences where the core did what a 386+ must. */
  differencesVerified: number;
  /** Pass/fail over opcodes whose metadata status is "normal". */
  normalPassed: number;
  normalFailed: number;
  skipReasons: Map<string, number>;
}

const REG16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"] as const;
const SEGS = ["es", "cs", "ss", "ds"] as const;
/** The 286's FLAGS bits 12-15 behave differently in real mode (../shared/README.md). */
const FLAGS_286_MASK = 0x0fff;

export interface SstsOptions {
  /** Only files whose name starts with one of these (e.g. "F6", "0F"). */
  filter?: string[];
  exceptions?: ExceptionsFile;
  /** Stop each file after this many tests. */
  limit?: number;
  onProgress?: (file: string, done: number, total: number) => void;
}

function metadataEntry(meta: any, file: string): { status: string; flagsMask: number } {
  const [op, reg] = file.split(".");
  let e = meta.opcodes?.[op];
  if (e && reg !== undefined) e = e.reg?.[reg];
  if (!e) return { status: "unknown", flagsMask: 0xffff };
  return { status: e.status ?? "unknown", flagsMask: e["flags-mask"] ?? 0xffff };
}

export async function runSsts(dir: string, opts: SstsOptions = {}): Promise<SstsReport> {
  if (!existsSync(dir)) throw new UserError(`emu conformance: no such directory: ${dir}`);
  const metaPath = join(dir, "metadata.json");
  if (!existsSync(metaPath)) throw new UserError(`emu conformance: ${dir} has no metadata.json; is it a SingleStepTests directory?`);
  const meta = JSON.parse(readFileSync(metaPath, "utf8"));
  const revoked = new Set<string>();
  const revPath = join(dir, "revocation_list.txt");
  if (existsSync(revPath)) {
    for (const line of readFileSync(revPath, "utf8").split("\n")) {
      const t = line.trim();
      if (t && !t.startsWith("#")) revoked.add(t);
    }
  }
  const files = readdirSync(dir).filter((f) => f.endsWith(".json.gz")).map((f) => f.slice(0, -".json.gz".length)).sort();
  const selected = opts.filter?.length ? files.filter((f) => opts.filter!.some((p) => f.toUpperCase().startsWith(p.toUpperCase()))) : files;

  const cpu = await Cpu.create({ ramBytes: 0x120000, romBytes: 4096 });
  const report: SstsReport = { results: [], failures: [], passed: 0, failed: 0, skipped: 0, differencesVerified: 0, normalPassed: 0, normalFailed: 0, skipReasons: new Map() };
  const skip = (reason: string, n = 1) => { report.skipped += n; report.skipReasons.set(reason, (report.skipReasons.get(reason) ?? 0) + n); };

  for (const file of selected) {
    const { status, flagsMask } = metadataEntry(meta, file);
    const tests: SstsTest[] = JSON.parse(gunzipSync(readFileSync(join(dir, `${file}.json.gz`))).toString("utf8"));
    const result: OpcodeResult = { file, status, passed: 0, failed: 0, skipped: 0 };
    report.results.push(result);
    const documented = new Map<number, Difference>();
    for (const d of opts.exceptions?.differences ?? []) for (const i of d.tests[file] ?? []) documented.set(i, d);
    const count = Math.min(tests.length, opts.limit ?? tests.length);
    for (let i = 0; i < count; i++) {
      const t = tests[i];
      if (revoked.has(t.hash)) { result.skipped++; skip("revoked by the suite's revocation list"); continue; }
      const difference = documented.get(i);
      let diffs = runOne(cpu, t, flagsMask & FLAGS_286_MASK);
      if (difference) {
        // Not compared with the 286's state: check what a 386+ must do instead.
        const got = cpu.lastVector;
        diffs = got === difference.expectVector ? [] : [`documented difference ${difference.id}: a 386+ ${difference.expectVector < 0 ? "raises no exception" : `raises vector ${difference.expectVector}`} here, the core ${got < 0 ? "raised none" : `raised vector ${got}`}`];
        if (diffs.length === 0) {
          result.skipped++;
          report.differencesVerified++;
          skip(`documented 286 difference, 386+ behaviour verified (${difference.id}): ${difference.reason}`);
          continue;
        }
      }
      if (diffs.length === 0) {
        result.passed++; report.passed++;
        if (status === "normal") report.normalPassed++;
      } else {
        result.failed++; report.failed++;
        if (status === "normal") report.normalFailed++;
        report.failures.push({ file, index: i, test: t, diffs });
      }
      if (opts.onProgress && (i & 63) === 0) opts.onProgress(file, i, count);
    }
  }
  return report;
}

/** Run one test on `cpu`; returns the differences from the expected final state. */
export function runOne(cpu: Cpu, t: SstsTest, flagsMask: number): string[] {
  cpu.reset();
  cpu.a20 = true;
  const r = t.initial.regs;
  for (let i = 0; i < 8; i++) cpu.setReg(i as Reg, r[REG16[i]] ?? 0);
  for (let s = 0; s < 4; s++) cpu.loadSegmentReal(s as Seg, r[SEGS[s]] ?? 0);
  cpu.eip = r.ip;
  // A 286 in real mode holds FLAGS bits 12-15 as 0 whatever the recorded value says (they are
  // masked in comparisons, ../shared/README.md); start from what that CPU really had, so that
  // pushed FLAGS images compare equal.
  cpu.eflags = r.flags & FLAGS_286_MASK;
  for (const [addr, v] of t.initial.ram) cpu.writePhys8(addr, v);

  let crashed: string | undefined;
  try {
    // The recorded final state is after the HLT that follows the instruction (at the branch
    // target or handler when control moved), so two instructions run.
    cpu.run(2);
  } catch (e) {
    crashed = `the core failed: ${(e as Error).message}`;
  }
  const diffs: string[] = [];
  if (crashed) diffs.push(crashed);
  const expect: SstsRegs = { ...r, ...t.final.regs };
  const got: SstsRegs = { ip: cpu.eip, flags: cpu.eflags };
  for (let i = 0; i < 8; i++) got[REG16[i]] = cpu.getReg(i as Reg);
  for (let s = 0; s < 4; s++) got[SEGS[s]] = cpu.segment(s as Seg).selector;
  // The 286's IP is 16 bits: a HLT ending at offset FFFF leaves IP = 0000 there, while a 386+
  // holds EIP = 0x10000 (and would fault on the next fetch). Compare the 16-bit view then.
  if (got.ip === 0x10000) got.ip = 0;
  for (const name of [...REG16, ...SEGS, "ip"]) {
    // The 286 has 16-bit registers; compare the low 16 bits (the upper halves must stay zero too).
    if (got[name] !== expect[name]) diffs.push(`${name}: expected ${hex(expect[name], 4)}, got ${hex(got[name], name === "ip" ? 4 : 8)}`);
  }
  const mask = flagsMask;
  if ((got.flags & mask) !== (expect.flags & mask)) {
    diffs.push(`flags: expected ${flagString(expect.flags & mask)} (${hex(expect.flags & mask, 4)}), got ${flagString(got.flags & mask)} (${hex(got.flags & mask, 4)}) [mask ${hex(mask, 4)}]`);
  }
  const finalRam = new Map(t.final.ram);
  // An interrupt frame pushed by the instruction (#DE from DIV, INT n, ...) holds a copy of FLAGS,
  // whose undefined bits are compared under the same mask as the FLAGS register.
  const byteMask = new Map<number, number>();
  if (t.final.regs.cs !== undefined && ((r.sp - 6) & 0xffff) === expect.sp) {
    const at = expect.ss * 16 + ((expect.sp + 4) & 0xffff);
    byteMask.set(at, mask & 0xff);
    byteMask.set(at + 1, (mask >> 8) & 0xff);
  }
  for (const [addr, v] of t.final.ram) {
    const bm = byteMask.get(addr) ?? 0xff;
    const g = cpu.readPhys8(addr);
    if ((g & bm) !== (v & bm)) diffs.push(`ram[${hex(addr, 6)}]: expected ${hex(v, 2)}, got ${hex(g, 2)}`);
  }
  for (const [addr, v] of t.initial.ram) {
    if (finalRam.has(addr)) continue;
    const g = cpu.readPhys8(addr);
    if (g !== v) diffs.push(`ram[${hex(addr, 6)}]: expected unchanged ${hex(v, 2)}, got ${hex(g, 2)}`);
  }
  return diffs;
}

function hex(v: number, digits: number): string { return (v >>> 0).toString(16).padStart(digits, "0"); }
function flagString(f: number): string {
  return [["O", 11], ["D", 10], ["I", 9], ["T", 8], ["S", 7], ["Z", 6], ["A", 4], ["P", 2], ["C", 0]]
    .map(([n, b]) => ((f >> (b as number)) & 1 ? n : (n as string).toLowerCase())).join("");
}

/** Human-readable report: failures grouped by opcode, the first few in detail, then the totals line. */
export function formatReport(report: SstsReport, detail = 3, disasm?: (bytes: number[]) => string): string {
  const lines: string[] = [];
  const byFile = new Map<string, Failure[]>();
  for (const f of report.failures) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  for (const res of report.results) {
    const fails = byFile.get(res.file);
    if (!fails) continue;
    lines.push(`${res.file} (${res.status}): ${res.failed} of ${res.passed + res.failed} failed`);
    for (const f of fails.slice(0, detail)) {
      const bytes = f.test.bytes.map((b) => hex(b, 2)).join(" ");
      const ours = disasm ? ` | ours: ${disasm(f.test.bytes)}` : "";
      lines.push(`  #${f.index} ${f.test.name} [${bytes}]${ours}`);
      for (const d of f.diffs) lines.push(`      ${d}`);
    }
  }
  if (report.skipReasons.size) {
    lines.push("skipped:");
    for (const [reason, n] of report.skipReasons) lines.push(`  ${n} ${reason}`);
  }
  const total = report.normalPassed + report.normalFailed;
  lines.push(`status "normal" opcodes: ${report.normalPassed} of ${total} passed (${total ? ((100 * report.normalPassed) / total).toFixed(2) : "0"}%)`);
  lines.push(`${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped (${report.differencesVerified} of them documented 286 differences with the 386+ behaviour verified)`);
  return lines.join("\n");
}
