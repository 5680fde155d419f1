; =============================================================================
; misc.asm - MOVZX/MOVSX, BT/BTS/BTR/BTC (register, immediate and memory
; bit strings with offsets outside the operand, negative too), BSF/BSR,
; SETcc, CMOVcc, XCHG, XADD, CMPXCHG, CMPXCHG8B, BSWAP, XLAT, LAHF/SAHF,
; CBW/CWDE/CWD/CDQ, LEA with 16-bit and 32-bit (SIB) addressing,
; LDS/LES/LFS/LGS/LSS, CPUID leaves 0 and 1, RDTSC.
;
; SDM Vol. 2 facts relied on:
;  * BT*: CF = the selected bit; ZF unaffected; OF SF AF PF undefined.
;    With an immediate or a register destination the offset is taken
;    modulo the operand size; with a memory destination and a register
;    offset the offset is a signed bit-string index relative to the
;    operand address (it can address any byte, also below it).
;  * BSF/BSR: ZF = 1 and destination undefined for a zero source (the
;    destination is not checked then); ZF = 0 otherwise; CF OF SF AF PF
;    undefined.
;  * CMPXCHG: flags as CMP accumulator, destination; CMPXCHG8B: only ZF
;    changes.  XADD: flags as ADD.
;  * LAHF: AH = SF:ZF:0:AF:0:PF:1:CF.  SAHF loads SF ZF AF PF CF only.
;  * MOVZX, MOVSX, CMOVcc, SETcc, XCHG, BSWAP, XLAT, LEA, CBW.., LxS,
;    CPUID (flags are not mentioned as affected) leave the flags alone.
;  * CPUID.0: EAX = highest leaf (>= 1 on a Pentium III), EBX EDX ECX =
;    vendor string (12 ASCII characters).  CPUID.1:EDX bit 4 TSC, bit 8
;    CX8, bit 15 CMOV, all present on a P6-class CPU.
; =============================================================================
%include "rom.inc"

M       equ 0x1000              ; scratch memory, DS = 0

%define OF FL_OF
%define SF FL_SF
%define ZF FL_ZF
%define AF FL_AF
%define PF FL_PF
%define CF FL_CF

; ST cc, true_flags, false_flags - one check: SETcc gives 1 / 0
%macro ST 3
        NEWCHECK
%defstr __d set%1 (true with %2, false with %3)
        mov ax, 0xAAAA
        SETFLAGS %2
        set%1 al
        SETFLAGS %3
        set%1 ah
        _CHKX 2, ax, 0x0001, __d
%endmacro

; CM cc, true_flags, false_flags - one check: CMOVcc r16 and r32 move only
; when the condition holds, and do not change the flags.
%macro CM 3
        NEWCHECK
%defstr __d cmov%1 (true with %2, false with %3)
        mov ax, 0x1111
        mov bx, 0x2222
        mov ecx, 0x33333333
        mov edx, 0x44444444
        SETFLAGS %2
        cmov%1 ax, bx
        cmov%1 ecx, edx
        _CHKX 2, ax, 0x2222, __d
        _CHKX 4, ecx, 0x44444444, __d
        _CHKF FL_OSZAPC, %2, __d
        mov ax, 0x1111
        mov ecx, 0x33333333
        SETFLAGS %3
        cmov%1 ax, bx
        cmov%1 ecx, edx
        _CHKX 2, ax, 0x1111, __d
        _CHKX 4, ecx, 0x33333333, __d
        _CHKF FL_OSZAPC, %3, __d
%endmacro

; BTF insn..., cf - run insn with ZF=0 and with ZF=1 preset (other flags
; opposite); check CF and that ZF was kept.  Registers/memory are checked
; separately by the caller (the instruction runs twice: use BT*, whose
; second run is compensated by the caller, or plain BT).
%macro BTF 2
        NEWCHECK
