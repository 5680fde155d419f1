// INT 10h, the video services, on the VGA (src/devices/vga.ts): modes are set by programming its
// registers through the I/O ports as a VGA BIOS does, and text goes into display memory through
// the 0xA0000-0xBFFFF window, so the guest sees exactly what it would see after a real BIOS call.
//
// Facts used: the VGA register values of the standard modes (IBM VGA BIOS parameter table, as
// listed in the IBM PS/2 technical reference and FreeVGA), the BIOS data area video fields and
// the INT 10h functions as in Ralf Brown's Interrupt List.
//
// Modes: 0/1 (40x25 text), 2/3 (80x25 text), 7 (80x25 monochrome text), 13h (320x200, 256
// colours). Not done yet: the CGA graphics modes 4-6, the EGA/VGA planar modes 0Dh-12h, VBE,
// glyphs (the ROM's font tables are blank, so text is not drawn in mode 13h), save/restore state.

import type { PortIO } from "../cpu/cpu.ts";
import { BDA, type Frame, GuestMemory } from "./memory.ts";

export interface VideoRomTables {
  /** F000 offsets of the tables in the ROM (bios/bios.asm's directory). */
  videoStatic: number;
  font8x16: number;
  font8x8: number;
}

interface ModeParams {
  text: boolean;
  cols: number;
  rows: number;
  charHeight: number;
  /** Physical address of page 0. */
  memBase: number;
  pageSize: number;
  pages: number;
  mono: boolean;
  /** BDA 0x465 (the CGA/MDA mode control register value). */
  modeControl: number;
  misc: number;
  seq: number[]; // sequencer 1-4
  crtc: number[]; // 0x00-0x18
  gc: number[]; // 0x00-0x08
  attr: number[]; // 0x00-0x14
}

const TEXT_ATTR = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00];
const TEXT_GC = [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff];
const CRTC_80 = [0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff];
const CRTC_40 = [0x2d, 0x27, 0x28, 0x90, 0x2b, 0xa0, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x14, 0x1f, 0x96, 0xb9, 0xa3, 0xff];

const TEXT40: ModeParams = {
  text: true, cols: 40, rows: 25, charHeight: 16, memBase: 0xb8000, pageSize: 0x800, pages: 8, mono: false, modeControl: 0x28,
  misc: 0x67, seq: [0x08, 0x03, 0x00, 0x02], crtc: CRTC_40, gc: TEXT_GC, attr: TEXT_ATTR,
};
const TEXT80: ModeParams = {
  text: true, cols: 80, rows: 25, charHeight: 16, memBase: 0xb8000, pageSize: 0x1000, pages: 8, mono: false, modeControl: 0x29,
  misc: 0x67, seq: [0x00, 0x03, 0x00, 0x02], crtc: CRTC_80, gc: TEXT_GC, attr: TEXT_ATTR,
};
const MODES: Record<number, ModeParams> = {
  0x00: { ...TEXT40, modeControl: 0x2c },
  0x01: TEXT40,
  0x02: { ...TEXT80, modeControl: 0x2d },
  0x03: TEXT80,
  0x07: {
    ...TEXT80, memBase: 0xb0000, mono: true, modeControl: 0x29, misc: 0x66,
    crtc: CRTC_80.map((v, i) => (i === 0x14 ? 0x0f : v)),
    gc: [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0a, 0x00, 0xff],
    attr: [0x00, 0x08, 0x08, 0x08, 0x08, 0x08, 0x08, 0x08, 0x10, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0x0e, 0x00, 0x0f, 0x08, 0x00],
  },
  0x13: {
    text: false, cols: 40, rows: 25, charHeight: 8, memBase: 0xa0000, pageSize: 0x10000, pages: 1, mono: false, modeControl: 0x00,
    misc: 0x63, seq: [0x01, 0x0f, 0x00, 0x0e],
    crtc: [0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x0e, 0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff],
    gc: [0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff],
    attr: [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x41, 0x00, 0x0f, 0x00, 0x00],
  },
};

/** The 64 EGA colours (DAC entries 0-63 in the text modes): rgbRGB bits, 2/3 and 1/3 intensity. */
function egaPalette(): number[] {
  const out: number[] = [];
  for (let i = 0; i < 64; i++) {
    out.push((i & 4 ? 0x2a : 0) | (i & 32 ? 0x15 : 0), (i & 2 ? 0x2a : 0) | (i & 16 ? 0x15 : 0), (i & 1 ? 0x2a : 0) | (i & 8 ? 0x15 : 0));
  }
  return out;
}

