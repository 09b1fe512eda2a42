/*
 * Test-only stand-in for Windows' bcryptprimitives.dll under Debian's wine 8.0, which lacks
 * ProcessPrng: Rust's standard library (1.78 and later) imports it for random numbers (the
 * seeds of HashMap). Real Windows 10 and 11 have the DLL; this file is never shipped.
 * .ci/windows builds it with mingw-w64 and puts it next to the test .exe.
 *
 * ProcessPrng fills the buffer from RtlGenRandom (advapi32's SystemFunction036), which wine
 * has, in chunks of at most ULONG bytes.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x7fffffffUL ? 0x7fffffffUL : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
