; =============================================================================
; floppy.asm - a diskette boot sector that checks the built-in BIOS's INT 13h for
; drive 00h (test/bios.test.mjs). The image is 1.44 MB (80 x 2 x 18); every
; sector N >= 1 holds the dword N throughout. Result on port 0xF4: 0 = passed,
; N = check N failed; progress on port 0xE9.
; =============================================================================
bits 16
cpu 686
org 0x7C00

%macro ASSERT 2
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
        test dl, dl                     ; booted from drive 00h
        ASSERT z, 1
        int 0x11
        test al, 0x01                   ; a diskette drive
        ASSERT nz, 2
        ; AH=08h: 1.44 MB drive type 4, 80 cylinders, 18 sectors, 2 heads, 1 drive.
        mov ah, 0x08
        xor dl, dl
        int 0x13
        ASSERT nc, 3
        cmp bl, 4
        ASSERT e, 4
        cmp cx, 0x4F12
        ASSERT e, 5
        cmp dx, 0x0101
        ASSERT e, 6
        cmp byte [es:di + 4], 18        ; the diskette parameter table: sectors per track
        ASSERT e, 7
        xor ax, ax
        mov es, ax
        ; C=1 H=1 S=18 is LBA (1 * 2 + 1) * 18 + 17 = 71.
        mov ax, 0x0201
        mov cx, 0x0112
        mov dx, 0x0100
        mov bx, 0x8000
        int 0x13
        ASSERT nc, 8
        cmp dword [0x8000 + 508], 71
        ASSERT e, 9
        ; Two sectors into 0000:FE00 would cross a 64 KiB boundary: error 09h.
        mov ax, 0x0202
        mov cx, 0x0001
        xor dx, dx
        mov bx, 0xFE00
        int 0x13
        ASSERT c, 10
        cmp ah, 0x09
        ASSERT e, 11
        ; AH=15h: a diskette drive without change line.
        mov ah, 0x15
        xor dl, dl
        int 0x13
        cmp ah, 0x01
        ASSERT e, 12
        ; No EDD on diskettes.
        mov ah, 0x41
        mov bx, 0x55AA
        xor dl, dl
        int 0x13
        ASSERT c, 13
        ; Write LBA 100 (C=2 H=1 S=11) from the boot sector itself.
        mov ax, 0x0301
        mov cx, 0x020B
        mov dx, 0x0100
        mov bx, 0x7C00
        int 0x13
        ASSERT nc, 14
        mov si, pass
.print:
        lodsb
        test al, al
        jz .done
        out 0xE9, al
        jmp .print
.done:
        xor al, al
        out 0xF4, al
        cli
        hlt

fail:
        out 0xF4, al
        cli
        hlt

pass: db "FLOPPY PASS", 10, 0

        times 510 - ($ - $$) db 0
        dw 0xAA55
