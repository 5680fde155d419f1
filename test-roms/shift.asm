; =============================================================================
; shift.asm - SHL/SHR/SAR/ROL/ROR/RCL/RCR by 1 (D0/D1), by CL (D2/D3) and by
; imm8 (C0/C1, including an imm8 of 1), in 8/16/32-bit operand size, and
; SHLD/SHRD by imm8 and by CL.
;
; Rules checked (SDM Vol. 2B, SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD, SHRD):
;  * The count is masked to 5 bits for every operand size; a masked count of
;    0 leaves the destination AND all flags unchanged (e.g. count 32).
;  * SHL/SHR/SAR: CF = last bit shifted out, SF ZF PF by result, OF only
;    for a count of 1 (SHL: MSB(result) xor CF, SHR: MSB(original),
;    SAR: 0), AF undefined.  For SHL/SHR, CF is undefined when the count is
;    >= the operand width, so it is not checked there (the result, 0, is).
;    SAR keeps shifting in sign bits, CF = sign bit.
;  * ROL/ROR: count mod width for the rotation, but CF is still written when
;    the masked count is non-zero (ROL: CF = LSB(result), ROR: CF =
;    MSB(result)), OF only for a count of 1, SF ZF AF PF unaffected.
;  * RCL/RCR: 8-bit rotates by (count & 31) mod 9, 16-bit mod 17, 32-bit
;    not reduced; CF participates; OF only for count 1; SF ZF AF PF
;    unaffected.
;  * SHLD/SHRD: CF = last bit shifted out of the destination, SF ZF PF by
;    result, OF only for count 1 (sign change), AF undefined; counts above
;    the operand size (16-bit only) are undefined and not tested.
; Each case runs twice (flags all clear / all set before; for RCL/RCR CF is
; the carry-in), so unaffected flags are verified both ways.
; =============================================================================
%include "rom.inc"

M       equ 0x1000              ; scratch memory operand, DS = 0

%define OF FL_OF
%define SF FL_SF
%define ZF FL_ZF
%define AF FL_AF
%define PF FL_PF
%define CF FL_CF

%define PRESET1(cfin) ((cfin) == 1 ? FL_CF : 0)
%define PRESET2(cfin) ((cfin) == 2 ? FL_OSZAPC : ((FL_OSZAPC & ~FL_CF) | PRESET1(cfin)))

; __S1 preset, size, op, dst, form, count, dval, result, flags, defmask, unaff
%macro __S1 11
        mov %4, %7
%ifidn %5, cl
        mov cl, %6
%endif
        SETFLAGS %1
%ifidn %5, one
        %3 %4, 1
%elifidn %5, imm1
        %3 %4, strict byte 1
%elifidn %5, imm
        %3 %4, %6
%else
        %3 %4, cl
%endif
        _CHKX %2, %4, %8, __d
        _CHKF ((%10) | (%11)), (((%9) & (%10)) | ((%1) & (%11))), __f
%endmacro

; S size, op, dst, form (one/imm1/imm/cl), count, dval, cfin (0/1, 2 = any),
;   result, flags, defined-flags mask, unaffected-flags mask
%macro S 11
        NEWCHECK
%defstr __d %2 %3 by %4 %5 (dst=%6 cin=%7): result
%defstr __f %2 %3 by %4 %5 (dst=%6 cin=%7): flags
        __S1 PRESET1(%7), %1, %2, %3, %4, %5, %6, %8, %9, %10, %11
        __S1 PRESET2(%7), %1, %2, %3, %4, %5, %6, %8, %9, %10, %11
%endmacro

; __D1 preset, size, op, dst, src, form, count, dval, sval, result, flags, defmask, unaff
%macro __D1 13
        mov %4, %8
        mov %5, %9
%ifidn %6, cl
        mov cl, %7
        SETFLAGS %1
        %3 %4, %5, cl
%else
        SETFLAGS %1
        %3 %4, %5, %7
%endif
        _CHKX %2, %4, %10, __d
        _CHKF ((%12) | (%13)), (((%11) & (%12)) | ((%1) & (%13))), __f
%endmacro

; D size, op, dst, src, form (imm/cl), count, dval, sval, result, flags, defmask, unaff
%macro D 12
        NEWCHECK
%defstr __d %2 %3, %4 by %5 %6 (dst=%7 src=%8): result
%defstr __f %2 %3, %4 by %5 %6 (dst=%7 src=%8): flags
        __D1 PRESET1(2), %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12
        __D1 PRESET2(2), %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12
