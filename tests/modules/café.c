/* café: a non-ASCII name may not use single-phase init (item 17). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyModuleDef def = {PyModuleDef_HEAD_INIT, "caf\xc3\xa9", NULL, -1, NULL, NULL, NULL,
                          NULL, NULL};

PyMODINIT_FUNC
PyInitU_caf_dma(void)
{
    return PyModule_Create(&def);
}
