// 8042 keyboard controller (ports 0x60 and 0x64) with a PS/2 keyboard and a PS/2 mouse.
//
// Sources: IBM Personal System/2 Hardware Interface Technical Reference, "Keyboard/Auxiliary
// Device Controller" (status register, command byte, controller commands, input and output
// ports) and "Keyboard and Auxiliary Device" (keyboard and mouse commands, scan code set 2, the
// mouse data packet); IBM PC AT Technical Reference, "Keyboard" (scan code set 1, the 8042's
// translation of set 2 to set 1); the OSDev wiki pages "8042 PS/2 Controller", "PS/2 Keyboard"
// and "PS/2 Mouse" for the commands later controllers added (0xA7-0xA9, 0xD2-0xD4, 0xDD/0xDF).
//
// Everything is instantaneous in guest time: a command's response is in the output buffer as
// soon as the command is written, and when the guest reads the output buffer the next waiting
// byte is loaded at once (the IRQ line drops and rises again, so an edge-triggered PIC sees
// every byte). Keyboard bytes go first to a response queue (ACKs and replies, which a real
// keyboard sends ahead of buffered keys) and then to its scan-code buffer.
//
// A20 and reset: the output port's bit 1 gates A20 and bit 0 is the CPU reset line. `onA20` is
// called whenever the guest writes the output port (0xD1, 0xDD, 0xDF); `onReset` when the guest
// pulses or clears bit 0. The chipset ORs this A20 gate with port 0x92's (see port92.ts): the
// machine should do the same with the two callbacks. The output port starts at 0xCF (A20 on),
// as the 8042's port pins come out of reset high.

import type { Device, DeviceState, IrqLine, PortBus, PortSize } from "../machine/device.ts";

const DATA_PORT = 0x60;
const STATUS_PORT = 0x64;

// Status register (port 0x64, read).
const STATUS_OBF = 0x01; // output buffer full
const STATUS_IBF = 0x02; // input buffer full: never set, input is handled at once
const STATUS_SYS = 0x04; // system flag (command byte bit 2)
const STATUS_A2 = 0x08; // last write was to port 0x64 (a command)
const STATUS_INH = 0x10; // 1 = keyboard not inhibited (the key lock is open)
const STATUS_AUXB = 0x20; // the output buffer holds auxiliary-device data
const STATUS_TIMEOUT = 0x40;
const STATUS_PARITY = 0x80; // never set: no transmission errors

// Command byte (controller RAM byte 0).
const CMD_KBD_INT = 0x01; // IRQ1 when the output buffer holds keyboard data
const CMD_AUX_INT = 0x02; // IRQ12 when it holds auxiliary data
const CMD_SYS = 0x04;
const CMD_KBD_DISABLE = 0x10;
const CMD_AUX_DISABLE = 0x20;
const CMD_TRANSLATE = 0x40; // translate keyboard set 2 codes to set 1
/** Power-on command byte: keyboard IRQ, translation, mouse port off, SYS = 0 (cold boot). */
const CMD_POWER_ON = CMD_KBD_INT | CMD_AUX_DISABLE | CMD_TRANSLATE;

// Output port (0xD0/0xD1).
const OUT_RESET = 0x01; // 0 = hold the CPU in reset
const OUT_A20 = 0x02;
const OUT_KBD_OBF = 0x10; // wired to IRQ1
const OUT_AUX_OBF = 0x20; // wired to IRQ12
const OUT_POWER_ON = 0xcf;

/**
 * Input port (0xC0): bit 7 keyboard not inhibited, bit 6 = 0 colour display, bit 5 = 1 no
 * manufacturing jumper, bits 0-1 keyboard and auxiliary data lines idle high.
 */
const INPUT_PORT = 0xa3;

// Response bytes.
const ACK = 0xfa;
const RESEND = 0xfe;
const BAT_OK = 0xaa;
const ECHO = 0xee;
const SELF_TEST_OK = 0x55;
const INTERFACE_OK = 0x00;
const PASSWORD_NOT_INSTALLED = 0xf1;

/**
 * The 8042's set 2 -> set 1 translation for codes 0x00-0x7F (IBM AT Technical Reference). Codes
 * 0x80 and up pass unchanged except 0x83 (F7), which becomes 0x41; a 0xF0 break prefix is
 * absorbed and sets bit 7 of the next translated code.
 */
