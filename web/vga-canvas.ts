// Draws VGA frames from the worker on a canvas: text modes cell by cell with fillText (code page
// 437 mapped to Unicode, colours from the attribute byte through the guest's palette), graphics
// modes (13h, the 16-colour planar modes) as pixels.

import type { TextFrame, GraphicsFrame } from "./protocol.ts";
import { CP437 } from "../src/display/cp437.ts";

const CELL_W = 9;
const CELL_H = 16;
const FONT = `${CELL_H - 2}px "DejaVu Sans Mono", "Cascadia Mono", Consolas, Menlo, "Liberation Mono", monospace`;
const BLINK_MS = 533;

const hex = (rgb: number) => "#" + rgb.toString(16).padStart(6, "0");

export class VgaCanvas {
  private readonly ctx: CanvasRenderingContext2D;
  private text: TextFrame | undefined;
  /** What the canvas shows now (-1: must be drawn). */
  private shown = new Int32Array(0);
  private colours: string[] = [];
  private blinkOn = true;
  private lastCursor = { row: -1, col: -1 };
  private mode = "";
  private readonly timer: ReturnType<typeof setInterval>;
  /** Text mode geometry and a short description, for the page. */
  description = "";

  constructor(private readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext("2d", { alpha: false });
    if (!ctx) throw new Error("no 2D canvas");
    this.ctx = ctx;
    this.timer = setInterval(() => this.toggleBlink(), BLINK_MS);
    this.clear(80, 25);
  }

  dispose(): void { clearInterval(this.timer); }

  private clear(cols: number, rows: number): void {
    // Text is drawn at two or three times the VGA's pixels and scaled down by the browser: the
    // canvas is shown 4:3 (as a monitor shows 720x400), which would make 1:1 glyphs blocky.
    const scale = (globalThis.devicePixelRatio || 1) >= 2 ? 3 : 2;
    this.canvas.classList.remove("pixels");
    this.canvas.width = cols * CELL_W * scale;
    this.canvas.height = rows * CELL_H * scale;
    this.ctx.setTransform(scale, 0, 0, scale, 0, 0);
    this.ctx.fillStyle = "#000";
    this.ctx.fillRect(0, 0, cols * CELL_W, rows * CELL_H);
    this.ctx.imageSmoothingEnabled = false;
  }

  draw(frame: TextFrame | GraphicsFrame): void {
    if (frame.kind === "graphics") return this.drawGraphics(frame);
    const key = `text ${frame.cols}x${frame.rows}`;
    const palette = frame.palette.map(hex);
    if (key !== this.mode || palette.join() !== this.colours.join() || this.text?.blink !== frame.blink) {
      this.mode = key;
      this.description = `text ${frame.cols}×${frame.rows}`;
      this.clear(frame.cols, frame.rows);
      this.shown = new Int32Array(frame.cols * frame.rows).fill(-1);
      this.colours = palette;
      this.lastCursor = { row: -1, col: -1 };
    }
    this.text = frame;
    this.drawCells(false);
  }

  private drawGraphics(frame: GraphicsFrame): void {
    const key = `graphics ${frame.width}x${frame.height}`;
    if (key !== this.mode) {
      this.mode = key;
      this.description = `graphics ${frame.width}×${frame.height}`;
      this.canvas.classList.add("pixels");
      this.canvas.width = frame.width;
      this.canvas.height = frame.height;
      this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    }
    this.text = undefined;
    this.ctx.putImageData(new ImageData(frame.rgba as Uint8ClampedArray<ArrayBuffer>, frame.width, frame.height), 0, 0);
  }

  private toggleBlink(): void {
    this.blinkOn = !this.blinkOn;
    if (!this.text) return;
    this.drawCells(true);
  }

