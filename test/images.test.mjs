// The guest built by images/build.mjs (`npm run images`) boots in QEMU, the reference PC: the
// kernel reaches /init, the shell prompt comes up on ttyS0, commands run, `poweroff -f` halts.
// Skipped when images/out/ has no bzImage or QEMU is missing.
//
// EMU_IMAGE_REPRO=1 also builds the images twice from scratch, each time in a new temporary
// directory (two full kernel builds: 6-16 minutes on 2 cores), and checks that both builds give
// the same sha256 for every output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "images/out");
const bzImage = join(out, "bzImage");
const initrd = join(out, "initramfs.cpio.gz");
const QEMU = "qemu-system-i386";
const TIMEOUT_MS = 60_000;

const haveQemu = spawnSync(QEMU, ["--version"], { stdio: "ignore" }).status === 0;
const skip = !existsSync(bzImage) || !existsSync(initrd)
  ? "images/out/bzImage is missing: build the guest with `npm run images` (node images/build.mjs)"
  : !haveQemu ? `${QEMU} is not installed (apt-get install qemu-system-x86)` : false;

/**
 * Boots the guest in QEMU with the serial port on stdio and plays `dialog`: a list of
 * [regex to wait for, text to send after it (or null)]. Each regex is searched in the output that
 * arrived since the previous match. Kills QEMU after the last match (a kernel without ACPI halts
 * the CPU on power-off; QEMU keeps running). Resolves to { output, times } where times[i] is the
 * seconds from start until dialog[i] matched; rejects on timeout or when QEMU exits early.
 */
function boot({ cpu, mem = 64, dialog, media }) {
  const argv = [
    ...(media ?? ["-kernel", bzImage, "-initrd", initrd, "-append", "console=ttyS0"]),
    "-nographic", "-m", String(mem), "-no-reboot", "-monitor", "none", "-serial", "stdio",
  ];
  if (cpu) argv.push("-cpu", cpu);
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const q = spawn(QEMU, argv, { stdio: ["pipe", "pipe", "pipe"] });
    let output = "", cursor = 0, step = 0, done = false, stderr = "";
    const times = [];
    const finish = (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      q.kill("SIGKILL");
      if (err) {
        err.message += `\n--- guest output ---\n${output.slice(-3000)}\n--- qemu stderr ---\n${stderr}`;
        reject(err);
      } else resolve({ output, times });
    };
    const timer = setTimeout(() => finish(new Error(
      `timeout after ${TIMEOUT_MS / 1000} s waiting for ${dialog[step]?.[0]}`)), TIMEOUT_MS);
    const advance = () => {
      while (step < dialog.length) {
        const [re, send] = dialog[step];
        const m = re.exec(output.slice(cursor));
        if (!m) return;
        cursor += m.index + m[0].length;
        times.push(Number(process.hrtime.bigint() - t0) / 1e9);
        step++;
        if (send != null) q.stdin.write(send);
      }
      finish(null);
    };
    // Busybox's line editor asks for the cursor position (ESC [ 6 n) after each prompt; drop
    // escape sequences and carriage returns so the patterns see plain lines.
    let raw = "";
    q.stdout.on("data", (b) => {
      raw += b.toString("latin1");
      output = raw.replace(/\r/g, "").replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
      advance();
    });
    q.stderr.on("data", (b) => { stderr += b.toString(); });
    q.stdin.on("error", () => {});
    q.on("error", (e) => finish(e));
    q.on("exit", (code) => finish(new Error(`QEMU exited (code ${code}) before ${dialog[step]?.[0]}`)));
  });
}

