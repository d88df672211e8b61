/* modsupport.c: populating modules (SEMANTICS.md 9.3). */
#include "internal/module.h"

int
PyModule_AddObjectRef(PyObject *mod, const char *name, PyObject *value)
{
    if (!PyModule_Check(mod)) {
        PyErr_SetString(PyExc_TypeError,
                        "PyModule_AddObjectRef() first argument must be a module");
        return -1;
    }
    if (value == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError,
                            "PyModule_AddObjectRef() must be called with an exception raised if value is NULL");
        return -1;
    }
    return PyDict_SetItemString(((PyModuleObject *)mod)->md_dict, name, value);
}

int
PyModule_Add(PyObject *mod, const char *name, PyObject *value)
{
    int r = PyModule_AddObjectRef(mod, name, value);

    Py_XDECREF(value);   /* stolen, even on failure */
    return r;
}

int
PyModule_AddObject(PyObject *mod, const char *name, PyObject *value)
{
    int r = PyModule_AddObjectRef(mod, name, value);

    if (r == 0)
        Py_DECREF(value);   /* stolen only on success */
    return r;
}

int
PyModule_AddIntConstant(PyObject *m, const char *name, long value)
{
    return PyModule_Add(m, name, PyLong_FromLong(value));
}

int
PyModule_AddStringConstant(PyObject *m, const char *name, const char *value)
{
    return PyModule_Add(m, name, PyUnicode_FromString(value));
}

int
PyModule_AddType(PyObject *module, PyTypeObject *type)
{
    const char *name;

    if (!(type->tp_flags & Py_TPFLAGS_READY) && PyType_Ready(type) < 0)
        return -1;
    name = strrchr(type->tp_name, '.');
    name = name != NULL ? name + 1 : type->tp_name;
    return PyModule_AddObjectRef(module, name, (PyObject *)type);
}

int
PyModule_SetDocString(PyObject *m, const char *doc)
{
    PyObject *v = PyUnicode_FromString(doc);
    int r;

    if (v == NULL)
        return -1;
    r = PyObject_SetAttrString(m, "__doc__", v);
    Py_DECREF(v);
    return r;
}

int
PyModule_AddFunctions(PyObject *m, PyMethodDef *functions)
{
    PyObject *name = PyModule_GetNameObject(m);

    if (name == NULL)
        return -1;
    for (PyMethodDef *f = functions; f->ml_name != NULL; f++) {
        PyObject *func;
        int r;

        if (f->ml_flags & (METH_CLASS | METH_STATIC)) {
            PyErr_SetString(PyExc_ValueError,
                            "module functions cannot set METH_CLASS or METH_STATIC");
            Py_DECREF(name);
            return -1;
        }
        func = PyCFunction_NewEx(f, m, name);
        if (func == NULL) {
            Py_DECREF(name);
            return -1;
        }
        r = PyObject_SetAttrString(m, f->ml_name, func);
        Py_DECREF(func);
        if (r < 0) {
            Py_DECREF(name);
            return -1;
        }
    }
    Py_DECREF(name);
    return 0;
}
