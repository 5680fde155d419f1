; =============================================================================
; prefixes.asm - instruction prefixes in 16-bit real-mode code: operand-size
; (66h) and address-size (67h) overrides alone and combined, segment
; overrides (incl. the SS default for BP/EBP/ESP-based addresses and the
; SIB base rule), REP/LOCK together with the others in every order, and
; redundant (repeated) prefixes.  Most instructions are written as raw
; bytes so that the exact prefix order is under control.
;
; SDM Vol. 2A, 2.1.1 "Instruction Prefixes": prefixes of the four groups
; may appear in any order; 66h selects the non-default operand size and
; so the size of z/v immediates and operands (byte-sized operations are
; not affected); 67h selects 32-bit addressing (ModRM+SIB, disp32, moffs32,
; ESI/EDI/ECX for string instructions); a segment override replaces the
; default segment (SS for BP/EBP/ESP-based addresses - for a SIB address the
; base register decides - DS otherwise) and is ignored by instructions
; without a memory operand.  Repeating the same prefix is harmless
; (compilers pad with e.g. 66 66 2E 0F 1F ...).  Vol. 3A, 6.15, Interrupt
; 13: exceeding the instruction length limit of 15 bytes (only possible
; with redundant prefixes) raises #GP.
; =============================================================================
%include "rom.inc"

M       equ 0x1000

ROM_BEGIN "prefixes"

GROUP "operand size 66h"
        xor eax, eax
        db 0x66, 0xB8                   ; mov eax, imm32
        dd 0x12345678
        CHECK eax, 0x12345678
        db 0x66, 0x66, 0xB8             ; redundant 66: still 32-bit
        dd 0x87654321
        CHECK eax, 0x87654321
        mov eax, 0xFFFFFFFF
        SETFLAGS 0
        db 0x66, 0x05                   ; add eax, imm32
        dd 0x00000001
        CHECK_RF eax, 0, FL_CF|FL_ZF, FL_CF|FL_ZF
        mov ax, 0x127F
        mov bl, 0
        db 0x66, 0x04, 0x01             ; 66 on a byte op: add al, 1
        mov bl, 0x55                    ; must still decode after it
        CHECK2 ax, 0x1280, bl, 0x55
        mov sp, 0x7B00
        db 0x66, 0x6A, 0xFE             ; push dword -2 (imm8 sign-extended)
        CHECK sp, 0x7B00-4
        CHECKD [0x7B00-4], 0xFFFFFFFE
        db 0x66, 0x58                   ; pop eax
        CHECK2 eax, 0xFFFFFFFE, sp, 0x7B00
        mov ebx, 0x11112222
        db 0x89, 0xD8                   ; mov ax, bx (16-bit)
        CHECK ax, 0x2222
        db 0x66, 0x89, 0xD8             ; mov eax, ebx
        CHECK eax, 0x11112222
        mov esp, STACK_TOP

GROUP "address size 67h"
        mov dword [M], 0xA1B2C3D4
        mov dword [M+0x100], 0x01020304
        xor eax, eax
        db 0x67, 0x8B, 0x05             ; mov ax, [disp32]
        dd M
        CHECK eax, 0x0000C3D4
        db 0x67, 0xA1                   ; mov ax, [moffs32]
        dd M+0x100
        CHECK ax, 0x0304
        db 0x67, 0x66, 0xA1             ; mov eax, [moffs32]
        dd M
        CHECK eax, 0xA1B2C3D4
        db 0x66, 0xA1                   ; mov eax, [moffs16]
        dw M+0x100
        CHECK eax, 0x01020304
        mov ebx, M
        mov esi, 0x100
        db 0x66, 0x67, 0x8B, 0x04, 0x33 ; mov eax, [ebx+esi]
        CHECK eax, 0x01020304
        xor eax, eax
        db 0x67, 0x66, 0x8B, 0x04, 0x33 ; same, other order
        CHECK eax, 0x01020304
        db 0x67, 0x67, 0x8A, 0x03       ; mov al, [ebx], redundant 67
        CHECK al, 0xD4
        mov bx, M                       ; 8B 07: 16-bit [bx], 32-bit [edi]
        mov edi, M+0x100
        db 0x8B, 0x07
        CHECK ax, 0xC3D4
        db 0x67, 0x8B, 0x07
        CHECK ax, 0x0304
        mov ax, 5
        db 0x67, 0x40                   ; inc ax: 67 has nothing to do
        CHECK ax, 6