%defstr __d %1: CF=%2, ZF kept
        SETFLAGS 0
        %1
        _CHKF FL_CF|FL_ZF, (%2)*FL_CF, __d
        SETFLAGS FL_ZF|(1-(%2))*FL_CF
        %1
        _CHKF FL_CF|FL_ZF, (%2)*FL_CF|FL_ZF, __d
%endmacro

; TRUE_IF cc, "desc" - one check that condition cc currently holds
%macro TRUE_IF 2
        NEWCHECK
        push ax
        mov al, 0
        j%-1 %%no
        mov al, 1
%%no:   _CHKX 1, al, 1, %2
        pop ax
%endmacro

ROM_BEGIN "misc"

GROUP "movzx/movsx"
        mov bl, 0x80
        SETFLAGS FL_OSZAPC
        movzx ax, bl
        CHECK ax, 0x0080
        movsx ax, bl
        CHECK ax, 0xFF80
        mov byte [M], 0x7F
        movsx ecx, byte [M]
        CHECK ecx, 0x0000007F
        mov byte [M], 0xFE
        movsx ecx, byte [M]
        CHECK ecx, 0xFFFFFFFE
        movzx edx, byte [M]
        CHECK edx, 0x000000FE
        mov word [M], 0x8001
        movsx esi, word [M]
        CHECK esi, 0xFFFF8001
        movzx edi, word [M]
        CHECK edi, 0x00008001
        mov ebp, 0x12345678
        movzx bp, bl                    ; 16-bit destination: upper half kept
        CHECK ebp, 0x12340080
        CHECK_FLAGS FL_OSZAPC, FL_OSZAPC

GROUP "bt/bts/btr/btc register"
        mov ax, 0x0002
        BTF {bt ax, 1}, 1
        BTF {bt ax, 0}, 0
        BTF {bt ax, 17}, 1              ; imm mod 16 -> bit 1
        mov eax, 0x00000002
        BTF {bt eax, 33}, 1             ; imm mod 32 -> bit 1
        mov cx, 0x0011                  ; reg offset mod 16 -> bit 1
        BTF {bt ax, cx}, 1
        mov ecx, 0xFFFFFFE1             ; reg offset mod 32 -> bit 1
        BTF {bt eax, ecx}, 1
        mov ax, 0x0002
        SETFLAGS FL_ZF
        bts ax, 15
        CHECK_RF ax, 0x8002, FL_CF|FL_ZF, FL_ZF
        bts ax, 15                      ; already set
        CHECK_RF ax, 0x8002, FL_CF|FL_ZF, FL_CF|FL_ZF
        mov eax, 0x80000001
        SETFLAGS 0
        btr eax, 31
        CHECK_RF eax, 0x00000001, FL_CF|FL_ZF, FL_CF
        mov bx, 0x0008
        mov cx, 3
        btc bx, cx
        CHECK_RF bx, 0x0000, FL_CF|FL_ZF, FL_CF
        btc bx, cx
        CHECK_RF bx, 0x0008, FL_CF|FL_ZF, 0
        mov edx, 0
        mov ecx, 63                     ; mod 32 -> bit 31
        bts edx, ecx
        CHECK_RF edx, 0x80000000, FL_CF, 0

