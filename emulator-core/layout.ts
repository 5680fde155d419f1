// Linear-memory layout of the CPU core: the one source of these offsets.
// The core re-exports every constant as a wasm global; the TypeScript side
// reads them from the instance (src/cpu/cpu.ts), so the two cannot drift.
//
// Wasm address map:
//   0x0000_0000  AssemblyScript static data (must stay below STATE_BASE)
//   0x0001_0000  CPU state block (registers, segment caches, lazy flags, ...)
//   0x0001_1000  statistics counters (events a hypervisor would see)
//   0x0001_2000  physical memory region table
//   0x0001_3000  x87 FPU state (registers, control/status/tag words, pointers)
//   0x0010_0000  TLB: one u32 per 4 KiB linear page (1 Mi entries, 4 MiB)
//   0x0050_0000  list of valid TLB pages (for cheap flushes)
//   0x0080_0000  guest RAM, then ROM images (size chosen by the host)

export const STATE_BASE: u32 = 0x10000;

// General registers, 32 bits each, in the manual's encoding order.
export const S_REGS: u32 = STATE_BASE + 0; // EAX ECX EDX EBX ESP EBP ESI EDI
export const S_EIP: u32 = STATE_BASE + 32;
// EFLAGS bits that are not pending in the lazy-flags state.
export const S_FLAGS: u32 = STATE_BASE + 36;
// Lazy flags: which of CF PF AF ZF SF OF are still to be computed, and from what.
export const S_LAZY_DIRTY: u32 = STATE_BASE + 40;
export const S_LAZY_OP: u32 = STATE_BASE + 44;
export const S_LAZY_RES: u32 = STATE_BASE + 48;
export const S_LAZY_DST: u32 = STATE_BASE + 52;
export const S_LAZY_SRC: u32 = STATE_BASE + 56;
export const S_LAZY_SIZE: u32 = STATE_BASE + 60; // 8, 16 or 32

// Segment registers ES CS SS DS FS GS: selector, then the hidden descriptor cache.
export const S_SEG_SEL: u32 = STATE_BASE + 64; // 6 x u32
export const S_SEG_BASE: u32 = STATE_BASE + 88; // 6 x u32
export const S_SEG_LIMIT: u32 = STATE_BASE + 112; // 6 x u32
export const S_SEG_ATTR: u32 = STATE_BASE + 136; // 6 x u32: descriptor byte 5 | (byte 6 flags nibble << 8)

