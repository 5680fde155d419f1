// The VGA text screen on a terminal, as `qemu -display curses` shows it: a Screen that keeps the
// cells the VGA renders into it and turns the changes into ANSI escape sequences (cursor
// positioning, SGR colours, CP437 as Unicode), so that only what changed is sent.
//
// Colours: the attribute byte's low nibble is the foreground, bits 4-6 the background, bit 7
// blink (or a bright background when the attribute controller has blinking off). The 16 VGA
// colours map to the terminal's 16 ANSI colours (VGA's colour number has blue in bit 0 and red
// in bit 2, ANSI's the other way round), so the terminal's theme decides the exact shades.

import type { Screen } from "../machine/device.ts";
import { CP437 } from "./cp437.ts";

const ESC = "\x1b[";

/** ANSI colour number (0-7) of VGA colour bits 0-2 (blue, green, red). */
const ANSI = [0, 4, 2, 6, 1, 5, 3, 7];

/** The SGR sequence for a VGA attribute byte. */
export function sgr(attr: number, blinkEnabled: boolean): string {
  const fg = attr & 0x0f;
  const bg = blinkEnabled ? (attr >> 4) & 0x07 : (attr >> 4) & 0x0f;
  const parts = ["0", String((fg & 8 ? 90 : 30) + ANSI[fg & 7]), String((bg & 8 ? 100 : 40) + ANSI[bg & 7])];
  if (blinkEnabled && attr & 0x80) parts.push("5");
  return `${ESC}${parts.join(";")}m`;
}

/** The character a terminal shows for a CP437 byte. */
function glyph(ch: number): string {
  const g = CP437[ch];
  return g === "\u00a0" ? " " : g;
}

export class AnsiScreen implements Screen {
  cols = 80;
  rows = 25;
  /** Attribute bit 7 blinks (the attribute controller's blink enable), else it brightens the background. */
  blinkEnabled = true;
  /** Each cell: char | attr << 8. */
  private cells = new Int32Array(80 * 25);
  private dirty = new Uint8Array(80 * 25);
  private anyDirty = false;
  private clearFirst = true;
  private cursor = { row: 0, col: 0, visible: true };
  private cursorDirty = true;

  /** A new geometry: the next flush clears the terminal and draws every cell. */
  resize(cols: number, rows: number): void {
    if (cols === this.cols && rows === this.rows) return;
    this.cols = cols;
    this.rows = rows;
    this.cells = new Int32Array(cols * rows).fill(0x0720);
    this.dirty = new Uint8Array(cols * rows);
    this.invalidate();
  }

  /** The terminal showed something else: draw everything again at the next flush. */
  invalidate(): void {
    this.clearFirst = true;
    this.dirty.fill(1);
    this.anyDirty = true;
    this.cursorDirty = true;
  }

  setCell(row: number, col: number, char: number, attr: number): void {
    if (row >= this.rows || col >= this.cols) return;
    const i = row * this.cols + col;
    const v = char | (attr << 8);
    if (this.cells[i] === v && !this.clearFirst) return;
    this.cells[i] = v;
    this.dirty[i] = 1;
    this.anyDirty = true;
  }

  setCursor(row: number, col: number, visible: boolean): void {
    const c = this.cursor;
    if (c.row === row && c.col === col && c.visible === visible) return;
    this.cursor = { row, col, visible };
    this.cursorDirty = true;
  }

  /** The screen's text, one line per row (trailing blanks kept), for tests and messages. */
  text(): string[] {
    const out: string[] = [];
    for (let r = 0; r < this.rows; r++) {
      let s = "";
      for (let c = 0; c < this.cols; c++) s += glyph(this.cells[r * this.cols + c] & 0xff);
      out.push(s);
    }
    return out;
  }

  /** The escape sequences that bring the terminal up to date ("" when nothing changed). */
  flush(): string {
    if (!this.anyDirty && !this.cursorDirty) return "";
    let out = "";
    if (this.anyDirty) {
      out += ESC + "?25l"; // no cursor flicker while drawing
      if (this.clearFirst) out += `${ESC}0m${ESC}2J`;
      let attr = -1;
      for (let r = 0; r < this.rows; r++) {
        let at = -1; // the column the terminal's cursor is at on this row, -1 = unknown
        for (let c = 0; c < this.cols; c++) {
          const i = r * this.cols + c;
          if (!this.dirty[i]) continue;
          this.dirty[i] = 0;
          if (at !== c) out += `${ESC}${r + 1};${c + 1}H`;
          const cell = this.cells[i];
          if (cell >> 8 !== attr) { attr = cell >> 8; out += sgr(attr, this.blinkEnabled); }
          out += glyph(cell & 0xff);
          at = c + 1;
        }
      }
      out += `${ESC}0m`;
      this.anyDirty = false;
      this.clearFirst = false;
      this.cursorDirty = true;
    }
    const c = this.cursor;
    out += `${ESC}${Math.min(c.row, this.rows - 1) + 1};${Math.min(c.col, this.cols - 1) + 1}H` + (c.visible ? ESC + "?25h" : ESC + "?25l");
    this.cursorDirty = false;
    return out;
  }
}