%endmacro

ROM_BEGIN "shift"

GROUP "shl"
        S 1, shl, al, one, 1, 0x81, 2, 0x02, OF|CF, OF|SF|ZF|PF|CF, 0
        S 1, shl, bl, imm1, 1, 0x41, 2, 0x82, OF|SF|PF, OF|SF|ZF|PF|CF, 0
        S 1, shl, cl, imm, 3, 0xC3, 2, 0x18, PF, SF|ZF|PF|CF, 0
        S 1, shl, dh, cl, 0, 0x96, 2, 0x96, 0, 0, OF|SF|ZF|AF|PF|CF
        S 1, shl, ah, cl, 7, 0x96, 2, 0x00, ZF|PF|CF, SF|ZF|PF|CF, 0
        S 1, shl, bh, cl, 8, 0x81, 2, 0x00, ZF|PF|CF, SF|ZF|PF, 0
        S 1, shl, dl, imm, 9, 0xFF, 2, 0x00, ZF|PF, SF|ZF|PF, 0
        S 1, shl, byte [M], cl, 32, 0x80, 2, 0x80, 0, 0, OF|SF|ZF|AF|PF|CF
        S 1, shl, al, cl, 33, 0x81, 2, 0x02, OF|CF, OF|SF|ZF|PF|CF, 0
        S 2, shl, ax, one, 1, 0x8001, 2, 0x0002, OF|CF, OF|SF|ZF|PF|CF, 0
        S 2, shl, bx, imm1, 1, 0x4000, 2, 0x8000, OF|SF|PF, OF|SF|ZF|PF|CF, 0
        S 2, shl, si, imm, 4, 0xB00F, 2, 0x00F0, PF|CF, SF|ZF|PF|CF, 0
        S 2, shl, di, cl, 15, 0x8000, 2, 0x0000, ZF|PF, SF|ZF|PF|CF, 0
        S 2, shl, bp, cl, 16, 0xC001, 2, 0x0000, ZF|PF|CF, SF|ZF|PF, 0
        S 2, shl, word [M], cl, 32, 0x1234, 2, 0x1234, 0, 0, OF|SF|ZF|AF|PF|CF
        S 2, shl, dx, imm, 65, 0x8421, 2, 0x0842, OF|PF|CF, OF|SF|ZF|PF|CF, 0
        S 4, shl, eax, one, 1, 0x80000001, 2, 0x00000002, OF|CF, OF|SF|ZF|PF|CF, 0
        S 4, shl, ebx, imm1, 1, 0x40000000, 2, 0x80000000, OF|SF|PF, OF|SF|ZF|PF|CF, 0
        S 4, shl, esi, imm, 8, 0xDEADBEEF, 2, 0xADBEEF00, SF|PF, SF|ZF|PF|CF, 0
        S 4, shl, edi, cl, 31, 0x80000001, 2, 0x80000000, SF|PF, SF|ZF|PF|CF, 0
        S 4, shl, dword [M], cl, 32, 0x12345678, 2, 0x12345678, 0, 0, OF|SF|ZF|AF|PF|CF
        S 4, shl, edx, imm, 33, 0xC0000003, 2, 0x80000006, SF|PF|CF, OF|SF|ZF|PF|CF, 0

