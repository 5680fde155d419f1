; =============================================================================
; bootsect.asm - a boot sector that checks the built-in BIOS (test/bios.test.mjs).
;
; Sector 0 is the boot sector proper: it loads sectors 1-15 (the rest of this
; program) to 0000:7E00 with INT 13h AH=02h (CHS) and jumps there. Every other
; sector N of the test disk holds the dword N in each of its 128 dwords.
; The disk is 2048 sectors (1 MiB) and the machine has 16 MiB of RAM.
;
; Progress goes to the debug console (port 0xE9); the result to port 0xF4:
; 0 = all checks passed (exit status 1), N = check N failed (status 2N+1).
; =============================================================================
bits 16
cpu 686
org 0x7C00

DISK_SECTORS equ 2048

%macro ASSERT 2                 ; condition that must hold, check number
        j%+1 %%ok
        mov al, %2
        jmp fail
%%ok:
%endmacro

%macro SAY 1                    ; text to the debug console
        jmp %%over
%%text: db %1, 10, 0
%%over:
        push si
        mov si, %%text
        call debug_print
        pop si
%endmacro

start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7C00
        sti
        mov [boot_drive], dl
        cmp dl, 0x80
        je .drive_ok
        mov al, 1
        jmp fail
.drive_ok:
        ; Load the rest: 15 sectors from cylinder 0, head 0, sector 2.
        mov ax, 0x020F
        mov cx, 0x0002
        xor dh, dh
        mov bx, 0x7E00
        int 0x13
        jnc .loaded
        mov al, 2
        jmp fail
.loaded:
        cmp al, 15
        je stage2
        mov al, 3
        jmp fail

; AL = check number: report and exit.
fail:
        push ax
        mov si, fail_text
        call debug_print
        pop ax
        push ax
        call debug_hex
        mov al, 10
        out 0xE9, al
        pop ax
        out 0xF4, al
        cli
        hlt

debug_print:
        push ax
.next:
        lodsb
        test al, al
        jz .done
        out 0xE9, al
        jmp .next
.done:
        pop ax
        ret

; AL as two hex digits on the debug console.
debug_hex:
        push ax
        shr al, 4
        call .digit
        pop ax
        and al, 0x0F
.digit:
        add al, '0'
        cmp al, '9'
        jbe .out
        add al, 7
.out:
        out 0xE9, al
        ret

fail_text: db "FAIL check ", 0
boot_drive: db 0

        times 510 - ($ - $$) db 0
        dw 0xAA55

; ----------------------------------------------------------------------------
stage2:
        SAY "stage 2 loaded by INT 13h AH=02h"

        ; ---- INT 10h: text mode 3, cursor, teletype, write string, scroll -----
        mov ax, 0x0F00
        int 0x10
        cmp al, 3
        ASSERT e, 10
        cmp ah, 80
        ASSERT e, 11
        mov ah, 0x02                    ; cursor to row 10, column 0
        xor bh, bh
        mov dx, 0x0A00
        int 0x10
        mov si, hello
.tty:
        lodsb
        test al, al
        jz .tty_done
        mov ah, 0x0E
        mov bx, 0x0007
        int 0x10
        jmp .tty