const SET2_TO_SET1: readonly number[] = [
  0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
  0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
  0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
  0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
  0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
  0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
  0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
  0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, 0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
];

/** Translate one set-2 byte; returns undefined for a 0xF0 prefix (absorbed into `state`). */
export function translateSet2Byte(byte: number, state: { breakPrefix: boolean }): number | undefined {
  if (byte === 0xf0) {
    state.breakPrefix = true;
    return undefined;
  }
  const code = byte < 0x80 ? SET2_TO_SET1[byte] : byte === 0x83 ? 0x41 : byte;
  const out = state.breakPrefix ? code | 0x80 : code;
  state.breakPrefix = false;
  return out;
}

/** Translate a whole set-2 sequence to set 1. */
export function translateSet2(bytes: readonly number[]): number[] {
  const state = { breakPrefix: false };
  const out: number[] = [];
  for (const b of bytes) {
    const t = translateSet2Byte(b, state);
    if (t !== undefined) out.push(t);
  }
  return out;
}

// ---- keys ---------------------------------------------------------------------------------------

/** Scan code set 2 of each key, by DOM KeyboardEvent.code. Extended keys are [0xE0, code]. */
const SET2_KEYS: Record<string, readonly number[]> = {
  Escape: [0x76], F1: [0x05], F2: [0x06], F3: [0x04], F4: [0x0c], F5: [0x03], F6: [0x0b],
  F7: [0x83], F8: [0x0a], F9: [0x01], F10: [0x09], F11: [0x78], F12: [0x07],
  F13: [0x08], F14: [0x10], F15: [0x18], F16: [0x20], F17: [0x28], F18: [0x30], F19: [0x38],
  F20: [0x40], F21: [0x48], F22: [0x50], F23: [0x57], F24: [0x5f],
  Backquote: [0x0e], Digit1: [0x16], Digit2: [0x1e], Digit3: [0x26], Digit4: [0x25], Digit5: [0x2e],
  Digit6: [0x36], Digit7: [0x3d], Digit8: [0x3e], Digit9: [0x46], Digit0: [0x45], Minus: [0x4e],
  Equal: [0x55], Backspace: [0x66],
  Tab: [0x0d], KeyQ: [0x15], KeyW: [0x1d], KeyE: [0x24], KeyR: [0x2d], KeyT: [0x2c], KeyY: [0x35],
  KeyU: [0x3c], KeyI: [0x43], KeyO: [0x44], KeyP: [0x4d], BracketLeft: [0x54], BracketRight: [0x5b],
  Backslash: [0x5d],
  CapsLock: [0x58], KeyA: [0x1c], KeyS: [0x1b], KeyD: [0x23], KeyF: [0x2b], KeyG: [0x34], KeyH: [0x33],
  KeyJ: [0x3b], KeyK: [0x42], KeyL: [0x4b], Semicolon: [0x4c], Quote: [0x52], Enter: [0x5a],
  ShiftLeft: [0x12], IntlBackslash: [0x61], KeyZ: [0x1a], KeyX: [0x22], KeyC: [0x21], KeyV: [0x2a],
  KeyB: [0x32], KeyN: [0x31], KeyM: [0x3a], Comma: [0x41], Period: [0x49], Slash: [0x4a],
  IntlRo: [0x51], ShiftRight: [0x59],
  ControlLeft: [0x14], MetaLeft: [0xe0, 0x1f], OSLeft: [0xe0, 0x1f], AltLeft: [0x11], Space: [0x29],
  AltRight: [0xe0, 0x11], MetaRight: [0xe0, 0x27], OSRight: [0xe0, 0x27], ContextMenu: [0xe0, 0x2f],
  ControlRight: [0xe0, 0x14],
  KanaMode: [0x13], Convert: [0x64], NonConvert: [0x67], IntlYen: [0x6a],
  ScrollLock: [0x7e],
  Insert: [0xe0, 0x70], Home: [0xe0, 0x6c], PageUp: [0xe0, 0x7d],
  Delete: [0xe0, 0x71], End: [0xe0, 0x69], PageDown: [0xe0, 0x7a],
  ArrowUp: [0xe0, 0x75], ArrowLeft: [0xe0, 0x6b], ArrowDown: [0xe0, 0x72], ArrowRight: [0xe0, 0x74],
  NumLock: [0x77], NumpadDivide: [0xe0, 0x4a], NumpadMultiply: [0x7c], NumpadSubtract: [0x7b],
  Numpad7: [0x6c], Numpad8: [0x75], Numpad9: [0x7d], NumpadAdd: [0x79],
  Numpad4: [0x6b], Numpad5: [0x73], Numpad6: [0x74],
  Numpad1: [0x69], Numpad2: [0x72], Numpad3: [0x7a], NumpadEnter: [0xe0, 0x5a],
  Numpad0: [0x70], NumpadDecimal: [0x71], NumpadEqual: [0x0f], NumpadComma: [0x6d],
  Power: [0xe0, 0x37], Sleep: [0xe0, 0x3f], WakeUp: [0xe0, 0x5e],
  AudioVolumeMute: [0xe0, 0x23], AudioVolumeDown: [0xe0, 0x21], AudioVolumeUp: [0xe0, 0x32],
  MediaPlayPause: [0xe0, 0x34], MediaStop: [0xe0, 0x3b], MediaTrackNext: [0xe0, 0x4d],
  MediaTrackPrevious: [0xe0, 0x15], BrowserHome: [0xe0, 0x3a], LaunchMail: [0xe0, 0x48],
};

