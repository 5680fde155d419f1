; =============================================================================
; atapi.asm - a 64 KiB BIOS image for `emu run -bios atapi.bin -cdrom FILE.iso` (and
; qemu-system-i386 with the same flags) that drives the ATAPI CD-ROM on the secondary IDE
; channel's master through its ports, with interrupts off (nIEN) and polling, the way a BIOS
; or a boot loader does, and checks what ATA/ATAPI-6 (9.10, the PACKET protocol), SPC-3 and
; MMC-3 require of it. The same checks pass under emu and under QEMU (test/devices-atapi.test.mjs).
;   1 SRST: the packet device signature (LBA Mid/High 14h/EBh), DRDY clear
;   2 IDENTIFY DEVICE aborts with the signature; IDENTIFY PACKET DEVICE: ATAPI, CD-ROM, removable
;   3 PACKET: DRQ with the interrupt reason CoD = 1, IO = 0 for the packet; then data-in blocks
;     (IO = 1, CoD = 0) within the byte count limit, even except the last; status phase
;     IO = 1, CoD = 1 (checked on every command below)
;   4 TEST UNIT READY succeeds (after at most a few unit attentions, cleared by REQUEST SENSE)
;   5 INQUIRY: CD/DVD device, removable
;   6 READ(10) of blocks 16-17: the primary volume descriptor ("CD001", type 1, its volume
;     space size) and the terminator (type 255); one block per DRQ with a 2048-byte limit
;   7 READ CAPACITY: the last block is the volume space size - 1
;   8 READ(10) with a large limit and READ(12) give the same bytes; a limit of 1001 gives even
;     pieces of at most 1000 bytes and the same block
;   9 an unknown operation code and a read past the end: ERR, the sense key in Error bits 7-4,
;     REQUEST SENSE 05h/20h and 05h/21h
;  10 READ TOC format 0: tracks 1-1, track 1 at block 0, the lead-out at the capacity
;  11 MODE SENSE(10) page 2Ah; GET CONFIGURATION: current profile CD-ROM; GET EVENT STATUS
;     NOTIFICATION (polled, media): medium present
; Progress on port 0x402; the result on port 0xF4: 0 = passed, N = check N failed.
; =============================================================================
bits 16
cpu 686

CMD      equ 0x170                      ; secondary channel command block
CTL      equ 0x376                      ; device control / alternate status
ST_BSY   equ 0x80
ST_DRDY  equ 0x40
ST_DRQ   equ 0x08
ST_ERR   equ 0x01
BUF_SEG  equ 0x1000                     ; data buffer at 0x10000
CHECK    equ 0x600                      ; [ss:] the check running
TOTAL    equ 0x602                      ; [ss:] bytes moved by the last command
BLOCKS   equ 0x604                      ; [ss:] DRQ blocks of the last command
LIMIT    equ 0x606                      ; [ss:] its byte count limit
ODD      equ 0x608                      ; [ss:] an odd block was seen (it must be the last)
VOLSIZE  equ 0x60C                      ; [ss:] the PVD's volume space size (blocks)
MAXBLK   equ 0x610                      ; [ss:] the largest DRQ block of the last command

section rom start=0 vstart=0

start:
        cli
        cld
        xor ax, ax
        mov ss, ax
        mov sp, 0x7000
        mov ax, BUF_SEG
        mov es, ax
        mov ds, ax
        mov si, msg_hello
        call print

        ; 1: software reset of the channel (nIEN stays set: no interrupts).
        mov byte [ss:CHECK], 1
        mov dx, CTL
        mov al, 0x06                    ; SRST | nIEN
        out dx, al
        mov al, 0x02
        out dx, al
        call wait_ready
        mov dx, CMD + 4
        in al, dx
        cmp al, 0x14
        jne fail
        inc dx
        in al, dx
        cmp al, 0xEB
        jne fail
        mov dx, CMD + 7
        in al, dx
        test al, ST_DRDY                ; a packet device leaves DRDY clear
        jnz fail
        mov si, msg_1
        call print

        ; 2: IDENTIFY DEVICE aborts (and keeps the signature); IDENTIFY PACKET DEVICE answers.
        mov byte [ss:CHECK], 2
        mov dx, CMD + 6
        mov al, 0xA0
        out dx, al
        mov dx, CMD + 7
        mov al, 0xEC
        out dx, al
        call wait_ready
        mov dx, CMD + 7
        in al, dx
        test al, ST_ERR
        jz fail
        mov dx, CMD + 1
        in al, dx
        test al, 0x04                   ; ABRT
        jz fail
        mov dx, CMD + 5
        in al, dx
        cmp al, 0xEB
        jne fail
        mov dx, CMD + 7
        mov al, 0xA1
        out dx, al
        call wait_ready
        mov dx, CMD + 7
        in al, dx
        test al, ST_DRQ
        jz fail
        xor di, di
        mov cx, 256
        mov dx, CMD
        rep insw
        mov ax, [0]                     ; word 0
        and ax, 0xDF80                  ; packet device (10b), command set, removable
        cmp ax, 0x8580
        jne fail
        mov si, msg_2
        call print

        ; 3-4: TEST UNIT READY until it succeeds, clearing unit attentions with REQUEST SENSE.
        mov byte [ss:CHECK], 4
        mov bp, 5
