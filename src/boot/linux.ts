// The Linux/x86 boot protocol (2.02 and later) for bzImage kernels, entered through its 32-bit
// entry point: the loader builds the zero page (struct boot_params) with the setup header, an
// E820 memory map, the command line and the initrd, and starts the kernel in flat protected mode
// with ESI pointing at the zero page (kernel Documentation/arch/x86/boot.rst).

import { Cpu, Reg, Seg } from "../cpu/cpu.ts";
import { UserError } from "../errors.ts";

// Where the loader puts things in guest memory (all below 1 MiB, clear of the kernel at 1 MiB).
const ZERO_PAGE = 0x10000;
const CMDLINE = 0x20000;
const GDT = 0x1000;

// boot_params offsets (arch/x86/include/uapi/asm/bootparam.h)
const BP_SCREEN_INFO = 0x000;
const BP_ALT_MEM_K = 0x1e0;
const BP_E820_ENTRIES = 0x1e8;
const BP_SETUP_HEADER = 0x1f1;
const BP_E820_TABLE = 0x2d0;
// setup header fields (offsets in the image and in boot_params alike)
const HDR_SETUP_SECTS = 0x1f1;
const HDR_BOOT_FLAG = 0x1fe;
const HDR_MAGIC = 0x202;
const HDR_VERSION = 0x206;
const HDR_TYPE_OF_LOADER = 0x210;
const HDR_LOADFLAGS = 0x211;
const HDR_CODE32_START = 0x214;
const HDR_RAMDISK_IMAGE = 0x218;
const HDR_RAMDISK_SIZE = 0x21c;
const HDR_HEAP_END_PTR = 0x224;
const HDR_CMD_LINE_PTR = 0x228;
const HDR_INITRD_ADDR_MAX = 0x22c;
const HDR_CMDLINE_SIZE = 0x238;

const LOADED_HIGH = 0x01;
const CAN_USE_HEAP = 0x80;

export interface LinuxBootOptions {
  kernel: Uint8Array;
  initrd?: Uint8Array;
  cmdline: string;
}

export interface LinuxBootInfo {
  protocol: string;
  kernelBytes: number;
  initrdAddress?: number;
  entry: number;
}

function u16(b: Uint8Array, o: number): number { return b[o] | (b[o + 1] << 8); }
function u32(b: Uint8Array, o: number): number { return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0; }
function put16(b: Uint8Array, o: number, v: number): void { b[o] = v; b[o + 1] = v >>> 8; }
function put32(b: Uint8Array, o: number, v: number): void { b[o] = v; b[o + 1] = v >>> 8; b[o + 2] = v >>> 16; b[o + 3] = v >>> 24; }

/** Check a bzImage and return its setup header facts, or throw a UserError saying what is wrong. */
export function parseBzImage(kernel: Uint8Array): { setupBytes: number; version: number; initrdMax: number; cmdlineMax: number; code32: number } {
  if (kernel.length < 0x250) throw new UserError(`emu: the kernel image is ${kernel.length} bytes: too short to be a bzImage`);
  if (u16(kernel, HDR_BOOT_FLAG) !== 0xaa55 || u32(kernel, HDR_MAGIC) !== 0x53726448 /* "HdrS" */) {
    throw new UserError("emu: the kernel is neither a Linux bzImage (no HdrS setup header) nor a multiboot kernel");
  }
  const version = u16(kernel, HDR_VERSION);
  if (version < 0x202) throw new UserError(`emu: boot protocol ${version >> 8}.${version & 0xff} is too old (2.02 or later needed)`);
  if (!(kernel[HDR_LOADFLAGS] & LOADED_HIGH)) throw new UserError("emu: zImage kernels (loaded below 1 MiB) are not supported; use a bzImage");
  const setupSects = kernel[HDR_SETUP_SECTS] || 4;
  const setupBytes = (setupSects + 1) * 512;
  if (kernel.length <= setupBytes) throw new UserError(`emu: the kernel image is truncated (${kernel.length} bytes, setup alone is ${setupBytes})`);
  // syssize (0x1F4, in 16-byte units) says how long the protected-mode part is.
  const syssize = u32(kernel, 0x1f4) * 16;
  if (syssize > 0 && kernel.length < setupBytes + syssize) {
    throw new UserError(`emu: the kernel image is truncated: ${kernel.length} bytes, the header says ${setupBytes + syssize}`);
  }
  return {
    setupBytes,
    version,
    initrdMax: version >= 0x203 ? u32(kernel, HDR_INITRD_ADDR_MAX) : 0x37ffffff,
    cmdlineMax: version >= 0x206 ? u32(kernel, HDR_CMDLINE_SIZE) : 255,
    code32: u32(kernel, HDR_CODE32_START),
  };
}

/** The PC memory map the firmware would report through E820. */
export function e820Map(ramBytes: number): [number, number, number][] {
  return [
    [0, 0x9fc00, 1], // usable
    [0x9fc00, 0x400, 2], // EBDA: reserved
    [0xf0000, 0x10000, 2], // BIOS: reserved
    [0x100000, ramBytes - 0x100000, 1],
  ];
}

