/* worker.c: the worker threads and the operations they mix.
 *
 * A worker attaches one thread state to its interpreter for the whole
 * campaign and detaches only to wait at the round barriers (a thread that
 * blocks while attached would stall a stop-the-world and, with the GIL on,
 * every other thread).  Each round it draws 'round_ops' operations from its
 * own seeded stream: import, delete-and-reimport, attribute access, call,
 * state access, and interpreter create-import-end.  Every operation that
 * obtains a module goes through import(), which checks the generation
 * invariant (one object per name between deletions) and compares a new
 * instance with the one this worker saw before (exec idempotent, nothing
 * shared). */
#include "stress.h"

const char *const st_op_names[ST_OP__COUNT] = {
    "import", "reimport", "attribute", "call", "state", "interpreter"};

/* import, with the generation bracket; NULL after a failure (handled). */
static PyObject *
import(struct st_worker *w, int mi)
{
    struct st_slot *s = &w->ip->slot[mi];
    struct st_gen b = st_chk_gen_begin(s);
    PyObject *m = st_main_import(mi);

    if (m == NULL) {
        st_chk_failure(w, mi, w->ip->id, "import");
        return NULL;
    }
    if (st_chk_gen_valid(s, b))
        st_chk_same_object(w, mi, s, b.g, m);
    if (w->held[mi] != m) {
        if (w->held[mi] != NULL)
            st_chk_instances(mi, w->index, w->ip->id, w->held[mi], m,
                             "two successive instances in one interpreter");
        Py_XSETREF(w->held[mi], Py_NewRef(m));
        w->held_nonce[mi] = 0;
    }
    return m;
}

static void
op_reimport(struct st_worker *w, int mi)
{
    struct st_slot *s = &w->ip->slot[mi];
    PyObject *old = import(w, mi), *m, *modules;

    if (old == NULL)
        return;
    atomic_fetch_add(&s->deleting, 1);
    modules = PyImport_GetModuleDict();
    int deleted = PyDict_DelItemString(modules, st_run.mods[mi].name) == 0;
    if (!deleted) {
        if (PyErr_ExceptionMatches(PyExc_KeyError))
            PyErr_Clear();   /* another thread deleted it first */
        else
            st_chk_failure(w, mi, w->ip->id, "del sys.modules[name]");
    }
    atomic_fetch_add(&s->gen, 1);
    atomic_fetch_sub(&s->deleting, 1);
    m = import(w, mi);
    if (m != NULL) {
        /* Only a delete that happened promises a new module: one that
         * failed (an injected MemoryError building the key) left the entry. */
        if (deleted && m == old)
            st_chk_violation("same-object", mi, w->index, w->ip->id,
                             "the import after del sys.modules['%s'] returned the deleted module",
                             st_run.mods[mi].name);
        /* import() compared old and m: the held instance was old. */
        Py_DECREF(m);
    }
    Py_DECREF(old);
}

static void
op_attr(struct st_worker *w, int mi)
{
    PyObject *m = import(w, mi), *d, *key = NULL, *value, *v;
    Py_ssize_t n, pos = 0, target;

    if (m == NULL)
        return;
    d = PyModule_GetDict(m);
    n = d ? PyDict_Size(d) : 0;
    if (n > 0) {
        target = (Py_ssize_t)(st_rand(&w->rng) % (uint64_t)n);
        for (Py_ssize_t i = 0; i <= target && PyDict_Next(d, &pos, &key, &value); i++)
            ;
        if (key != NULL) {
            Py_INCREF(key);
            v = PyObject_GetAttr(m, key);
            if (v == NULL)
                st_chk_failure(w, mi, w->ip->id, "attribute access");
            Py_XDECREF(v);
            Py_DECREF(key);
        }
    }
    Py_DECREF(m);
}

static const char *
call_name(int mi)
{
    if (st_run.call != NULL)
        return st_run.call;
    return st_run.mods[mi].expect != NULL ? "ping" : NULL;
}

