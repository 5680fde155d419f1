// INT 16h and the keyboard interrupt's work: scan codes (set 1, as the 8042 translates them)
// become shift states in the BIOS data area and key words (scan code << 8 | character) in its
// 16-entry ring buffer at 0040:001E-003D, which INT 16h reads.
//
// Facts used: the AT BIOS keyboard tables (US layout) and the BDA keyboard fields as listed in
// Ralf Brown's Interrupt List (INT 16h, and the "keyboard shift status" and BDA tables).
// Not done: Alt+keypad character entry, Ctrl-Break (INT 1Bh), Pause, SysRq, the keyboard LEDs.

import { BDA, type Frame } from "./memory.ts";
import type { GuestMemory } from "./memory.ts";

/** Per set-1 scan code: the key word unshifted, with Shift, with Ctrl, with Alt (0 = none). */
const KEYS: Record<number, [number, number, number, number]> = {
  0x01: [0x011b, 0x011b, 0x011b, 0x0100],
  0x02: [0x0231, 0x0221, 0, 0x7800], 0x03: [0x0332, 0x0340, 0x0300, 0x7900], 0x04: [0x0433, 0x0423, 0, 0x7a00],
  0x05: [0x0534, 0x0524, 0, 0x7b00], 0x06: [0x0635, 0x0625, 0, 0x7c00], 0x07: [0x0736, 0x075e, 0x071e, 0x7d00],
  0x08: [0x0837, 0x0826, 0, 0x7e00], 0x09: [0x0938, 0x092a, 0, 0x7f00], 0x0a: [0x0a39, 0x0a28, 0, 0x8000],
  0x0b: [0x0b30, 0x0b29, 0, 0x8100], 0x0c: [0x0c2d, 0x0c5f, 0x0c1f, 0x8200], 0x0d: [0x0d3d, 0x0d2b, 0, 0x8300],
  0x0e: [0x0e08, 0x0e08, 0x0e7f, 0x0e00], 0x0f: [0x0f09, 0x0f00, 0x9400, 0xa500],
  0x1a: [0x1a5b, 0x1a7b, 0x1a1b, 0x1a00], 0x1b: [0x1b5d, 0x1b7d, 0x1b1d, 0x1b00], 0x1c: [0x1c0d, 0x1c0d, 0x1c0a, 0x1c00],
  0x27: [0x273b, 0x273a, 0, 0x2700], 0x28: [0x2827, 0x2822, 0, 0x2800], 0x29: [0x2960, 0x297e, 0, 0x2900],
  0x2b: [0x2b5c, 0x2b7c, 0x2b1c, 0x2b00],
  0x33: [0x332c, 0x333c, 0, 0x3300], 0x34: [0x342e, 0x343e, 0, 0x3400], 0x35: [0x352f, 0x353f, 0, 0x3500],
  0x37: [0x372a, 0x372a, 0x9600, 0x3700], 0x39: [0x3920, 0x3920, 0x3920, 0x3920],
  0x4a: [0x4a2d, 0x4a2d, 0x8e00, 0x4a00], 0x4e: [0x4e2b, 0x4e2b, 0x9000, 0x4e00],
  0x57: [0x8500, 0x8700, 0x8900, 0x8b00], 0x58: [0x8600, 0x8800, 0x8a00, 0x8c00],
};
// Letters: scan code, lower-case character.
const LETTERS = "q\x10w\x11e\x12r\x13t\x14y\x15u\x16i\x17o\x18p\x19a\x1es\x1fd\x20f\x21g\x22h\x23j\x24k\x25l\x26z\x2cx\x2dc\x2ev\x2fb\x30n\x31m\x32";
for (let i = 0; i < LETTERS.length; i += 2) {
  const ch = LETTERS.charCodeAt(i), sc = LETTERS.charCodeAt(i + 1);
  KEYS[sc] = [(sc << 8) | ch, (sc << 8) | (ch - 0x20), (sc << 8) | (ch - 0x60), sc << 8];
}
// F1-F10: 3Bh-44h; Shift 54h-5Dh, Ctrl 5Eh-67h, Alt 68h-71h.
for (let i = 0; i < 10; i++) KEYS[0x3b + i] = [(0x3b + i) << 8, (0x54 + i) << 8, (0x5e + i) << 8, (0x68 + i) << 8];
/** Keypad 47h-53h: the navigation word, the digit, and Ctrl. */
const KEYPAD: Record<number, [string, number]> = {
  0x47: ["7", 0x7700], 0x48: ["8", 0x8d00], 0x49: ["9", 0x8400], 0x4b: ["4", 0x7300], 0x4c: ["5", 0x8f00],
  0x4d: ["6", 0x7400], 0x4f: ["1", 0x7500], 0x50: ["2", 0x9100], 0x51: ["3", 0x7600], 0x52: ["0", 0x9200], 0x53: [".", 0x9300],
};

