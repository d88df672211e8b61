/* Module objects and module definitions (SEMANTICS.md 1.2-1.8, 9). */
#ifndef Py_MODULEOBJECT_H
#define Py_MODULEOBJECT_H

PyAPI_DATA(PyTypeObject) PyModule_Type;
PyAPI_DATA(PyTypeObject) PyModuleDef_Type;
#define PyModule_Check(op) PyObject_TypeCheck((op), &PyModule_Type)
#define PyModule_CheckExact(op) Py_IS_TYPE((op), &PyModule_Type)

typedef struct PyModuleDef_Base {
    PyObject_HEAD
    PyObject *(*m_init)(void);
    Py_ssize_t m_index;
    PyObject *m_copy;
} PyModuleDef_Base;

#define PyModuleDef_HEAD_INIT { PyObject_HEAD_INIT(_Py_NULL) _Py_NULL, 0, _Py_NULL }

struct PyModuleDef_Slot;
typedef struct PyModuleDef_Slot {
    int slot;
    void *value;
} PyModuleDef_Slot;

struct PyModuleDef {
    PyModuleDef_Base m_base;
    const char *m_name;
    const char *m_doc;
    Py_ssize_t m_size;
    PyMethodDef *m_methods;
    PyModuleDef_Slot *m_slots;
    traverseproc m_traverse;
    inquiry m_clear;
    freefunc m_free;
};
typedef struct PyModuleDef PyModuleDef;

/* ------------------------------------------------- PySlot (3.15, PEP 820) */

typedef struct PySlot {
    uint16_t sl_id;
    uint16_t sl_flags;
    _Py_ANONYMOUS union {
        uint32_t sl_reserved;
    };
    _Py_ANONYMOUS union {
        void *sl_ptr;
        void (*sl_func)(void);
        Py_ssize_t sl_size;
        int64_t sl_int64;
        uint64_t sl_uint64;
    };
} PySlot;

#define PySlot_OPTIONAL 0x01
#define PySlot_STATIC   0x02
#define PySlot_INTPTR   0x04

#define Py_slot_end 0
#define Py_slot_subslots 92
#define Py_tp_slots 93
#define Py_mod_slots 94
#define Py_slot_invalid 0xFFFF
#define _Py_slot_COUNT 111

#if defined(Py_LIMITED_API) && Py_LIMITED_API + 0 < 0x030F0000
#  define _Py_SLOT_COMPAT_VALUE(OLD, NEW) OLD
#else
#  define _Py_SLOT_COMPAT_VALUE(OLD, NEW) NEW
#endif

#define Py_mod_create _Py_SLOT_COMPAT_VALUE(1, 84)
#define Py_mod_exec _Py_SLOT_COMPAT_VALUE(2, 85)
#define Py_mod_multiple_interpreters _Py_SLOT_COMPAT_VALUE(3, 86)
#define Py_mod_gil _Py_SLOT_COMPAT_VALUE(4, 87)
#define Py_mod_name 100
#define Py_mod_doc 101
#define Py_mod_state_size 102
#define Py_mod_methods 103
#define Py_mod_state_traverse 104
#define Py_mod_state_clear 105
#define Py_mod_state_free 106
#define Py_mod_abi 109
#define Py_mod_token 110

#define Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED ((void *)0)
#define Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED ((void *)1)
#define Py_MOD_PER_INTERPRETER_GIL_SUPPORTED ((void *)2)
#define Py_MOD_GIL_USED ((void *)0)
#define Py_MOD_GIL_NOT_USED ((void *)1)

/* Every field is named, in declaration order, so that the macros are valid
 * C99 and C++20 designated initializers and compile warning-free in C++
 * under -Wextra (-Wmissing-field-initializers). */
#define PySlot_DATA(NAME, VALUE) \
    {.sl_id = (NAME), .sl_flags = PySlot_INTPTR, .sl_reserved = 0, .sl_ptr = (void *)(VALUE)}