.tur:   mov si, cdb_tur
        xor bx, bx
        call packet
        test al, ST_ERR
        jz .ready
        mov si, cdb_sense
        mov bx, 18
        call packet
        dec bp
        jnz .tur
        jmp fail
.ready: mov si, msg_4
        call print

        ; 5: INQUIRY.
        mov byte [ss:CHECK], 5
        mov si, cdb_inquiry
        mov bx, 36
        call packet
        test al, ST_ERR
        jnz fail
        cmp word [ss:TOTAL], 36
        jne fail
        cmp byte [0], 0x05
        jne fail
        test byte [1], 0x80
        jz fail
        mov si, msg_5
        call print

        ; 6: READ(10) blocks 16-17 with a 2048-byte limit: the volume descriptors.
        mov byte [ss:CHECK], 6
        mov si, cdb_read16
        mov bx, 2048
        call packet
        test al, ST_ERR
        jnz fail
        cmp word [ss:TOTAL], 4096
        jne fail
        cmp word [ss:BLOCKS], 2
        jne fail
        cmp byte [0], 1                 ; primary volume descriptor
        jne fail
        cmp dword [1], "CD00"
        jne fail
        cmp byte [2048], 255            ; terminator
        jne fail
        cmp dword [2049], "CD00"
        jne fail
        mov eax, [80]                   ; volume space size (both-endian; little first)
        mov [ss:VOLSIZE], eax
        mov si, msg_6
        call print

        ; 7: READ CAPACITY.
        mov byte [ss:CHECK], 7
        mov si, cdb_capacity
        mov bx, 8
        mov di, 0x4000                  ; (blocks 16-17 stay at 0x10000 for check 8)
        call packet_at
        test al, ST_ERR
        jnz fail
        mov eax, [0x4000]
        bswap eax
        inc eax
        cmp eax, [ss:VOLSIZE]
        jne fail
        mov eax, [0x4004]
        cmp eax, 0x00080000             ; 2048, big-endian
        jne fail
        mov si, msg_7
        call print

        ; 8: the same two blocks with a large limit (at 0x11000), READ(12) of block 16 (at
        ; 0x12000), and block 16 in pieces of a 1001-byte limit (at 0x13000): all as read in 6.
        mov byte [ss:CHECK], 8
        mov si, cdb_read16
        mov bx, 0xF800
        mov di, 0x1000
        call packet_at
        test al, ST_ERR
        jnz fail
        cmp word [ss:TOTAL], 4096
        jne fail
        mov si, 0
        mov di, 0x1000
        mov cx, 4096
        call same
        mov si, cdb_read12
        mov bx, 0x4000
        mov di, 0x2000
        call packet_at
        cmp word [ss:TOTAL], 2048
        jne fail
        mov si, 0
        mov di, 0x2000
        mov cx, 2048
        call same
        mov si, cdb_read16_one
        mov bx, 1001
        mov di, 0x3000
        call packet_at
        cmp word [ss:TOTAL], 2048
        jne fail
        cmp word [ss:MAXBLK], 1000
        ja fail
        cmp word [ss:BLOCKS], 3
        jb fail
        mov si, 0
        mov di, 0x3000
        mov cx, 2048
        call same
        mov si, msg_8
        call print

        ; 9: an unknown operation code, then a read past the end.
        mov byte [ss:CHECK], 9
        mov si, cdb_bad
        xor bx, bx
        call packet
        test al, ST_ERR
        jz fail
        shr ah, 4
        cmp ah, 5                       ; ILLEGAL REQUEST
        jne fail
        call request_sense
        cmp ax, 0x2005                  ; ASC 20h, key 5
        jne fail
        mov si, cdb_read_past
        call copy_cdb
        mov eax, [ss:VOLSIZE]
        bswap eax
        mov [ss:CDB_RAM + 2], eax       ; READ(10) at the first block past the end
        mov si, CDB_RAM
        mov bx, 2048
        call packet_ram
        test al, ST_ERR
        jz fail
        cmp word [ss:TOTAL], 0
        jne fail
        call request_sense
        cmp ax, 0x2105                  ; ASC 21h (LBA out of range), key 5
        jne fail
        mov si, msg_9
        call print

        ; 10: READ TOC, format 0, LBA addresses.
        mov byte [ss:CHECK], 10
        mov si, cdb_toc
        mov bx, 20
        call packet
        test al, ST_ERR
        jnz fail
        cmp word [ss:TOTAL], 20
        jne fail
        cmp dword [0], 0x01011200       ; length 18, tracks 1 to 1
        jne fail
        cmp byte [6], 1                 ; track 1
        jne fail
        cmp dword [8], 0                ; at block 0
        jne fail
        cmp byte [14], 0xAA             ; the lead-out
        jne fail
        mov eax, [16]
        bswap eax
        cmp eax, [ss:VOLSIZE]
        jne fail
        mov si, msg_10
        call print

        ; 11: MODE SENSE(10) page 2Ah, GET CONFIGURATION, GET EVENT STATUS NOTIFICATION.
        mov byte [ss:CHECK], 11
        mov si, cdb_mode
        mov bx, 256
        call packet
        test al, ST_ERR
        jnz fail
        mov al, [8]
        and al, 0x3F
        cmp al, 0x2A
        jne fail
        mov si, cdb_config
        mov bx, 8
        call packet
        test al, ST_ERR
        jnz fail
        cmp word [6], 0x0800            ; current profile 0008h (CD-ROM), big-endian
        jne fail
        mov si, cdb_event
        mov bx, 8
        call packet
        test al, ST_ERR
        jnz fail
        mov al, [2]
        and al, 7
        cmp al, 4                       ; media class
        jne fail
        test byte [5], 0x02             ; medium present
        jz fail
        mov si, msg_11
        call print

        jmp pass


