// The terminal `emu run` runs on: it shows either COM1 or the VGA text screen, and sends what is
// typed to the one it shows: bytes to COM1, or key presses through the 8042 (and so to the
// BIOS's INT 16h buffer, or the guest's keyboard driver).
//
// Which is shown (emu has no window, so the terminal plays QEMU's display):
// - `-nographic` (and `-display none`): COM1 only, as QEMU's -nographic.
// - `-display curses`: the VGA text screen, as QEMU's curses display; COM1's output is kept and
//   shown when Ctrl-A V switches to it (QEMU's curses shows the serial port on another console).
// - the default on a terminal: the screen the guest's console is on. A machine that boots
//   through firmware shows the VGA screen (what QEMU's window would show), and goes over to
//   COM1 for good the first time the guest writes there: a boot loader or kernel with a serial
//   console (SYSLINUX's SERIAL, Linux's console=ttyS0) is then usable, where QEMU would leave it
//   on a second console. A direct kernel boot shows COM1, unless -append puts the console
//   elsewhere (no console=ttyS).
// - the default through pipes (stdout not a terminal): COM1 only, so scripts read the guest's
//   serial console as before.
// Ctrl-A V switches between the two by hand at any time (except with -nographic).
//
// Input. With a TTY: raw mode, Ctrl-A X quits, Ctrl-A H helps, Ctrl-A V switches, Ctrl-A Ctrl-A
// sends Ctrl-A; keys go to the guest as they are typed (to the keyboard one key at a time, when
// the guest has read the previous one). Through a pipe (a script driving the guest), input goes
// when the guest waits for it: for COM1 a line at a time, each when the guest shows a prompt
// (its serial driver listens, it is idle in HLT, and its last output on COM1 was not a newline);
// for the keyboard a key at a time, each when the guest has read the last one and waits for the
// next: it is idle, or it polls the built-in BIOS's INT 16h (a guest probing the 8042 itself, as
// Linux does while it boots, is not taken as asking for keys).
// Typed-ahead input is then not thrown away by a program that is still starting, and the point
// where each byte arrives depends on guest state alone, so runs stay deterministic.

import type { PC } from "./machine/pc.ts";
import { AnsiScreen } from "./display/ansi-screen.ts";
import { TerminalKeyDecoder, strokeEvents, type KeyStroke } from "./display/terminal-keys.ts";

export type DisplayMode = "auto" | "curses" | "nographic";
type View = "serial" | "vga";

export interface TerminalOptions {
  display: DisplayMode;
  /** The guest boots through firmware (or its kernel console is on the VGA): auto starts on the screen. */
  consoleOnVga: boolean;
}

/** COM1 output kept while the screen is shown (replayed on switching to COM1). */
const BACKLOG_MAX = 64 << 10;
/** Host milliseconds between screen updates. */
const FRAME_MS = 40;

export class Terminal {
  quit = false;
  private pc!: PC;
  private view: View;
  private readonly display: DisplayMode;
  private readonly stdoutTty = process.stdout.isTTY === true;
  /** Auto mode still follows the guest (no switch by hand, no switch to COM1 yet). */
  private following: boolean;
  // COM1
  /** The last byte the guest wrote on COM1, and whether it wrote since the last line went in. */
  private lastOutput = 0x0a;
  private wroteSinceFeed = false;
  private readonly queue: number[] = [];
  private readonly pending: number[] = [];
  private backlog: number[] = [];
  /** Debug console bytes (port 0xE9) held while the screen is on the terminal stderr shares. */
  private debugBacklog: number[] = [];
  // VGA and keyboard
  private readonly screen = new AnsiScreen();
  private readonly decoder = new TerminalKeyDecoder();
  private readonly strokes: KeyStroke[] = [];
  private lastFrame = 0;
  /** The guest's INT 16h calls when the last key went in. */
  private polls = 0;
  private graphicsNote = "";
  private altScreen = false;
  // input
  private escape = false;
  private raw = false;
  private readonly onData = (chunk: Buffer) => this.input(chunk);

  constructor(opts: TerminalOptions) {
    this.display = opts.display;
    const screen = opts.display === "curses" || (opts.display === "auto" && this.stdoutTty && opts.consoleOnVga);
    this.view = screen ? "vga" : "serial";
    this.following = opts.display === "auto" && this.view === "vga";
  }

  attach(pc: PC): void { this.pc = pc; }

  /** A byte the guest wrote to COM1. */
  serialOut(b: number): void {
    this.lastOutput = b;
    this.wroteSinceFeed = true;
    if (this.view === "vga" && this.following) {
      this.following = false;
      this.show("serial", "emu: the guest writes to COM1: showing it (Ctrl-A V shows the VGA screen)\r\n");
    }
    if (this.view === "serial") {
      this.pending.push(b);
      if (this.pending.length >= 4096) this.flush();
    } else {
      this.backlog.push(b);
      if (this.backlog.length > BACKLOG_MAX) this.backlog = this.backlog.slice(-BACKLOG_MAX / 2);
    }
  }

  /** A byte for the debug console (stderr): held back while it would scribble over the screen. */
  debugOut(b: number): void {
    if (this.altScreen && process.stderr.isTTY) {
      if (this.debugBacklog.length < BACKLOG_MAX) this.debugBacklog.push(b);
      return;
    }
    process.stderr.write(Buffer.of(b));
  }

  private leaveScreen(): void {
    if (!this.altScreen) return;
    process.stdout.write("\x1b[0m\x1b[?25h\x1b[?1049l");
    this.altScreen = false;
    if (this.debugBacklog.length) { process.stderr.write(Buffer.from(this.debugBacklog)); this.debugBacklog = []; }
  }