GROUP "bt/bts/btr/btc memory bit strings"
        mov dword [M-8], 0
        mov dword [M-4], 0x80000000     ; bit -1 relative to M
        mov dword [M], 0x00000008       ; bits 3
        mov dword [M+4], 0x00000000     ; bits 32..63 clear
        mov dword [M+8], 0
        BTF {bt word [M], 35}, 1        ; imm: mod 16 -> bit 3 of [M]
        mov ax, 35
        BTF {bt word [M], ax}, 0        ; bit string: bit 35 = [M+4] bit 3
        mov eax, 3
        BTF {bt dword [M], eax}, 1
        mov eax, -1
        BTF {bt dword [M], eax}, 1      ; bit -1 = [M-1] bit 7
        mov ax, -1
        BTF {bt word [M], ax}, 1        ; word at M-2, bit 15
        mov ax, -33                     ; bit -33 = [M-5] bit 7: clear
        BTF {bt word [M], ax}, 0
        mov ax, 33
        SETFLAGS 0
        bts word [M], ax                ; word at M+4, bit 1
        CHECK_FLAGS FL_CF, 0
        CHECKD [M+4], 0x00000002
        mov eax, 35
        bts dword [M], eax              ; [M+4] bit 3
        CHECKD [M+4], 0x0000000A
        btr dword [M], eax
        CHECK_FLAGS FL_CF, FL_CF
        CHECKD [M+4], 0x00000002
        mov bx, M
        mov cx, 0x7FF                   ; word index 127 -> M+254, bit 15
        mov word [M+254], 0x0001
        btc word [bx], cx
        CHECK_FLAGS FL_CF, 0
        CHECKW [M+254], 0x8001
        mov ecx, -32                    ; dword at M-4, bit 0
        btc dword [bx], ecx
        CHECKD [M-4], 0x80000001
        mov ecx, 0x0000011F             ; 287: dword index 8 -> M+32, bit 31
        mov dword [M+32], 0
        bts dword [bx], ecx
        CHECKD [M+32], 0x80000000
        CHECKD [M], 0x00000008          ; untouched
        btr word [M], 3                 ; imm form on memory
        CHECK_FLAGS FL_CF, FL_CF
        CHECKD [M], 0

GROUP "bsf/bsr"
        mov bx, 0x0100
        SETFLAGS FL_ZF
        bsf ax, bx
        CHECK_RF ax, 8, FL_ZF, 0
        mov bx, 0x0101
        bsr ax, bx
        CHECK ax, 8
        bsf ax, bx
        CHECK ax, 0
        mov ecx, 0x80000000
        bsf eax, ecx
        CHECK eax, 31
        mov ecx, 0x00000001
        bsr eax, ecx
        CHECK eax, 0
        mov dword [M], 0x00F00000
        bsr eax, [M]
        CHECK eax, 23
        bsf eax, [M]
        CHECK eax, 20
        mov word [M], 0x8000
        bsf ax, [M]
        CHECK ax, 15
        xor ecx, ecx
        SETFLAGS 0
        bsf eax, ecx                    ; zero source: ZF=1 (dest undefined)
        CHECK_FLAGS FL_ZF, FL_ZF
        SETFLAGS 0
        bsr dx, cx
        CHECK_FLAGS FL_ZF, FL_ZF

GROUP "setcc"
        ST o, OF, 0
        ST no, 0, OF
        ST b, CF, ZF
        ST ae, ZF, CF
        ST e, ZF, CF|SF|OF|PF
        ST ne, CF|SF|OF|PF, ZF
        ST be, ZF, SF|OF|PF
        ST a, SF|OF|PF, CF
        ST s, SF, ZF|CF
        ST ns, ZF|CF, SF
        ST p, PF, ZF|CF|SF|OF
        ST np, ZF|CF|SF|OF, PF
        ST l, OF, SF|OF
        ST ge, SF|OF, SF
        ST le, ZF|SF|OF, SF|OF
        ST g, CF|PF, OF
        mov byte [M], 0x55
        SETFLAGS FL_CF
        setc byte [M]                   ; memory destination
        CHECKB [M], 1
        CHECK_FLAGS FL_OSZAPC, FL_CF

GROUP "cmovcc"
        CM o, OF, 0
        CM no, SF, OF
        CM b, CF, ZF
        CM ae, ZF, CF
        CM e, ZF, CF
        CM ne, CF, ZF
        CM be, CF, SF
        CM a, PF, ZF
        CM s, SF, OF
        CM ns, 0, SF
        CM p, PF, CF
        CM np, CF, PF
        CM l, SF, SF|OF
        CM ge, 0, OF
        CM le, OF, SF|OF
        CM g, SF|OF, ZF|SF|OF
        mov dword [M], 0xCAFEF00D
        mov eax, 0x11111111
        SETFLAGS FL_ZF
        cmovz eax, [M]                  ; memory source
        CHECK eax, 0xCAFEF00D

