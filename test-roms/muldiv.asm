; =============================================================================
; muldiv.asm - MUL, IMUL (one-, two- and three-operand forms), DIV, IDIV in
; 8/16/32-bit operand size, and the divide error (#DE, vector 0).
;
; SDM Vol. 2A/2B:
;  * MUL: OF = CF = 0 when the upper half of the product is 0, else 1.
;    IMUL (one operand): OF = CF = 1 when the upper half is not the sign
;    extension of the lower half; two/three operands: OF = CF = 1 when the
;    signed result was truncated.  SF ZF AF PF are undefined (not checked).
;  * DIV/IDIV: all status flags undefined (not checked).  IDIV truncates
;    toward zero; the remainder has the sign of the dividend.  An IDIV r/m8
;    quotient of -128 is representable and does not fault.
;  * #DE is a fault: the pushed CS:IP points AT the faulting instruction,
;    including any prefixes, and the destination registers are unchanged.
;    Raised for a zero divisor and for a quotient that does not fit.
;    AAM with an immediate of 0 also raises #DE (SDM AAM: "#DE If an
;    immediate value of 0 is used").
; The #DE cases resume after the instruction through the framework's
; recorder (the "handler skips the instruction").
; =============================================================================
%include "rom.inc"

M       equ 0x1000              ; scratch memory, DS = 0

; RF2 r1, v1, r2, v2, flags - one check: two registers and OF/CF.
%macro RF2 5
        NEWCHECK
%defstr __d %1 == %2
        _CHKR %1, %2, __d
%defstr __d %3 == %4
        _CHKR %3, %4, __d
        _CHKF FL_OF|FL_CF, %5, "OF/CF"
%endmacro

; RF1 r, v, flags - one check: register and OF/CF.
%macro RF1 3
        NEWCHECK
%defstr __d %1 == %2
        _CHKR %1, %2, __d
        _CHKF FL_OF|FL_CF, %3, "OF/CF"
%endmacro

; PRE flags - preset OF/CF to the opposite of what the case expects.
%macro PRE 1
        SETFLAGS ((~(%1)) & (FL_OF|FL_CF))
%endmacro

; DE_CASE <instruction> - the instruction must raise #DE
; with the pushed IP pointing at its first byte (prefixes included).
%macro DE_CASE 1+
        EXPECT_EXC %%after
%%at:   %1
%%after:
        CHECK_EXC 0, %%at
%endmacro

ROM_BEGIN "muldiv"

GROUP "mul"
        mov al, 0x80
        mov bl, 2
        PRE FL_OF|FL_CF
        mul bl
        RF1 ax, 0x0100, FL_OF|FL_CF
        mov al, 0x0F
        mov cl, 0x10
        PRE 0
        mul cl
        RF1 ax, 0x00F0, 0
        mov ax, 0x12FF                  ; AH is overwritten
        mov byte [M], 0xFF
        PRE FL_OF|FL_CF
        mul byte [M]
        RF1 ax, 0xFE01, FL_OF|FL_CF
        mov ax, 0xFFFF
        mov bx, 0xFFFF
        PRE FL_OF|FL_CF
        mul bx
        RF2 dx, 0xFFFE, ax, 0x0001, FL_OF|FL_CF
        mov ax, 0x00FF
        mov dx, 0x5555                  ; DX is overwritten with 0
        mov word [M], 0x0100
        PRE 0
        mul word [M]
        RF2 dx, 0x0000, ax, 0xFF00, 0
        mov ax, 0x1234
        mov si, 0x0010
        PRE FL_OF|FL_CF
        mul si
        RF2 dx, 0x0001, ax, 0x2340, FL_OF|FL_CF
        mov eax, 0xFFFFFFFF
        mov ebx, 0xFFFFFFFF
        PRE FL_OF|FL_CF
        mul ebx
        RF2 edx, 0xFFFFFFFE, eax, 0x00000001, FL_OF|FL_CF
        mov eax, 0x00010000
        mov dword [M], 0x00010000
        PRE FL_OF|FL_CF
        mul dword [M]
        RF2 edx, 0x00000001, eax, 0x00000000, FL_OF|FL_CF
        mov eax, 0x00012345
        mov edx, 0xAAAAAAAA
        mov ecx, 0x100
        PRE 0
        mul ecx
        RF2 edx, 0, eax, 0x01234500, 0

GROUP "imul one operand"
        mov al, 0xFF                    ; -1 * 2 = -2: AH = sign extension
        mov bl, 2
        PRE 0
        imul bl
        RF1 ax, 0xFFFE, 0
        mov al, 0x80                    ; -128 * -1 = 128: does not fit
        mov cl, 0xFF
        PRE FL_OF|FL_CF
        imul cl
        RF1 ax, 0x0080, FL_OF|FL_CF
        mov al, 0x40                    ; 64 * 2 = 128
        mov byte [M], 2
        PRE FL_OF|FL_CF
        imul byte [M]
        RF1 ax, 0x0080, FL_OF|FL_CF
        mov ax, 0x8000                  ; -32768 * -32768 = 2^30
        mov bx, 0x8000
        PRE FL_OF|FL_CF
        imul bx
        RF2 dx, 0x4000, ax, 0x0000, FL_OF|FL_CF
        mov ax, -2
        mov word [M], 3
        PRE 0
        imul word [M]
        RF2 dx, 0xFFFF, ax, 0xFFFA, 0
        mov eax, 0x80000000             ; -2^31 * -1 = 2^31
        mov ecx, -1
        PRE FL_OF|FL_CF
        imul ecx
        RF2 edx, 0x00000000, eax, 0x80000000, FL_OF|FL_CF
        mov eax, -5
        mov dword [M], 7
        PRE 0
        imul dword [M]
        RF2 edx, 0xFFFFFFFF, eax, 0xFFFFFFDD, 0

GROUP "imul two operands"
        mov ax, 0x4000
        mov bx, 2
        PRE FL_OF|FL_CF
        imul ax, bx
        RF2 ax, 0x8000, bx, 2, FL_OF|FL_CF
        mov cx, -3
        mov word [M], 100
        PRE 0
        imul cx, [M]
        RF1 cx, 0xFED4, 0
        mov eax, 0x00010000
        mov ebx, 0x00010000
        PRE FL_OF|FL_CF
        imul eax, ebx
        RF1 eax, 0, FL_OF|FL_CF
        mov esi, -1
        mov edi, -1
        PRE 0
        imul esi, edi
        RF1 esi, 1, 0
        mov edx, 0x7FFFFFFF
        mov dword [M], 1
        PRE 0
        imul edx, [M]
        RF1 edx, 0x7FFFFFFF, 0

GROUP "imul three operands"
        mov bx, 1000
        PRE 0
        imul ax, bx, 10                 ; 6B /r ib
        RF2 ax, 10000, bx, 1000, 0
        mov bx, 0x8000
        PRE FL_OF|FL_CF
        imul ax, bx, -1                 ; 32768 does not fit
        RF1 ax, 0x8000, FL_OF|FL_CF
        mov edx, 0x00010000
        PRE FL_OF|FL_CF
        imul ecx, edx, 0x12345          ; 69 /r id
        RF1 ecx, 0x23450000, FL_OF|FL_CF
        mov word [M], 0x0012
        PRE 0
        imul dx, [M], 0x100             ; 69 /r iw
        RF1 dx, 0x1200, 0
        mov eax, 0x40000000
        PRE FL_OF|FL_CF
        imul eax, eax, -2               ; 6B, 32-bit
        RF1 eax, 0x80000000, 0
        mov eax, 0x40000000
        PRE 0
        imul eax, eax, 2
        RF1 eax, 0x80000000, FL_OF|FL_CF
        mov si, 300
        PRE FL_OF|FL_CF
        imul si, si, -128               ; 6B with negative imm8
        RF1 si, 0x6A00, FL_OF|FL_CF     ; -38400 truncated to 0x6A00

GROUP "div"
        mov ax, 0x0100
        mov bl, 3
        div bl
        CHECK ax, 0x0155                ; AH = remainder 1, AL = 0x55
        mov ax, 0xFEFF
        mov byte [M], 0xFF
        div byte [M]
        CHECK ax, 0xFEFF                ; 0xFEFF / 0xFF = 0xFF rem 0xFE
        mov ax, 7
        mov ch, 7
        div ch
        CHECK ax, 0x0001
        mov dx, 0x0001
        mov ax, 0x0000
        mov cx, 2
        div cx
        CHECK2 dx, 0, ax, 0x8000
        mov dx, 0xFFFE
        mov ax, 0xFFFF
        mov word [M], 0xFFFF
        div word [M]
        CHECK2 dx, 0xFFFE, ax, 0xFFFF
        mov edx, 1
        mov eax, 0
        mov ecx, 0x10
        div ecx
        CHECK2 edx, 0, eax, 0x10000000
        mov edx, 0xFFFFFFFE
        mov eax, 0xFFFFFFFF
        mov dword [M], 0xFFFFFFFF
        div dword [M]
        CHECK2 edx, 0xFFFFFFFE, eax, 0xFFFFFFFF
        mov edx, 0
        mov eax, 1000000007
        mov ebx, 10
        div ebx
        CHECK2 edx, 7, eax, 100000000

GROUP "idiv"
        mov ax, -7
        mov bl, 2
        idiv bl
        CHECK ax, 0xFFFD                ; q = -3, r = -1 (sign of dividend)
        mov ax, 7
        mov cl, -2
        idiv cl
        CHECK ax, 0x01FD                ; q = -3, r = 1
        mov ax, -256
        mov byte [M], 2
        idiv byte [M]
        CHECK ax, 0x0080                ; q = -128 fits, no #DE
        mov dx, 0xFFFE                  ; -100000
        mov ax, 0x7960
        mov cx, 7
        idiv cx
        CHECK2 dx, 0xFFFB, ax, 0xC833   ; q = -14285, r = -5
        mov dx, 0
        mov ax, 0x8000                  ; +32768 / -1 = -32768: fits
        mov word [M], -1
        idiv word [M]
        CHECK2 dx, 0, ax, 0x8000
        mov edx, 0xFFFFFFFF             ; -1000000007 / -10
        mov eax, 0xC46535F9
        mov ebx, -10
        idiv ebx
        CHECK2 edx, 0xFFFFFFF9, eax, 100000000
        mov edx, 0                      ; 1000000007 / -10
        mov eax, 1000000007
        mov dword [M], -10
        idiv dword [M]
        CHECK2 edx, 7, eax, 0xFA0A1F00

GROUP "#DE"
        mov ax, 0x1234                  ; divide by zero, 8-bit
        mov bl, 0
        DE_CASE div bl
        CHECK ax, 0x1234
        mov dx, 0x0001                  ; quotient 0x10000 does not fit
        mov ax, 0x0000
        mov cx, 1
        DE_CASE div cx
        CHECK2 dx, 0x0001, ax, 0x0000
        mov edx, 0x11111111             ; 66h prefix: IP points at the prefix
        mov eax, 0x22222222
        xor ecx, ecx
        DE_CASE div ecx
        CHECK2 edx, 0x11111111, eax, 0x22222222
        mov edx, 1                      ; 32-bit quotient overflow
        mov eax, 0
        mov ebx, 1
        DE_CASE div ebx
        CHECK2 edx, 1, eax, 0
        mov word [M], 0                 ; memory divisor of zero
        mov ax, 0x00FF
        DE_CASE div byte [M]
        CHECK ax, 0x00FF
        mov ax, 0x0080                  ; +128 / 1: quotient > 127
        mov byte [M], 1
        DE_CASE idiv byte [es:M]        ; segment prefix: IP points at it
        CHECK ax, 0x0080
        mov ax, 0xFF80                  ; -128 / -1 = 128
        mov dl, -1
        DE_CASE idiv dl
        CHECK ax, 0xFF80
        mov dx, 0xFFFF                  ; -32768 / -1
        mov ax, 0x8000
        mov bx, -1
        DE_CASE idiv bx
        CHECK2 dx, 0xFFFF, ax, 0x8000
        mov edx, 0xFFFFFFFF             ; -2^31 / -1
        mov eax, 0x80000000
        mov esi, -1
        DE_CASE idiv esi
        CHECK2 edx, 0xFFFFFFFF, eax, 0x80000000
        xor edi, edi
        mov edx, 5
        mov eax, 5
        DE_CASE idiv edi                ; signed divide by zero
        CHECK2 edx, 5, eax, 5
        mov ax, 0x1234
        DE_CASE aam 0                   ; D4 00
        CHECK ax, 0x1234
        ; a divide that works after all those faults
        mov ax, 100
        mov bl, 7
        div bl
        CHECK ax, 0x020E

ROM_END