; Wait until the channel is not busy (alternate status), or fail.
wait_ready:
        push ecx
        push ax
        push dx
        mov ecx, 10000000
        mov dx, CTL
.poll:  in al, dx
        test al, ST_BSY
        jz .done
        dec ecx
        jnz .poll
        jmp fail
.done:  pop dx
        pop ax
        pop ecx
        ret

; REQUEST SENSE; returns AL = sense key, AH = ASC.
request_sense:
        mov si, cdb_sense
        mov bx, 18
        call packet
        test al, ST_ERR
        jnz fail
        mov al, [2]
        and al, 0x0F
        mov ah, [12]
        ret

; Copy the 12-byte packet at CS:SI to CDB_RAM.
CDB_RAM equ 0x620
copy_cdb:
        push es
        push di
        push cx
        xor ax, ax
        mov es, ax
        mov di, CDB_RAM
        mov cx, 12
        cs rep movsb
        pop cx
        pop di
        pop es
        ret

; Compare CX bytes at DS:SI and DS:DI, or fail.
same:
        repe cmpsb
        jne fail
        ret

; Run the packet at CS:SI with byte count limit BX, data to ES:0; see packet_ram.
packet:
        xor di, di
packet_at:
        mov byte [ss:FROM_RAM], 0
        jmp packet_run
; The packet at SS:SI (built in RAM), data to ES:0.
packet_ram:
        xor di, di
        mov byte [ss:FROM_RAM], 1
FROM_RAM equ 0x60A

