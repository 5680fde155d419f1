; =============================================================================
; fdc.asm - the floppy controller (82077AA) and the DMA controllers (8237A) at
; the register level, as firmware drives them. Runs as the PC's firmware:
;   emu rom fdc.bin -fda a.img -fdb b.img
;   qemu-system-i386 -bios fdc.bin -drive if=floppy,index=0,format=raw,file=a.img
;                    -drive if=floppy,index=1,format=raw,file=b.img,readonly=on ...
; a.img: 1.44 MB, every sector holds its LBA as dwords; b.img: 720 KB, read-only,
; every sector holds 0xB0000 + its LBA. test/devices-fdc.test.mjs makes both,
; runs this under both machines and checks what the ROM wrote on the host.
;
; Facts checked (82077AA and 8237A data sheets): the DMA byte pointer flip-flop
; and register read-back, terminal count in the status register and the count
; register left at FFFFh; the reset interrupt and the four SENSE INTERRUPT
; STATUS after it (ST0 C0h-C3h); VERSION, SPECIFY, CONFIGURE, DUMPREG, LOCK,
; PERPENDICULAR MODE and an invalid command; RECALIBRATE and SEEK with their
; interrupts; SENSE DRIVE STATUS (track 0, write protect); the disk change line;
; READ DATA through DMA with the result C/H/R/N, multi-track, and the end of a
; track without terminal count; WRITE DATA; READ ID; a data rate the medium is
; not recorded at; FORMAT TRACK; a write to a write-protected disk; non-DMA
; (PIO) reads; an 8-bit DMA channel wrapping within its 64 KiB page.
; =============================================================================
%include "rom.inc"

IRQ_FLAG    equ 0x0600          ; byte: set by the IRQ 6 handler
RESN        equ 0x06FE          ; word: result bytes read
RES         equ 0x0700          ; result bytes
DOR         equ 0x3F2
MSR         equ 0x3F4
FIFO        equ 0x3F5
DIR         equ 0x3F7

flat_gdt:
        dq 0
        db 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x92, 0xCF, 0x00
flat_gdt_desc:
        dw 15
        dd 0xF0000 + flat_gdt

; IRQ 6 (vector 0Eh after the PIC set-up below): note it and end it.
irq6_handler:
        push ax
        push ds
        xor ax, ax
        mov ds, ax
        mov byte [IRQ_FLAG], 1
        mov al, 0x20
        out 0x20, al
        pop ds
        pop ax
        iret

; Wait for IRQ 6 (the check fails if the machine has nothing left to wake it).
wait_irq:
.again: cli
        cmp byte [IRQ_FLAG], 0
        jne .got
        sti
        hlt
        jmp .again
.got:   mov byte [IRQ_FLAG], 0
        ret

; Send AL to the FIFO once MSR says RQM with DIO = 0.
fdc_out:
        push cx
        push dx
        push ax
        mov dx, MSR
        mov cx, 0xFFFF
.wait:  in al, dx
        and al, 0xC0
        cmp al, 0x80
        je .ready
        loop .wait
.ready: CHECK al, 0x80          ; the controller takes a command byte
        pop ax
        mov dx, FIFO
        out dx, al
        pop dx
        pop cx
        ret

; Read result bytes into RES while MSR says RQM with DIO = 1; count in [RESN].
fdc_results:
        push eax
        push bx
        push cx
        push dx
        push si
        xor bx, bx
.next:  mov dx, MSR
        mov cx, 0xFFFF
.wait:  in al, dx
        and al, 0xC0
        cmp al, 0xC0
        je .byte
        cmp al, 0x80
        je .done
        loop .wait
        jmp .done
.byte:  mov dx, FIFO
        in al, dx
        mov [RES + bx], al
        inc bx
        cmp bx, 16
        jb .next
.done:  mov [RESN], bx
        PRINT "    result:"
        xor si, si
.show:  cmp si, bx
        jae .shown
        PRINT " "
        mov al, [RES + si]
        mov cl, 2
        call __puthex
        inc si
        jmp .show
.shown: PRINTLN ""
        pop si
        pop dx
        pop cx
        pop bx
        pop eax
        ret

