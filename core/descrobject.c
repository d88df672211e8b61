/* descrobject.c: method, class-method, member and getset descriptors, and
 * staticmethod/classmethod wrappers.  Descriptors are immutable after
 * creation; they hold a reference to nothing but their name (the type owns
 * them through its dict and outlives them). */
#include "internal/pycore.h"

typedef struct {
    PyDescrObject d;
    union {
        PyMethodDef *method;
        PyMemberDef *member;
        PyGetSetDef *getset;
    } u;
} descr_object;

static PyObject *
descr_new(PyTypeObject *descrtype, PyTypeObject *type, const char *name, void *def)
{
    descr_object *d = (descr_object *)PyType_GenericAlloc(descrtype, 0);

    if (d == NULL)
        return NULL;
    d->d.d_type = type;
    d->d.d_name = PyUnicode_InternFromString(name);
    if (d->d.d_name == NULL) {
        Py_DECREF(d);
        return NULL;
    }
    d->u.method = def;
    return (PyObject *)d;
}

static void
descr_dealloc(PyObject *self)
{
    descr_object *d = (descr_object *)self;

    Py_XDECREF(d->d.d_name);
    Py_XDECREF(d->d.d_qualname);
    PyObject_Free(self);
}

static PyObject *
descr_repr(PyObject *self)
{
    descr_object *d = (descr_object *)self;
    const char *kind = Py_IS_TYPE(self, &PyMethodDescr_Type) ? "method" :
                       Py_IS_TYPE(self, &PyMemberDescr_Type) ? "member" :
                       Py_IS_TYPE(self, &PyGetSetDescr_Type) ? "attribute" : "method";

    return PyUnicode_FromFormat("<%s '%V' of '%s' objects>", kind, d->d.d_name, "?",
                                d->d.d_type->tp_name);
}

/* An instance of the wrong type reaching a descriptor. */
static int
descr_check(descr_object *d, PyObject *obj)
{
    if (PyObject_TypeCheck(obj, d->d.d_type))
        return 0;
    PyErr_Format(PyExc_TypeError,
                 "descriptor '%V' for '%.100s' objects doesn't apply to a '%.100s' object",
                 d->d.d_name, "?", d->d.d_type->tp_name, Py_TYPE(obj)->tp_name);
    return -1;
}

/* The start every descriptor's __get__ shares: accessed on the class, the
 * descriptor itself (*result set, returns 1); on a wrong instance, an
 * error (returns -1); otherwise 0 and the caller binds. */
static int
descr_get_start(PyObject *self, PyObject *obj, PyObject **result)
{
    if (obj == NULL) {
        *result = Py_NewRef(self);
        return 1;
    }
    if (descr_check((descr_object *)self, obj) < 0) {
        *result = NULL;
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- methods */

static PyObject *
method_get(PyObject *self, PyObject *obj, PyObject *type)
{
    descr_object *d = (descr_object *)self;
    PyObject *r;

    (void)type;
    if (descr_get_start(self, obj, &r) != 0)
        return r;
    if (d->u.method->ml_flags & METH_METHOD)
        return PyCMethod_New(d->u.method, obj, NULL, d->d.d_type);
    return PyCFunction_NewEx(d->u.method, obj, NULL);
}

RT_INTERNAL PyObject *cfunc_call_def(PyMethodDef *ml, PyObject *self, PyTypeObject *cls,
                                     PyObject *const *args, size_t nargsf, PyObject *kwnames);

static PyObject *
method_vectorcall(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    descr_object *d = (descr_object *)self;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);

    if (nargs < 1) {
        PyErr_Format(PyExc_TypeError, "unbound method %V needs an argument",
                     d->d.d_name, "?");
        return NULL;
    }
    if (descr_check(d, args[0]) < 0)
        return NULL;
    return cfunc_call_def(d->u.method, args[0], d->d.d_type, args + 1,
                          (size_t)(nargs - 1), kwnames);
}

RT_INTERNAL PyObject *call_vector_from_tuple(vectorcallfunc f, PyObject *callable,
                                             PyObject *args, PyObject *kwargs);

static PyObject *
method_call(PyObject *self, PyObject *args, PyObject *kwargs)
{
    return call_vector_from_tuple(method_vectorcall, self, args, kwargs);
}

PyTypeObject PyMethodDescr_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "method_descriptor",
    .tp_basicsize = sizeof(descr_object),
    .tp_dealloc = descr_dealloc,
    .tp_repr = descr_repr,
    .tp_call = method_call,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_METHOD_DESCRIPTOR,
    .tp_descr_get = method_get,
};