interface KeyCodes { make: readonly number[]; break: readonly number[] }

/** Set-2 make and break sequences: a break is the make with 0xF0 before the last byte. */
function set2Codes(code: string): KeyCodes | undefined {
  // Print Screen sends a fake Left Shift around its own code; Pause has no break code.
  if (code === "PrintScreen") return { make: [0xe0, 0x12, 0xe0, 0x7c], break: [0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12] };
  if (code === "Pause") return { make: [0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77], break: [] };
  const make = SET2_KEYS[code];
  if (!make) return undefined;
  return { make, break: [...make.slice(0, -1), 0xf0, make[make.length - 1]] };
}

/** The make and break codes of a DOM key code in scan code set 1 or 2. */
export function scanCodes(code: string, set: 1 | 2): KeyCodes | undefined {
  const codes = set2Codes(code);
  if (!codes || set === 2) return codes;
  return { make: translateSet2([...codes.make]), break: translateSet2([...codes.break]) };
}

/** The DOM key codes the keyboard knows. */
export const KEY_CODES: readonly string[] = [...Object.keys(SET2_KEYS), "PrintScreen", "Pause"];

// ---- the keyboard -------------------------------------------------------------------------------

const TYPEMATIC_DEFAULT = 0x2b; // 10.9 characters/s after 500 ms

interface KeyboardSnapshot {
  responses: number[]; scan: number[]; lastSent: number; scanning: boolean; set: number;
  typematic: number; leds: number; pendingCommand: number;
}

/** A PS/2 keyboard: commands from the controller, scan codes from key events. */
class Ps2Keyboard {
  private responses: number[] = [];
  private scan: number[] = [];
  private lastSent = 0;
  scanning = true;
  set: 1 | 2 = 2;
  typematic = TYPEMATIC_DEFAULT;
  leds = 0;
  /** A command waiting for its argument byte (0xED, 0xF0, 0xF3), or 0. */
  private pendingCommand = 0;

  reset(): void {
    this.responses = [];
    this.scan = [];
    this.pendingCommand = 0;
    this.leds = 0;
    this.setDefaults();
    this.scanning = true;
  }

  private setDefaults(): void {
    this.set = 2;
    this.typematic = TYPEMATIC_DEFAULT;
  }

  hasData(): boolean {
    return this.responses.length > 0 || this.scan.length > 0;
  }

  /** The next byte to send to the controller. */
  take(): number {
    const b = this.responses.length > 0 ? this.responses.shift()! : this.scan.shift()!;
    this.lastSent = b;
    return b;
  }

  key(code: string, down: boolean): boolean {
    const codes = scanCodes(code, this.set);
    if (!codes) return false;
    if (this.scanning) this.scan.push(...(down ? codes.make : codes.break));
    return true;
  }

