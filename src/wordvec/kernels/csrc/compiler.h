/* What differs between C compilers (internal): GCC and Clang builtins, MSVC's equivalents.
 *
 * WV_PREFETCH_WRITE(address): ask for the cache line at address, to be written soon (a hint only).
 * WV_PREFETCH_READ(address): ask for the cache line at address, to be read soon (a hint only).
 * WV_RESTRICT: the C99 `restrict` (MSVC's C compiler spells it __restrict before /std:c11).
 * WV_EXPORT: a function the Python side calls through ctypes (MSVC exports only what is marked). */
#ifndef WORDVEC_COMPILER_H
#define WORDVEC_COMPILER_H

#if defined(__GNUC__) || defined(__clang__)
#define WV_PREFETCH_WRITE(address) __builtin_prefetch((address), 1, 3)
#define WV_PREFETCH_READ(address) __builtin_prefetch((address), 0, 3)
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <xmmintrin.h>
#define WV_PREFETCH_WRITE(address) _mm_prefetch((const char *)(address), _MM_HINT_T0)
#define WV_PREFETCH_READ(address) _mm_prefetch((const char *)(address), _MM_HINT_T0)
#else
#define WV_PREFETCH_WRITE(address) ((void)(address))
#define WV_PREFETCH_READ(address) ((void)(address))
#endif

#if defined(_MSC_VER) && !defined(__clang__)
#define WV_RESTRICT __restrict
#else
#define WV_RESTRICT restrict
#endif

#if defined(_WIN32)
#define WV_EXPORT __declspec(dllexport)
#else
#define WV_EXPORT
#endif

#endif
