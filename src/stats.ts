// `--stats`: what the guest did, counted the way a hypervisor would see it.
import type { PC } from "./machine/pc.ts";

const VECTOR_NAMES = ["#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "", "#TS", "#NP", "#SS", "#GP", "#PF", "", "#MF", "#AC", "#MC", "#XM"];

export function formatStats(pc: PC): string {
  const cpu = pc.cpu;
  const seconds = (performance.now() - pc.startedAt) / 1000;
  const n = cpu.instructionCount;
  const lines: string[] = [];
  lines.push(`emu statistics: ${n.toLocaleString("en-US")} instructions in ${seconds.toFixed(2)} s host time (${(n / seconds / 1e6).toFixed(1)} MIPS); guest time ${(pc.now() / 1e9).toFixed(3)} s`);
  const rings = [0, 1, 2, 3].map((r) => cpu.stat("ST_INSN_RING", r * 2) + cpu.stat("ST_INSN_RING", r * 2 + 1) * 2 ** 32);
  lines.push(`  instructions by ring: ${rings.map((c, r) => `ring ${r} ${(100 * c / Math.max(1, n)).toFixed(1)}%`).join(", ")}`);
  const exc: string[] = [];
  for (let v = 0; v < 32; v++) {
    const c = cpu.stat("ST_EXCEPTIONS", v);
    if (c) exc.push(`${VECTOR_NAMES[v] || "vector " + v} ${c}`);
  }
  lines.push(`  exceptions: ${exc.join(", ") || "none"}`);
  const irqs: string[] = [];
  for (let i = 0; i < 16; i++) {
    const c = cpu.stat("ST_INTERRUPTS", i);
    if (c) irqs.push(`IRQ${i} ${c}`);
  }
  lines.push(`  interrupts: ${irqs.join(", ") || "none"}; software INT ${cpu.stat("ST_SOFT_INT")}`);
  const ports = [...pc.bus.stats.entries()].filter(([, s]) => s.reads + s.writes > 0)
    .map(([name, s]) => `${name} ${s.reads}r/${s.writes}w`);
  lines.push(`  port I/O (IN ${cpu.stat("ST_PORT_IN")}, OUT ${cpu.stat("ST_PORT_OUT")}): ${ports.join(", ")}`);
  lines.push("  events a VT-x hypervisor would see as VM exits or must virtualize:");
  const ev: [string, string][] = [
    ["HLT", "ST_HLT"], ["CPUID", "ST_CPUID"], ["RDTSC", "ST_RDTSC"], ["MOV to CR", "ST_CR_WRITE"], ["MOV from CR", "ST_CR_READ"],
    ["MOV DR", "ST_DR_ACCESS"], ["RDMSR/WRMSR", "ST_MSR"], ["INVLPG", "ST_INVLPG"], ["LGDT/LIDT/LLDT/LTR", "ST_DESC_TABLE"],
    ["CLI/STI", "ST_CLI_STI"], ["PUSHF/POPF/IRET", "ST_POPF_IRET"], ["MOV/POP Sreg", "ST_MOV_SREG"],
  ];
  lines.push("    " + ev.map(([label, key]) => `${label} ${cpu.stat(key)}`).join(", "));
  lines.push(`  TLB: ${cpu.stat("ST_TLB_MISS")} misses, ${cpu.stat("ST_TLB_FLUSH")} flushes`);
  return lines.join("\n");
}
