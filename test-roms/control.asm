; =============================================================================
; control.asm - JMP short/near/far/indirect, all 16 Jcc conditions in the
; rel8 (7x) and rel16 (0F 8x) forms, forward and backward, LOOP/LOOPE/
; LOOPNE/JCXZ/JECXZ (16- and 32-bit counter), CALL/RET near and far, RET
; imm16, indirect CALL/JMP through register and memory, far indirect CALL/
; JMP (m16:16), 32-bit operand size CALL/RET in 16-bit code, and control
; transfer into another code segment (an alias of the ROM and RAM).
;
; SDM Vol. 2: Jcc conditions (Table "Jcc-Jump if Condition Is Met"):
;   O: OF=1  B/C: CF=1  E/Z: ZF=1  BE: CF=1 or ZF=1  S: SF=1  P: PF=1
;   L: SF<>OF  LE: ZF=1 or SF<>OF, and the negations.
; LOOP decrements CX (ECX with 67h) without touching flags and jumps if the
; new count is non-zero, so a count of 0 runs 65536 times; LOOPE/LOOPNE
; additionally require ZF=1/ZF=0.  JCXZ tests CX, JECXZ (67 E3) ECX.
; CALL pushes the offset of the next instruction (far: CS first, then IP);
; RET imm16 releases imm16 further bytes after popping.
; =============================================================================
%include "rom.inc"

%define OF FL_OF
%define SF FL_SF
%define ZF FL_ZF
%define PF FL_PF
%define CF FL_CF

; JT cc, flags, taken - one check: jcc short and jcc near, with FLAGS =
; flags, are both taken (1) or both not taken (0).
%macro JT 3
        NEWCHECK
%defstr __d j%1 with flags %2: (AX = 0 taken, 0101h not taken)
        mov ax, 0
        SETFLAGS %2
        j%1 short %%t1
        mov al, 1
%%t1:   j%1 near %%t2
        mov ah, 1
%%t2:
%if %3
        _CHKX 2, ax, 0x0000, __d
%else
        _CHKX 2, ax, 0x0101, __d
%endif
%endmacro

RAMCODE_SEG equ 0x0200          ; code copied to RAM at 0200:0000 (2000h)

ROM_BEGIN "control"

GROUP "jmp"
        mov ax, 0
        jmp short .j1                   ; EB
        mov ax, 1
.j1:    jmp near .j2                    ; E9
        mov ax, 2
.j2:    jmp ROM_SEG:.j3                 ; EA ptr16:16
        mov ax, 3
.j3:    CHECK ax, 0
        mov bx, .j4
        jmp bx                          ; FF /4 register
        mov ax, 4
.j4:    mov word [0x1000], .j5
        jmp [0x1000]                    ; FF /4 memory
        mov ax, 5
.j5:    mov word [0x1004], .j6
        mov word [0x1006], ROM_SEG
        jmp far [0x1004]                ; FF /5 m16:16
        mov ax, 6
.j6:    CHECK ax, 0
        jmp short .fwd                  ; backward short jump
.back:  mov ax, 0x77
        jmp near .done
.fwd:   jmp short .back
.done:  CHECK ax, 0x77
        mov cx, 3                       ; backward near jump (rel16 < 0)
        xor ax, ax
.bk:    inc ax
        times 200 nop
        dec cx
        jz .bk_out
        jmp near .bk
.bk_out:
        CHECK ax, 3

GROUP "jmp far into another code segment"
        xor bx, bx
        jmp 0xEFFF:alias_entry+0x10     ; same bytes, CS = EFFFh
alias_entry:
        mov bx, cs
        call .near_in_alias             ; relative: works in the new CS
        jmp ROM_SEG:.back_home
.near_in_alias:
        mov dx, cs
        ret
.back_home:
        CHECK2 bx, 0xEFFF, dx, 0xEFFF
        CHECK cs, 0xF000