  /** A byte from the controller (a command or a command's argument). */
  command(byte: number): void {
    const reply = (...bytes: number[]) => this.responses.push(...bytes);
    // An argument is 0x00-0x7F; a byte with bit 7 set starts a new command instead.
    if (this.pendingCommand && byte < 0x80) {
      const cmd = this.pendingCommand;
      this.pendingCommand = 0;
      switch (cmd) {
        case 0xed: // set LEDs: bit 0 Scroll, 1 Num, 2 Caps Lock
          this.leds = byte & 0x07;
          reply(ACK);
          return;
        case 0xf3: // typematic rate (bits 0-4) and delay (bits 5-6)
          this.typematic = byte & 0x7f;
          reply(ACK);
          return;
        case 0xf0: // scan code set: 0 = report the current set
          if (byte === 0) reply(ACK, this.set);
          else if (byte === 1 || byte === 2) {
            this.set = byte;
            this.scan = [];
            reply(ACK);
          } else reply(RESEND); // set 3 is not supported
          return;
      }
    }
    this.pendingCommand = 0;
    switch (byte) {
      case 0xed:
      case 0xf0:
      case 0xf3:
        this.pendingCommand = byte;
        reply(ACK);
        return;
      case 0xee: // echo
        reply(ECHO);
        return;
      case 0xf2: // identify: an MF2 keyboard
        reply(ACK, 0xab, 0x83);
        return;
      case 0xf4: // enable scanning, clearing the buffer
        this.scan = [];
        this.scanning = true;
        reply(ACK);
        return;
      case 0xf5: // disable scanning and restore the defaults
        this.scan = [];
        this.scanning = false;
        this.setDefaults();
        reply(ACK);
        return;
      case 0xf6: // restore the defaults, keep scanning
        this.scan = [];
        this.setDefaults();
        reply(ACK);
        return;
      case 0xf7: case 0xf8: case 0xf9: case 0xfa: case 0xfb: case 0xfc: case 0xfd:
        reply(ACK); // set-3 key types: accepted and ignored
        return;
      case 0xfe: // resend the last byte
        reply(this.lastSent);
        return;
      case 0xff: // reset and self-test (BAT)
        this.reset();
        reply(ACK, BAT_OK);
        return;
      default:
        reply(RESEND);
    }
  }

  saveState(): KeyboardSnapshot {
    return {
      responses: [...this.responses], scan: [...this.scan], lastSent: this.lastSent, scanning: this.scanning,
      set: this.set, typematic: this.typematic, leds: this.leds, pendingCommand: this.pendingCommand,
    };
  }

  loadState(s: KeyboardSnapshot): void {
    this.responses = [...s.responses]; this.scan = [...s.scan]; this.lastSent = s.lastSent;
    this.scanning = s.scanning; this.set = s.set === 1 ? 1 : 2; this.typematic = s.typematic;
    this.leds = s.leds; this.pendingCommand = s.pendingCommand;
  }
}

// ---- the mouse ----------------------------------------------------------------------------------

/** Mouse bytes kept while the auxiliary port is disabled; newer packets are dropped beyond. */
const MOUSE_QUEUE_LIMIT = 256;
/** The IntelliMouse "knock": sample rates 200, 100, 80 switch the device ID to 3 (wheel). */
const INTELLIMOUSE_KNOCK = [200, 100, 80];

interface MouseSnapshot {
  responses: number[]; data: number[]; lastSent: number; pendingCommand: number;
  rate: number; resolution: number; scaling2to1: boolean; reporting: boolean; remote: boolean;
  wrap: boolean; id: number; rates: number[]; buttons: number; dx: number; dy: number; dz: number;
}

/** A PS/2 mouse (device ID 0, or 3 with a wheel after the IntelliMouse sequence). */
class Ps2Mouse {
  private responses: number[] = [];
  private data: number[] = [];
  private lastSent = 0;
  private pendingCommand = 0;
  rate = 100;
  resolution = 2;
  scaling2to1 = false;
  reporting = false;
  remote = false;
  wrap = false;
  id = 0;
  private rates: number[] = [];
  /** Bit 0 left, bit 1 right, bit 2 middle (the packet's order). */
  private buttons = 0;
  /** Movement not yet reported (remote mode), PS/2 sense: y up, z toward the user. */
  private dx = 0;
  private dy = 0;
  private dz = 0;

  reset(): void {
    this.responses = [];
    this.data = [];
    this.pendingCommand = 0;
    this.setDefaults();
    this.wrap = false;
    this.id = 0;
    this.rates = [];
  }

  private setDefaults(): void {
    this.rate = 100;
    this.resolution = 2;
    this.scaling2to1 = false;
    this.reporting = false;
    this.remote = false;
    this.dx = this.dy = this.dz = 0;
  }

  hasData(): boolean {
    return this.responses.length > 0 || this.data.length > 0;
  }