.tty_done:
        mov ah, 0x03
        xor bh, bh
        int 0x10
        cmp dx, 0x0A05                  ; row 10, column 5
        ASSERT e, 12
        push es
        mov ax, 0xB800
        mov es, ax
        cmp word [es:10 * 160], 0x0748  ; 'H' grey on black
        ASSERT e, 13
        cmp byte [es:10 * 160 + 8], 'o'
        ASSERT e, 14
        pop es
        ; AH=13h: a string with attribute 1Eh at row 12, column 3; cursor moves.
        mov ax, 0x1301
        mov bx, 0x001E
        mov cx, 5
        mov dx, 0x0C03
        push cs
        pop es
        mov bp, hello
        int 0x10
        mov ah, 0x03
        xor bh, bh
        int 0x10
        cmp dx, 0x0C08
        ASSERT e, 15
        push es
        mov ax, 0xB800
        mov es, ax
        cmp word [es:12 * 160 + 6], 0x1E48
        ASSERT e, 16
        ; AH=06h: scroll rows 10-12 up by one with attribute 70h: row 10 gets
        ; row 11 (blank), row 11 gets row 12 (the string).
        mov ax, 0x0601
        mov bh, 0x70
        mov cx, 0x0A00
        mov dx, 0x0C4F
        int 0x10
        cmp word [es:11 * 160 + 6], 0x1E48
        ASSERT e, 17
        cmp word [es:12 * 160], 0x7020
        ASSERT e, 18
        pop es
        ; AH=08h: read the character at the cursor after moving it onto the 'H'.
        mov ah, 0x02
        xor bh, bh
        mov dx, 0x0B03
        int 0x10
        mov ah, 0x08
        int 0x10
        cmp ax, 0x1E48
        ASSERT e, 19
        SAY "INT 10h text: ok"

        ; ---- INT 10h: mode 13h and pixels, then back to mode 3 -----------------
        mov ax, 0x0013
        int 0x10
        mov ah, 0x0F
        int 0x10
        cmp al, 0x13
        ASSERT e, 20
        mov ax, 0x0C2A                  ; pixel (10, 20) = colour 2Ah
        xor bh, bh
        mov cx, 10
        mov dx, 20
        int 0x10
        mov ah, 0x0D
        int 0x10
        cmp al, 0x2A
        ASSERT e, 21
        push es
        mov ax, 0xA000
        mov es, ax
        cmp byte [es:20 * 320 + 10], 0x2A
        ASSERT e, 22
        pop es
        mov ax, 0x0003
        int 0x10
        mov ah, 0x0F
        int 0x10
        cmp ax, 0x5003
        ASSERT e, 23
        SAY "INT 10h mode 13h: ok"

        ; ---- INT 11h, 12h ------------------------------------------------------
        int 0x11
        test al, 0x02                   ; FPU
        ASSERT nz, 24
        and al, 0x30
        cmp al, 0x20                    ; 80x25 colour
        ASSERT e, 25
        int 0x12
        cmp ax, 639
        ASSERT e, 26

        ; ---- INT 13h: parameters, CHS reads, EDD --------------------------------
        mov ah, 0x08
        mov dl, 0x80
        int 0x13
        ASSERT nc, 30
        cmp dl, 1                       ; one hard disk
        ASSERT e, 31
        cmp dh, 15                      ; 16 heads
        ASSERT e, 32
        cmp cx, 0x013F                  ; last cylinder 1, 63 sectors
        ASSERT e, 33
        ; CHS C=1 H=3 S=5 is LBA (1*16+3)*63+4 = 1201.
        mov ax, 0x0201
        mov cx, 0x0105
        mov dx, 0x0380
        mov bx, 0x9000
        int 0x13
        ASSERT nc, 34
        cmp dword [0x9000], 1201
        ASSERT e, 35
        cmp dword [0x9000 + 508], 1201
        ASSERT e, 36
        ; Two sectors across a head boundary: LBA 62 and 63 (C0 H0 S63, C0 H1 S1).
        mov ax, 0x0202
        mov cx, 0x003F
        mov dx, 0x0080
        mov bx, 0x9000
        int 0x13
        ASSERT nc, 37
        cmp dword [0x9000], 62
        ASSERT e, 38
        cmp dword [0x9200], 63
        ASSERT e, 39
        ; Sector 64 does not exist on a track of 63: error, CF set.
        mov ax, 0x0201
        mov cx, 0x0040
        mov dx, 0x0080
        int 0x13
        ASSERT c, 40
        ; AH=01h: that status again.
        mov ah, 0x01
        mov dl, 0x80
        int 0x13
        cmp ah, 0x01
        ASSERT e, 41
        ; AH=15h: a fixed disk of 2048 sectors.
        mov ah, 0x15
        mov dl, 0x80
        int 0x13
        cmp ah, 0x03
        ASSERT e, 42
        cmp dx, DISK_SECTORS
        ASSERT e, 43
        ; A drive that is not there.
        mov ah, 0x02
        mov al, 1
        mov cx, 1
        mov dx, 0x0081
        mov bx, 0x9000
        int 0x13
        ASSERT c, 44
        SAY "INT 13h CHS: ok"

        ; EDD: 41h installation check.
        mov ah, 0x41
        mov bx, 0x55AA
        mov dl, 0x80
        int 0x13
        ASSERT nc, 45
        cmp bx, 0xAA55
        ASSERT e, 46
        test cx, 1
        ASSERT nz, 47
        ; 42h: LBA 2040 (beyond what CHS reaches: 2 x 16 x 63 = 2016), 3 sectors... only 8 remain.
        mov si, dap
        mov word [si + 2], 3
        mov dword [si + 8], 2040
        mov ah, 0x42
        mov dl, 0x80
        int 0x13
        ASSERT nc, 48
        cmp dword [0xA000], 2040
        ASSERT e, 49
        cmp dword [0xA400 + 508], 2042
        ASSERT e, 50
        ; Reading past the end fails and says how many sectors moved.
        mov word [si + 2], 4
        mov dword [si + 8], 2046
        mov ah, 0x42
        mov dl, 0x80
        int 0x13
        ASSERT c, 51
        cmp word [si + 2], 2
        ASSERT e, 52
        ; 48h: drive parameters.
        mov si, params
        mov word [si], 0x1E
        mov ah, 0x48
        mov dl, 0x80
        int 0x13
        ASSERT nc, 53
        cmp dword [si + 16], DISK_SECTORS
        ASSERT e, 54
        cmp word [si + 24], 512
        ASSERT e, 55
        cmp dword [si + 8], 16
        ASSERT e, 56
        SAY "INT 13h EDD: ok"

        ; ---- INT 13h writes: LBA 100 by 43h, LBA 101 by CHS (C0 H1 S39) ------
        mov di, 0x9000
        mov eax, 0x57524954             ; "TIRW"
        mov cx, 256
        rep stosd
        mov si, dap
        mov word [si + 2], 1
        mov word [si + 4], 0x9000
        mov word [si + 6], 0
        mov dword [si + 8], 100
        mov ax, 0x4300
        mov dl, 0x80
        int 0x13
        ASSERT nc, 57
        mov ax, 0x0301
        mov cx, 0x0027
        mov dx, 0x0180
        mov bx, 0x9200
        int 0x13
        ASSERT nc, 58
        ; Read both back with 42h.
        mov word [si + 2], 2
        mov word [si + 4], 0xB000
        mov dword [si + 8], 100
        mov ah, 0x42
        mov dl, 0x80
        int 0x13
        ASSERT nc, 59
        cmp dword [0xB000], 0x57524954
        ASSERT e, 60
        cmp dword [0xB200 + 508], 0x57524954
        ASSERT e, 61
        SAY "INT 13h writes: ok"

        ; ---- INT 15h: E820 ------------------------------------------------------
        xor ebx, ebx
        xor bp, bp                      ; entries seen
        mov byte [found_high], 0
