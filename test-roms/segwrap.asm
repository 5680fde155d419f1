; =============================================================================
; segwrap.asm - real-mode offset arithmetic and segment limits.
;
;  * 16-bit effective addresses are computed modulo 64K: [bx+si], [bp+di],
;    [bx+disp8/disp16], [si+negative disp] wrap inside the segment, and only
;    BX/SI/DI/BP (not the upper halves of the 32-bit registers) are used.
;  * 32-bit effective addresses (67h) are computed modulo 4G.
;  * SP wraps from 0 to FFFEh on PUSH and back on POP (the access itself is
;    within the segment).
;  * An access that crosses the real-mode segment limit of FFFFh faults:
;    #GP (vector 13) for CS/DS/ES/FS/GS, #SS (vector 12) for SS, with no
;    error code in real mode and the pushed IP pointing at the faulting
;    instruction; nothing is written.  SDM Vol. 3B, chapter "IA-32
;    Architecture Compatibility", section "Segment Wraparound" (22.33.1 in
;    recent editions): "The P6 family, Pentium, Intel486, and Intel386
;    processors in real-address mode generate an exception in these cases:
;    a general-protection exception (#GP) if the segment is a data segment
;    ... a stack-fault exception (#SS) if the segment is a stack segment";
;    and SDM Vol. 2, MOV "Real-Address Mode Exceptions": "#GP If a memory
;    operand effective address is outside the CS, DS, ES, FS, or GS segment
;    limit. #SS If a memory operand effective address is outside the SS
;    segment limit."  A 32-bit effective address above FFFFh is outside
;    the limit as well, and so is a jump/return target above FFFFh.
;    QEMU (TCG) does not check real-mode segment limits: the access simply
;    proceeds past offset FFFFh.  Those checks are therefore skipped when
;    the ROM detects QEMU (fw_cfg signature); everywhere else they run.
;    They were verified on a real CPU with QEMU -accel kvm and the ROM
;    assembled with -DNO_QEMU_SKIP.
; =============================================================================
%include "rom.inc"

DSEG    equ 0x1000              ; DS base 10000h; 20000h is "DS:10000h"
SSEG    equ 0x3000              ; stack segment used for SP wrap tests

; FAULT_CASE vector, <instruction> - instruction must fault with vector,
; pushed IP = its first byte; resume after it.
%macro FAULT_CASE 2+
        EXPECT_EXC %%after
%%at:   %2
%%after:
        CHECK_EXC %1, %%at
%endmacro

ROM_BEGIN "segwrap"
        mov ax, DSEG
        mov ds, ax
        mov es, ax
        ; DS:0000-001F = 00h..1Fh, DS:FFE0-FFFF = E0h..FFh,
        ; physical 20000h-2001Fh (what DS:10000h+ would hit) = A0h..BFh
        xor bx, bx
.init:  mov [bx], bl
        lea ax, [bx+0xA0]
        push ds
        push word DSEG+0x1000
        pop ds
        mov [bx], al
        pop ds
        lea ax, [bx+0xE0]
        mov [word bx-0x20], al          ; = DS:FFE0h+bx (16-bit EA wrap)
        inc bx
        cmp bx, 0x20
        jne .init

GROUP "16-bit effective address wrap"
        mov bx, 0xFFF0
        mov si, 0x0020
        mov al, [bx+si]                 ; FFF0h + 20h = 10010h -> 0010h
        CHECK al, 0x10
        mov bp, 0xFFFF
        mov di, 0x0002
        mov al, [ds:bp+di]              ; -> 0001h
        CHECK al, 0x01
        mov bx, 0xFFFF
        mov al, [bx+2]                  ; disp8 -> 0001h
        CHECK al, 0x01
        mov al, [word bx+0x0011]        ; disp16 -> 0010h
        CHECK al, 0x10
        mov si, 0x0001
        mov al, [si-2]                  ; -> FFFFh (a byte at the limit is fine)
        CHECK al, 0xFF
        mov di, 0xFFFE
        mov byte [0x7FEE], 0x5C
        mov al, [di+0x7FF0]             ; FFFEh + 7FF0h -> 7FEEh
        CHECK al, 0x5C
        mov bx, 0xFFF8
        mov si, 0x0010
        mov byte [bx+si], 0x77          ; write wraps to 0008h
        CHECKB [0x0008], 0x77
        push ds
        push word DSEG+0x1000
        pop ds
        CHECKB [0x0008], 0xA8           ; 20008h untouched
        pop ds
        mov bx, 0xFFF0
        mov si, 0x0020
        lea ax, [bx+si]                 ; LEA wraps too
        CHECK ax, 0x0010
        mov ebx, 0x12340005             ; 16-bit addressing uses BX only
        mov al, [bx]
        CHECK al, 0x05
        mov esi, 0xFFFF0004
        mov edi, 0x00010004
        mov al, [bx+si]                 ; 0005h + 0004h
        CHECK al, 0x09
        lea eax, [bx+di]                ; 16-bit LEA into EAX zero-extends
        CHECK eax, 0x00000009

GROUP "32-bit effective address wrap"
        mov ebx, 0xFFFFFFF0
        mov esi, 0x00000020
        mov al, [ebx+esi]               ; mod 2^32 -> 10h
        CHECK al, 0x10
        mov eax, 0xFFFFFFFF
        mov cl, [eax+0x11]              ; -> 10h
        CHECK cl, 0x10
        mov ecx, 0x80000000
        mov dl, [ecx+ecx+5]             ; 2^32 + 5 -> 5
        CHECK dl, 0x05
        mov edx, 0x40000000
        mov al, [edx*4+0x0F]            ; 2^32 + 0Fh -> 0Fh
        CHECK al, 0x0F
        lea eax, [ebx+esi]
        CHECK eax, 0x00000010

GROUP "SP wrap"
        mov ax, SSEG
        mov ss, ax
        xor sp, sp
        push word 0xBEEF                ; SP 0 -> FFFEh
        mov bx, sp
        mov ax, [ss:0xFFFE]
        CHECK2 bx, 0xFFFE, ax, 0xBEEF
        pop cx                          ; FFFEh -> 0
        mov bx, sp
        CHECK2 bx, 0x0000, cx, 0xBEEF
        push dword 0x12345678           ; SP 0 -> FFFCh
        mov bx, sp
        mov eax, [ss:0xFFFC]
        CHECK2 bx, 0xFFFC, eax, 0x12345678
        pop edx
        mov bx, sp
        CHECK2 bx, 0x0000, edx, 0x12345678
        mov esp, 0xABCD0000             ; 16-bit stack: only SP changes
        push word 0x4321
        mov ebx, esp
        CHECK ebx, 0xABCDFFFE
        pop ax
        mov ebx, esp
        CHECK2 ebx, 0xABCD0000, ax, 0x4321
        xor sp, sp
        call .callee                    ; return address at SS:FFFEh
.retaddr:
        mov bx, sp
        CHECK bx, 0
        jmp .stackdone
.callee:
        mov bx, sp
        mov ax, [ss:0xFFFE]
        CHECK2 bx, 0xFFFE, ax, OFS(.retaddr)
        ret
.stackdone:
        xor ax, ax
        mov ss, ax
        mov esp, STACK_TOP

GROUP "#GP/#SS beyond offset FFFFh"
        ; SDM Vol. 3B "Segment Wraparound"; QEMU TCG does not enforce
        ; real-mode limits, see the header.
        QEMU_SKIP_BEGIN "real-mode segment limit checks (#GP/#SS beyond offset FFFFh), SDM Vol. 3B 'Segment Wraparound'"
        mov ax, 0x1111
        FAULT_CASE 13, mov ax, [0xFFFF] ; word read crossing the limit
        CHECK ax, 0x1111
        FAULT_CASE 13, mov word [0xFFFF], 0x2222
        CHECKB [0xFFFF], 0xFF           ; nothing written
        CHECKB [0x0000], 0x00
        push ds
        push word DSEG+0x1000
        pop ds
        CHECKB [0x0000], 0xA0
        pop ds
        mov eax, 0x33333333
        FAULT_CASE 13, mov eax, [0xFFFD] ; dword read crossing the limit
        CHECK eax, 0x33333333
        mov bx, 0xFFF0
        mov si, 0x000F
        FAULT_CASE 13, inc word [bx+si] ; wrapped EA = FFFFh, word
        CHECKB [0xFFFF], 0xFF
        FAULT_CASE 13, mov ax, [es:0xFFFF]
        mov ax, DSEG
        mov fs, ax
        FAULT_CASE 13, mov ax, [fs:0xFFFF]
        mov ebx, 0x00010000             ; 32-bit EA above the limit
        FAULT_CASE 13, mov al, [ebx]
        mov ebx, 0x0000FFFE
        FAULT_CASE 13, mov eax, [ebx]   ; dword at FFFEh-10001h
        mov ebx, 0x0000FFFC
        mov eax, [ebx]                  ; FFFCh-FFFFh: inside the limit
        CHECK eax, 0xFFFEFDFC
        mov bp, 0xFFFF                  ; SS-relative: #SS (vector 12)
        FAULT_CASE 12, mov ax, [bp]
        FAULT_CASE 12, mov ax, [ss:0xFFFF]
        FAULT_CASE 13, mov ax, [ds:bp]  ; DS override: #GP again
        mov bp, 0xFFFE
        mov ax, [bp]                    ; SS:FFFEh word: fine
        ; a control transfer beyond the CS limit faults before it happens
        ; (SDM Vol. 2 JMP/RET, Real-Address Mode Exceptions: "#GP If the
        ; target operand is beyond the code segment limits.")
        FAULT_CASE 13, db 0x66, 0xE9, 0x00, 0x00, 0x01, 0x00 ; jmp near rel32 to EIP+10000h
        push dword 0x00012345
        FAULT_CASE 13, o32 ret          ; return address above FFFFh
        add sp, 4
        QEMU_SKIP_END
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov fs, ax

ROM_END