GROUP "jcc taken/not taken"
        JT o, OF, 1
        JT o, 0, 0
        JT no, 0, 1
        JT no, OF, 0
        JT b, CF, 1
        JT b, ZF|SF|OF|PF, 0
        JT ae, ZF|SF|OF|PF, 1
        JT ae, CF, 0
        JT e, ZF, 1
        JT e, CF|SF|OF|PF, 0
        JT ne, CF|SF|OF|PF, 1
        JT ne, ZF, 0
        JT be, CF, 1
        JT be, ZF, 1
        JT be, SF|OF|PF, 0
        JT a, SF|OF|PF, 1
        JT a, CF, 0
        JT a, ZF, 0
        JT s, SF, 1
        JT s, CF|ZF|OF|PF, 0
        JT ns, CF|ZF|OF|PF, 1
        JT ns, SF, 0
        JT p, PF, 1
        JT p, CF|ZF|SF|OF, 0
        JT np, CF|ZF|SF|OF, 1
        JT np, PF, 0
        JT l, SF, 1
        JT l, OF, 1
        JT l, SF|OF, 0
        JT l, ZF|CF, 0
        JT ge, SF|OF, 1
        JT ge, ZF, 1
        JT ge, SF, 0
        JT ge, OF, 0
        JT le, ZF, 1
        JT le, SF, 1
        JT le, OF|ZF|SF, 1
        JT le, SF|OF, 0
        JT le, CF|PF, 0
        JT g, SF|OF, 1
        JT g, CF|PF, 1
        JT g, ZF, 0
        JT g, OF, 0
        JT g, SF|OF|ZF, 0

GROUP "jcc after compare"
        mov ax, 5
        cmp ax, 7                       ; unsigned and signed below
        mov bl, 0
        jb .c1
        mov bl, 1
.c1:    jl .c2
        mov bl, 2
.c2:    CHECK bl, 0
        mov ax, -1
        cmp ax, 1                       ; unsigned above, signed less
        ja .c3
        mov bl, 3
.c3:    jl .c4
        mov bl, 4
.c4:    jge .c5
        jmp .c6
.c5:    mov bl, 5
.c6:    CHECK bl, 0
        mov al, 0x80
        cmp al, 0x7F                    ; -128 < 127 signed: OF case
        jl .c7
        mov bl, 7
.c7:    jo .c8
        mov bl, 8
.c8:    CHECK bl, 0

GROUP "jcxz/jecxz"
        mov bl, 0
        xor cx, cx
        jcxz .z1
        mov bl, 1
.z1:    mov cx, 1
        jcxz .z2
        jmp .z3
.z2:    mov bl, 2
.z3:    mov ecx, 0x00010000             ; CX = 0, ECX != 0
        jcxz .z4
        mov bl, 4
.z4:    jecxz .z5                       ; 67 E3: ECX != 0
        jmp .z6
.z5:    mov bl, 5
.z6:    xor ecx, ecx
        jecxz .z7
        mov bl, 7
.z7:    CHECK bl, 0
        mov cx, 0
        SETFLAGS FL_OSZAPC              ; JCXZ does not change flags
        jcxz .z8
.z8:    CHECK_FLAGS FL_OSZAPC, FL_OSZAPC

GROUP "loop"
        mov cx, 5
        xor ax, ax
.l1:    inc ax
        loop .l1
        CHECK2 ax, 5, cx, 0
        xor cx, cx                      ; count 0: 65536 iterations
        xor ebx, ebx
.l2:    inc ebx
        loop .l2
        CHECK2 ebx, 0x10000, cx, 0
        mov ecx, 0x00010002             ; 16-bit LOOP uses CX only
        xor ax, ax
.l3:    inc ax
        loop .l3
        CHECK2 ax, 2, ecx, 0x00010000
        mov ecx, 0x00010002             ; a32 LOOP uses ECX
        xor ebx, ebx
.l4:    inc ebx
        a32 loop .l4
        CHECK2 ebx, 0x10002, ecx, 0
        mov cx, 3                       ; LOOP does not change flags
        SETFLAGS FL_ZF|FL_CF
.l5:    loop .l5
        CHECK_FLAGS FL_OSZAPC, FL_ZF|FL_CF
        ; LOOPE: stop at the first byte that differs from AL
        mov dword [0x1000], 0x05040000
        mov al, 0
        mov si, 0x1000
        mov cx, 4
