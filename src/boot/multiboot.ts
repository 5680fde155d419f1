// Multiboot v1 (the Multiboot Specification 0.6.96): ELF32 kernels and the a.out address kludge,
// with a memory map, the command line and modules. The kernel starts in flat 32-bit protected
// mode with EAX = 0x2BADB002 and EBX pointing at the multiboot information structure.

import { Cpu, Reg, Seg } from "../cpu/cpu.ts";
import { UserError } from "../errors.ts";
import { e820Map } from "./linux.ts";

const HEADER_MAGIC = 0x1badb002;
const BOOTLOADER_MAGIC = 0x2badb002;
const FLAG_MEMORY_INFO = 1 << 1;
const FLAG_AOUT_KLUDGE = 1 << 16;

// Where the loader puts its structures (below 1 MiB, above the IVT/BDA).
const INFO = 0x9000;
const MMAP = 0x9100;
const MODS = 0x9400;
const STRINGS = 0x9800;
const GDT = 0x8000;

export interface MultibootModule { data: Uint8Array; cmdline: string }

function u32(b: Uint8Array, o: number): number { return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0; }
function u16(b: Uint8Array, o: number): number { return b[o] | (b[o + 1] << 8); }

/** The offset of a valid multiboot header in the first 8 KiB, or -1. */
export function findMultibootHeader(image: Uint8Array): number {
  const end = Math.min(image.length - 12, 8192 - 12);
  for (let o = 0; o <= end; o += 4) {
    if (u32(image, o) === HEADER_MAGIC && ((u32(image, o) + u32(image, o + 4) + u32(image, o + 8)) >>> 0) === 0) return o;
  }
  return -1;
}

