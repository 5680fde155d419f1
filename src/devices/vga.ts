// IBM VGA: the registers at I/O 0x3B0-0x3DF, the 256 KiB of planar display memory seen through
// the 0xA0000-0xBFFFF window, and a renderer of its text modes (into a Screen) and of its
// 256-colour and 16-colour graphics modes (into RGBA pixels).
//
// Sources: IBM Personal System/2 Hardware Interface Technical Reference, "Video Subsystem"
// (VGA): External/General registers (Miscellaneous Output, Input Status 0/1, Feature Control),
// Sequencer (Reset, Clocking Mode, Map Mask, Character Map Select, Memory Mode), CRT Controller
// (registers 0x00-0x18: Horizontal Display End, Overflow, Maximum Scan Line, Cursor Start/End,
// Start Address, Cursor Location, Vertical Retrace End with its protect bit, Vertical Display
// End, Offset, Underline Location, Mode Control), Graphics Controller (Set/Reset, Enable
// Set/Reset, Color Compare, Data Rotate, Read Map Select, Graphics Mode with read/write modes
// 0-3, Miscellaneous with the memory map, Color Don't Care, Bit Mask), Attribute Controller
// (palette 0x00-0x0F, Mode Control, Overscan, Color Plane Enable, Horizontal PEL Panning, Color
// Select; the index/data flip-flop reset by reading Input Status 1), and the DAC (PEL Mask,
// Read/Write Address, Data: three 6-bit components per entry with auto-increment). The mode 3
// register values are the standard VGA BIOS parameter table entry for mode 3 (80x25, 9x16 cells,
// 720x400, 70 Hz) and the 64-colour EGA palette in the DAC.
//
// Memory addressing as the hardware does it:
// - Chain 4 (Sequencer Memory Mode bit 3): address bits 0-1 select the plane, the byte sits at
//   the address with bits 0-1 cleared, so mode 13h uses every fourth byte of each plane; the
//   CRTC's doubleword mode (address counter << 2) reads it back.
// - Odd/even (Memory Mode bit 2 clear for writes, Graphics Mode bit 4 for reads): address bit 0
//   selects plane 0/2 or 1/3; with Chain Odd/Even (Miscellaneous bit 1) bit 0 is dropped from
//   the plane offset. In text mode the character of cell n is at plane 0 offset 2n and its
//   attribute at plane 1 offset 2n: the CRTC's word mode (counter << 1) reads them back.
// - Otherwise planar: the Map Mask picks the planes written, Read Map Select the plane read.
//
// Where this model chooses:
// - Timing is 60 Hz, 525 lines of which 480 are displayed, vertical retrace on lines 490-491,
//   horizontal blanking in the last 20% of each line (the 640x480 timings), from guest time;
//   other CRTC timing registers are stored but change nothing.
// - Not modelled: split screen (line compare), horizontal panning, the cursor and underline
//   shapes beyond visibility, blinking, fonts (a Screen gets character codes), CGA-compatible
//   4- and 2-colour graphics modes (renderGraphics leaves them black), the light pen.

import type { Device, DeviceState, PortBus, PortSize, Screen } from "../machine/device.ts";

/** One plane of display memory. */
export const PLANE_SIZE = 0x10000;
/** The legacy video memory window, routed here as MMIO. */
export const VGA_MEMORY_BASE = 0xa0000;
export const VGA_MEMORY_SIZE = 0x20000;

const FRAME_NS = 1e9 / 60;
const FRAME_LINES = 525;
const DISPLAY_LINES = 480;
const VRETRACE_FIRST = 490;
const VRETRACE_LINES = 2;
const HBLANK_FRACTION = 0.8;

// Miscellaneous Output.
const MISC_IO_COLOR = 0x01; // CRTC and Input Status 1 at 0x3Dx (else 0x3Bx)
const MISC_RAM_ENABLE = 0x02;

// Sequencer Memory Mode (SR4).
const SR4_ODD_EVEN_DISABLE = 0x04;
const SR4_CHAIN4 = 0x08;

// Graphics Mode (GR5), Miscellaneous (GR6).
const GR5_READ_MODE1 = 0x08;
const GR5_HOST_ODD_EVEN = 0x10;
const GR5_SHIFT_INTERLEAVE = 0x20;
const GR6_GRAPHICS = 0x01;
const GR6_CHAIN_ODD_EVEN = 0x02;

