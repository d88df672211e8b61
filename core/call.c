/* call.c: the call protocol (PyObject_Call*, vectorcall). */
#include "internal/pycore.h"

RT_INTERNAL PyObject *call_vector_from_tuple(vectorcallfunc f, PyObject *callable,
                                             PyObject *args, PyObject *kwargs);

static PyObject *
null_error(void)
{
    if (!PyErr_Occurred())
        PyErr_SetString(PyExc_SystemError, "null argument to internal routine");
    return NULL;
}

static inline vectorcallfunc
vectorcall_of(PyObject *callable)
{
    PyTypeObject *tp = Py_TYPE(callable);
    vectorcallfunc f;

    if (!(tp->tp_flags & Py_TPFLAGS_HAVE_VECTORCALL) || tp->tp_vectorcall_offset <= 0)
        return NULL;
    memcpy(&f, (char *)callable + tp->tp_vectorcall_offset, sizeof(f));
    return f;
}

vectorcallfunc
PyVectorcall_Function(PyObject *callable)
{
    return vectorcall_of(callable);
}

/* Converts (tuple, dict) to a vector + kwnames and calls f. */
PyObject *
call_vector_from_tuple(vectorcallfunc f, PyObject *callable, PyObject *args, PyObject *kwargs)
{
    Py_ssize_t nargs = args != NULL ? PyTuple_GET_SIZE(args) : 0, nkw = 0, i;
    PyObject *small[8], **stack, *kwnames = NULL, *key, *value, *res;

    if (kwargs != NULL && !PyDict_Check(kwargs)) {
        PyErr_Format(PyExc_TypeError, "argument after ** must be a mapping, not %.200s",
                     Py_TYPE(kwargs)->tp_name);
        return NULL;
    }
    if (kwargs != NULL)
        nkw = PyDict_Size(kwargs);
    if (nkw == 0 && args != NULL)
        return f(callable, ((PyTupleObject *)args)->ob_item, (size_t)nargs, NULL);
    if (nargs + nkw <= (Py_ssize_t)Py_ARRAY_LENGTH(small)) {
        stack = small;
    } else {
        stack = PyMem_Malloc((size_t)(nargs + nkw) * sizeof(PyObject *));
        if (stack == NULL)
            return PyErr_NoMemory();
    }
    for (i = 0; i < nargs; i++)
        stack[i] = PyTuple_GET_ITEM(args, i);
    if (nkw > 0) {
        kwnames = PyTuple_New(nkw);
        if (kwnames == NULL) {
            res = NULL;
            goto done;
        }
        Py_ssize_t pos = 0, k = 0;
        while (k < nkw && PyDict_Next(kwargs, &pos, &key, &value)) {
            if (!PyUnicode_Check(key)) {
                PyErr_SetString(PyExc_TypeError, "keywords must be strings");
                res = NULL;
                goto done;
            }
            PyTuple_SET_ITEM(kwnames, k, Py_NewRef(key));
            stack[nargs + k] = value;
            k++;
        }
    }
    res = f(callable, stack, (size_t)nargs, kwnames);
done:
    Py_XDECREF(kwnames);
    if (stack != small)
        PyMem_Free(stack);
    return res;
}

PyObject *
PyVectorcall_Call(PyObject *callable, PyObject *tuple, PyObject *dict)
{
    vectorcallfunc f = PyVectorcall_Function(callable);

    if (f == NULL) {
        PyErr_Format(PyExc_TypeError, "'%.200s' object does not support vectorcall",
                     Py_TYPE(callable)->tp_name);
        return NULL;
    }
    return call_vector_from_tuple(f, callable, tuple, dict);
}

PyObject *
PyObject_Call(PyObject *callable, PyObject *args, PyObject *kwargs)
{
    ternaryfunc call;
    PyObject *res;

    if (callable == NULL || args == NULL)
        return null_error();
    if (!PyTuple_Check(args)) {
        PyErr_SetString(PyExc_TypeError, "argument list must be a tuple");
        return NULL;
    }
    if (kwargs != NULL && !PyDict_Check(kwargs)) {
        PyErr_SetString(PyExc_TypeError, "keyword list must be a dictionary");
        return NULL;
    }
    vectorcallfunc vf = PyVectorcall_Function(callable);
    if (vf != NULL)
        return call_vector_from_tuple(vf, callable, args, kwargs);
    call = Py_TYPE(callable)->tp_call;
    if (call == NULL) {
        PyErr_Format(PyExc_TypeError, "'%.200s' object is not callable",
                     Py_TYPE(callable)->tp_name);
        return NULL;
    }
    if (Py_EnterRecursiveCall(" while calling a Python object"))
        return NULL;
    res = call(callable, args, kwargs);
    Py_LeaveRecursiveCall();
    if (res == NULL && !PyErr_Occurred())
        PyErr_Format(PyExc_SystemError, "%R returned NULL without setting an exception",
                     callable);
    return res;
}

