; =============================================================================
; cdboot.asm - an El Torito no-emulation boot image (4 virtual sectors, loaded at
; 07C0:0000) that checks the built-in BIOS's CD-ROM services (test/bios-disk.test.mjs).
; Result on port 0xF4: 0 = passed, N = check N failed; progress on port 0xE9.
; =============================================================================
bits 16
cpu 686
org 0

%macro ASSERT 2
        j%+1 %%ok
        mov al, %2
        jmp fail
%%ok:
%endmacro

BUF equ 0x1000                          ; 07C0:1000 = 0x8C00

start:
        push cs
        pop ds
        push cs
        pop es
        cmp dl, 0xE0                    ; the first CD-ROM
        ASSERT e, 1
        mov [drive], dl
        mov ax, cs
        cmp ax, 0x07C0                  ; loaded where the boot catalog says
        ASSERT e, 2
        ; 41h: EDD present.
        mov ah, 0x41
        mov bx, 0x55AA
        mov dl, [drive]
        int 0x13
        ASSERT nc, 3
        cmp bx, 0xAA55
        ASSERT e, 4
        ; 48h: 2048-byte sectors.
        mov si, params
        mov word [si], 0x1A
        mov ah, 0x48
        mov dl, [drive]
        int 0x13
        ASSERT nc, 5
        cmp word [si + 24], 2048
        ASSERT e, 6
        cmp dword [si + 16], 17
        ASSERT a, 7
        ; 42h: the primary volume descriptor at sector 16.
        mov si, dap
        mov word [si + 2], 1
        mov word [si + 4], BUF
        mov [si + 6], cs
        mov dword [si + 8], 16
        mov ah, 0x42
        mov dl, [drive]
        int 0x13
        ASSERT nc, 8
        cmp byte [BUF], 1
        ASSERT e, 9
        cmp dword [BUF + 1], "CD00"
        ASSERT e, 10
        ; 4B01h: the specification packet.
        mov si, spec
        mov ax, 0x4B01
        mov dl, [drive]
        int 0x13
        ASSERT nc, 11
        cmp byte [si], 0x13
        ASSERT e, 12
        cmp byte [si + 1], 0            ; no emulation
        ASSERT e, 13
        cmp byte [si + 2], 0xE0
        ASSERT e, 14
        cmp word [si + 0x0C], 0x07C0
        ASSERT e, 15
        cmp word [si + 0x0E], 4
        ASSERT e, 16
        ; Read this image back from its RBA and compare it with what is running.
        mov eax, [si + 4]
        mov si, dap
        mov [si + 8], eax
        mov word [si + 2], 1
        mov ah, 0x42
        mov dl, [drive]
        int 0x13
        ASSERT nc, 17
        mov si, 0                       ; the code (the data after it has changed)
        mov di, BUF
        mov cx, (pass - start) / 4
        repe cmpsd
        ASSERT e, 18
        ; 43h: the disc is read-only.
        mov si, dap
        mov ah, 0x43
        mov dl, [drive]
        int 0x13
        ASSERT c, 19
        cmp ah, 0x03
        ASSERT e, 20
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

pass: db "CD PASS", 10, 0
drive: db 0
align 4
dap:
        db 0x10, 0
        dw 1
        dw 0, 0
        dq 0
params: times 0x1A db 0
spec: times 0x13 db 0

        times 2048 - ($ - $$) db 0
