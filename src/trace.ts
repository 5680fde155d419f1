// One line per instruction for `--trace`, and disassembly for messages.

import type { Cpu } from "./cpu/cpu.ts";
import { disassemble, disassembleBytes } from "./cpu/disasm.ts";

const hex = (v: number, n: number) => (v >>> 0).toString(16).padStart(n, "0");

/** "cs:eip  bytes  instruction  eax=... flags=..." for the instruction at CS:EIP. */
export function traceLine(cpu: Cpu): string {
  const cs = cpu.segment(1);
  const default32 = (cs.attributes & 0x400) !== 0;
  const base = cs.base;
  const eip = cpu.eip;
  const read = (i: number) => cpu.readLinear8(base + eip + i);
  const d = disassemble(read, { default32, eip });
  const bytes = Array.from({ length: d.length }, (_, i) => hex(read(i), 2)).join("");
  const regs = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"].map((n, i) => `${n}=${hex(cpu.getReg(i), 8)}`).join(" ");
  return `${hex(cs.selector, 4)}:${hex(eip, default32 ? 8 : 4)}  ${bytes.padEnd(20)} ${d.text.padEnd(32)} ${regs} fl=${hex(cpu.eflags, 8)}`;
}

/** Disassemble 16-bit code bytes (used by the conformance runner's failure messages). */
export function disassembleAt(bytes: number[], default32 = false): string {
  return disassembleBytes(Uint8Array.from(bytes), { default32 }).text;
}
