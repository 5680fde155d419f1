#!/usr/bin/env node
// Builds the emu guest: an i386 Linux kernel (bzImage) from Debian's linux-source-6.1 and a
// busybox initramfs from Debian's busybox-static:i386, into images/out/.
//
//   node images/build.mjs            build what is out of date (a no-op when the stamp matches)
//   node images/build.mjs --force    rebuild everything from a freshly unpacked kernel tree
//   node images/build.mjs --out DIR  build into DIR instead of images/out
//   node images/build.mjs --deps     only install the Debian packages the build needs
//
// Installs missing Debian packages with apt-get (it must then run as root). Output:
// bzImage, initramfs.cpio.gz, kernel.config (the final .config), System.map, manifest.json
// (sha256 of each). The bytes are reproducible: the same inputs give the same sha256.
// No npm dependencies. See images/README.md.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, renameSync,
  rmSync, utimesSync, writeFileSync, writeSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));

// ---- Fixed inputs -------------------------------------------------------------------------

const LINUX_PKG = "linux-source-6.1";
const LINUX_TARBALL = `/usr/src/${LINUX_PKG}.tar.xz`;
const BUSYBOX_PKG = "busybox-static";
const BUSYBOX_ARCH = "i386";
/** Host packages the build needs (checked with dpkg -s, installed with apt-get when missing). */
const HOST_PACKAGES = [
  LINUX_PKG, "build-essential", "bc", "bison", "flex", "libelf-dev", "cpio", "xz-utils", "python3",
];
/** Fixed build identity, so the kernel's version string (and so its bytes) do not vary. */
const KBUILD_ENV = {
  KBUILD_BUILD_TIMESTAMP: "Mon Jan  1 00:00:00 UTC 2024",
  KBUILD_BUILD_USER: "emu",
  KBUILD_BUILD_HOST: "emu",
  KBUILD_BUILD_VERSION: "1",
};
/** mtime (seconds since 1970) of every file in the initramfs. */
const CPIO_MTIME = 1704067200; // 2024-01-01 00:00:00 UTC
const JOBS = 2;
/** Busybox applets linked in the initramfs (everything else is linked by /init at boot). */
const APPLETS = {
  bin: [
    "sh", "ash", "cat", "cp", "cut", "date", "dd", "df", "dmesg", "echo", "grep", "head", "hostname",
    "kill", "ln", "ls", "mkdir", "mknod", "mount", "mv", "ps", "pwd", "rm", "rmdir", "sed", "setsid",
    "sleep", "sync", "tail", "touch", "umount", "uname", "vi",
  ],
  sbin: ["halt", "poweroff", "reboot", "mdev"],
  usr_bin: ["cttyhack", "env", "free", "hexdump", "id", "less", "tee", "test", "uptime", "wc", "which"],
};

// ---- Command line -------------------------------------------------------------------------

const args = process.argv.slice(2);
const opt = { force: false, deps: false, out: join(HERE, "out") };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--force") opt.force = true;
  else if (a === "--deps") opt.deps = true;
  else if (a === "--out") opt.out = resolve(args[++i] ?? die("--out needs a directory"));
  else if (a === "-h" || a === "--help") {
    console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 12)
      .map((l) => l.replace(/^\/\/ ?/, "")).join("\n"));
    process.exit(0);
  } else die(`unknown argument ${a} (try --help)`);
}
const OUT = opt.out;
const BUILD = join(OUT, "build");
const CACHE = join(OUT, "cache");
const TREE = join(BUILD, LINUX_PKG);
const t0 = Date.now();

// ---- Small helpers ------------------------------------------------------------------------

