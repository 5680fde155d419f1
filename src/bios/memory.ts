// Guest memory as the BIOS services see it, and the register frame of a hypercall.
//
// Services run while the guest is in real mode, so a far pointer seg:off is the physical
// address seg * 16 + off, with address line 20 masked when the A20 gate is closed. Reads and
// writes go where the CPU's would: RAM, the VGA window at 0xA0000-0xBFFFF (through the VGA
// device, so the current memory mode applies), the BIOS ROM (read-only) at 0xF0000 and
// 0xFFFF0000.

import type { Cpu } from "../cpu/cpu.ts";
import type { Vga } from "../devices/vga.ts";

export const BIOS_ROM_BASE = 0xf0000;
const HIGH_ROM_BASE = 0xffff0000;

export class GuestMemory {
  constructor(private readonly cpu: Cpu, private readonly vga: Vga, private readonly rom: Uint8Array) {}

  /** The physical address of seg:off in real mode. */
  static linear(seg: number, off: number): number {
    return ((seg & 0xffff) << 4) + (off & 0xffff);
  }

  private mask(a: number): number {
    return (this.cpu.a20 ? a : a & ~0x100000) >>> 0;
  }

  read8(addr: number): number {
    const a = this.mask(addr);
    if (a >= 0xa0000 && a < 0xc0000) return this.vga.readMemory(a, 1);
    if (a >= BIOS_ROM_BASE && a < 0x100000) return this.rom[a - BIOS_ROM_BASE] ?? 0xff;
    if (a >= HIGH_ROM_BASE) return this.rom[a - HIGH_ROM_BASE] ?? 0xff;
    return a < this.cpu.ramBytes ? this.cpu.ram[a] : 0xff;
  }

  write8(addr: number, v: number): void {
    const a = this.mask(addr);
    if (a >= 0xa0000 && a < 0xc0000) this.vga.writeMemory(a, 1, v & 0xff);
    else if (a >= BIOS_ROM_BASE && a < 0x100000) return;
    else if (a < this.cpu.ramBytes) this.cpu.ram[a] = v;
  }

  read16(a: number): number { return this.read8(a) | (this.read8(a + 1) << 8); }
  read32(a: number): number { return (this.read16(a) | (this.read16(a + 2) << 16)) >>> 0; }
  write16(a: number, v: number): void { this.write8(a, v & 0xff); this.write8(a + 1, (v >>> 8) & 0xff); }
  write32(a: number, v: number): void { this.write16(a, v & 0xffff); this.write16(a + 2, (v >>> 16) & 0xffff); }

  /** True when [a, a + n) is plain RAM: below the VGA window, or above 1 MiB with A20 open. */
  private plainRam(a: number, n: number): boolean {
    const end = a + n;
    if (end > this.cpu.ramBytes) return false;
    return end <= 0xa0000 || (a >= 0x100000 && this.cpu.a20);
  }

  readBytes(a: number, n: number): Uint8Array {
    if (this.plainRam(a, n)) return this.cpu.ram.slice(a, a + n);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.read8(a + i);
    return out;
  }

  writeBytes(a: number, bytes: Uint8Array): void {
    if (this.plainRam(a, bytes.length)) { this.cpu.ram.set(bytes, a); return; }
    for (let i = 0; i < bytes.length; i++) this.write8(a + i, bytes[i]);
  }

  /** A NUL-free byte string from memory (for diagnostics). */
  readString(a: number, max: number): string {
    let s = "";
    for (let i = 0; i < max; i++) {
      const c = this.read8(a + i);
      if (!c) break;
      s += String.fromCharCode(c);
    }
    return s;
  }
}

// The BIOS data area (segment 0x40) fields the services use.
export const BDA = {
  COM_PORTS: 0x400,
  LPT_PORTS: 0x408,
  EBDA_SEGMENT: 0x40e,
  EQUIPMENT: 0x410,
  MEMORY_KB: 0x413,
  KBD_FLAGS0: 0x417,
  KBD_FLAGS1: 0x418,
  KBD_ALT_KEYPAD: 0x419,
  KBD_HEAD: 0x41a,
  KBD_TAIL: 0x41c,
  FLOPPY_RECAL: 0x43e,
  FLOPPY_MOTOR: 0x43f,
  FLOPPY_MOTOR_COUNT: 0x440,
  FLOPPY_STATUS: 0x441,
  VIDEO_MODE: 0x449,
  VIDEO_COLUMNS: 0x44a,
  VIDEO_PAGE_SIZE: 0x44c,
  VIDEO_PAGE_START: 0x44e,
  CURSOR_POS: 0x450,
  CURSOR_SHAPE: 0x460,
  VIDEO_PAGE: 0x462,
  CRTC_PORT: 0x463,
  VIDEO_MODE_CONTROL: 0x465,
  VIDEO_PALETTE: 0x466,
  TICKS: 0x46c,
  TICKS_ROLLOVER: 0x470,
  BREAK_FLAG: 0x471,
  RESET_FLAG: 0x472,
  DISK_STATUS: 0x474,
  DISK_COUNT: 0x475,
  KBD_BUFFER_START: 0x480,
  KBD_BUFFER_END: 0x482,
  VIDEO_ROWS: 0x484,
  VIDEO_CHAR_HEIGHT: 0x485,
  VIDEO_EGA_MISC: 0x487,
  VIDEO_SWITCHES: 0x488,
  VIDEO_VGA_FLAGS: 0x489,
  VIDEO_DCC: 0x48a,
  KBD_FLAGS2: 0x496,
  KBD_LEDS: 0x497,
} as const;