.e820:
        mov eax, 0xE820
        mov edx, 0x534D4150
        mov ecx, 24
        mov di, e820_buf
        int 0x15
        ASSERT nc, 62
        cmp eax, 0x534D4150
        ASSERT e, 63
        cmp ecx, 20
        ASSERT ae, 64
        inc bp
        ; the first entry: 0 .. 0x9FC00 usable
        cmp bp, 1
        jne .not_first
        cmp dword [e820_buf], 0
        ASSERT e, 65
        cmp dword [e820_buf + 8], 0x9FC00
        ASSERT e, 66
        cmp dword [e820_buf + 16], 1
        ASSERT e, 67
.not_first:
        cmp dword [e820_buf], 0x100000
        jne .not_high
        cmp dword [e820_buf + 8], (16 - 1) << 20
        ASSERT e, 68
        cmp dword [e820_buf + 16], 1
        ASSERT e, 69
        mov byte [found_high], 1
.not_high:
        cmp bp, 20
        ASSERT b, 70
        test ebx, ebx
        jnz .e820
        cmp byte [found_high], 1
        ASSERT e, 71
        cmp bp, 3
        ASSERT ae, 72
        SAY "INT 15h E820: ok"

        ; ---- INT 15h: E801, 88h, C0h, A20, 87h, 86h ------------------------------
        mov ax, 0xE801
        int 0x15
        ASSERT nc, 73
        cmp ax, 15 * 1024
        ASSERT e, 74
        cmp bx, 0
        ASSERT e, 75
        mov ah, 0x88
        int 0x15
        cmp ax, 15 * 1024
        ASSERT e, 76
        mov ah, 0xC0
        int 0x15
        ASSERT nc, 77
        cmp byte [es:bx + 2], 0xFC
        ASSERT e, 78
        push cs
        pop es
        mov ax, 0x2403
        int 0x15
        ASSERT nc, 79
        mov ax, 0x2401
        int 0x15
        ASSERT nc, 80
        mov ax, 0x2402
        int 0x15
        cmp al, 1
        ASSERT e, 81
        ; 87h: copy 512 bytes from 0x9000 to 0x110000, then back to 0xC000.
        mov si, gdt87
        mov dword [si + 0x12], 0x009000
        mov byte [si + 0x15], 0x93
        mov dword [si + 0x1A], 0x110000
        mov byte [si + 0x1D], 0x93
        mov byte [si + 0x1F], 0
        mov byte [si + 0x17], 0
        mov cx, 256
        mov ah, 0x87
        int 0x15
        ASSERT nc, 82
        mov dword [si + 0x12], 0x110000
        mov byte [si + 0x15], 0x93
        mov dword [si + 0x1A], 0x00C000
        mov byte [si + 0x1D], 0x93
        mov cx, 256
        mov ah, 0x87
        int 0x15
        ASSERT nc, 83
        cmp dword [0xC000 + 508], 0x57524954
        ASSERT e, 84
        ; 86h: wait 200 ms; the tick count moves by at least 3 (18.2 Hz).
        mov ah, 0x00
        int 0x1A
        mov [ticks], dx
        mov ah, 0x86
        mov cx, 0x0003                  ; 0x30D40 us = 200 ms
        mov dx, 0x0D40
        int 0x15
        ASSERT nc, 85
        mov ah, 0x00
        int 0x1A
        sub dx, [ticks]
        cmp dx, 3
        ASSERT ae, 86
        cmp dx, 6
        ASSERT b, 87
        SAY "INT 15h E801/88h/C0h/24h/87h/86h: ok"

        ; ---- INT 1Ah: the RTC (the machine starts at 2026-01-01 00:00:00) --------
        mov ah, 0x04
        int 0x1A
        ASSERT nc, 88
        cmp cx, 0x2026
        ASSERT e, 89
        cmp dx, 0x0101
        ASSERT e, 90
        mov ah, 0x02
        int 0x1A
        ASSERT nc, 91
        cmp ch, 0x00
        ASSERT e, 92
        SAY "INT 1Ah: ok"

        ; ---- INT 16h: keys through the 8042 (command D2h) and IRQ1 ---------------
        mov ah, 0x01
        int 0x16
        ASSERT z, 93                    ; nothing typed yet
        mov al, 0x1E                    ; 'a' make
        call inject_key
        mov al, 0x9E                    ; 'a' break
        call inject_key
        mov al, 0x2A                    ; left shift make
        call inject_key
        mov al, 0x1E
        call inject_key
        mov al, 0xAA                    ; left shift break
        call inject_key
        mov ah, 0x00
        int 0x16
        cmp ax, 0x1E61
        ASSERT e, 94
        mov ah, 0x01
        int 0x16
        ASSERT nz, 95
        cmp ax, 0x1E41
        ASSERT e, 96
        mov ah, 0x00
        int 0x16
        cmp ax, 0x1E41
        ASSERT e, 97
        mov ah, 0x05                    ; stuff a key
        mov cx, 0x1C0D
        int 0x16
        cmp al, 0
        ASSERT e, 98
        mov ah, 0x10
        int 0x16
        cmp ax, 0x1C0D
        ASSERT e, 99
        mov ah, 0x02
        int 0x16
        test al, 0x03                   ; no shift held
        ASSERT z, 100
        SAY "INT 16h: ok"

        SAY "PASS"
        xor al, al
        out 0xF4, al
        cli
        hlt

; Put the scan code AL in the 8042's output buffer as if the keyboard sent it,
; then let IRQ1 take it.
inject_key:
        push ax
.wait_in:
        in al, 0x64
        test al, 0x02
        jnz .wait_in
        mov al, 0xD2
        out 0x64, al
        pop ax
        out 0x60, al
        sti
        hlt                             ; the IRQ1 (or the timer) wakes us
        mov cx, 100
.drain:
        in al, 0x64
        test al, 0x01
        jz .done
        sti
        hlt
        loop .drain
.done:
        ret

hello: db "Hello", 0
found_high: db 0
ticks: dw 0

align 4
dap:
        db 0x10, 0
        dw 0
        dw 0xA000, 0x0000
        dq 0
params: times 0x1E db 0
e820_buf: times 24 db 0
gdt87: times 0x30 db 0

        times 16 * 512 - ($ - $$) db 0
