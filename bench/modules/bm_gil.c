/* bm_gil: a multi-phase module that does not declare Py_MOD_GIL_NOT_USED.
 * Importing it switches pymodrt's GIL on (mode "auto") for the GIL family;
 * under CPython (always a GIL) it changes nothing.
 *
 * Compiles unmodified against pymodrt's headers and CPython's. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "bm_compat.h"

static PyModuleDef_Slot gil_slots[] = {
    BM_SLOT_MULTI_INTERP
    {0, NULL}
};

static struct PyModuleDef gil_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "bm_gil",
    .m_doc = "pymodrt-bench: a module that needs the GIL.",
    .m_size = 0,
    .m_slots = gil_slots,
};

PyMODINIT_FUNC
PyInit_bm_gil(void)
{
    return PyModuleDef_Init(&gil_def);
}