/** Load the kernel and initrd into guest memory and set up the CPU at the 32-bit entry point. */
export function loadLinux(cpu: Cpu, opts: LinuxBootOptions): LinuxBootInfo {
  const k = opts.kernel;
  const hdr = parseBzImage(k);
  const ram = cpu.ramBytes;
  const pm = k.subarray(hdr.setupBytes);
  if (0x100000 + pm.length > ram) throw new UserError(`emu: the kernel (${pm.length} bytes) does not fit in ${ram >> 20} MiB of RAM`);
  cpu.writePhysBytes(0x100000, pm);

  const zp = new Uint8Array(4096);
  // The setup header as the image has it: from 0x1F1 to the end given by the jump at 0x200.
  const hdrEnd = Math.min(0x202 + k[0x201], 0x290);
  zp.set(k.subarray(BP_SETUP_HEADER, hdrEnd), BP_SETUP_HEADER);
  zp[HDR_TYPE_OF_LOADER] = 0xff; // an unregistered loader
  zp[HDR_LOADFLAGS] = (zp[HDR_LOADFLAGS] | CAN_USE_HEAP) & ~0x20; // no QUIET_FLAG
  put16(zp, HDR_HEAP_END_PTR, 0xfe00);

  const cmd = new TextEncoder().encode(opts.cmdline);
  if (cmd.length > hdr.cmdlineMax) throw new UserError(`emu: the command line is ${cmd.length} bytes; this kernel takes at most ${hdr.cmdlineMax}`);
  const cmdBytes = new Uint8Array(cmd.length + 1);
  cmdBytes.set(cmd);
  cpu.writePhysBytes(CMDLINE, cmdBytes);
  put32(zp, HDR_CMD_LINE_PTR, CMDLINE);

  let initrdAddress: number | undefined;
  if (opts.initrd) {
    const size = opts.initrd.length;
    const top = Math.min(ram, hdr.initrdMax + 1);
    initrdAddress = Math.floor((top - size) / 4096) * 4096;
    if (initrdAddress < 0x100000 + pm.length) {
      throw new UserError(`emu: the initrd (${size} bytes) does not fit in RAM below the kernel's limit; try a larger -m`);
    }
    cpu.writePhysBytes(initrdAddress, opts.initrd);
    put32(zp, HDR_RAMDISK_IMAGE, initrdAddress);
    put32(zp, HDR_RAMDISK_SIZE, size);
  }

  // E820 map, and the legacy sizes some code still reads.
  const map = e820Map(ram);
  zp[BP_E820_ENTRIES] = map.length;
  map.forEach(([base, len, type], i) => {
    const o = BP_E820_TABLE + i * 20;
    put32(zp, o, base); put32(zp, o + 4, 0);
    put32(zp, o + 8, len); put32(zp, o + 12, 0);
    put32(zp, o + 16, type);
  });
  put32(zp, BP_ALT_MEM_K, (ram >> 10) - 1024);
  put16(zp, 0x002, Math.min((ram >> 10) - 1024, 0xffff)); // screen_info.ext_mem_k
  // screen_info: 80x25 colour text, VGA (so a VGA console finds its screen).
  zp[BP_SCREEN_INFO + 0x06] = 3; // orig_video_mode
  zp[BP_SCREEN_INFO + 0x07] = 80; // orig_video_cols
  zp[BP_SCREEN_INFO + 0x0e] = 25; // orig_video_lines
  zp[BP_SCREEN_INFO + 0x0f] = 1; // orig_video_isVGA
  put16(zp, BP_SCREEN_INFO + 0x10, 16); // orig_video_points
  cpu.writePhysBytes(ZERO_PAGE, zp);

  // A GDT with flat __BOOT_CS (0x10) and __BOOT_DS (0x18), as the 32-bit protocol requires.
  const gdt = new Uint8Array(32);
  put32(gdt, 0x10, 0x0000ffff); put32(gdt, 0x14, 0x00cf9b00);
  put32(gdt, 0x18, 0x0000ffff); put32(gdt, 0x1c, 0x00cf9300);
  cpu.writePhysBytes(GDT, gdt);
  cpu.setGdtr(GDT, 31);
  cpu.setIdtr(0, 0);
  cpu.setControlRegister(0, 0x60000011); // PE, ET, CD/NW as after reset
  cpu.setSegment(Seg.CS, { selector: 0x10, base: 0, limit: 0xffffffff, attributes: 0xc9b });
  for (const s of [Seg.DS, Seg.ES, Seg.SS, Seg.FS, Seg.GS]) {
    cpu.setSegment(s, { selector: 0x18, base: 0, limit: 0xffffffff, attributes: 0xc93 });
  }
  cpu.cpl = 0;
  for (let r = 0; r < 8; r++) cpu.setReg(r as Reg, 0);
  cpu.setReg(Reg.ESI, ZERO_PAGE);
  cpu.eflags = 0x2; // interrupts off
  cpu.eip = hdr.code32;
  return {
    protocol: `${hdr.version >> 8}.${(hdr.version & 0xff).toString().padStart(2, "0")}`,
    kernelBytes: pm.length,
    initrdAddress,
    entry: hdr.code32,
  };
}
