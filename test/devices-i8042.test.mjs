// Tests of the 8042 keyboard controller with its PS/2 keyboard and mouse (src/devices/i8042.ts)
// and of System Control Port A (src/devices/port92.ts), driven through the port bus.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(join(tmpdir(), "emu-i8042-test-"));
await build({
  stdin: {
    contents: 'export * from "./src/devices/i8042.ts"; export * from "./src/devices/port92.ts"; export { PortBus } from "./src/machine/device.ts";',
    resolveDir: root, sourcefile: "i8042-test-entry.ts", loader: "ts",
  },
  bundle: true, format: "esm", platform: "node", outfile: join(tmp, "i8042.mjs"), logLevel: "silent",
});
const { I8042, Port92, PortBus, KEY_CODES, scanCodes, translateSet2 } = await import(pathToFileURL(join(tmp, "i8042.mjs")).href);
rmSync(tmp, { recursive: true, force: true });

function irqLine() {
  return {
    level: false, edges: 0,
    set(level) { if (level && !this.level) this.edges++; this.level = level; },
    pulse() { this.edges++; },
  };
}

function setup(options) {
  const irq1 = irqLine();
  const irq12 = irqLine();
  const kbc = new I8042(irq1, irq12, options);
  const events = [];
  kbc.onA20 = (on) => events.push(`a20:${on}`);
  kbc.onReset = () => events.push("reset");
  const bus = new PortBus();
  kbc.attach(bus);
  const status = () => bus.read(0x64, 1);
  const command = (v) => bus.write(0x64, v, 1);
  const data = (v) => bus.write(0x60, v, 1);
  /** Read every byte in the output buffer (as a polling guest would). */
  const readAll = () => {
    const out = [];
    for (let n = 0; n < 64 && status() & 0x01; n++) out.push(bus.read(0x60, 1));
    return out;
  };
  /** Send a controller command and return its reply bytes. */
  const ctrl = (cmd, arg) => {
    command(cmd);
    if (arg !== undefined) data(arg);
    return readAll();
  };
  /** Send bytes to the keyboard and return what comes back. */
  const kbd = (...bytes) => {
    for (const b of bytes) data(b);
    return readAll();
  };
  /** Send bytes to the mouse (0xD4 each) and return what comes back. */
  const aux = (...bytes) => {
    for (const b of bytes) { command(0xd4); data(b); }
    return readAll();
  };
  const setCommandByte = (v) => ctrl(0x60, v);
  return { kbc, bus, irq1, irq12, events, status, command, data, readAll, ctrl, kbd, aux, setCommandByte };
}

const hex = (bytes) => bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ");

test("power-on: status 10 (not inhibited), command byte 61 (IRQ1, translation, mouse port off)", () => {
  const t = setup();
  assert.equal(t.status(), 0x10);
  assert.deepEqual(t.ctrl(0x20), [0x61]);
  assert.equal(t.status() & 0x08, 0x08, "A2: the last write was a command");
});

test("0xAA self test answers 55 and sets the system flag (status bit 2)", () => {
  const t = setup();
  assert.equal(t.status() & 0x04, 0);
  t.command(0xaa);
  assert.equal(t.status() & 0x01, 0x01, "OBF");
  assert.deepEqual(t.readAll(), [0x55]);
  assert.equal(t.status() & 0x04, 0x04);
});

test("0xAB keyboard and 0xA9 aux interface tests answer 00; 0xA4 says no password (F1)", () => {
  const t = setup();
  assert.deepEqual(t.ctrl(0xab), [0x00]);
  assert.deepEqual(t.ctrl(0xa9), [0x00]);
  assert.deepEqual(t.ctrl(0xa4), [0xf1]);
});

test("0x60 writes the command byte and 0x20 reads it back; 0x21-0x3F / 0x61-0x7F reach the other RAM bytes", () => {
  const t = setup();
  t.setCommandByte(0x47);
  assert.deepEqual(t.ctrl(0x20), [0x47]);
  assert.equal(t.status() & 0x04, 0x04, "SYS follows command byte bit 2");
  t.ctrl(0x65, 0x99);
  assert.equal(t.status() & 0x08, 0, "A2 clear after a data write");
  assert.deepEqual(t.ctrl(0x25), [0x99]);
});

test("0xA7/0xA8 and 0xAD/0xAE set and clear command byte bits 5 and 4", () => {
  const t = setup();
  t.setCommandByte(0x00);
  t.command(0xa7);
  t.command(0xad);
  assert.deepEqual(t.ctrl(0x20), [0x30]);
  t.command(0xa8);
  t.command(0xae);
  assert.deepEqual(t.ctrl(0x20), [0x00]);
});