.l6:    cmp [si], al
        lea si, [si+1]
        loope .l6
        CHECK2 cx, 1, si, 0x1003
        ; LOOPNE: stop at the first byte equal to AL
        mov dword [0x1000], 0x07060504
        mov al, 6
        mov si, 0x1000
        mov cx, 4
.l7:    cmp [si], al
        lea si, [si+1]
        loopne .l7
        CHECK2 cx, 1, si, 0x1003
        mov al, 9                       ; LOOPNE never equal: runs out
        mov si, 0x1000
        mov cx, 4
.l8:    cmp [si], al
        lea si, [si+1]
        loopne .l8
        CHECK2 cx, 0, si, 0x1004
        mov cx, 1                       ; LOOPE with ZF=1 but CX -> 0
        SETFLAGS FL_ZF
        loope .bad_loop
        jmp .l9
.bad_loop:
        mov cx, 0xBAD
.l9:    CHECK cx, 0

GROUP "call/ret near"
        mov sp, 0x7B00
        call .sub1                      ; E8
.after1:
        CHECK2 ax, OFS(.after1), sp, 0x7B00
        jmp .n1
.sub1:  mov bp, sp
        mov ax, [bp]                    ; return address on the stack
        ret
.n1:    push word 0x1111
        push word 0x2222
        call .sub2
        CHECK2 sp, 0x7B00, ax, 0x3333   ; RET 4 released the two words
        jmp .n2
.sub2:  mov bp, sp
        mov ax, [bp+2]
        add ax, [bp+4]
        ret 4                           ; C2 imm16
.n2:    mov bx, .sub3
        call bx                         ; FF /2 register
.after3:
        CHECK ax, OFS(.after3)
        mov word [0x1000], .sub3
        call [0x1000]                   ; FF /2 memory
.after3m:
        CHECK ax, OFS(.after3m)
        jmp .n3
.sub3:  mov bp, sp
        mov ax, [bp]
        ret
.n3:    mov esp, 0x7B00
        call dword .sub4                ; 66 E8 rel32: pushes EIP (4 bytes)
.after4:
        CHECK2 eax, OFS(.after4), esp, 0x7B00
        jmp .n4
.sub4:  mov bp, sp
        mov eax, [bp]
        mov cx, sp
        o32 ret                         ; 66 C3: pops 4 bytes
.n4:    CHECK cx, 0x7B00-4

GROUP "call/ret far"
        ; RAM routine at 0200:0000:  mov ax, cs / mov dx, 1234h / retf 2
        mov byte [0x2000], 0x8C         ; mov ax, cs
        mov byte [0x2001], 0xC8
        mov byte [0x2002], 0xBA         ; mov dx, 1234h
        mov word [0x2003], 0x1234
        mov byte [0x2005], 0xCA         ; retf 2
        mov word [0x2006], 0x0002
        mov sp, 0x7B00
        push word 0x5555                ; argument released by RETF 2
        call RAMCODE_SEG:0x0000         ; 9A ptr16:16
        CHECK2 ax, RAMCODE_SEG, dx, 0x1234
        CHECK sp, 0x7B00
        call ROM_SEG:.farsub            ; far call within the ROM
.afterf:
        CHECK2 ax, OFS(.afterf), bx, ROM_SEG
        CHECK sp, 0x7B00
        mov word [0x1008], .farsub
        mov word [0x100A], ROM_SEG
        call far [0x1008]               ; FF /3 m16:16
.afterfi:
        CHECK2 ax, OFS(.afterfi), bx, ROM_SEG
        mov word [0x100C], 0x0000
        mov word [0x100E], RAMCODE_SEG
        push word 0x6666
        call far [0x100C]
        CHECK2 ax, RAMCODE_SEG, sp, 0x7B00
        jmp .f_end
.farsub:
        mov bp, sp
        mov ax, [bp]                    ; IP pushed last
        mov bx, [bp+2]                  ; CS pushed first
        retf                            ; CB
.f_end:
        mov esp, STACK_TOP

ROM_END
