// Keys typed on a terminal as PC keyboard strokes: a terminal sends characters and escape
// sequences, the guest's keyboard wants keys pressed and released. Each character becomes the key
// of a US keyboard that types it (with Shift, Ctrl or Alt held around it); the escape sequences
// of xterm and the Linux console become arrows, Home/End, Insert/Delete, Page Up/Down and
// F1-F12, with their modifier parameter (ESC [ 1 ; 5 A is Ctrl+Up). Key names are DOM
// KeyboardEvent.code values, as the 8042 model (i8042.ts) takes them. Characters outside ASCII
// have no key and are dropped.

export interface KeyStroke {
  code: string;
  shift?: boolean;
  ctrl?: boolean;
  alt?: boolean;
}

/** Unshifted and shifted characters of the US layout's non-letter keys. */
const SYMBOLS: Record<string, [string, string]> = {
  Backquote: ["`", "~"], Digit1: ["1", "!"], Digit2: ["2", "@"], Digit3: ["3", "#"], Digit4: ["4", "$"],
  Digit5: ["5", "%"], Digit6: ["6", "^"], Digit7: ["7", "&"], Digit8: ["8", "*"], Digit9: ["9", "("],
  Digit0: ["0", ")"], Minus: ["-", "_"], Equal: ["=", "+"], BracketLeft: ["[", "{"], BracketRight: ["]", "}"],
  Backslash: ["\\", "|"], Semicolon: [";", ":"], Quote: ["'", "\""], Comma: [",", "<"], Period: [".", ">"],
  Slash: ["/", "?"], Space: [" ", " "],
};

/** The stroke that types ASCII character `c` (printable, or a control character). */
function charStroke(c: number): KeyStroke | undefined {
  const ch = String.fromCharCode(c);
  if (c >= 0x61 && c <= 0x7a) return { code: `Key${ch.toUpperCase()}` };
  if (c >= 0x41 && c <= 0x5a) return { code: `Key${ch}`, shift: true };
  for (const [code, [plain, shifted]] of Object.entries(SYMBOLS)) {
    if (ch === plain) return { code };
    if (ch === shifted) return { code, shift: true };
  }
  switch (c) {
    case 0x0d: case 0x0a: return { code: "Enter" };
    case 0x09: return { code: "Tab" };
    case 0x7f: case 0x08: return { code: "Backspace" };
    case 0x1b: return { code: "Escape" };
    case 0x00: return { code: "Digit2", ctrl: true, shift: true };
    case 0x1c: return { code: "Backslash", ctrl: true };
    case 0x1d: return { code: "BracketRight", ctrl: true };
    case 0x1e: return { code: "Digit6", ctrl: true, shift: true };
    case 0x1f: return { code: "Minus", ctrl: true, shift: true };
  }
  if (c >= 0x01 && c <= 0x1a) return { code: `Key${String.fromCharCode(0x40 + c)}`, ctrl: true };
  return undefined;
}

/** CSI/SS3 final bytes of the cursor and editing keys. */
const FINAL: Record<string, string> = { A: "ArrowUp", B: "ArrowDown", C: "ArrowRight", D: "ArrowLeft", H: "Home", F: "End", P: "F1", Q: "F2", R: "F3", S: "F4" };
/** ESC [ n ~ */
const TILDE: Record<number, string> = {
  1: "Home", 2: "Insert", 3: "Delete", 4: "End", 5: "PageUp", 6: "PageDown", 7: "Home", 8: "End",
  11: "F1", 12: "F2", 13: "F3", 14: "F4", 15: "F5", 17: "F6", 18: "F7", 19: "F8", 20: "F9", 21: "F10", 23: "F11", 24: "F12",
};

/** xterm's modifier parameter: 1 + (Shift 1 | Alt 2 | Ctrl 4). */
function withModifier(code: string, param: number | undefined): KeyStroke {
  const m = param && param > 1 ? param - 1 : 0;
  return { code, shift: (m & 1) !== 0, alt: (m & 2) !== 0, ctrl: (m & 4) !== 0 };
}

/**
 * Decodes a terminal's input into strokes. An escape that ends a chunk is the Escape key (a
 * terminal sends a whole sequence in one write); a sequence cut off by the chunk's end is kept
 * for the next chunk only when it is plainly incomplete (ESC [ with no final byte yet).
 */
export class TerminalKeyDecoder {
  private pending: number[] = [];

  decode(chunk: Iterable<number>): KeyStroke[] {
    const b = [...this.pending, ...chunk];
    this.pending = [];
    const out: KeyStroke[] = [];
    let i = 0;
    while (i < b.length) {
      const c = b[i];
      if (c >= 0x80) { i++; continue; } // not ASCII: no key types it
      if (c !== 0x1b || i + 1 >= b.length) {
        const s = charStroke(c);
        if (s) out.push(s);
        i++;
        continue;
      }
      const next = b[i + 1];
      if (next === 0x5b || next === 0x4f) {
        // CSI (ESC [) or SS3 (ESC O): parameters, then a final byte.
        let j = i + 2;
        // The Linux console's F1-F5: ESC [ [ A..E.
        if (next === 0x5b && b[j] === 0x5b) {
          if (j + 1 >= b.length) { this.pending = b.slice(i); break; }
          const n = b[j + 1] - 0x41;
          if (n >= 0 && n < 5) out.push({ code: `F${n + 1}` });
          i = j + 2;
          continue;
        }
        while (j < b.length && ((b[j] >= 0x30 && b[j] <= 0x39) || b[j] === 0x3b)) j++;
        if (j >= b.length) { this.pending = b.slice(i); break; }
        const params = String.fromCharCode(...b.slice(i + 2, j)).split(";").map((p) => (p === "" ? undefined : Number(p)));
        const final = String.fromCharCode(b[j]);
        if (final === "~") {
          const code = TILDE[params[0] ?? 0];
          if (code) out.push(withModifier(code, params[1]));
        } else if (FINAL[final]) {
          out.push(withModifier(FINAL[final], params[1]));
        }
        i = j + 1;
        continue;
      }
      // ESC and a character: Alt held.
      const s = charStroke(next);
      if (s) out.push({ ...s, alt: true });
      i += 2;
    }
    return out;
  }
}

/** The key events of a stroke: modifiers down, the key down and up, modifiers up. */
export function strokeEvents(s: KeyStroke): { code: string; down: boolean }[] {
  const mods = [s.ctrl && "ControlLeft", s.alt && "AltLeft", s.shift && "ShiftLeft"].filter((m): m is string => Boolean(m));
  return [
    ...mods.map((code) => ({ code, down: true })),
    { code: s.code, down: true },
    { code: s.code, down: false },
    ...mods.reverse().map((code) => ({ code, down: false })),
  ];
}
