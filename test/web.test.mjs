// The browser demo (web/): a saved machine state restored into a fresh machine continues exactly
// (checked in Node, byte for byte), and the page served from dist/web/ boots the tiny Linux in
// Debian's Chromium (driven by playwright-core): shell prompt, `uname -a`, live counters, save
// and restore through the page's buttons, no console errors, a screenshot in test-results/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { spawnSync, execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const results = join(root, "test-results");
const kernel = join(root, "images", "out", "bzImage");
const initrd = join(root, "images", "out", "initramfs.cpio.gz");
const CHROMIUM = "/usr/bin/chromium";
const noImages = !existsSync(kernel) || !existsSync(initrd) ? "the tiny Linux is not built (npm run images)" : false;
const noCore = !existsSync(join(root, "dist", "core.wasm")) ? "dist/core.wasm is not built (npm run build)" : false;
const noChromium = !existsSync(CHROMIUM) ? `${CHROMIUM} is missing (apt-get install chromium)` : false;

/** web/machine.ts (the worker's machine and snapshots) bundled for Node. */
async function loadMachine() {
  const dir = join(results, "web-node");
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, "machine.mjs");
  await build({ entryPoints: [join(root, "web", "machine.ts")], bundle: true, platform: "node", format: "esm", outfile, logLevel: "warning" });
  return import(`${outfile}?${Date.now()}`);
}

function sink() {
  const out = [];
  return { out, write: (b) => out.push(b), text: (from = 0) => Buffer.from(out.slice(from)).toString("latin1") };
}

/** Type lines into COM1 at fixed guest times after the start and run for `endNs`: the same for any machine in the same state. */
async function script(m, steps, endNs) {
  const start = m.pc.now();
  let i = 0;
  await m.pc.run({
    until: () => {
      const now = m.pc.now();
      if (i < steps.length && now >= start + steps[i][1]) m.pc.com[0].receive(steps[i++][0]);
      return now >= start + endNs;
    },
  });
}

/** Save `a`, run it on with `steps`, restore the state into a new machine and run that the same way: both must agree. */
async function checkContinuation(Machine, module, a, sa, steps, endNs) {
  const file = await a.save();
  const mark = sa.out.length;
  await script(a, steps, endNs);
  const outA = sa.text(mark);
  const sb = sink();
  const b = await Machine.restore(module, file, sb);
  await script(b, steps, endNs);
  const outB = sb.text();
  assert.equal(outB, outA, "the restored machine's serial output");
  assert.equal(b.pc.now(), a.pc.now(), "guest time");
  assert.equal(b.pc.cpu.eip, a.pc.cpu.eip, "EIP");
  assert.equal(b.pc.cpu.cpl, a.pc.cpu.cpl, "CPL");
  for (let r = 0; r < 8; r++) assert.equal(b.pc.cpu.getReg(r), a.pc.cpu.getReg(r), `register ${r}`);
  assert.ok(Buffer.compare(Buffer.from(a.pc.cpu.ram), Buffer.from(b.pc.cpu.ram)) === 0, "guest RAM");
  assert.deepEqual(b.pc.devices.map((d) => d.saveState()), a.pc.devices.map((d) => d.saveState()), "device states");
  return { file, outA };
}