export const S_CR0: u32 = STATE_BASE + 160;
export const S_CR2: u32 = STATE_BASE + 164;
export const S_CR3: u32 = STATE_BASE + 168;
export const S_CR4: u32 = STATE_BASE + 172;
export const S_DR: u32 = STATE_BASE + 176; // DR0..DR7, 8 x u32
export const S_GDTR_BASE: u32 = STATE_BASE + 208;
export const S_GDTR_LIMIT: u32 = STATE_BASE + 212;
export const S_IDTR_BASE: u32 = STATE_BASE + 216;
export const S_IDTR_LIMIT: u32 = STATE_BASE + 220;
export const S_LDTR_SEL: u32 = STATE_BASE + 224;
export const S_LDTR_BASE: u32 = STATE_BASE + 228;
export const S_LDTR_LIMIT: u32 = STATE_BASE + 232;
export const S_TR_SEL: u32 = STATE_BASE + 236;
export const S_TR_BASE: u32 = STATE_BASE + 240;
export const S_TR_LIMIT: u32 = STATE_BASE + 244;
export const S_TR_ATTR: u32 = STATE_BASE + 248;
export const S_CPL: u32 = STATE_BASE + 252;
export const S_A20_MASK: u32 = STATE_BASE + 256; // 0xFFFFFFFF or 0xFFEFFFFF
export const S_HALTED: u32 = STATE_BASE + 260;
// Anything the run loop must look at between instructions; 0 in the common case.
// Bit 0 (host): an interrupt request is pending at the PIC. Bit 1 (host): stop the
// run loop. Bit 2 (core): interrupt shadow after STI/MOV SS/POP SS. Bit 3 (core): EFLAGS.TF.
export const S_ATTENTION: u32 = STATE_BASE + 264;
export const S_TSC: u32 = STATE_BASE + 272; // u64 time-stamp counter
export const S_ICOUNT: u32 = STATE_BASE + 280; // u64 instructions retired
// Exception being raised (read by the host after a trap out of the core).
export const S_FAULT_PENDING: u32 = STATE_BASE + 288;
export const S_FAULT_VECTOR: u32 = STATE_BASE + 292;
export const S_FAULT_ERROR: u32 = STATE_BASE + 296; // error code, or -1 for none
export const S_FAULT_EIP: u32 = STATE_BASE + 300; // EIP of the faulting instruction
export const S_FAULT_ESP: u32 = STATE_BASE + 304; // ESP at the start of that instruction
export const S_FAULT_DEPTH: u32 = STATE_BASE + 308; // 1 while delivering, 2 for a double fault
export const S_LAST_VECTOR: u32 = STATE_BASE + 312; // last exception delivered (for messages)
export const S_RAM_SIZE: u32 = STATE_BASE + 316; // bytes of guest RAM at physical 0
export const S_REGION_COUNT: u32 = STATE_BASE + 320;
export const S_SYSENTER_CS: u32 = STATE_BASE + 324;
export const S_SYSENTER_ESP: u32 = STATE_BASE + 328;
export const S_SYSENTER_EIP: u32 = STATE_BASE + 332;
export const S_SHUTDOWN: u32 = STATE_BASE + 344; // triple fault seen
export const S_INHIBIT_IRQ: u32 = STATE_BASE + 348; // interrupt shadow after MOV SS / POP SS / STI
// Per segment, why reads (S_SEG_CHECK) or writes (S_SEG_WCHECK) must take the out-of-line
// check: SEGCHK_* bits below; 0 in the common case (a plain segment, all of real mode).
export const S_SEG_CHECK: u32 = STATE_BASE + 352; // 6 x u32
export const S_SEG_WCHECK: u32 = STATE_BASE + 376; // 6 x u32
export const SEGCHK_UNUSABLE: u32 = 1; // null selector loaded in protected mode
export const SEGCHK_EXPAND_DOWN: u32 = 2;
export const SEGCHK_DENY: u32 = 4; // execute-only code (reads) or read-only segment (writes)
// Scratch words for multi-step operations that must not allocate (task switch selectors).
export const S_SCRATCH: u32 = STATE_BASE + 0x800; // 64 x u32
export const STATE_SIZE: u32 = 0x1000;

// Counters of events a VT-x hypervisor would handle as VM exits, and more.
export const STATS_BASE: u32 = 0x11000;
export const ST_EXCEPTIONS: u32 = STATS_BASE + 0; // 32 x u32, by vector
export const ST_INTERRUPTS: u32 = STATS_BASE + 128; // 16 x u32, hardware IRQs by line
export const ST_SOFT_INT: u32 = STATS_BASE + 192; // INT n / INT3 / INTO
export const ST_PORT_IN: u32 = STATS_BASE + 196;
export const ST_PORT_OUT: u32 = STATS_BASE + 200;
export const ST_HLT: u32 = STATS_BASE + 204;
export const ST_CPUID: u32 = STATS_BASE + 208;
export const ST_RDTSC: u32 = STATS_BASE + 212;
export const ST_CR_WRITE: u32 = STATS_BASE + 216;
export const ST_CR_READ: u32 = STATS_BASE + 220;
export const ST_DR_ACCESS: u32 = STATS_BASE + 224;
export const ST_MSR: u32 = STATS_BASE + 228;
export const ST_INVLPG: u32 = STATS_BASE + 232;
export const ST_DESC_TABLE: u32 = STATS_BASE + 236; // LGDT LIDT LLDT LTR
export const ST_TLB_MISS: u32 = STATS_BASE + 240;
export const ST_TLB_FLUSH: u32 = STATS_BASE + 244;
export const ST_CLI_STI: u32 = STATS_BASE + 248;
export const ST_POPF_IRET: u32 = STATS_BASE + 252;
export const ST_MOV_SREG: u32 = STATS_BASE + 256;
export const ST_INSN_RING: u32 = STATS_BASE + 264; // 4 x u64 instructions by CPL (counted at run exits)
export const STATS_SIZE: u32 = 0x1000;