  take(): number {
    const b = this.responses.length > 0 ? this.responses.shift()! : this.data.shift()!;
    this.lastSent = b;
    return b;
  }

  command(byte: number): void {
    const reply = (...bytes: number[]) => this.responses.push(...bytes);
    if (this.pendingCommand) {
      const cmd = this.pendingCommand;
      this.pendingCommand = 0;
      if (cmd === 0xe8) {
        this.resolution = byte & 3;
      } else {
        this.rate = byte;
        this.rates = [...this.rates, byte].slice(-3);
        if (this.rates.join() === INTELLIMOUSE_KNOCK.join()) this.id = 3;
      }
      reply(ACK);
      return;
    }
    if (this.wrap && byte !== 0xec && byte !== 0xff) {
      reply(byte); // wrap (echo) mode
      return;
    }
    switch (byte) {
      case 0xe6: this.scaling2to1 = false; reply(ACK); return;
      case 0xe7: this.scaling2to1 = true; reply(ACK); return;
      case 0xe8: case 0xf3: this.pendingCommand = byte; reply(ACK); return;
      case 0xe9: { // status request
        const status = (this.remote ? 0x40 : 0) | (this.reporting ? 0x20 : 0) | (this.scaling2to1 ? 0x10 : 0) |
          (this.buttons & 1 ? 0x04 : 0) | (this.buttons & 4 ? 0x02 : 0) | (this.buttons & 2 ? 0x01 : 0);
        reply(ACK, status, this.resolution, this.rate);
        return;
      }
      case 0xea: this.remote = false; this.dx = this.dy = this.dz = 0; reply(ACK); return;
      case 0xeb: reply(ACK, ...this.packet(false)); return; // read data (one packet)
      case 0xec: this.wrap = false; reply(ACK); return;
      case 0xee: this.wrap = true; reply(ACK); return;
      case 0xf0: this.remote = true; reply(ACK); return;
      case 0xf2: reply(ACK, this.id); return;
      case 0xf4: this.reporting = true; reply(ACK); return;
      case 0xf5: this.reporting = false; reply(ACK); return;
      case 0xf6: this.setDefaults(); reply(ACK); return;
      case 0xfe: reply(this.lastSent); return;
      case 0xff: this.reset(); reply(ACK, BAT_OK, 0x00); return;
      default: reply(RESEND);
    }
  }

  /** Movement in PS/2 sense (y up, z toward the user) and the button state. */
  move(dx: number, dy: number, dz: number, buttons: number): void {
    const changed = buttons !== this.buttons;
    this.buttons = buttons & 7;
    this.dx += dx;
    this.dy += dy;
    this.dz += dz;
    if (this.remote || !this.reporting) {
      if (!this.reporting && !this.remote) this.dx = this.dy = this.dz = 0;
      return;
    }
    // Stream mode: send packets until the movement is reported (each carries at most +-255).
    let first = true;
    for (let n = 0; n < 16 && (first && changed || this.dx || this.dy || this.dz); n++) {
      first = false;
      const bytes = this.packet(true);
      if (this.data.length + bytes.length <= MOUSE_QUEUE_LIMIT) this.data.push(...bytes);
    }
    this.dx = this.dy = this.dz = 0;
  }

  /** One movement packet, taking up to +-255 of the pending movement. */
  private packet(stream: boolean): number[] {
    const take = (v: number) => Math.max(-255, Math.min(255, v));
    let x = take(this.dx);
    let y = take(this.dy);
    const z = Math.max(-8, Math.min(7, this.dz));
    this.dx -= x;
    this.dy -= y;
    this.dz -= z;
    if (stream && this.scaling2to1) {
      x = this.scale(x);
      y = this.scale(y);
    }
    const overflowX = x < -256 || x > 255;
    const overflowY = y < -256 || y > 255;
    x = Math.max(-256, Math.min(255, x));
    y = Math.max(-256, Math.min(255, y));
    const b0 = 0x08 | (this.buttons & 7) | (x < 0 ? 0x10 : 0) | (y < 0 ? 0x20 : 0) |
      (overflowX ? 0x40 : 0) | (overflowY ? 0x80 : 0);
    const bytes = [b0, x & 0xff, y & 0xff];
    if (this.id === 3) bytes.push(z & 0xff);
    return bytes;
  }

