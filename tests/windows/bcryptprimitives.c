/* Test harness only, never shipped with caseaudit: Rust's standard library
   imports ProcessPrng from bcryptprimitives.dll (Windows 10 and later have it),
   and Debian's Wine 8 lacks it. Put beside caseaudit.exe under Wine, this DLL
   forwards it to BCryptGenRandom. */
#include <windows.h>
#include <bcrypt.h>
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    for (; len > 0;) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
