; =============================================================================
; string.asm - MOVS CMPS SCAS LODS STOS in byte/word/dword size, with
; REP/REPE/REPNE, DF=0 and DF=1, 16-bit (SI/DI/CX) and 32-bit (67h prefix:
; ESI/EDI/ECX) address size, REP with a count of 0, segment overrides on the
; source operand, and overlapping REP MOVS.
;
; SDM Vol. 2B (MOVS, CMPS, SCAS, LODS, STOS, REP/REPE/REPNE):
;  * The source is DS:(E)SI and may take a segment override; the
;    destination ES:(E)DI cannot be overridden (a prefix on STOS/SCAS is
;    ignored for ES:DI).
;  * The address size selects SI/DI/CX or ESI/EDI/ECX; with 16-bit address
;    size the upper halves of ESI/EDI/ECX are neither used nor changed.
;  * CMPS sets flags as for SUB of [DS:SI] - [ES:DI]; SCAS as AL/AX/EAX -
;    [ES:DI].
;  * REP with a count of 0 performs no iteration: no memory access, no
;    register or flag change.  REPE/REPNE stop after the element that
;    ends the match, with (E)CX already decremented for it.
;  * REP MOVS copies element by element, so overlapping forward copies
;    replicate the first elements.
; =============================================================================
%include "rom.inc"

SRCSEG  equ 0x1000      ; DS: source buffers at 0x100 (pattern 80h+i)
DSTSEG  equ 0x2000      ; ES: destination buffers (background 0EEh)
ALTSEG  equ 0x3000      ; FS/GS: alternate source, pattern 40h+i at 0x100

; fill ES:DI with CX bytes, AL first, AH added per byte; preserves all regs
fill:
        pushf
        push di
        push cx
        push ax
.l:     mov [es:di], al
        add al, ah
        inc di
        dec cx
        jnz .l
        pop ax
        pop cx
        pop di
        popf
        ret

; (re)initialise every buffer
setup:
        push ax
        push cx
        push di
        mov ax, SRCSEG
        mov es, ax
        mov di, 0x100
        mov cx, 0x100
        mov ax, 0x0180          ; 80h, 81h, ...
        call fill
        mov ax, ALTSEG
        mov es, ax
        mov di, 0x100
        mov cx, 0x100
        mov ax, 0x0140          ; 40h, 41h, ...
        call fill
        mov ax, DSTSEG
        mov es, ax
        xor di, di
        mov cx, 0x1000
        mov ax, 0x00EE
        call fill
        mov ax, SRCSEG
        mov ds, ax
        mov ax, DSTSEG
        mov es, ax
        mov ax, ALTSEG
        mov fs, ax
        mov gs, ax
        cld
        pop di
        pop cx
        pop ax
        ret

romdata: db 0x5A, 0xA5, 0x3C, 0xC3

ROM_BEGIN "string"
        call setup

GROUP "movs single"
        mov si, 0x100
        mov di, 0x200
        movsb
        CHECK2 si, 0x101, di, 0x201
        CHECKB [es:0x200], 0x80
        movsw
        CHECK2 si, 0x103, di, 0x203
        CHECKW [es:0x201], 0x8281
        movsd
        CHECK2 si, 0x107, di, 0x207
        CHECKD [es:0x203], 0x86858483
        CHECKB [es:0x207], 0xEE
        std
        movsb                           ; 107h -> 207h, then both -1
        CHECK2 si, 0x106, di, 0x206
        CHECKB [es:0x207], 0x87
        movsw                           ; word at 106h -> 206h, then -2
        CHECK2 si, 0x104, di, 0x204
        movsd                           ; dword at 104h -> 204h, then -4
        CHECK2 si, 0x100, di, 0x200
        CHECKD [es:0x204], 0x87868584
        cld
        mov esi, 0xABCD0100             ; 16-bit addressing: upper halves
        mov edi, 0x55550390             ; are ignored and preserved
        movsb
        CHECK2 esi, 0xABCD0101, edi, 0x55550391
        CHECKB [es:0x390], 0x80
        mov byte [0xFFFF], 0x3E         ; marker at DS:FFFFh
        mov si, 0xFFFF                  ; SI wraps to 0 within the segment
        mov di, 0x398
        movsb
        CHECK2 esi, 0xABCD0000, di, 0x399
        CHECKB [es:0x398], 0x3E