; FDC b0, b1, ... - send a command.
%macro FDC 1-*
%rep %0
        mov al, %1
        call fdc_out
%rotate 1
%endrep
%endmacro

; FDC_RUN b0, b1, ... - send a command that interrupts when done, wait, read the result.
%macro FDC_RUN 1-*
        FDC %{1:-1}
        call wait_irq
        call fdc_results
%endmacro

; CHECK_MEM segment, offset, value - one check on the dword at segment:offset.
%macro CHECK_MEM 3
        push es
        push word %1
        pop es
        CHECKD [es:%2], %3
        pop es
%endmacro

; CHECK_RESULT n, b0, b1, ... - the result phase gave n bytes starting with these.
%macro CHECK_RESULT 1-*
        CHECKW [RESN], %1
%assign %%i 0
%rep %0 - 1
%rotate 1
        CHECKB [RES + %%i], %1
%assign %%i %%i + 1
%endrep
%endmacro

; DMA2 addr, page, count, mode - program channel 2 of DMA 1.
%macro DMA2 4
        mov al, 0x06            ; mask channel 2
        out 0x0A, al
        out 0x0C, al            ; clear the flip-flop
        mov al, (%1) & 0xFF
        out 0x04, al
        mov al, (%1) >> 8
        out 0x04, al
        mov al, %2
        out 0x81, al
        mov al, (%3) & 0xFF
        out 0x05, al
        mov al, (%3) >> 8
        out 0x05, al
        mov al, %4
        out 0x0B, al
        mov al, 0x02            ; unmask channel 2
        out 0x0A, al
%endmacro

DMA_WRITE   equ 0x46            ; single mode, increment, no autoinit, write (to memory), channel 2
DMA_READ    equ 0x4A            ; ... read (from memory), channel 2

ROM_BEGIN "fdc"
        ; A CPU with a local APIC passes the 8259's interrupts on through LINT0
        ; once the APIC is enabled with LINT0 as ExtINT (as a BIOS sets it up).
        mov eax, 1
        cpuid
        test edx, 1 << 9
        jz .no_apic
        lgdt [cs:flat_gdt_desc]         ; FS: a flat 4 GiB segment ("unreal" mode)
        mov eax, cr0
        or al, 1
        mov cr0, eax
        mov bx, 8
        mov fs, bx
        and al, 0xFE
        mov cr0, eax
        xor bx, bx
        mov fs, bx
        a32 or dword [fs:0xFEE000F0], 0x100     ; spurious vector register: APIC on
        a32 mov dword [fs:0xFEE00350], 0x700    ; LINT0: ExtINT
.no_apic:
        ; PICs: vectors 08h/70h, only IRQ 6 unmasked.
        mov al, 0x11
        out 0x20, al
        out 0xA0, al
        mov al, 0x08
        out 0x21, al
        mov al, 0x70
        out 0xA1, al
        mov al, 4
        out 0x21, al
        mov al, 2
        out 0xA1, al
        mov al, 1
        out 0x21, al
        out 0xA1, al
        mov al, 0xBF
        out 0x21, al
        mov al, 0xFF
        out 0xA1, al
        SET_VECTOR 0x0E, irq6_handler
        mov byte [IRQ_FLAG], 0

GROUP "dma registers"
        out 0x0D, al            ; master clear
        out 0x0C, al
        mov al, 0x34
        out 0x04, al
        mov al, 0x12
        out 0x04, al
        mov al, 0xFF
        out 0x05, al
        mov al, 0x01
        out 0x05, al
        out 0x0C, al
        in al, 0x04
        CHECK al, 0x34
        in al, 0x04
        CHECK al, 0x12
        in al, 0x05
        CHECK al, 0xFF
        in al, 0x05
        CHECK al, 0x01
        mov al, 0x5A
        out 0x81, al
        in al, 0x81
        CHECK al, 0x5A
        mov al, 0xA5
        out 0x82, al
        in al, 0x82
        CHECK al, 0xA5
        in al, 0x08
        and al, 0x0F
        CHECK al, 0x00          ; no terminal count yet