#define PySlot_FUNC(NAME, VALUE) \
    {.sl_id = (NAME), .sl_flags = 0, .sl_reserved = 0, .sl_func = (void (*)(void))(VALUE)}
#define PySlot_SIZE(NAME, VALUE) \
    {.sl_id = (NAME), .sl_flags = 0, .sl_reserved = 0, .sl_size = (VALUE)}
#define PySlot_INT64(NAME, VALUE) \
    {.sl_id = (NAME), .sl_flags = 0, .sl_reserved = 0, .sl_int64 = (VALUE)}
#define PySlot_UINT64(NAME, VALUE) \
    {.sl_id = (NAME), .sl_flags = 0, .sl_reserved = 0, .sl_uint64 = (VALUE)}
#define PySlot_STATIC_DATA(NAME, VALUE) \
    {.sl_id = (NAME), .sl_flags = PySlot_STATIC, .sl_reserved = 0, .sl_ptr = (void *)(VALUE)}
#define PySlot_END {0, 0, {0}, {0}}
#define PySlot_PTR(NAME, VALUE) {(NAME), PySlot_INTPTR, {0}, {(void *)(VALUE)}}
#define PySlot_PTR_STATIC(NAME, VALUE) \
    {(NAME), PySlot_INTPTR | PySlot_STATIC, {0}, {(void *)(VALUE)}}

/* ------------------------------------------------------ PyABIInfo (3.15) */

typedef struct PyABIInfo {
    uint8_t abiinfo_major_version;
    uint8_t abiinfo_minor_version;
    uint16_t flags;
    uint32_t build_version;
    uint32_t abi_version;
} PyABIInfo;

#define PyABIInfo_STABLE 0x0001
#define PyABIInfo_GIL 0x0002
#define PyABIInfo_FREETHREADED 0x0004
#define PyABIInfo_INTERNAL 0x0008
#define PyABIInfo_FREETHREADING_AGNOSTIC (PyABIInfo_GIL | PyABIInfo_FREETHREADED)

#ifdef Py_LIMITED_API
#  define _PyABIInfo_DEFAULT_STABLE PyABIInfo_STABLE
#  if Py_LIMITED_API == 3
#    define PyABIInfo_DEFAULT_ABI_VERSION 0x03020000
#  else
#    define PyABIInfo_DEFAULT_ABI_VERSION Py_LIMITED_API
#  endif
#else
#  define _PyABIInfo_DEFAULT_STABLE 0
#  define PyABIInfo_DEFAULT_ABI_VERSION PY_VERSION_HEX
#endif
#if defined(Py_LIMITED_API) && defined(_Py_OPAQUE_PYOBJECT)
#  define _PyABIInfo_DEFAULT_FT PyABIInfo_FREETHREADING_AGNOSTIC
#elif defined(Py_GIL_DISABLED)
#  define _PyABIInfo_DEFAULT_FT PyABIInfo_FREETHREADED
#else
#  define _PyABIInfo_DEFAULT_FT PyABIInfo_GIL
#endif
#ifdef Py_BUILD_CORE
#  define _PyABIInfo_DEFAULT_INTERNAL PyABIInfo_INTERNAL
#else
#  define _PyABIInfo_DEFAULT_INTERNAL 0
#endif
#define PyABIInfo_DEFAULT_FLAGS \
    (_PyABIInfo_DEFAULT_STABLE | _PyABIInfo_DEFAULT_FT | _PyABIInfo_DEFAULT_INTERNAL)
#define _PyABIInfo_DEFAULT { \
        1, 0, PyABIInfo_DEFAULT_FLAGS, PY_VERSION_HEX, PyABIInfo_DEFAULT_ABI_VERSION }
#define PyABIInfo_VAR(NAME) static PyABIInfo NAME = _PyABIInfo_DEFAULT;

PyAPI_FUNC(int) PyABIInfo_Check(PyABIInfo *info, const char *module_name);

/* ------------------------------------------------------------- functions */

