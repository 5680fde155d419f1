// The `emu` command line.

import { readFileSync, existsSync, writeSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "./errors.ts";
import { loadRomImage, runRom } from "./rom-runner.ts";
import { runSsts, formatReport, type ExceptionsFile } from "./conformance/ssts.ts";
import { traceLine, disassembleAt } from "./trace.ts";
import { runCommand, openDiskette } from "./run-command.ts";
import { parseDrives, type DriveSlot } from "./drive-option.ts";
import type { DisplayMode } from "./terminal.ts";

const HELP = `emu — an x86 PC emulator (TypeScript machine, WebAssembly CPU core)

Usage:
  emu run [options] [disk.img]      boot a PC: a disk image through the built-in BIOS, -kernel/-initrd
                                    directly, or (neither) the built-in tiny Linux (built on first use)
  emu rom FILE [options]            run a 64/128 KiB ROM image from the reset vector F000:FFF0
  emu conformance ssts DIR [opts]   run a SingleStepTests directory against the CPU core
  emu --help | --version

emu run options (in the style of qemu-system-i386):
  -kernel FILE            a Linux bzImage to boot directly (default: the built-in tiny Linux)
  -initrd FILE            an initrd / initramfs for it
  -append "CMDLINE"       the kernel command line (default "console=ttyS0")
  -m MIB                  guest RAM in MiB (default 128)
  -hda/-hdb/-hdc/-hdd FILE  raw disk images on the IDE channels (disk.img alone means -hda);
                          without -kernel the built-in BIOS boots the first bootable one
  -fda/-fdb FILE          diskette images (160 KiB-2.88 MiB) in drives A:/B: (floppy controller
                          and the built-in BIOS's INT 13h)
  -cdrom FILE             an ISO image in an ATAPI CD-ROM drive (secondary IDE master); the
                          BIOS boots it (El Torito)
  -drive file=FILE[,if=ide|floppy][,index=N][,media=disk|cdrom][,format=raw][,readonly=on]
                          a drive as QEMU gives it; readonly=on shows the guest a write-protected
                          disk (a file the user cannot write is always attached read-only)
  -boot ORDER             the BIOS's boot order, as QEMU: c hard disk, a diskette, d CD-ROM
                          (default cad; also order=dc)
  -bios FILE              a standard BIOS image instead of the built-in BIOS (a multiple of
                          64 KiB, e.g. /usr/share/seabios/bios.bin); its VGA BIOS is
                          vgabios-stdvga.bin beside it, or in DIR with -L DIR
  -L DIR                  where -bios looks for vgabios-stdvga.bin (and for a bare image name)
  -debugcon DEST          debug console bytes (ports 0xE9 and 0x402, SeaBIOS's log) to DEST:
                          stdio (stderr), file:PATH or null; default: 0xE9 to stderr
  -snapshot               keep disk writes in memory; the image files are not changed
  -no-reboot              exit when the guest resets or triple-faults (default: reboot, as QEMU)
  --realtime              pace guest time to the host clock (the default on a terminal)
  --virtual-time          guest time derived from the instruction count: deterministic, idle
                          time skipped (the default when stdin is a pipe or a file)
  --stats                 print at exit what the guest did: instructions, MIPS, exceptions by
                          vector, IRQs, port I/O by device, and the privileged and sensitive
                          instructions a VT-x hypervisor would have to handle
  -display curses         the VGA text screen on the terminal (keys go to the PS/2 keyboard)
  -nographic              COM1 only (also -display none)
  The terminal shows COM1 or the VGA text screen: by default the VGA screen when firmware boots
  the machine, until the guest writes to COM1; COM1 for a direct kernel boot whose console is
  there, and always COM1 through a pipe. Ctrl-A V switches, Ctrl-A X quits, Ctrl-A H helps.
  Through a pipe, stdin feeds COM1 a line at a time (or, with -display curses, the keyboard).
  Exit status: 0 when the guest powers off, (V << 1) | 1 when it writes V to port 0xF4,
  3 after a triple fault with -no-reboot, 2 when the BIOS finds nothing to boot.

emu rom options:
  --post-port PORT        also show writes to PORT (hex like 0x190 or decimal) as POST codes
  --max-instructions N    stop after N instructions (exit status 124)
  --trace                 print every instruction with the registers on stderr
  --debug-core            use the debug build of the core (slower, with assertions)
  -M pc                   run the ROM as the firmware of the whole PC (PICs, PIT, RTC, DMA, floppy
                          controller, ...) instead of on a bare CPU; HLT then waits for interrupts
  -fda/-fdb FILE          diskette images in the floppy controller's drives 0 and 1 (implies -M pc)
  -drive if=floppy,file=FILE[,index=N][,readonly=on]  the same, as QEMU writes it
  The ROM is mapped below 1 MiB and below 4 GiB. Bytes written to port 0xE9 go to stdout
  untouched; POST codes written to port 0x80 are printed on stderr as "POST xx". A write of V
  to port 0xF4 stops with exit status (V << 1) | 1, as QEMU's isa-debug-exit device does.
  HLT stops with status 0 (no device is present to wake the CPU); a triple fault with status 3.

emu conformance ssts options:
  --filter PREFIX[,PREFIX]  only opcode files starting with these (e.g. F6,0F)
  --exceptions FILE         JSON of documented 286-vs-386+ differences to skip
                            (default: test/ssts-exceptions.json in the emu package)
  --limit N                 run at most N tests per opcode file
  --details N               show N failures per opcode in detail (default 3)
  --min-pass-rate P         exit 1 when fewer than P percent of "normal" tests pass
`;

function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith("dist") ? join(here, "..") : join(here, "..");
}

