/* pymodrt: build configuration seen by extension modules.
 *
 * pymodrt presents itself as a free-threaded CPython 3.15: Py_GIL_DISABLED is
 * defined so that free-threading-aware sources take their free-threaded
 * branches (PyUnstable_Module_SetGIL, critical sections).  The object header
 * keeps the GIL-build layout (SEMANTICS.md, "Layout"); thread safety comes
 * from how reference counts are updated, not from the header's shape. */
#ifndef Py_PYCONFIG_H
#define Py_PYCONFIG_H

#ifndef Py_GIL_DISABLED
#  define Py_GIL_DISABLED 1
#endif

#define SIZEOF_VOID_P 8
#define SIZEOF_SIZE_T 8
#define SIZEOF_LONG 8
#define SIZEOF_INT 4
#define SIZEOF_LONG_LONG 8
#define SIZEOF_WCHAR_T 4
#define HAVE_DLOPEN 1
#define HAVE_DYNAMIC_LOADING 1
#if defined(__aarch64__)
#  define SOABI "pymodrt-315t-aarch64-linux-gnu"
#else
#  define SOABI "pymodrt-315t-x86_64-linux-gnu"
#endif
#define PYMODRT 1

#endif /* !Py_PYCONFIG_H */
