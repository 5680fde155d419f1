#!/usr/bin/env python3
"""Generate the table-driven x87 test ROMs test-roms/fpu-arith.asm and test-roms/fpu-trans.asm.

Expected results come from an independent model written here with exact rational arithmetic
(fractions.Fraction) for the basic operations, and from mpmath at 400 bits for the
transcendental functions, each correctly rounded to the 80-bit format under the vector's
rounding and precision control (SDM vol. 1, 4.8 and 8.1.5). Run: python3 tools/gen-fpu-tests.py
(needs mpmath). The generated .asm files are committed, so building the ROMs needs only nasm.
"""
import random
from fractions import Fraction as F
import mpmath
from mpmath import mpf

mpmath.mp.prec = 400
BIAS = 16383
TOP = 1 << 63
INDEF = (0xFFFF, 0xC000000000000000)
EMPTY = [0xEE] * 10  # the harness leaves this in RES/RES2 for an empty register
IE, DE, ZE, OE, UE, PE, SF = 1, 2, 4, 8, 16, 32, 64
C0, C1, C2, C3 = 0x100, 0x200, 0x400, 0x4000
RN, RD, RU, RZ = 0, 1, 2, 3


def cw_of(rc=RN, pc=64, masks=0x3F):
    p = {24: 0, 53: 2, 64: 3}[pc]
    return (rc << 10) | (p << 8) | 0x40 | masks


# ---------------------------------------------------------------- values
def ext_value(se, sig):
    """Exact value of a finite extended value (denormals and pseudo-denormals included)."""
    e = se & 0x7FFF
    s = -1 if se & 0x8000 else 1
    if e == 0:
        e = 1
    return s * F(sig) * F(2) ** (e - BIAS - 63)


def is_nan(se, sig):
    return (se & 0x7FFF) == 0x7FFF and (sig & TOP) and (sig << 1) & ((1 << 64) - 1)


def ilog2(a):
    """floor(log2(a)) for a positive Fraction."""
    n, d = a.numerator, a.denominator
    e = n.bit_length() - d.bit_length()
    if F(2) ** e > a:
        e -= 1
    elif F(2) ** (e + 1) <= a:
        e += 1
    return e


def round_to_quantum(a, q, rc, neg):
    """Round the positive Fraction a to a multiple of q; returns (multiple count, inexact, up)."""
    n = a / q
    fl = n.numerator // n.denominator
    rem = n - fl
    if rem == 0:
        return fl, False, False
    if rc == RN:
        up = rem > F(1, 2) or (rem == F(1, 2) and fl % 2 == 1)
    elif rc == RD:
        up = neg
    elif rc == RU:
        up = not neg
    else:
        up = False
    return fl + (1 if up else 0), True, up


def round_fmt(x, prec, rc, emin, emax, masks=0x3F):
    """Round nonzero Fraction x to prec bits with exponent range [emin, emax] (unbiased, for a
    significand in [1, 2)). Returns (sign, value Fraction or 'inf' or ('adj', val), flags, c1)."""
    neg = x < 0
    a = -x if neg else x
    e = ilog2(a)
    flags = 0
    # tininess after rounding: round with an unbounded exponent
    q_unb = F(2) ** (e - prec + 1)
    m, inexact, up = round_to_quantum(a, q_unb, rc, neg)
    r_unb = m * q_unb
    tiny = r_unb < F(2) ** emin
    if tiny:
        if not masks & UE:
            return neg, ("adj", r_unb), UE | (PE if inexact else 0), up
        q = F(2) ** (emin - prec + 1)
        m, inexact, up = round_to_quantum(a, q, rc, neg)
        if inexact:
            flags |= UE | PE
        return neg, m * q, flags, up
    if r_unb >= F(2) ** (emax + 1):
        if not masks & OE:
            return neg, ("adj", r_unb), OE | (PE if inexact else 0), up
        flags |= OE | PE
        if rc == RN or (rc == RD and neg) or (rc == RU and not neg):
            return neg, "inf", flags, True
        return neg, F(2) ** (emax + 1) - F(2) ** (emax - prec + 1), flags, False
    return neg, r_unb, (PE if inexact else 0), up


def pack_ext(neg, v, adjust=0):
    s = 0x8000 if neg else 0
    if v == "inf":
        return (s | 0x7FFF, TOP)
    if v == 0:
        return (s, 0)
    e = ilog2(v)
    if e < -16382 and not adjust:  # denormal
        sig = v / F(2) ** (-16382 - 63)
        assert sig.denominator == 1
        return (s, int(sig))
    sig = v / F(2) ** (e - 63)
    assert sig.denominator == 1, v
    return (s | ((e + BIAS + adjust) & 0x7FFF), int(sig))


def round_ext(x, prec=64, rc=RN, masks=0x3F):
    """(se, sig), flags, c1 of the x87 register result of exact x (nonzero)."""
    neg, v, flags, up = round_fmt(x, prec, rc, -16382, 16383, masks)
    if isinstance(v, tuple):
        adj = 24576 if flags & UE else -24576
        return pack_ext(neg, v[1], adj), flags, up
    return pack_ext(neg, v), flags, up


def to_ext(x):
    """An exactly representable Fraction as (se, sig)."""
    if x == 0:
        return (0, 0)
    r, fl, _ = round_ext(F(x))
    assert fl == 0, x
    return r


def pack_small(x, double, rc=RN, masks=0x3F):
    """FST m32/m64 of a finite nonzero Fraction: (bits, flags, c1)."""
    prec, emin, emax, eb, fb = (53, -1022, 1023, 11, 52) if double else (24, -126, 127, 8, 23)
    bias = (1 << (eb - 1)) - 1
    neg, v, flags, up = round_fmt(x, prec, rc, emin, emax, masks)
    sbit = (1 << (eb + fb)) if neg else 0
    if isinstance(v, tuple):
        return None, flags, up
    if v == "inf":
        return sbit | (((1 << eb) - 1) << fb), flags, up
    if v == 0:
        return sbit, flags, up
    e = ilog2(v)
    if e < emin:
        return sbit | int(v / F(2) ** (emin - fb)), flags, up
    frac = int(v / F(2) ** (e - fb)) - (1 << fb)
    return sbit | ((e + bias) << fb) | frac, flags, up


def b80(v):
    if isinstance(v, list):
        return v
    se, sig = v
    return list(sig.to_bytes(8, "little")) + list(se.to_bytes(2, "little"))


def d2ext(d):
    """A Python float (double) as an extended value."""
    return to_ext(F(d))


def rand_ext(rng, emin=-60, emax=60):
    sig = rng.getrandbits(64) | TOP
    e = rng.randint(emin, emax)
    s = 0x8000 if rng.random() < 0.5 else 0
    return (s | (e + BIAS), sig)


# ---------------------------------------------------------------- vectors
class Vec:
    def __init__(self, stub, cw, a=(0, 0), b=(0, 0), res=EMPTY, res2=EMPTY, res3=None, sw=0, swmask=0x02FF,
                 fl=0, flmask=0, note=""):
        self.stub, self.cw, self.a, self.b = stub, cw, a, b
        self.res, self.res2 = res, res2
        self.res3 = res3 if res3 is not None else [0] * 10
        self.sw, self.swmask, self.fl, self.flmask, self.note = sw, swmask, fl, flmask, note

    def asm(self):
        by = ([self.stub & 0xFF, self.stub >> 8, self.cw & 0xFF, self.cw >> 8] + self.a_bytes() + self.b_bytes()
              + b80(self.res) + b80(self.res2) + list(self.res3) + [self.sw & 0xFF, self.sw >> 8,
              self.swmask & 0xFF, self.swmask >> 8, self.fl & 0xFF, self.fl >> 8, self.flmask & 0xFF, self.flmask >> 8])
        assert len(by) == 62
        return "        db " + ",".join("0x%02X" % x for x in by) + ("  ; " + self.note if self.note else "")

    def a_bytes(self):
        return list(self.a) if isinstance(self.a, list) else b80(self.a)

    def b_bytes(self):
        return list(self.b) if isinstance(self.b, list) else b80(self.b)