/** Monochrome: the attribute controller gives 0x00, 0x08, 0x10, 0x18; grey levels for them. */
function monoPalette(): number[] {
  const out: number[] = [];
  for (let i = 0; i < 64; i++) {
    const v = (i & 0x08 ? 0x2a : 0) + (i & 0x10 ? 0x15 : 0);
    out.push(v, v, v);
  }
  return out;
}

/**
 * The 256-colour default: the 16 CGA colours, 16 greys, then 9 rings of 24 hues (three
 * intensities by three saturations), then black.
 */
function vga256Palette(): number[] {
  const cga = [
    0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x2a, 0x00, 0x00, 0x2a, 0x2a, 0x2a, 0x00, 0x00, 0x2a, 0x00, 0x2a, 0x2a, 0x15, 0x00, 0x2a, 0x2a, 0x2a,
    0x15, 0x15, 0x15, 0x15, 0x15, 0x3f, 0x15, 0x3f, 0x15, 0x15, 0x3f, 0x3f, 0x3f, 0x15, 0x15, 0x3f, 0x15, 0x3f, 0x3f, 0x3f, 0x15, 0x3f, 0x3f, 0x3f,
  ];
  const out = [...cga];
  const greys = [0x00, 0x05, 0x08, 0x0b, 0x0e, 0x11, 0x14, 0x18, 0x1c, 0x20, 0x24, 0x28, 0x2d, 0x32, 0x38, 0x3f];
  for (const g of greys) out.push(g, g, g);
  for (const [max, mins] of [[0x3f, [0x00, 0x1f, 0x2d]], [0x1c, [0x00, 0x0e, 0x14]], [0x10, [0x00, 0x08, 0x0b]]] as const) {
    for (const min of mins) {
      const step = (max - min) / 4;
      // 24 hues: blue -> magenta -> red -> yellow -> green -> cyan -> blue, 4 steps per sixth.
      const ramp = (k: number) => Math.round(min + step * k);
      for (let h = 0; h < 24; h++) {
        const seg = Math.floor(h / 4), k = h % 4;
        let r: number, g: number, b: number;
        switch (seg) {
          case 0: r = ramp(k); g = min; b = max; break;
          case 1: r = max; g = min; b = ramp(4 - k); break;
          case 2: r = max; g = ramp(k); b = min; break;
          case 3: r = ramp(4 - k); g = max; b = min; break;
          case 4: r = min; g = max; b = ramp(k); break;
          default: r = min; g = ramp(4 - k); b = max; break;
        }
        out.push(r, g, b);
      }
    }
  }
  while (out.length < 768) out.push(0);
  return out;
}

export class VideoBios {
  constructor(private readonly mem: GuestMemory, private readonly io: PortIO, private readonly tables: VideoRomTables) {}

  private bda8(o: number): number { return this.mem.read8(o); }
  private bda16(o: number): number { return this.mem.read16(o); }

  private get modeNumber(): number { return this.bda8(BDA.VIDEO_MODE) & 0x7f; }
  private get params(): ModeParams { return MODES[this.modeNumber] ?? TEXT80; }
  private get cols(): number { return this.bda16(BDA.VIDEO_COLUMNS) || 80; }
  private get rows(): number { return this.bda8(BDA.VIDEO_ROWS) + 1; }
  private get activePage(): number { return this.bda8(BDA.VIDEO_PAGE); }
  private get crtcPort(): number { return this.bda16(BDA.CRTC_PORT) || 0x3d4; }

  private out8(port: number, v: number): void { this.io.out(port, 1, v & 0xff); }
  private in8(port: number): number { return this.io.in(port, 1) & 0xff; }
  private crtcWrite(i: number, v: number): void { this.out8(this.crtcPort, i); this.out8(this.crtcPort + 1, v); }
  private crtcRead(i: number): number { this.out8(this.crtcPort, i); return this.in8(this.crtcPort + 1); }
  /** Input Status 1 (resets the attribute controller's flip-flop). */
  private resetAttrFlipFlop(): void { this.in8(this.crtcPort + 6); }
  private attrWrite(i: number, v: number): void {
    this.resetAttrFlipFlop();
    this.out8(0x3c0, i & 0x1f);
    this.out8(0x3c0, v);
    this.out8(0x3c0, 0x20); // palette address source: the display reads the palette again
  }
  private attrRead(i: number): number {
    this.resetAttrFlipFlop();
    this.out8(0x3c0, i & 0x1f);
    const v = this.in8(0x3c1);
    this.resetAttrFlipFlop();
    this.out8(0x3c0, 0x20);
    return v;
  }
  private loadDac(first: number, rgb: number[]): void {
    this.out8(0x3c8, first);
    for (const v of rgb) this.out8(0x3c9, v);
  }

