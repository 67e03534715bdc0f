// Internal to the CPU backend: <immintrin.h> for the kernel files, which compile their AVX2 and
// AVX-512 functions with target attributes (kernels.h) while the rest of the library targets the
// baseline. Include it first in a kernel file.
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#define LAMP_X86 1
#if defined(__GNUC__) && !defined(__clang__)
// gcc 12's AVX-512 headers initialise "undefined" vectors from themselves (gcc PR 105593), which
// -Wuninitialized reports inside every kernel that inlines them. Silenced for the kernel files only.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#else
#define LAMP_X86 0
#endif