// Attribute Mode Control (AR10), palette address source bit of the attribute index.
const AR10_P54S = 0x80;
const AR10_8BIT = 0x40;
const ATTR_PAS = 0x20;

// CRTC registers.
const CR_HDISP_END = 0x01;
const CR_OVERFLOW = 0x07;
const CR_MAX_SCAN = 0x09;
const CR_CURSOR_START = 0x0a;
const CR_CURSOR_END = 0x0b;
const CR_START_HI = 0x0c;
const CR_START_LO = 0x0d;
const CR_CURSOR_HI = 0x0e;
const CR_CURSOR_LO = 0x0f;
const CR_VRETRACE_END = 0x11;
const CR_VDISP_END = 0x12;
const CR_OFFSET = 0x13;
const CR_UNDERLINE = 0x14;
const CR_MODE = 0x17;
const CR11_PROTECT = 0x80;
const CR07_LINE_COMPARE_8 = 0x10;
const CR14_DWORD = 0x40;
const CR17_BYTE_MODE = 0x40;
const CR17_NO_CGA_ROWS = 0x01;
const CURSOR_DISABLE = 0x20;

/** Memory map select (GR6 bits 3-2): window base and size. */
const MEMORY_MAPS: [number, number][] = [[0xa0000, 0x20000], [0xa0000, 0x10000], [0xb0000, 0x8000], [0xb8000, 0x8000]];

// Mode 3 (VGA BIOS parameter table): 80x25 text, 9x16 character cells, colour.
const MODE3_MISC = 0x67;
const MODE3_SEQ = [0x03, 0x00, 0x03, 0x00, 0x02];
const MODE3_CRTC = [
  0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00,
  0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
];
const MODE3_GC = [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff];
const MODE3_ATTR = [
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
  0x0c, 0x00, 0x0f, 0x08, 0x00,
];

export type VgaMode =
  | { kind: "text"; cols: number; rows: number }
  | { kind: "graphics"; width: number; height: number };

export class Vga implements Device {
  readonly name = "VGA";
  /** Display memory: plane p at p * PLANE_SIZE. */
  readonly planes = new Uint8Array(4 * PLANE_SIZE);
  /** DAC: 256 entries of red, green, blue, 6 bits each. */
  readonly dac = new Uint8Array(256 * 3);

  misc = 0;
  private featureControl = 0;
  private subsystemEnable = 0;
  private seqIndex = 0;
  readonly seq = new Uint8Array(8);
  private gcIndex = 0;
  readonly gc = new Uint8Array(16);
  /** Attribute index with the palette address source bit (bit 5). */
  private attrIndex = 0;
  readonly attr = new Uint8Array(32);
  /** The attribute controller's flip-flop: false = the next 0x3C0 write is an index. */
  private attrData = false;
  private crtcIndex = 0;
  readonly crtc = new Uint8Array(64);
  private pelMask = 0xff;
  private dacWriteIndex = 0;
  private dacReadIndex = 0;
  /** Component (0-2) of the entry the next data access reaches. */
  private dacComponent = 0;
  /** 0x3C7 reads 3 after a read address was set, 0 after a write address. */
  private dacReading = false;
  /** The four latches, loaded by every memory read. */
  private readonly latch = new Uint8Array(4);

  /** What the last render pushed: char | attr << 8 per cell, -1 = unknown. */
  private shadow = new Int32Array(0);
  private shadowCols = 0;
  private shadowRows = 0;
  private lastCursor = "";

  /** `clock`: guest time in ns (for the retrace bits of Input Status 1). */
  constructor(private readonly clock: () => number) {}

  /** Claim 0x3B0-0x3DF. */
  attach(bus: PortBus): void {
    bus.register(this, 0x3b0, 0x30, (port, size) => this.readPort(port, size), (port, value, size) => this.writePort(port, value, size));
  }

