/* bm_cold: the small multi-phase module that the "load" family imports cold.
 *
 * The build compiles this file once and links it into many distinct shared
 * objects (bm_cold_0000.so, bm_cold_0001.so, ...), each exporting its own
 * hook PyInit_bm_cold_NNNN as an alias of PyInit_bm_cold (bench/modules/
 * mkcopies.sh), so that every import in a run opens a file the process has
 * never seen.  The same copies serve the bare dlopen+dlsym floor.  Copies
 * named bm_reg_N serve the registry family as distinct loaded modules. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "bm_compat.h"

typedef struct {
    long calls;
} cold_state;

static PyObject *
cold_ping(PyObject *module, PyObject *unused)
{
    cold_state *st = PyModule_GetState(module);

    (void)unused;
    st->calls++;
    Py_RETURN_NONE;
}

static PyObject *
cold_add(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    long a, b;

    (void)module;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "add() takes 2 arguments");
        return NULL;
    }
    a = PyLong_AsLong(args[0]);
    b = PyLong_AsLong(args[1]);
    if ((a == -1 || b == -1) && PyErr_Occurred())
        return NULL;
    return PyLong_FromLong(a + b);
}

static int
cold_exec(PyObject *m)
{
    return PyModule_AddIntConstant(m, "VERSION", 1);
}

static PyMethodDef cold_methods[] = {
    {"ping", cold_ping, METH_NOARGS, "Count a call."},
    {"add", (PyCFunction)(void (*)(void))cold_add, METH_FASTCALL, "Add two ints."},
    {NULL, NULL, 0, NULL}
};

static PyModuleDef_Slot cold_slots[] = {
    {Py_mod_exec, (void *)cold_exec},
    BM_SLOT_MULTI_INTERP
    BM_SLOT_GIL_NOT_USED
    {0, NULL}
};

static struct PyModuleDef cold_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "bm_cold",
    .m_doc = "A small module loaded cold by pymodrt-bench.",
    .m_size = sizeof(cold_state),
    .m_methods = cold_methods,
    .m_slots = cold_slots,
};

PyMODINIT_FUNC
PyInit_bm_cold(void)
{
    return PyModuleDef_Init(&cold_def);
}
