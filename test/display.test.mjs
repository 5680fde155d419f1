// The VGA text screen on the terminal (src/display/, src/terminal.ts), as QEMU's -display curses:
// the ANSI renderer and the terminal key decoder on their own; bios/test/keys.asm (INT 10h text
// and colours, INT 16h keys through the 8042 and IRQ 1) driven through pipes with -display curses
// and through a pseudo-terminal (util-linux `script`) with the default display, where the guest's
// first COM1 byte brings COM1 to the terminal; and the tiny Linux with console=tty0 (vgacon,
// atkbd) running a shell command typed on the PS/2 keyboard.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const emu = join(root, "bin", "emu.js");
const tmp = mkdtempSync(join(tmpdir(), "emu-display-test-"));
await build({
  stdin: {
    contents: 'export * from "./src/display/ansi-screen.ts"; export * from "./src/display/terminal-keys.ts"; export * from "./src/display/cp437.ts";',
    resolveDir: root, sourcefile: "display-test-entry.ts", loader: "ts",
  },
  bundle: true, format: "esm", platform: "node", outfile: join(tmp, "display.mjs"), logLevel: "silent",
});
const { AnsiScreen, sgr, TerminalKeyDecoder, strokeEvents, CP437 } = await import(pathToFileURL(join(tmp, "display.mjs")).href);

/**
 * A small terminal: cursor addressing, erase display, SGR colours (kept per cell as "fg/bg"),
 * the cursor's visibility; other sequences are skipped. Returns the cells as text lines.
 */