  /** 2:1 scaling (stream mode only): 0 1 2 3 4 5 -> 0 1 1 3 6 9, then doubled. */
  private scale(v: number): number {
    const a = Math.abs(v);
    const s = a <= 5 ? [0, 1, 1, 3, 6, 9][a] : 2 * a;
    return v < 0 ? -s : s;
  }

  saveState(): MouseSnapshot {
    return {
      responses: [...this.responses], data: [...this.data], lastSent: this.lastSent, pendingCommand: this.pendingCommand,
      rate: this.rate, resolution: this.resolution, scaling2to1: this.scaling2to1, reporting: this.reporting,
      remote: this.remote, wrap: this.wrap, id: this.id, rates: [...this.rates], buttons: this.buttons,
      dx: this.dx, dy: this.dy, dz: this.dz,
    };
  }

  loadState(s: MouseSnapshot): void {
    this.responses = [...s.responses]; this.data = [...s.data]; this.lastSent = s.lastSent;
    this.pendingCommand = s.pendingCommand; this.rate = s.rate; this.resolution = s.resolution;
    this.scaling2to1 = s.scaling2to1; this.reporting = s.reporting; this.remote = s.remote; this.wrap = s.wrap;
    this.id = s.id; this.rates = [...s.rates]; this.buttons = s.buttons; this.dx = s.dx; this.dy = s.dy; this.dz = s.dz;
  }
}

// ---- the controller -----------------------------------------------------------------------------

export interface I8042Options {
  /** Whether a mouse is plugged into the auxiliary port (default true). */
  mouse?: boolean;
}

interface ControllerByte { value: number; aux: boolean }

interface I8042Snapshot {
  ram: number[]; outputPort: number; outputBuffer: number; outputFull: boolean; outputAux: boolean;
  a2: boolean; timeout: boolean; pendingCommand: number; controllerQueue: ControllerByte[];
  breakPrefix: boolean; keyboard: KeyboardSnapshot; mouse: MouseSnapshot;
}

export class I8042 implements Device {
  readonly name = "8042 keyboard controller";
  /** Called when the guest writes the output port's A20 gate bit. */
  onA20: (enabled: boolean) => void = () => {};
  /** Called when the guest pulses the CPU reset line. */
  onReset: () => void = () => {};

  /** Controller RAM; byte 0 is the command byte. */
  private ram: number[] = new Array(32).fill(0);
  private outputPort = OUT_POWER_ON;
  private outputBuffer = 0;
  private outputFull = false;
  private outputAux = false;
  private a2 = false;
  private timeout = false;
  /** A controller command waiting for its data byte on port 0x60, or 0. */
  private pendingCommand = 0;
  /** Bytes the controller itself puts in the output buffer (replies, 0xD2/0xD3). */
  private controllerQueue: ControllerByte[] = [];
  /** Translation state: a 0xF0 break prefix was seen. */
  private readonly translator = { breakPrefix: false };
  private readonly keyboard = new Ps2Keyboard();
  private readonly mouse = new Ps2Mouse();
  private readonly mousePresent: boolean;
  private irq1Level = false;
  private irq12Level = false;

  constructor(private readonly irq1: IrqLine, private readonly irq12: IrqLine, options: I8042Options = {}) {
    this.mousePresent = options.mouse ?? true;
    this.reset();
  }

  attach(bus: PortBus): void {
    bus.register(this, DATA_PORT, 1, (_p, size) => this.widen(this.readData(), size), (_p, v) => this.writeData(v & 0xff));
    bus.register(this, STATUS_PORT, 1, (_p, size) => this.widen(this.readStatus(), size), (_p, v) => this.writeCommand(v & 0xff));
  }

  /** An 8-bit port read wider: the other bytes float high. */
  private widen(byte: number, size: PortSize): number {
    return size === 1 ? byte : size === 2 ? 0xff00 | byte : (0xffffff00 | byte) >>> 0;
  }

  reset(): void {
    this.ram = new Array(32).fill(0);
    this.ram[0] = CMD_POWER_ON;
    this.outputPort = OUT_POWER_ON;
    this.outputBuffer = 0;
    this.outputFull = false;
    this.outputAux = false;
    this.a2 = false;
    this.timeout = false;
    this.pendingCommand = 0;
    this.controllerQueue = [];
    this.translator.breakPrefix = false;
    this.keyboard.reset();
    this.mouse.reset();
    this.updateIrq();
  }

  // ---- host side ------------------------------------------------------------------------------

