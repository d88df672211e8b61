/* int.  pymodrt's int is sign and 64-bit magnitude: it holds every value of
 * long long and of unsigned long long, -(2**64-1) .. 2**64-1.  Arbitrary
 * precision is not offered: a result outside that range raises
 * OverflowError. */
#ifndef Py_LONGOBJECT_H
#define Py_LONGOBJECT_H

typedef struct _longobject PyLongObject;
#ifndef Py_LIMITED_API
struct _longobject {
    PyObject_HEAD
    uint64_t lv_mag;       /* magnitude; immutable after creation */
    int lv_neg;            /* 1 if negative (never for zero) */
};
#endif

PyAPI_DATA(PyTypeObject) PyLong_Type;
#define PyLong_Check(op) PyType_FastSubclass(Py_TYPE(op), Py_TPFLAGS_LONG_SUBCLASS)
#define PyLong_CheckExact(op) Py_IS_TYPE((op), &PyLong_Type)

PyAPI_FUNC(PyObject *) PyLong_FromLong(long);
PyAPI_FUNC(PyObject *) PyLong_FromUnsignedLong(unsigned long);
PyAPI_FUNC(PyObject *) PyLong_FromSize_t(size_t);
PyAPI_FUNC(PyObject *) PyLong_FromSsize_t(Py_ssize_t);
PyAPI_FUNC(PyObject *) PyLong_FromDouble(double);
PyAPI_FUNC(PyObject *) PyLong_FromLongLong(long long);
PyAPI_FUNC(PyObject *) PyLong_FromUnsignedLongLong(unsigned long long);
PyAPI_FUNC(PyObject *) PyLong_FromInt32(int32_t);
PyAPI_FUNC(PyObject *) PyLong_FromInt64(int64_t);
PyAPI_FUNC(PyObject *) PyLong_FromUInt32(uint32_t);
PyAPI_FUNC(PyObject *) PyLong_FromUInt64(uint64_t);
PyAPI_FUNC(PyObject *) PyLong_FromVoidPtr(void *);
PyAPI_FUNC(PyObject *) PyLong_FromString(const char *, char **, int);
PyAPI_FUNC(long) PyLong_AsLong(PyObject *);
PyAPI_FUNC(long) PyLong_AsLongAndOverflow(PyObject *, int *);
PyAPI_FUNC(int) PyLong_AsInt(PyObject *);
PyAPI_FUNC(Py_ssize_t) PyLong_AsSsize_t(PyObject *);
PyAPI_FUNC(size_t) PyLong_AsSize_t(PyObject *);
PyAPI_FUNC(unsigned long) PyLong_AsUnsignedLong(PyObject *);
PyAPI_FUNC(unsigned long) PyLong_AsUnsignedLongMask(PyObject *);
PyAPI_FUNC(long long) PyLong_AsLongLong(PyObject *);
PyAPI_FUNC(unsigned long long) PyLong_AsUnsignedLongLong(PyObject *);
PyAPI_FUNC(unsigned long long) PyLong_AsUnsignedLongLongMask(PyObject *);
PyAPI_FUNC(long long) PyLong_AsLongLongAndOverflow(PyObject *, int *);
PyAPI_FUNC(double) PyLong_AsDouble(PyObject *);
PyAPI_FUNC(void *) PyLong_AsVoidPtr(PyObject *);
PyAPI_FUNC(int) PyLong_AsInt32(PyObject *, int32_t *);
PyAPI_FUNC(int) PyLong_AsInt64(PyObject *, int64_t *);
PyAPI_FUNC(int) PyLong_AsUInt32(PyObject *, uint32_t *);
PyAPI_FUNC(int) PyLong_AsUInt64(PyObject *, uint64_t *);
PyAPI_FUNC(PyObject *) PyNumber_Index(PyObject *);
PyAPI_FUNC(PyObject *) PyNumber_Long(PyObject *);
PyAPI_FUNC(PyObject *) PyNumber_Float(PyObject *);
PyAPI_FUNC(Py_ssize_t) PyNumber_AsSsize_t(PyObject *, PyObject *);
PyAPI_FUNC(int) PyIndex_Check(PyObject *);
PyAPI_FUNC(int) PyNumber_Check(PyObject *);

#endif /* !Py_LONGOBJECT_H */
