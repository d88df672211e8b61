/* The sys module's C API. */
#ifndef Py_SYSMODULE_H
#define Py_SYSMODULE_H

PyAPI_FUNC(PyObject *) PySys_GetObject(const char *);
PyAPI_FUNC(int) PySys_SetObject(const char *, PyObject *);

#endif /* !Py_SYSMODULE_H */