  // ---- modes ------------------------------------------------------------------------------

  /** Program the VGA for `mode` (bit 7: keep display memory) and reset the BDA video fields. */
  setMode(modeByte: number): boolean {
    const mode = modeByte & 0x7f;
    const p = MODES[mode];
    if (!p) return false;
    const crtc = p.mono ? 0x3b4 : 0x3d4;
    this.out8(0x3c2, p.misc);
    this.out8(0x3c4, 0); this.out8(0x3c5, 0x01); // synchronous reset while the clocking changes
    for (let i = 0; i < 4; i++) { this.out8(0x3c4, i + 1); this.out8(0x3c5, p.seq[i]); }
    this.out8(0x3c4, 0); this.out8(0x3c5, 0x03);
    this.out8(crtc, 0x11); this.out8(crtc + 1, 0x00); // clear the protect bit
    for (let i = 0; i < p.crtc.length; i++) { this.out8(crtc, i); this.out8(crtc + 1, p.crtc[i]); }
    for (let i = 0; i < p.gc.length; i++) { this.out8(0x3ce, i); this.out8(0x3cf, p.gc[i]); }
    this.in8(crtc + 6);
    for (let i = 0; i < p.attr.length; i++) { this.out8(0x3c0, i); this.out8(0x3c0, p.attr[i]); }
    this.out8(0x3c0, 0x20);
    this.out8(0x3c6, 0xff);
    this.loadDac(0, p.text ? (p.mono ? monoPalette() : egaPalette()) : vga256Palette());

    const m = this.mem;
    m.write8(BDA.VIDEO_MODE, mode);
    m.write16(BDA.VIDEO_COLUMNS, p.cols);
    m.write16(BDA.VIDEO_PAGE_SIZE, p.text ? p.pageSize : 0);
    m.write16(BDA.VIDEO_PAGE_START, 0);
    for (let i = 0; i < 8; i++) m.write16(BDA.CURSOR_POS + 2 * i, 0);
    m.write8(BDA.CURSOR_SHAPE, 0x07); // end line, start line (CGA-style 6-7)
    m.write8(BDA.CURSOR_SHAPE + 1, 0x06);
    m.write8(BDA.VIDEO_PAGE, 0);
    m.write16(BDA.CRTC_PORT, crtc);
    m.write8(BDA.VIDEO_MODE_CONTROL, p.modeControl);
    m.write8(BDA.VIDEO_PALETTE, mode === 0x06 ? 0x3f : 0x30);
    m.write8(BDA.VIDEO_ROWS, p.rows - 1);
    m.write16(BDA.VIDEO_CHAR_HEIGHT, p.charHeight);
    m.write8(BDA.VIDEO_EGA_MISC, 0x60 | (modeByte & 0x80));
    m.write8(BDA.VIDEO_SWITCHES, 0xf9);
    m.write8(BDA.VIDEO_VGA_FLAGS, 0x51);
    m.write8(BDA.VIDEO_DCC, 0x08);
    const equip = m.read16(BDA.EQUIPMENT);
    m.write16(BDA.EQUIPMENT, (equip & ~0x30) | (p.mono ? 0x30 : 0x20));

    if (!(modeByte & 0x80)) {
      if (p.text) {
        for (let a = 0; a < 0x8000; a += 2) m.write16(p.memBase + a, 0x0720);
      } else {
        for (let a = 0; a < 0x10000; a++) m.write8(p.memBase + a, 0);
      }
    }
    this.setCursorShape(0x06, 0x07);
    this.updateHardwareCursor();
    return true;
  }