  /** Power-on: every register cleared (the BIOS, or setTextMode3, programs a mode). */
  reset(): void {
    this.planes.fill(0);
    this.dac.fill(0);
    this.misc = 0;
    this.featureControl = 0;
    this.subsystemEnable = 0;
    this.seqIndex = 0;
    this.seq.fill(0);
    this.gcIndex = 0;
    this.gc.fill(0);
    this.attrIndex = 0;
    this.attr.fill(0);
    this.attrData = false;
    this.crtcIndex = 0;
    this.crtc.fill(0);
    this.pelMask = 0xff;
    this.dacWriteIndex = 0;
    this.dacReadIndex = 0;
    this.dacComponent = 0;
    this.dacReading = false;
    this.latch.fill(0);
    this.invalidate();
  }

  // ---- I/O ports ----------------------------------------------------------------------------

  /** Wider accesses reach consecutive ports, lowest first (`out dx, ax` to an index port). */
  readPort(port: number, size: PortSize): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.readByte(port + i) << (8 * i);
    return v >>> 0;
  }

  writePort(port: number, value: number, size: PortSize): void {
    for (let i = 0; i < size; i++) this.writeByte(port + i, (value >>> (8 * i)) & 0xff);
  }

  private get color(): boolean {
    return (this.misc & MISC_IO_COLOR) !== 0;
  }

  /** True when `port` is a CRTC/status port of the other (mono vs colour) address range. */
  private otherRange(port: number): boolean {
    return (port & 0x3f0) === (this.color ? 0x3b0 : 0x3d0);
  }

  private readByte(port: number): number {
    if ((port & 0x3f0) !== 0x3c0 && this.otherRange(port)) return 0xff;
    switch (port) {
      case 0x3c0: return this.attrIndex;
      case 0x3c1: return this.attr[this.attrIndex & 0x1f];
      case 0x3c2: return 0x00; // Input Status 0: no CRT interrupt, switch sense 0
      case 0x3c3: return this.subsystemEnable;
      case 0x3c4: return this.seqIndex;
      case 0x3c5: return this.seq[this.seqIndex];
      case 0x3c6: return this.pelMask;
      case 0x3c7: return this.dacReading ? 0x03 : 0x00;
      case 0x3c8: return this.dacWriteIndex;
      case 0x3c9: return this.readDac();
      case 0x3ca: return this.featureControl;
      case 0x3cc: return this.misc;
      case 0x3ce: return this.gcIndex;
      case 0x3cf: return this.gc[this.gcIndex];
      case 0x3b4: case 0x3d4: return this.crtcIndex;
      case 0x3b5: case 0x3d5: return this.crtc[this.crtcIndex];
      case 0x3ba: case 0x3da: return this.readInputStatus1();
      default: return 0xff;
    }
  }

  private writeByte(port: number, value: number): void {
    if ((port & 0x3f0) !== 0x3c0 && this.otherRange(port)) return;
    switch (port) {
      case 0x3c0: this.writeAttribute(value); break;
      case 0x3c2: this.misc = value; break;
      case 0x3c3: this.subsystemEnable = value & 0x01; break;
      case 0x3c4: this.seqIndex = value & 0x07; break;
      case 0x3c5: this.seq[this.seqIndex] = value; break;
      case 0x3c6: this.pelMask = value; break;
      case 0x3c7: this.dacReadIndex = value; this.dacComponent = 0; this.dacReading = true; break;
      case 0x3c8: this.dacWriteIndex = value; this.dacComponent = 0; this.dacReading = false; break;
      case 0x3c9: this.writeDac(value); break;
      case 0x3ce: this.gcIndex = value & 0x0f; break;
      case 0x3cf: this.gc[this.gcIndex] = value; break;
      case 0x3b4: case 0x3d4: this.crtcIndex = value & 0x3f; break;
      case 0x3b5: case 0x3d5: this.writeCrtc(value); break;
      case 0x3ba: case 0x3da: this.featureControl = value; break;
      default: break;
    }
  }

  /** CRTC data: with Vertical Retrace End bit 7 set, registers 0-7 are write-protected except Overflow bit 4. */
  private writeCrtc(value: number): void {
    const i = this.crtcIndex;
    if (i <= CR_OVERFLOW && this.crtc[CR_VRETRACE_END] & CR11_PROTECT) {
      if (i === CR_OVERFLOW) this.crtc[i] = (this.crtc[i] & ~CR07_LINE_COMPARE_8) | (value & CR07_LINE_COMPARE_8);
      return;
    }
    this.crtc[i] = value;
  }

  /** Attribute controller port 0x3C0: index and data alternate; the flip-flop says which. */
  private writeAttribute(value: number): void {
    if (!this.attrData) this.attrIndex = value & 0x3f;
    else if ((this.attrIndex & 0x1f) < 0x15) this.attr[this.attrIndex & 0x1f] = value;
    this.attrData = !this.attrData;
  }

  /**
   * Input Status 1: bit 0 display disabled (horizontal or vertical blanking), bit 3 vertical
   * retrace. Reading it resets the attribute flip-flop to "index".
   */
  private readInputStatus1(): number {
    this.attrData = false;
    const t = ((this.clock() % FRAME_NS) + FRAME_NS) % FRAME_NS;
    const lineNs = FRAME_NS / FRAME_LINES;
    const line = Math.floor(t / lineNs);
    const inLine = (t - line * lineNs) / lineNs;
    let v = 0;
    if (line >= DISPLAY_LINES || inLine >= HBLANK_FRACTION) v |= 0x01;
    if (line >= VRETRACE_FIRST && line < VRETRACE_FIRST + VRETRACE_LINES) v |= 0x08;
    return v;
  }

  private readDac(): number {
    const v = this.dac[this.dacReadIndex * 3 + this.dacComponent];
    if (++this.dacComponent === 3) {
      this.dacComponent = 0;
      this.dacReadIndex = (this.dacReadIndex + 1) & 0xff;
    }
    return v;
  }

  private writeDac(value: number): void {
    this.dac[this.dacWriteIndex * 3 + this.dacComponent] = value & 0x3f;
    if (++this.dacComponent === 3) {
      this.dacComponent = 0;
      this.dacWriteIndex = (this.dacWriteIndex + 1) & 0xff;
    }
  }

  // ---- display memory -----------------------------------------------------------------------

  /** Read `size` bytes (little-endian) at physical address `addr` in 0xA0000-0xBFFFF. */
  readMemory(addr: number, size: PortSize): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.readMemoryByte(addr + i) << (8 * i);
    return v >>> 0;
  }

  /** Write `size` bytes (little-endian) at physical address `addr` in 0xA0000-0xBFFFF. */
  writeMemory(addr: number, size: PortSize, value: number): void {
    for (let i = 0; i < size; i++) this.writeMemoryByte(addr + i, (value >>> (8 * i)) & 0xff);
  }

  /** Offset of `addr` within the window GR6 selects, or -1 when outside it or RAM is disabled. */
  private windowOffset(addr: number): number {
    if (!(this.misc & MISC_RAM_ENABLE)) return -1;
    const [base, size] = MEMORY_MAPS[(this.gc[6] >> 2) & 3];
    const off = addr - base;
    return off >= 0 && off < size ? off : -1;
  }

  private readMemoryByte(addr: number): number {
    let off = this.windowOffset(addr);
    if (off < 0) return 0xff;
    let plane: number;
    if (this.seq[4] & SR4_CHAIN4) {
      plane = off & 3;
      off &= ~3;
    } else if (this.gc[5] & GR5_HOST_ODD_EVEN) {
      plane = (this.gc[4] & 2) | (off & 1);
      if (this.gc[6] & GR6_CHAIN_ODD_EVEN) off &= ~1;
    } else {
      plane = this.gc[4] & 3;
    }
    off &= PLANE_SIZE - 1;
    const p = this.planes;
    const l = this.latch;
    l[0] = p[off]; l[1] = p[PLANE_SIZE + off]; l[2] = p[2 * PLANE_SIZE + off]; l[3] = p[3 * PLANE_SIZE + off];
    if (!(this.gc[5] & GR5_READ_MODE1)) return l[plane];
    // Read mode 1: a bit is 1 where every plane not in Color Don't Care matches Color Compare.
    let diff = 0;
    for (let i = 0; i < 4; i++) {
      if (this.gc[7] & (1 << i)) diff |= l[i] ^ (this.gc[2] & (1 << i) ? 0xff : 0x00);
    }
    return ~diff & 0xff;
  }

  private writeMemoryByte(addr: number, value: number): void {
    let off = this.windowOffset(addr);
    if (off < 0) return;
    let planeMask = this.seq[2] & 0x0f;
    if (this.seq[4] & SR4_CHAIN4) {
      planeMask &= 1 << (off & 3);
      off &= ~3;
    } else if (!(this.seq[4] & SR4_ODD_EVEN_DISABLE)) {
      planeMask &= off & 1 ? 0x0a : 0x05;
      if (this.gc[6] & GR6_CHAIN_ODD_EVEN) off &= ~1;
    }
    if (!planeMask) return;
    off &= PLANE_SIZE - 1;
    const gc = this.gc;
    const rotate = gc[3] & 7;
    const rotated = ((value >> rotate) | (value << (8 - rotate))) & 0xff;
    const op = (gc[3] >> 3) & 3;
    let bitMask = gc[8];
    const writeMode = gc[5] & 3;
    if (writeMode === 3) bitMask &= rotated;
    for (let i = 0; i < 4; i++) {
      if (!(planeMask & (1 << i))) continue;
      const latch = this.latch[i];
      let data: number;
      switch (writeMode) {
        case 0: data = gc[1] & (1 << i) ? (gc[0] & (1 << i) ? 0xff : 0) : rotated; break;
        case 1: this.planes[i * PLANE_SIZE + off] = latch; continue;
        case 2: data = value & (1 << i) ? 0xff : 0; break;
        default: data = gc[0] & (1 << i) ? 0xff : 0; break;
      }
      if (op === 1) data &= latch;
      else if (op === 2) data |= latch;
      else if (op === 3) data ^= latch;
      this.planes[i * PLANE_SIZE + off] = (data & bitMask) | (latch & ~bitMask);
    }
  }

  // ---- what is displayed --------------------------------------------------------------------

  /** The current mode's text or pixel geometry, from the CRTC, sequencer and attribute registers. */
  mode(): VgaMode {
    const c = this.crtc;
    const vde = c[CR_VDISP_END] | ((c[CR_OVERFLOW] & 0x02) << 7) | ((c[CR_OVERFLOW] & 0x40) << 3);
    let lines = vde + 1;
    if (c[CR_MAX_SCAN] & 0x80) lines >>= 1; // double scan
    const cellHeight = (c[CR_MAX_SCAN] & 0x1f) + 1;
    const chars = c[CR_HDISP_END] + 1;
    if (!(this.gc[6] & GR6_GRAPHICS)) return { kind: "text", cols: chars, rows: Math.max(1, Math.floor(lines / cellHeight)) };
    const width = (chars * 8) >> (this.attr[0x10] & AR10_8BIT ? 1 : 0);
    // Without the CGA row interleave, a cell taller than one line repeats the same pixels.
    const height = c[CR_MODE] & CR17_NO_CGA_ROWS ? Math.max(1, Math.floor(lines / cellHeight)) : lines;
    return { kind: "graphics", width, height };
  }

  /** CRTC Start Address (in address-counter units: text cells in mode 3). */
  get startAddress(): number {
    return (this.crtc[CR_START_HI] << 8) | this.crtc[CR_START_LO];
  }

  /** CRTC Cursor Location (address-counter units). */
  get cursorLocation(): number {
    return (this.crtc[CR_CURSOR_HI] << 8) | this.crtc[CR_CURSOR_LO];
  }

  /** Address-counter steps from one character row (or pixel row) to the next: Offset x 2. */
  private get rowStride(): number {
    return this.crtc[CR_OFFSET] * 2;
  }

  /** Plane offset the CRTC fetches for address counter `counter`: byte, word or doubleword mode. */
  private displayAddress(counter: number): number {
    if (this.crtc[CR_UNDERLINE] & CR14_DWORD) return (counter << 2) & (PLANE_SIZE - 1);
    if (this.crtc[CR_MODE] & CR17_BYTE_MODE) return counter & (PLANE_SIZE - 1);
    return (counter << 1) & (PLANE_SIZE - 1);
  }

  /** Forget what the Screen shows, so the next render pushes every cell. */
  invalidate(): void {
    this.shadow.fill(-1);
    this.lastCursor = "";
  }

  /**
   * Push the text cells that changed since the last render (character from plane 0, attribute
   * from plane 1), then the cursor if it or any cell changed. Does nothing in graphics modes.
   */
  render(screen: Screen): void {
    const m = this.mode();
    if (m.kind !== "text") return;
    const { cols, rows } = m;
    if (cols !== this.shadowCols || rows !== this.shadowRows) {
      this.shadow = new Int32Array(cols * rows).fill(-1);
      this.shadowCols = cols;
      this.shadowRows = rows;
      this.lastCursor = "";
    }
    const stride = this.rowStride || cols;
    const start = this.startAddress;
    const p = this.planes;
    let changed = false;
    for (let r = 0; r < rows; r++) {
      for (let col = 0; col < cols; col++) {
        const off = this.displayAddress(start + r * stride + col);
        const ch = p[off];
        const at = p[PLANE_SIZE + off];
        const cell = ch | (at << 8);
        const i = r * cols + col;
        if (this.shadow[i] !== cell) {
          this.shadow[i] = cell;
          screen.setCell(r, col, ch, at);
          changed = true;
        }
      }
    }
    const cur = this.cursor(cols, rows, stride);
    const key = `${cur.row},${cur.col},${cur.visible}`;
    if (changed || key !== this.lastCursor) {
      this.lastCursor = key;
      screen.setCursor(cur.row, cur.col, cur.visible);
    }
  }

  /**
   * The text cursor: Cursor Location relative to Start Address; hidden by Cursor Start bit 5,
   * by a start line below the end line or the cell height, or when off the screen.
   */
  private cursor(cols: number, rows: number, stride: number): { row: number; col: number; visible: boolean } {
    const rel = (this.cursorLocation - this.startAddress) & 0xffff;
    const row = Math.floor(rel / stride);
    const col = rel % stride;
    const first = this.crtc[CR_CURSOR_START] & 0x1f;
    const last = this.crtc[CR_CURSOR_END] & 0x1f;
    const shown = !(this.crtc[CR_CURSOR_START] & CURSOR_DISABLE) && first <= last && first <= (this.crtc[CR_MAX_SCAN] & 0x1f);
    const onScreen = row < rows && col < cols;
    return onScreen ? { row, col, visible: shown } : { row: Math.min(row, rows - 1), col: Math.min(col, cols - 1), visible: false };
  }

  /** DAC entry `index` as 8-bit red, green, blue (6-bit values scaled to 0-255). */
  private dacRgb(index: number, out: Uint8ClampedArray, at: number): void {
    const d = index * 3;
    for (let i = 0; i < 3; i++) {
      const v = this.dac[d + i];
      out[at + i] = (v << 2) | (v >> 4);
    }
    out[at + 3] = 255;
  }

  /**
   * Draw the current graphics mode into `rgba` (width x height x 4 bytes, as `mode()` gives):
   * 256-colour modes (13h and its unchained variants) through the DAC, 16-colour planar modes
   * through the attribute palette and the DAC. Text and CGA-compatible modes draw black.
   */
  renderGraphics(rgba: Uint8ClampedArray): void {
    const m = this.mode();
    if (m.kind !== "graphics") return;
    const { width, height } = m;
    const stride = this.rowStride;
    const start = this.startAddress;
    const p = this.planes;
    const mask = this.pelMask;
    const eightBit = (this.attr[0x10] & AR10_8BIT) !== 0;
    const cga = !eightBit && (this.gc[5] & GR5_SHIFT_INTERLEAVE) !== 0;
    for (let y = 0; y < height; y++) {
      const row = start + y * stride;
      for (let x = 0; x < width; x++) {
        const at = (y * width + x) * 4;
        if (at + 4 > rgba.length) return;
        if (cga) {
          rgba[at] = rgba[at + 1] = rgba[at + 2] = 0;
          rgba[at + 3] = 255;
        } else if (eightBit) {
          // One address-counter step fetches four pixels, one from each plane.
          const off = this.displayAddress(row + (x >> 2));
          this.dacRgb(p[(x & 3) * PLANE_SIZE + off] & mask, rgba, at);
        } else {
          const off = this.displayAddress(row + (x >> 3));
          const bit = 7 - (x & 7);
          let v = 0;
          for (let i = 0; i < 4; i++) v |= ((p[i * PLANE_SIZE + off] >> bit) & 1) << i;
          this.dacRgb(this.attributeColor(v) & mask, rgba, at);
        }
      }
    }
  }

  /** A 4-bit pixel through Color Plane Enable, the palette registers and Color Select. */
  private attributeColor(pixel: number): number {
    const a = this.attr;
    let c = a[pixel & a[0x12] & 0x0f] & 0x3f;
    if (a[0x10] & AR10_P54S) c = (c & 0x0f) | ((a[0x14] & 0x03) << 4);
    return c | ((a[0x14] & 0x0c) << 4);
  }

  // ---- mode setting -------------------------------------------------------------------------

  /**
   * Program every register as the VGA BIOS does for mode 3 (80x25 colour text at 0xB8000), load
   * the 64-colour EGA palette into the DAC and clear the screen to grey-on-black spaces. For a
   * direct Linux boot, where no BIOS sets a mode before vgacon looks at the hardware.
   */
  setTextMode3(): void {
    this.misc = MODE3_MISC;
    this.seq.fill(0);
    this.seq.set(MODE3_SEQ);
    this.crtc.fill(0);
    this.crtc.set(MODE3_CRTC);
    this.gc.fill(0);
    this.gc.set(MODE3_GC);
    this.attr.fill(0);
    this.attr.set(MODE3_ATTR);
    this.attrIndex = ATTR_PAS; // palette locked: the display is on
    this.attrData = false;
    this.crtcIndex = 0;
    this.seqIndex = 0;
    this.gcIndex = 0;
    this.pelMask = 0xff;
    this.dac.fill(0);
    for (let i = 0; i < 64; i++) {
      // EGA colour bits: 0 blue, 1 green, 2 red (2/3 intensity), 3-5 the same at 1/3 intensity.
      this.dac[i * 3] = (i & 4 ? 0x2a : 0) | (i & 32 ? 0x15 : 0);
      this.dac[i * 3 + 1] = (i & 2 ? 0x2a : 0) | (i & 16 ? 0x15 : 0);
      this.dac[i * 3 + 2] = (i & 1 ? 0x2a : 0) | (i & 8 ? 0x15 : 0);
    }
    this.dacWriteIndex = 0;
    this.dacReadIndex = 0;
    this.dacComponent = 0;
    this.dacReading = false;
    this.planes.fill(0x20, 0, 0x8000);
    this.planes.fill(0x07, PLANE_SIZE, PLANE_SIZE + 0x8000);
    this.invalidate();
  }

  // ---- state --------------------------------------------------------------------------------

  saveState(): DeviceState {
    return {
      planes: toHex(this.planes), dac: Array.from(this.dac), misc: this.misc, featureControl: this.featureControl,
      subsystemEnable: this.subsystemEnable, seqIndex: this.seqIndex, seq: Array.from(this.seq), gcIndex: this.gcIndex,
      gc: Array.from(this.gc), attrIndex: this.attrIndex, attr: Array.from(this.attr), attrData: this.attrData,
      crtcIndex: this.crtcIndex, crtc: Array.from(this.crtc), pelMask: this.pelMask, dacWriteIndex: this.dacWriteIndex,
      dacReadIndex: this.dacReadIndex, dacComponent: this.dacComponent, dacReading: this.dacReading,
      latch: Array.from(this.latch),
    };
  }

  loadState(s: DeviceState): void {
    this.planes.set(fromHex(s.planes as string));
    this.dac.set(s.dac as number[]);
    this.misc = s.misc as number;
    this.featureControl = s.featureControl as number;
    this.subsystemEnable = s.subsystemEnable as number;
    this.seqIndex = s.seqIndex as number;
    this.seq.set(s.seq as number[]);
    this.gcIndex = s.gcIndex as number;
    this.gc.set(s.gc as number[]);
    this.attrIndex = s.attrIndex as number;
    this.attr.set(s.attr as number[]);
    this.attrData = s.attrData as boolean;
    this.crtcIndex = s.crtcIndex as number;
    this.crtc.set(s.crtc as number[]);
    this.pelMask = s.pelMask as number;
    this.dacWriteIndex = s.dacWriteIndex as number;
    this.dacReadIndex = s.dacReadIndex as number;
    this.dacComponent = s.dacComponent as number;
    this.dacReading = s.dacReading as boolean;
    this.latch.set(s.latch as number[]);
    this.invalidate();
  }
}

function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, "0");
  return s;
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
  return out;
}
