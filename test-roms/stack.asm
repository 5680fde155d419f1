; =============================================================================
; stack.asm - PUSH/POP of registers, segment registers, memory and
; immediates; PUSH SP / POP SP; PUSHA/POPA, PUSHAD/POPAD; PUSHF/POPF and
; PUSHFD/POPFD; ENTER (nesting levels 0, 1, 3 and a level taken mod 32) and
; LEAVE; 32-bit pushes and pops in 16-bit code (66h prefix).  The stack is
; 16-bit (SS:SP), SS = 0.
;
; SDM Vol. 2B:
;  * PUSH SP/ESP pushes the value the register had BEFORE the instruction
;    (8086 pushed the decremented value; the 286 and later do not).
;  * POP SP/ESP: the popped value ends up in SP (the increment is lost).
;  * POP m with an SP-based address computes the address AFTER the
;    increment; PUSH m computes it before the decrement.
;  * PUSH imm8 (6A) sign-extends to the operand size.
;  * PUSHA pushes AX CX DX BX, the original SP, BP SI DI; POPA skips the
;    stored SP.  The 16-bit forms leave the upper register halves alone.
;  * PUSHF(D): bit 15 reads 0 on 286+, bit 1 reads 1; PUSHFD clears VM and
;    RF in the image.  In real mode POPF can load IOPL and NT; POPFD can
;    toggle AC and ID (a Pentium III has CPUID) but not VM; a 16-bit POPF
;    leaves EFLAGS[31:16] alone.
;  * ENTER size, level: level is taken mod 32; level > 0 copies level-1
;    frame pointers from the old frame ([BP-2], [BP-4], ...) and pushes
;    the new frame pointer.  LEAVE: SP <- BP, pop BP (66h: pop EBP).
;  * A segment register pushed with 32-bit operand size takes 4 bytes of
;    stack; the upper word is either zero or left unmodified (both are
;    allowed), so only the low word is checked.
; =============================================================================
%include "rom.inc"

TOP     equ 0x7B00              ; SP at the start of each case

ROM_BEGIN "stack"

GROUP "push/pop registers"
        mov sp, TOP
        mov ax, 0x1234
        push ax
        CHECK sp, TOP-2
        CHECKW [TOP-2], 0x1234
        mov ebx, 0xCAFEBABE
        push ebx                        ; 66 53: 4 bytes
        CHECK sp, TOP-6
        CHECKD [TOP-6], 0xCAFEBABE
        pop cx
        pop dx
        CHECK2 cx, 0xBABE, dx, 0xCAFE
        CHECK sp, TOP-2
        pop si
        CHECK2 si, 0x1234, sp, TOP
        mov sp, TOP
        push word 0x1111
        push word 0x2222
        pop edi                         ; 66 5F: 4 bytes, low word first
        CHECK2 edi, 0x11112222, sp, TOP
        mov ebp, 0x55556666
        mov sp, TOP
        push bp                         ; 16-bit push of a 32-bit register
        CHECK sp, TOP-2
        mov ebp, 0xFFFFFFFF
        pop bp                          ; upper half of EBP unchanged
        CHECK ebp, 0xFFFF6666

GROUP "push sp / pop sp"
        mov sp, TOP
        push sp                         ; pushes the OLD value
        CHECKW [TOP-2], TOP
        CHECK sp, TOP-2
        mov esp, TOP
        push esp                        ; 66 54
        CHECKD [TOP-4], TOP
        CHECK esp, TOP-4
        mov sp, TOP
        mov word [TOP], 0x7A00
        pop sp                          ; SP = popped value
        CHECK sp, 0x7A00
        mov esp, TOP
        mov dword [TOP], 0x00007A10
        pop esp
        CHECK esp, 0x00007A10
        mov esp, TOP
        push word 0x5555
        push word 0xAAAA
        pop word [esp]                  ; EA uses ESP after the pop
        CHECK sp, TOP-2
        CHECKW [TOP-2], 0xAAAA
        mov esp, TOP
        push word 0x1357
        push word [esp]                 ; EA uses ESP before the push
        CHECK sp, TOP-4
        CHECKW [TOP-4], 0x1357