  /** Cursor lines in CGA terms (0-7) scaled to the character cell, as VGA cursor emulation does. */
  private setCursorShape(start: number, end: number): void {
    this.mem.write8(BDA.CURSOR_SHAPE, end);
    this.mem.write8(BDA.CURSOR_SHAPE + 1, start);
    if (!this.params.text) return;
    let s = start & 0x1f, e = end & 0x1f;
    const h = this.bda16(BDA.VIDEO_CHAR_HEIGHT) || 16;
    if (!(start & 0x20) && s <= e && e < 8 && h > 8) {
      // Emulation: the shape as if in an 8-line cell (RBIL, INT 10h AH=01h notes).
      if (e >= 6) { s = s >= 6 ? h - (8 - s) : Math.floor((s * h) / 8); e = h - (8 - e); }
      else { s = Math.floor((s * h) / 8); e = Math.floor((e * h) / 8); }
    }
    this.crtcWrite(0x0a, (start & 0x20) | (s & 0x1f));
    this.crtcWrite(0x0b, (this.crtcRead(0x0b) & 0xe0) | (e & 0x1f));
  }

  // ---- cursor and cells -------------------------------------------------------------------

  getCursor(page: number): { row: number; col: number } {
    const v = this.bda16(BDA.CURSOR_POS + 2 * (page & 7));
    return { row: v >> 8, col: v & 0xff };
  }

  setCursor(page: number, row: number, col: number): void {
    this.mem.write16(BDA.CURSOR_POS + 2 * (page & 7), ((row & 0xff) << 8) | (col & 0xff));
    if ((page & 7) === this.activePage) this.updateHardwareCursor();
  }

  private updateHardwareCursor(): void {
    if (!this.params.text) return;
    const { row, col } = this.getCursor(this.activePage);
    const loc = (this.bda16(BDA.VIDEO_PAGE_START) >> 1) + row * this.cols + col;
    this.crtcWrite(0x0e, (loc >> 8) & 0xff);
    this.crtcWrite(0x0f, loc & 0xff);
  }

  private cellAddress(page: number, row: number, col: number): number {
    const p = this.params;
    return p.memBase + (page % p.pages) * (this.bda16(BDA.VIDEO_PAGE_SIZE) || p.pageSize) + (row * this.cols + col) * 2;
  }

  readCell(page: number, row: number, col: number): { ch: number; attr: number } {
    if (!this.params.text) return { ch: 0, attr: 0 };
    const a = this.cellAddress(page, row, col);
    return { ch: this.mem.read8(a), attr: this.mem.read8(a + 1) };
  }

  /** Write a character (and its attribute, unless undefined) at row/col of a page. */
  writeCell(page: number, row: number, col: number, ch: number, attr: number | undefined): void {
    if (!this.params.text) return; // no glyphs for graphics modes yet
    const a = this.cellAddress(page, row, col);
    this.mem.write8(a, ch);
    if (attr !== undefined) this.mem.write8(a + 1, attr);
  }

  /** Scroll a window up (lines > 0) or down (lines < 0); 0 or more than its height clears it. */
  scroll(page: number, lines: number, attr: number, top: number, left: number, bottom: number, right: number): void {
    const rows = this.rows, cols = this.cols;
    bottom = Math.min(bottom, rows - 1);
    right = Math.min(right, cols - 1);
    if (top > bottom || left > right) return;
    const height = bottom - top + 1;
    let n = Math.abs(lines);
    if (n === 0 || n > height) n = height;
    const p = this.params;
    if (!p.text) {
      if (this.modeNumber === 0x13) this.scroll13(lines < 0 ? -n : n, attr, top, left, bottom, right);
      return;
    }
    const up = lines >= 0;
    for (let i = 0; i < height; i++) {
      const row = up ? top + i : bottom - i;
      const src = up ? row + n : row - n;
      for (let col = left; col <= right; col++) {
        const dst = this.cellAddress(page, row, col);
        if (src >= top && src <= bottom) {
          const s = this.cellAddress(page, src, col);
          this.mem.write16(dst, this.mem.read16(s));
        } else {
          this.mem.write16(dst, 0x20 | (attr << 8));
        }
      }
    }
  }

  private scroll13(lines: number, colour: number, top: number, left: number, bottom: number, right: number): void {
    const h = 8, width = 320;
    const x0 = left * 8, x1 = (right + 1) * 8;
    const y0 = top * h, y1 = (bottom + 1) * h;
    const shift = lines * h;
    const up = lines >= 0;
    for (let i = 0; i < y1 - y0; i++) {
      const y = up ? y0 + i : y1 - 1 - i;
      const sy = y + shift;
      for (let x = x0; x < x1; x++) {
        const v = sy >= y0 && sy < y1 ? this.mem.read8(0xa0000 + sy * width + x) : colour;
        this.mem.write8(0xa0000 + y * width + x, v);
      }
    }
  }

