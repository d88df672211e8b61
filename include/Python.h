/* pymodrt's Python.h: the CPython C API subset that extension modules use,
 * with CPython's names, signatures and semantics.  A module written for
 * CPython 3.15 compiles against it unmodified. */
#ifndef Py_PYTHON_H
#define Py_PYTHON_H

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "pyconfig.h"
#include "patchlevel.h"
#include "pyport.h"
#include "pymacro.h"

#ifdef __cplusplus
extern "C" {
#endif

#include "object.h"
#include "pymem.h"
#include "objimpl.h"
#include "longobject.h"
#include "boolobject.h"
#include "floatobject.h"
#include "unicodeobject.h"
#include "bytesobject.h"
#include "tupleobject.h"
#include "listobject.h"
#include "dictobject.h"
#include "methodobject.h"
#include "moduleobject.h"
#include "modsupport.h"
#include "import.h"
#include "sysmodule.h"
#include "descrobject.h"
#include "pycapsule.h"
#include "pyerrors.h"
#include "pystate.h"
#include "pylock.h"
#include "ceval.h"
#include "pylifecycle.h"
#include "abstract.h"

#ifdef __cplusplus
}
#endif

#endif /* !Py_PYTHON_H */