GROUP "segment overrides and defaults"
        ; marker byte at offset 0600h of each segment
        mov ax, 0x4000
        mov ds, ax
        mov byte [0x600], 0xD5          ; DS:0600 (40600h)
        mov ax, 0x1000
        mov es, ax
        mov byte [es:0x600], 0xE5       ; ES:0600 (10600h)
        mov ax, 0x2000
        mov fs, ax
        mov byte [fs:0x600], 0xF5       ; FS:0600 (20600h)
        mov ax, 0x3000
        mov gs, ax
        mov byte [gs:0x600], 0x65       ; GS:0600 (30600h)
        mov byte [ss:0x600], 0x55       ; SS:0600 (00600h)
        mov bp, 0x600
        xor si, si
        mov al, [bp+si]                 ; BP base: SS
        CHECK al, 0x55
        db 0x3E, 0x8A, 0x02             ; ds: mov al, [bp+si]
        CHECK al, 0xD5
        mov bx, 0x600
        mov al, [bx]                    ; DS
        CHECK al, 0xD5
        db 0x26, 0x8A, 0x07             ; es: mov al, [bx]
        CHECK al, 0xE5
        db 0x64, 0x8A, 0x07             ; fs:
        CHECK al, 0xF5
        db 0x65, 0x8A, 0x07             ; gs:
        CHECK al, 0x65
        db 0x36, 0x8A, 0x07             ; ss:
        CHECK al, 0x55
        db 0x2E, 0x8A, 0x07             ; cs: (ROM byte at F000:0600)
        cmp al, [cs:0x600]
        mov al, 0
        jne .cs_bad
        mov al, 1
.cs_bad:
        CHECK al, 1
        db 0x26, 0x26, 0x8A, 0x07       ; es: es: (redundant)
        CHECK al, 0xE5
        mov ebp, 0x600
        xor eax, eax
        db 0x67, 0x8A, 0x45, 0x00       ; mov al, [ebp+0]: SS
        CHECK al, 0x55
        xor eax, eax
        db 0x67, 0x8A, 0x04, 0x28       ; mov al, [eax+ebp*1]: base EAX: DS
        CHECK al, 0xD5
        xor eax, eax
        db 0x67, 0x8A, 0x44, 0x05, 0x00 ; mov al, [ebp+eax*1+0]: base EBP: SS
        CHECK al, 0x55
        mov edx, esp
        mov esp, 0x600
        db 0x67, 0x8A, 0x04, 0x24       ; mov al, [esp]: SS
        mov esp, edx
        CHECK al, 0x55
        mov ebx, 0x600
        db 0x67, 0x64, 0x8A, 0x03       ; fs: + a32 (67 first)
        CHECK al, 0xF5
        db 0x64, 0x67, 0x8A, 0x03       ; a32 + fs: (64 first)
        CHECK al, 0xF5
        mov ax, 7
        db 0x2E, 0x40                   ; cs: inc ax: override ignored
        db 0x2E, 0x90                   ; cs: nop
        CHECK ax, 8
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax

GROUP "rep + seg + 66 + 67 in any order"
        ; FS:0100h.. source pattern, ES:0200h.. destination
        mov ax, 0x2000
        mov fs, ax
        mov ax, 0x1000
        mov es, ax
        mov dword [fs:0x100], 0x44332211
        mov dword [fs:0x104], 0x88776655
%macro REPMOVS 1+
        NEWCHECK
%defstr __d order %1
        mov dword [es:0x200], 0
        mov dword [es:0x204], 0
        mov dword [es:0x208], 0x99999999
        mov esi, 0x100
        mov edi, 0x200
        mov ecx, 2
        db %1, 0xA5                     ; rep fs: a32 o32 movs
        _CHKX 4, dword [es:0x200], 0x44332211, __d
        _CHKX 4, dword [es:0x204], 0x88776655, __d
        _CHKX 4, dword [es:0x208], 0x99999999, __d
        _CHKX 4, ecx, 0, __d
        _CHKX 4, esi, 0x108, __d
        _CHKX 4, edi, 0x208, __d
