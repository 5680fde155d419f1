; =============================================================================
; bcd.asm - decimal adjust instructions DAA DAS AAA AAS AAM AAD, including
; the immediate-base forms of AAM/AAD (D4 ib / D5 ib).
;
; Only flags the SDM defines are checked (SDM Vol. 2A, each instruction's
; "Flags Affected"):
;   DAA, DAS : CF and AF by the adjustment, SF ZF PF by result; OF undefined
;   AAA, AAS : AF and CF; OF SF ZF PF undefined
;   AAM, AAD : SF ZF PF by AL; OF AF CF undefined
; Results follow the SDM "Operation" pseudo-code, in particular:
;   AAA adds 106h to the whole of AX (a carry out of AL+6 reaches AH), AAS
;   subtracts 6 from AX and then 1 from AH; DAA with AF=1 and AL=99h adds
;   only 6; DAS keeps CF=1 when AL-6 borrows.
; Each case runs twice: with only the listed input flags set, and with the
; other status flags (OF SF ZF PF) set as well.  (AAM 0 raising #DE is
; tested in muldiv.asm.)
; =============================================================================
%include "rom.inc"

%define OF FL_OF
%define SF FL_SF
%define ZF FL_ZF
%define AF FL_AF
%define PF FL_PF
%define CF FL_CF

%macro __B1 6
        mov ax, %2
        SETFLAGS %6
        %1
        _CHKX 2, ax, %4, __d
        _CHKF %5, %3, __f
%endmacro

; B insn, ax_in, flags_in, ax_out, flags_out, defined-flags mask
%macro B 6
        NEWCHECK
%defstr __d %1 (ax=%2 flags=%3): ax
%defstr __f %1 (ax=%2 flags=%3): flags
        __B1 %1, %2, %5, %4, %6, (%3)
        __B1 %1, %2, %5, %4, %6, ((%3) | (FL_OF|FL_SF|FL_ZF|FL_PF))
%endmacro

; ADJ op, a, b, adjust, result, flags, mask - AL=a; op AL,b; adjust; check AL
%macro ADJ 7
        NEWCHECK
%defstr __d %2 %1 %3 then %4
        mov ax, %2
        mov bl, %3
        SETFLAGS 0
        %1 al, bl
        %4
        _CHKX 1, al, %5, __d
        _CHKF %7, %6, __d
%endmacro

ROM_BEGIN "bcd"
GROUP "daa"
        B {daa}, 0x000F, 0, 0x0015, AF, SF|ZF|AF|PF|CF
        B {daa}, 0x009A, 0, 0x0000, ZF|AF|PF|CF, SF|ZF|AF|PF|CF
        B {daa}, 0x1299, 0, 0x1299, SF|PF, SF|ZF|AF|PF|CF
        B {daa}, 0x0000, AF, 0x0006, AF|PF, SF|ZF|AF|PF|CF
        B {daa}, 0x0000, CF, 0x0060, PF|CF, SF|ZF|AF|PF|CF
        B {daa}, 0x0010, AF|CF, 0x0076, AF|CF, SF|ZF|AF|PF|CF
        B {daa}, 0x00FA, 0, 0x0060, AF|PF|CF, SF|ZF|AF|PF|CF
        B {daa}, 0x00A0, 0, 0x0000, ZF|PF|CF, SF|ZF|AF|PF|CF
        B {daa}, 0x0099, AF, 0x009F, SF|AF|PF, SF|ZF|AF|PF|CF
        B {daa}, 0x00F0, AF, 0x0056, AF|PF|CF, SF|ZF|AF|PF|CF