static PyObject *
classmethod_get(PyObject *self, PyObject *obj, PyObject *type)
{
    descr_object *d = (descr_object *)self;

    if (type == NULL)
        type = (PyObject *)Py_TYPE(obj);
    if (d->u.method->ml_flags & METH_METHOD)
        return PyCMethod_New(d->u.method, type, NULL, d->d.d_type);
    return PyCFunction_NewEx(d->u.method, type, NULL);
}

PyTypeObject PyClassMethodDescr_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "classmethod_descriptor",
    .tp_basicsize = sizeof(descr_object),
    .tp_dealloc = descr_dealloc,
    .tp_repr = descr_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_descr_get = classmethod_get,
};

PyObject *
PyDescr_NewMethod(PyTypeObject *type, PyMethodDef *m)
{
    return descr_new(&PyMethodDescr_Type, type, m->ml_name, m);
}

PyObject *
PyDescr_NewClassMethod(PyTypeObject *type, PyMethodDef *m)
{
    return descr_new(&PyClassMethodDescr_Type, type, m->ml_name, m);
}

/* ---------------------------------------------------------------- members */

PyObject *
PyMember_GetOne(const char *base, PyMemberDef *m)
{
    const char *addr = base + m->offset;
    PyObject *v;

    switch (m->type) {
    case Py_T_BOOL: return PyBool_FromLong(*(const char *)addr);
    case Py_T_BYTE: return PyLong_FromLong(*(const signed char *)addr);
    case Py_T_UBYTE: return PyLong_FromLong(*(const unsigned char *)addr);
    case Py_T_SHORT: return PyLong_FromLong(*(const short *)addr);
    case Py_T_USHORT: return PyLong_FromLong(*(const unsigned short *)addr);
    case Py_T_INT: return PyLong_FromLong(*(const int *)addr);
    case Py_T_UINT: return PyLong_FromUnsignedLong(*(const unsigned int *)addr);
    case Py_T_LONG: return PyLong_FromLong(*(const long *)addr);
    case Py_T_ULONG: return PyLong_FromUnsignedLong(*(const unsigned long *)addr);
    case Py_T_PYSSIZET: return PyLong_FromSsize_t(*(const Py_ssize_t *)addr);
    case Py_T_FLOAT: return PyFloat_FromDouble(*(const float *)addr);
    case Py_T_DOUBLE: return PyFloat_FromDouble(*(const double *)addr);
    case Py_T_LONGLONG: return PyLong_FromLongLong(*(const long long *)addr);
    case Py_T_ULONGLONG: return PyLong_FromUnsignedLongLong(*(const unsigned long long *)addr);
    case Py_T_CHAR: return PyUnicode_FromStringAndSize(addr, 1);
    case Py_T_STRING:
        if (*(char *const *)addr == NULL)
            Py_RETURN_NONE;
        return PyUnicode_FromString(*(char *const *)addr);
    case Py_T_STRING_INPLACE: return PyUnicode_FromString(addr);
    case _Py_T_OBJECT:
        v = __atomic_load_n((PyObject *const *)addr, __ATOMIC_ACQUIRE);
        return Py_NewRef(v != NULL ? v : Py_None);
    case Py_T_OBJECT_EX:
        v = __atomic_load_n((PyObject *const *)addr, __ATOMIC_ACQUIRE);
        if (v == NULL) {
            PyErr_Format(PyExc_AttributeError, "'%s' object has no attribute '%s'",
                         "object", m->name);
            return NULL;
        }
        return Py_NewRef(v);
    case _Py_T_NONE: Py_RETURN_NONE;
    default:
        PyErr_SetString(PyExc_SystemError, "bad memberdescr type");
        return NULL;
    }
}

#define SET_INT(ctype, lo, hi) do { \
        long long x_ = PyLong_AsLongLong(v); \
        if (x_ == -1 && PyErr_Occurred()) return -1; \
        if (x_ < (lo) || x_ > (hi)) { \
            PyErr_SetString(PyExc_OverflowError, "Python int too large to convert to C " #ctype); \
            return -1; } \
        *(ctype *)addr = (ctype)x_; } while (0)