test("a machine restored from a saved state continues exactly as the saved one does", { skip: noImages || noCore }, async () => {
  const { Machine } = await loadMachine();
  const module = await WebAssembly.compile(readFileSync(join(root, "dist", "core.wasm")));
  const media = {
    kernel: new Uint8Array(readFileSync(kernel)), kernelName: "bzImage",
    initrd: new Uint8Array(readFileSync(initrd)), initrdName: "initramfs.cpio.gz",
    cmdline: "console=ttyS0", memoryMiB: 64,
  };
  const sa = sink();
  const a = await Machine.boot(module, media, sa);
  await a.pc.run({ until: () => /# (\x1b\[6n)?$/.test(sa.text(Math.max(0, sa.out.length - 16))) });

  // Saved at the idle shell prompt.
  const first = await checkContinuation(Machine, module, a, sa, [
    ["uname -a\n", 0.05e9],
    ["cat /proc/interrupts | head -3; echo $((6*7)) > /tmp/x; cat /tmp/x\n", 0.3e9],
    ["seq 1 3000 | md5sum; ps | wc -l\n", 0.6e9],
  ], 3e9);
  assert.ok(first.file.length > 100_000 && first.file.length < 32 << 20, `state file of ${first.file.length} bytes`);
  assert.match(first.outA, /Linux emu 6\.1\.\S+ .*i686/);
  assert.match(first.outA, /\n42\r?\n/);
  assert.match(first.outA, /\n[0-9a-f]{32}\s+-/, "md5sum of seq");

  // Saved in the middle of a user program doing x87 arithmetic, in ring 3.
  a.pc.com[0].receive(`awk 'BEGIN { for (i = 1; i < 100000; i++) x += 1 / i; printf "awk %.6f\\n", x }'\n`);
  const t = a.pc.now();
  await a.pc.run({ until: () => (a.pc.now() > t + 0.3e9 && a.pc.cpu.cpl === 3) || a.pc.now() > t + 20e9 });
  assert.equal(a.pc.cpu.cpl, 3);
  const second = await checkContinuation(Machine, module, a, sa, [["echo after-awk\n", 0.1e9]], 6e9);
  assert.match(second.outA, /awk 12\.090\d+/, "the awk result (x87 arithmetic across the save)");
  assert.match(second.outA, /after-awk/);
  console.log(`state file ${(first.file.length / (1 << 20)).toFixed(1)} MiB (64 MiB guest, gzip)`);
});

// ---- the page in Chromium ----------------------------------------------------------------------

/** A multiboot kernel that sets VGA mode 13h by hand (no BIOS), loads a palette and draws a gradient. */
const MODE13H_ASM = `; Programs VGA mode 13h without a BIOS, loads a palette, draws a diagonal gradient, says so on COM1.
        bits 32
        org 0x100000
mbheader:
        dd 0x1BADB002, 0x00010000, -(0x1BADB002 + 0x00010000)
        dd mbheader, mbheader, 0, 0, start
start:
        mov esp, 0x90000
        mov dx, 0x3C2
        mov al, 0x63
        out dx, al
        mov esi, seq
        mov ecx, 5
        mov dx, 0x3C4
        call indexed
        mov dx, 0x3D4                   ; unlock CRTC registers 0-7
        mov al, 0x11
        out dx, al
        inc dx
        mov al, 0x0E
        out dx, al
        dec dx
        mov esi, crtc
        mov ecx, 25
        call indexed
        mov esi, gc
        mov ecx, 9
        mov dx, 0x3CE
        call indexed
        mov dx, 0x3DA                   ; attribute flip-flop to index
        in al, dx
        mov esi, attr
        xor ebx, ebx
        mov dx, 0x3C0
.a:     mov al, bl
        out dx, al
        lodsb
        out dx, al
        inc ebx
        cmp ebx, 21
        jne .a
        mov al, 0x20                    ; palette address source: display on
        out dx, al
        mov dx, 0x3C8
        xor al, al
        out dx, al
        inc dx
        xor ebx, ebx
.d:     mov al, bl
        and al, 63
        out dx, al
        mov al, bl
        shr al, 2
        out dx, al
        mov al, bl
        not al
        and al, 63
        out dx, al
        inc ebx
        cmp ebx, 256
        jne .d
        mov edi, 0xA0000
        xor edx, edx
.y:     xor ecx, ecx
.x:     lea eax, [ecx + edx]
        mov [edi], al
        inc edi
        inc ecx
        cmp ecx, 320
        jne .x
        inc edx
        cmp edx, 200
        jne .y
        mov esi, msg
        mov dx, 0x3F8
.m:     lodsb
        test al, al
        jz .h
        out dx, al
        jmp .m
.h:     cli
        hlt
        jmp .h
indexed:                                ; ECX registers from [ESI] at index port DX (data at DX+1)
        xor ebx, ebx
.n:     mov al, bl
        out dx, al
        inc dx
        lodsb
        out dx, al
        dec dx
        inc ebx
        loop .n
        ret
seq:    db 0x03, 0x01, 0x0F, 0x00, 0x0E
crtc:   db 0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
        db 0x9C, 0x0E, 0x8F, 0x28, 0x40, 0x96, 0xB9, 0xA3, 0xFF
gc:     db 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0F, 0xFF
attr:   db 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F
        db 0x41, 0x00, 0x0F, 0x00, 0x00
msg:    db "mode 13h drawn", 13, 10, 0
`;

/** A boot sector for the BIOS: hello on the screen (INT 10h) and COM1, then again after 5 timer ticks. */
const BOOTSECT_ASM = `; A boot sector: says hello on the screen (INT 10h) and on COM1, counts timer ticks, says so again.
        bits 16
        org 0x7c00
start:  xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7c00
        sti
        mov si, msg
        call print
        mov cx, 5                       ; wait for 5 timer ticks (INT 08h through the BIOS)
.t:     hlt
        loop .t
        mov si, msg2
        call print
.h:     hlt
        jmp .h
print:  lodsb
        test al, al
        jz .r
        push ax
        mov ah, 0x0e
        mov bx, 0x0007
        int 0x10
        pop ax
        mov dx, 0x3f8
        out dx, al
        jmp print
.r:     ret
msg:    db "disk boot ok", 13, 10, 0
msg2:   db "ticks ok", 13, 10, 0
        times 510 - ($ - $$) db 0
        dw 0xaa55
`;

/** Assemble `source` with NASM into test-results/web-node/NAME.bin (undefined without NASM). */
function nasm(name, source) {
  if (spawnSync("nasm", ["-v"]).error) return undefined;
  const dir = join(results, "web-node");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.asm`), source);
  execFileSync("nasm", ["-f", "bin", "-o", join(dir, `${name}.bin`), join(dir, `${name}.asm`)]);
  return join(dir, `${name}.bin`);
}

/** A 1 MiB disk image whose first sector is BOOTSECT_ASM. */
function bootDisk() {
  const bin = nasm("bootsect", BOOTSECT_ASM);
  if (!bin) return undefined;
  const disk = Buffer.alloc(1 << 20);
  readFileSync(bin).copy(disk);
  const path = join(results, "web-node", "disk.img");
  writeFileSync(path, disk);
  return path;
}

function newestMtime(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Build dist/web/ unless it is newer than everything it is made from. */
async function ensureBundle() {
  const main = join(root, "dist", "web", "main.js");
  const bios = join(root, "dist", "bios.bin");
  const inputs = Math.max(newestMtime(join(root, "web")), newestMtime(join(root, "src")), statSync(join(root, "dist", "core.wasm")).mtimeMs,
    existsSync(bios) ? statSync(bios).mtimeMs : 0);
  const copied = [join(root, "dist", "web", "images", "bzImage"), ...(existsSync(bios) ? [join(root, "dist", "web", "bios.bin")] : [])];
  if (!existsSync(main) || copied.some((f) => !existsSync(f)) || statSync(main).mtimeMs < inputs) {
    const { buildWeb } = await import("../web/build.mjs");
    await buildWeb();
  }
  const file = (f) => join(root, "dist", "web", f);
  const size = (f) => statSync(file(f)).size;
  const code = ["main.js", "worker.js", "core.wasm", "style.css", "xterm.css", "index.html"];
  const gzipped = code.reduce((s, f) => s + gzipSync(readFileSync(file(f)), { level: 9 }).length, 0);
  return { main: size("main.js"), worker: size("worker.js"), core: size("core.wasm"), css: size("style.css") + size("xterm.css") + size("index.html"), gzipped };
}

test("the browser demo boots the tiny Linux in Chromium: prompt, uname, counters, save and restore", { skip: noImages || noCore || noChromium, timeout: 600_000 }, async () => {
  const sizes = await ensureBundle();
  const { serve } = await import("../web/serve.mjs");
  const { chromium } = await import("playwright-core");
  const { server, url } = await serve({ port: 0 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  mkdirSync(results, { recursive: true });
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()}`); });
    page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
    page.on("response", (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`); });

    const terminal = () => page.evaluate(() => globalThis.emu.terminalText());
    const waitTerminal = async (re, what, timeout = 60_000) => {
      try {
        await page.waitForFunction((src) => new RegExp(src).test(globalThis.emu.terminalText()), re.source, { timeout, polling: 100 });
      } catch (e) {
        throw new Error(`${what}: not seen in the terminal within ${timeout / 1000} s; it shows:\n${(await terminal()).slice(-1500)}\n${errors.join("\n")}`);
      }
    };
    const type = async (line) => {
      await page.click("#terminal");
      await page.keyboard.type(line, { delay: 5 });
      await page.keyboard.press("Enter");
    };
    const numberIn = async (sel) => Number((await page.textContent(sel)).replace(/[^0-9.]/g, ""));

    await page.goto(url);
    await page.waitForFunction(() => globalThis.emu?.promptAt !== undefined, null, { timeout: 240_000, polling: 100 })
      .catch(async (e) => { throw new Error(`no shell prompt: ${e.message}\n${(await terminal()).slice(-2000)}\n${errors.join("\n")}`); });
    const promptMs = await page.evaluate(() => globalThis.emu.promptAt);
    assert.match(await terminal(), /emu guest: Linux 6\.1/);

    await type("uname -a");
    await waitTerminal(/\nLinux emu 6\.1\.\S+ .*i686/, "uname -a output");

    // The panel counts: instructions grow, the guest runs at some MIPS, ports and traps are listed.
    const before = await numberIn("#instructions");
    await type("i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done; echo loop-done");
    await waitTerminal(/\nloop-done/, "a busy loop");
    await page.waitForFunction((n) => Number(document.querySelector("#instructions").textContent.replace(/[^0-9]/g, "")) > n, before, { timeout: 10_000 });
    assert.ok((await numberIn("#instructions")) > before, "the instruction count grows");
    await page.waitForFunction(() => Number(document.querySelector("#mips").textContent) > 0, null, { timeout: 10_000 });
    const portRows = await page.$$eval("#ports tr", (rows) => rows.map((r) => r.textContent));
    assert.ok(portRows.some((r) => /UART/.test(r)), `port I/O by device lists the UART: ${portRows.join(" | ")}`);
    const hv = await page.$$eval("#hv tr", (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
    const cpuid = hv.find((r) => r[0] === "CPUID");
    assert.ok(cpuid && Number(cpuid[2].replace(/,/g, "")) > 0, `CPUID counted: ${JSON.stringify(cpuid)}`);
    const io = hv.find((r) => /IN\/OUT/.test(r[0]));
    assert.ok(io && Number(io[2].replace(/,/g, "")) > 0, "port I/O counted");
    assert.match(await page.textContent("#rings"), /ring 0[\s\S]*ring 3/);
    assert.match(await page.textContent("#irqs"), /IRQ0/);

    // Save the machine, change it, restore: the change is gone and the shell answers.
    const [download] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), page.click("#save")]);
    const stateFile = join(results, "web-state.emustate");
    await download.saveAs(stateFile);
    const stateBytes = statSync(stateFile).size;
    assert.ok(stateBytes > 100_000, `state file of ${stateBytes} bytes`);
    await type("echo changed > /tmp/marker; echo marker-$((6*7))");
    await waitTerminal(/\nmarker-42/, "marker written");
    await page.setInputFiles("#restore-file", stateFile);
    await page.waitForFunction(() => globalThis.emu.restored === 1 && globalThis.emu.state === "running", null, { timeout: 60_000 });
    await type("cat /tmp/marker 2>/dev/null || echo no-marker-$((6*7))");
    await waitTerminal(/\nno-marker-42/, "the restored machine's answer (without the marker written after the save)");
    await type("uname -r");
    await waitTerminal(/uname -r\s*\r?\n6\.1\.\S+/, "uname -r after the restore");

    await page.screenshot({ path: join(results, "web.png") });

    // Your own kernel, by the file picker: one that draws in mode 13h, shown on the VGA canvas.
    const own = nasm("mode13h", MODE13H_ASM);
    if (own) {
      await page.click("#own-files summary");
      await page.setInputFiles("#kernel-file", own);
      await page.click("#boot");
      await waitTerminal(/mode 13h drawn/, "the mode 13h kernel's message");
      await page.click("#tab-vga");
      await page.waitForFunction(() => /graphics 320.200/.test(document.querySelector("#vga-mode").textContent), null, { timeout: 10_000 });
      // Pixel (10, 0) has colour 10: DAC (10, 2, 53) in 6 bits, (40, 8, 215) in 8.
      const pixel = await page.evaluate(() => [...document.querySelector("#screen").getContext("2d").getImageData(10, 0, 1, 1).data]);
      assert.deepEqual(pixel, [40, 8, 215, 255], "mode 13h pixel through the guest's palette");
      await page.screenshot({ path: join(results, "web-mode13h.png") });

      // A disk image alone boots through the built-in BIOS (INT 10h text on the canvas, COM1 in the terminal).
      const disk = bootDisk();
      await page.click("#clear-files");
      await page.setInputFiles("#disk-file", disk);
      assert.equal(await page.isChecked("#bios-boot"), true, "a disk without a kernel boots through the BIOS");
      await page.click("#boot");
      await waitTerminal(/disk boot ok\r?\n[\s\S]*ticks ok/, "the boot sector's messages");
      await page.click("#tab-vga");
      await page.waitForFunction(() => /disk boot ok/.test(globalThis.emu.screenText()), null, { timeout: 10_000 });
    } else {
      console.log("nasm is missing: the mode 13h kernel and the BIOS disk boot are not checked");
    }
    assert.deepEqual(errors, [], "no console errors or failed requests");

    const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
    const report = `page load to shell prompt ${(promptMs / 1000).toFixed(2)} s in headless Chromium; bundle main.js ${kib(sizes.main)} + worker.js ${kib(sizes.worker)} + core.wasm ${kib(sizes.core)} + html/css ${kib(sizes.css)} (${kib(sizes.gzipped)} gzipped); state file ${(stateBytes / (1 << 20)).toFixed(1)} MiB`;
    writeFileSync(join(results, "web.txt"), report + "\n");
    console.log(report);
  } finally {
    await browser.close();
    server.close();
  }
});

if (noChromium) console.log(`# web.test: the browser test is skipped: ${noChromium}`);