GROUP "das"
        B {das}, 0x000D, AF, 0x0007, AF, SF|ZF|AF|PF|CF
        B {das}, 0x000F, AF, 0x0009, AF|PF, SF|ZF|AF|PF|CF
        B {das}, 0x00FF, AF|CF, 0x0099, SF|AF|PF|CF, SF|ZF|AF|PF|CF
        B {das}, 0x009A, 0, 0x0034, AF|CF, SF|ZF|AF|PF|CF
        B {das}, 0x0005, AF, 0x00FF, SF|AF|PF|CF, SF|ZF|AF|PF|CF
        B {das}, 0x0099, 0, 0x0099, SF|PF, SF|ZF|AF|PF|CF
        B {das}, 0x0066, CF, 0x0006, PF|CF, SF|ZF|AF|PF|CF
        B {das}, 0x00A0, 0, 0x0040, CF, SF|ZF|AF|PF|CF
        B {das}, 0x0000, AF, 0x00FA, SF|AF|PF|CF, SF|ZF|AF|PF|CF
GROUP "aaa"
        B {aaa}, 0x000A, 0, 0x0100, AF|CF, AF|CF
        B {aaa}, 0x0010, AF, 0x0106, AF|CF, AF|CF
        B {aaa}, 0x0305, 0, 0x0305, 0, AF|CF
        B {aaa}, 0x0035, 0, 0x0005, 0, AF|CF
        B {aaa}, 0x00FA, 0, 0x0200, AF|CF, AF|CF
        B {aaa}, 0xFF0F, 0, 0x0005, AF|CF, AF|CF
        B {aaa}, 0x0109, AF, 0x020F, AF|CF, AF|CF
GROUP "aas"
        B {aas}, 0x020B, 0, 0x0105, AF|CF, AF|CF
        B {aas}, 0x0502, AF, 0x030C, AF|CF, AF|CF
        B {aas}, 0x0039, 0, 0x0009, 0, AF|CF
        B {aas}, 0x0000, AF, 0xFE0A, AF|CF, AF|CF
        B {aas}, 0x0300, AF, 0x010A, AF|CF, AF|CF
        B {aas}, 0x0110, 0, 0x0100, 0, AF|CF
GROUP "aam"
        B {aam}, 0x004F, 0, 0x0709, PF, SF|ZF|PF
        B {aam}, 0x1200, 0, 0x0000, ZF|PF, SF|ZF|PF
        B {aam}, 0x00FF, 0, 0x1905, PF, SF|ZF|PF
        B {aam 16}, 0x00AB, 0, 0x0A0B, 0, SF|ZF|PF
        B {aam 7}, 0x0064, 0, 0x0E02, 0, SF|ZF|PF
        B {aam 1}, 0x0080, 0, 0x8000, ZF|PF, SF|ZF|PF
GROUP "aad"
        B {aad}, 0x0709, 0, 0x004F, 0, SF|ZF|PF
        B {aad}, 0x0000, 0, 0x0000, ZF|PF, SF|ZF|PF
        B {aad}, 0x1905, 0, 0x00FF, SF|PF, SF|ZF|PF
        B {aad}, 0x1A06, 0, 0x000A, PF, SF|ZF|PF
        B {aad 16}, 0x0A0B, 0, 0x00AB, SF, SF|ZF|PF
        B {aad 7}, 0x0E02, 0, 0x0064, 0, SF|ZF|PF
        B {aad 0}, 0xFFFF, 0, 0x00FF, SF|PF, SF|ZF|PF

GROUP "add/sub then adjust"
        ADJ add, 0x38, 0x45, daa, 0x83, SF|AF, SF|ZF|AF|PF|CF
        ADJ add, 0x99, 0x01, daa, 0x00, ZF|AF|PF|CF, SF|ZF|AF|PF|CF
        ADJ add, 0x88, 0x88, daa, 0x76, AF|CF, SF|ZF|AF|PF|CF
        ADJ adc, 0x49, 0x50, daa, 0x99, SF|PF, SF|ZF|AF|PF|CF
        ADJ sub, 0x45, 0x38, das, 0x07, AF, SF|ZF|AF|PF|CF
        ADJ sub, 0x10, 0x01, das, 0x09, AF|PF, SF|ZF|AF|PF|CF
        ADJ sub, 0x00, 0x01, das, 0x99, SF|AF|PF|CF, SF|ZF|AF|PF|CF
        ADJ add, 0x08, 0x09, aaa, 0x07, AF|CF, AF|CF
        ADJ sub, 0x03, 0x08, aas, 0x05, AF|CF, AF|CF

ROM_END