GROUP "shr"
        S 1, shr, al, one, 1, 0x81, 2, 0x40, OF|CF, OF|SF|ZF|PF|CF, 0
        S 1, shr, bl, imm1, 1, 0x41, 2, 0x20, CF, OF|SF|ZF|PF|CF, 0
        S 1, shr, cl, imm, 3, 0xC3, 2, 0x18, PF, SF|ZF|PF|CF, 0
        S 1, shr, dh, cl, 0, 0x96, 2, 0x96, 0, 0, OF|SF|ZF|AF|PF|CF
        S 1, shr, ah, cl, 7, 0x96, 2, 0x01, 0, SF|ZF|PF|CF, 0
        S 1, shr, bh, cl, 8, 0x81, 2, 0x00, ZF|PF|CF, SF|ZF|PF, 0
        S 1, shr, dl, imm, 9, 0xFF, 2, 0x00, ZF|PF, SF|ZF|PF, 0
        S 1, shr, byte [M], cl, 32, 0x80, 2, 0x80, 0, 0, OF|SF|ZF|AF|PF|CF
        S 1, shr, al, cl, 33, 0x81, 2, 0x40, OF|CF, OF|SF|ZF|PF|CF, 0
        S 2, shr, ax, one, 1, 0x8001, 2, 0x4000, OF|PF|CF, OF|SF|ZF|PF|CF, 0
        S 2, shr, bx, imm1, 1, 0x4000, 2, 0x2000, PF, OF|SF|ZF|PF|CF, 0
        S 2, shr, si, imm, 4, 0xB00F, 2, 0x0B00, PF|CF, SF|ZF|PF|CF, 0
        S 2, shr, di, cl, 15, 0x8000, 2, 0x0001, 0, SF|ZF|PF|CF, 0
        S 2, shr, bp, cl, 16, 0xC001, 2, 0x0000, ZF|PF|CF, SF|ZF|PF, 0
        S 2, shr, word [M], cl, 32, 0x1234, 2, 0x1234, 0, 0, OF|SF|ZF|AF|PF|CF
        S 2, shr, dx, imm, 65, 0x8421, 2, 0x4210, OF|CF, OF|SF|ZF|PF|CF, 0
        S 4, shr, eax, one, 1, 0x80000001, 2, 0x40000000, OF|PF|CF, OF|SF|ZF|PF|CF, 0
        S 4, shr, ebx, imm1, 1, 0x40000000, 2, 0x20000000, PF, OF|SF|ZF|PF|CF, 0
        S 4, shr, esi, imm, 8, 0xDEADBEEF, 2, 0x00DEADBE, PF|CF, SF|ZF|PF|CF, 0
        S 4, shr, edi, cl, 31, 0x80000001, 2, 0x00000001, 0, SF|ZF|PF|CF, 0
        S 4, shr, dword [M], cl, 32, 0x12345678, 2, 0x12345678, 0, 0, OF|SF|ZF|AF|PF|CF
        S 4, shr, edx, imm, 33, 0xC0000003, 2, 0x60000001, OF|CF, OF|SF|ZF|PF|CF, 0

GROUP "sar"
        S 1, sar, al, one, 1, 0x81, 2, 0xC0, SF|PF|CF, OF|SF|ZF|PF|CF, 0
        S 1, sar, bl, imm1, 1, 0x41, 2, 0x20, CF, OF|SF|ZF|PF|CF, 0
        S 1, sar, cl, imm, 3, 0xC3, 2, 0xF8, SF, SF|ZF|PF|CF, 0
        S 1, sar, dh, cl, 0, 0x96, 2, 0x96, 0, 0, OF|SF|ZF|AF|PF|CF
        S 1, sar, ah, cl, 7, 0x96, 2, 0xFF, SF|PF, SF|ZF|PF|CF, 0
        S 1, sar, bh, cl, 8, 0x81, 2, 0xFF, SF|PF|CF, SF|ZF|PF|CF, 0
        S 1, sar, dl, imm, 9, 0xFF, 2, 0xFF, SF|PF|CF, SF|ZF|PF|CF, 0
        S 1, sar, byte [M], cl, 32, 0x80, 2, 0x80, 0, 0, OF|SF|ZF|AF|PF|CF
        S 1, sar, al, cl, 33, 0x81, 2, 0xC0, SF|PF|CF, OF|SF|ZF|PF|CF, 0
        S 2, sar, ax, one, 1, 0x8001, 2, 0xC000, SF|PF|CF, OF|SF|ZF|PF|CF, 0
        S 2, sar, bx, imm1, 1, 0x4000, 2, 0x2000, PF, OF|SF|ZF|PF|CF, 0
        S 2, sar, si, imm, 4, 0xB00F, 2, 0xFB00, SF|PF|CF, SF|ZF|PF|CF, 0
        S 2, sar, di, cl, 15, 0x8000, 2, 0xFFFF, SF|PF, SF|ZF|PF|CF, 0
        S 2, sar, bp, cl, 16, 0xC001, 2, 0xFFFF, SF|PF|CF, SF|ZF|PF|CF, 0
        S 2, sar, word [M], cl, 32, 0x1234, 2, 0x1234, 0, 0, OF|SF|ZF|AF|PF|CF
        S 2, sar, dx, imm, 65, 0x8421, 2, 0xC210, SF|CF, OF|SF|ZF|PF|CF, 0
        S 4, sar, eax, one, 1, 0x80000001, 2, 0xC0000000, SF|PF|CF, OF|SF|ZF|PF|CF, 0
        S 4, sar, ebx, imm1, 1, 0x40000000, 2, 0x20000000, PF, OF|SF|ZF|PF|CF, 0
        S 4, sar, esi, imm, 8, 0xDEADBEEF, 2, 0xFFDEADBE, SF|PF|CF, SF|ZF|PF|CF, 0
        S 4, sar, edi, cl, 31, 0x80000001, 2, 0xFFFFFFFF, SF|PF, SF|ZF|PF|CF, 0
        S 4, sar, dword [M], cl, 32, 0x12345678, 2, 0x12345678, 0, 0, OF|SF|ZF|AF|PF|CF
        S 4, sar, edx, imm, 33, 0xC0000003, 2, 0xE0000001, SF|CF, OF|SF|ZF|PF|CF, 0