GROUP "reset"
        mov dx, DOR
        mov al, 0x00
        out dx, al
        mov al, 0x0C
        out dx, al
        call wait_irq
        mov dx, MSR
        in al, dx
        CHECK al, 0x80
        FDC 0x08
        call fdc_results
        CHECK_RESULT 2, 0xC0, 0x00
        FDC 0x08
        call fdc_results
        CHECK_RESULT 2, 0xC1, 0x00
        FDC 0x08
        call fdc_results
        CHECK_RESULT 2, 0xC2, 0x00
        FDC 0x08
        call fdc_results
        CHECK_RESULT 2, 0xC3, 0x00
        mov dx, DIR
        in al, dx
        and al, 0x80
        CHECK al, 0x80          ; drive 0: disk changed (no step since power-on)

GROUP "version, specify, configure, dumpreg, lock"
        FDC 0x10
        call fdc_results
        CHECK_RESULT 1, 0x90
        FDC 0x03, 0xAF, 0x02    ; SRT 10, HUT 15, HLT 1, DMA
        FDC 0x13, 0x00, 0x0A, 0x00
        mov dx, MSR
        in al, dx
        CHECK al, 0x80          ; no result phase
        FDC 0x0E
        call fdc_results
        CHECKW [RESN], 10
        QEMU_SKIP_BEGIN "QEMU's DUMPREG gives SRT without HUT and the DMA gate instead of ND (82077AA: SRT/HUT, HLT/ND as specified)"
        CHECKB [RES + 4], 0xAF
        CHECKB [RES + 5], 0x02
        QEMU_SKIP_END
        CHECKB [RES + 8], 0x0A
        CHECKB [RES + 9], 0x00
        FDC 0x94
        call fdc_results
        CHECK_RESULT 1, 0x10
        FDC 0x14
        call fdc_results
        CHECK_RESULT 1, 0x00
        FDC 0x12, 0x00
        mov dx, MSR
        in al, dx
        CHECK al, 0x80
        FDC 0x1F                ; no such command
        call fdc_results
        CHECK_RESULT 1, 0x80

GROUP "recalibrate, seek, sense drive status"
        FDC 0x07, 0x00
        call wait_irq
        FDC 0x08
        call fdc_results
        CHECK_RESULT 2, 0x20, 0x00
        FDC 0x04, 0x00
        call fdc_results
        CHECK_RESULT 1, 0x38    ; ready, track 0, two-sided, drive 0
        FDC 0x0F, 0x00, 5
        call wait_irq
        FDC 0x08
        call fdc_results
        CHECK_RESULT 2, 0x20, 5
        FDC 0x04, 0x04
        call fdc_results
        CHECK_RESULT 1, 0x2C    ; not track 0; head 1 asked
        mov dx, DIR
        in al, dx
        and al, 0x80
        CHECK al, 0x00          ; the step cleared the change line

GROUP "read data (DMA)"
        mov dx, DIR
        mov al, 0               ; 500 kb/s
        out dx, al
        DMA2 0x0000, 0x01, 1023, DMA_WRITE
        FDC_RUN 0xE6, 0x00, 5, 0, 1, 2, 18, 0x1B, 0xFF
        CHECK_RESULT 7, 0x00, 0x00, 0x00, 5, 0, 3, 2
        CHECK_MEM 0x1000, 0x0000, 180 ; cylinder 5 head 0 sector 1
        CHECK_MEM 0x1000, 0x01FC, 180
        CHECK_MEM 0x1000, 0x0200, 181
        CHECK_MEM 0x1000, 0x03FC, 181
        in al, 0x08
        and al, 0x0F
        CHECK al, 0x04          ; terminal count on channel 2
        out 0x0C, al
        in al, 0x05
        CHECK al, 0xFF
        in al, 0x05
        CHECK al, 0xFF          ; count register past 0
        in al, 0x04
        CHECK al, 0x00
        in al, 0x04
        CHECK al, 0x04          ; address advanced by 1024