  /** Teletype output: BEL, BS, LF and CR act; other characters are written and the cursor advances. */
  teletype(ch: number, page = this.activePage, attr?: number): void {
    let { row, col } = this.getCursor(page);
    const rows = this.rows, cols = this.cols;
    switch (ch) {
      case 0x07: return;
      case 0x08: if (col > 0) col--; break;
      case 0x0a: row++; break;
      case 0x0d: col = 0; break;
      default:
        this.writeCell(page, row, col, ch, attr);
        if (++col >= cols) { col = 0; row++; }
    }
    if (row >= rows) {
      const fill = this.params.text ? this.readCell(page, rows - 1, col).attr : 0;
      this.scroll(page, 1, fill, 0, 0, rows - 1, cols - 1);
      row = rows - 1;
    }
    this.setCursor(page, row, col);
  }

  /** Print a string with teletype (for the BIOS's own messages). */
  print(s: string): void {
    for (let i = 0; i < s.length; i++) this.teletype(s.charCodeAt(i) & 0xff);
  }

  // ---- INT 10h ----------------------------------------------------------------------------

  int10(f: Frame): void {
    const ah = f.ah;
    switch (ah) {
      case 0x00: {
        const mode = f.al;
        if (this.setMode(mode)) {
          // AL: the CRT mode control value for the CGA-era modes, as most BIOSes return.
          f.al = (mode & 0x7f) > 7 ? 0x20 : mode === 6 ? 0x3f : 0x30;
        }
        return;
      }
      case 0x01: this.setCursorShape(f.ch, f.cl); return;
      case 0x02: this.setCursor(f.bh, f.dh, f.dl); return;
      case 0x03: {
        const { row, col } = this.getCursor(f.bh);
        f.dh = row; f.dl = col;
        f.ch = this.bda8(BDA.CURSOR_SHAPE + 1); f.cl = this.bda8(BDA.CURSOR_SHAPE);
        return;
      }
      case 0x04: f.ah = 0; return; // light pen not triggered
      case 0x05: this.selectPage(f.al); return;
      case 0x06: this.scroll(this.activePage, f.al, f.bh, f.ch, f.cl, f.dh, f.dl); return;
      case 0x07: this.scroll(this.activePage, -f.al, f.bh, f.ch, f.cl, f.dh, f.dl); return;
      case 0x08: {
        const { row, col } = this.getCursor(f.bh);
        const c = this.readCell(f.bh, row, col);
        f.al = c.ch; f.ah = c.attr;
        return;
      }
      case 0x09: case 0x0a: this.writeRepeated(f.bh, f.al, ah === 0x09 ? f.bl : undefined, f.cx); return;
      case 0x0b: if (f.bh === 0 && this.params.text) this.attrWrite(0x11, f.bl & 0x0f); return;
      case 0x0c: this.writePixel(f.cx, f.dx, f.al); return;
      case 0x0d: f.al = this.readPixel(f.cx, f.dx); return;
      case 0x0e: this.teletype(f.al, this.activePage, this.params.text ? undefined : f.bl); return;
      case 0x0f: f.al = this.bda8(BDA.VIDEO_MODE) | (this.bda8(BDA.VIDEO_EGA_MISC) & 0x80); f.ah = this.cols; f.bh = this.activePage; return;
      case 0x10: this.palette(f); return;
      case 0x11: this.font(f); return;
      case 0x12: this.alternateSelect(f); return;
      case 0x13: this.writeString(f); return;
      case 0x1a:
        if (f.al === 0x00) { f.al = 0x1a; f.bx = this.params.mono ? 0x0007 : 0x0008; }
        else if (f.al === 0x01) f.al = 0x1a;
        return;
      case 0x1b: if (f.bx === 0) { this.functionality(GuestMemory.linear(f.es, f.di)); f.al = 0x1b; } return;
      case 0x1c: f.al = 0; return; // save/restore state: not supported
      default: return; // VBE (4Fh) and others: unsupported, AX unchanged
    }
  }