// Physical memory regions that are not plain RAM, checked in order on a TLB miss.
// Each entry: start, end (exclusive), kind, host wasm address of the bytes (ROM).
export const REGION_TABLE: u32 = 0x12000;
export const REGION_ENTRY_SIZE: u32 = 16;
export const REGION_MAX: u32 = 32;
export const REGION_RAM: u32 = 0; // writable, backed by wasm memory
export const REGION_ROM: u32 = 1; // read-only, backed by wasm memory
export const REGION_MMIO: u32 = 2; // handled by the host (mmioRead/mmioWrite imports)
export const REGION_NONE: u32 = 3; // reads all ones, writes ignored

// x87 FPU state (emulator-core/fpu/). Physical registers R0..R7 (not ST(i): ST(i) is
// R[(TOP + i) & 7]), each a u64 significand with explicit integer bit at +0 and the u16
// sign/exponent at +8. The status word is kept without TOP, which has its own word; the tag
// word is kept abridged (bit i set: R[i] is not empty) and expanded when stored.
export const FPU_BASE: u32 = 0x13000;
export const FPU_REGS: u32 = FPU_BASE + 0; // 8 x 16 bytes
export const FPU_CW: u32 = FPU_BASE + 0x80;
export const FPU_SW: u32 = FPU_BASE + 0x84; // without TOP (bits 11-13 read as 0 here)
export const FPU_TOP: u32 = FPU_BASE + 0x88;
export const FPU_TAGS: u32 = FPU_BASE + 0x8C; // abridged: bit i = R[i] in use
export const FPU_FIP: u32 = FPU_BASE + 0x90; // last non-control instruction: offset (real mode: linear)
export const FPU_FCS: u32 = FPU_BASE + 0x94; // its CS selector
export const FPU_FOP: u32 = FPU_BASE + 0x98; // its opcode, 11 bits
export const FPU_FDP: u32 = FPU_BASE + 0x9C; // its memory operand: offset (real mode: linear)
export const FPU_FDS: u32 = FPU_BASE + 0xA0; // its data segment selector
// FERR#: 1 while an unmasked exception is pending and a waiting x87 instruction met it with
// CR0.NE = 0. The machine routes it to IRQ13 (PC/AT wiring); it clears when the guest clears
// the exception (FNCLEX, FNINIT, FLDENV, FRSTOR) and may be cleared by the machine (port F0h).
export const FPU_IRQ13_PENDING: u32 = FPU_BASE + 0xA4;
export const FPU_SCRATCH: u32 = FPU_BASE + 0x100; // working memory of the transcendental functions
export const FPU_SIZE: u32 = 0x1000;

export const TLB_BASE: u32 = 0x100000;
export const TLB_VALID_LIST: u32 = 0x500000;
export const TLB_VALID_LIST_MAX: u32 = 0x10000;
export const GUEST_RAM_BASE: u32 = 0x800000;

// TLB entry: (host page XOR linear page) | flags in the low 12 bits.
export const TLB_VALID: u32 = 1;
export const TLB_NO_WRITE: u32 = 2; // read-only for this access kind (ROM, clean page, R/W=0)
export const TLB_NO_USER: u32 = 4; // supervisor page
export const TLB_SLOW: u32 = 8; // MMIO, unmapped, or a data breakpoint: every access goes out of line
export const TLB_GLOBAL: u32 = 16; // a global page (CR4.PGE): kept when CR3 is reloaded