const PROMPT = /(?:^|\n)~ # /;
/** Boot, banner, prompt, two commands, power-off. */
const SESSION = [
  [/Linux version 6\.1\.\S+ \(emu@emu\)/, null],
  [/Run \/init as init process/, null],
  [/emu guest: Linux 6\.1\.\S+ i[3-6]86, BusyBox v\d/, null],
  [PROMPT, "uname -a\n"],
  [/\nLinux emu 6\.1\.\S+ #1 Mon Jan  1 00:00:00 UTC 2024 i[3-6]86 GNU\/Linux\n/, null],
  [PROMPT, "cat /proc/cpuinfo | head\n"],
  [/\nprocessor\t: 0\n[^]*?model name\t: [^\n]+\n/, null],
  [PROMPT, "poweroff -f\n"],
  [/reboot: System halted/, null],
];

for (const [cpu, mem] of [[null, 64], ["pentium3", 64], [null, 16]]) {
  test(`the guest boots to a shell and powers off in QEMU (-cpu ${cpu ?? "default"} -m ${mem})`, { skip, timeout: TIMEOUT_MS + 10_000 }, async (t) => {
    const { output, times } = await boot({ cpu, mem, dialog: SESSION });
    const model = output.match(/model name\t: ([^\n]+)/)?.[1];
    t.diagnostic(`boot to prompt ${times[3].toFixed(2)} s, power-off at ${times.at(-1).toFixed(2)} s; CPU "${model}"`);
    assert.match(output, /Kernel command line: console=ttyS0/);
    assert.doesNotMatch(output, /Kernel panic|Oops|BUG:|WARNING:/);
  });
}

// The boot media npm run images makes with images/disk.mjs: each boots the tiny Linux in QEMU
// (SeaBIOS), from a hard disk, a CD and a diskette; -snapshot leaves the files alone.
for (const [file, args, loader] of [
  ["disk.img", (p) => ["-drive", `file=${p},format=raw,if=ide`], /SYSLINUX \d/],
  ["linux.iso", (p) => ["-cdrom", p], /ISOLINUX \d/],
  ["floppy.img", (p) => ["-drive", `file=${p},format=raw,if=floppy`, "-boot", "a"], /SYSLINUX \d/],
]) {
  const path = join(out, file);
  const mediaSkip = skip || (existsSync(path) ? false : `images/out/${file} is missing (npm run images builds it)`);
  test(`images/out/${file} boots the tiny Linux in QEMU`, { skip: mediaSkip, timeout: TIMEOUT_MS + 10_000 }, async (t) => {
    const { times } = await boot({
      media: [...args(path), "-snapshot"],
      dialog: [[loader, null], [/Linux version 6\.1\.\S+ \(emu@emu\)/, null], [PROMPT, "poweroff -f\n"], [/reboot: System halted/, null]],
    });
    t.diagnostic(`prompt after ${times[2].toFixed(2)} s`);
  });
}

test("images/disk.mjs makes the same disk.img, linux.iso and floppy.img again (sha256 of images/out/manifest.json)", {
  skip: !existsSync(join(out, "manifest.json")) || !existsSync(join(out, "floppy.img")) ? "images/out has no boot media (npm run images builds them)" : false,
}, () => {
  const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
  const dir = mkdtempSync(join(tmpdir(), "emu-media-"));
  try {
    const r = spawnSync(process.execPath, [join(root, "images/disk.mjs"), "--out", dir, "--kernel", bzImage, "--initrd", initrd, "--iso", "--floppy"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    for (const name of ["disk.img", "linux.iso", "floppy.img"]) {
      const sha = createHash("sha256").update(readFileSync(join(dir, name))).digest("hex");
      assert.equal(sha, manifest.files[name]?.sha256, `${name} rebuilt with the same bytes`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The kernel is built for a 486 (CONFIG_M486) and runs on one; Debian's busybox-static:i386 is
// i686 code (its start-up executes CMOV), so on a 486 /init dies with an invalid-opcode trap.
test("the kernel boots on a 486 up to /init, where the i686 busybox traps (-cpu 486)", { skip, timeout: TIMEOUT_MS + 10_000 }, async (t) => {
  const { times } = await boot({
    cpu: "486",
    dialog: [
      [/Linux version 6\.1\.\S+ \(emu@emu\)/, null],
      [/Run \/init as init process/, null],
      [/traps: init\[1\] trap invalid opcode/, null],
      [/Kernel panic - not syncing: Attempted to kill init!/, null],
    ],
  });
  t.diagnostic(`reached /init after ${times[1].toFixed(2)} s`);
});

test("two builds from scratch give identical bytes (EMU_IMAGE_REPRO=1; two full builds)", {
  skip: process.env.EMU_IMAGE_REPRO === "1" ? false : "set EMU_IMAGE_REPRO=1 to build the images twice and compare",
  timeout: 60 * 60_000,
}, async (t) => {
  const dirs = [mkdtempSync(join(tmpdir(), "emu-images-a-")), mkdtempSync(join(tmpdir(), "emu-images-b-"))];
  try {
    const manifests = dirs.map((dir) => {
      const r = spawnSync(process.execPath, [join(root, "images/build.mjs"), "--force", "--out", dir], { stdio: ["ignore", "inherit", "inherit"] });
      assert.equal(r.status, 0, `images/build.mjs --out ${dir} failed`);
      return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    });
    assert.deepEqual(manifests[1], manifests[0]);
    for (const [name, f] of Object.entries(manifests[0].files)) t.diagnostic(`${name} ${f.sha256}`);
    const mine = join(out, "manifest.json");
    if (existsSync(mine)) {
      const m = JSON.parse(readFileSync(mine, "utf8"));
      if (JSON.stringify(m) !== JSON.stringify(manifests[0])) t.diagnostic("images/out/manifest.json differs (built from other inputs?)");
      else t.diagnostic("images/out/manifest.json matches too");
    }
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