GROUP "push/pop segment registers"
        mov sp, TOP
        mov ax, 0x1234
        mov es, ax
        push es
        CHECKW [TOP-2], 0x1234
        push cs
        CHECKW [TOP-4], 0xF000
        push ss
        CHECKW [TOP-6], 0x0000
        mov ax, 0x4321
        mov fs, ax
        push fs                         ; 0F A0
        CHECKW [TOP-8], 0x4321
        mov ax, 0x5678
        mov gs, ax
        push gs                         ; 0F A8
        CHECKW [TOP-10], 0x5678
        CHECK sp, TOP-10
        pop es                          ; 5678h
        pop gs                          ; 4321h
        pop fs                          ; 0
        pop ax                          ; F000h
        pop ds                          ; 1234h
        CHECK2 es, 0x5678, gs, 0x4321
        CHECK2 fs, 0, ax, 0xF000
        CHECK2 ds, 0x1234, sp, TOP
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov gs, ax
        mov ax, 0x2468
        mov es, ax
        o32 push es                     ; 66 06: 4 bytes
        CHECK sp, TOP-4
        CHECKW [TOP-4], 0x2468
        mov dword [TOP-4], 0xFFFF1357
        o32 pop fs                      ; 66 0F A1: 4 bytes, low word
        CHECK2 fs, 0x1357, sp, TOP
        mov word [TOP-2], 0
        sub sp, 2
        pop ss                          ; SS = 0 again
        CHECK2 ss, 0, sp, TOP
        xor ax, ax
        mov es, ax
        mov fs, ax

GROUP "push immediates and memory"
        mov sp, TOP
        push byte -1                    ; 6A FF
        CHECKW [TOP-2], 0xFFFF
        push byte 0x7F
        CHECKW [TOP-4], 0x007F
        push word 0x8000                ; 68
        CHECKW [TOP-6], 0x8000
        push dword 0x12345678           ; 66 68
        CHECKD [TOP-10], 0x12345678
        push dword -2                   ; 66 6A FE: sign-extended to 32
        CHECKD [TOP-14], 0xFFFFFFFE
        CHECK sp, TOP-14
        mov sp, TOP
        mov word [0x1000], 0xBEEF
        mov dword [0x1004], 0x01020304
        push word [0x1000]              ; FF /6
        push dword [0x1004]             ; 66 FF /6
        CHECK sp, TOP-6
        pop dword [0x1008]              ; 66 8F /0
        pop word [0x1002]               ; 8F /0
        CHECKD [0x1008], 0x01020304
        CHECKW [0x1002], 0xBEEF
        CHECK sp, TOP

GROUP "pusha/popa"
        mov sp, TOP
        mov eax, 0xA0001111
        mov ecx, 0xA0002222
        mov edx, 0xA0003333
        mov ebx, 0xA0004444
        mov ebp, 0xA0005555
        mov esi, 0xA0006666
        mov edi, 0xA0007777
        pusha
        CHECK sp, TOP-16
        CHECKW [TOP-2], 0x1111          ; AX
        CHECKW [TOP-4], 0x2222          ; CX
        CHECKW [TOP-6], 0x3333          ; DX
        CHECKW [TOP-8], 0x4444          ; BX
        CHECKW [TOP-10], TOP            ; original SP
        CHECKW [TOP-12], 0x5555         ; BP
        CHECKW [TOP-14], 0x6666         ; SI
        CHECKW [TOP-16], 0x7777         ; DI
        mov word [TOP-10], 0xDEAD       ; POPA must ignore the stored SP
        mov eax, 0xFFFF0000
        mov ecx, 0xFFFF0000
        mov edx, 0xFFFF0000
        mov ebx, 0xFFFF0000
        mov ebp, 0xFFFF0000
        mov esi, 0xFFFF0000
        mov edi, 0xFFFF0000
        popa
        CHECK sp, TOP
        CHECK2 eax, 0xFFFF1111, ecx, 0xFFFF2222
        CHECK2 edx, 0xFFFF3333, ebx, 0xFFFF4444
        CHECK2 ebp, 0xFFFF5555, esi, 0xFFFF6666
        CHECK edi, 0xFFFF7777
        mov esp, TOP
        mov eax, 0x11111111
        mov ecx, 0x22222222
        mov edx, 0x33333333
        mov ebx, 0x44444444
        mov ebp, 0x55555555
        mov esi, 0x66666666
        mov edi, 0x77777777
        pushad                          ; 66 60
        CHECK sp, TOP-32
        CHECKD [TOP-4], 0x11111111
        CHECKD [TOP-16], 0x44444444
        CHECKD [TOP-20], TOP            ; original ESP
        CHECKD [TOP-32], 0x77777777
        mov dword [TOP-20], 0
        xor eax, eax
        xor ecx, ecx
        xor edx, edx
        xor ebx, ebx
        xor ebp, ebp
        xor esi, esi
        xor edi, edi
        popad
        CHECK esp, TOP
        CHECK2 eax, 0x11111111, ecx, 0x22222222
        CHECK2 edx, 0x33333333, ebx, 0x44444444
        CHECK2 ebp, 0x55555555, esi, 0x66666666
        CHECK edi, 0x77777777