GROUP "xchg/xadd"
        mov ax, 0x1111
        mov bx, 0x2222
        SETFLAGS FL_OSZAPC
        xchg ax, bx                     ; 93
        CHECK2 ax, 0x2222, bx, 0x1111
        mov ax, 0x1234
        xchg al, ah                     ; 86 /r
        CHECK ax, 0x3412
        mov word [M], 0xAAAA
        mov cx, 0x5555
        xchg [M], cx
        CHECK cx, 0xAAAA
        CHECKW [M], 0x5555
        mov eax, 0x11112222
        mov edx, 0x33334444
        xchg eax, edx
        CHECK2 eax, 0x33334444, edx, 0x11112222
        mov dword [M], 0x01020304
        mov esi, 0x0A0B0C0D
        xchg esi, [M]
        CHECK esi, 0x01020304
        CHECKD [M], 0x0A0B0C0D
        CHECK_FLAGS FL_OSZAPC, FL_OSZAPC
        mov ax, 5
        mov bx, 7
        SETFLAGS FL_OSZAPC
        xadd ax, bx
        CHECK_RF ax, 12, FL_OSZAPC, PF
        CHECK bx, 5
        mov al, 0x7F
        mov bl, 1
        xadd al, bl
        CHECK_RF al, 0x80, FL_OSZAPC, OF|SF|AF
        CHECK bl, 0x7F
        mov dword [M], 0xFFFFFFFF
        mov ecx, 1
        SETFLAGS 0
        xadd [M], ecx
        CHECK_FLAGS FL_OSZAPC, ZF|AF|PF|CF
        CHECK ecx, 0xFFFFFFFF
        CHECKD [M], 0

GROUP "cmpxchg"
        mov byte [M], 5
        mov al, 5
        mov bl, 9
        SETFLAGS 0
        cmpxchg [M], bl                 ; equal: [M] <- BL
        CHECK_RF al, 5, FL_OSZAPC, ZF|PF
        CHECKB [M], 9
        mov byte [M], 7
        mov al, 5
        SETFLAGS FL_ZF
        cmpxchg [M], bl                 ; not equal: AL <- [M]
        CHECK_RF al, 7, FL_OSZAPC, CF|SF|AF
        CHECKB [M], 7
        mov ax, 0x1234
        mov cx, 0x1234
        mov dx, 0xAAAA
        cmpxchg cx, dx
        CHECK_RF cx, 0xAAAA, FL_ZF, ZF
        CHECK ax, 0x1234
        mov eax, 1
        mov ebx, 2
        mov ecx, 3
        cmpxchg ebx, ecx
        CHECK_RF eax, 2, FL_ZF|FL_CF, CF
        CHECK ebx, 2
        mov dword [M], 0x80000000
        mov eax, 0x80000000
        mov edx, 0x12345678
        cmpxchg [M], edx
        CHECK_FLAGS FL_ZF, FL_ZF
        CHECKD [M], 0x12345678

GROUP "cmpxchg8b"
        mov dword [M], 0x22222222
        mov dword [M+4], 0x11111111
        mov edx, 0x11111111
        mov eax, 0x22222222
        mov ecx, 0xCCCCCCCC
        mov ebx, 0xBBBBBBBB
        SETFLAGS FL_CF|FL_SF|FL_OF
        cmpxchg8b [M]                   ; equal: m64 <- ECX:EBX
        CHECK_FLAGS FL_OSZAPC, FL_CF|FL_SF|FL_OF|FL_ZF
        CHECKD [M], 0xBBBBBBBB
        CHECKD [M+4], 0xCCCCCCCC
        CHECK2 edx, 0x11111111, eax, 0x22222222
        mov edx, 0
        mov eax, 0
        SETFLAGS FL_ZF|FL_PF|FL_AF
        cmpxchg8b [M]                   ; not equal: EDX:EAX <- m64
        CHECK_FLAGS FL_OSZAPC, FL_PF|FL_AF
        CHECK2 edx, 0xCCCCCCCC, eax, 0xBBBBBBBB
        CHECKD [M], 0xBBBBBBBB
        mov dword [M+4], 0xCCCCCCCD     ; differs only in the high dword
        SETFLAGS FL_ZF
        cmpxchg8b [M]
        CHECK_FLAGS FL_ZF, 0
        CHECK edx, 0xCCCCCCCD