test("keys pressed while the keyboard interface is disabled (0xAD) arrive after 0xAE", () => {
  const t = setup();
  t.setCommandByte(0x00);
  t.command(0xad);
  t.kbc.keyDown("KeyA");
  assert.equal(t.status() & 0x01, 0);
  t.command(0xae);
  assert.deepEqual(t.readAll(), [0x1c]);
});

test("0xD0 reads the output port: CF at power-on with the OBF bits (4/5) following the buffer", () => {
  const t = setup();
  assert.deepEqual(t.ctrl(0xd0), [0xcf]);
  t.command(0xd2);
  t.data(0x12);
  t.command(0xd0);
  // The 0xD2 byte is still in the buffer when 0xD0 is written, so the reply queues behind it.
  assert.deepEqual(t.readAll(), [0x12, 0xdf]);
});

test("0xD1 writes the output port: bit 1 gates A20 (onA20), bit 0 = 0 resets the CPU (onReset)", () => {
  const t = setup();
  t.ctrl(0xd1, 0xcd);
  assert.deepEqual(t.events, ["a20:false"]);
  assert.equal(t.kbc.a20, false);
  t.ctrl(0xd1, 0xcf);
  assert.deepEqual(t.events, ["a20:false", "a20:true"]);
  t.ctrl(0xd1, 0xce);
  assert.deepEqual(t.events.slice(2), ["a20:true", "reset"]);
  assert.deepEqual(t.ctrl(0xd0), [0xcf], "the reset line is only pulsed");
});

test("0xDD and 0xDF turn A20 off and on", () => {
  const t = setup();
  t.command(0xdd);
  t.command(0xdf);
  assert.deepEqual(t.events, ["a20:false", "a20:true"]);
  assert.equal(t.kbc.a20, true);
});

test("0xFE and 0xF0-0xFE with bit 0 clear pulse reset; 0xFF pulses nothing", () => {
  const t = setup();
  t.command(0xff);
  assert.deepEqual(t.events, []);
  t.command(0xfe);
  t.command(0xf0);
  t.command(0xfd);
  assert.deepEqual(t.events, ["reset", "reset"]);
});

test("0xC0 reads the input port (keyboard not inhibited, bit 7)", () => {
  const t = setup();
  const [v] = t.ctrl(0xc0);
  assert.equal(v & 0x80, 0x80);
});

test("0xD2 puts a byte in the buffer as keyboard data (IRQ1, untranslated); 0xD3 as mouse data (AUXB, IRQ12)", () => {
  const t = setup();
  t.setCommandByte(0x43); // both IRQs, translation
  t.command(0xd2);
  t.data(0x1c);
  assert.equal(t.irq1.level, true);
  assert.equal(t.status() & 0x21, 0x01);
  assert.deepEqual(t.readAll(), [0x1c]);
  assert.equal(t.irq1.level, false);
  t.command(0xd3);
  t.data(0x5a);
  assert.equal(t.status() & 0x21, 0x21);
  assert.equal(t.irq12.level, true);
  assert.equal(t.irq1.level, false);
  assert.deepEqual(t.readAll(), [0x5a]);
  assert.equal(t.irq12.level, false);
});

test("IRQ1 only when command byte bit 0 is set; IRQ12 only with bit 1", () => {
  const t = setup();
  t.setCommandByte(0x00);
  t.kbc.keyDown("KeyA");
  assert.equal(t.irq1.level, false);
  t.readAll();
  t.setCommandByte(0x01);
  t.kbc.keyDown("KeyA");
  assert.equal(t.irq1.level, true);
  t.readAll();
  t.ctrl(0xd3, 0x00);
  assert.equal(t.irq12.level, false, "bit 1 clear");
});

test("each byte read from 0x60 with more waiting drops and raises IRQ1 (one edge per byte)", () => {
  const t = setup();
  t.setCommandByte(0x01);
  t.kbc.keyDown("ArrowUp"); // E0 75
  assert.equal(t.irq1.edges, 1);
  t.bus.read(0x60, 1);
  assert.equal(t.irq1.edges, 2);
  t.bus.read(0x60, 1);
  assert.equal(t.irq1.level, false);
});

test("keyboard 0xFF reset answers FA AA; 0xF2 identify answers FA AB 83 (FA AB 41 through translation)", () => {
  const t = setup();
  t.setCommandByte(0x00);
  assert.equal(hex(t.kbd(0xff)), "fa aa");
  assert.equal(hex(t.kbd(0xf2)), "fa ab 83");
  t.setCommandByte(0x40);
  assert.equal(hex(t.kbd(0xf2)), "fa ab 41");
});