// Shift flags (0040:0017) and their "held" bits in 0040:0018 / 0040:0096.
const F_RSHIFT = 0x01, F_LSHIFT = 0x02, F_CTRL = 0x04, F_ALT = 0x08, F_SCROLL = 0x10, F_NUM = 0x20, F_CAPS = 0x40, F_INSERT = 0x80;
const F1_LCTRL = 0x01, F1_LALT = 0x02, F1_SCROLL = 0x10, F1_NUM = 0x20, F1_CAPS = 0x40, F1_INSERT = 0x80;
const F2_E1 = 0x01, F2_E0 = 0x02, F2_RCTRL = 0x04, F2_RALT = 0x08;

export class KeyboardBios {
  /** Called for Ctrl-Alt-Del (the machine resets). */
  onCtrlAltDel: () => void = () => {};

  constructor(private readonly mem: GuestMemory) {}

  private get flags0(): number { return this.mem.read8(BDA.KBD_FLAGS0); }
  private set flags0(v: number) { this.mem.write8(BDA.KBD_FLAGS0, v); }
  private get flags1(): number { return this.mem.read8(BDA.KBD_FLAGS1); }
  private set flags1(v: number) { this.mem.write8(BDA.KBD_FLAGS1, v); }
  private get flags2(): number { return this.mem.read8(BDA.KBD_FLAGS2); }
  private set flags2(v: number) { this.mem.write8(BDA.KBD_FLAGS2, v); }

  /** Set up the buffer and flags at POST. */
  init(): void {
    const m = this.mem;
    m.write16(BDA.KBD_BUFFER_START, 0x1e);
    m.write16(BDA.KBD_BUFFER_END, 0x3e);
    m.write16(BDA.KBD_HEAD, 0x1e);
    m.write16(BDA.KBD_TAIL, 0x1e);
    this.flags0 = 0; // Num Lock off
    this.flags1 = 0;
    this.flags2 = 0x10; // 101/102-key keyboard
  }

  // ---- the ring buffer --------------------------------------------------------------------

  private next(p: number): number {
    const start = this.mem.read16(BDA.KBD_BUFFER_START) || 0x1e, end = this.mem.read16(BDA.KBD_BUFFER_END) || 0x3e;
    p += 2;
    return p >= end ? start : p;
  }

  /** Append a key word; false when the buffer is full. */
  push(word: number): boolean {
    const tail = this.mem.read16(BDA.KBD_TAIL), head = this.mem.read16(BDA.KBD_HEAD);
    const n = this.next(tail);
    if (n === head) return false;
    this.mem.write16(0x400 + tail, word);
    this.mem.write16(BDA.KBD_TAIL, n);
    return true;
  }

  private peek(): number | undefined {
    const head = this.mem.read16(BDA.KBD_HEAD), tail = this.mem.read16(BDA.KBD_TAIL);
    return head === tail ? undefined : this.mem.read16(0x400 + head);
  }

  private drop(): void {
    const head = this.mem.read16(BDA.KBD_HEAD);
    if (head !== this.mem.read16(BDA.KBD_TAIL)) this.mem.write16(BDA.KBD_HEAD, this.next(head));
  }

  // ---- IRQ1 --------------------------------------------------------------------------------

  /** A scan code from port 0x60 (after INT 15h AH=4Fh let it through). */
  scanCode(code: number): void {
    if (code === 0xe0) { this.flags2 = this.flags2 | F2_E0; return; }
    if (code === 0xe1) { this.flags2 = this.flags2 | F2_E1; return; }
    const e0 = (this.flags2 & F2_E0) !== 0;
    this.flags2 = this.flags2 & ~(F2_E0 | F2_E1);
    const release = (code & 0x80) !== 0;
    const sc = code & 0x7f;
    if (e0 && sc === 0x2a) return; // fake shifts around the grey keys
    if (e0 && sc === 0x36) return;
    switch (sc) {
      case 0x2a: this.modifier(F_LSHIFT, 0, 0, release); return;
      case 0x36: this.modifier(F_RSHIFT, 0, 0, release); return;
      case 0x1d: this.modifier(F_CTRL, e0 ? 0 : F1_LCTRL, e0 ? F2_RCTRL : 0, release); return;
      case 0x38: this.modifier(F_ALT, e0 ? 0 : F1_LALT, e0 ? F2_RALT : 0, release); return;
      case 0x3a: this.toggle(F_CAPS, F1_CAPS, release); return;
      case 0x45: if (!e0) this.toggle(F_NUM, F1_NUM, release); return;
      case 0x46: if (!e0) this.toggle(F_SCROLL, F1_SCROLL, release); return;
    }
    if (sc === 0x52 && (e0 || !(this.flags0 & (F_NUM | F_LSHIFT | F_RSHIFT)))) {
      this.toggle(F_INSERT, F1_INSERT, release); // Insert toggles, and still makes a key word
      if (release) return;
    }
    if (release) return;
    const word = this.translate(sc, e0);
    if (word === undefined) return;
    if (word === -1) { this.onCtrlAltDel(); return; }
    this.push(word);
  }