GROUP "bswap/xlat/lahf/sahf"
        mov eax, 0x12345678
        SETFLAGS FL_OSZAPC
        bswap eax
        CHECK eax, 0x78563412
        mov esi, 0x000000FF
        bswap esi
        CHECK esi, 0xFF000000
        CHECK_FLAGS FL_OSZAPC, FL_OSZAPC
        mov bx, 0x1100                  ; table: byte i = FFh - i
        xor cx, cx
.tab:   mov al, 0xFF
        sub al, cl
        mov [bx], al
        inc bx
        inc cl
        jnz .tab
        mov bx, 0x1100
        mov al, 0x10
        xlatb
        CHECK al, 0xEF
        mov al, 0xFF                    ; AL is unsigned
        xlatb
        CHECK al, 0x00
        mov ax, 0x0010                  ; ES base 100h: ES:1100h is
        mov es, ax                      ; physical 1200h, not the table
        mov byte [0x1200], 0x99
        mov al, 0
        es xlatb                        ; segment override on XLAT
        CHECK al, 0x99
        xor ax, ax
        mov es, ax
        mov ebx, 0x1100
        mov al, 0x01
        a32 xlatb                       ; 67 D7: [EBX + AL]
        CHECK al, 0xFE
        SETFLAGS SF|ZF|AF|PF|CF
        lahf
        CHECK ah, 0xD7
        SETFLAGS OF
        lahf
        CHECK ah, 0x02
        mov ah, 0xFF
        SETFLAGS 0
        sahf
        CHECK_FLAGS FL_OSZAPC, SF|ZF|AF|PF|CF
        mov ah, 0x00
        SETFLAGS FL_OSZAPC
        sahf
        CHECK_FLAGS FL_OSZAPC, OF       ; OF not loaded

GROUP "cbw/cwde/cwd/cdq"
        mov eax, 0x12345680
        SETFLAGS FL_OSZAPC
        cbw
        CHECK eax, 0x1234FF80
        mov al, 0x7F
        cbw
        CHECK ax, 0x007F
        mov eax, 0x12348000
        cwde
        CHECK eax, 0xFFFF8000
        mov eax, 0xFFFF0005
        cwde
        CHECK eax, 0x00000005
        mov ax, 0x8000
        mov dx, 0x1234
        cwd
        CHECK2 dx, 0xFFFF, ax, 0x8000
        mov ax, 0x7FFF
        cwd
        CHECK dx, 0
        mov eax, 0x80000000
        cdq
        CHECK edx, 0xFFFFFFFF
        mov eax, 0x7FFFFFFF
        cdq
        CHECK edx, 0
        CHECK_FLAGS FL_OSZAPC, FL_OSZAPC

