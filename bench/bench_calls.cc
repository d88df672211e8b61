// calls: a module function of bm_multi through each calling convention,
// called with PyObject_Vectorcall as an embedding program or another
// extension would, on 1..N threads.
//   METH_NOARGS    noargs()
//   METH_O         o(1)
//   METH_FASTCALL  fastcall(1, 2)
//   METH_VARARGS   varargs(1, 2) with PyArg_ParseTuple(args, "ii")
// Target (DESIGN.md 4): a METH_NOARGS call <= 6 ns.
#include "bench.h"

namespace bench {

static void
call(benchmark::State &state, const char *func, Py_ssize_t nargs)
{
    Attached a;
    PyObject *f = PyObject_GetAttrString(g.multi, func);
    PyObject *args[2] = {PyLong_FromLong(1), PyLong_FromLong(2)};

    if (f == nullptr)
        return fail(state, func);
    PyObject *r = PyObject_Vectorcall(f, args, nargs, nullptr);
    if (r == nullptr)
        fail(state, func);
    else
        batched(state, a, [&] {
            PyObject *res = PyObject_Vectorcall(f, args, nargs, nullptr);
            benchmark::DoNotOptimize(res);
            Py_XDECREF(res);
        });
    Py_XDECREF(r);
    Py_DECREF(args[0]);
    Py_DECREF(args[1]);
    Py_DECREF(f);
}

static void BM_noargs(benchmark::State &s) { call(s, "noargs", 0); }
static void BM_o(benchmark::State &s) { call(s, "o", 1); }
static void BM_fastcall(benchmark::State &s) { call(s, "fastcall", 2); }
static void BM_varargs(benchmark::State &s) { call(s, "varargs", 2); }

void
register_calls()
{
    threaded(benchmark::RegisterBenchmark("calls/METH_NOARGS", BM_noargs));
    threaded(benchmark::RegisterBenchmark("calls/METH_O", BM_o));
    threaded(benchmark::RegisterBenchmark("calls/METH_FASTCALL", BM_fastcall));
    threaded(benchmark::RegisterBenchmark("calls/METH_VARARGS", BM_varargs));
}

}  // namespace bench