  /** A key press (DOM KeyboardEvent.code); repeated calls are typematic repeats. False if unknown. */
  keyDown(code: string): boolean {
    const known = this.keyboard.key(code, true);
    this.fillOutputBuffer();
    return known;
  }

  /** A key release. False if the code is unknown. */
  keyUp(code: string): boolean {
    const known = this.keyboard.key(code, false);
    this.fillOutputBuffer();
    return known;
  }

  /**
   * Mouse movement in screen sense (DOM MouseEvent.movementX/Y: y grows downwards; dz > 0 is the
   * wheel turned toward the user, as WheelEvent.deltaY > 0) and the buttons held (bit 0 left,
   * bit 1 right, bit 2 middle). Ignored without a mouse.
   */
  mouseEvent(dx: number, dy: number, dz = 0, buttons = 0): void {
    if (!this.mousePresent) return;
    this.mouse.move(Math.trunc(dx), -Math.trunc(dy), Math.trunc(dz), buttons);
    this.fillOutputBuffer();
  }

  /** The keyboard LEDs the guest set (bit 0 Scroll, 1 Num, 2 Caps Lock). */
  get leds(): number {
    return this.keyboard.leds;
  }

  /** Keyboard bytes the guest has not read yet (in the keyboard or the output buffer). */
  get keysPending(): boolean {
    return this.keyboard.hasData() || (this.outputFull && !this.outputAux);
  }

  /** The output port's A20 gate. */
  get a20(): boolean {
    return (this.outputPort & OUT_A20) !== 0;
  }

  // ---- ports ----------------------------------------------------------------------------------

  private get commandByte(): number {
    return this.ram[0];
  }

  readStatus(): number {
    return (this.outputFull ? STATUS_OBF : 0) | (this.commandByte & CMD_SYS ? STATUS_SYS : 0) |
      (this.a2 ? STATUS_A2 : 0) | STATUS_INH | (this.outputFull && this.outputAux ? STATUS_AUXB : 0) |
      (this.timeout ? STATUS_TIMEOUT : 0);
  }

  readData(): number {
    const value = this.outputBuffer;
    if (this.outputFull) {
      this.outputFull = false;
      this.updateIrq();
      this.fillOutputBuffer();
    }
    return value;
  }

  writeData(value: number): void {
    this.a2 = false;
    const cmd = this.pendingCommand;
    this.pendingCommand = 0;
    if (cmd >= 0x60 && cmd <= 0x7f) {
      this.ram[cmd & 0x1f] = value;
    } else if (cmd === 0xd1) {
      this.writeOutputPort(value);
    } else if (cmd === 0xd2) {
      this.controllerQueue.push({ value, aux: false }); // as if from the keyboard (untranslated)
    } else if (cmd === 0xd3) {
      this.controllerQueue.push({ value, aux: true }); // as if from the mouse
    } else if (cmd === 0xd4) {
      this.sendToMouse(value);
    } else {
      this.timeout = false;
      this.keyboard.command(value);
    }
    this.fillOutputBuffer();
    this.updateIrq();
  }

  writeCommand(cmd: number): void {
    this.a2 = true;
    this.pendingCommand = 0;
    const reply = (value: number) => this.controllerQueue.push({ value, aux: false });
    if (cmd >= 0x20 && cmd <= 0x3f) {
      reply(this.ram[cmd & 0x1f]); // read controller RAM (0x20: the command byte)
    } else if ((cmd >= 0x60 && cmd <= 0x7f) || (cmd >= 0xd1 && cmd <= 0xd4)) {
      this.pendingCommand = cmd; // write RAM, output port, keyboard/mouse buffer, to the mouse
    } else if (cmd >= 0xf0) {
      // Pulse output port bits 0-3 for 6 us where the command's bit is 0; only reset matters.
      if (!(cmd & OUT_RESET)) this.onReset();
    } else {
      switch (cmd) {
        case 0xa4: reply(PASSWORD_NOT_INSTALLED); break;
        case 0xa7: this.ram[0] |= CMD_AUX_DISABLE; break;
        case 0xa8: this.ram[0] &= ~CMD_AUX_DISABLE; break;
        case 0xa9: reply(INTERFACE_OK); break;
        case 0xaa: this.ram[0] |= CMD_SYS; reply(SELF_TEST_OK); break;
        case 0xab: reply(INTERFACE_OK); break;
        case 0xad: this.ram[0] |= CMD_KBD_DISABLE; break;
        case 0xae: this.ram[0] &= ~CMD_KBD_DISABLE; break;
        case 0xc0: reply(INPUT_PORT); break;
        case 0xd0: reply(this.readOutputPort()); break;
        case 0xdd: this.writeOutputPort(this.outputPort & ~OUT_A20); break;
        case 0xdf: this.writeOutputPort(this.outputPort | OUT_A20); break;
        default: break; // other commands are ignored
      }
    }
    this.fillOutputBuffer();
    this.updateIrq();
  }