/** Load a multiboot kernel (and modules) and set up the CPU at its entry point. Returns the entry. */
export function loadMultiboot(cpu: Cpu, image: Uint8Array, cmdline: string, modules: MultibootModule[] = []): number {
  const hdr = findMultibootHeader(image);
  if (hdr < 0) throw new UserError("emu: no multiboot header in the first 8 KiB of the kernel");
  const flags = u32(image, hdr + 4);
  if (flags & 0xfffc) throw new UserError(`emu: the multiboot header asks for features emu does not offer (flags 0x${flags.toString(16)})`);
  const ram = cpu.ramBytes;
  let entry: number;
  let kernelEnd: number;
  if (flags & FLAG_AOUT_KLUDGE) {
    const headerAddr = u32(image, hdr + 12), loadAddr = u32(image, hdr + 16);
    let loadEnd = u32(image, hdr + 20);
    const bssEnd = u32(image, hdr + 24);
    entry = u32(image, hdr + 28);
    const fileStart = hdr - (headerAddr - loadAddr);
    if (fileStart < 0) throw new UserError("emu: the multiboot header's load address lies before the file");
    if (loadEnd === 0) loadEnd = loadAddr + (image.length - fileStart);
    const bytes = image.subarray(fileStart, fileStart + (loadEnd - loadAddr));
    if (bytes.length < loadEnd - loadAddr) throw new UserError("emu: the multiboot kernel is truncated");
    if (loadAddr + bytes.length > ram || (bssEnd && bssEnd > ram)) throw new UserError("emu: the multiboot kernel does not fit in RAM");
    cpu.writePhysBytes(loadAddr, bytes);
    if (bssEnd > loadEnd) cpu.writePhysBytes(loadEnd, new Uint8Array(bssEnd - loadEnd));
    kernelEnd = Math.max(loadEnd, bssEnd);
  } else {
    ({ entry, end: kernelEnd } = loadElf32(cpu, image));
  }

  // Strings and modules.
  const enc = new TextEncoder();
  let str = STRINGS;
  const putString = (s: string): number => {
    const b = enc.encode(s + "\0");
    cpu.writePhysBytes(str, b);
    const at = str;
    str += b.length;
    return at;
  };
  const cmdAddr = putString(cmdline);
  const loaderAddr = putString("emu");
  let modAddr = Math.ceil(Math.max(kernelEnd, 0x100000) / 4096) * 4096;
  const modTable = new Uint8Array(16 * modules.length);
  const dv = new DataView(modTable.buffer);
  modules.forEach((m, i) => {
    if (modAddr + m.data.length > ram) throw new UserError("emu: the multiboot modules do not fit in RAM");
    cpu.writePhysBytes(modAddr, m.data);
    dv.setUint32(i * 16, modAddr, true);
    dv.setUint32(i * 16 + 4, modAddr + m.data.length, true);
    dv.setUint32(i * 16 + 8, putString(m.cmdline), true);
    modAddr = Math.ceil((modAddr + m.data.length) / 4096) * 4096;
  });
  if (modules.length) cpu.writePhysBytes(MODS, modTable);

  // The memory map, in the spec's format (size field first, not counted in itself).
  const map = e820Map(ram);
  const mm = new Uint8Array(map.length * 24);
  const mv = new DataView(mm.buffer);
  map.forEach(([base, len, type], i) => {
    mv.setUint32(i * 24, 20, true);
    mv.setUint32(i * 24 + 4, base, true);
    mv.setUint32(i * 24 + 12, len, true);
    mv.setUint32(i * 24 + 20, type, true);
  });
  cpu.writePhysBytes(MMAP, mm);

  const info = new Uint8Array(88);
  const iv = new DataView(info.buffer);
  // flags: mem_lower/upper (0), cmdline (2), mods (3), mmap (6), boot loader name (9)
  iv.setUint32(0, (1 << 0) | (1 << 2) | (1 << 3) | (1 << 6) | (1 << 9), true);
  iv.setUint32(4, 639, true);
  iv.setUint32(8, (ram >> 10) - 1024, true);
  iv.setUint32(16, cmdAddr, true);
  iv.setUint32(20, modules.length, true);
  iv.setUint32(24, MODS, true);
  iv.setUint32(44, mm.length, true);
  iv.setUint32(48, MMAP, true);
  iv.setUint32(64, loaderAddr, true);
  cpu.writePhysBytes(INFO, info);

  // Flat 32-bit protected mode, paging off, interrupts off (spec section 3.2).
  const gdt = new Uint8Array(24);
  const gv = new DataView(gdt.buffer);
  gv.setUint32(8, 0x0000ffff, true); gv.setUint32(12, 0x00cf9b00, true);
  gv.setUint32(16, 0x0000ffff, true); gv.setUint32(20, 0x00cf9300, true);
  cpu.writePhysBytes(GDT, gdt);
  cpu.setGdtr(GDT, 23);
  cpu.setIdtr(0, 0);
  cpu.setControlRegister(0, 0x60000011);
  cpu.setSegment(Seg.CS, { selector: 0x08, base: 0, limit: 0xffffffff, attributes: 0xc9b });
  for (const s of [Seg.DS, Seg.ES, Seg.SS, Seg.FS, Seg.GS]) cpu.setSegment(s, { selector: 0x10, base: 0, limit: 0xffffffff, attributes: 0xc93 });
  cpu.cpl = 0;
  cpu.a20 = true;
  for (let r = 0; r < 8; r++) cpu.setReg(r as Reg, 0);
  cpu.setReg(Reg.EAX, BOOTLOADER_MAGIC);
  cpu.setReg(Reg.EBX, INFO);
  cpu.eflags = 0x2;
  cpu.eip = entry;
  return entry;
}

function loadElf32(cpu: Cpu, image: Uint8Array): { entry: number; end: number } {
  if (u32(image, 0) !== 0x464c457f) throw new UserError("emu: the multiboot kernel is neither ELF nor uses the a.out address kludge");
  if (image[4] !== 1 || image[5] !== 1 || u16(image, 18) !== 3) throw new UserError("emu: the multiboot kernel is not a 32-bit little-endian x86 ELF file");
  const entry = u32(image, 24), phoff = u32(image, 28), phentsize = u16(image, 42), phnum = u16(image, 44);
  let end = 0;
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (p + 32 > image.length) throw new UserError("emu: the ELF program headers are truncated");
    if (u32(image, p) !== 1) continue; // PT_LOAD
    const offset = u32(image, p + 4), paddr = u32(image, p + 12), filesz = u32(image, p + 16), memsz = u32(image, p + 20);
    if (offset + filesz > image.length) throw new UserError("emu: the ELF kernel is truncated");
    if (paddr + memsz > cpu.ramBytes) throw new UserError("emu: the ELF kernel does not fit in RAM");
    cpu.writePhysBytes(paddr, image.subarray(offset, offset + filesz));
    if (memsz > filesz) cpu.writePhysBytes(paddr + filesz, new Uint8Array(memsz - filesz));
    end = Math.max(end, paddr + memsz);
  }
  return { entry, end };
}