function interpret(out, rows = 25, cols = 80) {
  const text = [...Array(rows)].map(() => Array(cols).fill(" "));
  const colour = [...Array(rows)].map(() => Array(cols).fill(""));
  let r = 0, c = 0, fg = "", bg = "", cursorVisible = true, sequences = 0;
  for (let i = 0; i < out.length; i++) {
    const ch = out[i];
    if (ch === "\x1b") {
      const m = /^\x1b\[([?0-9;]*)([A-Za-z])/.exec(out.slice(i, i + 32));
      if (!m) continue;
      sequences++;
      const params = m[1];
      if (m[2] === "H") { const [a, b] = params.split(";"); r = (Number(a) || 1) - 1; c = (Number(b) || 1) - 1; }
      else if (m[2] === "J" && params === "2") { for (const row of text) row.fill(" "); for (const row of colour) row.fill(""); }
      else if (m[2] === "m") {
        for (const p of params.split(";").map(Number)) {
          if (p === 0) { fg = ""; bg = ""; }
          else if ((p >= 30 && p <= 37) || (p >= 90 && p <= 97)) fg = String(p);
          else if ((p >= 40 && p <= 47) || (p >= 100 && p <= 107)) bg = String(p);
        }
      } else if (params === "?25" && m[2] === "h") cursorVisible = true;
      else if (params === "?25" && m[2] === "l") cursorVisible = false;
      i += m[0].length - 1;
      continue;
    }
    if (ch === "\r" || ch === "\n") continue;
    if (r < rows && c < cols) { text[r][c] = ch; colour[r][c] = `${fg}/${bg}`; }
    c++;
  }
  return { lines: text.map((l) => l.join("")), colour, cursor: { row: r, col: c, visible: cursorVisible }, sequences };
}

// ---- the renderer and the key decoder ----------------------------------------------------------

test("AnsiScreen: VGA attributes become ANSI colours (blue/red swapped, bright, blink or bright background); CP437 becomes Unicode", () => {
  assert.equal(sgr(0x1f, true), "\x1b[0;97;44m", "bright white on blue");
  assert.equal(sgr(0x04, true), "\x1b[0;31;40m", "VGA red is ANSI red");
  assert.equal(sgr(0x01, true), "\x1b[0;34;40m", "VGA blue is ANSI blue");
  assert.equal(sgr(0x8e, true), "\x1b[0;93;40;5m", "yellow, blinking");
  assert.equal(sgr(0xce, false), "\x1b[0;93;101m", "blink off: bit 7 brightens the background");
  const s = new AnsiScreen();
  s.resize(40, 2);
  s.setCell(0, 0, 0xc9, 0x07); s.setCell(0, 1, 0xcd, 0x07); s.setCell(1, 0, 0x01, 0x07); s.setCell(1, 1, 0x00, 0x07);
  const t = interpret(s.flush(), 2, 40);
  assert.equal(t.lines[0].slice(0, 2), "╔═");
  assert.equal(t.lines[1].slice(0, 2), "☺ ", "00h is a blank");
  assert.equal(CP437.length, 256);
});

test("AnsiScreen: after the first full frame only changed cells and the cursor are sent", () => {
  const s = new AnsiScreen();
  s.resize(80, 25);
  for (let r = 0; r < 25; r++) for (let c = 0; c < 80; c++) s.setCell(r, c, 0x20, 0x07);
  const first = s.flush();
  assert.match(first, /\x1b\[2J/);
  assert.equal(s.flush(), "", "nothing changed, nothing sent");
  s.setCell(10, 5, 0x41, 0x4e);
  s.setCursor(10, 6, true);
  const next = s.flush();
  assert.doesNotMatch(next, /\x1b\[2J/);
  assert.equal(next, "\x1b[?25l\x1b[11;6H\x1b[0;93;41mA\x1b[0m\x1b[11;7H\x1b[?25h");
  s.setCursor(0, 0, false);
  assert.equal(s.flush(), "\x1b[1;1H\x1b[?25l");
});

test("terminal keys: characters, control keys, xterm and Linux console sequences, Alt as ESC prefix", () => {
  const d = new TerminalKeyDecoder();
  const keys = (s) => d.decode(Buffer.from(s, "latin1")).map((k) => [k.code, k.shift ? "S" : "", k.ctrl ? "C" : "", k.alt ? "A" : ""].join(""));
  assert.deepEqual(keys("aZ5%\r\t\x7f"), ["KeyA", "KeyZS", "Digit5", "Digit5S", "Enter", "Tab", "Backspace"]);
  assert.deepEqual(keys("\x03\x1a"), ["KeyCC", "KeyZC"]);
  assert.deepEqual(keys("\x1b[A\x1b[1;5C\x1bOP\x1b[15~\x1b[24~\x1b[3~\x1b[[B"), ["ArrowUp", "ArrowRightC", "F1", "F5", "F12", "Delete", "F2"]);
  assert.deepEqual(keys("\x1bx"), ["KeyXA"]);
  assert.deepEqual(keys("\x1b"), ["Escape"], "an escape that ends the chunk is the Escape key");
  assert.deepEqual(keys("\x1b[2"), [], "an unfinished sequence waits");
  assert.deepEqual(keys("~"), ["Insert"]);
  assert.deepEqual(keys("é"), [], "no key types it");
  assert.deepEqual(strokeEvents({ code: "KeyA", shift: true, ctrl: true }).map((e) => `${e.down ? "+" : "-"}${e.code}`),
    ["+ControlLeft", "+ShiftLeft", "+KeyA", "-KeyA", "-ShiftLeft", "-ControlLeft"]);
});

// ---- emu run --------------------------------------------------------------------------------

const have = (cmd, args) => { const r = spawnSync(cmd, args, { stdio: "ignore" }); return !r.error && r.status === 0; };
const haveNasm = have("nasm", ["-v"]);

function keysDisk() {
  const bin = join(tmp, "keys.bin");
  const r = spawnSync("nasm", ["-f", "bin", "-o", bin, join(root, "bios", "test", "keys.asm")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const disk = Buffer.alloc(1 << 20);
  readFileSync(bin).copy(disk);
  const path = join(tmp, "keys.img");
  writeFileSync(path, disk);
  return path;
}

test("-display curses through pipes: the boot sector's INT 10h text is rendered with its colours; keys typed on stdin reach INT 16h through the 8042", { skip: haveNasm ? false : "needs nasm" }, () => {
  const r = spawnSync(process.execPath, [emu, "run", "-m", "16", "-display", "curses", keysDisk()],
    { input: "aZ\x1b[A\r", encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 1, r.stderr);
  const t = interpret(r.stdout);
  assert.equal(t.lines[0].trimEnd(), "emu VGA text on a terminal");
  assert.equal(t.colour[0][0], "97/44", "INT 10h AH=09h attribute 1Fh: bright white on blue");
  assert.equal(t.lines[2].trimEnd(), "Type keys, then Enter: key 1E61 key 2C5A key 4800 key 1C0D");
  assert.equal(t.colour[2][0], "37/40");
  assert.equal(t.lines[3].trimEnd(), "DONE");
  assert.deepEqual({ row: t.cursor.row, col: t.cursor.col }, { row: 4, col: 0 }, "the cursor after the last line");
  assert.doesNotMatch(r.stdout, /COM1 OK/, "with -display curses COM1 is not on the screen");
  assert.match(r.stderr, /key 1E61 key 2C5A key 4800 key 1C0D/, "port 0xE9");
});

test("-display takes curses or none; other displays get a one-line error", () => {
  const r = spawnSync(process.execPath, [emu, "run", "-display", "gtk", "-kernel", "/nonexistent"], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, "emu run: -display gtk: emu shows the VGA screen on its terminal only (-display curses, -display none, -nographic)\n");
});

const haveScript = have("script", ["--version"]);

/** Run emu on a pseudo-terminal (util-linux script); `steps` are [text to wait for, bytes to type]. */
function onPty(args, steps, timeoutMs = 120_000) {
  return new Promise((resolve) => {
    const cmd = [process.execPath, emu, ...args].map((a) => `'${a}'`).join(" ");
    const child = spawn("script", ["-qefc", cmd, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, TERM: "xterm" } });
    let out = "";
    let step = 0;
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const advance = () => {
      while (step < steps.length && out.includes(steps[step][0])) { child.stdin.write(steps[step][1]); step++; }
    };
    child.stdout.on("data", (d) => { out += d.toString("utf8"); advance(); });
    child.on("close", (status) => { clearTimeout(timer); child.stdin.destroy(); resolve({ status, out }); });
  });
}

test("on a terminal the default display shows the VGA screen (alternate screen) with the keys typed; the guest's first COM1 byte switches to COM1", { skip: !haveNasm ? "needs nasm" : !haveScript ? "needs script (util-linux)" : false }, async () => {
  const r = await onPty(["run", "-m", "16", keysDisk()], [["Type keys", "aZ"], ["2C5A", "\x1b[A"], ["4800", "\r"]]);
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /\x1b\[\?1049h/, "the alternate screen");
  const screenPart = r.out.slice(0, r.out.indexOf("\x1b[?1049l"));
  const t = interpret(screenPart);
  assert.equal(t.lines[2].trimEnd(), "Type keys, then Enter: key 1E61 key 2C5A key 4800 key 1C0D");
  const after = r.out.slice(r.out.indexOf("\x1b[?1049l"));
  assert.match(after, /the guest writes to COM1: showing it/);
  assert.match(after, /COM1 OK/);
  assert.match(after, /key 1E61/, "port 0xE9's output, held while the screen was shown");
});

const images = join(root, "images", "out");
const linuxSkip = existsSync(join(images, "bzImage")) && existsSync(join(images, "initramfs.cpio.gz")) ? false : "the tiny Linux is not built (npm run images)";

test("the tiny Linux with console=tty0: its VGA console is rendered and a command typed on the PS/2 keyboard runs in its shell", { skip: linuxSkip }, () => {
  const r = spawnSync(process.execPath, [emu, "run", "-display", "curses", "-append", "console=tty0"],
    { input: "echo typed on the keyboard | tr a-z A-Z\npoweroff -f\n", encoding: "utf8", timeout: 300_000, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const t = interpret(r.stdout);
  const screen = t.lines.join("\n");
  assert.match(screen, /~ # echo typed on the keyboard/, "the command echoed (kernel messages may come in between)");
  assert.match(screen, /^TYPED ON THE KEYBOARD/m);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