// Frame layout (bios/bios.asm): offsets from SS:SP at the hypercall.
const F_GS = 0, F_FS = 2, F_ES = 4, F_DS = 6, F_EDI = 8, F_ESI = 12, F_EBP = 16, F_EBX = 24, F_EDX = 28,
  F_ECX = 32, F_EAX = 36;
export const F_FUNCTION = 40;
export const F_STATUS = 41;
const F_IP = 42, F_CS = 44, F_FLAGS = 46;
export const FRAME_BYTES = 48;

export const CF = 0x0001;
export const ZF = 0x0040;
export const IF = 0x0200;

/** The caller's registers, saved by the ROM on its stack; results are written back in place. */
export class Frame {
  constructor(private readonly mem: GuestMemory, readonly base: number) {}

  private r32(o: number): number { return this.mem.read32(this.base + o); }
  private w32(o: number, v: number): void { this.mem.write32(this.base + o, v >>> 0); }
  private r16(o: number): number { return this.mem.read16(this.base + o); }
  private w16(o: number, v: number): void { this.mem.write16(this.base + o, v & 0xffff); }
  private r8(o: number): number { return this.mem.read8(this.base + o); }
  private w8(o: number, v: number): void { this.mem.write8(this.base + o, v & 0xff); }

  get fn(): number { return this.r8(F_FUNCTION); }
  get status(): number { return this.r8(F_STATUS); }
  set status(v: number) { this.w8(F_STATUS, v); }

  get eax(): number { return this.r32(F_EAX); } set eax(v: number) { this.w32(F_EAX, v); }
  get ebx(): number { return this.r32(F_EBX); } set ebx(v: number) { this.w32(F_EBX, v); }
  get ecx(): number { return this.r32(F_ECX); } set ecx(v: number) { this.w32(F_ECX, v); }
  get edx(): number { return this.r32(F_EDX); } set edx(v: number) { this.w32(F_EDX, v); }
  get esi(): number { return this.r32(F_ESI); } set esi(v: number) { this.w32(F_ESI, v); }
  get edi(): number { return this.r32(F_EDI); } set edi(v: number) { this.w32(F_EDI, v); }
  get ebp(): number { return this.r32(F_EBP); } set ebp(v: number) { this.w32(F_EBP, v); }

  get ax(): number { return this.r16(F_EAX); } set ax(v: number) { this.w16(F_EAX, v); }
  get bx(): number { return this.r16(F_EBX); } set bx(v: number) { this.w16(F_EBX, v); }
  get cx(): number { return this.r16(F_ECX); } set cx(v: number) { this.w16(F_ECX, v); }
  get dx(): number { return this.r16(F_EDX); } set dx(v: number) { this.w16(F_EDX, v); }
  get si(): number { return this.r16(F_ESI); } set si(v: number) { this.w16(F_ESI, v); }
  get di(): number { return this.r16(F_EDI); } set di(v: number) { this.w16(F_EDI, v); }
  get bp(): number { return this.r16(F_EBP); } set bp(v: number) { this.w16(F_EBP, v); }

  get al(): number { return this.r8(F_EAX); } set al(v: number) { this.w8(F_EAX, v); }
  get ah(): number { return this.r8(F_EAX + 1); } set ah(v: number) { this.w8(F_EAX + 1, v); }
  get bl(): number { return this.r8(F_EBX); } set bl(v: number) { this.w8(F_EBX, v); }
  get bh(): number { return this.r8(F_EBX + 1); } set bh(v: number) { this.w8(F_EBX + 1, v); }
  get cl(): number { return this.r8(F_ECX); } set cl(v: number) { this.w8(F_ECX, v); }
  get ch(): number { return this.r8(F_ECX + 1); } set ch(v: number) { this.w8(F_ECX + 1, v); }
  get dl(): number { return this.r8(F_EDX); } set dl(v: number) { this.w8(F_EDX, v); }
  get dh(): number { return this.r8(F_EDX + 1); } set dh(v: number) { this.w8(F_EDX + 1, v); }

  get ds(): number { return this.r16(F_DS); } set ds(v: number) { this.w16(F_DS, v); }
  get es(): number { return this.r16(F_ES); } set es(v: number) { this.w16(F_ES, v); }
  get fs(): number { return this.r16(F_FS); }
  get gs(): number { return this.r16(F_GS); }
  /** Where the INT was called from. */
  get callerIp(): number { return this.r16(F_IP); }
  get callerCs(): number { return this.r16(F_CS); }
  /** The caller's FLAGS, restored by the IRET. */
  get flags(): number { return this.r16(F_FLAGS); } set flags(v: number) { this.w16(F_FLAGS, v); }

  set carry(on: boolean) { this.flags = on ? this.flags | CF : this.flags & ~CF; }
  get carry(): boolean { return (this.flags & CF) !== 0; }
  set zero(on: boolean) { this.flags = on ? this.flags | ZF : this.flags & ~ZF; }

  /** Success: AH = 0, CF = 0 (the common convention). */
  ok(): void { this.ah = 0; this.carry = false; }
  /** Failure: AH = code, CF = 1. */
  fail(code: number): void { this.ah = code; this.carry = true; }
}
