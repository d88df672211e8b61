/* bücher: a non-ASCII module name; its hook is PyInitU_ + the punycode of
 * the name with '-' made '_' (SEMANTICS 2.3, item 2). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyModuleDef_Slot slots[] = {
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL}};
static PyModuleDef def = {PyModuleDef_HEAD_INIT, "b\xc3\xbc" "cher", "punycode hook", 0, NULL,
                          slots, NULL, NULL, NULL};

PyMODINIT_FUNC
PyInitU_bcher_kva(void)
{
    return PyModuleDef_Init(&def);
}