function die(msg) {
  console.error(`images: error: ${msg}`);
  process.exit(1);
}
function log(msg) {
  console.log(`images: ${msg}`);
}
function elapsed(since) {
  const s = Math.round((Date.now() - since) / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}
function sha256(data) {
  return createHash("sha256").update(data).digest("hex");
}
function sha256File(path) {
  return sha256(readFileSync(path));
}
/** Runs a command, returns its stdout; dies with its output when it fails (unless opts.allowFail). */
function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, {
    cwd: opts.cwd, env: opts.env ?? process.env, encoding: "utf8", maxBuffer: 64 << 20,
    stdio: opts.inherit ? "inherit" : "pipe",
  });
  if (r.error) {
    if (opts.allowFail) return null;
    die(`cannot run ${cmd}: ${r.error.message}`);
  }
  if (r.status !== 0) {
    if (opts.allowFail) return null;
    die(`${cmd} ${argv.join(" ")} failed (exit ${r.status})\n${r.stdout ?? ""}${r.stderr ?? ""}`);
  }
  return r.stdout ?? "";
}
function isRoot() {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

// ---- Debian packages ----------------------------------------------------------------------

/** Version of an installed package, or null (`dpkg -s`). */
function installedVersion(pkg) {
  const out = run("dpkg", ["-s", pkg], { allowFail: true });
  if (!out || !/^Status: install ok installed$/m.test(out)) return null;
  return out.match(/^Version: (.+)$/m)?.[1] ?? null;
}

let aptUpdated = false;
function aptUpdate() {
  if (aptUpdated) return;
  // A mirror in the middle of a sync makes apt-get update fail now and then: retry, and go on
  // with what it got (a package that is still unknown is reported by the caller).
  for (let attempt = 1; attempt <= 3; attempt++) {
    log(`apt-get update${attempt > 1 ? ` (attempt ${attempt})` : ""}`);
    if (run("apt-get", ["update"], { inherit: true, allowFail: true }) !== null) break;
    if (attempt === 3) log("warning: apt-get update failed; going on with the package lists it got");
    else spawnSync("sleep", ["10"]);
  }
  aptUpdated = true;
}
function aptEnv() {
  return { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
}

function ensureHostPackages() {
  const missing = HOST_PACKAGES.filter((p) => installedVersion(p) === null);
  if (missing.length === 0) return;
  if (!isRoot()) die(`missing Debian packages: ${missing.join(" ")} (run as root, or apt-get install them)`);
  log(`installing missing Debian packages: ${missing.join(" ")}`);
  aptUpdate();
  run("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { inherit: true, env: aptEnv() });
  const still = missing.filter((p) => installedVersion(p) === null);
  if (still.length) die(`apt-get did not install: ${still.join(" ")}`);
  for (const p of missing) log(`  installed ${p} ${installedVersion(p)}`);
}

/** Candidate version of busybox-static:i386 in the apt lists, or null. */
function busyboxCandidate() {
  const out = run("apt-cache", ["policy", `${BUSYBOX_PKG}:${BUSYBOX_ARCH}`], { allowFail: true }) ?? "";
  const v = out.match(/^\s*Candidate: (.+)$/m)?.[1];
  return v && v !== "(none)" ? v : null;
}

/**
 * Debian's busybox-static:i386 as a .deb in the cache. It is fetched with `apt-get download` and
 * unpacked with dpkg-deb rather than installed: installing it would replace the host's own
 * /bin/busybox (it Conflicts/Replaces busybox) with an i386 binary.
 */
function ensureBusyboxDeb() {
  const foreign = run("dpkg", ["--print-foreign-architectures"]).split(/\s+/);
  const archOk = foreign.includes(BUSYBOX_ARCH) || run("dpkg", ["--print-architecture"]).trim() === BUSYBOX_ARCH;
  if (!archOk) {
    if (!isRoot()) die(`dpkg architecture ${BUSYBOX_ARCH} is not enabled (run as root)`);
    log(`dpkg --add-architecture ${BUSYBOX_ARCH}`);
    run("dpkg", ["--add-architecture", BUSYBOX_ARCH]);
    aptUpdated = false; // the lists must now include the new architecture
    aptUpdate();
  }
  let version = busyboxCandidate();
  if (!version) {
    aptUpdate();
    version = busyboxCandidate();
    if (!version) die(`apt knows no ${BUSYBOX_PKG}:${BUSYBOX_ARCH}`);
  }
  mkdirSync(CACHE, { recursive: true });
  const file = join(CACHE, `${BUSYBOX_PKG}_${version.replace(/:/g, "%3a")}_${BUSYBOX_ARCH}.deb`);
  if (!existsSync(file)) {
    log(`apt-get download ${BUSYBOX_PKG}:${BUSYBOX_ARCH}=${version}`);
    const get = () => run("apt-get", ["download", `${BUSYBOX_PKG}:${BUSYBOX_ARCH}=${version}`],
      { cwd: CACHE, allowFail: true });
    if (get() === null) { aptUpdated = false; aptUpdate(); if (get() === null) die("apt-get download failed"); }
    if (!existsSync(file)) die(`apt-get download did not produce ${file}`);
  }
  const fields = run("dpkg-deb", ["-f", file, "Package", "Version", "Architecture"]);
  const got = Object.fromEntries(fields.trim().split("\n").map((l) => l.split(": ")));
  if (got.Package !== BUSYBOX_PKG || got.Version !== version || got.Architecture !== BUSYBOX_ARCH) {
    die(`${file} is not ${BUSYBOX_PKG} ${version} ${BUSYBOX_ARCH}: ${JSON.stringify(got)}`);
  }
  return { file, version };
}

function firstLine(cmd, argv) {
  return (run(cmd, argv, { allowFail: true }) ?? "").split("\n")[0].trim() || null;
}

// ---- Stamp --------------------------------------------------------------------------------

/** Everything the outputs depend on; a build is skipped when its part is unchanged. */
function inputs(busybox) {
  const toolchain = {
    gcc: firstLine("gcc", ["--version"]),
    binutils: installedVersion("binutils"),
    make: installedVersion("make"),
    gzip: installedVersion("gzip"),
  };
  const script = sha256File(fileURLToPath(import.meta.url));
  const kernel = {
    script, toolchain, linux: `${LINUX_PKG} ${installedVersion(LINUX_PKG)}`,
    fragment: sha256File(join(HERE, "kernel.config")),
  };
  const initramfs = {
    script, linux: kernel.linux, gzip: toolchain.gzip,
    busybox: `${BUSYBOX_PKG}:${BUSYBOX_ARCH} ${busybox.version}`, init: sha256File(join(HERE, "init")),
  };
  return { kernel, initramfs, kernelHash: sha256(JSON.stringify(kernel)), initramfsHash: sha256(JSON.stringify(initramfs)) };
}

function readJson(path) {
  try { return JSON.parse(readFileSync(path, "utf8")); } catch { return null; }
}

/** True when every output named in the manifest exists with its recorded sha256. */
function outputsIntact(manifest, names) {
  if (!manifest?.files) return false;
  return names.every((n) => {
    const p = join(OUT, n);
    return manifest.files[n] && existsSync(p) && sha256File(p) === manifest.files[n].sha256;
  });
}

// ---- Kernel -------------------------------------------------------------------------------

function kernelEnv() {
  const env = { ...process.env, ...KBUILD_ENV, ARCH: "i386", LC_ALL: "C", TZ: "UTC" };
  // Variables that would change what the kernel build does or embeds.
  for (const k of ["CROSS_COMPILE", "KCFLAGS", "KCPPFLAGS", "KAFLAGS", "KBUILD_OUTPUT", "O", "LOCALVERSION",
    "CC", "LD", "HOSTCC", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "KCONFIG_CONFIG", "INSTALL_PATH"]) delete env[k];
  return env;
}

/** Unpacks the kernel source (again, when --force or the package version changed). */
function ensureTree(linuxVersion, force) {
  const stampFile = join(BUILD, "tree-stamp");
  const want = `${LINUX_PKG} ${linuxVersion}\n`;
  if (!force && existsSync(join(TREE, "Makefile")) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === want) return;
  if (!existsSync(LINUX_TARBALL)) die(`${LINUX_TARBALL} is missing (is ${LINUX_PKG} installed?)`);
  const t = Date.now();
  log(`unpacking ${LINUX_TARBALL}`);
  rmSync(TREE, { recursive: true, force: true });
  rmSync(stampFile, { force: true });
  mkdirSync(BUILD, { recursive: true });
  run("tar", ["-xf", LINUX_TARBALL, "-C", BUILD]);
  if (!existsSync(join(TREE, "Makefile"))) die(`${LINUX_TARBALL} did not unpack to ${TREE}`);
  writeFileSync(stampFile, want);
  log(`  unpacked in ${elapsed(t)}`);
}

/** Parses a fragment into { SYMBOL: value }, "n" for `# CONFIG_X is not set`. */
function parseConfig(text) {
  const cfg = {};
  for (const line of text.split("\n")) {
    let m = line.match(/^(CONFIG_\w+)=(.*)$/);
    if (m) { cfg[m[1]] = m[2]; continue; }
    m = line.match(/^# (CONFIG_\w+) is not set$/);
    if (m) cfg[m[1]] = "n";
  }
  return cfg;
}

function configure(env, logFd) {
  const step = (cmd, argv) => {
    writeSync(logFd, `\n$ ${cmd} ${argv.join(" ")}\n`);
    const r = spawnSync(cmd, argv, { cwd: TREE, env, encoding: "utf8", maxBuffer: 64 << 20 });
    writeSync(logFd, (r.stdout ?? "") + (r.stderr ?? ""));
    if (r.status !== 0) die(`${cmd} ${argv.join(" ")} failed; see ${join(OUT, "kernel-build.log")}\n${r.stdout}${r.stderr}`);
  };
  const fragment = join(HERE, "kernel.config");
  log("make tinyconfig + images/kernel.config + olddefconfig");
  step("make", ["ARCH=i386", "tinyconfig"]);
  step("sh", ["scripts/kconfig/merge_config.sh", "-m", ".config", fragment]);
  step("make", ["ARCH=i386", "olddefconfig"]);
  // Every line of the fragment must have survived (olddefconfig silently drops what it cannot set).
  const want = parseConfig(readFileSync(fragment, "utf8"));
  const have = parseConfig(readFileSync(join(TREE, ".config"), "utf8"));
  const bad = Object.entries(want).filter(([k, v]) => (have[k] ?? "n") !== v)
    .map(([k, v]) => `${k}: want ${v}, got ${have[k] ?? "n"}`);
  if (bad.length) die(`the final .config does not honour images/kernel.config:\n  ${bad.join("\n  ")}`);
}

/** `make bzImage`, printing a progress line every few seconds; the full log goes to logFd. */
function makeWithProgress(env, logFd, expectedSteps) {
  return new Promise((resolvePromise) => {
    const t = Date.now();
    const child = spawn("make", ["ARCH=i386", `-j${JOBS}`, "bzImage"], { cwd: TREE, env, stdio: ["ignore", "pipe", "pipe"] });
    let steps = 0, last = "", partial = "", errTail = [];
    const onData = (isErr) => (buf) => {
      writeSync(logFd, buf);
      const text = partial + buf.toString("utf8");
      const lines = text.split("\n");
      partial = lines.pop();
      for (const line of lines) {
        const m = line.match(/^\s+([A-Z][A-Z0-9_]*)\s+(\S+)/);
        if (m && !isErr) { steps++; last = `${m[1]} ${m[2]}`; }
        if (isErr) { errTail.push(line); if (errTail.length > 40) errTail.shift(); }
      }
    };
    child.stdout.on("data", onData(false));
    child.stderr.on("data", onData(true));
    const show = () => {
      const pct = expectedSteps ? ` ~${Math.min(99, Math.floor((100 * steps) / expectedSteps))}%` : "";
      log(`  kernel ${elapsed(t).padStart(6)}  ${String(steps).padStart(4)} steps${pct}  ${last}`);
    };
    const timer = setInterval(show, 5000);
    child.on("close", (code) => {
      clearInterval(timer);
      if (code !== 0) {
        die(`make bzImage failed (exit ${code}); full log: ${join(OUT, "kernel-build.log")}\n${errTail.join("\n")}`);
      }
      log(`  kernel built in ${elapsed(t)} (${steps} steps)`);
      resolvePromise(steps);
    });
  });
}

async function buildKernel(linuxVersion) {
  ensureTree(linuxVersion, opt.force);
  const env = kernelEnv();
  const logFd = openSync(join(OUT, "kernel-build.log"), "w");
  try {
    configure(env, logFd);
    const stepsFile = join(BUILD, "kernel-steps");
    const expected = Number(readJson(stepsFile)?.steps) || 0;
    const firstBuild = !existsSync(join(TREE, "vmlinux"));
    log(`make -j${JOBS} bzImage${firstBuild ? " (a full build takes 3-8 minutes on 2 cores)" : ""}; log: ${relative(process.cwd(), join(OUT, "kernel-build.log"))}`);
    const steps = await makeWithProgress(env, logFd, firstBuild ? expected : 0);
    if (firstBuild) writeFileSync(stepsFile, JSON.stringify({ steps }) + "\n");
  } finally {
    closeSync(logFd);
  }
  const release = run("make", ["-s", "ARCH=i386", "kernelrelease"], { cwd: TREE, env }).trim();
  copyFileSync(join(TREE, "arch/x86/boot/bzImage"), join(OUT, "bzImage"));
  copyFileSync(join(TREE, ".config"), join(OUT, "kernel.config"));
  copyFileSync(join(TREE, "System.map"), join(OUT, "System.map"));
  return release;
}

// ---- Initramfs ----------------------------------------------------------------------------

/** The kernel tree's usr/gen_init_cpio (built by the kernel build; compiled here if absent). */
function genInitCpio(linuxVersion) {
  const bin = join(TREE, "usr/gen_init_cpio");
  if (!existsSync(bin)) {
    ensureTree(linuxVersion, false);
    run("cc", ["-O2", "-o", bin, join(TREE, "usr/gen_init_cpio.c")]);
  }
  return bin;
}

function buildInitramfs(busybox, linuxVersion) {
  const stage = join(BUILD, "initramfs");
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  // Debian's busybox-static:i386, unpacked from its .deb.
  const deb = join(stage, "deb");
  run("dpkg-deb", ["-x", busybox.file, deb]);
  const bbSrc = join(deb, "bin/busybox");
  if (!existsSync(bbSrc)) die(`${busybox.file} has no bin/busybox`);
  const elf = readFileSync(bbSrc).subarray(0, 20);
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 1 || elf.readUInt16LE(18) !== 3) die("bin/busybox is not a 32-bit i386 ELF");
  const files = {
    busybox: readFileSync(bbSrc),
    init: readFileSync(join(HERE, "init")),
    passwd: "root:x:0:0:root:/root:/bin/sh\n",
    group: "root:x:0:\n",
  };
  for (const [name, data] of Object.entries(files)) {
    writeFileSync(join(stage, name), data);
    utimesSync(join(stage, name), CPIO_MTIME, CPIO_MTIME);
  }
  const list = [
    "# gen_init_cpio list for the emu guest (generated by images/build.mjs)",
    "dir /bin 0755 0 0", "dir /sbin 0755 0 0", "dir /usr 0755 0 0", "dir /usr/bin 0755 0 0",
    "dir /usr/sbin 0755 0 0", "dir /etc 0755 0 0", "dir /dev 0755 0 0", "dir /proc 0555 0 0",
    "dir /sys 0555 0 0", "dir /root 0700 0 0", "dir /tmp 1777 0 0", "dir /mnt 0755 0 0",
    // The kernel opens /dev/console for init's stdio before /init can mount devtmpfs.
    "nod /dev/console 0600 0 0 c 5 1",
    `file /bin/busybox ${join(stage, "busybox")} 0755 0 0`,
    `file /init ${join(stage, "init")} 0755 0 0`,
    `file /etc/passwd ${join(stage, "passwd")} 0644 0 0`,
    `file /etc/group ${join(stage, "group")} 0644 0 0`,
    ...APPLETS.bin.map((a) => `slink /bin/${a} busybox 0777 0 0`),
    ...APPLETS.sbin.map((a) => `slink /sbin/${a} ../bin/busybox 0777 0 0`),
    ...APPLETS.usr_bin.map((a) => `slink /usr/bin/${a} ../../bin/busybox 0777 0 0`),
  ];
  const listFile = join(stage, "initramfs.list");
  writeFileSync(listFile, list.join("\n") + "\n");
  const cpio = spawnSync(genInitCpio(linuxVersion), ["-t", String(CPIO_MTIME), listFile], { maxBuffer: 256 << 20 });
  if (cpio.status !== 0) die(`gen_init_cpio failed: ${cpio.stderr}`);
  const gz = spawnSync("gzip", ["-n", "-9", "-c"], { input: cpio.stdout, maxBuffer: 256 << 20 });
  if (gz.status !== 0) die(`gzip failed: ${gz.stderr}`);
  const tmp = join(OUT, "initramfs.cpio.gz.tmp");
  writeFileSync(tmp, gz.stdout);
  renameSync(tmp, join(OUT, "initramfs.cpio.gz"));
  rmSync(deb, { recursive: true, force: true });
  log(`initramfs: ${list.length - 1} entries, cpio ${cpio.stdout.length} bytes, gzip ${gz.stdout.length} bytes`);
}

// ---- Main ---------------------------------------------------------------------------------

const KERNEL_FILES = ["bzImage", "kernel.config", "System.map"];
const INITRAMFS_FILES = ["initramfs.cpio.gz"];
/** Boot media made from the kernel and initramfs by images/disk.mjs. */
const MEDIA_FILES = ["disk.img", "linux.iso", "floppy.img"];
const MEDIA_PACKAGES = ["syslinux", "syslinux-common", "isolinux", "mtools", "dosfstools", "fdisk", "e2fsprogs", "xorriso"];

/** What the boot media depend on: disk.mjs, the kernel and initramfs bytes, the tools' versions. */
function mediaInputs() {
  const media = {
    script: sha256File(join(HERE, "disk.mjs")),
    files: Object.fromEntries(["bzImage", "initramfs.cpio.gz"].map((n) => [n, sha256File(join(OUT, n))])),
    tools: Object.fromEntries(MEDIA_PACKAGES.map((p) => [p, installedVersion(p)])),
  };
  return { media, hash: sha256(JSON.stringify(media)) };
}

/** disk.img, linux.iso and floppy.img (about 2 s), unless the stamp says they are current. */
function ensureMedia(manifest, stamp) {
  if (stamp.media === mediaInputs().hash && outputsIntact(manifest, MEDIA_FILES)) {
    log("boot media (disk.img, linux.iso, floppy.img) are up to date");
    return;
  }
  delete stamp.media;
  writeFileSync(join(OUT, "stamp.json"), JSON.stringify(stamp, null, 2) + "\n");
  run(process.execPath, [join(HERE, "disk.mjs"), "--out", OUT, "--iso", "--floppy"], { inherit: true });
  const after = mediaInputs();
  for (const n of MEDIA_FILES) {
    const data = readFileSync(join(OUT, n));
    manifest.files[n] = { size: data.length, sha256: sha256(data) };
  }
  writeFileSync(join(OUT, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  stamp.media = after.hash;
  stamp.inputs.media = after.media;
  writeFileSync(join(OUT, "stamp.json"), JSON.stringify(stamp, null, 2) + "\n");
}

async function main() {
  ensureHostPackages();
  const busybox = ensureBusyboxDeb();
  if (opt.deps) { log("Debian packages are in place"); return; }
  mkdirSync(OUT, { recursive: true });
  const linuxVersion = installedVersion(LINUX_PKG);
  const inp = inputs(busybox);
  const stampFile = join(OUT, "stamp.json");
  const manifestFile = join(OUT, "manifest.json");
  const stamp = opt.force ? null : readJson(stampFile);
  const manifest = opt.force ? null : readJson(manifestFile);
  const kernelOk = stamp?.kernel === inp.kernelHash && outputsIntact(manifest, KERNEL_FILES);
  const initramfsOk = stamp?.initramfs === inp.initramfsHash && outputsIntact(manifest, INITRAMFS_FILES);

  if (kernelOk && initramfsOk) {
    log(`kernel and initramfs up to date (stamp ${inp.kernelHash.slice(0, 12)}/${inp.initramfsHash.slice(0, 12)}); --force rebuilds`);
    ensureMedia(manifest, stamp);
    summary(manifest);
    return;
  }
  // The stamp is removed first: an interrupted build must not look finished.
  rmSync(stampFile, { force: true });
  let release = manifest?.kernel?.release;
  if (!kernelOk) release = await buildKernel(linuxVersion);
  else log("kernel is up to date");
  if (!initramfsOk) buildInitramfs(busybox, linuxVersion);
  else log("initramfs is up to date");

  const files = {};
  for (const n of [...KERNEL_FILES, ...INITRAMFS_FILES]) {
    const data = readFileSync(join(OUT, n));
    files[n] = { size: data.length, sha256: sha256(data) };
  }
  const newManifest = {
    kernel: { release, source: inp.kernel.linux, compiler: inp.kernel.toolchain.gcc, config: "images/kernel.config on tinyconfig" },
    initramfs: { busybox: inp.initramfs.busybox, init: "images/init" },
    files,
  };
  writeFileSync(manifestFile, JSON.stringify(newManifest, null, 2) + "\n");
  const newStamp = { kernel: inp.kernelHash, initramfs: inp.initramfsHash, inputs: { kernel: inp.kernel, initramfs: inp.initramfs } };
  writeFileSync(stampFile, JSON.stringify(newStamp, null, 2) + "\n");
  ensureMedia(newManifest, newStamp);
  log(`done in ${elapsed(t0)}`);
  summary(newManifest);
}

function summary(manifest) {
  log(`Linux ${manifest.kernel?.release}, ${manifest.initramfs?.busybox}; in ${relative(process.cwd(), OUT) || "."}/:`);
  for (const [n, f] of Object.entries(manifest.files)) {
    log(`  ${n.padEnd(18)} ${String(f.size).padStart(8)} bytes  sha256 ${f.sha256}`);
  }
}

await main();
