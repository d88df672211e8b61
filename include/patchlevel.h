/* Version of the CPython C API that pymodrt implements: 3.15.0 final. */
#ifndef Py_PATCHLEVEL_H
#define Py_PATCHLEVEL_H

#define PY_RELEASE_LEVEL_ALPHA  0xA
#define PY_RELEASE_LEVEL_BETA   0xB
#define PY_RELEASE_LEVEL_GAMMA  0xC
#define PY_RELEASE_LEVEL_FINAL  0xF

#define PY_MAJOR_VERSION        3
#define PY_MINOR_VERSION        15
#define PY_MICRO_VERSION        0
#define PY_RELEASE_LEVEL        PY_RELEASE_LEVEL_FINAL
#define PY_RELEASE_SERIAL       0
#define PY_VERSION              "3.15.0"

#define _Py_PACK_FULL_VERSION(X, Y, Z, LEVEL, SERIAL) \
    (((X) & 0xff) << 24 | ((Y) & 0xff) << 16 | ((Z) & 0xff) << 8 | \
     ((LEVEL) & 0xf) << 4 | ((SERIAL) & 0xf))
#define Py_PACK_FULL_VERSION(X, Y, Z, LEVEL, SERIAL) \
    _Py_PACK_FULL_VERSION(X, Y, Z, LEVEL, SERIAL)
#define Py_PACK_VERSION(X, Y) Py_PACK_FULL_VERSION(X, Y, 0, 0, 0)

#define PY_VERSION_HEX _Py_PACK_FULL_VERSION(PY_MAJOR_VERSION, PY_MINOR_VERSION, \
                            PY_MICRO_VERSION, PY_RELEASE_LEVEL, PY_RELEASE_SERIAL)

/* C API and ABI versions (unchanged since 2006 and 2010; SEMANTICS.md 1.9). */
#define PYTHON_API_VERSION 1013
#define PYTHON_API_STRING "1013"
#define PYTHON_ABI_VERSION 3
#define PYTHON_ABI_STRING "3"

#endif /* !Py_PATCHLEVEL_H */
