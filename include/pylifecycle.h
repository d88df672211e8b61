/* Runtime lifecycle and configuration (the PyConfig subset that applies to a
 * runtime without Python source code). */
#ifndef Py_PYLIFECYCLE_H
#define Py_PYLIFECYCLE_H

#include <wchar.h>

typedef struct {
    enum {
        _PyStatus_TYPE_OK = 0,
        _PyStatus_TYPE_ERROR = 1,
        _PyStatus_TYPE_EXIT = 2
    } _type;
    const char *func;
    const char *err_msg;
    int exitcode;
} PyStatus;

PyAPI_FUNC(PyStatus) PyStatus_Ok(void);
PyAPI_FUNC(PyStatus) PyStatus_Error(const char *err_msg);
PyAPI_FUNC(PyStatus) PyStatus_NoMemory(void);
PyAPI_FUNC(PyStatus) PyStatus_Exit(int exitcode);
PyAPI_FUNC(int) PyStatus_IsError(PyStatus err);
PyAPI_FUNC(int) PyStatus_IsExit(PyStatus err);
PyAPI_FUNC(int) PyStatus_Exception(PyStatus err);
_Py_NO_RETURN PyAPI_FUNC(void) Py_ExitStatusException(PyStatus err);

typedef struct {
    Py_ssize_t length;
    wchar_t **items;
} PyWideStringList;

PyAPI_FUNC(PyStatus) PyWideStringList_Append(PyWideStringList *list, const wchar_t *item);
PyAPI_FUNC(PyStatus) PyWideStringList_Insert(PyWideStringList *list, Py_ssize_t index,
                                             const wchar_t *item);

typedef struct PyConfig {
    int _config_init;          /* which PyConfig_Init* filled it */
    int isolated;              /* 1: ignore the environment */
    int use_environment;       /* read PYTHON_GIL, PYMODRT_PATH */
    int enable_gil;            /* -1 default (managed by imports), 0 off, 1 on */
    int verbose;               /* like -v: import messages on stderr */
    int module_search_paths_set;
    PyWideStringList module_search_paths;
    PyWideStringList warnoptions;  /* "error" turns warnings into exceptions */
    int install_signal_handlers;   /* accepted, unused */
} PyConfig;

PyAPI_FUNC(void) PyConfig_InitPythonConfig(PyConfig *config);
PyAPI_FUNC(void) PyConfig_InitIsolatedConfig(PyConfig *config);
PyAPI_FUNC(void) PyConfig_Clear(PyConfig *);
PyAPI_FUNC(PyStatus) PyConfig_SetString(PyConfig *config, wchar_t **config_str,
                                        const wchar_t *str);
PyAPI_FUNC(PyStatus) PyConfig_SetBytesString(PyConfig *config, wchar_t **config_str,
                                             const char *str);

PyAPI_FUNC(PyStatus) Py_InitializeFromConfig(const PyConfig *config);
PyAPI_FUNC(void) Py_Initialize(void);
PyAPI_FUNC(void) Py_InitializeEx(int);
PyAPI_FUNC(int) Py_IsInitialized(void);
PyAPI_FUNC(int) Py_IsFinalizing(void);
PyAPI_FUNC(int) Py_FinalizeEx(void);
PyAPI_FUNC(void) Py_Finalize(void);

/* ------------------------------------------------------ sub-interpreters */

typedef struct {
    int use_main_obmalloc;
    int allow_fork;
    int allow_exec;
    int allow_threads;
    int allow_daemon_threads;
    int check_multi_interp_extensions;
    int gil;
} PyInterpreterConfig;

#define PyInterpreterConfig_DEFAULT_GIL (0)
#define PyInterpreterConfig_SHARED_GIL (1)
#define PyInterpreterConfig_OWN_GIL (2)

/* The isolated preset (what PEP 734's interpreters use). */
#define _PyInterpreterConfig_INIT \
    { .use_main_obmalloc = 0, .allow_fork = 0, .allow_exec = 0, .allow_threads = 1, \
      .allow_daemon_threads = 0, .check_multi_interp_extensions = 1, \
      .gil = PyInterpreterConfig_OWN_GIL }
/* The legacy preset (Py_NewInterpreter).  pymodrt presents a free-threaded
 * build, where legacy sub-interpreters check extensions (gh-117649). */
#define _PyInterpreterConfig_LEGACY_INIT \
    { .use_main_obmalloc = 1, .allow_fork = 1, .allow_exec = 1, .allow_threads = 1, \
      .allow_daemon_threads = 1, .check_multi_interp_extensions = 1, \
      .gil = PyInterpreterConfig_SHARED_GIL }

PyAPI_FUNC(PyStatus) Py_NewInterpreterFromConfig(PyThreadState **tstate_p,
                                                 const PyInterpreterConfig *config);
PyAPI_FUNC(PyThreadState *) Py_NewInterpreter(void);
PyAPI_FUNC(void) Py_EndInterpreter(PyThreadState *tstate);

#endif /* !Py_PYLIFECYCLE_H */