GROUP "rep movs"
        call setup
        mov si, 0x110
        mov di, 0x300
        mov cx, 5
        rep movsb
        CHECK cx, 0
        CHECK2 si, 0x115, di, 0x305
        CHECKD [es:0x300], 0x93929190
        CHECKW [es:0x304], 0xEE94
        std
        mov si, 0x11E
        mov di, 0x31E
        mov cx, 4
        rep movsw
        cld
        CHECK cx, 0
        CHECK2 si, 0x116, di, 0x316
        CHECKW [es:0x31E], 0x9F9E
        CHECKW [es:0x318], 0x9998
        CHECKW [es:0x316], 0xEEEE
        mov si, 0x120
        mov di, 0x340
        mov cx, 3
        rep movsd
        CHECK2 si, 0x12C, di, 0x34C
        CHECKD [es:0x348], 0xABAAA9A8
        CHECKB [es:0x34C], 0xEE
        mov si, 0x100                   ; count 0: nothing at all happens
        mov di, 0x380
        xor cx, cx
        SETFLAGS FL_OSZAPC
        rep movsb
        CHECK_FLAGS FL_OSZAPC, FL_OSZAPC
        CHECK2 si, 0x100, di, 0x380
        CHECKB [es:0x380], 0xEE
        mov ecx, 0x00010000             ; CX = 0 with 16-bit addressing:
        rep movsb                       ; ECX's upper half is not a count
        CHECK ecx, 0x00010000
        CHECKB [es:0x380], 0xEE
        mov ecx, 0x12340002             ; only CX counts down
        rep movsb
        CHECK ecx, 0x12340000
        CHECK2 si, 0x102, di, 0x382
        CHECKW [es:0x380], 0x8180

GROUP "overlapping rep movs"
        push ds
        push es
        pop ds                          ; DS = ES = DSTSEG
        mov byte [0x800], 0x5A
        mov byte [0x801], 0xA5
        mov si, 0x800
        mov di, 0x801                   ; forward copy onto itself + 1
        mov cx, 7
        rep movsb
        CHECKD [es:0x800], 0x5A5A5A5A
        CHECKD [es:0x804], 0x5A5A5A5A
        CHECKB [es:0x808], 0xEE
        mov word [0x810], 0x1111
        mov word [0x812], 0x2222
        mov si, 0x810
        mov di, 0x814                   ; words, 2 elements behind
        mov cx, 4
        rep movsw
        CHECKD [es:0x814], 0x22221111
        CHECKD [es:0x818], 0x22221111
        pop ds

GROUP "a32 string ops"
        call setup
        mov esi, 0x100
        mov edi, 0x3A0
        mov ecx, 4
        a32 rep movsb                   ; 67 F3 A4: ESI/EDI/ECX
        CHECK ecx, 0
        CHECK2 esi, 0x104, edi, 0x3A4
        CHECKD [es:0x3A0], 0x83828180
        mov esi, 0x100
        a32 lodsd
        CHECK2 eax, 0x83828180, esi, 0x104
        std
        mov edi, 0x3BE
        mov ecx, 3
        mov ax, 0x1234
        a32 rep stosw                   ; 3BEh, 3BCh, 3BAh
        cld
        CHECK2 edi, 0x3B8, ecx, 0
        CHECKD [es:0x3BC], 0x12341234
        CHECKW [es:0x3BA], 0x1234
        CHECKW [es:0x3B8], 0xEEEE
        mov esi, 0x100
        mov edi, 0x3C0
        mov ecx, 2
        a32 rep movsd
        CHECK2 esi, 0x108, edi, 0x3C8
        CHECKD [es:0x3C4], 0x87868584
        mov edi, 0x3A0                  ; a32 repe cmpsb against the copy
        mov esi, 0x100
        mov ecx, 0x10
        a32 repe cmpsb                  ; 4 bytes equal, then 80h+4 vs EEh
        CHECK2 ecx, 0x0B, esi, 0x105
        CHECK edi, 0x3A5
        mov edi, 0x3A0
        mov ecx, 0x10
        mov al, 0x82
        a32 repne scasb
        CHECK2 ecx, 0x0D, edi, 0x3A3
        CHECK_FLAGS FL_ZF, FL_ZF