static void
op_call(struct st_worker *w, int mi)
{
    const char *name = call_name(mi);
    PyObject *m, *f, *r;

    if (name == NULL) {
        op_attr(w, mi);
        return;
    }
    m = import(w, mi);
    if (m == NULL)
        return;
    f = PyObject_GetAttrString(m, name);
    if (f == NULL) {
        st_chk_failure(w, mi, w->ip->id, "getting the --call function");
    } else {
        r = PyObject_CallNoArgs(f);
        if (r == NULL)
            st_chk_failure(w, mi, w->ip->id, "call");
        Py_XDECREF(r);
        Py_DECREF(f);
    }
    Py_DECREF(m);
}

static void
op_state(struct st_worker *w, int mi)
{
    PyObject *m = import(w, mi);
    uint64_t nonce;

    if (m == NULL)
        return;
    nonce = st_chk_state(w, mi, m, w->ip->id);
    if (nonce != 0 && w->held[mi] == m) {
        if (w->held_nonce[mi] == 0)
            w->held_nonce[mi] = nonce;
        else if (w->held_nonce[mi] != nonce)
            st_chk_violation("isolation", mi, w->index, w->ip->id,
                             "the state of one instance changed owner token (%llx -> %llx): "
                             "another instance's exec wrote it (state shared between instances)",
                             (unsigned long long)w->held_nonce[mi], (unsigned long long)nonce);
    }
    Py_DECREF(m);
}

/* Create an interpreter (own or shared GIL, drawn), import every module of
 * the campaign in it, check each, end it. */
static void
op_interp(struct st_worker *w)
{
    struct st_campaign *c = st_run.cur;
    PyInterpreterConfig cfg = _PyInterpreterConfig_INIT;
    PyThreadState *mine = PyThreadState_Get(), *sub = NULL;
    int own = (int)(st_rand(&w->rng) & 1);
    PyStatus s;
    int64_t id;
    char refused[256] = "";
    int needs_gil = 0;

    cfg.gil = own ? PyInterpreterConfig_OWN_GIL : PyInterpreterConfig_SHARED_GIL;
    s = Py_NewInterpreterFromConfig(&sub, &cfg);
    if (PyStatus_Exception(s)) {
        PyThreadState_Swap(mine);
        if (atomic_load(&st_run.faults_on))
            w->failures_injected++;
        else
            st_chk_violation("failure", -1, w->index, w->ip->id,
                             "Py_NewInterpreterFromConfig failed with no fault injected: %s",
                             s.err_msg ? s.err_msg : "?");
        return;
    }
    id = PyInterpreterState_GetID(PyInterpreterState_Get());
    for (int k = 0; k < c->nmods; k++) {
        int mi = c->mods[k];
        const struct st_module *mod = &st_run.mods[mi];
        PyObject *m = st_main_import(mi);
        struct st_module *wm = &st_run.mods[mi];
        atomic_store(&wm->sub_tried[own], 1);
        if (m != NULL) {
            atomic_store(&wm->sub_ok[own], 1);
            if (mod->expect != NULL && !(own ? mod->expect->sub_own : mod->expect->sub_shared))
                st_chk_violation("subinterpreter-support", mi, w->index, id,
                                 "loaded in a new sub-interpreter with %s GIL although it does "
                                 "not support it", own ? "its own" : "a shared");
            st_chk_state(w, mi, m, id);
            Py_DECREF(m);
            if (mod->expect == NULL || !mod->expect->gil_free)
                needs_gil = 1;
            continue;
        }
        PyObject *exc = PyErr_GetRaisedException();
        int refusal = 0;
        if (PyErr_GivenExceptionMatches(exc, PyExc_ImportError)) {
            PyObject *str = PyObject_Str(exc);
            const char *msg = str ? PyUnicode_AsUTF8(str) : NULL;
            refusal = msg != NULL && strstr(msg, "does not support loading in subinterpreters");
            if (str == NULL)
                PyErr_Clear();
            Py_XDECREF(str);
        }
        if (refusal) {
            w->refusals++;
            snprintf(refused + strlen(refused), sizeof refused - strlen(refused), "%s%s",
                     refused[0] ? ", " : "", mod->name);
            if (mod->expect != NULL && (own ? mod->expect->sub_own : mod->expect->sub_shared))
                st_chk_violation("subinterpreter-support", mi, w->index, id,
                                 "refused by a new sub-interpreter with %s GIL",
                                 own ? "its own" : "a shared");
            Py_DECREF(exc);
        } else {
            PyErr_SetRaisedException(exc);
            st_chk_failure(w, mi, id, "import in a new sub-interpreter");
        }
    }
    if (own)
        st_chk_refused_gil(w->index, id, needs_gil, refused);
    Py_EndInterpreter(sub);
    PyThreadState_Swap(mine);
}