GROUP "rol"
        S 1, rol, al, one, 1, 0x81, 2, 0x03, OF|CF, OF|CF, SF|ZF|AF|PF
        S 1, rol, bl, imm1, 1, 0x40, 2, 0x80, OF, OF|CF, SF|ZF|AF|PF
        S 1, rol, cl, imm, 3, 0x96, 2, 0xB4, OF, CF, SF|ZF|AF|PF
        S 1, rol, dh, cl, 8, 0x81, 2, 0x81, CF, CF, SF|ZF|AF|PF
        S 1, rol, ah, cl, 9, 0x01, 2, 0x02, 0, CF, SF|ZF|AF|PF
        S 1, rol, byte [M], cl, 32, 0x80, 2, 0x80, 0, 0, OF|SF|ZF|AF|PF|CF
        S 2, rol, ax, one, 1, 0x8001, 2, 0x0003, OF|CF, OF|CF, SF|ZF|AF|PF
        S 2, rol, si, imm, 4, 0xB00F, 2, 0x00FB, OF|CF, CF, SF|ZF|AF|PF
        S 2, rol, di, cl, 16, 0x8000, 2, 0x8000, OF, CF, SF|ZF|AF|PF
        S 2, rol, word [M], cl, 17, 0x4001, 2, 0x8002, OF, CF, SF|ZF|AF|PF
        S 4, rol, eax, one, 1, 0x80000001, 2, 0x00000003, OF|CF, OF|CF, SF|ZF|AF|PF
        S 4, rol, esi, imm, 8, 0xDEADBEEF, 2, 0xADBEEFDE, OF, CF, SF|ZF|AF|PF
        S 4, rol, edi, cl, 31, 0x00000003, 2, 0x80000001, CF, CF, SF|ZF|AF|PF
        S 4, rol, dword [M], cl, 32, 0x12345678, 2, 0x12345678, 0, 0, OF|SF|ZF|AF|PF|CF
        S 4, rol, ebx, imm, 33, 0x80000000, 2, 0x00000001, OF|CF, OF|CF, SF|ZF|AF|PF

GROUP "ror"
        S 1, ror, al, one, 1, 0x81, 2, 0xC0, CF, OF|CF, SF|ZF|AF|PF
        S 1, ror, bl, imm1, 1, 0x40, 2, 0x20, 0, OF|CF, SF|ZF|AF|PF
        S 1, ror, cl, imm, 3, 0x96, 2, 0xD2, CF, CF, SF|ZF|AF|PF
        S 1, ror, dh, cl, 8, 0x81, 2, 0x81, OF|CF, CF, SF|ZF|AF|PF
        S 1, ror, ah, cl, 9, 0x01, 2, 0x80, OF|CF, CF, SF|ZF|AF|PF
        S 1, ror, byte [M], cl, 32, 0x80, 2, 0x80, 0, 0, OF|SF|ZF|AF|PF|CF
        S 2, ror, ax, one, 1, 0x8001, 2, 0xC000, CF, OF|CF, SF|ZF|AF|PF
        S 2, ror, si, imm, 4, 0xB00F, 2, 0xFB00, CF, CF, SF|ZF|AF|PF
        S 2, ror, di, cl, 16, 0x8000, 2, 0x8000, OF|CF, CF, SF|ZF|AF|PF
        S 2, ror, word [M], cl, 17, 0x4001, 2, 0xA000, OF|CF, CF, SF|ZF|AF|PF
        S 4, ror, eax, one, 1, 0x80000001, 2, 0xC0000000, CF, OF|CF, SF|ZF|AF|PF
        S 4, ror, esi, imm, 8, 0xDEADBEEF, 2, 0xEFDEADBE, CF, CF, SF|ZF|AF|PF
        S 4, ror, edi, cl, 31, 0x00000003, 2, 0x00000006, 0, CF, SF|ZF|AF|PF
        S 4, ror, dword [M], cl, 32, 0x12345678, 2, 0x12345678, 0, 0, OF|SF|ZF|AF|PF|CF
        S 4, ror, ebx, imm, 33, 0x80000000, 2, 0x40000000, OF, OF|CF, SF|ZF|AF|PF

