; =============================================================================
; bios.asm - emu's built-in BIOS: a 64 KiB ROM mapped at 0xF0000 and 0xFFFF0000.
;
; The ROM is deliberately small. It does what has to happen in guest code (the
; reset vector, the interrupt vector table, the 8259/8254/RTC/8042 set-up, the
; timer and keyboard interrupt handlers, the jump to the boot sector) and hands
; every BIOS service call to TypeScript (src/bios/) through a hypercall:
;
;   1. the entry stub of INT n pushes a function word (low byte: the function,
;      n for INT n; high byte: the status, 0) above the caller's IRET frame;
;   2. `service` pushes EAX..EDI (PUSHAD), DS, ES, FS, GS: SS:SP now points at
;      the register frame laid out below;
;   3. OUT to HYPERCALL_PORT (any value, from code in segment F000, in real
;      mode): the host reads the frame at SS:SP, does the call, writes the
;      results into the frame (registers, and CF/ZF in the caller's FLAGS) and
;      sets the status byte;
;   4. the stub acts on the status: DONE - pop and IRET; WAIT - STI, HLT, CLI
;      and hypercall again (blocking calls: INT 16h AH=00h, INT 15h AH=86h);
;      BOOT - jump to the boot image at CX:BX with DL from the frame;
;      HALT - stop here (nothing to boot).
;
; Frame (offsets from SS:SP at the OUT):
;    0 GS  2 FS  4 ES  6 DS  8 EDI  12 ESI  16 EBP  20 ESP(unused)  24 EBX
;   28 EDX  32 ECX  36 EAX  40 function  41 status  42 IP  44 CS  46 FLAGS
;
; See bios/README.md. Facts used: IBM PC AT Technical Reference (BIOS data
; area, interrupt assignments), Ralf Brown's Interrupt List, Intel 8259A/8254
; data sheets, the MC146818 data sheet, the 8042 commands.
; =============================================================================

bits 16
cpu 686
org 0

HYPERCALL_PORT  equ 0x0B10

; function bytes besides the INT vectors (0x10-0x1A)
FN_POST         equ 0x01
FN_KBD_IRQ      equ 0x09

; status bytes
ST_DONE         equ 0
ST_WAIT         equ 1
ST_BOOT         equ 2
ST_HALT         equ 3

FRAME_EBX       equ 24
FRAME_EDX       equ 28
FRAME_ECX       equ 32
FRAME_FN        equ 40
FRAME_STATUS    equ 41

STACK_TOP       equ 0x7C00

; ----------------------------------------------------------------------------
; The hypercall: see the header.
; ----------------------------------------------------------------------------
service:
        pushad
        push ds
        push es
        push fs
        push gs
        mov bp, sp
.call:
        mov dx, HYPERCALL_PORT
        mov al, [bp + FRAME_FN]
        out dx, al
        mov al, [bp + FRAME_STATUS]
        cmp al, ST_WAIT
        je .wait
        cmp al, ST_BOOT
        je boot_jump
        cmp al, ST_HALT
        je halt_forever
        pop gs
        pop fs
        pop es
        pop ds
        popad
        add sp, 2
        iret
.wait:
        sti
        hlt
        cli
        jmp .call

; Start the boot image the host loaded (INT 19h): DL = drive, CX:BX = where.
boot_jump:
        mov dl, [bp + FRAME_EDX]
        mov bx, [bp + FRAME_EBX]
        mov cx, [bp + FRAME_ECX]
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov sp, STACK_TOP
        push cx
        push bx
        xor eax, eax
        xor ebx, ebx
        xor ecx, ecx
        xor esi, esi
        xor edi, edi
        xor ebp, ebp
        and edx, 0xff
        sti
        retf

halt_forever:
        cli
        hlt
        jmp halt_forever

; ----------------------------------------------------------------------------
; Software interrupt entries: each hands its call to the host.
; ----------------------------------------------------------------------------
%macro SERVICE_ENTRY 1
int%1_entry:
        push word 0x%1
        jmp service
%endmacro

SERVICE_ENTRY 10        ; video
SERVICE_ENTRY 11        ; equipment list
SERVICE_ENTRY 12        ; memory size
SERVICE_ENTRY 13        ; disk
SERVICE_ENTRY 14        ; serial ports
SERVICE_ENTRY 15        ; system services
SERVICE_ENTRY 16        ; keyboard
SERVICE_ENTRY 17        ; printer
SERVICE_ENTRY 18        ; no bootable device
SERVICE_ENTRY 19        ; bootstrap loader
SERVICE_ENTRY 1A        ; time of day, RTC

; ----------------------------------------------------------------------------
; Hardware interrupts.
; ----------------------------------------------------------------------------

; IRQ0 (INT 08h): the 18.2 Hz tick. Counts in the BDA (0040:006C, rolling over
; at 0x1800B0 ticks a day with the flag at 0040:0070), counts down the floppy
; motor timeout (0040:0040), calls INT 1Ch, then ends the interrupt.
irq0_entry:
        push ds
        push eax
        push dx
        xor ax, ax
        mov ds, ax
        mov eax, [0x46C]
        inc eax
        cmp eax, 0x1800B0
        jb .store
        xor eax, eax
        mov byte [0x470], 1
.store:
        mov [0x46C], eax
        cmp byte [0x440], 0
        je .motor_done
        dec byte [0x440]
        jnz .motor_done
        and byte [0x43F], 0xF0
        mov dx, 0x3F2
        mov al, 0x0C
        out dx, al
.motor_done:
        int 0x1C
        mov al, 0x20
        out 0x20, al
        pop dx
        pop eax
        pop ds
        iret

; IRQ1 (INT 09h): read the scan code, offer it to INT 15h AH=4Fh (the keyboard
; intercept), and hand it to the host, which keeps the shift states and the
; BDA keyboard buffer.
irq1_entry:
        push ax
        in al, 0x60
        mov ah, 0x4F
        stc
        int 0x15
        jnc .eoi
        pushf
        push cs
        push word .eoi
        push word FN_KBD_IRQ
        jmp service
.eoi:
        cli
        mov al, 0x20
        out 0x20, al
        pop ax
        iret

; IRQ8 (INT 70h): read RTC status C (which also acknowledges the RTC); on an
; alarm call INT 4Ah.
irq8_entry:
        push ax
        mov al, 0x0C
        out 0x70, al
        in al, 0x71
        test al, 0x20
        jz .eoi
        int 0x4A
.eoi:
        mov al, 0x20
        out 0xA0, al
        out 0x20, al
        pop ax
        iret

; IRQ13 (INT 75h): the FPU error; clear the busy latch and report it as NMI.
irq13_entry:
        push ax
        xor al, al
        out 0xF0, al
        mov al, 0x20
        out 0xA0, al
        out 0x20, al
        pop ax
        int 0x02
        iret

; IRQs nobody claimed: end the interrupt.
irq_master_default:
        push ax
        mov al, 0x20
        out 0x20, al
        pop ax
        iret

irq_slave_default:
        push ax
        mov al, 0x20
        out 0xA0, al
        out 0x20, al
        pop ax
        iret

dummy_iret:
        iret

; ----------------------------------------------------------------------------
; POST.
; ----------------------------------------------------------------------------
post:
        cli
        cld
        xor ax, ax
        mov ss, ax
        mov sp, STACK_TOP
        mov ds, ax
        mov es, ax
        mov al, 0x01
        out 0x80, al

        ; Clear the IVT, the BDA and 0000:0500-05FF.
        xor di, di
        xor ax, ax
        mov cx, 0x300
        rep stosw

        ; Every vector first points at an IRET, IRQs at an EOI; then the
        ; handlers from the table.
        xor di, di
        mov cx, 256
.ivt_fill:
        mov word [di], dummy_iret
        mov word [di + 2], 0xF000
        add di, 4
        loop .ivt_fill
        mov di, 0x08 * 4
        mov cx, 8
.ivt_master:
        mov word [di], irq_master_default
        add di, 4
        loop .ivt_master
        mov di, 0x70 * 4
        mov cx, 8
.ivt_slave:
        mov word [di], irq_slave_default
        add di, 4
        loop .ivt_slave
        mov si, vector_table
.ivt_table:
        cs lodsw
        cmp ax, 0xFFFF
        je .ivt_done
        mov di, ax
        shl di, 2
        cs lodsw
        mov [di], ax
        mov word [di + 2], 0xF000
        jmp .ivt_table
.ivt_done:
        ; INT 1Dh (video parameters) and INT 1Fh (graphics characters): none.
        mov dword [0x1D * 4], 0
        mov dword [0x1F * 4], 0

        mov al, 0x02
        out 0x80, al
        ; 8259A pair: edge triggered, cascaded, vectors 08h and 70h, 8086 mode.
        mov al, 0x11
        out 0x20, al
        out 0xA0, al
        mov al, 0x08
        out 0x21, al
        mov al, 0x70
        out 0xA1, al
        mov al, 0x04
        out 0x21, al
        mov al, 0x02
        out 0xA1, al
        mov al, 0x01
        out 0x21, al
        out 0xA1, al
        mov al, 0xF8            ; IRQ0 timer, IRQ1 keyboard, IRQ2 cascade
        out 0x21, al
        mov al, 0xDE            ; IRQ8 RTC, IRQ13 FPU
        out 0xA1, al

        ; 8254 counter 0: mode 3, count 65536 (18.2 Hz).
        mov al, 0x36
        out 0x43, al
        xor al, al
        out 0x40, al
        out 0x40, al

        ; RTC: 32.768 kHz time base, 1024 Hz rate; BCD, 24-hour, no interrupts.
        mov al, 0x0A
        out 0x70, al
        mov al, 0x26
        out 0x71, al
        mov al, 0x0B
        out 0x70, al
        mov al, 0x02
        out 0x71, al
        mov al, 0x0C
        out 0x70, al
        in al, 0x71
        mov al, 0x0D
        out 0x70, al
        in al, 0x71
        mov al, 0x0F            ; shutdown status: normal POST
        out 0x70, al
        xor al, al
        out 0x71, al

        mov al, 0x03
        out 0x80, al
        ; 8042: self-test, then the command byte: keyboard interrupt, system
        ; flag, mouse disabled, scan code translation.
        mov al, 0xAA
        out 0x64, al
        call kbc_read
        mov al, 0x60
        out 0x64, al
        call kbc_wait_input
        mov al, 0x65
        out 0x60, al
        call kbc_flush

        mov al, 0x04
        out 0x80, al
        ; BDA, EBDA, disks, ticks: the host fills them in.
        pushf                   ; an IRET frame by hand, then the function word
        push cs
        push word .post_done
        push word FN_POST
        jmp service
.post_done:
        mov al, 0x05
        out 0x80, al
        mov ax, 0x0003          ; 80x25 colour text
        int 0x10
        mov si, banner
        call print

        mov al, 0x06
        out 0x80, al
        sti
        int 0x19
        jmp halt_forever

; AL = the byte the 8042 puts in its output buffer (or 0xFF after a timeout).
kbc_read:
        mov cx, 0xFFFF
.wait:
        in al, 0x64
        test al, 0x01
        jnz .ready
        loop .wait
        mov al, 0xFF
        ret
.ready:
        in al, 0x60
        ret

kbc_wait_input:
        mov cx, 0xFFFF
.wait:
        in al, 0x64
        test al, 0x02
        jz .done
        loop .wait
.done:
        ret

kbc_flush:
        mov cx, 16
.again:
        in al, 0x64
        test al, 0x01
        jz .done
        in al, 0x60
        loop .again
.done:
        ret

; Print the NUL-terminated string at CS:SI with INT 10h AH=0Eh.
print:
        cs lodsb
        test al, al
        jz .done
        mov ah, 0x0E
        mov bx, 0x0007
        int 0x10
        jmp print
.done:
        ret

banner: db "emu BIOS", 13, 10, 0

vector_table:
        dw 0x08, irq0_entry
        dw 0x09, irq1_entry
        dw 0x10, int10_entry
        dw 0x11, int11_entry
        dw 0x12, int12_entry
        dw 0x13, int13_entry
        dw 0x14, int14_entry
        dw 0x15, int15_entry
        dw 0x16, int16_entry
        dw 0x17, int17_entry
        dw 0x18, int18_entry
        dw 0x19, int19_entry
        dw 0x1A, int1A_entry
        dw 0x1E, diskette_params
        dw 0x70, irq8_entry
        dw 0x75, irq13_entry
        dw 0xFFFF

; ----------------------------------------------------------------------------
; Tables the host hands out pointers to (found through the directory at
; F000:FF00).
; ----------------------------------------------------------------------------

; INT 1Eh: diskette parameters for a 1.44 MB drive (step rate/head unload,
; head load/DMA, motor off delay, 512-byte sectors, 18 sectors per track, gap,
; data length, format gap, fill byte, head settle, motor start).
diskette_params:
        db 0xAF, 0x02, 0x25, 0x02, 0x12, 0x1B, 0xFF, 0x6C, 0xF6, 0x0F, 0x08

; INT 10h AH=1Bh: the static functionality table. Modes 0-3, 7 and 13h;
; 200/350/400 scan lines; 8 character blocks, 2 active; palette, DAC, and
; cursor emulation; save pointer and display combination functions.
video_static:
        db 0x8F, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00
        db 0x07, 0x08, 0x02, 0xFC, 0x0C, 0x00, 0x00, 0x00, 0x00

; The glyphs INT 10h AX=1130h points at. Text modes draw from the character
; codes (the VGA model keeps no font), so these are blank for now.
font8x16:
        times 256 * 16 db 0
font8x8:
        times 256 * 8 db 0

; ----------------------------------------------------------------------------
; Fixed places.
; ----------------------------------------------------------------------------

        times 0xE6F5 - ($ - $$) db 0
; INT 15h AH=C0h: the system configuration table (at F000:E6F5 as on the AT).
; Model FCh submodel 01h, revision 0; features: second 8259, RTC, INT 15h
; AH=4Fh called by INT 09h, EBDA allocated; INT 16h AH=09h supported.
config_table:
        dw 8
        db 0xFC, 0x01, 0x00, 0x74, 0x40, 0x00, 0x00, 0x00

        times 0xFF00 - ($ - $$) db 0
; The directory: where the host finds the tables in this ROM.
directory:
        db "EMUBIOS", 1                 ; signature, version
        dw HYPERCALL_PORT
        dw config_table
        dw video_static
        dw font8x16
        dw font8x8
        dw diskette_params

        times 0xFFF0 - ($ - $$) db 0
reset_vector:
        jmp 0xF000:post
        db "01/01/26"                   ; F000:FFF5 BIOS date
        db 0
        db 0xFC                         ; F000:FFFE model: AT
        db 0                            ; F000:FFFF checksum (set by bios/build.mjs)