GROUP "lea"
        mov bx, 0x1000
        mov si, 0x0020
        mov di, 0x0030
        mov bp, 0x0040
        SETFLAGS FL_OSZAPC
        lea ax, [bx+si+5]
        CHECK ax, 0x1025
        lea ax, [bx+di-1]
        CHECK ax, 0x102F
        lea ax, [bp+si]
        CHECK ax, 0x0060
        lea ax, [bp+di+0x1234]
        CHECK ax, 0x12A4
        lea ax, [si]
        CHECK ax, 0x0020
        lea ax, [word di+0xFFFF]        ; disp16 FFFFh: wraps to 002Fh
        CHECK ax, 0x002F
        lea ax, [bp]
        CHECK ax, 0x0040
        lea ax, [0x1234]
        CHECK ax, 0x1234
        mov eax, 0x100
        mov ebx, 0x10
        lea ecx, [eax+ebx*2+3]
        CHECK ecx, 0x123
        lea ecx, [eax+ebx*4]
        CHECK ecx, 0x140
        lea ecx, [eax+ebx*8+0x12345678]
        CHECK ecx, 0x123457F8
        lea ecx, [ebx*8]                ; no base: disp32 = 0
        CHECK ecx, 0x80
        lea ecx, [ebx*2+0x10]
        CHECK ecx, 0x30
        mov esp, 0x7C00
        lea ecx, [esp+4]                ; SIB with ESP base
        CHECK ecx, 0x7C04
        mov ebp, 0x2000
        lea ecx, [ebp+ebx]              ; EBP base needs a disp8 of 0
        CHECK ecx, 0x2010
        lea ecx, [eax+eax]
        CHECK ecx, 0x200
        lea ecx, [eax-0x101]
        CHECK ecx, 0xFFFFFFFF
        mov ecx, 0xFFFF0000
        lea cx, [eax+ebx*4+0x10000]     ; 16-bit destination: truncated
        CHECK ecx, 0xFFFF0140
        mov bx, 0xFFF0
        mov si, 0x0020
        lea ecx, [bx+si]                ; 16-bit address, zero-extended
        CHECK ecx, 0x00000010
        CHECK_FLAGS FL_OSZAPC, FL_OSZAPC
        xor ebp, ebp

GROUP "lds/les/lfs/lgs/lss"
        mov word [0x1200], 0x1234
        mov word [0x1202], 0x5678
        lds si, [0x1200]
        mov ax, ds
        xor bx, bx
        mov ds, bx
        CHECK2 si, 0x1234, ax, 0x5678
        les di, [0x1200]
        CHECK2 di, 0x1234, es, 0x5678
        lfs bx, [0x1200]
        CHECK2 bx, 0x1234, fs, 0x5678
        lgs cx, [0x1200]
        CHECK2 cx, 0x1234, gs, 0x5678
        mov word [0x1204], 0x7A00
        mov word [0x1206], 0x0000
        lss sp, [0x1204]
        CHECK2 sp, 0x7A00, ss, 0
        mov dword [0x1210], 0x00012345  ; 32-bit offset + selector
        mov word [0x1214], 0x0300
        les edx, [0x1210]
        CHECK2 edx, 0x00012345, es, 0x0300
        lgs eax, [0x1210]
        CHECK2 eax, 0x00012345, gs, 0x0300
        xor ax, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov esp, STACK_TOP

GROUP "cpuid"
        xor eax, eax
        cpuid
        mov [M], ebx                    ; vendor string: EBX EDX ECX
        mov [M+4], edx
        mov [M+8], ecx
        mov byte [M+12], 0
        cmp eax, 1
        TRUE_IF ae, "CPUID.0:EAX >= 1"
        PRINT "  CPUID vendor: "
        mov si, M
        mov cx, 12
        mov dl, 1                       ; all printable?
.v:     mov al, [si]
        cmp al, 0x20
        jb .bad
        cmp al, 0x7E
        ja .bad
        out 0xE9, al
        jmp .vn
.bad:   mov dl, 0
.vn:    inc si
        loop .v
        PRINTLN ""
        CHECK dl, 1                     ; 12 printable ASCII characters
        mov eax, 1
        cpuid
        and edx, (1 << 4) | (1 << 8) | (1 << 15)
        CHECK edx, (1 << 4) | (1 << 8) | (1 << 15) ; TSC, CX8, CMOV

GROUP "rdtsc"
        rdtsc
        mov [M], eax
        mov [M+4], edx
        mov cx, 1000
.spin:  loop .spin
        rdtsc
        sub eax, [M]
        sbb edx, [M+4]                  ; later - earlier: > 0
        TRUE_IF ns, "RDTSC: later - earlier is not negative"
        or eax, edx
        TRUE_IF nz, "RDTSC: later value differs"

ROM_END