GROUP "rcl"
        S 1, rcl, al, one, 1, 0x81, 0, 0x02, OF|CF, OF|CF, SF|ZF|AF|PF
        S 1, rcl, bl, imm1, 1, 0x40, 1, 0x81, OF, OF|CF, SF|ZF|AF|PF
        S 1, rcl, cl, imm, 3, 0x96, 1, 0xB6, OF, CF, SF|ZF|AF|PF
        S 1, rcl, dh, cl, 8, 0x81, 0, 0x40, OF|CF, CF, SF|ZF|AF|PF
        S 1, rcl, ah, cl, 9, 0x81, 1, 0x81, CF, CF, SF|ZF|AF|PF
        S 1, rcl, byte [M], cl, 10, 0x55, 1, 0xAB, OF, CF, SF|ZF|AF|PF
        S 1, rcl, dl, cl, 32, 0xAA, 1, 0xAA, 0, 0, OF|SF|ZF|AF|PF|CF
        S 2, rcl, ax, one, 1, 0x8001, 1, 0x0003, OF|CF, OF|CF, SF|ZF|AF|PF
        S 2, rcl, si, imm, 4, 0xB00F, 0, 0x00F5, OF|CF, CF, SF|ZF|AF|PF
        S 2, rcl, di, cl, 16, 0x8000, 1, 0xC000, OF, CF, SF|ZF|AF|PF
        S 2, rcl, word [M], cl, 17, 0x4001, 1, 0x4001, OF|CF, CF, SF|ZF|AF|PF
        S 2, rcl, bp, cl, 18, 0x4001, 0, 0x8002, OF, CF, SF|ZF|AF|PF
        S 4, rcl, eax, one, 1, 0x80000001, 0, 0x00000002, OF|CF, OF|CF, SF|ZF|AF|PF
        S 4, rcl, esi, imm, 8, 0xDEADBEEF, 1, 0xADBEEFEF, OF, CF, SF|ZF|AF|PF
        S 4, rcl, edi, cl, 31, 0x00000003, 1, 0xC0000000, CF, CF, SF|ZF|AF|PF
        S 4, rcl, dword [M], cl, 32, 0x12345678, 1, 0x12345678, 0, 0, OF|SF|ZF|AF|PF|CF
        S 4, rcl, ebx, imm, 33, 0x80000000, 1, 0x00000001, OF|CF, OF|CF, SF|ZF|AF|PF

GROUP "rcr"
        S 1, rcr, al, one, 1, 0x81, 0, 0x40, OF|CF, OF|CF, SF|ZF|AF|PF
        S 1, rcr, bl, imm1, 1, 0x40, 1, 0xA0, OF, OF|CF, SF|ZF|AF|PF
        S 1, rcr, cl, imm, 3, 0x96, 1, 0xB2, CF, CF, SF|ZF|AF|PF
        S 1, rcr, dh, cl, 8, 0x81, 0, 0x02, OF|CF, CF, SF|ZF|AF|PF
        S 1, rcr, ah, cl, 9, 0x81, 1, 0x81, CF, CF, SF|ZF|AF|PF
        S 1, rcr, byte [M], cl, 10, 0x55, 1, 0xAA, OF|CF, CF, SF|ZF|AF|PF
        S 1, rcr, dl, cl, 32, 0xAA, 1, 0xAA, 0, 0, OF|SF|ZF|AF|PF|CF
        S 2, rcr, ax, one, 1, 0x8001, 1, 0xC000, CF, OF|CF, SF|ZF|AF|PF
        S 2, rcr, si, imm, 4, 0xB00F, 0, 0xEB00, OF|CF, CF, SF|ZF|AF|PF
        S 2, rcr, di, cl, 16, 0x8000, 1, 0x0001, CF, CF, SF|ZF|AF|PF
        S 2, rcr, word [M], cl, 17, 0x4001, 1, 0x4001, OF|CF, CF, SF|ZF|AF|PF
        S 2, rcr, bp, cl, 18, 0x4001, 0, 0x2000, CF, CF, SF|ZF|AF|PF
        S 4, rcr, eax, one, 1, 0x80000001, 0, 0x40000000, OF|CF, OF|CF, SF|ZF|AF|PF
        S 4, rcr, esi, imm, 8, 0xDEADBEEF, 1, 0xDFDEADBE, CF, CF, SF|ZF|AF|PF
        S 4, rcr, edi, cl, 31, 0x00000003, 1, 0x0000000E, OF, CF, SF|ZF|AF|PF
        S 4, rcr, dword [M], cl, 32, 0x12345678, 1, 0x12345678, 0, 0, OF|SF|ZF|AF|PF|CF
        S 4, rcr, ebx, imm, 33, 0x80000000, 1, 0xC0000000, 0, OF|CF, SF|ZF|AF|PF

