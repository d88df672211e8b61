/* abstract.c: the sequence and mapping protocols over the slot tables. */
#include "internal/pycore.h"

static PyObject *
type_error(const char *msg, PyObject *o)
{
    PyErr_Format(PyExc_TypeError, msg, Py_TYPE(o)->tp_name);
    return NULL;
}

/* --------------------------------------------------------------- sequences */

int
PySequence_Check(PyObject *s)
{
    if (PyDict_Check(s))
        return 0;
    return Py_TYPE(s)->tp_as_sequence != NULL && Py_TYPE(s)->tp_as_sequence->sq_item != NULL;
}

#undef PySequence_Length
Py_ssize_t
PySequence_Size(PyObject *s)
{
    PySequenceMethods *m = Py_TYPE(s)->tp_as_sequence;

    if (m != NULL && m->sq_length != NULL)
        return m->sq_length(s);
    if (Py_TYPE(s)->tp_as_mapping != NULL && Py_TYPE(s)->tp_as_mapping->mp_length != NULL) {
        type_error("%.200s is not a sequence", s);
        return -1;
    }
    type_error("object of type '%.200s' has no len()", s);
    return -1;
}

static int
seq_index(PyObject *s, Py_ssize_t *i)
{
    PySequenceMethods *m = Py_TYPE(s)->tp_as_sequence;

    if (*i < 0 && m->sq_length != NULL) {
        Py_ssize_t n = m->sq_length(s);
        if (n < 0)
            return -1;
        *i += n;
    }
    return 0;
}

PyObject *
PySequence_GetItem(PyObject *s, Py_ssize_t i)
{
    PySequenceMethods *m = Py_TYPE(s)->tp_as_sequence;

    if (m == NULL || m->sq_item == NULL) {
        if (Py_TYPE(s)->tp_as_mapping != NULL && Py_TYPE(s)->tp_as_mapping->mp_subscript != NULL)
            return type_error("%.200s is not a sequence", s);
        return type_error("'%.200s' object does not support indexing", s);
    }
    if (seq_index(s, &i) < 0)
        return NULL;
    return m->sq_item(s, i);
}

static int
seq_set(PyObject *s, Py_ssize_t i, PyObject *v, const char *msg)
{
    PySequenceMethods *m = Py_TYPE(s)->tp_as_sequence;

    if (m == NULL || m->sq_ass_item == NULL) {
        type_error(msg, s);
        return -1;
    }
    if (seq_index(s, &i) < 0)
        return -1;
    return m->sq_ass_item(s, i, v);
}

int
PySequence_SetItem(PyObject *s, Py_ssize_t i, PyObject *v)
{
    if (v == NULL) {
        PyErr_SetString(PyExc_SystemError, "null argument to internal routine");
        return -1;
    }
    return seq_set(s, i, v, "'%.200s' object does not support item assignment");
}

int
PySequence_DelItem(PyObject *s, Py_ssize_t i)
{
    return seq_set(s, i, NULL, "'%.200s' object doesn't support item deletion");
}

PyObject *
PySequence_List(PyObject *v)
{
    PyObject *list = PyList_New(0), *it, *item;

    if (list == NULL)
        return NULL;
    it = PyObject_GetIter(v);
    if (it == NULL) {
        Py_DECREF(list);
        return NULL;
    }
    while ((item = PyIter_Next(it)) != NULL) {
        int r = PyList_Append(list, item);
        Py_DECREF(item);
        if (r < 0)
            break;
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) {
        Py_DECREF(list);
        return NULL;
    }
    return list;
}

PyObject *
PySequence_Tuple(PyObject *v)
{
    PyObject *list, *t;

    if (PyTuple_CheckExact(v))
        return Py_NewRef(v);
    if (PyList_Check(v))
        return PyList_AsTuple(v);
    list = PySequence_List(v);
    if (list == NULL)
        return NULL;
    t = PyList_AsTuple(list);
    Py_DECREF(list);
    return t;
}

PyObject *
PySequence_Fast(PyObject *v, const char *m)
{
    PyObject *r;

    if (v == NULL) {
        PyErr_SetString(PyExc_SystemError, "null argument to internal routine");
        return NULL;
    }
    if (PyList_CheckExact(v) || PyTuple_CheckExact(v))
        return Py_NewRef(v);
    if (Py_TYPE(v)->tp_iter == NULL) {
        PyErr_SetString(PyExc_TypeError, m);
        return NULL;
    }
    r = PySequence_List(v);
    return r;
}

