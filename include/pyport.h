/* Portability definitions shared by every public header. */
#ifndef Py_PYPORT_H
#define Py_PYPORT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#if !defined(__x86_64__) && !defined(__aarch64__) && !defined(__powerpc64__) && \
    !defined(__riscv) && !defined(__s390x__)
#  error "pymodrt supports 64-bit (LP64) platforms only"
#endif

typedef ssize_t Py_ssize_t;
typedef Py_ssize_t Py_hash_t;
typedef size_t Py_uhash_t;
typedef Py_ssize_t Py_ssize_clean_t;
typedef uint32_t Py_UCS4;
typedef uint16_t Py_UCS2;
typedef uint8_t Py_UCS1;

#define PY_SSIZE_T_MAX ((Py_ssize_t)(((size_t)-1) >> 1))
#define PY_SSIZE_T_MIN (-PY_SSIZE_T_MAX - 1)
#define PY_UINT32_T uint32_t
#define PY_UINT64_T uint64_t
#define PY_INT32_T int32_t
#define PY_INT64_T int64_t
#define PY_LONG_LONG long long
#define PY_LLONG_MIN LLONG_MIN
#define PY_LLONG_MAX LLONG_MAX
#define PY_ULLONG_MAX ULLONG_MAX
#define PY_FORMAT_SIZE_T "z"

/* Export control.  The runtime is built with -fvisibility=hidden; only what
 * is marked PyAPI_* (CPython's API) or PYMODRT_API (ours) is exported. */
#define Py_EXPORTED_SYMBOL __attribute__((visibility("default")))
#define Py_IMPORTED_SYMBOL __attribute__((visibility("default")))
#define Py_LOCAL_SYMBOL    __attribute__((visibility("hidden")))
#define PyAPI_FUNC(RTYPE)  Py_EXPORTED_SYMBOL RTYPE
#define PyAPI_DATA(RTYPE)  extern Py_EXPORTED_SYMBOL RTYPE
#define PyMODINIT_FUNC_DECLSPEC Py_EXPORTED_SYMBOL
#ifdef __cplusplus
#  define _PyINIT_FUNC_DECLSPEC extern "C" Py_EXPORTED_SYMBOL
#else
#  define _PyINIT_FUNC_DECLSPEC Py_EXPORTED_SYMBOL
#endif

#define Py_LOCAL(type) static type
#define Py_LOCAL_INLINE(type) static inline type
#define Py_ALWAYS_INLINE __attribute__((always_inline))
#define Py_NO_INLINE __attribute__((noinline))
#define _Py_NO_RETURN __attribute__((__noreturn__))
#define Py_NO_RETURN _Py_NO_RETURN
#define Py_DEPRECATED(VERSION_UNUSED) __attribute__((__deprecated__))
#define _Py_COMP_DIAG_PUSH _Pragma("GCC diagnostic push")
#define _Py_COMP_DIAG_IGNORE_DEPR_DECLS \
    _Pragma("GCC diagnostic ignored \"-Wdeprecated-declarations\"")
#define _Py_COMP_DIAG_POP _Pragma("GCC diagnostic pop")
#define Py_GCC_ATTRIBUTE(x) __attribute__(x)
#define Py_UNUSED(name) _unused_ ## name __attribute__((unused))
#define Py_UNREACHABLE() __builtin_unreachable()
#define Py_SAFE_DOWNCAST(VALUE, WIDE, NARROW) ((NARROW)(VALUE))
#define Py_CHARMASK(c) ((unsigned char)((c) & 0xff))
#define Py_ARITHMETIC_RIGHT_SHIFT(TYPE, I, J) ((I) >> (J))

#ifdef __cplusplus
#  define _Py_CAST(type, expr) ((type)(expr))
#  define _Py_NULL nullptr
#else
#  define _Py_CAST(type, expr) ((type)(expr))
#  define _Py_NULL NULL
#endif

#endif /* !Py_PYPORT_H */