  private selectPage(page: number): void {
    const p = this.params;
    if (page >= p.pages) return;
    const start = page * (this.bda16(BDA.VIDEO_PAGE_SIZE) || p.pageSize);
    this.mem.write8(BDA.VIDEO_PAGE, page);
    this.mem.write16(BDA.VIDEO_PAGE_START, start);
    if (p.text) {
      const addr = start >> 1;
      this.crtcWrite(0x0c, addr >> 8);
      this.crtcWrite(0x0d, addr & 0xff);
      this.updateHardwareCursor();
    }
  }

  private writeRepeated(page: number, ch: number, attr: number | undefined, count: number): void {
    let { row, col } = this.getCursor(page);
    const cols = this.cols, rows = this.rows;
    for (let i = 0; i < count && row < rows; i++) {
      this.writeCell(page, row, col, ch, attr);
      if (++col >= cols) { col = 0; row++; }
    }
  }

  private writePixel(x: number, y: number, colour: number): void {
    if (this.modeNumber !== 0x13 || x >= 320 || y >= 200) return;
    const a = 0xa0000 + y * 320 + x;
    this.mem.write8(a, colour & 0x80 ? this.mem.read8(a) ^ (colour & 0x7f) : colour);
  }

  private readPixel(x: number, y: number): number {
    if (this.modeNumber !== 0x13 || x >= 320 || y >= 200) return 0;
    return this.mem.read8(0xa0000 + y * 320 + x);
  }

  /** AH=13h: write string ES:BP, CX characters, at DH/DL on page BH; AL bit 0 moves the cursor, bit 1 means char/attribute pairs. */
  private writeString(f: Frame): void {
    const page = f.bh, mode = f.al;
    const saved = this.getCursor(page);
    this.setCursor(page, f.dh, f.dl);
    let a = GuestMemory.linear(f.es, f.bp);
    for (let i = 0; i < f.cx; i++) {
      const ch = this.mem.read8(a++);
      let attr = f.bl;
      if (mode & 2) attr = this.mem.read8(a++);
      this.teletype(ch, page, ch === 7 || ch === 8 || ch === 10 || ch === 13 ? undefined : attr);
    }
    if (!(mode & 1)) this.setCursor(page, saved.row, saved.col);
  }

  private palette(f: Frame): void {
    const m = this.mem;
    switch (f.al) {
      case 0x00: if (f.bl < 0x10) this.attrWrite(f.bl, f.bh); return;
      case 0x01: this.attrWrite(0x11, f.bh); return;
      case 0x02: {
        const a = GuestMemory.linear(f.es, f.dx);
        for (let i = 0; i < 16; i++) this.attrWrite(i, m.read8(a + i));
        this.attrWrite(0x11, m.read8(a + 16));
        return;
      }
      case 0x03: {
        const v = this.attrRead(0x10);
        this.attrWrite(0x10, f.bl ? v | 0x08 : v & ~0x08);
        return;
      }
      case 0x07: if (f.bl < 0x10) f.bh = this.attrRead(f.bl); return;
      case 0x08: f.bh = this.attrRead(0x11); return;
      case 0x09: {
        const a = GuestMemory.linear(f.es, f.dx);
        for (let i = 0; i < 16; i++) m.write8(a + i, this.attrRead(i));
        m.write8(a + 16, this.attrRead(0x11));
        return;
      }
      case 0x10: this.loadDac(f.bl, [f.dh, f.ch, f.cl]); return;
      case 0x12: {
        const a = GuestMemory.linear(f.es, f.dx);
        const rgb: number[] = [];
        for (let i = 0; i < f.cx * 3; i++) rgb.push(m.read8(a + i));
        this.loadDac(f.bl, rgb);
        return;
      }
      case 0x15: {
        this.out8(0x3c7, f.bl);
        f.dh = this.in8(0x3c9); f.ch = this.in8(0x3c9); f.cl = this.in8(0x3c9);
        return;
      }
      case 0x17: {
        const a = GuestMemory.linear(f.es, f.dx);
        this.out8(0x3c7, f.bl);
        for (let i = 0; i < f.cx * 3; i++) m.write8(a + i, this.in8(0x3c9));
        return;
      }
      case 0x18: this.out8(0x3c6, f.bl); return;
      case 0x19: f.bl = this.in8(0x3c6); return;
      case 0x1a: {
        const mc = this.attrRead(0x10), cs = this.attrRead(0x14);
        f.bl = mc >> 7;
        f.bh = mc & 0x80 ? cs & 0x0f : (cs >> 2) & 0x03;
        return;
      }
      case 0x1b: {
        for (let i = 0; i < f.cx; i++) {
          const idx = (f.bx + i) & 0xff;
          this.out8(0x3c7, idx);
          const r = this.in8(0x3c9), g = this.in8(0x3c9), b = this.in8(0x3c9);
          const grey = Math.min(0x3f, Math.round(0.3 * r + 0.59 * g + 0.11 * b));
          this.loadDac(idx, [grey, grey, grey]);
        }
        return;
      }
      default: return;
    }
  }