function parseNumber(flag: string, v: string | undefined): number {
  if (v === undefined) throw new UserError(`emu: ${flag} needs a value`);
  const n = /^0x[0-9a-f]+$/i.test(v) ? parseInt(v, 16) : /^\d+$/.test(v) ? parseInt(v, 10) : NaN;
  if (!Number.isSafeInteger(n)) throw new UserError(`emu: ${flag}: not a number: ${v}`);
  return n;
}

interface Parsed { positional: string[]; flags: Map<string, string | true>; drives: string[] }
/** `-drive` may be given many times: its values are collected in `drives`. */
function parseArgs(args: string[], withValue: string[], boolean: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const drives: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith("-") && a !== "-") {
      const name = a.replace(/^--?/, "");
      const eq = name.indexOf("=");
      const key = eq >= 0 ? name.slice(0, eq) : name;
      if (withValue.includes(key)) {
        const v = eq >= 0 ? name.slice(eq + 1) : args[++i];
        if (v === undefined) throw new UserError(`emu: --${key} needs a value`);
        if (key === "drive") drives.push(v);
        else flags.set(key, v);
      } else if (boolean.includes(key)) {
        flags.set(key, true);
      } else {
        throw new UserError(`emu: unknown option ${a} (see emu --help)`);
      }
    } else positional.push(a);
  }
  return { positional, flags, drives };
}

function stderr(s: string): void { process.stderr.write(s.endsWith("\n") ? s : s + "\n"); }

