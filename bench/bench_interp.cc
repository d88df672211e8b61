// interpreters: create an interpreter, import a module in it, end it.
//
// pymodrt and CPython >= 3.12: Py_NewInterpreterFromConfig with the
// isolated preset (own GIL, extensions checked); CPython 3.11, which has no
// such call, uses Py_NewInterpreter.  The module is bm_mp (multi-phase,
// per-interpreter GIL supported); the new interpreter's sys.path gets the
// benchmark modules' directory first.  Target (DESIGN.md 4): <= 60 us and
// >= 100x faster than CPython.
#include "bench.h"

namespace bench {

static PyThreadState *
new_interpreter()
{
#if PY_VERSION_HEX >= 0x030C0000
    PyInterpreterConfig config = _PyInterpreterConfig_INIT;
    PyThreadState *ts = nullptr;
    PyStatus status = Py_NewInterpreterFromConfig(&ts, &config);
    return PyStatus_Exception(status) ? nullptr : ts;
#else
    return Py_NewInterpreter();
#endif
}

static void
BM_create_import_end(benchmark::State &state)
{
    Attached a;
    PyThreadState *main_ts = PyThreadState_Get();
    const char *failure = nullptr;

    for (auto _ : state) {
        PyThreadState *ts = new_interpreter();
        if (ts == nullptr) {
            failure = "Py_NewInterpreterFromConfig";
            break;
        }
        PyObject *path = PySys_GetObject("path");
        PyObject *dir = PyUnicode_FromString(g.modules_dir.c_str());
        PyObject *m = nullptr;
        if (path != nullptr && dir != nullptr && PyList_Insert(path, 0, dir) == 0)
            m = PyImport_ImportModule("bm_mp");
        Py_XDECREF(dir);
        if (m == nullptr) {
            PyErr_Print();
            failure = "import bm_mp in a new interpreter";
        }
        Py_XDECREF(m);
        Py_EndInterpreter(ts);
        PyThreadState_Swap(main_ts);
        if (failure != nullptr)
            break;
    }
    if (failure != nullptr)
        fail(state, failure);
}

void
register_interp()
{
    benchmark::RegisterBenchmark("interp/create_import_end", BM_create_import_end)
        ->UseRealTime();
}

}  // namespace bench
