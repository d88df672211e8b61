/* bm_compat.h: what lets one benchmark module source compile unmodified
 * against both pymodrt's include/ and a CPython's headers (3.11 and later).
 * Only feature tests on the headers' own macros; no behaviour changes. */
#ifndef BM_COMPAT_H
#define BM_COMPAT_H

/* Slots that older CPythons do not know are simply left out there. */
#ifdef Py_mod_multiple_interpreters
#  define BM_SLOT_MULTI_INTERP {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#else
#  define BM_SLOT_MULTI_INTERP
#endif
#ifdef Py_mod_gil
#  define BM_SLOT_GIL_NOT_USED {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#else
#  define BM_SLOT_GIL_NOT_USED
#endif

/* The 3.15 export-hook protocol (PyModExport_*, PySlot, module tokens). */
#if PY_VERSION_HEX >= 0x030F0000 && defined(Py_mod_token)
#  define BM_HAVE_EXPORT_HOOK 1
#else
#  define BM_HAVE_EXPORT_HOOK 0
#endif

#endif /* !BM_COMPAT_H */