  /** Write COM1's waiting output (and, on the VGA view, the screen's changes when a frame is due). */
  flush(force = false): void {
    if (this.pending.length) { process.stdout.write(Buffer.from(this.pending)); this.pending.length = 0; }
    if (this.view !== "vga" || !this.pc) return;
    const now = performance.now();
    if (!force && now - this.lastFrame < FRAME_MS) return;
    this.lastFrame = now;
    this.render();
  }

  private render(): void {
    const vga = this.pc.vga;
    const mode = vga.mode();
    if (!(vga.misc & 0x02)) return; // display memory off: nothing programmed yet
    if (mode.kind === "graphics") {
      const note = `VGA graphics mode ${mode.width}x${mode.height}: not shown on a terminal`;
      if (note !== this.graphicsNote) {
        this.graphicsNote = note;
        this.screen.resize(80, 25);
        this.screen.invalidate();
        for (let r = 0; r < 25; r++) for (let c = 0; c < 80; c++) this.screen.setCell(r, c, 0x20, 0x07);
        const text = `[${note}]`;
        for (let i = 0; i < text.length; i++) this.screen.setCell(12, 40 - (text.length >> 1) + i, text.charCodeAt(i), 0x07);
        this.screen.setCursor(24, 0, false);
      }
    } else {
      if (this.graphicsNote) { this.graphicsNote = ""; vga.invalidate(); this.screen.invalidate(); }
      this.screen.resize(mode.cols, mode.rows);
      this.screen.blinkEnabled = (vga.attr[0x10] & 0x08) !== 0;
      vga.render(this.screen);
    }
    const out = this.screen.flush();
    if (out) process.stdout.write(out);
  }

  /** Show the other view; `note` is written once the terminal shows COM1. */
  private show(view: View, note = ""): void {
    if (view === this.view) return;
    this.flush(true); // the screen as the guest left it
    this.view = view;
    if (view === "serial") {
      this.leaveScreen();
      process.stderr.write(note);
      if (this.backlog.length) { process.stdout.write(Buffer.from(this.backlog)); this.backlog = []; }
    } else {
      this.enterScreen();
      this.screen.invalidate();
      this.pc?.vga.invalidate();
      this.flush(true);
    }
  }

  private enterScreen(): void {
    if (this.stdoutTty && !this.altScreen) { process.stdout.write("\x1b[?1049h\x1b[2J"); this.altScreen = true; }
  }

  start(): void {
    const stdin = process.stdin;
    if (stdin.isTTY) {
      stdin.setRawMode(true);
      this.raw = true;
    }
    if (this.view === "vga") this.enterScreen();
    stdin.on("data", this.onData);
    stdin.on("end", () => {});
    stdin.resume();
  }

  end(): void {
    this.flush(true);
    if (this.altScreen) this.leaveScreen();
    else if (this.view === "vga") process.stdout.write("\x1b[0m\x1b[?25h\r\n");
    const stdin = process.stdin;
    stdin.off("data", this.onData);
    if (this.raw) stdin.setRawMode(false);
    stdin.pause();
    stdin.unref?.();
  }

  private input(chunk: Buffer): void {
    const bytes: number[] = [];
    for (const b of chunk) {
      if (this.raw) {
        if (this.escape) {
          this.escape = false;
          if (b === 0x78 || b === 0x58) { this.quit = true; continue; } // x
          if (b === 0x68 || b === 0x48) { this.help(); continue; } // h
          if (b === 0x76 || b === 0x56) { this.switchView(); continue; } // v
          if (b === 0x01) { bytes.push(0x01); continue; }
          continue;
        }
        if (b === 0x01) { this.escape = true; continue; }
      }
      bytes.push(b);
    }
    if (this.view === "serial") this.queue.push(...bytes);
    else this.strokes.push(...this.decoder.decode(bytes));
  }

  private switchView(): void {
    if (this.display === "nographic") { process.stderr.write("\r\nemu: -nographic: there is no VGA screen to show\r\n"); return; }
    this.following = false;
    this.show(this.view === "vga" ? "serial" : "vga");
  }

  private help(): void {
    process.stderr.write("\r\nemu: Ctrl-A X  quit\r\n     Ctrl-A V  switch between COM1 and the VGA screen\r\n     Ctrl-A H  this help\r\n     Ctrl-A Ctrl-A  send Ctrl-A\r\n");
  }

  /** How often the guest has asked the built-in BIOS for keys (INT 16h). */
  private keyboardPolls(): number {
    let n = 0;
    for (const [call, count] of this.pc.bios?.calls ?? []) if (call.startsWith("INT 16h")) n += count;
    return n;
  }

  /** Hand queued input to the guest: COM1 once its driver listens, the keyboard once it read the last key. */
  feed(): void {
    const idle = this.pc.takeIdle();
    if (this.strokes.length && !this.pc.kbc.keysPending) {
      const polls = this.keyboardPolls();
      if (this.raw || idle || polls !== this.polls) {
        for (const e of strokeEvents(this.strokes.shift()!)) {
          if (e.down) this.pc.kbc.keyDown(e.code); else this.pc.kbc.keyUp(e.code);
        }
        this.polls = this.keyboardPolls();
      }
    }
    const com1 = this.pc.com[0];
    if (!this.queue.length || !com1.receiverInterruptEnabled || com1.pendingInput > 0) return;
    if (this.raw) { com1.receive(this.queue.splice(0, 16)); return; }
    if (!idle || !this.wroteSinceFeed || this.lastOutput === 0x0a || this.lastOutput === 0x0d) return;
    // One line at a time: the guest takes it, runs it, and shows its prompt again before the next.
    const nl = this.queue.indexOf(0x0a);
    com1.receive(this.queue.splice(0, nl >= 0 ? nl + 1 : this.queue.length));
    this.wroteSinceFeed = false;
  }
}