async function romCommand(args: string[]): Promise<number> {
  const p = parseArgs(args, ["post-port", "max-instructions", "fda", "fdb", "M", "drive"], ["trace", "debug-core"]);
  if (p.positional.length !== 1) throw new UserError("emu rom: expected one ROM file (see emu --help)");
  const image = loadRomImage(p.positional[0]);
  const postPort = p.flags.has("post-port") ? parseNumber("--post-port", p.flags.get("post-port") as string) : undefined;
  if (postPort !== undefined && postPort > 0xffff) throw new UserError(`emu rom: --post-port must be 0..0xffff`);
  const max = p.flags.has("max-instructions") ? parseNumber("--max-instructions", p.flags.get("max-instructions") as string) : undefined;
  const machineName = p.flags.get("M");
  if (machineName !== undefined && machineName !== "pc") throw new UserError(`emu rom: -M ${machineName}: the only machine is pc`);
  const given = (["fda", "fdb"] as const).filter((n) => p.flags.has(n));
  const drives = parseDrives(p.drives, given);
  if (drives.some((d) => d.slot !== "fda" && d.slot !== "fdb")) throw new UserError("emu rom: -drive: only diskettes (if=floppy) are attached here");
  const floppies: { fda?: ReturnType<typeof openDiskette>; fdb?: ReturnType<typeof openDiskette> } = {};
  for (const name of given) floppies[name] = openDiskette(p.flags.get(name) as string);
  for (const d of drives) floppies[d.slot as "fda" | "fdb"] = openDiskette(d.file, { readOnly: d.readOnly });
  const onPc = machineName === "pc" || floppies.fda !== undefined || floppies.fdb !== undefined;
  const result = await runRom(image, {
    machine: onPc ? { floppies } : undefined,
    postPort,
    maxInstructions: max,
    debugCore: p.flags.has("debug-core"),
    onOutput: (bytes) => writeSync(1, bytes),
    onPost: (code) => stderr(`POST ${code.toString(16).padStart(2, "0")}`),
    onTrace: p.flags.has("trace") ? (cpu) => stderr(traceLine(cpu)) : undefined,
  });
  const post = result.lastPost === undefined ? "none" : result.lastPost.toString(16).padStart(2, "0");
  for (const d of Object.values(floppies)) d.close();
  stderr(`emu: stopped: ${result.message}; last POST code ${post}; ${result.instructions} instructions in ${result.seconds.toFixed(3)} s`);
  return result.exitStatus;
}

async function runCli(args: string[]): Promise<number> {
  const p = parseArgs(args, ["kernel", "initrd", "append", "m", "hda", "hdb", "hdc", "hdd", "fda", "fdb", "cdrom", "boot", "bios", "L", "debugcon", "drive", "display"], ["stats", "debug-core", "snapshot", "no-reboot", "realtime", "virtual-time", "nographic", "curses"]);
  if (p.positional.length > 1) throw new UserError("emu run: at most one disk image may be given without -hda");
  const m = p.flags.has("m") ? parseNumber("-m", String(p.flags.get("m")).replace(/[Mm]$/, "")) : 128;
  if (m < 2 || m > 3072) throw new UserError("emu run: -m must be between 2 and 3072 (MiB)");
  const str = (k: string) => p.flags.get(k) as string | undefined;
  if (p.positional.length === 1 && str("hda")) throw new UserError("emu run: a disk image was given both alone and with -hda");
  let bootOrder: string | undefined;
  if (p.flags.has("boot")) {
    // QEMU's forms: "-boot c", "-boot order=dc[,menu=on]", "-boot once=d".
    const v = String(p.flags.get("boot"));
    const order = v.split(",").map((kv) => kv.replace(/^(order|once)=/, "")).find((x) => !x.includes("=")) ?? "";
    if (!/^[acdn]+$/.test(order)) throw new UserError(`emu run: -boot ${v}: expected drive letters (c hard disk, a floppy, d CD-ROM, n network)`);
    bootOrder = order;
  }
  const slots = ["hda", "hdb", "hdc", "hdd", "fda", "fdb", "cdrom"] as const;
  const drives = parseDrives(p.drives, slots.filter((s) => str(s) !== undefined || (s === "hda" && p.positional.length === 1)));
  const fromDrive = (slot: DriveSlot) => drives.find((d) => d.slot === slot)?.file;
  let display: DisplayMode = "auto";
  if (p.flags.has("nographic")) display = "nographic";
  if (p.flags.has("curses")) display = "curses";
  if (p.flags.has("display")) {
    const v = String(p.flags.get("display")).split(",")[0];
    if (v === "curses") display = "curses";
    else if (v === "none") display = "nographic";
    else throw new UserError(`emu run: -display ${v}: emu shows the VGA screen on its terminal only (-display curses, -display none, -nographic)`);
  }
  return runCommand({
    display,
    readOnly: drives.filter((d) => d.readOnly).map((d) => d.slot),
    kernel: str("kernel"),
    initrd: str("initrd"),
    append: str("append"),
    hda: str("hda") ?? p.positional[0] ?? fromDrive("hda"),
    hdb: str("hdb") ?? fromDrive("hdb"),
    hdc: str("hdc") ?? fromDrive("hdc"),
    hdd: str("hdd") ?? fromDrive("hdd"),
    fda: str("fda") ?? fromDrive("fda"),
    fdb: str("fdb") ?? fromDrive("fdb"),
    cdrom: str("cdrom") ?? fromDrive("cdrom"),
    bootOrder,
    bios: str("bios"),
    dataDir: str("L"),
    debugcon: str("debugcon"),
    snapshot: p.flags.has("snapshot"),
    noReboot: p.flags.has("no-reboot"),
    // Interactive sessions follow the host clock (an idle shell then costs no host CPU); scripts
    // through a pipe get deterministic virtual time.
    realtime: p.flags.has("realtime") || (!p.flags.has("virtual-time") && process.stdin.isTTY === true),
    memoryMiB: m,
    stats: p.flags.has("stats"),
    debugCore: p.flags.has("debug-core"),
  });
}