PyObject *
PyObject_Vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    vectorcallfunc f = vectorcall_of(callable);
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf), nkw, i;
    PyObject *tuple, *kwdict = NULL, *res;

    if (f != NULL)
        return f(callable, args, nargsf, kwnames);
    tuple = PyTuple_FromArray(args, nargs);
    if (tuple == NULL)
        return NULL;
    nkw = kwnames != NULL ? PyTuple_GET_SIZE(kwnames) : 0;
    if (nkw > 0) {
        kwdict = PyDict_New();
        for (i = 0; kwdict != NULL && i < nkw; i++) {
            if (PyDict_SetItem(kwdict, PyTuple_GET_ITEM(kwnames, i), args[nargs + i]) < 0)
                Py_CLEAR(kwdict);
        }
        if (kwdict == NULL) {
            Py_DECREF(tuple);
            return NULL;
        }
    }
    res = PyObject_Call(callable, tuple, kwdict);
    Py_DECREF(tuple);
    Py_XDECREF(kwdict);
    return res;
}

PyObject *
PyObject_VectorcallDict(PyObject *callable, PyObject *const *args, size_t nargsf,
                        PyObject *kwdict)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    PyObject *tuple, *res;

    if (kwdict == NULL || PyDict_Size(kwdict) == 0)
        return PyObject_Vectorcall(callable, args, (size_t)nargs, NULL);
    tuple = PyTuple_FromArray(args, nargs);
    if (tuple == NULL)
        return NULL;
    res = PyObject_Call(callable, tuple, kwdict);
    Py_DECREF(tuple);
    return res;
}

PyObject *
PyObject_CallObject(PyObject *callable, PyObject *args)
{
    if (args == NULL)
        return PyObject_CallNoArgs(callable);
    return PyObject_Call(callable, args, NULL);
}

PyObject *
PyObject_CallNoArgs(PyObject *func)
{
    return PyObject_Vectorcall(func, NULL, 0, NULL);
}

PyObject *
PyObject_CallOneArg(PyObject *func, PyObject *arg)
{
    return PyObject_Vectorcall(func, &arg, 1, NULL);
}

static PyObject *
call_collect_va(PyObject *callable, PyObject *self, va_list va)
{
    PyObject *small[16], **stack = small, *arg, *res;
    size_t n = 0, cap = Py_ARRAY_LENGTH(small);

    if (self != NULL)
        stack[n++] = self;
    while ((arg = va_arg(va, PyObject *)) != NULL) {
        if (n == cap) {
            PyObject **bigger = PyMem_Malloc(cap * 2 * sizeof(PyObject *));
            if (bigger == NULL) {
                if (stack != small)
                    PyMem_Free(stack);
                return PyErr_NoMemory();
            }
            memcpy(bigger, stack, n * sizeof(PyObject *));
            if (stack != small)
                PyMem_Free(stack);
            stack = bigger;
            cap *= 2;
        }
        stack[n++] = arg;
    }
    res = PyObject_Vectorcall(callable, stack, n, NULL);
    if (stack != small)
        PyMem_Free(stack);
    return res;
}

PyObject *
PyObject_CallFunctionObjArgs(PyObject *callable, ...)
{
    va_list va;
    PyObject *r;

    if (callable == NULL)
        return null_error();
    va_start(va, callable);
    r = call_collect_va(callable, NULL, va);
    va_end(va);
    return r;
}

PyObject *
PyObject_CallMethodObjArgs(PyObject *obj, PyObject *name, ...)
{
    va_list va;
    PyObject *meth, *r;

    if (obj == NULL || name == NULL)
        return null_error();
    meth = PyObject_GetAttr(obj, name);
    if (meth == NULL)
        return NULL;
    va_start(va, name);
    r = call_collect_va(meth, NULL, va);
    va_end(va);
    Py_DECREF(meth);
    return r;
}

PyObject *
PyObject_CallMethodNoArgs(PyObject *self, PyObject *name)
{
    return PyObject_VectorcallMethod(name, &self, 1 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
}

PyObject *
PyObject_CallMethodOneArg(PyObject *self, PyObject *name, PyObject *arg)
{
    PyObject *args[2] = {self, arg};

    return PyObject_VectorcallMethod(name, args, 2 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
}

PyObject *
PyObject_VectorcallMethod(PyObject *name, PyObject *const *args, size_t nargsf,
                          PyObject *kwnames)
{
    PyObject *meth = PyObject_GetAttr(args[0], name), *r;

    if (meth == NULL)
        return NULL;
    r = PyObject_Vectorcall(meth, args + 1, (size_t)(PyVectorcall_NARGS(nargsf) - 1), kwnames);
    Py_DECREF(meth);
    return r;
}