static int
pick_module(struct st_worker *w)
{
    struct st_campaign *c = st_run.cur;

    for (int tries = 0; tries < 2 * c->nmods; tries++) {
        int mi = c->mods[st_rand(&w->rng) % (uint64_t)c->nmods];
        if (!atomic_load_explicit(&w->ip->slot[mi].refused, memory_order_relaxed))
            return mi;
    }
    return -1;
}

static enum st_op
pick_op(struct st_worker *w)
{
    unsigned r = (unsigned)(st_rand(&w->rng) % 100);

    if (r < 30) return ST_OP_IMPORT;
    if (r < 36) return ST_OP_REIMPORT;
    if (r < 57) return ST_OP_ATTR;
    if (r < 77) return ST_OP_CALL;
    if (r < 98) return ST_OP_STATE;
    return ST_OP_INTERP;
}

void
st_work_op(struct st_worker *w, enum st_op op, int mi)
{
    uint64_t t0 = st_now_ns(), t1;

    atomic_store_explicit(&w->cur_op, (int)op, memory_order_relaxed);
    atomic_store_explicit(&w->cur_mod, mi, memory_order_relaxed);
    atomic_store_explicit(&w->op_start_ns, t0, memory_order_release);
    switch (op) {
    case ST_OP_IMPORT: {
        PyObject *m = import(w, mi);
        Py_XDECREF(m);
        break;
    }
    case ST_OP_REIMPORT: op_reimport(w, mi); break;
    case ST_OP_ATTR: op_attr(w, mi); break;
    case ST_OP_CALL: op_call(w, mi); break;
    case ST_OP_STATE: op_state(w, mi); break;
    case ST_OP_INTERP: op_interp(w); break;
    case ST_OP__COUNT: break;
    }
    t1 = st_now_ns();
    atomic_store_explicit(&w->op_start_ns, 0, memory_order_release);
    st_rep_hist_add(&w->hist[op], t1 - t0);
    atomic_store_explicit(&w->ops_done, atomic_load_explicit(&w->ops_done, memory_order_relaxed) + 1,
                          memory_order_relaxed);
}

static void
run_round(struct st_worker *w)
{
    int interp_ok = st_run.subinterps_available && st_run.cur->interps > 0;

    for (uint64_t i = 0; i < st_run.round_ops; i++) {
        enum st_op op = pick_op(w);
        int mi = pick_module(w);
        if (op == ST_OP_INTERP && !interp_ok)
            op = ST_OP_IMPORT;
        if (mi < 0 && op != ST_OP_INTERP)
            continue;
        st_work_op(w, op, mi);
        if (atomic_load_explicit(&st_run.stop, memory_order_relaxed))
            break;
    }
}

void *
st_work_thread(void *arg)
{
    struct st_worker *w = arg;
    PyThreadState *ts = PyThreadState_New(PyThreadState_GetInterpreter(w->ip->ts)), *save;

    PyThreadState_Swap(ts);
    atomic_store(&w->started, 1);
    for (;;) {
        save = PyEval_SaveThread();
        pthread_barrier_wait(&st_run.start);
        PyEval_RestoreThread(save);
        if (atomic_load(&st_run.stop))
            break;
        run_round(w);
        save = PyEval_SaveThread();
        pthread_barrier_wait(&st_run.end);
        PyEval_RestoreThread(save);
    }
    for (int i = 0; i < ST_MAX_MODULES; i++)
        Py_CLEAR(w->held[i]);
    atomic_store(&w->started, 0);
    PyThreadState_Clear(ts);
    PyThreadState_DeleteCurrent();
    return NULL;
}
