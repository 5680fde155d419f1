// The tiny Linux (npm run images) boots under `emu run`: a shell on COM1 runs uname, reads
// /proc/cpuinfo and dmesg, mounts an ext2 disk given with -hda, and powers off; two boots give
// byte-identical serial output (guest time is virtual, so a run is deterministic).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const kernel = join(root, "images", "out", "bzImage");
const initrd = join(root, "images", "out", "initramfs.cpio.gz");
const missing = !existsSync(kernel) || !existsSync(initrd) ? "the tiny Linux is not built (npm run images)" : false;

function makeExt2() {
  const dir = mkdtempSync(join(tmpdir(), "emu-linux-"));
  const content = join(dir, "content");
  mkdirSync(content);
  writeFileSync(join(content, "hello.txt"), "hello from an ext2 disk\n");
  const img = join(dir, "disk.img");
  execFileSync("mke2fs", ["-q", "-t", "ext2", "-b", "1024", "-d", content, "-E", "root_owner=0:0", "-F", img, "4096"], {
    env: { ...process.env, E2FSPROGS_FAKE_TIME: "1700000000" },
  });
  return img;
}

const SCRIPT = [
  "uname -a",
  "cat /proc/cpuinfo",
  "dmesg | tail -n 3",
  "mkdir -p /mnt && mount -t ext2 /dev/sda /mnt && cat /mnt/hello.txt && umount /mnt",
  "echo SCRIPT-DONE",
  "poweroff -f",
].join("\n") + "\n";

function boot(disk) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [join(root, "bin", "emu.js"), "run", "-kernel", kernel, "-initrd", initrd,
    "-append", "console=ttyS0 pata_legacy.probe_mask=3", "-m", "64", "-hda", disk, "-snapshot"], {
    input: SCRIPT, encoding: "latin1", timeout: 600_000, maxBuffer: 64 << 20,
  });
  return { ...r, seconds: (Date.now() - started) / 1000 };
}

test("the tiny Linux boots to a shell, runs commands, mounts an ext2 -hda disk and powers off", { skip: missing }, () => {
  const disk = makeExt2();
  const r = boot(disk);
  assert.equal(r.error, undefined, String(r.error));
  assert.match(r.stdout, /Linux version 6\.1/);
  assert.match(r.stdout, /Linux \S+ 6\.1\.\S+ .*i\d86/, "uname -a output");
  assert.match(r.stdout, /vendor_id\s*: GenuineIntel/);
  assert.match(r.stdout, /hello from an ext2 disk/);
  assert.match(r.stdout, /SCRIPT-DONE/);
  assert.equal(r.status, 0, `exit status ${r.status}; stderr: ${r.stderr}`);
  console.log(`# boot and script took ${r.seconds.toFixed(1)} s of host time`);
});

test("two boots of the same image with the same input give byte-identical serial output", { skip: missing }, () => {
  const disk = makeExt2();
  const a = boot(disk), b = boot(disk);
  assert.equal(a.status, 0);
  assert.ok(a.stdout.length > 1000);
  assert.equal(a.stdout, b.stdout);
});