GROUP "pushf/popf"
        mov sp, TOP
        SETFLAGS FL_CF|FL_ZF
        pushf
        CHECKW [TOP-2], 0x0043          ; bit 1 set, bit 15/IOPL/NT/IF/TF 0
        push word 0xFCFF                ; all but IF and TF
        popf
        pushf
        CHECKW [TOP-4], 0x7CD7          ; bit 15, 5, 3 read 0; IOPL=3, NT=1
        pop ax
        push word 0x0002
        popf
        pushf
        pop ax
        CHECK ax, 0x0002
        pushfd                          ; 66 9C: 4 bytes
        CHECK sp, TOP-6
        CHECKD [TOP-6], 0x00000002
        push dword 0x00240CD5           ; ID, AC + status flags
        popfd
        pushfd
        CHECKD [TOP-10], 0x00240CD7
        push word 0x0002                ; 16-bit POPF: upper half unchanged
        popf
        pushfd
        CHECKD [TOP-14], 0x00240002
        push dword 0x00030002           ; VM and RF: not loaded / not pushed
        popfd
        pushfd
        pop eax
        and eax, 0x00030000
        CHECK eax, 0
        push dword 0x00000002
        popfd
        mov sp, TOP

GROUP "enter/leave"
        mov sp, TOP
        mov bp, 0x1111
        enter 8, 0
        CHECK2 bp, TOP-2, sp, TOP-10
        CHECKW [TOP-2], 0x1111
        leave
        CHECK2 bp, 0x1111, sp, TOP
        mov bp, 0x2222
        enter 4, 1
        CHECK2 bp, TOP-2, sp, TOP-8
        CHECKW [TOP-2], 0x2222
        CHECKW [TOP-4], TOP-2           ; the new frame pointer
        leave
        CHECK2 bp, 0x2222, sp, TOP
        mov word [0x79FE], 0xAAA1       ; enclosing frame's display
        mov word [0x79FC], 0xAAA2
        mov bp, 0x7A00
        enter 6, 3
        CHECK2 bp, TOP-2, sp, TOP-14
        CHECKW [TOP-2], 0x7A00          ; old BP
        CHECKW [TOP-4], 0xAAA1          ; copied from [old BP-2]
        CHECKW [TOP-6], 0xAAA2          ; copied from [old BP-4]
        CHECKW [TOP-8], TOP-2           ; new frame pointer
        leave
        CHECK2 bp, 0x7A00, sp, TOP
        mov bp, 0x3333
        enter 2, 33                     ; level 33 mod 32 = 1
        CHECK2 bp, TOP-2, sp, TOP-6
        CHECKW [TOP-4], TOP-2
        leave
        CHECK2 bp, 0x3333, sp, TOP
        mov esp, TOP
        mov ebp, 0x12347A00             ; 66 LEAVE, 16-bit stack: SP <- BP
        mov dword [0x7A00], 0xDEADBEEF
        o32 leave
        CHECK2 ebp, 0xDEADBEEF, esp, 0x00007A04
        mov esp, TOP
        xor ebp, ebp

ROM_END