GROUP "multi-track read"
        DMA2 0x0000, 0x01, 1023, DMA_WRITE
        FDC_RUN 0xE6, 0x00, 5, 0, 18, 2, 18, 0x1B, 0xFF
        CHECK_RESULT 7, 0x04, 0x00, 0x00, 5, 1, 2, 2
        CHECK_MEM 0x1000, 0x0000, 197 ; (5, 0, 18)
        CHECK_MEM 0x1000, 0x0200, 198 ; (5, 1, 1)

GROUP "end of track without terminal count"
        DMA2 0x0000, 0x01, 2047, DMA_WRITE
        FDC_RUN 0x46, 0x00, 5, 0, 17, 2, 18, 0x1B, 0xFF
        QEMU_SKIP_BEGIN "QEMU ends the read at EOT with normal termination (the 82077AA reports End of Cylinder)"
        CHECK_RESULT 7, 0x40, 0x80, 0x00, 6, 0, 1, 2
        QEMU_SKIP_END
        CHECK_MEM 0x1000, 0x0000, 196 ; (5, 0, 17)
        CHECK_MEM 0x1000, 0x0200, 197
        ; The head stays on cylinder 5 (QEMU moves it on to 6): seek there again.
        FDC 0x0F, 0x00, 5
        call wait_irq
        FDC 0x08
        call fdc_results
        CHECK_RESULT 2, 0x20, 5

GROUP "write data (DMA)"
        push es
        mov ax, 0x1000
        mov es, ax
        xor di, di
        mov eax, 0x54495257     ; "WRIT"
        mov cx, 128
        rep stosd
        pop es
        DMA2 0x0000, 0x01, 511, DMA_READ
        FDC_RUN 0xC5, 0x04, 5, 1, 5, 2, 18, 0x1B, 0xFF
        CHECK_RESULT 7, 0x04, 0x00, 0x00, 5, 1, 6, 2
        DMA2 0x2000, 0x01, 511, DMA_WRITE
        FDC_RUN 0xE6, 0x04, 5, 1, 5, 2, 18, 0x1B, 0xFF
        CHECK_RESULT 7, 0x04, 0x00, 0x00, 5, 1, 6, 2
        CHECK_MEM 0x1000, 0x2000, 0x54495257
        CHECK_MEM 0x1000, 0x21FC, 0x54495257

GROUP "read id, data rate"
        FDC_RUN 0x4A, 0x04
        CHECKW [RESN], 7
        CHECKB [RES + 0], 0x04
        CHECKB [RES + 1], 0x00
        CHECKB [RES + 3], 5
        CHECKB [RES + 4], 1
        CHECKB [RES + 6], 2
        mov dx, DIR
        mov al, 3               ; 1 Mb/s: not how this disk is recorded
        out dx, al
        FDC_RUN 0x4A, 0x00
        CHECKW [RESN], 7
        CHECKB [RES + 0], 0x40
        CHECKB [RES + 1], 0x01  ; missing address mark
        mov al, 0
        out dx, al

GROUP "format track"
        ; IDs for cylinder 5 head 0, sectors 1-18.
        push es
        mov ax, 0x1000
        mov es, ax
        xor di, di
        mov cl, 1
.ids:   mov al, 5
        stosb
        mov al, 0
        stosb
        mov al, cl
        stosb
        mov al, 2
        stosb
        inc cl
        cmp cl, 19
        jb .ids
        pop es
        DMA2 0x0000, 0x01, 71, DMA_READ
        FDC_RUN 0x4D, 0x00, 2, 18, 0x6C, 0xE5
        CHECKW [RESN], 7
        CHECKB [RES + 0], 0x00
        CHECKB [RES + 1], 0x00
        CHECKB [RES + 2], 0x00
        DMA2 0x0000, 0x01, 511, DMA_WRITE
        FDC_RUN 0xE6, 0x00, 5, 0, 3, 2, 18, 0x1B, 0xFF
        CHECK_RESULT 7, 0x00, 0x00, 0x00, 5, 0, 4, 2
        push es
        mov ax, 0x1000
        mov es, ax
        QEMU_SKIP_BEGIN "QEMU's FORMAT TRACK writes nothing (its source says: TODO)"
        CHECKD [es:0x0000], 0xE5E5E5E5
        CHECKD [es:0x01FC], 0xE5E5E5E5
        QEMU_SKIP_END
        pop es