def sw_of(flags, c1, cw):
    sw = flags & 0x7F
    if c1:
        sw |= C1
    if flags & ~cw & 0x3F:
        sw |= 0x8080
    return sw


# stub numbers (must match the STUBS list in the assembly)
ST_ADD, ST_SUB, ST_SUBR, ST_MUL, ST_DIV, ST_DIVR, ST_SQRT, ST_ADDM64, ST_FST32, ST_FST64 = range(10)
ST_FIST16, ST_FIST32, ST_FIST64, ST_FRNDINT, ST_FCOMPP, ST_FUCOMPP, ST_FCOMI, ST_FUCOMIP = range(10, 18)
ST_FSCALE, ST_FXTRACT, ST_FPREM, ST_FPREM1, ST_FBSTP, ST_FBLD, ST_FLD32, ST_FLD64, ST_FMULM32, ST_FIMUL16 = range(18, 28)
ST_F2XM1, ST_FYL2X, ST_FYL2XP1, ST_FPATAN, ST_FSIN, ST_FCOS, ST_FSINCOS, ST_FPTAN = range(28, 36)


def result_of(x, prec, rc, masks=0x3F):
    """Register result and flags of an exact value (zero: +0)."""
    if x == 0:
        return (0, 0), 0, False
    return round_ext(x, prec, rc, masks)


def arith_vec(stub, a, b, rc=RN, pc=64, masks=0x3F):
    cw = cw_of(rc, pc, masks)
    va, vb = ext_value(*a), ext_value(*b)
    flags = 0
    if (a[0] & 0x7FFF) == 0 and a[1] or (b[0] & 0x7FFF) == 0 and b[1]:
        flags |= DE
    res2 = a
    if stub == ST_ADD: x = va + vb
    elif stub == ST_SUB: x = va - vb
    elif stub == ST_SUBR: x = vb - va
    elif stub == ST_MUL: x = va * vb
    elif stub in (ST_DIV, ST_DIVR): x = va / vb
    else: raise ValueError(stub)
    if stub in (ST_ADD, ST_SUB, ST_SUBR, ST_DIV):
        res2 = EMPTY
    if x == 0:
        # exact zero: the sign by the IEEE 754 rules
        if stub in (ST_MUL, ST_DIV, ST_DIVR):
            neg = (a[0] ^ b[0]) & 0x8000
        else:
            p, q = {ST_ADD: (a[0], b[0]), ST_SUB: (a[0], b[0] ^ 0x8000), ST_SUBR: (b[0], a[0] ^ 0x8000)}[stub]
            if va == 0 and vb == 0 and (p & 0x8000) == (q & 0x8000):
                neg = p & 0x8000
            else:
                neg = 0x8000 if rc == RD else 0
        res, fl, c1 = (neg, 0), 0, False
    else:
        res, fl, c1 = round_ext(x, pc, rc, masks)
    flags |= fl
    swmask = 0x82FF
    return Vec(stub, cw, a, b, res, res2, sw=sw_of(flags, c1, cw), swmask=swmask,
               note="%s rc=%d pc=%d" % (["add", "sub", "subr", "mul", "div", "divr"][stub], rc, pc))


def classify(v):
    se, sig = v
    e = se & 0x7FFF
    if e == 0x7FFF:
        if not sig & TOP:
            return "unsup"
        if not (sig << 1) & ((1 << 64) - 1):
            return "inf"
        return "qnan" if sig & (1 << 62) else "snan"
    if e == 0:
        return "zero" if sig == 0 else "finite"
    return "finite" if sig & TOP else "unsup"


def pick_nan(a, b):
    """x87 NaN selection for two operands (SDM vol. 1, table 4-7)."""
    ka, kb = classify(a), classify(b)
    q = lambda v: (v[0], v[1] | (1 << 62))
    an, bn = ka in ("qnan", "snan"), kb in ("qnan", "snan")
    if an and bn:
        if ka != kb:
            return q(a) if ka == "qnan" else q(b)
        ma, mb = a[1] | (1 << 62), b[1] | (1 << 62)
        if ma != mb:
            return q(a) if ma > mb else q(b)
        return q(a) if a[0] < b[0] else q(b)
    return q(a) if an else q(b)


def special_vec(stub, a, b):
    """Vectors with NaN, infinity, zero or unsupported operands (round to nearest)."""
    ka, kb = classify(a), classify(b)
    flags = 0
    neg = lambda v: (v[0] ^ 0x8000, v[1])
    if "unsup" in (ka, kb):
        res, flags = INDEF, IE
    elif ka in ("qnan", "snan") or kb in ("qnan", "snan"):
        res = pick_nan(a, b)
        flags = IE if "snan" in (ka, kb) else 0
    else:
        if (ka == "finite" and (a[0] & 0x7FFF) == 0) or (kb == "finite" and (b[0] & 0x7FFF) == 0):
            flags |= DE
        if stub in (ST_ADD, ST_SUB):
            bb = b if stub == ST_ADD else neg(b)
            if ka == "inf" and kb == "inf":
                res, flags = (INDEF, IE) if (a[0] ^ bb[0]) & 0x8000 else (a, 0)
            elif ka == "inf":
                res = a
            elif kb == "inf":
                res = bb
            else:
                return arith_vec(stub, a, b)
        elif stub == ST_MUL:
            sg = (a[0] ^ b[0]) & 0x8000
            if "inf" in (ka, kb):
                res, flags = (INDEF, IE) if "zero" in (ka, kb) else ((sg | 0x7FFF, TOP), flags)
            else:
                return arith_vec(stub, a, b)
        else:  # ST_DIV: a / b
            sg = (a[0] ^ b[0]) & 0x8000
            if ka == "inf" and kb == "inf":
                res, flags = INDEF, IE
            elif ka == "inf":
                res = (sg | 0x7FFF, TOP)
            elif kb == "inf":
                res = (sg, 0)
            elif kb == "zero":
                res, flags = (INDEF, IE) if ka == "zero" else ((sg | 0x7FFF, TOP), flags | ZE)
            else:
                return arith_vec(stub, a, b)
    res2 = a if stub == ST_MUL else EMPTY
    return Vec(stub, cw_of(), a, b, res, res2, sw=sw_of(flags, False, cw_of()), swmask=0x82FF, note="special")