int
PyMember_SetOne(char *base, PyMemberDef *m, PyObject *v)
{
    char *addr = base + m->offset;

    if (m->flags & Py_READONLY) {
        PyErr_SetString(PyExc_AttributeError, "readonly attribute");
        return -1;
    }
    if (v == NULL && m->type != _Py_T_OBJECT && m->type != Py_T_OBJECT_EX) {
        PyErr_SetString(PyExc_TypeError, "can't delete numeric/char attribute");
        return -1;
    }
    switch (m->type) {
    case Py_T_BOOL:
        if (!PyBool_Check(v)) {
            PyErr_SetString(PyExc_TypeError, "attribute value type must be bool");
            return -1;
        }
        *(char *)addr = v == Py_True;
        return 0;
    case Py_T_BYTE: SET_INT(signed char, SCHAR_MIN, SCHAR_MAX); return 0;
    case Py_T_UBYTE: SET_INT(unsigned char, 0, UCHAR_MAX); return 0;
    case Py_T_SHORT: SET_INT(short, SHRT_MIN, SHRT_MAX); return 0;
    case Py_T_USHORT: SET_INT(unsigned short, 0, USHRT_MAX); return 0;
    case Py_T_INT: SET_INT(int, INT_MIN, INT_MAX); return 0;
    case Py_T_UINT: SET_INT(unsigned int, 0, UINT_MAX); return 0;
    case Py_T_LONG: SET_INT(long, LONG_MIN, LONG_MAX); return 0;
    case Py_T_PYSSIZET: SET_INT(Py_ssize_t, PY_SSIZE_T_MIN, PY_SSIZE_T_MAX); return 0;
    case Py_T_LONGLONG: SET_INT(long long, LLONG_MIN, LLONG_MAX); return 0;
    case Py_T_ULONG: {
        unsigned long x = PyLong_AsUnsignedLong(v);
        if (x == (unsigned long)-1 && PyErr_Occurred())
            return -1;
        *(unsigned long *)addr = x;
        return 0;
    }
    case Py_T_ULONGLONG: {
        unsigned long long x = PyLong_AsUnsignedLongLong(v);
        if (x == (unsigned long long)-1 && PyErr_Occurred())
            return -1;
        *(unsigned long long *)addr = x;
        return 0;
    }
    case Py_T_FLOAT: case Py_T_DOUBLE: {
        double x = PyFloat_AsDouble(v);
        if (x == -1.0 && PyErr_Occurred())
            return -1;
        if (m->type == Py_T_FLOAT)
            *(float *)addr = (float)x;
        else
            *(double *)addr = x;
        return 0;
    }
    case _Py_T_OBJECT: case Py_T_OBJECT_EX: {
        PyObject *old;
        if (v == NULL && m->type == Py_T_OBJECT_EX &&
            __atomic_load_n((PyObject **)addr, __ATOMIC_ACQUIRE) == NULL) {
            PyErr_SetString(PyExc_AttributeError, m->name);
            return -1;
        }
        old = __atomic_exchange_n((PyObject **)addr, Py_XNewRef(v), __ATOMIC_ACQ_REL);
        if (old != NULL)
            rt_epoch_defer_decref(old);
        return 0;
    }
    default:
        PyErr_Format(PyExc_SystemError, "bad memberdescr type for %s", m->name);
        return -1;
    }
}

static PyObject *
member_get(PyObject *self, PyObject *obj, PyObject *type)
{
    descr_object *d = (descr_object *)self;
    PyMemberDef *m = d->u.member;
    PyObject *r;

    (void)type;
    if (descr_get_start(self, obj, &r) != 0)
        return r;
    if (m->type == Py_T_OBJECT_EX) {
        PyObject *v = __atomic_load_n((PyObject **)((char *)obj + m->offset), __ATOMIC_ACQUIRE);
        if (v == NULL) {
            PyErr_Format(PyExc_AttributeError, "'%.200s' object has no attribute '%s'",
                         Py_TYPE(obj)->tp_name, m->name);
            return NULL;
        }
        return Py_NewRef(v);
    }
    return PyMember_GetOne((const char *)obj, m);
}

static int
member_set(PyObject *self, PyObject *obj, PyObject *value)
{
    descr_object *d = (descr_object *)self;

    if (descr_check(d, obj) < 0)
        return -1;
    if (d->u.member->flags & Py_READONLY) {
        PyErr_Format(PyExc_AttributeError, "attribute '%V' of '%.100s' objects is not writable",
                     d->d.d_name, "?", d->d.d_type->tp_name);
        return -1;
    }
    return PyMember_SetOne((char *)obj, d->u.member, value);
}