  private readOutputPort(): number {
    return (this.outputPort & ~(OUT_KBD_OBF | OUT_AUX_OBF)) |
      (this.outputFull && !this.outputAux ? OUT_KBD_OBF : 0) | (this.outputFull && this.outputAux ? OUT_AUX_OBF : 0);
  }

  private writeOutputPort(value: number): void {
    this.outputPort = value | OUT_RESET; // the reset line is only pulsed: the CPU restarts
    this.onA20((value & OUT_A20) !== 0);
    if (!(value & OUT_RESET)) this.onReset();
  }

  private sendToMouse(value: number): void {
    if (this.mousePresent) {
      this.timeout = false;
      this.mouse.command(value);
    } else {
      // Nothing answers on the auxiliary port: the controller reports a timeout with 0xFE.
      this.timeout = true;
      this.controllerQueue.push({ value: RESEND, aux: true });
    }
  }

  /** Load the next waiting byte into an empty output buffer: controller, keyboard, then mouse. */
  private fillOutputBuffer(): void {
    while (!this.outputFull) {
      if (this.controllerQueue.length > 0) {
        const b = this.controllerQueue.shift()!;
        this.load(b.value, b.aux);
      } else if (!(this.commandByte & CMD_KBD_DISABLE) && this.keyboard.hasData()) {
        const byte = this.keyboard.take();
        if (this.commandByte & CMD_TRANSLATE) {
          const t = translateSet2Byte(byte, this.translator);
          if (t !== undefined) this.load(t, false);
        } else {
          this.load(byte, false);
        }
      } else if (!(this.commandByte & CMD_AUX_DISABLE) && this.mouse.hasData()) {
        this.load(this.mouse.take(), true);
      } else {
        break;
      }
    }
    this.updateIrq();
  }

  private load(value: number, aux: boolean): void {
    this.outputBuffer = value;
    this.outputFull = true;
    this.outputAux = aux;
  }

  /** IRQ1 and IRQ12 follow the output buffer's OBF lines, gated by the command byte. */
  private updateIrq(force = false): void {
    const irq1 = this.outputFull && !this.outputAux && (this.commandByte & CMD_KBD_INT) !== 0;
    const irq12 = this.outputFull && this.outputAux && (this.commandByte & CMD_AUX_INT) !== 0;
    if (force || irq1 !== this.irq1Level) {
      this.irq1Level = irq1;
      this.irq1.set(irq1);
    }
    if (force || irq12 !== this.irq12Level) {
      this.irq12Level = irq12;
      this.irq12.set(irq12);
    }
  }

  // ---- state ----------------------------------------------------------------------------------

  saveState(): DeviceState {
    const s: I8042Snapshot = {
      ram: [...this.ram], outputPort: this.outputPort, outputBuffer: this.outputBuffer, outputFull: this.outputFull,
      outputAux: this.outputAux, a2: this.a2, timeout: this.timeout, pendingCommand: this.pendingCommand,
      controllerQueue: this.controllerQueue.map((b) => ({ ...b })), breakPrefix: this.translator.breakPrefix,
      keyboard: this.keyboard.saveState(), mouse: this.mouse.saveState(),
    };
    return { ...s };
  }

  loadState(state: DeviceState): void {
    const s = state as unknown as I8042Snapshot;
    this.ram = [...s.ram]; this.outputPort = s.outputPort; this.outputBuffer = s.outputBuffer;
    this.outputFull = s.outputFull; this.outputAux = s.outputAux; this.a2 = s.a2; this.timeout = s.timeout;
    this.pendingCommand = s.pendingCommand; this.controllerQueue = s.controllerQueue.map((b) => ({ ...b }));
    this.translator.breakPrefix = s.breakPrefix;
    this.keyboard.loadState(s.keyboard);
    this.mouse.loadState(s.mouse);
    this.updateIrq(true);
  }
}