def gen_arith(rng):
    groups = []
    vals = [to_ext(1), to_ext(3), to_ext(F(-5, 2)), to_ext(F(1, 1 << 70)), (0x3FFF, 0xFFFFFFFFFFFFFFFF),
            (0x3FFF, 0x8000000000000001), (0xBFFE, 0xC000000000000001), (0x7FFE, 0xFFFFFFFFFFFFFFFF),
            (0x0001, 0x8000000000000000), (0x0000, 0x4000000000000000), (0x8000, 0x0000000000000003),
            (0x4040, 0xAAAAAAAAAAAAAAAB), (0x3FBF, 0x8000000000000000)]
    # 1. add/sub/mul/div under every rounding mode and precision
    vs = []
    for rc in (RN, RD, RU, RZ):
        for pc in (64, 53, 24):
            for _ in range(3):
                a = rng.choice(vals) if rng.random() < 0.3 else rand_ext(rng)
                b = rng.choice(vals) if rng.random() < 0.3 else rand_ext(rng)
                for stub in (ST_ADD, ST_SUB, ST_MUL, ST_DIV):
                    vs.append(arith_vec(stub, a, b, rc, pc))
    groups.append(("arith rc/pc", vs))
    # 2. ties and near-ties: 1 + 2^-64 style halfway cases, cancellation, exact results
    vs = []
    one = to_ext(1)
    for rc in (RN, RD, RU, RZ):
        for b in [(0x3FBF, TOP), (0x3FBF, 0xC000000000000000), (0xBFBF, TOP), (0x3FBE, 0xFFFFFFFFFFFFFFFF),
                  (0x3FE7, TOP), (0x3FCA, TOP | 1)]:
            for stub in (ST_ADD, ST_SUBR):
                vs.append(arith_vec(stub, (0x3FFF, 0x8000000000000001), b, rc, 64))
                vs.append(arith_vec(stub, one, b, rc, 24 if b[0] & 0x7FFF == 0x3FE7 else 53 if b[0] & 0x7FFF == 0x3FCA else 64))
        vs.append(arith_vec(ST_SUB, one, one, rc, 64))  # exact zero: -0 only when rounding down
    groups.append(("ties, exact zero sign", vs))
    # 3. denormals, underflow, overflow (masked), and unmasked overflow/underflow (bias-adjusted)
    vs = []
    tiny = (0x0001, TOP)
    den = (0x0000, 0x0000000012345678)
    big = (0x7FFE, 0xFFFFFFFFFFFFFFFF)
    for rc in (RN, RD, RU, RZ):
        vs.append(arith_vec(ST_MUL, tiny, (0x3FFD, 0xAAAAAAAAAAAAAAAB), rc))
        vs.append(arith_vec(ST_MUL, tiny, (0x3FFE, 0xFFFFFFFFFFFFFFFF), rc))
        vs.append(arith_vec(ST_ADD, den, den, rc))
        vs.append(arith_vec(ST_DIV, den, to_ext(-7), rc))
        vs.append(arith_vec(ST_MUL, big, to_ext(2), rc))
        vs.append(arith_vec(ST_ADD, big, (0x7FBE, TOP), rc))
        vs.append(arith_vec(ST_MUL, big, to_ext(F(-3, 2)), rc, 53))
    groups.append(("denormal, underflow, overflow", vs))
    vs = []
    for masks in (0x3F & ~OE, 0x3F & ~UE):
        vs.append(arith_vec(ST_MUL, big, to_ext(3), RN, 64, masks))
        vs.append(arith_vec(ST_MUL, tiny, (0x3FFD, 0xAAAAAAAAAAAAAAAB), RN, 64, masks))
        vs.append(arith_vec(ST_DIV, tiny, big, RZ, 64, masks))
        vs.append(arith_vec(ST_ADD, big, big, RD, 53, masks))
    groups.append(("unmasked overflow/underflow: exponent biased by 24576", vs,
                   "no bias-adjusted results for unmasked #O/#U (SDM vol. 1, 8.5.4, 8.5.5)"))
    # 4. square root
    vs = []
    for rc in (RN, RD, RU, RZ):
        for pc in (64, 53, 24):
            for a in [to_ext(2), to_ext(F(9, 4)), rand_ext(rng, -100, 100), (0x0000, 0x0000000000000400), (0x3FFF, 0xFFFFFFFFFFFFFFFF)]:
                a = (a[0] & 0x7FFF, a[1])
                cw = cw_of(rc, pc)
                v = ext_value(*a)
                # exact square root when a perfect square, else round sqrt via integer isqrt
                res, fl, c1 = sqrt_round(v, pc, rc)
                flags = fl | (DE if (a[0] & 0x7FFF) == 0 else 0)
                vs.append(Vec(ST_SQRT, cw, a, (0, 0), res, EMPTY, sw=sw_of(flags, c1, cw), swmask=0x82FF, note="sqrt"))
    groups.append(("fsqrt", vs))
    # 5. conversions: FST m32/m64, FIST, FRNDINT, FLD m32/m64, mixed memory forms
    vs = []
    for rc in (RN, RD, RU, RZ):
        for a in [rand_ext(rng, -20, 20), to_ext(F(1, 3) * 1) if False else (0x3FFD, 0xAAAAAAAAAAAAAAAB), (0x3F81, 0xFFFFFFFFFFFFFFFF),
                  (0x3F6A, 0xC000000000000000), (0x407F, 0xFFFFFFFFFFFFFFFF), (0xC3FE, 0xFFFFFFFFFFFFF800),
                  (0x3C00, 0xF000000000000000)]:
            cw = cw_of(rc)
            x = ext_value(*a)
            for stub, double in ((ST_FST32, False), (ST_FST64, True)):
                bits, fl, c1 = pack_small(x, double, rc)
                r3 = list(bits.to_bytes(8 if double else 4, "little")) + [0] * (2 if double else 6)
                vs.append(Vec(stub, cw, a, (0, 0), a, EMPTY, r3, sw=sw_of(fl, c1, cw), swmask=0x82FF, note="fst"))
        for a in [to_ext(F(5, 2)), to_ext(F(-5, 2)), to_ext(F(7, 2)), to_ext(F(-1, 4)), to_ext(32767), to_ext(F(65535, 2)),
                  to_ext(-32768), to_ext(F(-65537, 2)), to_ext(2 ** 31), to_ext(-2 ** 31), to_ext(F(2 ** 63 - 1) / 1),
                  to_ext(-2 ** 63), to_ext(2 ** 63), (0x7FFF, 0xC000000000000000), (0xFFFF, TOP), rand_ext(rng, -3, 40)]:
            cw = cw_of(rc)
            x = ext_value(*a) if (a[0] & 0x7FFF) != 0x7FFF else None
            for stub, n in ((ST_FIST16, 16), (ST_FIST32, 32), (ST_FIST64, 64)):
                fl, c1 = 0, False
                if x is None:
                    iv, fl = 1 << (n - 1), IE
                else:
                    neg = x < 0
                    m, inexact, up = round_to_quantum(abs(x), F(1), rc, neg)
                    iv = -m if neg else m
                    if iv >= 2 ** (n - 1) or iv < -2 ** (n - 1):
                        iv, fl = 1 << (n - 1), IE
                    else:
                        fl, c1 = (PE if inexact else 0), up
                r3 = list((iv & ((1 << n) - 1)).to_bytes(n // 8, "little")) + [0] * (10 - n // 8)
                res = a if stub == ST_FIST16 else EMPTY
                vs.append(Vec(stub, cw, a, (0, 0), res, EMPTY, r3, sw=sw_of(fl, c1, cw), swmask=0x82FF, note="fist"))
            if x is not None:
                if abs(x) >= 2 ** 63:
                    r, fl, c1 = a, 0, False
                else:
                    neg = x < 0
                    m, inexact, up = round_to_quantum(abs(x), F(1), rc, neg)
                    r = to_ext(-m if neg else m) if m else ((0x8000 if neg else 0), 0)
                    fl, c1 = (PE if inexact else 0), up
                vs.append(Vec(ST_FRNDINT, cw, a, (0, 0), r, EMPTY, sw=sw_of(fl, c1, cw), swmask=0x82FF, note="frndint"))
    groups.append(("fst fist frndint", vs))
    vs = []
    import struct
    for d in [1.0, -0.1, 1e300, 2.5e-310, -4.9e-324, float("inf")]:
        bits = struct.unpack("<Q", struct.pack("<d", d))[0]
        a = list(bits.to_bytes(8, "little")) + [0, 0]
        x = F(d) if d != float("inf") else None
        r = to_ext(x) if x is not None else (0x7FFF, TOP)
        fl = DE if x is not None and abs(d) < 2.3e-308 and d != 0 else 0
        vs.append(Vec(ST_FLD64, cw_of(), a, (0, 0), r, EMPTY, sw=sw_of(fl, False, cw_of()), swmask=0x82FF, note="fld m64"))
        # FADD m64 to 1.5
        if x is not None:
            res, fl2, c1 = result_of(F(3, 2) + x, 64, RN)
            vs.append(Vec(ST_ADDM64, cw_of(), to_ext(F(3, 2)), a, res, EMPTY, sw=sw_of(fl | fl2, c1, cw_of()), swmask=0x82FF, note="fadd m64"))
    for f32 in [0x3F800000, 0x00000001, 0x7F7FFFFF, 0xFF800000, 0x7FC00000, 0x7F800001]:
        a = list(f32.to_bytes(4, "little")) + [0] * 6
        e, frac, s = (f32 >> 23) & 0xFF, f32 & 0x7FFFFF, f32 >> 31
        fl = 0
        if e == 0xFF:
            if frac == 0:
                r = ((s << 15) | 0x7FFF, TOP)
            else:
                r = ((s << 15) | 0x7FFF, TOP | (frac << 40) | (1 << 62))
                if not frac & 0x400000:
                    fl = IE
        else:
            x = (F(frac) / 2 ** 23 + (1 if e else 0)) * F(2) ** ((e if e else 1) - 127) * (-1 if s else 1)
            r = to_ext(x)
            if e == 0 and frac:
                fl = DE
        vs.append(Vec(ST_FLD32, cw_of(), a, (0, 0), r, EMPTY, sw=sw_of(fl, False, cw_of()), swmask=0x82FF, note="fld m32"))
        if e != 0xFF:
            res, fl2, c1 = result_of(x * F(7, 3) if False else x * 3, 64, RN)
            vs.append(Vec(ST_FMULM32, cw_of(), to_ext(3), a, res, EMPTY, sw=sw_of(fl | fl2, c1, cw_of()), swmask=0x82FF, note="fmul m32"))
    for iv in [7, -1, 32767, -32768]:
        a = to_ext(F(-5, 4))
        res, fl, c1 = result_of(F(-5, 4) * iv, 64, RN)
        vs.append(Vec(ST_FIMUL16, cw_of(), a, list((iv & 0xFFFF).to_bytes(2, "little")) + [0] * 8, res, EMPTY,
                      sw=sw_of(fl, c1, cw_of()), swmask=0x82FF, note="fimul m16"))
    groups.append(("fld/fadd/fmul memory forms", vs))
    # 6. compares
    vs = []
    cmpvals = [to_ext(1), to_ext(-1), to_ext(2), (0, 0), (0x8000, 0), (0x7FFF, TOP), (0xFFFF, TOP),
               (0x7FFF, 0xC000000000000001), (0x7FFF, 0xA000000000000000), (0x0000, 0x0000000000000001)]
    for a in cmpvals:
        for b in cmpvals[:7] + [cmpvals[7], cmpvals[8]]:
            if rng.random() < 0.45:
                continue
            kind = compare_ref(a, b)
            snan = any(is_nan(*v) and not (v[1] & (1 << 62)) for v in (a, b))
            anynan = kind == "un"
            hasden = any((v[0] & 0x7FFF) == 0 and v[1] for v in (a, b))
            cc = {"gt": 0, "lt": C0, "eq": C3, "un": C0 | C2 | C3}[kind]
            efl = {"gt": 0, "lt": 1, "eq": 0x40, "un": 0x45}[kind]
            for stub, quiet in ((ST_FCOMPP, False), (ST_FUCOMPP, True), (ST_FCOMI, False), (ST_FUCOMIP, True)):
                fl = (IE if (snan or (anynan and not quiet)) else 0) | (DE if hasden and not anynan else 0)
                if stub in (ST_FCOMPP, ST_FUCOMPP):
                    vs.append(Vec(stub, cw_of(), a, b, EMPTY, EMPTY, sw=cc | sw_of(fl, False, cw_of()), swmask=0x47FF, note="fcom"))
                else:
                    r1, r2 = (a, b) if stub == ST_FCOMI else (b, EMPTY)
                    vs.append(Vec(stub, cw_of(), a, b, r1, r2, sw=sw_of(fl, False, cw_of()), swmask=0x02FF,
                                  fl=efl, flmask=0x8D5, note="fcomi"))
    groups.append(("fcom fucom fcomi fucomi", vs))
    # 7. fscale, fxtract, fprem, fprem1, bcd
    vs = []
    for a, b in [(to_ext(3), to_ext(F(5, 2))), (to_ext(3), to_ext(F(-7, 2))), (tiny, to_ext(-3)), (big, to_ext(1)),
                 (rand_ext(rng), to_ext(100)), (to_ext(1), to_ext(-16445)), (den, to_ext(70))]:
        for rc in (RN, RZ):
            x = ext_value(*a)
            n = int(ext_value(*b))
            res, fl, c1 = round_ext(x * F(2) ** n, 64, rc)
            if (a[0] & 0x7FFF) == 0:
                fl |= DE
            cw = cw_of(rc)
            vs.append(Vec(ST_FSCALE, cw, a, b, res, b, sw=sw_of(fl, c1, cw), swmask=0x82FF, note="fscale"))
    for a in [to_ext(10), to_ext(F(-3, 8)), rand_ext(rng, -2000, 2000), den]:
        x = ext_value(*a)
        e = ilog2(abs(x))
        sig = to_ext(abs(x) / F(2) ** e)
        sig = (sig[0] | (a[0] & 0x8000), sig[1])
        fl = DE if (a[0] & 0x7FFF) == 0 else 0
        vs.append(Vec(ST_FXTRACT, cw_of(), a, (0, 0), sig, to_ext(e), sw=sw_of(fl, False, cw_of()), swmask=0x82FF, note="fxtract"))
    vs1 = []
    for a, b in [(to_ext(17), to_ext(5)), (to_ext(-17), to_ext(5)), (to_ext(23), to_ext(-5)), (to_ext(F(15, 2)), to_ext(3)),
                 (to_ext(F(9, 2)), to_ext(3)), (to_ext(F(21, 2)), to_ext(3)), (rand_ext(rng, 20, 60), rand_ext(rng, -5, 5)),
                 (rand_ext(rng, 70, 90), to_ext(7)), (to_ext(F(5, 2)), to_ext(3)), (to_ext(1), to_ext(3))]:
        for stub in (ST_FPREM, ST_FPREM1):
            target = vs if stub == ST_FPREM else vs1
            va, vb = ext_value(*a), ext_value(*b)
            ea, eb = ilog2(abs(va)), ilog2(abs(vb))
            d = ea - eb
            if d >= 64:
                n = 32 + (d % 32)
                qq = abs(va / vb) / F(2) ** (d - n)
                qq = qq.numerator // qq.denominator
                r = va - (1 if va * vb > 0 else -1) * qq * abs(vb) * 0  # placeholder
                r = va - (abs(vb) * qq * F(2) ** (d - n)) * (1 if va > 0 else -1)
                cc = C2
            else:
                q = va / vb
                if stub == ST_FPREM:
                    qi = q.numerator // q.denominator if q >= 0 else -((-q).numerator // (-q).denominator)
                else:
                    qi = round(q)  # Python rounds half to even
                r = va - qi * vb
                aq = abs(qi)
                cc = (C0 if aq & 4 else 0) | (C3 if aq & 2 else 0) | (C1 if aq & 1 else 0)  # Q2 Q1 Q0
            res = to_ext(r) if r != 0 else ((a[0] & 0x8000), 0)
            target.append(Vec(stub, cw_of(), a, b, res, b, sw=cc, swmask=0x47FF, note="fprem"))
    for iv in [0, 1, -1, 123456789012345678, -999999999999999999, 10 ** 18 - 1]:
        digs = "%018d" % abs(iv)
        bcd = [int(digs[16 - 2 * i]) * 16 + int(digs[17 - 2 * i]) for i in range(9)] + [0x80 if iv < 0 else 0]
        vs.append(Vec(ST_FBLD, cw_of(), bcd, (0, 0), to_ext(iv) if iv else (0, 0), EMPTY, sw=0, swmask=0x82FF, note="fbld"))
    for rc in (RN, RU):
        for x in [F(5, 2), F(-7, 2), F(10 ** 18 - 1), F(10 ** 18), F(-123456789)]:
            a = to_ext(x)
            neg = x < 0
            m, inexact, up = round_to_quantum(abs(x), F(1), rc, neg)
            if m > 10 ** 18 - 1:
                r3, fl, c1 = [0] * 7 + [0xC0, 0xFF, 0xFF], IE, False
            else:
                digs = "%018d" % m
                r3 = [int(digs[16 - 2 * i]) * 16 + int(digs[17 - 2 * i]) for i in range(9)] + [0x80 if neg else 0]
                fl, c1 = (PE if inexact else 0), up
            cw = cw_of(rc)
            vs.append(Vec(ST_FBSTP, cw, a, (0, 0), EMPTY, EMPTY, r3, sw=sw_of(fl, c1, cw), swmask=0x82FF, note="fbstp"))
    groups.append(("fscale fxtract fprem bcd", vs))
    groups.append(("fprem1", vs1, "FPREM1 leaves C0 C3 C1 clear instead of quotient bits Q2 Q1 Q0 (SDM vol. 2, FPREM1)"))
    return groups


def gen_special(rng):
    groups = []
    # NaNs, infinities, zeros, unsupported formats (SDM vol. 1, 4.8.3.5 table 4-7, 8.2.2)
    vs = []
    specials = [(0x7FFF, TOP), (0xFFFF, TOP), (0, 0), (0x8000, 0), to_ext(3), (0x0000, 0x0000000000000010),
                (0x7FFF, 0xC000000000001234), (0xFFFF, 0xE000000000000000), (0x7FFF, 0x8000000000005678),
                (0xFFFF, 0xA000000000000000), (0x3FFF, 0x4000000000000000), (0x7FFF, 0x4000000000000000),
                (0x0000, 0x8000000000000000)]
    for a in specials:
        for b in specials:
            for stub in (ST_ADD, ST_SUB, ST_MUL, ST_DIV):
                if rng.random() < 0.55:
                    continue
                vs.append(special_vec(stub, a, b))
    groups.append(("nan, infinity, zero, unsupported operands", vs))
    # special operands of the functions (SDM vol. 2, the tables of FSIN FPTAN FYL2X FPATAN
    # F2XM1 FSCALE FXTRACT FSQRT)
    vs = []
    inf, ninf, z, nz = (0x7FFF, TOP), (0xFFFF, TOP), (0, 0), (0x8000, 0)
    one, two, big63 = to_ext(1), to_ext(2), (0x403E, TOP)
    qn = (0x7FFF, 0xC000000000001234)
    def v(stub, a, b, r1, r2, fl, cc=0, ccmask=0):
        vs.append(Vec(stub, cw_of(), a, b, r1, r2, sw=sw_of(fl, False, cw_of()) | cc, swmask=0x80FF | ccmask, note="special fn"))
    for x in ((0xC03E, 0xC000000000000000), (0x7FFE, TOP)):
        v(ST_FSIN, x, z, x, EMPTY, 0, C2, C2)            # |x| >= 2^63: C2 = 1, ST(0) unchanged
        v(ST_FCOS, x, z, x, EMPTY, 0, C2, C2)
        v(ST_FPTAN, x, z, x, EMPTY, 0, C2, C2)           # nothing pushed
        v(ST_FSINCOS, x, z, x, EMPTY, 0, C2, C2)
    v(ST_FSIN, nz, z, nz, EMPTY, 0, 0, C2)
    v(ST_FCOS, nz, z, one, EMPTY, 0, 0, C2)
    v(ST_FPTAN, z, z, one, z, 0, 0, C2)
    v(ST_FSINCOS, nz, z, one, nz, 0, 0, C2)
    v(ST_F2XM1, nz, z, nz, EMPTY, 0)
    # FYL2X: ST(0) = x, ST(1) = y
    v(ST_FYL2X, z, to_ext(3), ninf, EMPTY, ZE)           # log2(0) * 3 = -inf, #Z
    v(ST_FYL2X, nz, to_ext(-3), inf, EMPTY, ZE)
    v(ST_FYL2X, z, z, INDEF, EMPTY, IE)
    v(ST_FYL2X, to_ext(-2), one, INDEF, EMPTY, IE)       # log of a negative number
    v(ST_FYL2X, one, to_ext(-5), nz, EMPTY, 0)           # log2(1) = +0
    v(ST_FYL2X, one, inf, INDEF, EMPTY, IE)              # inf * 0
    v(ST_FYL2X, inf, z, INDEF, EMPTY, IE)
    v(ST_FYL2X, inf, to_ext(-1), ninf, EMPTY, 0)
    v(ST_FYL2X, to_ext(F(1, 2)), inf, ninf, EMPTY, 0)
    v(ST_FYL2X, to_ext(8), two, to_ext(6), EMPTY, 0)     # exact
    v(ST_FYL2XP1, nz, to_ext(5), nz, EMPTY, 0)
    v(ST_FYL2XP1, z, inf, INDEF, EMPTY, IE)
    # FPATAN: ST(1) = y (A), ST(0) = x (B)
    pi_ = round_mp(mpmath.pi)[0]
    pi2 = round_mp(mpmath.pi / 2)[0]
    pi4 = round_mp(mpmath.pi / 4)[0]
    pi34 = round_mp(3 * mpmath.pi / 4)[0]
    negv = lambda t: (t[0] | 0x8000, t[1])
    v(ST_FPATAN, z, one, z, EMPTY, 0)
    v(ST_FPATAN, nz, one, nz, EMPTY, 0)
    v(ST_FPATAN, z, to_ext(-1), pi_, EMPTY, PE)
    v(ST_FPATAN, nz, nz, negv(pi_), EMPTY, PE)
    v(ST_FPATAN, z, z, z, EMPTY, 0)
    v(ST_FPATAN, one, z, pi2, EMPTY, PE)
    v(ST_FPATAN, to_ext(-1), nz, negv(pi2), EMPTY, PE)
    v(ST_FPATAN, inf, inf, pi4, EMPTY, PE)
    v(ST_FPATAN, ninf, ninf, negv(pi34), EMPTY, PE)
    v(ST_FPATAN, inf, to_ext(7), pi2, EMPTY, PE)
    v(ST_FPATAN, to_ext(7), ninf, pi_, EMPTY, PE)
    v(ST_FPATAN, to_ext(-7), inf, nz, EMPTY, 0)
    # FSCALE: ST(0) = A, ST(1) = B
    v(ST_FSCALE, z, inf, INDEF, inf, IE)
    v(ST_FSCALE, inf, ninf, INDEF, ninf, IE)
    v(ST_FSCALE, to_ext(3), ninf, z, ninf, 0)
    v(ST_FSCALE, to_ext(-3), inf, ninf, inf, 0)
    v(ST_FSCALE, nz, to_ext(100), nz, to_ext(100), 0)
    v(ST_FSCALE, inf, to_ext(-100), inf, to_ext(-100), 0)
    v(ST_FSCALE, to_ext(3), to_ext(F(-5, 2)), to_ext(F(3, 4)), to_ext(F(-5, 2)), 0)   # trunc(-2.5) = -2
    # FXTRACT: ST(0) = significand, ST(1) = exponent
    v(ST_FXTRACT, nz, z, nz, ninf, ZE)
    v(ST_FXTRACT, ninf, z, ninf, inf, 0)
    # FSQRT
    v(ST_SQRT, nz, z, nz, EMPTY, 0)
    v(ST_SQRT, to_ext(-4), z, INDEF, EMPTY, IE)
    v(ST_SQRT, ninf, z, INDEF, EMPTY, IE)
    v(ST_SQRT, inf, z, inf, EMPTY, 0)
    # FPREM: x mod 0, inf mod y
    v(ST_FPREM, to_ext(5), z, INDEF, z, IE, 0, 0)
    v(ST_FPREM, inf, to_ext(3), INDEF, to_ext(3), IE, 0, 0)
    v(ST_FPREM, to_ext(5), inf, to_ext(5), inf, 0, 0, 0)
    groups.append(("special operands of the functions", vs))
    vs = []
    for x in (big63, (0xC03E, TOP)):
        v(ST_FSIN, x, z, x, EMPTY, 0, C2, C2)
        v(ST_FCOS, x, z, x, EMPTY, 0, C2, C2)
        v(ST_FPTAN, x, z, x, EMPTY, 0, C2, C2)
        v(ST_FSINCOS, x, z, x, EMPTY, 0, C2, C2)
    for x in (inf, ninf):
        v(ST_FSIN, x, z, INDEF, EMPTY, IE, 0, C2)
        v(ST_FCOS, x, z, INDEF, EMPTY, IE, 0, C2)
    v(ST_FSIN, qn, z, qn, EMPTY, 0)
    groups.append(("fsin fcos fptan: +-2^63, infinities, NaN payloads", vs,
                   "FSIN/FCOS/FPTAN take |x| = 2^63 as in range, give C2 instead of #IA for infinities and lose NaN payloads in double precision (SDM vol. 2, FSIN: -inf/+inf -> #IA; |x| < 2^63)"))
    vs = []
    v(ST_F2XM1, ninf, z, to_ext(-1), EMPTY, 0)
    v(ST_F2XM1, inf, z, inf, EMPTY, 0)
    groups.append(("f2xm1 of infinities", vs, "F2XM1 of an infinity raises #IA instead of giving -1 or +inf (SDM vol. 2, F2XM1 table)"))
    return groups


def sqrt_round(v, prec, rc):
    """Correctly rounded sqrt of a positive Fraction (exact when a perfect square)."""
    import math
    e = ilog2(v)
    # find the result exponent, then round sqrt(v) / 2^(er - prec + 1) to an integer with a remainder test
    er = e // 2
    q = F(2) ** (er - prec + 1)
    t = v / (q * q)  # sqrt(v)/q = sqrt(t)
    scale = 1 << 200
    s = math.isqrt((t.numerator * scale * scale) // t.denominator)
    fl = s // scale
    exact = (F(fl) ** 2 == t)
    frac_num = s - fl * scale
    neg = False
    if exact:
        m, inexact, up = fl, False, False
    else:
        half = scale // 2
        if rc == RN:
            up = frac_num >= half  # never exactly half
        elif rc == RU:
            up = True
        else:
            up = False
        m, inexact = fl + (1 if up else 0), True
    r = m * q
    return round_ext(r, 64, RN)[0], (PE if inexact else 0), up


def compare_ref(a, b):
    if is_nan(*a) or is_nan(*b):
        return "un"
    def val(v):
        if (v[0] & 0x7FFF) == 0x7FFF:
            return float("-inf") if v[0] & 0x8000 else float("inf")
        return ext_value(*v)
    x, y = val(a), val(b)
    return "gt" if x > y else "lt" if x < y else "eq"


# ---------------------------------------------------------------- transcendentals
def mp_of(v):
    return mpf(ext_value(*v).numerator) / mpf(ext_value(*v).denominator)


def round_mp(x, rc=RN):
    """Correctly round an mpf (400 bits) to the 80-bit format."""
    if x == 0:
        return (0, 0), 0, False
    fr = F(int(mpmath.floor(x * mpf(2) ** 500))) / F(2) ** 500
    # x is irrational in general: nudge off exact multiples so inexactness is right
    res, fl, c1 = round_ext(fr + (F(1, 2 ** 900) if fr > 0 else -F(1, 2 ** 900)), 64, rc)
    return res, fl, c1


def gen_trans(rng):
    groups = []

    def add(vs, stub, a, b, r1, r2, note, cw=None):
        cw = cw if cw is not None else cw_of()
        vs.append(Vec(stub, cw, a, b, r1, r2, sw=0, swmask=0x001F, note=note))

    vs = []
    for x in [F(1, 2), F(-1, 2), F(1), F(-1), F(1, 3) * 0 + F(3, 10), F(-7, 10), F(1, 1 << 40), F(-1, 1 << 60)] + \
             [ext_value(*rand_ext(rng, -30, -1)) for _ in range(6)]:
        a = round_ext(x)[0] if x != 0 else (0, 0)
        v = mp_of(a)
        r, _, _ = round_mp(mpmath.power(2, v) - 1)
        add(vs, ST_F2XM1, a, (0, 0), r, EMPTY, "f2xm1")
    groups.append(("f2xm1", vs))
    vs = []
    for x, y in [(F(8), F(1)), (F(10), F(1)), (F(3), F(-2)), (F(1, 10), F(3)), (F(1000001, 1000000), F(1))] + \
                [(ext_value(*rand_ext(rng, -100, 100)) * (1 if rng.random() < 2 else -1), ext_value(*rand_ext(rng, -5, 5))) for _ in range(8)]:
        x = abs(x)
        a, b = round_ext(x)[0], round_ext(y)[0]
        r, _, _ = round_mp(mp_of(b) * mpmath.log(mp_of(a), 2))
        add(vs, ST_FYL2X, a, b, r, EMPTY, "fyl2x")
    for x, y in [(F(1, 4), F(1)), (F(-1, 4), F(1)), (F(1, 1 << 30), F(3)), (F(-1, 1 << 50), F(-1))] + \
                [(ext_value(*rand_ext(rng, -40, -3)), ext_value(*rand_ext(rng, -5, 5))) for _ in range(6)]:
        a, b = round_ext(x)[0], round_ext(y)[0]
        r, _, _ = round_mp(mp_of(b) * mpmath.log(1 + mp_of(a), 2))
        add(vs, ST_FYL2XP1, a, b, r, EMPTY, "fyl2xp1")
    groups.append(("fyl2x fyl2xp1", vs))
    vs = []
    for y, x in [(F(1), F(1)), (F(1), F(-1)), (F(-1), F(2)), (F(3), F(1, 100)), (F(1, 1 << 40), F(-5)), (F(-2), F(-3))] + \
                [(ext_value(*rand_ext(rng, -20, 20)), ext_value(*rand_ext(rng, -20, 20))) for _ in range(8)]:
        a, b = round_ext(y)[0], round_ext(x)[0]
        r, _, _ = round_mp(mpmath.atan2(mp_of(a), mp_of(b)))
        add(vs, ST_FPATAN, a, b, r, EMPTY, "fpatan")
    groups.append(("fpatan", vs))
    vs = []
    xs = [F(1, 2), F(-1), F(3), F(7, 4), F(100), F(-1000000), F(1, 1 << 30), F(355), F(2 ** 62 + 12345)] + \
         [ext_value(*rand_ext(rng, -10, 40)) for _ in range(8)]
    for x in xs:
        a = round_ext(x)[0]
        v = mp_of(a)
        s, _, _ = round_mp(mpmath.sin(v))
        c, _, _ = round_mp(mpmath.cos(v))
        t, _, _ = round_mp(mpmath.tan(v))
        add(vs, ST_FSIN, a, (0, 0), s, EMPTY, "fsin")
        add(vs, ST_FCOS, a, (0, 0), c, EMPTY, "fcos")
        add(vs, ST_FSINCOS, a, (0, 0), c, s, "fsincos")
        add(vs, ST_FPTAN, a, (0, 0), to_ext(1), t, "fptan")
    groups.append(("fsin fcos fsincos fptan", vs,
                   "FSIN FCOS FSINCOS FPTAN are computed in host double precision (53 bits), not within 1 ulp of the 64-bit result (SDM vol. 1, 8.3.10)"))
    return groups


STUBS_ASM = r"""
; Each stub runs with an empty stack and the vector's control word loaded; SI points at the
; vector (A at cs:si+4, B at cs:si+14). It leaves up to two results on the stack and may
; store to RES3 (DS = 0). The common code then saves the status word, clears the
; exceptions and stores ST(0) to RES and ST(1) to RES2 (masked: an empty one reads as the
; indefinite).
s_add:   fld tword [cs:si+4]
         fld tword [cs:si+14]
         faddp st1, st0
         ret
s_sub:   fld tword [cs:si+4]
         fld tword [cs:si+14]
         fsubp st1, st0
         ret
s_subr:  fld tword [cs:si+4]
         fld tword [cs:si+14]
         fsubrp st1, st0
         ret
s_mul:   fld tword [cs:si+4]
         fld tword [cs:si+14]
         fmul st0, st1
         ret
s_div:   fld tword [cs:si+4]
         fld tword [cs:si+14]
         fdivp st1, st0
         ret
s_divr:  fld tword [cs:si+4]
         fld tword [cs:si+14]
         fdivr st0, st1
         ret
s_sqrt:  fld tword [cs:si+4]
         fsqrt
         ret
s_addm64: fld tword [cs:si+4]
         fadd qword [cs:si+14]
         ret
s_fst32: fld tword [cs:si+4]
         fst dword [RES3]
         ret
s_fst64: fld tword [cs:si+4]
         fst qword [RES3]
         ret
s_fist16: fld tword [cs:si+4]
         fist word [RES3]
         ret
s_fist32: fld tword [cs:si+4]
         fistp dword [RES3]
         ret
s_fist64: fld tword [cs:si+4]
         fistp qword [RES3]
         ret
s_frndint: fld tword [cs:si+4]
         frndint
         ret
s_fcompp: fld tword [cs:si+14]
         fld tword [cs:si+4]
         fcompp
         ret
s_fucompp: fld tword [cs:si+14]
         fld tword [cs:si+4]
         fucompp
         ret
s_fcomi: fld tword [cs:si+14]
         fld tword [cs:si+4]
         fcomi st0, st1
         jmp savefl
s_fucomip: fld tword [cs:si+14]
         fld tword [cs:si+4]
         fucomip st0, st1
savefl:  pushf
         pop ax
         mov [FLRES], ax
         ret
s_fscale: fld tword [cs:si+14]
         fld tword [cs:si+4]
         fscale
         ret
s_fxtract: fld tword [cs:si+4]
         fxtract
         ret
s_fprem: fld tword [cs:si+14]
         fld tword [cs:si+4]
         fprem
         ret
s_fprem1: fld tword [cs:si+14]
         fld tword [cs:si+4]
         fprem1
         ret
s_fbstp: fld tword [cs:si+4]
         fbstp tword [RES3]
         ret
s_fbld:  fbld tword [cs:si+4]
         ret
s_fld32: fld dword [cs:si+4]
         ret
s_fld64: fld qword [cs:si+4]
         ret
s_fmulm32: fld tword [cs:si+4]
         fmul dword [cs:si+14]
         ret
s_fimul16: fld tword [cs:si+4]
         fimul word [cs:si+14]
         ret
s_f2xm1: fld tword [cs:si+4]
         f2xm1
         ret
s_fyl2x: fld tword [cs:si+14]
         fld tword [cs:si+4]
         fyl2x
         ret
s_fyl2xp1: fld tword [cs:si+14]
         fld tword [cs:si+4]
         fyl2xp1
         ret
s_fpatan: fld tword [cs:si+4]
         fld tword [cs:si+14]
         fpatan
         ret
s_fsin:  fld tword [cs:si+4]
         fsin
         ret
s_fcos:  fld tword [cs:si+4]
         fcos
         ret
s_fsincos: fld tword [cs:si+4]
         fsincos
         ret
s_fptan: fld tword [cs:si+4]
         fptan
         ret
stubs:   dw s_add, s_sub, s_subr, s_mul, s_div, s_divr, s_sqrt, s_addm64, s_fst32, s_fst64
         dw s_fist16, s_fist32, s_fist64, s_frndint, s_fcompp, s_fucompp, s_fcomi, s_fucomip
         dw s_fscale, s_fxtract, s_fprem, s_fprem1, s_fbstp, s_fbld, s_fld32, s_fld64, s_fmulm32, s_fimul16
         dw s_f2xm1, s_fyl2x, s_fyl2xp1, s_fpatan, s_fsin, s_fcos, s_fsincos, s_fptan
"""


def emit(path, name, title, groups, extra_doc):
    lines = []
    total = sum(len(g[1]) for g in groups)
    lines.append("; " + "=" * 77)
    lines.append("; %s.asm - %s" % (name, title))
    lines.append("; GENERATED by tools/gen-fpu-tests.py - do not edit; change the generator.")
    for d in extra_doc:
        lines.append("; " + d)
    lines.append("; %d vectors in %d groups; each group is one numbered check (failing vectors are" % (total, len(groups)))
    lines.append("; listed with what they produced) - see test-roms/lib/fpuvec.inc.")
    lines.append("; " + "=" * 77)
    lines.append('%include "rom.inc"')
    lines.append('%include "fpuvec.inc"')
    lines.append('        ROM_BEGIN "%s"' % name)
    lines.append("        FPU_SETUP")
    for i, g in enumerate(groups):
        gname, vs = g[0], g[1]
        lines.append('        GROUP "%s"' % gname)
        if len(g) > 2:
            lines.append('        QEMU_SKIP_BEGIN "%s"' % g[2])
        lines.append("        RUN_VECTORS vec_%d, %d" % (i, len(vs)))
        if len(g) > 2:
            lines.append("        QEMU_SKIP_END")
    lines.append("        jmp near all_done")
    lines.append(STUBS_ASM)
    lines.append("        FPU_VECTOR_LIB")
    for i, g in enumerate(groups):
        gname, vs = g[0], g[1]
        lines.append("vec_%d:  ; %s" % (i, gname))
        for v in vs:
            lines.append(v.asm())
    lines.append("all_done:")
    lines.append("        ROM_END")
    open(path, "w").write("\n".join(lines) + "\n")
    print("%s: %d vectors, %d groups" % (path, total, len(groups)))


if __name__ == "__main__":
    import os, sys
    os.environ.setdefault("PYTHONHASHSEED", "0")
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    rng = random.Random(87)
    emit(os.path.join(root, "test-roms", "fpu-arith.asm"), "fpu-arith",
         "x87 arithmetic against an exact rational model",
         gen_arith(rng),
         ["FADD FSUB FSUBR FMUL FDIV FDIVR FSQRT in all four rounding modes and three precisions",
          "(SDM vol. 1, 8.1.5), ties, exact zeros, denormals, masked and unmasked over/underflow",
          "(bias-adjusted results, SDM vol. 1, 8.5.4-8.5.5), FST m32/m64, FIST m16/m32/m64 with",
          "integer overflow -> indefinite, FRNDINT, FLD m32/m64 incl. SNaN and denormals, memory",
          "and integer operand forms, FCOM/FUCOM/FCOMI/FUCOMIP incl. NaNs, FSCALE FXTRACT FPREM",
          "FPREM1 (incl. partial remainders) FBLD FBSTP."])
    rng = random.Random(11)
    emit(os.path.join(root, "test-roms", "fpu-special.asm"), "fpu-special",
         "x87 special operands: NaNs, infinities, zeros, unsupported formats",
         gen_special(rng),
         ["FADD FSUB FMUL FDIV with every pairing of QNaN, SNaN, +-inf, +-0, denormal, pseudo-denormal,",
          "unnormal and pseudo-NaN/infinity operands (SDM vol. 1, 4.8.3.5 table 4-7, 8.2.2), and the",
          "special-case tables of FSIN FCOS FSINCOS FPTAN (C2 for |x| >= 2^63) F2XM1 FYL2X FYL2XP1",
          "FPATAN FSCALE FXTRACT FSQRT FPREM (SDM vol. 2)."])
    rng = random.Random(7)
    emit(os.path.join(root, "test-roms", "fpu-trans.asm"), "fpu-trans",
         "x87 transcendental instructions against 400-bit mpmath",
         gen_trans(rng),
         ["F2XM1 FYL2X FYL2XP1 FPATAN FSIN FCOS FSINCOS FPTAN: expected values are the exact",
          "results correctly rounded to 64 bits (round to nearest). The SDM (vol. 1, 8.3.10)",
          "promises less than 1 ulp of error; these checks want the correctly rounded value."])


# ---------------------------------------------------------------- ulp measurement data
def gen_ulp_vectors(path, per_fn=1000):
    """Random inputs over each instruction's documented range with exact values (192-bit
    significands) for test/fpu.test.mjs, which measures the core's error in ulps."""
    import json
    rng = random.Random(2024)

    def rnd(lo_e, hi_e, neg=True):
        sig = rng.getrandbits(64) | TOP
        e = rng.randint(lo_e, hi_e)
        s = 0x8000 if neg and rng.random() < 0.5 else 0
        return (s | (e + BIAS), sig)

    def exact(x):
        if x == 0:
            return None
        sgn = 1 if x < 0 else 0
        ax = abs(x)
        e = int(mpmath.floor(mpmath.log(ax, 2)))
        m = int(mpmath.floor(ax / mpf(2) ** e * mpf(2) ** 191))
        while m >= 1 << 192:
            m >>= 1; e += 1
        while m < 1 << 191:
            m <<= 1; e -= 1
        return [sgn, e, "%048x" % m]

    def hx(v):
        return "%04x%016x" % v

    out = {}
    fns = {
        "f2xm1": (lambda: (rnd(-40, -1), None), lambda x, y: mpmath.power(2, x) - 1),
        "fyl2x": (lambda: (rnd(-200, 200, False), rnd(-4, 4)), lambda x, y: y * mpmath.log(x, 2)),
        "fyl2xp1": (lambda: ((lambda v: v if ext_value(*v) > -F(29, 100) and ext_value(*v) < F(29, 100) else (v[0] & 0x8000 | (BIAS - 3), v[1]))(rnd(-60, -2)), rnd(-4, 4)),
                    lambda x, y: y * mpmath.log(1 + x, 2)),
        "fpatan": (lambda: (rnd(-30, 30), rnd(-30, 30)), lambda x, y: mpmath.atan2(y, x)),
        "fsin": (lambda: (rnd(-20, 62), None), lambda x, y: mpmath.sin(x)),
        "fcos": (lambda: (rnd(-20, 62), None), lambda x, y: mpmath.cos(x)),
        "fptan": (lambda: (rnd(-20, 62), None), lambda x, y: mpmath.tan(x)),
    }
    mpmath.mp.prec = 600
    for name, (gen, fn) in fns.items():
        vs = []
        for i in range(per_fn):
            x, y = gen()
            # small arguments near multiples of pi/2 are the hard ones: add a few
            if name in ("fsin", "fcos", "fptan") and i % 10 == 0:
                k = rng.randint(1, 1 << rng.randint(1, 62))
                x = round_ext(F(int(mpmath.floor(k * mpmath.pi / 2 * mpf(2) ** 200)), 1 << 200))[0]
            vx = mp_of(x)
            vy = mp_of(y) if y is not None else None
            vs.append([hx(x), hx(y) if y is not None else None, exact(fn(vx, vy))])
        out[name] = vs
    mpmath.mp.prec = 400
    json.dump(out, open(path, "w"), separators=(",", ":"))
    print("%s: %d functions x %d inputs" % (path, len(fns), per_fn))


def gen_arith_json(path, n=9000):
    """Random FADD FSUB FMUL FDIV FSQRT cases under random RC and PC for test/fpu.test.mjs:
    operands across the whole exponent range (denormals, near overflow), exact expected bits
    and exception flags from the rational model above."""
    import json
    rng = random.Random(99)

    def operand():
        r = rng.random()
        sig = rng.getrandbits(64) | TOP
        if r < 0.1:
            return (rng.choice((0, 0x8000)), rng.getrandbits(rng.randint(1, 63)) or 1)  # denormal
        if r < 0.2:
            e = rng.choice((rng.randint(1, 80), rng.randint(0x7FFE - 80, 0x7FFE)))
        elif r < 0.3:
            sig = TOP | (rng.getrandbits(rng.randint(0, 8)) << rng.randint(0, 55))  # short significands: exact cases, ties
            e = BIAS + rng.randint(-10, 10)
        else:
            e = BIAS + rng.randint(-300, 300)
        return (rng.choice((0, 0x8000)) | e, sig)

    out = []
    for _ in range(n):
        rc = rng.randint(0, 3)
        pc = rng.choice((24, 53, 64))
        op = rng.choice(("add", "sub", "mul", "div", "sqrt", "fst32", "fst64", "fist64", "frndint"))
        y, x = operand(), operand()
        if op in ("fst32", "fst64", "fist64", "frndint"):
            if rng.random() < 0.5:  # values a conversion can reach
                lim = {"fst32": 140, "fst64": 1030, "fist64": 66, "frndint": 70}[op]
                x = ((x[0] & 0x8000) | (BIAS + rng.randint(-lim, lim)), x[1] | TOP)
            v = ext_value(*x)
            den = DE if (x[0] & 0x7FFF) == 0 else 0
            if op in ("fst32", "fst64"):
                bits, fl, c1 = pack_small(v, op == "fst64", rc)
                res = (0, bits)  # the stored bits, as a 64-bit "significand"
                fl |= den
            elif op == "fist64":
                neg = v < 0
                m, inexact, up = round_to_quantum(abs(v), F(1), rc, neg)
                iv = -m if neg else m
                if iv >= 2 ** 63 or iv < -2 ** 63:
                    res, fl, c1 = (0, 1 << 63), IE, False
                else:
                    res, fl, c1 = (0, iv & ((1 << 64) - 1)), (PE if inexact else 0), up
            else:
                if abs(v) >= 2 ** 63:
                    res, fl, c1 = x, den, False
                else:
                    neg = v < 0
                    m, inexact, up = round_to_quantum(abs(v), F(1), rc, neg)
                    res = to_ext(-m if neg else m) if m else (x[0] & 0x8000, 0)
                    fl, c1 = (PE if inexact else 0) | den, up
            out.append([op, rc, pc, "%04x%016x" % y, "%04x%016x" % x, "%04x%016x" % res, fl | (C1 if c1 else 0)])
            continue
        if op == "sqrt":
            x = (x[0] & 0x7FFF, x[1])
            v = ext_value(*x)
            res, fl, c1 = sqrt_round(v, pc, rc)
            if (x[0] & 0x7FFF) == 0:
                fl |= DE
        else:
            stub = {"add": ST_ADD, "sub": ST_SUB, "mul": ST_MUL, "div": ST_DIV}[op]
            vec = arith_vec(stub, y, x, rc, pc)
            res, fl, c1 = vec.res, vec.sw & 0x3F, bool(vec.sw & C1)
        out.append([op, rc, pc, "%04x%016x" % y, "%04x%016x" % x, "%04x%016x" % res, fl | (C1 if c1 else 0)])
    json.dump(out, open(path, "w"), separators=(",", ":"))
    print("%s: %d cases" % (path, n))


if __name__ == "__main__":
    gen_ulp_vectors(os.path.join(root, "test", "fpu-ulp-vectors.json"))
    gen_arith_json(os.path.join(root, "test", "fpu-arith-vectors.json"))