PyAPI_FUNC(PyObject *) PyModule_NewObject(PyObject *name);
PyAPI_FUNC(PyObject *) PyModule_New(const char *name);
PyAPI_FUNC(PyObject *) PyModule_GetDict(PyObject *);
PyAPI_FUNC(PyObject *) PyModule_GetNameObject(PyObject *);
PyAPI_FUNC(const char *) PyModule_GetName(PyObject *);
PyAPI_FUNC(PyObject *) PyModule_GetFilenameObject(PyObject *);
PyAPI_FUNC(const char *) PyModule_GetFilename(PyObject *);
PyAPI_FUNC(PyModuleDef *) PyModule_GetDef(PyObject *);
PyAPI_FUNC(void *) PyModule_GetState(PyObject *);
PyAPI_FUNC(int) PyModule_GetStateSize(PyObject *, Py_ssize_t *);
PyAPI_FUNC(int) PyModule_GetToken(PyObject *, void **);
PyAPI_FUNC(PyObject *) PyModuleDef_Init(PyModuleDef *);

/* Creation and execution. */
PyAPI_FUNC(PyObject *) PyModule_Create2(PyModuleDef *, int apiver);
PyAPI_FUNC(PyObject *) PyModule_FromDefAndSpec2(PyModuleDef *def, PyObject *spec, int apiver);
PyAPI_FUNC(int) PyModule_ExecDef(PyObject *module, PyModuleDef *def);
PyAPI_FUNC(PyObject *) PyModule_FromSlotsAndSpec(const PySlot *slots, PyObject *spec);
PyAPI_FUNC(int) PyModule_Exec(PyObject *module);
#ifdef Py_LIMITED_API
#  define _PYMODRT_MODULE_API_VERSION PYTHON_ABI_VERSION
#else
#  define _PYMODRT_MODULE_API_VERSION PYTHON_API_VERSION
#endif
#define PyModule_Create(module) PyModule_Create2((module), _PYMODRT_MODULE_API_VERSION)
#define PyModule_FromDefAndSpec(module, spec) \
    PyModule_FromDefAndSpec2((module), (spec), _PYMODRT_MODULE_API_VERSION)
#if !defined(Py_LIMITED_API)
PyAPI_FUNC(int) PyUnstable_Module_SetGIL(PyObject *module, void *gil);
#endif

/* Per-interpreter lookup of single-phase modules by definition. */
PyAPI_FUNC(PyObject *) PyState_FindModule(PyModuleDef *);
PyAPI_FUNC(int) PyState_AddModule(PyObject *, PyModuleDef *);
PyAPI_FUNC(int) PyState_RemoveModule(PyModuleDef *);

/* Population (modsupport.h in CPython). */
PyAPI_FUNC(int) PyModule_AddObjectRef(PyObject *mod, const char *name, PyObject *value);
PyAPI_FUNC(int) PyModule_Add(PyObject *mod, const char *name, PyObject *value);
PyAPI_FUNC(int) PyModule_AddObject(PyObject *mod, const char *, PyObject *value);
PyAPI_FUNC(int) PyModule_AddIntConstant(PyObject *, const char *, long);
PyAPI_FUNC(int) PyModule_AddStringConstant(PyObject *, const char *, const char *);
PyAPI_FUNC(int) PyModule_AddType(PyObject *module, PyTypeObject *type);
PyAPI_FUNC(int) PyModule_SetDocString(PyObject *, const char *);
PyAPI_FUNC(int) PyModule_AddFunctions(PyObject *, PyMethodDef *);
#define PyModule_AddIntMacro(m, c) PyModule_AddIntConstant((m), #c, (c))
#define PyModule_AddStringMacro(m, c) PyModule_AddStringConstant((m), #c, (c))

/* Export hooks. */
#define PyMODINIT_FUNC _PyINIT_FUNC_DECLSPEC PyObject*
#define PyMODEXPORT_FUNC _PyINIT_FUNC_DECLSPEC PySlot*

#endif /* !Py_MODULEOBJECT_H */
