// QEMU's -drive option, the part of it that emu's machine has: raw image files on the IDE
// channels, the CD-ROM and the diskette drives, read-only if asked.
//
//   -drive file=disk.img[,if=ide|floppy][,index=N][,media=disk|cdrom][,format=raw][,readonly=on]
//
// As in QEMU, a comma inside a value is written twice (file=a,,b.img is the file "a,b.img"); an
// IDE drive without index takes the first free one (0 = hda ... 3 = hdd), a diskette the first
// free of A: and B:; media=cdrom is the CD-ROM drive (what -cdrom gives).

import { UserError } from "./errors.ts";

export type DriveSlot = "hda" | "hdb" | "hdc" | "hdd" | "fda" | "fdb" | "cdrom";

export interface DriveSpec {
  slot: DriveSlot;
  file: string;
  readOnly: boolean;
}

const IDE: DriveSlot[] = ["hda", "hdb", "hdc", "hdd"];
const FLOPPY: DriveSlot[] = ["fda", "fdb"];

/** Split "a=1,b=x,,y" into [["a", "1"], ["b", "x,y"]]. */
function splitOptions(spec: string): [string, string][] {
  const out: [string, string][] = [];
  let cur = "";
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i];
    if (c === "," && spec[i + 1] === ",") { cur += ","; i++; continue; }
    if (c === ",") { out.push(pair(cur)); cur = ""; continue; }
    cur += c;
  }
  if (cur !== "") out.push(pair(cur));
  return out;
}

function pair(kv: string): [string, string] {
  const eq = kv.indexOf("=");
  return eq < 0 ? [kv, ""] : [kv.slice(0, eq), kv.slice(eq + 1)];
}

function onOff(key: string, v: string): boolean {
  if (["on", "yes", "true"].includes(v)) return true;
  if (["off", "no", "false"].includes(v)) return false;
  throw new UserError(`emu: -drive ${key}=${v}: expected on or off`);
}

/**
 * Parse every -drive given (in order) into drive slots; `taken` are the slots already given by
 * -hda/-fda/-cdrom and the like. Throws a UserError naming the problem.
 */
export function parseDrives(specs: readonly string[], taken: readonly DriveSlot[] = []): DriveSpec[] {
  const used = new Set<DriveSlot>(taken);
  // The CD-ROM drive is the secondary channel's master (QEMU's index 2): a disk placed
  // automatically leaves that place to it.
  const cdrom = taken.includes("cdrom") || specs.some((spec) => splitOptions(spec).some(([k, v]) => k === "media" && v === "cdrom"));
  const out: DriveSpec[] = [];
  for (const spec of specs) {
    let file: string | undefined, iface = "ide", media = "disk", index: number | undefined, readOnly = false;
    for (const [k, v] of splitOptions(spec)) {
      switch (k) {
        case "file": file = v; break;
        case "if": iface = v; break;
        case "media": media = v; break;
        case "readonly": readOnly = onOff(k, v); break;
        case "index":
          if (!/^\d+$/.test(v)) throw new UserError(`emu: -drive index=${v}: not a number`);
          index = Number(v);
          break;
        case "format":
          if (v !== "raw") throw new UserError(`emu: -drive format=${v}: only raw images are supported`);
          break;
        default: throw new UserError(`emu: -drive ${spec}: unknown option '${k}' (emu knows file, if, index, media, format, readonly)`);
      }
    }
    if (!file) throw new UserError(`emu: -drive ${spec}: no file= given`);
    if (iface !== "ide" && iface !== "floppy") throw new UserError(`emu: -drive if=${iface}: emu has IDE and floppy drives only`);
    if (media !== "disk" && media !== "cdrom") throw new UserError(`emu: -drive media=${media}: expected disk or cdrom`);
    let slot: DriveSlot | undefined;
    if (media === "cdrom") {
      if (iface !== "ide") throw new UserError("emu: -drive media=cdrom: the CD-ROM drive is on IDE");
      slot = "cdrom";
    } else {
      const slots = iface === "floppy" ? FLOPPY : IDE;
      if (index !== undefined) {
        slot = slots[index];
        if (!slot) throw new UserError(`emu: -drive if=${iface},index=${index}: there are ${slots.length} ${iface} drives (index 0-${slots.length - 1})`);
      } else {
        slot = slots.find((s) => !used.has(s) && !(s === "hdc" && cdrom));
        if (!slot) throw new UserError(`emu: -drive ${spec}: every ${iface} drive is taken`);
      }
    }
    if (used.has(slot)) throw new UserError(`emu: -drive ${spec}: drive ${slot} is given twice`);
    used.add(slot);
    out.push({ slot, file, readOnly: readOnly || media === "cdrom" });
  }
  return out;
}