%endmacro
        REPMOVS 0xF3, 0x66, 0x67, 0x64
        REPMOVS 0x64, 0x67, 0x66, 0xF3
        REPMOVS 0x66, 0xF3, 0x64, 0x67
        REPMOVS 0x67, 0x64, 0xF3, 0x66
        REPMOVS 0x66, 0x66, 0xF3, 0xF3, 0x64, 0x64, 0x67, 0x67
        ; 16-bit addressing: SI wraps FFFEh -> 0001h, so 67 matters
        mov byte [fs:0xFFFE], 0xA1
        mov byte [fs:0xFFFF], 0xA2
        mov byte [fs:0x0000], 0xA3
        mov byte [fs:0x0001], 0xA4
%macro REPMOVSB16 1+
        NEWCHECK
%defstr __d order %1
        mov dword [es:0x300], 0
        mov si, 0xFFFE
        mov di, 0x300
        mov cx, 4
        db %1, 0xA4                     ; rep fs: movsb (a16)
        _CHKX 4, dword [es:0x300], 0xA4A3A2A1, __d
        _CHKX 2, si, 0x0002, __d
        _CHKX 2, cx, 0, __d
%endmacro
        REPMOVSB16 0xF3, 0x64
        REPMOVSB16 0x64, 0xF3
        REPMOVSB16 0x64, 0xF3, 0x64
        ; REPNE SCASW with 66 (dword) and 67, both orders
        mov dword [es:0x400], 1
        mov dword [es:0x404], 2
        mov dword [es:0x408], 3
%macro SCAN 1+
        NEWCHECK
%defstr __d order %1
        mov eax, 3
        mov edi, 0x400
        mov ecx, 10
        db %1, 0xAF                     ; repne scasd (a32)
        _CHKX 4, edi, 0x40C, __d
        _CHKX 4, ecx, 7, __d
        _CHKF FL_ZF, FL_ZF, __d
%endmacro
        SCAN 0xF2, 0x66, 0x67
        SCAN 0x67, 0x66, 0xF2
        SCAN 0x66, 0x67, 0x26, 0xF2     ; + a (meaningless) ES override
        xor ax, ax
        mov es, ax
        mov fs, ax

GROUP "lock with other prefixes"
        mov dword [M], 0x10
        mov eax, 0x01000001
        mov bx, M
        db 0xF0, 0x66, 0x01, 0x07       ; lock add [bx], eax
        CHECKD [M], 0x01000011
        db 0x66, 0xF0, 0x01, 0x07       ; 66 lock add [bx], eax
        CHECKD [M], 0x02000012
        mov ax, 0x0100
        mov fs, ax                      ; FS base 1000h: FS:0000 = M
        xor bx, bx
        db 0x64, 0xF0, 0x66, 0xFF, 0x07 ; fs: lock inc dword [bx]
        CHECKD [M], 0x02000013
        mov ecx, 0x55
        db 0xF0, 0x64, 0x67, 0x87, 0x0B ; lock fs: a32 xchg [ebx], cx
        CHECK cx, 0x0013
        CHECKD [M], 0x02000055
        xor ax, ax
        mov fs, ax

GROUP "15-byte instruction length limit"
        mov eax, 0
        db 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66
        db 0x66, 0x66, 0x66, 0x66, 0x66
        db 0x40                         ; 13 x 66 + inc eax = 14 bytes
        CHECK eax, 1
        db 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66
        db 0x66, 0x66, 0x66, 0x66, 0x66, 0x66
        db 0x40                         ; 14 x 66 + inc eax = 15 bytes: OK
        CHECK eax, 2
        EXPECT_EXC .too_long_resume
.too_long:
        db 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66
        db 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66
        db 0x40                         ; 16 bytes: #GP, nothing executed
.too_long_resume:
        CHECK_EXC 13, .too_long
        CHECK eax, 2

ROM_END