  private modifier(flag: number, held1: number, held2: number, release: boolean): void {
    if (held1) this.flags1 = release ? this.flags1 & ~held1 : this.flags1 | held1;
    if (held2) this.flags2 = release ? this.flags2 & ~held2 : this.flags2 | held2;
    // Ctrl/Alt stay down while either side is held.
    let down = !release;
    if (release && flag === F_CTRL) down = (this.flags1 & F1_LCTRL) !== 0 || (this.flags2 & F2_RCTRL) !== 0;
    if (release && flag === F_ALT) down = (this.flags1 & F1_LALT) !== 0 || (this.flags2 & F2_RALT) !== 0;
    this.flags0 = down ? this.flags0 | flag : this.flags0 & ~flag;
  }

  private toggle(flag: number, held: number, release: boolean): void {
    if (release) { this.flags1 = this.flags1 & ~held; return; }
    if (this.flags1 & held) return; // typematic repeat of a held lock key
    this.flags1 = this.flags1 | held;
    this.flags0 = this.flags0 ^ flag;
  }

  /** The key word for a make code, -1 for Ctrl-Alt-Del, undefined when the key makes none. */
  private translate(sc: number, e0: boolean): number | undefined {
    const f = this.flags0;
    const shift = (f & (F_LSHIFT | F_RSHIFT)) !== 0, ctrl = (f & F_CTRL) !== 0, alt = (f & F_ALT) !== 0;
    if (ctrl && alt && sc === 0x53) return -1;
    if (e0) {
      if (sc === 0x1c) return alt ? 0xa600 : ctrl ? 0xe00a : 0xe00d; // keypad Enter
      if (sc === 0x35) return alt ? 0xa400 : ctrl ? 0x9500 : 0xe02f; // keypad /
      const pad = KEYPAD[sc];
      if (!pad) return undefined;
      if (alt) return (sc + 0x50) << 8;
      return ctrl ? (pad[1] & 0xff00) | 0xe0 : (sc << 8) | 0xe0;
    }
    const pad = KEYPAD[sc];
    if (pad) {
      if (alt) return undefined; // Alt+keypad digits: not done
      if (ctrl) return pad[1];
      const digits = ((f & F_NUM) !== 0) !== shift;
      return digits ? (sc << 8) | pad[0].charCodeAt(0) : sc << 8;
    }
    const k = KEYS[sc];
    if (!k) return undefined;
    if (alt) return k[3] || undefined;
    if (ctrl) return k[2] || undefined;
    const letter = (k[0] & 0xff) >= 0x61 && (k[0] & 0xff) <= 0x7a;
    const shifted = letter && (f & F_CAPS) ? !shift : shift;
    return shifted ? k[1] : k[0];
  }

  // ---- INT 16h -----------------------------------------------------------------------------

  /**
   * AH=00h/10h wait for a key, 01h/11h check for a key (ZF=1: none), 02h/12h shift flags,
   * 03h typematic rate (accepted), 05h store a key word, 09h capabilities, 0Ah keyboard ID.
   * Returns "wait" when a blocking read finds the buffer empty (the ROM halts until an IRQ).
   */
  int16(f: Frame): "done" | "wait" {
    const ah = f.ah;
    switch (ah) {
      case 0x00: case 0x10: {
        for (;;) {
          const w = this.peek();
          if (w === undefined) return "wait";
          this.drop();
          const r = this.forFunction(w, ah === 0x10);
          if (r !== undefined) { f.ax = r; return "done"; }
        }
      }
      case 0x01: case 0x11: {
        for (;;) {
          const w = this.peek();
          if (w === undefined) { f.zero = true; return "done"; }
          const r = this.forFunction(w, ah === 0x11);
          if (r !== undefined) { f.ax = r; f.zero = false; return "done"; }
          this.drop(); // an extended-only key the old function does not report
        }
      }
      case 0x02: f.al = this.flags0; return "done";
      case 0x12: {
        f.al = this.flags0;
        const f1 = this.flags1, f2 = this.flags2;
        f.ah = (f1 & 0x03) | ((f2 & F2_RCTRL) ? 0x04 : 0) | ((f2 & F2_RALT) ? 0x08 : 0) | (f1 & 0x70) | (f1 & 0x04 ? 0x80 : 0);
        return "done";
      }
      case 0x03: return "done";
      case 0x05: f.al = this.push(f.cx) ? 0 : 1; return "done";
      case 0x09: f.al = 0x20; return "done"; // INT 16h AH=10h-12h supported
      case 0x0a: f.bx = 0x41ab; return "done"; // MF2 keyboard, translated
      default: return "done";
    }
  }

  /** What the old (00h/01h) or enhanced (10h/11h) functions return for a key word, or undefined to skip it. */
  private forFunction(w: number, enhanced: boolean): number | undefined {
    if (enhanced) return w;
    const sc = w >> 8, ch = w & 0xff;
    if (sc === 0xe0) return ch === 0x2f ? 0x352f : (0x1c << 8) | ch; // keypad / and Enter
    if (sc > 0x84) return undefined;
    if (ch === 0xe0) return sc << 8;
    return w;
  }
}