GROUP "cmps"
        call setup
        mov di, 0x400                   ; ES:400h = copy of pattern, with
        mov cx, 0x40                    ; [403h] = 00h, [404h] = FFh
        mov ax, 0x0180
        call fill
        mov byte [es:0x403], 0x00
        mov byte [es:0x404], 0xFF
        mov si, 0x100
        mov di, 0x400
        SETFLAGS FL_OSZAPC
        cmpsb
        CHECK_FLAGS FL_OSZAPC, FL_ZF|FL_PF
        CHECK2 si, 0x101, di, 0x401
        mov si, 0x103                   ; [DS:SI] - [ES:DI] = 83h - 00h
        mov di, 0x403
        cmpsb
        CHECK_FLAGS FL_OSZAPC, FL_SF
        mov si, 0x104                   ; 84h - FFh: borrow
        mov di, 0x404
        cmpsb
        CHECK_FLAGS FL_OSZAPC, FL_SF|FL_AF|FL_CF
        mov si, 0x100
        mov di, 0x400
        mov cx, 8
        repe cmpsb                      ; stops after the mismatch at 3
        CHECK cx, 4
        CHECK2 si, 0x104, di, 0x404
        CHECK_FLAGS FL_ZF, 0
        mov si, 0x100
        mov di, 0x400
        mov cx, 3
        repe cmpsb                      ; all equal: runs out
        CHECK cx, 0
        CHECK2 si, 0x103, di, 0x403
        CHECK_FLAGS FL_ZF|FL_CF, FL_ZF
        mov di, 0x480                   ; ES:480h: zeroes, [485h] = 85h
        mov cx, 0x10
        xor ax, ax
        call fill
        mov byte [es:0x485], 0x85
        mov si, 0x100
        mov di, 0x480
        mov cx, 10
        repne cmpsb                     ; stops at the first equal pair
        CHECK cx, 4
        CHECK2 si, 0x106, di, 0x486
        CHECK_FLAGS FL_ZF, FL_ZF
        mov si, 0x100
        mov di, 0x480
        mov cx, 3
        repne cmpsb                     ; never equal: runs out
        CHECK cx, 0
        CHECK_FLAGS FL_ZF, 0
        mov si, 0x100
        mov di, 0x400
        cmpsw
        CHECK_FLAGS FL_OSZAPC, FL_ZF|FL_PF
        CHECK2 si, 0x102, di, 0x402
        mov si, 0x102                   ; 8382h - FF00h... words at 102h/402h
        mov di, 0x402                   ; = 8382h vs 0082h -> 8300h
        cmpsw
        CHECK_FLAGS FL_OSZAPC, FL_SF|FL_PF
        mov si, 0x108
        mov di, 0x408
        cmpsd
        CHECK_FLAGS FL_OSZAPC, FL_ZF|FL_PF
        CHECK2 si, 0x10C, di, 0x40C
        std                             ; backwards, dwords: 10Ch, 108h, 104h
        mov si, 0x10C
        mov di, 0x40C
        mov cx, 5
        repe cmpsd                      ; dword at 404h differs
        cld
        CHECK cx, 2
        CHECK2 si, 0x100, di, 0x400
        CHECK_FLAGS FL_ZF, 0
        mov si, 0x100                   ; count 0: flags untouched
        mov di, 0x403
        xor cx, cx
        SETFLAGS FL_ZF|FL_CF|FL_OF
        repe cmpsb
        CHECK_FLAGS FL_OSZAPC, FL_ZF|FL_CF|FL_OF
        CHECK2 si, 0x100, di, 0x403
        SETFLAGS FL_SF|FL_AF|FL_PF
        repne cmpsb
        CHECK_FLAGS FL_OSZAPC, FL_SF|FL_AF|FL_PF

GROUP "scas"
        call setup
        mov di, 0x500
        mov dword [es:0x500], "hell"
        mov word [es:0x504], "o"        ; 'o', 0
        mov al, 0
        mov cx, 0xFFFF
        repne scasb                     ; strlen
        CHECK2 di, 0x506, cx, 0xFFF9
        CHECK_FLAGS FL_ZF, FL_ZF
        mov di, 0x500
        mov al, 0x10                    ; AL - [ES:DI] = 10h - 68h: borrow
        scasb
        CHECK_FLAGS FL_OSZAPC, FL_CF|FL_SF|FL_AF
        CHECK di, 0x501
        mov word [es:0x520], 0x1234
        mov word [es:0x522], 0x1234
        mov word [es:0x524], 0x1234
        mov word [es:0x526], 0x5678
        mov di, 0x520
        mov ax, 0x1234
        mov cx, 10
        repe scasw
        CHECK2 cx, 6, di, 0x528
        CHECK_FLAGS FL_ZF|FL_CF|FL_SF, FL_CF|FL_SF   ; 1234h - 5678h
        mov dword [es:0x530], 0xCAFEBABE
        mov di, 0x530
        mov eax, 0xCAFEBABE
        scasd
        CHECK_FLAGS FL_OSZAPC, FL_ZF|FL_PF
        CHECK di, 0x534
        mov byte [fs:0x500], 0x68       ; 'h' under FS too; ES:500h = 'h'
        mov byte [fs:0x501], 0x00
        mov di, 0x501                   ; ES:501h = 'e', FS:501h = 00h
        mov al, 0x65
        fs scasb                        ; override is ignored: ES:DI
        CHECK_FLAGS FL_ZF, FL_ZF
        std
        mov di, 0x505                   ; backwards: 0,'o','l','l','e'
        mov al, 'e'
        mov cx, 10
        repne scasb
        cld
        CHECK2 di, 0x500, cx, 5
        CHECK_FLAGS FL_ZF, FL_ZF
        xor cx, cx                      ; count 0
        mov di, 0x500
        mov al, 'h'
        SETFLAGS 0
        repne scasb
        CHECK_FLAGS FL_OSZAPC, 0
        CHECK di, 0x500