int
PySequence_Contains(PyObject *seq, PyObject *ob)
{
    PySequenceMethods *m = Py_TYPE(seq)->tp_as_sequence;
    PyObject *it, *item;
    int found = 0;

    if (m != NULL && m->sq_contains != NULL)
        return m->sq_contains(seq, ob);
    it = PyObject_GetIter(seq);
    if (it == NULL)
        return -1;
    while (!found && (item = PyIter_Next(it)) != NULL) {
        found = PyObject_RichCompareBool(item, ob, Py_EQ);
        Py_DECREF(item);
        if (found < 0)
            break;
    }
    Py_DECREF(it);
    if (found == 0 && PyErr_Occurred())
        return -1;
    return found;
}

/* ---------------------------------------------------------------- mappings */

int
PyMapping_Check(PyObject *o)
{
    return Py_TYPE(o)->tp_as_mapping != NULL && Py_TYPE(o)->tp_as_mapping->mp_subscript != NULL;
}

#undef PyMapping_Length
Py_ssize_t
PyMapping_Size(PyObject *o)
{
    PyMappingMethods *m = Py_TYPE(o)->tp_as_mapping;

    if (m != NULL && m->mp_length != NULL)
        return m->mp_length(o);
    if (Py_TYPE(o)->tp_as_sequence != NULL && Py_TYPE(o)->tp_as_sequence->sq_length != NULL) {
        type_error("%.200s is not a mapping", o);
        return -1;
    }
    type_error("object of type '%.200s' has no len()", o);
    return -1;
}

PyObject *
PyMapping_GetItemString(PyObject *o, const char *key)
{
    PyObject *k, *r;

    if (PyDict_CheckExact(o)) {
        if (PyDict_GetItemStringRef(o, key, &r) == 0) {
            k = PyUnicode_FromString(key);
            if (k != NULL) {
                PyErr_SetObject(PyExc_KeyError, k);
                Py_DECREF(k);
            }
        }
        return r;
    }
    k = PyUnicode_FromString(key);
    if (k == NULL)
        return NULL;
    r = PyObject_GetItem(o, k);
    Py_DECREF(k);
    return r;
}

int
PyMapping_GetOptionalItem(PyObject *o, PyObject *key, PyObject **result)
{
    if (PyDict_CheckExact(o))
        return PyDict_GetItemRef(o, key, result);
    *result = PyObject_GetItem(o, key);
    if (*result != NULL)
        return 1;
    if (!PyErr_ExceptionMatches(PyExc_KeyError))
        return -1;
    PyErr_Clear();
    return 0;
}

int
PyMapping_GetOptionalItemString(PyObject *o, const char *key, PyObject **result)
{
    PyObject *k;
    int r;

    if (PyDict_CheckExact(o))
        return PyDict_GetItemStringRef(o, key, result);
    k = PyUnicode_FromString(key);
    if (k == NULL) {
        *result = NULL;
        return -1;
    }
    r = PyMapping_GetOptionalItem(o, k, result);
    Py_DECREF(k);
    return r;
}

int
PyMapping_SetItemString(PyObject *o, const char *key, PyObject *value)
{
    PyObject *k = PyUnicode_FromString(key);
    int r;

    if (k == NULL)
        return -1;
    r = PyObject_SetItem(o, k, value);
    Py_DECREF(k);
    return r;
}

int
PyMapping_HasKey(PyObject *o, PyObject *key)
{
    PyObject *v;
    int r = PyMapping_GetOptionalItem(o, key, &v);

    if (r < 0) {
        PyErr_Clear();
        return 0;
    }
    Py_XDECREF(v);
    return r;
}

int
PyMapping_HasKeyString(PyObject *o, const char *key)
{
    PyObject *v;
    int r = PyMapping_GetOptionalItemString(o, key, &v);

    if (r < 0) {
        PyErr_Clear();
        return 0;
    }
    Py_XDECREF(v);
    return r;
}

static PyObject *
mapping_method(PyObject *o, const char *name)
{
    PyObject *n = PyUnicode_FromString(name), *r, *list;

    if (n == NULL)
        return NULL;
    r = PyObject_CallMethodNoArgs(o, n);
    Py_DECREF(n);
    if (r == NULL)
        return NULL;
    if (PyList_CheckExact(r))
        return r;
    list = PySequence_List(r);
    Py_DECREF(r);
    return list;
}

PyObject *
PyMapping_Keys(PyObject *o)
{
    return PyDict_CheckExact(o) ? PyDict_Keys(o) : mapping_method(o, "keys");
}

PyObject *
PyMapping_Values(PyObject *o)
{
    return PyDict_CheckExact(o) ? PyDict_Values(o) : mapping_method(o, "values");
}

PyObject *
PyMapping_Items(PyObject *o)
{
    return PyDict_CheckExact(o) ? PyDict_Items(o) : mapping_method(o, "items");
}