; PACKET with byte count limit BX; the 12-byte packet at CS:SI (or SS:SI); data-in to ES:DI.
; Checks the protocol at every step. Returns AL = final status, AH = Error; [TOTAL] bytes and
; [BLOCKS] DRQ blocks moved, [MAXBLK] the largest block.
packet_run:
        mov [ss:LIMIT], bx
        mov word [ss:TOTAL], 0
        mov word [ss:BLOCKS], 0
        mov word [ss:MAXBLK], 0
        mov byte [ss:ODD], 0
        call wait_ready
        mov dx, CMD + 6
        mov al, 0xA0
        out dx, al
        mov dx, CMD + 1
        xor al, al                      ; PIO, no overlap
        out dx, al
        mov dx, CMD + 4
        mov al, bl
        out dx, al
        inc dx
        mov al, bh
        out dx, al
        mov dx, CMD + 7
        mov al, 0xA0
        out dx, al
        call wait_ready
        mov dx, CTL
        in al, dx
        test al, ST_DRQ                 ; 3: DRQ for the packet...
        jz fail3
        mov dx, CMD + 2
        in al, dx
        and al, 3
        cmp al, 1                       ; ...with CoD = 1, IO = 0
        jne fail3
        mov dx, CMD
        mov cx, 6
        cmp byte [ss:FROM_RAM], 0
        jne .ram
.word:  cs lodsw
        out dx, ax
        loop .word
        jmp .phase
.ram:   ss lodsw
        out dx, ax
        loop .ram
.phase: call wait_ready
        mov dx, CMD + 7
        in al, dx
        test al, ST_DRQ
        jz .status
        cmp byte [ss:ODD], 0            ; an odd block must have been the last
        jne fail3
        mov dx, CMD + 2
        in al, dx
        and al, 3
        cmp al, 2                       ; data-in: IO = 1, CoD = 0
        jne fail3
        mov dx, CMD + 4
        in al, dx
        mov cl, al
        inc dx
        in al, dx
        mov ch, al
        test cx, cx
        jz fail3
        cmp cx, [ss:LIMIT]
        ja fail3
        test cl, 1
        setnz [ss:ODD]
        add [ss:TOTAL], cx
        inc word [ss:BLOCKS]
        cmp cx, [ss:MAXBLK]
        jbe .small
        mov [ss:MAXBLK], cx
.small: inc cx
        shr cx, 1
        mov dx, CMD
        rep insw
        jmp .phase
.status:
        mov bl, al
        mov dx, CMD + 2
        in al, dx
        and al, 3
        cmp al, 3                       ; status: IO = 1, CoD = 1
        jne fail3
        mov dx, CMD + 1
        in al, dx
        mov ah, al
        mov al, bl
        ret
fail3:  mov byte [ss:CHECK], 3
        jmp fail


cdb_tur:        db 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
cdb_sense:      db 0x03, 0, 0, 0, 18, 0, 0, 0, 0, 0, 0, 0
cdb_inquiry:    db 0x12, 0, 0, 0, 36, 0, 0, 0, 0, 0, 0, 0
cdb_read16:     db 0x28, 0, 0, 0, 0, 16, 0, 0, 2, 0, 0, 0
cdb_read16_one: db 0x28, 0, 0, 0, 0, 16, 0, 0, 1, 0, 0, 0
cdb_read12:     db 0xA8, 0, 0, 0, 0, 16, 0, 0, 0, 1, 0, 0
cdb_capacity:   db 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
cdb_bad:        db 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
cdb_read_past:  db 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0
cdb_toc:        db 0x43, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0
cdb_mode:       db 0x5A, 0, 0x2A, 0, 0, 0, 0, 1, 0, 0, 0, 0
cdb_config:     db 0x46, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0
cdb_event:      db 0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8, 0, 0, 0

msg_hello:  db "atapi: start", 10, 0
msg_1:      db "ok 1 SRST: packet device signature, DRDY clear", 10, 0
msg_2:      db "ok 2 IDENTIFY DEVICE aborts; IDENTIFY PACKET DEVICE: ATAPI CD-ROM, removable", 10, 0
msg_4:      db "ok 3-4 PACKET protocol; TEST UNIT READY", 10, 0
msg_5:      db "ok 5 INQUIRY", 10, 0
msg_6:      db "ok 6 READ(10): the volume descriptors, one block per DRQ at a 2048-byte limit", 10, 0
msg_7:      db "ok 7 READ CAPACITY", 10, 0
msg_8:      db "ok 8 READ(10) and READ(12) at other limits, the same bytes", 10, 0
msg_9:      db "ok 9 CHECK CONDITION: invalid opcode, LBA out of range", 10, 0
msg_10:     db "ok 10 READ TOC", 10, 0
msg_11:     db "ok 11 MODE SENSE(10), GET CONFIGURATION, GET EVENT STATUS NOTIFICATION", 10, 0
msg_pass:   db "atapi: PASS", 10, 0
msg_fail:   db "atapi: FAIL ", 0

%include "romtest.inc"
        RESET_VECTOR