test("keyboard 0xED sets the LEDs (FA, FA); 0xEE echoes EE; unknown commands get FE; 0xFE resends", () => {
  const t = setup();
  t.setCommandByte(0x00);
  assert.equal(hex(t.kbd(0xed, 0x05)), "fa fa");
  assert.equal(t.kbc.leds, 5);
  assert.equal(hex(t.kbd(0xee)), "ee");
  assert.equal(hex(t.kbd(0xfe)), "ee");
  assert.equal(hex(t.kbd(0xd9)), "fe");
});

test("keyboard 0xF3 typematic takes an argument; a command byte in its place starts a new command", () => {
  const t = setup();
  t.setCommandByte(0x00);
  assert.equal(hex(t.kbd(0xf3, 0x20)), "fa fa");
  assert.equal(hex(t.kbd(0xf3, 0xf2)), "fa fa ab 83");
});

test("keyboard 0xF0: 0 reports the set (FA FA 02, or 41 through translation), 1 switches to set 1, 3 is refused", () => {
  const t = setup();
  t.setCommandByte(0x00);
  assert.equal(hex(t.kbd(0xf0, 0x00)), "fa fa 02");
  t.setCommandByte(0x40);
  assert.equal(hex(t.kbd(0xf0, 0x00)), "fa fa 41");
  t.setCommandByte(0x00);
  assert.equal(hex(t.kbd(0xf0, 0x03)), "fa fe");
  assert.equal(hex(t.kbd(0xf0, 0x01)), "fa fa");
  assert.equal(hex(t.kbd(0xf0, 0x00)), "fa fa 01");
  t.kbc.keyDown("KeyA");
  t.kbc.keyUp("KeyA");
  assert.equal(hex(t.readAll()), "1e 9e", "set 1 straight from the keyboard");
});

test("keyboard 0xF5 stops scanning (keys ignored), 0xF4 starts it again, 0xF6 restores set 2", () => {
  const t = setup();
  t.setCommandByte(0x00);
  t.kbd(0xf0, 0x01);
  assert.equal(hex(t.kbd(0xf5)), "fa");
  t.kbc.keyDown("KeyB");
  assert.deepEqual(t.readAll(), []);
  assert.equal(hex(t.kbd(0xf4)), "fa");
  t.kbc.keyDown("KeyB");
  assert.equal(hex(t.readAll()), "32", "0xF5 restored the defaults: set 2");
  t.kbd(0xf0, 0x01);
  assert.equal(hex(t.kbd(0xf6)), "fa");
  assert.equal(hex(t.kbd(0xf0, 0x00)), "fa fa 02");
});

test("keyboard replies go ahead of buffered scan codes", () => {
  const t = setup();
  t.setCommandByte(0x10); // keyboard interface disabled: keys stay in the keyboard
  t.kbc.keyDown("KeyA");
  t.data(0xee);
  t.command(0xae);
  assert.equal(hex(t.readAll()), "ee 1c");
});

test("set 2 without translation: KeyA 1C / F0 1C, Enter 5A, ArrowUp E0 75 / E0 F0 75", () => {
  const t = setup();
  t.setCommandByte(0x00);
  const press = (code) => { t.kbc.keyDown(code); t.kbc.keyUp(code); return hex(t.readAll()); };
  assert.equal(press("KeyA"), "1c f0 1c");
  assert.equal(press("Enter"), "5a f0 5a");
  assert.equal(press("ArrowUp"), "e0 75 e0 f0 75");
  assert.equal(press("F7"), "83 f0 83");
  assert.equal(press("PrintScreen"), "e0 12 e0 7c e0 f0 7c e0 f0 12");
  assert.equal(press("Pause"), "e1 14 77 e1 f0 14 f0 77");
});

test("translation (command byte bit 6) turns set 2 into set 1: KeyA 1E/9E, Enter 1C/9C, ArrowUp E0 48/E0 C8", () => {
  const t = setup();
  t.setCommandByte(0x40);
  const press = (code) => { t.kbc.keyDown(code); t.kbc.keyUp(code); return hex(t.readAll()); };
  assert.equal(press("KeyA"), "1e 9e");
  assert.equal(press("Enter"), "1c 9c");
  assert.equal(press("ArrowUp"), "e0 48 e0 c8");
  assert.equal(press("F7"), "41 c1");
  assert.equal(press("Escape"), "01 81");
  assert.equal(press("ShiftLeft"), "2a aa");
  assert.equal(press("ControlRight"), "e0 1d e0 9d");
  assert.equal(press("NumpadDivide"), "e0 35 e0 b5");
  assert.equal(press("PrintScreen"), "e0 2a e0 37 e0 b7 e0 aa");
  assert.equal(press("Pause"), "e1 1d 45 e1 9d c5");
});

