/* bm_multi: the multi-phase module behind most benchmark families.
 *
 * - exec family: re-imported after removal from sys.modules (create + exec).
 * - registry family: imported and looked up while loaded.
 * - state family: per-module state (PyModule_GetState), a heap type Base
 *   defined with the module (PyType_GetModuleByDef, and a METH_METHOD method
 *   reading state through its defining class), and subclasses Sub1..Sub8
 *   without a module, Sub8 eight levels below Base (the MRO walk).
 * - calls family: one module function per calling convention.
 *
 * Compiles unmodified against pymodrt's headers and CPython's (bm_compat.h). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "bm_compat.h"

typedef struct {
    PyObject *base_type;        /* Base, defined with this module */
    long counter;
    int flag;
} multi_state;

static PyModuleDef multi_def;

/* ------------------------------------------------------ module functions */

static PyObject *
f_noargs(PyObject *module, PyObject *unused)
{
    (void)module; (void)unused;
    Py_RETURN_NONE;
}

static PyObject *
f_o(PyObject *module, PyObject *arg)
{
    (void)module;
    return Py_NewRef(arg);
}

static PyObject *
f_fastcall(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "fastcall() takes 2 arguments");
        return NULL;
    }
    return Py_NewRef(args[1]);
}

static PyObject *
f_varargs(PyObject *module, PyObject *args)
{
    int a, b;

    (void)module;
    if (!PyArg_ParseTuple(args, "ii:varargs", &a, &b))
        return NULL;
    if (a + b == -12345)        /* keep the parsed values observable */
        Py_RETURN_TRUE;
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------ Base type */

/* METH_METHOD: the defining class leads to the module state. */
static PyObject *
base_get_flag(PyObject *self, PyTypeObject *defining_class, PyObject *const *args,
              Py_ssize_t nargs, PyObject *kwnames)
{
    multi_state *st;

    (void)self; (void)args;
    if (nargs != 0 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0)) {
        PyErr_SetString(PyExc_TypeError, "get_flag() takes no arguments");
        return NULL;
    }
    st = PyType_GetModuleState(defining_class);
    if (st == NULL)
        return NULL;
    return PyBool_FromLong(st->flag);
}

static PyMethodDef base_methods[] = {
    {"get_flag", (PyCFunction)(void (*)(void))base_get_flag,
     METH_METHOD | METH_FASTCALL | METH_KEYWORDS, "Read module state through the defining class."},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot base_slots[] = {
    {Py_tp_methods, base_methods},
    {Py_tp_doc, (void *)"A type defined with bm_multi."},
    {0, NULL}
};

static PyType_Spec base_spec = {
    .name = "bm_multi.Base",
    .basicsize = sizeof(PyObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .slots = base_slots,
};

/* Sub1..Sub8: plain subclasses, no module of their own. */
static PyType_Slot sub_slots[] = {{0, NULL}};
#define SUB_SPEC(n) { .name = "bm_multi.Sub" #n, .basicsize = sizeof(PyObject), \
                      .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, .slots = sub_slots }
static PyType_Spec sub_specs[8] = {
    SUB_SPEC(1), SUB_SPEC(2), SUB_SPEC(3), SUB_SPEC(4),
    SUB_SPEC(5), SUB_SPEC(6), SUB_SPEC(7), SUB_SPEC(8),
};

/* ---------------------------------------------------------------- module */

static int
multi_exec(PyObject *m)
{
    multi_state *st = PyModule_GetState(m);
    PyObject *prev;
    int i;

    st->flag = 1;
    st->base_type = PyType_FromModuleAndSpec(m, &base_spec, NULL);
    if (st->base_type == NULL)
        return -1;
    if (PyModule_AddObjectRef(m, "Base", st->base_type) < 0)
        return -1;
    prev = st->base_type;
    for (i = 0; i < 8; i++) {
        PyObject *sub = PyType_FromSpecWithBases(&sub_specs[i], prev);
        const char *dot;

        if (sub == NULL)
            return -1;
        dot = strrchr(sub_specs[i].name, '.');
        if (PyModule_AddObjectRef(m, dot + 1, sub) < 0) {
            Py_DECREF(sub);
            return -1;
        }
        Py_DECREF(sub);         /* the module's dict holds it */
        prev = sub;
    }
    return PyModule_AddIntConstant(m, "DEPTH", 8);
}

static int
multi_traverse(PyObject *m, visitproc visit, void *arg)
{
    multi_state *st = PyModule_GetState(m);

    if (st != NULL)
        Py_VISIT(st->base_type);
    return 0;
}

static int
multi_clear(PyObject *m)
{
    multi_state *st = PyModule_GetState(m);

    if (st != NULL)
        Py_CLEAR(st->base_type);
    return 0;
}

static void
multi_free(void *m)
{
    multi_clear((PyObject *)m);
}

static PyMethodDef multi_methods[] = {
    {"noargs", f_noargs, METH_NOARGS, "METH_NOARGS, returns None."},
    {"o", f_o, METH_O, "METH_O, returns its argument."},
    {"fastcall", (PyCFunction)(void (*)(void))f_fastcall, METH_FASTCALL,
     "METH_FASTCALL, two arguments, returns the second."},
    {"varargs", f_varargs, METH_VARARGS, "METH_VARARGS, parses two ints."},
    {NULL, NULL, 0, NULL}
};

static PyModuleDef_Slot multi_slots[] = {
    {Py_mod_exec, (void *)multi_exec},
    BM_SLOT_MULTI_INTERP
    BM_SLOT_GIL_NOT_USED
    {0, NULL}
};

static PyModuleDef multi_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "bm_multi",
    .m_doc = "pymodrt-bench: multi-phase module with state and types.",
    .m_size = sizeof(multi_state),
    .m_methods = multi_methods,
    .m_slots = multi_slots,
    .m_traverse = multi_traverse,
    .m_clear = multi_clear,
    .m_free = multi_free,
};

PyMODINIT_FUNC
PyInit_bm_multi(void)
{
    return PyModuleDef_Init(&multi_def);
}