GROUP "write-protected drive 1"
        FDC 0x04, 0x01
        call fdc_results
        CHECKW [RESN], 1
        mov al, [RES]
        and al, 0x43
        CHECK al, 0x41          ; write protected, drive 1
        FDC 0x07, 0x01
        call wait_irq
        FDC 0x08
        call fdc_results
        CHECK_RESULT 2, 0x21, 0x00
        mov dx, DIR
        mov al, 2               ; 250 kb/s: 720 KB
        out dx, al
        DMA2 0x0000, 0x01, 511, DMA_READ
        FDC_RUN 0xC5, 0x01, 0, 0, 1, 2, 9, 0x1B, 0xFF
        CHECKW [RESN], 7
        mov al, [RES]
        and al, 0xC7
        CHECK al, 0x41          ; abnormal termination, drive 1
        QEMU_SKIP_BEGIN "QEMU sets Seek End in ST0 after a refused write to drive 1 (no seek was done)"
        CHECKB [RES + 0], 0x41
        QEMU_SKIP_END
        CHECKB [RES + 1], 0x02  ; not writable
        DMA2 0x0000, 0x01, 511, DMA_WRITE
        FDC_RUN 0xE6, 0x01, 0, 0, 2, 2, 9, 0x1B, 0xFF
        CHECK_RESULT 7, 0x01, 0x00, 0x00, 0, 0, 3, 2
        CHECK_MEM 0x1000, 0x0000, 0xB0001
        mov al, 0
        out dx, al

GROUP "64 KiB page wrap"
        ; Channel 2 at 2FF00h: the 8237's address counter wraps to 20000h, not 30000h.
        push es
        mov ax, 0x3000
        mov es, ax
        mov dword [es:0x0000], 0x11111111
        mov ax, 0x2000
        mov es, ax
        mov dword [es:0x0000], 0x22222222
        pop es
        DMA2 0xFF00, 0x02, 511, DMA_WRITE
        FDC_RUN 0xE6, 0x04, 5, 1, 7, 2, 18, 0x1B, 0xFF
        CHECK_RESULT 7, 0x04, 0x00, 0x00, 5, 1, 8, 2
        push es
        mov ax, 0x2000
        mov es, ax
        CHECKD [es:0xFF00], 204 ; (5, 1, 7)
        QEMU_SKIP_BEGIN "QEMU's 8237 carries into the page (the AT's page register does not count)"
        CHECKD [es:0x0000], 204
        mov ax, 0x3000
        mov es, ax
        CHECKD [es:0x0000], 0x11111111
        QEMU_SKIP_END
        pop es

GROUP "non-DMA read"
        mov al, 0xFF            ; IRQ 6 masked: the controller interrupts for each byte
        out 0x21, al
        FDC 0x03, 0xAF, 0x03    ; ND = 1
        FDC 0x46, 0x04, 5, 1, 9, 2, 9, 0x1B, 0xFF
        push es
        mov ax, 0x1000
        mov es, ax
        xor di, di
        mov bx, 512
.byte:  mov dx, MSR
        mov cx, 0xFFFF
.wait:  in al, dx
        cmp al, 0xF0            ; RQM, DIO, NON-DMA, CMD BUSY
        je .take
        loop .wait
        CHECK al, 0xF0
.take:  mov dx, FIFO
        in al, dx
        stosb
        dec bx
        jnz .byte
        CHECKD [es:0x0000], 206 ; (5, 1, 9)
        CHECKD [es:0x01FC], 206
        pop es
        call fdc_results
        CHECKW [RESN], 7
        QEMU_SKIP_BEGIN "QEMU ends a non-DMA read at EOT with normal termination (the 82077AA reports End of Cylinder)"
        CHECK_RESULT 7, 0x44, 0x80, 0x00, 6, 1, 1, 2
        QEMU_SKIP_END
        FDC 0x03, 0xAF, 0x02
ROM_END
