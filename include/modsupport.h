/* Argument parsing (PyArg_*) and value building (Py_BuildValue), plus the
 * format-string call helpers PyObject_CallFunction / PyObject_CallMethod.
 *
 * As in CPython 3.13 and later, '#' lengths are always Py_ssize_t: the
 * PY_SSIZE_T_CLEAN macro changes nothing, and the old _SizeT names are no
 * longer macros.  The _SizeT functions still exist for binaries built
 * against older headers (they behave exactly like the plain names). */
#ifndef Py_MODSUPPORT_H
#define Py_MODSUPPORT_H

#include <stdarg.h>

/* The keyword list of PyArg_ParseTupleAndKeywords: 'char * const *' in C
 * (accepts 'char **' and 'char *kwlist[]' without a cast) and
 * 'const char * const *' in C++, as CPython 3.13. */
#ifndef PY_CXX_CONST
#  ifdef __cplusplus
#    define PY_CXX_CONST const
#  else
#    define PY_CXX_CONST
#  endif
#endif

/* An O& converter returns this (instead of 1) to be called again with a
 * NULL object, and the same address, if parsing fails later on. */
#define Py_CLEANUP_SUPPORTED 0x20000

PyAPI_FUNC(int) PyArg_Parse(PyObject *, const char *, ...);
PyAPI_FUNC(int) PyArg_ParseTuple(PyObject *, const char *, ...);
PyAPI_FUNC(int) PyArg_ParseTupleAndKeywords(PyObject *, PyObject *, const char *,
                                            PY_CXX_CONST char * const *, ...);
PyAPI_FUNC(int) PyArg_VaParse(PyObject *, const char *, va_list);
PyAPI_FUNC(int) PyArg_VaParseTupleAndKeywords(PyObject *, PyObject *, const char *,
                                              PY_CXX_CONST char * const *, va_list);
PyAPI_FUNC(int) PyArg_ValidateKeywordArguments(PyObject *);
PyAPI_FUNC(int) PyArg_UnpackTuple(PyObject *, const char *, Py_ssize_t, Py_ssize_t, ...);

PyAPI_FUNC(PyObject *) Py_BuildValue(const char *, ...);
PyAPI_FUNC(PyObject *) Py_VaBuildValue(const char *, va_list);

PyAPI_FUNC(PyObject *) PyObject_CallFunction(PyObject *callable, const char *format, ...);
PyAPI_FUNC(PyObject *) PyObject_CallMethod(PyObject *obj, const char *name,
                                           const char *format, ...);

/* ABI only: symbols that extensions built with CPython <= 3.12 headers and
 * PY_SSIZE_T_CLEAN reference.  New code uses the names above. */
PyAPI_FUNC(int) _PyArg_Parse_SizeT(PyObject *, const char *, ...);
PyAPI_FUNC(int) _PyArg_ParseTuple_SizeT(PyObject *, const char *, ...);
PyAPI_FUNC(int) _PyArg_ParseTupleAndKeywords_SizeT(PyObject *, PyObject *, const char *,
                                                   PY_CXX_CONST char * const *, ...);
PyAPI_FUNC(int) _PyArg_VaParse_SizeT(PyObject *, const char *, va_list);
PyAPI_FUNC(int) _PyArg_VaParseTupleAndKeywords_SizeT(PyObject *, PyObject *, const char *,
                                                     PY_CXX_CONST char * const *, va_list);
PyAPI_FUNC(PyObject *) _Py_BuildValue_SizeT(const char *, ...);
PyAPI_FUNC(PyObject *) _Py_VaBuildValue_SizeT(const char *, va_list);
PyAPI_FUNC(PyObject *) _PyObject_CallFunction_SizeT(PyObject *, const char *, ...);
PyAPI_FUNC(PyObject *) _PyObject_CallMethod_SizeT(PyObject *, const char *, const char *, ...);

#endif /* !Py_MODSUPPORT_H */