PyTypeObject PyMemberDescr_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "member_descriptor",
    .tp_basicsize = sizeof(descr_object),
    .tp_dealloc = descr_dealloc,
    .tp_repr = descr_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_descr_get = member_get,
    .tp_descr_set = member_set,
};

PyObject *
PyDescr_NewMember(PyTypeObject *type, PyMemberDef *m)
{
    if (m->flags & Py_RELATIVE_OFFSET) {
        PyErr_SetString(PyExc_SystemError,
                        "PyDescr_NewMember used with Py_RELATIVE_OFFSET");
        return NULL;
    }
    return descr_new(&PyMemberDescr_Type, type, m->name, m);
}

/* ---------------------------------------------------------------- getsets */

static PyObject *
getset_get(PyObject *self, PyObject *obj, PyObject *type)
{
    descr_object *d = (descr_object *)self;
    PyObject *r;

    (void)type;
    if (descr_get_start(self, obj, &r) != 0)
        return r;
    if (d->u.getset->get == NULL) {
        PyErr_Format(PyExc_AttributeError, "attribute '%V' of '%.100s' objects is not readable",
                     d->d.d_name, "?", d->d.d_type->tp_name);
        return NULL;
    }
    return d->u.getset->get(obj, d->u.getset->closure);
}

static int
getset_set(PyObject *self, PyObject *obj, PyObject *value)
{
    descr_object *d = (descr_object *)self;

    if (descr_check(d, obj) < 0)
        return -1;
    if (d->u.getset->set == NULL) {
        PyErr_Format(PyExc_AttributeError, "attribute '%V' of '%.100s' objects is not writable",
                     d->d.d_name, "?", d->d.d_type->tp_name);
        return -1;
    }
    return d->u.getset->set(obj, value, d->u.getset->closure);
}

PyTypeObject PyGetSetDescr_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "getset_descriptor",
    .tp_basicsize = sizeof(descr_object),
    .tp_dealloc = descr_dealloc,
    .tp_repr = descr_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_descr_get = getset_get,
    .tp_descr_set = getset_set,
};

PyObject *
PyDescr_NewGetSet(PyTypeObject *type, PyGetSetDef *g)
{
    return descr_new(&PyGetSetDescr_Type, type, g->name, g);
}

/* ------------------------------------------------ staticmethod, classmethod */

typedef struct {
    PyObject_HEAD
    PyObject *callable;        /* immutable */
} wrapper_object;

static void
wrapper_dealloc(PyObject *self)
{
    Py_XDECREF(((wrapper_object *)self)->callable);
    PyObject_Free(self);
}

static PyObject *
wrapper_new(PyTypeObject *tp, PyObject *callable)
{
    wrapper_object *w = (wrapper_object *)PyType_GenericAlloc(tp, 0);

    if (w == NULL)
        return NULL;
    w->callable = Py_NewRef(callable);
    return (PyObject *)w;
}

static PyObject *
staticmethod_get(PyObject *self, PyObject *obj, PyObject *type)
{
    (void)obj;
    (void)type;
    return Py_NewRef(((wrapper_object *)self)->callable);
}

static PyObject *
wrapper_call(PyObject *self, PyObject *args, PyObject *kwargs)
{
    return PyObject_Call(((wrapper_object *)self)->callable, args, kwargs);
}

PyTypeObject PyStaticMethod_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "staticmethod",
    .tp_basicsize = sizeof(wrapper_object),
    .tp_dealloc = wrapper_dealloc,
    .tp_call = wrapper_call,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_descr_get = staticmethod_get,
};

PyObject *
PyStaticMethod_New(PyObject *callable)
{
    return wrapper_new(&PyStaticMethod_Type, callable);
}

static PyObject *
classmethod_wrapper_get(PyObject *self, PyObject *obj, PyObject *type)
{
    PyObject *callable = ((wrapper_object *)self)->callable;

    if (type == NULL)
        type = (PyObject *)Py_TYPE(obj);
    if (PyCFunction_Check(callable)) {
        PyCFunctionObject *f = (PyCFunctionObject *)callable;
        return PyCFunction_NewEx(f->m_ml, type, f->m_module);
    }
    return Py_NewRef(callable);
}

PyTypeObject PyClassMethod_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "classmethod",
    .tp_basicsize = sizeof(wrapper_object),
    .tp_dealloc = wrapper_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_descr_get = classmethod_wrapper_get,
};

PyObject *
PyClassMethod_New(PyObject *callable)
{
    return wrapper_new(&PyClassMethod_Type, callable);
}