test("the translation table maps the set 2 code of each key to its IBM set 1 code", () => {
  // Set 1 codes from the IBM PC AT Technical Reference, independent of the table under test.
  const set1 = {
    Escape: 0x01, Digit1: 0x02, Digit0: 0x0b, Minus: 0x0c, Equal: 0x0d, Backspace: 0x0e, Tab: 0x0f,
    KeyQ: 0x10, KeyP: 0x19, BracketLeft: 0x1a, BracketRight: 0x1b, Enter: 0x1c, ControlLeft: 0x1d,
    KeyA: 0x1e, KeyL: 0x26, Semicolon: 0x27, Quote: 0x28, Backquote: 0x29, ShiftLeft: 0x2a,
    Backslash: 0x2b, KeyZ: 0x2c, KeyM: 0x32, Comma: 0x33, Period: 0x34, Slash: 0x35, ShiftRight: 0x36,
    NumpadMultiply: 0x37, AltLeft: 0x38, Space: 0x39, CapsLock: 0x3a, F1: 0x3b, F5: 0x3f, F10: 0x44,
    NumLock: 0x45, ScrollLock: 0x46, Numpad7: 0x47, Numpad8: 0x48, Numpad9: 0x49, NumpadSubtract: 0x4a,
    Numpad4: 0x4b, Numpad5: 0x4c, Numpad6: 0x4d, NumpadAdd: 0x4e, Numpad1: 0x4f, Numpad2: 0x50,
    Numpad3: 0x51, Numpad0: 0x52, NumpadDecimal: 0x53, IntlBackslash: 0x56, F11: 0x57, F12: 0x58,
  };
  for (const [code, expected] of Object.entries(set1)) {
    assert.deepEqual(scanCodes(code, 1).make, [expected], code);
    assert.deepEqual(scanCodes(code, 1).break, [expected | 0x80], code);
  }
  const extended = { Home: 0x47, ArrowUp: 0x48, PageUp: 0x49, ArrowLeft: 0x4b, ArrowRight: 0x4d, End: 0x4f,
    ArrowDown: 0x50, PageDown: 0x51, Insert: 0x52, Delete: 0x53, MetaLeft: 0x5b, MetaRight: 0x5c,
    ContextMenu: 0x5d, AltRight: 0x38, NumpadEnter: 0x1c };
  for (const [code, expected] of Object.entries(extended)) {
    assert.deepEqual(scanCodes(code, 1).make, [0xe0, expected], code);
  }
  assert.deepEqual(translateSet2([0x00]), [0xff], "set 2 overrun 00 becomes set 1 overrun FF");
});

test("every known key has a set 2 code that translates without collisions", () => {
  const seen = new Map();
  for (const code of KEY_CODES) {
    const s1 = scanCodes(code, 1);
    const s2 = scanCodes(code, 2);
    assert.ok(s1 && s2, code);
    assert.ok(s1.make.length > 0);
    const key = hex(s1.make);
    if (seen.has(key) && !/^OS|^Meta/.test(code)) assert.fail(`${code} and ${seen.get(key)} share ${key}`);
    seen.set(key, code);
  }
  assert.equal(setup().kbc.keyDown("NoSuchKey"), false, "unknown codes are refused");
});

test("mouse: 0xD4 FF resets (FA AA 00 with AUXB), F2 reads ID 00, IRQ12 with command byte bit 1", () => {
  const t = setup();
  t.setCommandByte(0x03); // both IRQs, both ports on, no translation
  t.command(0xd4);
  t.data(0xff);
  assert.equal(t.status() & 0x21, 0x21);
  assert.equal(t.irq12.level, true);
  assert.equal(hex(t.readAll()), "fa aa 00");
  assert.equal(hex(t.aux(0xf2)), "fa 00");
});

test("mouse: sample rates 200, 100, 80 switch to the IntelliMouse ID 03 and 4-byte packets", () => {
  const t = setup();
  t.setCommandByte(0x03);
  assert.equal(hex(t.aux(0xf3, 200, 0xf3, 100, 0xf3, 80)), "fa fa fa fa fa fa");
  assert.equal(hex(t.aux(0xf2)), "fa 03");
  t.aux(0xf4);
  t.kbc.mouseEvent(1, 0, 1, 0);
  assert.equal(hex(t.readAll()), "08 01 00 01");
});