  /** Draw cells that changed (or, on a blink tick, the ones that blink) and the cursor. */
  private drawCells(blinkTick: boolean): void {
    const f = this.text!;
    const ctx = this.ctx;
    ctx.font = FONT;
    ctx.textBaseline = "alphabetic";
    ctx.textAlign = "center";
    const { cursor } = f;
    for (let i = 0; i < f.cells.length; i++) {
      const cell = f.cells[i];
      const blinks = f.blink && (cell & 0x8000) !== 0;
      if (this.shown[i] === cell && !(blinkTick && blinks)) continue;
      this.shown[i] = cell;
      this.drawCell(i % f.cols, Math.floor(i / f.cols), cell, f.blink);
    }
    // The cursor: redraw the cell it left, and draw it where it is (an underline, blinking).
    const old = this.lastCursor;
    if (old.row >= 0 && (old.row !== cursor.row || old.col !== cursor.col || blinkTick)) {
      const i = old.row * f.cols + old.col;
      if (i < f.cells.length) this.drawCell(old.col, old.row, f.cells[i], f.blink);
    }
    if (cursor.visible && this.blinkOn) {
      const i = cursor.row * f.cols + cursor.col;
      const fg = this.colours[(f.cells[i] >> 8) & 0x0f] ?? "#aaa";
      ctx.fillStyle = fg;
      ctx.fillRect(cursor.col * CELL_W, cursor.row * CELL_H + CELL_H - 3, CELL_W, 2);
      this.shown[i] = -1; // drawn over: repaint the cell when the cursor moves on
    } else if (cursor.visible) {
      const i = cursor.row * f.cols + cursor.col;
      if (i < f.cells.length) this.drawCell(cursor.col, cursor.row, f.cells[i], f.blink);
    }
    this.lastCursor = cursor.visible ? { row: cursor.row, col: cursor.col } : { row: -1, col: -1 };
  }

  private drawCell(col: number, row: number, cell: number, blinkMode: boolean): void {
    const ctx = this.ctx;
    const ch = cell & 0xff;
    const attr = cell >> 8;
    const fg = this.colours[attr & 0x0f];
    const bg = this.colours[blinkMode ? (attr >> 4) & 0x07 : (attr >> 4) & 0x0f];
    const x = col * CELL_W, y = row * CELL_H;
    ctx.fillStyle = bg;
    ctx.fillRect(x, y, CELL_W, CELL_H);
    if (blinkMode && (attr & 0x80) && !this.blinkOn) return;
    if (ch === 0 || ch === 0x20 || ch === 0xff) return;
    ctx.fillStyle = fg;
    // Block elements are drawn as rectangles, so that they tile without gaps.
    switch (ch) {
      case 0xdb: ctx.fillRect(x, y, CELL_W, CELL_H); return;
      case 0xdc: ctx.fillRect(x, y + CELL_H / 2, CELL_W, CELL_H / 2); return;
      case 0xdd: ctx.fillRect(x, y, Math.ceil(CELL_W / 2), CELL_H); return;
      case 0xde: ctx.fillRect(x + Math.floor(CELL_W / 2), y, Math.ceil(CELL_W / 2), CELL_H); return;
      case 0xdf: ctx.fillRect(x, y, CELL_W, CELL_H / 2); return;
    }
    // Clipped to the cell: a glyph reaching into the next row would be left there when that row
    // is repainted without this one.
    ctx.save();
    ctx.beginPath();
    ctx.rect(x, y, CELL_W, CELL_H);
    ctx.clip();
    ctx.fillText(CP437[ch], x + CELL_W / 2, y + CELL_H - 4, CELL_W + 1);
    ctx.restore();
  }

  /** The text the screen shows (for tests and copy): rows joined by newlines. */
  screenText(): string {
    const f = this.text;
    if (!f) return "";
    const lines: string[] = [];
    for (let r = 0; r < f.rows; r++) {
      let s = "";
      for (let c = 0; c < f.cols; c++) s += CP437[f.cells[r * f.cols + c] & 0xff];
      lines.push(s.replace(/\u00a0/g, " ").trimEnd());
    }
    return lines.join("\n");
  }
}