GROUP "lods"
        call setup
        mov si, 0x100
        lodsb
        CHECK2 al, 0x80, si, 0x101
        lodsw
        CHECK2 ax, 0x8281, si, 0x103
        lodsd
        CHECK2 eax, 0x86858483, si, 0x107
        std
        lodsb
        CHECK2 al, 0x87, si, 0x106
        lodsw
        CHECK2 ax, 0x8786, si, 0x104
        cld
        mov si, 0x100
        mov cx, 3
        rep lodsb                       ; legal: AL = last element
        CHECK2 al, 0x82, si, 0x103
        CHECK cx, 0
        mov si, 0x100
        fs lodsb                        ; source override: FS:SI
        CHECK al, 0x40
        mov si, 0x101
        gs lodsd
        CHECK eax, 0x44434241
        mov si, OFS(romdata)
        cs lodsw                        ; from the ROM itself
        CHECK ax, 0xA55A
        mov si, 0x200                   ; ES:SI (the ES background fill)
        es lodsb
        CHECK al, 0xEE

GROUP "stos"
        call setup
        mov di, 0x600
        mov al, 0x11
        stosb
        CHECK di, 0x601
        CHECKW [es:0x600], 0xEE11
        mov di, 0x610
        mov ax, 0xBEEF
        mov cx, 4
        rep stosw
        CHECK2 di, 0x618, cx, 0
        CHECKD [es:0x610], 0xBEEFBEEF
        CHECKD [es:0x614], 0xBEEFBEEF
        CHECKB [es:0x618], 0xEE
        std
        mov eax, 0xDEADBEEF
        mov di, 0x63C
        mov cx, 3
        rep stosd                       ; 63Ch, 638h, 634h
        cld
        CHECK2 di, 0x630, cx, 0
        CHECKD [es:0x634], 0xDEADBEEF
        CHECKD [es:0x63C], 0xDEADBEEF
        CHECKD [es:0x630], 0xEEEEEEEE
        mov byte [fs:0x650], 0x33
        mov di, 0x650
        mov al, 0x77
        fs stosb                        ; override ignored: ES:DI
        CHECKB [es:0x650], 0x77
        CHECKB [fs:0x650], 0x33         ; FS:DI untouched
        mov di, 0x660
        xor cx, cx
        mov al, 0x99
        rep stosb                       ; count 0: no store
        CHECKB [es:0x660], 0xEE
        CHECK di, 0x660

GROUP "source override"
        call setup
        mov si, 0x100
        mov di, 0x700
        fs movsb                        ; FS:SI -> ES:DI
        CHECKB [es:0x700], 0x40
        mov si, 0x104
        mov di, 0x704
        mov cx, 2
        gs rep movsw
        CHECKD [es:0x704], 0x47464544
        mov si, OFS(romdata)
        mov di, 0x710
        mov cx, 4
        rep cs movsb
        CHECKD [es:0x710], 0xC33CA55A
        mov di, 0x710
        mov si, OFS(romdata)
        mov cx, 4
        cs repe cmpsb                   ; CS:SI vs ES:DI: all equal
        CHECK cx, 0
        CHECK_FLAGS FL_ZF, FL_ZF
        xor ax, ax
        mov ss, ax                      ; SS = 0: put a marker at 0:1000h
        mov byte [ss:0x1000], 0xC7
        mov si, 0x1000
        mov di, 0x720
        ss movsb
        CHECKB [es:0x720], 0xC7
        mov si, 0x100                   ; es: override on CMPS source
        mov di, 0x100
        es cmpsb                        ; ES:100h vs ES:100h
        CHECK_FLAGS FL_ZF, FL_ZF

ROM_END