GROUP "shld"
        D 2, shld, ax, bx, imm, 1, 0x8001, 0xC003, 0x0003, OF|PF|CF, OF|SF|ZF|PF|CF, 0
        D 2, shld, si, di, cl, 4, 0x1234, 0xABCD, 0x234A, CF, SF|ZF|PF|CF, 0
        D 2, shld, word [M], dx, imm, 15, 0x00FF, 0xFF00, 0xFF80, OF|SF|CF, SF|ZF|PF|CF, 0
        D 2, shld, bp, bx, cl, 0, 0x1234, 0x5678, 0x1234, 0, 0, OF|SF|ZF|AF|PF|CF
        D 2, shld, ax, dx, imm, 32, 0x1234, 0x5678, 0x1234, 0, 0, OF|SF|ZF|AF|PF|CF
        D 4, shld, eax, ebx, imm, 1, 0x80000001, 0xC0000003, 0x00000003, OF|PF|CF, OF|SF|ZF|PF|CF, 0
        D 4, shld, esi, edi, cl, 8, 0x12345678, 0x9ABCDEF0, 0x3456789A, PF, SF|ZF|PF|CF, 0
        D 4, shld, dword [M], edx, cl, 31, 0x00000001, 0x80000000, 0xC0000000, OF|SF|PF, SF|ZF|PF|CF, 0
        D 4, shld, ebp, ecx, imm, 32, 0x12345678, 0xFFFFFFFF, 0x12345678, 0, 0, OF|SF|ZF|AF|PF|CF
        D 4, shld, eax, edx, cl, 33, 0x40000000, 0x00000001, 0x80000000, OF|SF|PF, OF|SF|ZF|PF|CF, 0

GROUP "shrd"
        D 2, shrd, ax, bx, imm, 1, 0x8001, 0xC003, 0xC000, SF|PF|CF, OF|SF|ZF|PF|CF, 0
        D 2, shrd, si, di, cl, 4, 0x1234, 0xABCD, 0xD123, OF|SF, SF|ZF|PF|CF, 0
        D 2, shrd, word [M], dx, imm, 15, 0x00FF, 0xFF00, 0xFE00, OF|SF|PF, SF|ZF|PF|CF, 0
        D 2, shrd, bp, bx, cl, 0, 0x1234, 0x5678, 0x1234, 0, 0, OF|SF|ZF|AF|PF|CF
        D 2, shrd, ax, dx, imm, 32, 0x1234, 0x5678, 0x1234, 0, 0, OF|SF|ZF|AF|PF|CF
        D 4, shrd, eax, ebx, imm, 1, 0x80000001, 0xC0000003, 0xC0000000, SF|PF|CF, OF|SF|ZF|PF|CF, 0
        D 4, shrd, esi, edi, cl, 8, 0x12345678, 0x9ABCDEF0, 0xF0123456, OF|SF|PF, SF|ZF|PF|CF, 0
        D 4, shrd, dword [M], edx, cl, 31, 0x00000001, 0x80000000, 0x00000000, ZF|PF, SF|ZF|PF|CF, 0
        D 4, shrd, ebp, ecx, imm, 32, 0x12345678, 0xFFFFFFFF, 0x12345678, 0, 0, OF|SF|ZF|AF|PF|CF
        D 4, shrd, eax, edx, cl, 33, 0x40000000, 0x00000001, 0xA0000000, OF|SF|PF, OF|SF|ZF|PF|CF, 0

ROM_END