async function conformanceCommand(args: string[]): Promise<number> {
  const [kind, ...rest] = args;
  if (kind !== "ssts") throw new UserError("emu conformance: expected `ssts DIR` (see emu --help)");
  const p = parseArgs(rest, ["filter", "exceptions", "limit", "details", "min-pass-rate"], []);
  if (p.positional.length !== 1) throw new UserError("emu conformance ssts: expected one directory");
  const exPath = (p.flags.get("exceptions") as string | undefined) ?? join(packageRoot(), "test", "ssts-exceptions.json");
  let exceptions: ExceptionsFile | undefined;
  if (existsSync(exPath)) {
    try { exceptions = JSON.parse(readFileSync(exPath, "utf8")); }
    catch (e) { throw new UserError(`emu conformance: ${exPath}: ${(e as Error).message}`); }
  } else if (p.flags.has("exceptions")) {
    throw new UserError(`emu conformance: no such exceptions file: ${exPath}`);
  }
  const report = await runSsts(p.positional[0], {
    filter: (p.flags.get("filter") as string | undefined)?.split(","),
    limit: p.flags.has("limit") ? parseNumber("--limit", p.flags.get("limit") as string) : undefined,
    exceptions,
  });
  const details = p.flags.has("details") ? parseNumber("--details", p.flags.get("details") as string) : 3;
  console.log(formatReport(report, details, (bytes) => disassembleAt(bytes)));
  if (p.flags.has("min-pass-rate")) {
    const want = Number(p.flags.get("min-pass-rate"));
    const total = report.normalPassed + report.normalFailed;
    const rate = total ? (100 * report.normalPassed) / total : 0;
    if (!(rate >= want)) { stderr(`emu conformance: pass rate ${rate.toFixed(2)}% is below ${want}%`); return 1; }
  }
  return 0;
}

function version(): string {
  try { return JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")).version; } catch { return "unknown"; }
}

export async function main(argv: string[]): Promise<number> {
  try {
    const [cmd, ...rest] = argv;
    if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") { process.stdout.write(HELP); return cmd === undefined ? 2 : 0; }
    if (cmd === "--version" || cmd === "-V") { console.log(`emu ${version()}`); return 0; }
    if (cmd === "rom") return await romCommand(rest);
    if (cmd === "run") return await runCli(rest);
    if (cmd === "conformance") return await conformanceCommand(rest);
    throw new UserError(`emu: unknown command '${cmd}' (see emu --help)`);
  } catch (e) {
    if (e instanceof UserError) { stderr(e.message); return e.exitCode; }
    stderr(`emu: internal error: ${(e as Error).stack ?? e}`);
    return 70;
  }
}