test("mouse: stream packets once enabled (F4); screen-down movement is negative Y; buttons in bits 0-2", () => {
  const t = setup();
  t.setCommandByte(0x03);
  t.kbc.mouseEvent(5, 5);
  assert.deepEqual(t.readAll(), [], "reporting is off until F4");
  assert.equal(hex(t.aux(0xf4)), "fa");
  t.kbc.mouseEvent(5, 3, 0, 1);
  assert.equal(hex(t.readAll()), "29 05 fd", "left button, Y sign, dx 5, dy -3");
  t.kbc.mouseEvent(-2, -4, 0, 2);
  assert.equal(hex(t.readAll()), "1a fe 04", "right button, X sign");
  t.kbc.mouseEvent(300, 0, 0, 0);
  assert.equal(hex(t.readAll()), "08 ff 00 08 2d 00", "large movement is split over packets");
});

test("mouse: E9 status request reports mode, scaling, resolution and rate; E8 sets resolution", () => {
  const t = setup();
  t.setCommandByte(0x03);
  t.aux(0xe8, 3, 0xe7, 0xf4);
  assert.equal(hex(t.aux(0xe9)), "fa 30 03 64");
});

test("mouse: remote mode (F0) reports nothing by itself; EB reads the accumulated movement", () => {
  const t = setup();
  t.setCommandByte(0x03);
  t.aux(0xf4, 0xf0);
  t.kbc.mouseEvent(3, -2, 0, 4);
  assert.deepEqual(t.readAll(), []);
  assert.equal(hex(t.aux(0xeb)), "fa 0c 03 02");
});

test("mouse wrap mode (EE) echoes bytes until EC", () => {
  const t = setup();
  t.setCommandByte(0x03);
  assert.equal(hex(t.aux(0xee, 0x12, 0xf2, 0xec, 0xf2)), "fa 12 f2 fa fa 00");
});

test("without a mouse, 0xD4 writes time out: status timeout bit and FE as aux data", () => {
  const t = setup({ mouse: false });
  t.setCommandByte(0x00);
  t.command(0xd4);
  t.data(0xff);
  assert.equal(t.status() & 0x61, 0x61);
  assert.deepEqual(t.readAll(), [0xfe]);
  t.kbc.mouseEvent(1, 1);
  assert.deepEqual(t.readAll(), []);
});

test("mouse data waits while the aux port is disabled (command byte bit 5)", () => {
  const t = setup();
  t.setCommandByte(0x00);
  t.aux(0xf4);
  t.command(0xa7);
  t.kbc.mouseEvent(1, 0);
  assert.deepEqual(t.readAll(), []);
  t.command(0xa8);
  assert.equal(hex(t.readAll()), "08 01 00");
});

test("saveState/loadState restore the command byte, output port and queued bytes", () => {
  const a = setup();
  a.setCommandByte(0x41);
  a.command(0xdd);
  a.kbc.keyDown("KeyQ");
  a.kbc.keyDown("KeyW");
  a.bus.read(0x60, 1);
  const state = JSON.parse(JSON.stringify(a.kbc.saveState()));
  const b = setup();
  b.kbc.loadState(state);
  assert.equal(b.irq1.level, true);
  assert.equal(hex(b.readAll()), "11");
  assert.deepEqual(b.ctrl(0x20), [0x41]);
  assert.equal(b.kbc.a20, false);
});

test("port 0x92: bit 1 is fast A20 (onA20 on change), bit 0 is fast reset (onReset), and it reads back", () => {
  const events = [];
  const p = new Port92();
  p.onA20 = (on) => events.push(`a20:${on}`);
  p.onReset = () => events.push("reset");
  const bus = new PortBus();
  p.attach(bus);
  assert.equal(bus.read(0x92, 1), 0x00);
  bus.write(0x92, 0x02, 1);
  assert.equal(bus.read(0x92, 1), 0x02);
  assert.equal(p.a20, true);
  bus.write(0x92, 0x02, 1);
  assert.deepEqual(events, ["a20:true"], "no call without a change");
  bus.write(0x92, 0x03, 1);
  assert.deepEqual(events, ["a20:true", "reset"]);
  assert.equal(bus.read(0x92, 1), 0x02, "the reset bit does not stay set");
  bus.write(0x92, 0x01, 1);
  assert.deepEqual(events, ["a20:true", "reset", "a20:false", "reset"]);
  p.loadState(JSON.parse(JSON.stringify({ value: 0x02 })));
  assert.equal(p.a20, true);
  p.reset();
  assert.equal(bus.read(0x92, 1), 0x00);
});
