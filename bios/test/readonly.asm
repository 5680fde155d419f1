; =============================================================================
; readonly.asm - a boot sector for a write-protected hard disk and diskette
; (test/readonly.test.mjs): the machine has the disk as drive 80h and a
; diskette as drive 00h, both attached read-only. Checks that reads work and
; that writes are refused the way the interfaces say:
;   INT 13h AH=03h (CHS) and AH=43h (EDD) on drive 80h: CF=1, AH=03h (write
;   protected), and AH=01h then reports 03h; AH=03h and 05h (format) on
;   drive 00h: AH=03h;
;   an ATA WRITE SECTORS through the primary channel's ports: status ERR,
;   error ABRT|WP (44h).
; Progress on port 0xE9; result on port 0xF4: 0 = passed, N = check N failed.
; =============================================================================
bits 16
cpu 386
org 0x7C00

%macro ASSERT 2                 ; condition that must hold, check number
        j%+1 %%ok
        mov al, %2
        jmp fail
%%ok:
%endmacro

start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7C00
        sti
        ; A read works: LBA 1 (CHS 0/0/2) to 0000:8000.
        mov ax, 0x0201
        mov cx, 0x0002
        mov dx, 0x0080
        mov bx, 0x8000
        int 0x13
        ASSERT nc, 1
        cmp dword [0x8000], 1
        ASSERT e, 2
        ; CHS write: refused.
        mov ax, 0x0301
        mov cx, 0x0002
        mov dx, 0x0080
        mov bx, 0x8000
        int 0x13
        ASSERT c, 3
        cmp ah, 0x03
        ASSERT e, 4
        mov ah, 0x01                    ; the last status
        mov dl, 0x80
        int 0x13
        cmp ah, 0x03
        ASSERT e, 5
        ; EDD write: refused.
        mov si, dap
        mov ah, 0x43
        xor al, al
        mov dl, 0x80
        int 0x13
        ASSERT c, 6
        cmp ah, 0x03
        ASSERT e, 7
        ; The diskette: a read works, a write is refused.
        mov ax, 0x0201
        mov cx, 0x0001
        xor dx, dx
        mov bx, 0x9000
        int 0x13
        ASSERT nc, 8
        mov ax, 0x0301
        mov cx, 0x0002
        xor dx, dx
        mov bx, 0x9000
        int 0x13
        ASSERT c, 9
        cmp ah, 0x03
        ASSERT e, 10
        mov ax, 0x0512                  ; format track 0 head 0 (18 sectors): refused too
        xor cx, cx
        xor dx, dx
        mov bx, 0x9000
        int 0x13
        ASSERT c, 14
        cmp ah, 0x03
        ASSERT e, 15
        ; ATA: WRITE SECTORS (30h) of LBA 5 on the primary master.
        mov dx, 0x1F6
        mov al, 0xE0
        out dx, al
        mov dx, 0x1F2
        mov al, 1
        out dx, al
        mov dx, 0x1F3
        mov al, 5
        out dx, al
        mov dx, 0x1F4
        xor al, al
        out dx, al
        mov dx, 0x1F5
        out dx, al
        mov dx, 0x1F7
        mov al, 0x30
        out dx, al
.busy:  in al, dx
        test al, 0x80
        jnz .busy
        test al, 0x01                   ; ERR
        ASSERT nz, 11
        test al, 0x08                   ; no DRQ: no data is taken
        ASSERT z, 12
        mov dx, 0x1F1
        in al, dx
        cmp al, 0x44                    ; ABRT | WP
        ASSERT e, 13
        mov si, pass
.print: lodsb
        test al, al
        jz .done
        out 0xE9, al
        jmp .print
.done:  xor al, al
        out 0xF4, al
        cli
        hlt

fail:   out 0xF4, al
        cli
        hlt

dap:    db 0x10, 0
        dw 1                            ; one sector
        dw 0x8000, 0                    ; from 0000:8000
        dq 6                            ; to LBA 6
pass:   db "READONLY PASS", 10, 0

        times 510 - ($ - $$) db 0
        dw 0xAA55