  /** AH=11h: character generator. Fonts are not kept; the 8x14/8x8/8x16 selections change the rows. */
  private font(f: Frame): void {
    const al = f.al;
    if (al === 0x30) {
      const t = this.tables;
      const ptr = [[0, 0x1f * 4], [0, 0x43 * 4]][f.bh];
      if (ptr) { f.es = this.mem.read16(ptr[1] + 2); f.bp = this.mem.read16(ptr[1]); }
      else { f.es = 0xf000; f.bp = f.bh === 3 || f.bh === 4 ? t.font8x8 : t.font8x16; }
      f.cx = this.bda16(BDA.VIDEO_CHAR_HEIGHT);
      f.dl = this.bda8(BDA.VIDEO_ROWS);
      return;
    }
    const height = { 0x01: 14, 0x11: 14, 0x02: 8, 0x12: 8, 0x04: 16, 0x14: 16 }[al];
    if (height === undefined || !this.params.text) return;
    const rows = Math.floor(400 / height);
    this.crtcWrite(0x09, (this.crtcRead(0x09) & 0xe0) | (height - 1));
    this.mem.write16(BDA.VIDEO_CHAR_HEIGHT, height);
    this.mem.write8(BDA.VIDEO_ROWS, rows - 1);
    this.mem.write16(BDA.VIDEO_PAGE_SIZE, ((rows * this.cols * 2 + 0xff) & ~0xff));
    this.setCursorShape(0x06, 0x07);
  }

  private alternateSelect(f: Frame): void {
    switch (f.bl) {
      case 0x10:
        f.bh = this.params.mono ? 1 : 0;
        f.bl = 0x03; // 256 KiB
        f.ch = 0;
        f.cl = this.bda8(BDA.VIDEO_SWITCHES) & 0x0f;
        return;
      case 0x30: case 0x31: case 0x32: case 0x33: case 0x34: case 0x36:
        f.al = 0x12;
        return;
      default: return;
    }
  }

  /** AH=1Bh: the 64-byte state block at `a`. */
  private functionality(a: number): void {
    const m = this.mem;
    for (let i = 0; i < 64; i++) m.write8(a + i, 0);
    m.write16(a, this.tables.videoStatic);
    m.write16(a + 2, 0xf000);
    m.write8(a + 0x04, this.bda8(BDA.VIDEO_MODE));
    m.write16(a + 0x05, this.cols);
    m.write16(a + 0x07, this.bda16(BDA.VIDEO_PAGE_SIZE));
    m.write16(a + 0x09, this.bda16(BDA.VIDEO_PAGE_START));
    for (let i = 0; i < 8; i++) m.write16(a + 0x0b + 2 * i, this.bda16(BDA.CURSOR_POS + 2 * i));
    m.write8(a + 0x1b, this.bda8(BDA.CURSOR_SHAPE));
    m.write8(a + 0x1c, this.bda8(BDA.CURSOR_SHAPE + 1));
    m.write8(a + 0x1d, this.activePage);
    m.write16(a + 0x1e, this.crtcPort);
    m.write8(a + 0x20, this.bda8(BDA.VIDEO_MODE_CONTROL));
    m.write8(a + 0x21, this.bda8(BDA.VIDEO_PALETTE));
    m.write8(a + 0x22, this.rows);
    m.write16(a + 0x23, this.bda16(BDA.VIDEO_CHAR_HEIGHT));
    m.write8(a + 0x25, this.params.mono ? 0x07 : 0x08);
    m.write16(a + 0x27, this.params.text ? (this.params.mono ? 0 : 16) : 256);
    m.write8(a + 0x29, this.params.pages);
    m.write8(a + 0x2a, 2); // 400 scan lines
    m.write8(a + 0x2d, 0x21);
    m.write8(a + 0x31, 3); // 256 KiB
  }
}
