; =============================================================================
; shadow.asm - a 128 KiB BIOS image for `emu run -bios` (test/memory-map.test.mjs) that
; checks what firmware relies on when it shadows itself and finds the VGA BIOS, the same way
; under emu and under qemu-system-i386:
;   - the image answers at the top of 4 GiB and, its last 128 KiB, at 0xE0000-0xFFFFF;
;     0xC0000 holds nothing;
;   - the i440FX PAM registers (00:00.0, 0x59-0x5F): with RE/WE clear a write to the shadow
;     area is lost; WE alone sends writes to DRAM while reads still come from the ROM (not on
;     QEMU, which reads its RAM then: that half is skipped when QEMU's fw_cfg answers); RE alone
;     reads the DRAM and drops writes; RE+WE is plain RAM; the F segment can be copied into
;     its shadow RAM and write-protected, as SeaBIOS does (src/fw/shadow.c);
;   - the VGA (PCI 1234:1111) has an expansion ROM BAR: sizing it gives a power of two of at
;     least 2 KiB, and enabled at an address it shows a ROM (55h AAh) there.
; The code runs from the reset alias (CS base 0xFFFF0000) throughout, as firmware does while it
; turns shadowing on. Progress on port 0x402 (QEMU's debugcon as SeaBIOS uses it); the result on
; port 0xF4: 0 = passed, N = check N failed.
; =============================================================================
bits 16
cpu 686

PCI_ADDR equ 0xCF8
PCI_DATA equ 0xCFC
HOST     equ 0x80000000                 ; 00:00.0
PAM0     equ 0x59
PAM5     equ 0x5E                       ; 0xE0000-0xE7FFF (low nibble), 0xE8000-0xEFFFF
ROM_AT   equ 0xFE000000                 ; where the VGA ROM BAR is put (aligned for any size)
CHECK    equ 0x600                      ; the number of the check running (a byte of RAM)

; ---- the first 64 KiB: seen at 0xE0000 (and 0xFFFE0000) ---------------------------------------
section low start=0 vstart=0
        db "LOW64K!!"
        times 0x10000 - ($ - $$) db 0

; ---- the last 64 KiB: seen at 0xF0000 and 0xFFFF0000; CS offsets from 0 ---------------------
section high start=0x10000 vstart=0
        db "HIGH64K!"

start:
        cli
        xor ax, ax
        mov ss, ax
        mov sp, 0x7000
        mov si, msg_hello
        call print

        ; 1: the low alias. 0xE0000 shows the image's first byte, 0xF0000 its 65th KiB;
        ; 0xC0000 has no ROM behind it (PCI: nothing answers).
        mov byte [ss:CHECK], 1
        mov ax, 0xE000
        mov ds, ax
        cmp byte [0], 'L'
        jne fail
        mov ax, 0xF000
        mov ds, ax
        cmp byte [0], 'H'
        jne fail
        mov ax, 0xC000
        mov ds, ax
        cmp byte [0], 'L'
        je fail
        cmp byte [0], 'H'
        je fail
        mov si, msg_alias
        call print

        ; 2: PAM5 = 00h: a write to 0xE0000 goes to PCI (the ROM) and is lost.
        mov byte [ss:CHECK], 2
        mov ax, 0xE000
        mov ds, ax
        mov byte [0], 0x5A
        cmp byte [0], 'L'
        jne fail
        ; 3: WE only: the write lands in DRAM, reads still come from the ROM.
        mov byte [ss:CHECK], 3
        mov cl, PAM5
        mov al, 0x02
        call pam_write
        mov byte [0], 0x5A
        call on_qemu                    ; QEMU reads its RAM in this mode (hw/pci-host/pam.c:
        je .wo_done                     ; "should distinguish read/write cases"); the 440FX
        cmp byte [0], 'L'               ; datasheet (3.2.20) sends reads to PCI
        jne fail
.wo_done:
        ; 4: RE only: reads come from DRAM (the byte written in 3), writes are lost.
        mov byte [ss:CHECK], 4
        mov cl, PAM5
        mov al, 0x01
        call pam_write
        cmp byte [0], 0x5A
        jne fail
        mov byte [0], 0x77
        cmp byte [0], 0x5A
        jne fail
        ; 5: RE+WE: plain RAM.
        mov byte [ss:CHECK], 5
        mov cl, PAM5
        mov al, 0x03
        call pam_write
        mov byte [0], 0x77
        cmp byte [0], 0x77
        jne fail
        mov si, msg_pam
        call print

        ; 6: shadow the F segment: RAM read/write, copy the ROM from the reset alias into it,
        ; mark it, write-protect it (RE only), then turn shadowing off again (back to the ROM).
        mov byte [ss:CHECK], 6
        mov cl, PAM0
        mov al, 0x30
        call pam_write
        mov ax, 0xF000
        mov es, ax
        xor si, si
        xor di, di
        mov cx, 0x8000
        cld
        cs rep movsw                    ; CS:SI (0xFFFF0000 + SI) -> ES:DI (0xF0000 + DI)
        mov ds, ax
        cmp byte [reset], 0xE9          ; the reset vector's JMP, copied
        jne fail
        mov byte [0], 'S'               ; the shadow copy now differs from the ROM
        mov cl, PAM0
        mov al, 0x10
        call pam_write
        cmp byte [0], 'S'
        jne fail
        mov byte [0], 'X'
        cmp byte [0], 'S'
        jne fail
        mov cl, PAM0
        xor al, al
        call pam_write
        cmp byte [0], 'H'
        jne fail
        mov si, msg_shadow
        call print

        ; 7: the VGA at 00:02.0 and its expansion ROM BAR (0x30).
        mov byte [ss:CHECK], 7
        mov eax, 0x80001000
        call pci_read
        cmp eax, 0x11111234
        jne fail
        mov eax, 0x80001030
        mov ebx, 0xFFFFFFFF
        call pci_write
        call pci_read
        test al, 1                      ; the enable bit is writable
        jz fail
        and eax, 0xFFFFF800
        neg eax                         ; the size: ~(bits & mask) + 1
        cmp eax, 0x800
        jb fail
        lea ebx, [eax - 1]
        test eax, ebx                   ; a power of two
        jnz fail
        ; Enable it at ROM_AT with memory space on, and look through a flat FS (unreal mode).
        mov eax, 0x80001030
        mov ebx, ROM_AT | 1
        call pci_write
        mov eax, 0x80001004
        call pci_read
        or al, 0x02
        mov ebx, eax
        mov eax, 0x80001004
        call pci_write
        call unreal_fs
        mov esi, ROM_AT
        cmp word [fs:esi], 0xAA55
        jne fail
        mov eax, 0x80001030
        mov ebx, ROM_AT                 ; enable bit clear: the ROM goes away
        call pci_write
        cmp word [fs:esi], 0xAA55
        je fail
        mov si, msg_rombar
        call print

        jmp pass


; PAM register CL (0x59-0x5F) of the host bridge = AL.
pam_write:
        push ax
        mov eax, HOST
        mov al, cl
        and al, 0xFC
        mov dx, PCI_ADDR
        out dx, eax
        mov dx, PCI_DATA
        mov al, cl
        and al, 3
        add dl, al
        pop ax
        out dx, al
        ret

; ZF set when QEMU's fw_cfg answers at 0x510/0x511 with its "QEMU" signature.
on_qemu:
        mov dx, 0x510
        xor ax, ax
        out dx, ax
        inc dx
        in al, dx
        cmp al, 'Q'
        ret

; EAX = configuration dword at address EAX (kept in EAX's place: the address goes to 0xCF8).
pci_read:
        mov dx, PCI_ADDR
        out dx, eax
        mov dx, PCI_DATA
        in eax, dx
        ret

; Configuration dword at address EAX = EBX (EAX is kept).
pci_write:
        mov dx, PCI_ADDR
        out dx, eax
        push eax
        mov eax, ebx
        mov dx, PCI_DATA
        out dx, eax
        pop eax
        ret

; FS: base 0, limit 4 GiB, back in real mode.
unreal_fs:
        o32 lgdt [cs:gdtr]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        mov bx, 8
        mov fs, bx
        and al, 0xFE
        mov cr0, eax
        ret


align 8
gdt:    dq 0
        dw 0xFFFF, 0, 0x9200, 0x00CF    ; flat 4 GiB data
gdtr:   dw gdtr - gdt - 1
        dd 0xFFFF0000 + gdt

msg_hello:  db "shadow: start", 10, 0
msg_alias:  db "ok 1 the image's last 128 KiB below 1 MiB, nothing at 0xC0000", 10, 0
msg_pam:    db "ok 2-5 PAM: to PCI, write-only, read-only, read/write", 10, 0
msg_shadow: db "ok 6 the F segment shadowed from the reset alias and write-protected", 10, 0
msg_rombar: db "ok 7 the VGA's expansion ROM BAR sizes and maps a ROM", 10, 0
msg_pass:   db "shadow: PASS", 10, 0
msg_fail:   db "shadow: FAIL ", 0

%include "romtest.inc"
        RESET_VECTOR
