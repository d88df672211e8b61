/* main.c: pymodrt-stress's command line, campaigns and rounds.
 *
 * A run is a list of campaigns.  Each campaign starts the runtime
 * (Py_InitializeFromConfig with the campaign's GIL mode), creates the worker
 * interpreters, probes every module once in every interpreter, then runs
 * rounds: all workers wait at the start barrier (detached), collide on a
 * fixed number of operations each, and meet at the end barrier, after which
 * the main thread checks the quiescent state.  Odd rounds run with injected
 * faults.  The campaign ends with the GIL and memory invariants: interpreters
 * ended, Py_FinalizeEx, and the allocated-bytes counter back at its start.
 *
 * Without module arguments the default campaign runs the bundled modules
 * (every initialization style, GIL-free and GIL-using, sub-interpreter-safe
 * and not) in every GIL mode. */
#include "stress.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct st_run st_run;

/* The bundled modules and what each must do (stress/modules/). */
static const struct st_expect bundled[] = {
    {"st_multi", 1, 1, 1, "multi-phase (PyInit + PyModuleDef), state"},
    {"st_export", 1, 1, 1, "export hook (PyModExport, PySlot), state"},
    {"st_gil", 0, 1, 0, "multi-phase, state, needs the GIL"},
    {"st_nosub", 1, 0, 0, "multi-phase, main interpreter only"},
    {"st_single", 1, 0, 0, "single-phase, m_size -1 (m_copy)"},
    {"st_reinit", 1, 0, 0, "single-phase with state (re-init)"},
};
#define NBUNDLED (int)(sizeof bundled / sizeof bundled[0])

/* ---------------------------------------------------------------- utilities */

double
st_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

uint64_t
st_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* splitmix64: every worker's stream is derived from the seed alone. */
uint64_t
st_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

PyObject *
st_main_import(int mi)
{
    const struct st_module *m = &st_run.mods[mi];

    if (m->path[0] != '\0')
        return pymodrt_import_file(m->name, m->path);
    return PyImport_ImportModule(m->name);
}

static void
usage(FILE *f)
{
    fprintf(f,
"usage: pymodrt-stress [options] [MODULE_OR_PATH ...]\n"
"\n"
"Hammers imports of extension modules across threads and sub-interpreters, in\n"
"every GIL mode, with injected faults, and checks invariants.  Without\n"
"arguments it runs the default campaign on the bundled modules.  A MODULE\n"
"containing '/' or ending in .so is loaded from that file; a bare name is\n"
"found on sys.path (PYMODRT_PATH).\n"
"\n"
"options:\n"
"  --threads N         worker threads (default: 2 x cores)\n"
"  --interpreters M    sub-interpreters the workers spread over (default 4)\n"
"  --own-gil           worker sub-interpreters get their own GIL (default: shared)\n"
"  --gil auto|on|off   GIL mode (default: auto; the default campaign runs all)\n"
"  --duration SECONDS  total running time (default 8)\n"
"  --iterations N      operations per worker per campaign (instead of --duration)\n"
"  --seed S            seed of every worker's operation stream (default: random)\n"
"  --fault-rate P      probability of an injected allocation or exec failure,\n"
"                      in every other round (default 0.0005; 0 disables)\n"
"  --call NAME         also call this no-argument function of each module\n"
"  --forever           loop until a violation or Ctrl-C\n"
"  --allow-gil         a module that switches the GIL on in mode auto is not a\n"
"                      failure\n"
"  --stall-seconds S   a thread stuck this long is a deadlock (default 10)\n"
"  --module-dir DIR    where the bundled modules are (or PYMODRT_STRESS_MODULE_DIR)\n"
"  --no-scaling        skip the 1-thread vs N-thread scaling section\n"
"  --json FILE         write a machine-readable report\n"
"  --quiet             print only the final report\n"
"  --help, --version\n"
"\n"
"exit status: 0 invariants held, 1 violation found, 2 usage or setup error\n");
}

static int
parse_double(const char *s, double *out)
{
    char *end;

    errno = 0;
    *out = strtod(s, &end);
    return errno == 0 && end != s && *end == '\0' ? 0 : -1;
}

static int
parse_u64(const char *s, uint64_t *out)
{
    char *end;

    errno = 0;
    *out = strtoull(s, &end, 0);
    return errno == 0 && end != s && *end == '\0' && s[0] != '-' ? 0 : -1;
}

static int
file_exists(const char *p)
{
    struct stat sb;

    return stat(p, &sb) == 0;
}

/* The bundled modules' directory: --module-dir, the environment, the build
 * tree, then beside the executable (installed layouts). */
static const char *
find_module_dir(void)
{
    static char found[PATH_MAX];
    static const char *const rel[] = {"modules", "../lib/pymodrt/stress", "../lib/pymodrt-stress"};
    const char *env = getenv("PYMODRT_STRESS_MODULE_DIR");
    char exe[PATH_MAX], probe[PATH_MAX + 64];
    ssize_t n;

    if (st_run.module_dir != NULL)
        return st_run.module_dir;
    if (env != NULL && *env != '\0')
        return env;
#ifdef PYMODRT_STRESS_MODULE_DIR
    snprintf(probe, sizeof probe, "%s/st_multi.so", PYMODRT_STRESS_MODULE_DIR);
    if (file_exists(probe))
        return PYMODRT_STRESS_MODULE_DIR;
#endif
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash != NULL)
        *slash = '\0';
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        int len = snprintf(found, sizeof found, "%.3000s/%s", exe, rel[i]);
        if (len <= 0 || (size_t)len >= sizeof found)
            continue;
        snprintf(probe, sizeof probe, "%s/st_multi.so", found);
        if (file_exists(probe))
            return found;
    }
    return NULL;
}

static int
add_module(const char *arg)
{
    struct st_module *m;
    const char *base, *dot;
    size_t len;

    if (st_run.nmods >= ST_MAX_MODULES) {
        fprintf(stderr, "pymodrt-stress: at most %d modules\n", ST_MAX_MODULES);
        return -1;
    }
    m = &st_run.mods[st_run.nmods];
    memset(m, 0, sizeof *m);
    len = strlen(arg);
    if (strchr(arg, '/') != NULL || (len > 3 && strcmp(arg + len - 3, ".so") == 0)) {
        if (!file_exists(arg)) {
            fprintf(stderr, "pymodrt-stress: %s: no such file\n", arg);
            return -1;
        }
        if (realpath(arg, m->path) == NULL)
            snprintf(m->path, sizeof m->path, "%s", arg);
        base = strrchr(arg, '/');
        base = base ? base + 1 : arg;
        dot = strchr(base, '.');
        len = dot ? (size_t)(dot - base) : strlen(base);
        if (len == 0 || len >= sizeof m->name) {
            fprintf(stderr, "pymodrt-stress: %s: cannot derive a module name\n", arg);
            return -1;
        }
        memcpy(m->name, base, len);
        m->name[len] = '\0';
    } else {
        if (len == 0 || len >= sizeof m->name) {
            fprintf(stderr, "pymodrt-stress: bad module name '%s'\n", arg);
            return -1;
        }
        memcpy(m->name, arg, len + 1);
    }
    for (int i = 0; i < st_run.nmods; i++)
        if (strcmp(st_run.mods[i].name, m->name) == 0) {
            fprintf(stderr, "pymodrt-stress: module '%s' given twice\n", m->name);
            return -1;
        }
    for (int i = 0; i < NBUNDLED; i++)
        if (strcmp(bundled[i].name, m->name) == 0)
            m->expect = &bundled[i];
    m->user = 1;
    st_run.nmods++;
    return 0;
}

/* ---------------------------------------------------------------- campaigns */

static void
campaign_add(const char *name, int gil, int own_gil, double fault_rate, int gil_free_only)
{
    struct st_campaign *c = &st_run.campaigns[st_run.ncampaigns++];

    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->gil = gil;
    c->own_gil = own_gil;
    c->interps = st_run.interps;
    c->fault_rate = fault_rate;
    for (int i = 0; i < st_run.nmods; i++) {
        const struct st_expect *e = st_run.mods[i].expect;
        if (gil_free_only && e != NULL && !e->gil_free)
            continue;
        c->mods[c->nmods++] = i;
    }
}

static void
plan_campaigns(void)
{
    double fr = st_run.fault_rate < 0 ? 0.0005 : st_run.fault_rate;

    st_run.ncampaigns = 0;
    if (st_run.default_campaign && st_run.gil == -2) {
        campaign_add("auto, GIL-free modules", -1, st_run.own_gil, fr, 1);
        campaign_add("auto, all modules, own-GIL interpreters", -1, 1, fr, 0);
        campaign_add("GIL off, all modules", 0, st_run.own_gil, fr, 0);
        campaign_add("GIL on, all modules", 1, st_run.own_gil, fr, 0);
        return;
    }
    int gil = st_run.gil == -2 ? -1 : st_run.gil;
    char name[64];
    snprintf(name, sizeof name, "GIL %s%s", gil < 0 ? "auto" : gil ? "on" : "off",
             st_run.default_campaign ? ", bundled modules" : "");
    campaign_add(name, gil, st_run.own_gil, fr, 0);
}

static PyStatus
runtime_start(int gil)
{
    PyConfig config;
    PyStatus s;
    const char *env = getenv("PYMODRT_PATH");
    const char *dir = find_module_dir();
    wchar_t w[PATH_MAX];

    PyConfig_InitPythonConfig(&config);
    config.enable_gil = gil;
    config.module_search_paths_set = 1;
    if (env != NULL && *env != '\0') {
        char *copy = strdup(env), *save = NULL;
        for (char *p = strtok_r(copy, ":", &save); p != NULL; p = strtok_r(NULL, ":", &save)) {
            mbstowcs(w, p, PATH_MAX);
            PyWideStringList_Append(&config.module_search_paths, w);
        }
        free(copy);
    }
    if (dir != NULL) {
        mbstowcs(w, dir, PATH_MAX);
        PyWideStringList_Append(&config.module_search_paths, w);
    }
    /* PYTHON_GIL would override the mode a campaign asks for. */
    config.use_environment = 0;
    s = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    return s;
}

static void
slots_init(struct st_interp *ip)
{
    for (int i = 0; i < ST_MAX_MODULES; i++) {
        struct st_slot *s = &ip->slot[i];
        atomic_init(&s->gen, 2);
        atomic_init(&s->deleting, 0);
        atomic_init(&s->refused, 0);
        pthread_mutex_init(&s->mu, NULL);
        s->rec_gen = 0;
        s->rec_obj = NULL;
        s->rec_nonce = 0;
        s->rec_state = NULL;
        s->rec_state_known = 0;
    }
}

static void
slots_fini(struct st_interp *ip)
{
    for (int i = 0; i < ST_MAX_MODULES; i++)
        pthread_mutex_destroy(&ip->slot[i].mu);
}

static void
main_doing(const char *what)
{
    atomic_store(&st_run.main_doing, what);
    atomic_store(&st_run.main_op_start_ns, what ? st_now_ns() : 0);
}

/* Imports every module of the campaign once in one interpreter (current),
 * learning which ones are refused by design.  Returns -1 on a setup error
 * (a module that cannot be imported at all in the main interpreter). */
static int
probe_interp(struct st_campaign *c, struct st_interp *ip)
{
    char refused[256] = "";
    int needs_gil = 0;

    for (int k = 0; k < c->nmods; k++) {
        int mi = c->mods[k];
        struct st_module *mod = &st_run.mods[mi];
        PyObject *m = st_main_import(mi);

        if (m != NULL) {
            if (ip->index == 0) {
                PyModuleDef *def = PyModule_GetDef(m);
                mod->snapshot = def != NULL && def->m_slots == NULL && def->m_size < 0;
                PyErr_Clear();
                PyObject *f = PyObject_GetAttrString(m, "_stress_state");
                mod->protocol = f != NULL;
                if (f == NULL)
                    PyErr_Clear();
                Py_XDECREF(f);
            }
            st_chk_state(NULL, mi, m, ip->id);
            Py_DECREF(m);
            if (mod->expect == NULL || !mod->expect->gil_free)
                needs_gil = 1;
            if (ip->index > 0) {
                mod->sub_tried[ip->own_gil] = 1;
                mod->sub_ok[ip->own_gil] = 1;
                if (mod->expect != NULL && !(ip->own_gil ? mod->expect->sub_own : mod->expect->sub_shared))
                    st_chk_violation("subinterpreter-support", mi, -1, ip->id,
                                     "module loaded in a sub-interpreter with %s GIL although it "
                                     "does not support it", ip->own_gil ? "its own" : "a shared");
            }
            continue;
        }
        PyObject *exc = PyErr_GetRaisedException();
        PyObject *s = PyObject_Str(exc);
        const char *msg = s ? PyUnicode_AsUTF8(s) : "?";
        if (ip->index == 0) {
            fprintf(stderr, "pymodrt-stress: cannot import %s%s%s: %s: %s\n", mod->name,
                    mod->path[0] ? " from " : "", mod->path, Py_TYPE(exc)->tp_name,
                    msg ? msg : "?");
            Py_XDECREF(s);
            Py_DECREF(exc);
            return -1;
        }
        if (PyErr_GivenExceptionMatches(exc, PyExc_ImportError) && msg != NULL &&
            strstr(msg, "does not support loading in subinterpreters") != NULL) {
            atomic_store(&ip->slot[mi].refused, 1);
            mod->sub_tried[ip->own_gil] = 1;
            snprintf(refused + strlen(refused), sizeof refused - strlen(refused), "%s%s",
                     refused[0] ? ", " : "", mod->name);
            snprintf(mod->sub_refusal, sizeof mod->sub_refusal, "%s", msg);
            if (mod->expect != NULL && (ip->own_gil ? mod->expect->sub_own : mod->expect->sub_shared))
                st_chk_violation("subinterpreter-support", mi, -1, ip->id,
                                 "refused in a sub-interpreter with %s GIL: %s",
                                 ip->own_gil ? "its own" : "a shared", msg);
        } else {
            st_chk_violation("unexpected-error", mi, -1, ip->id, "import in a sub-interpreter: %s: %s",
                             Py_TYPE(exc)->tp_name, msg ? msg : "?");
            atomic_store(&ip->slot[mi].refused, 1);
        }
        Py_XDECREF(s);
        Py_DECREF(exc);
    }
    if (ip->own_gil)
        st_chk_refused_gil(-1, ip->id, needs_gil, refused);
    return 0;
}

static void
worker_totals(struct st_campaign *c)
{
    for (int i = 0; i < st_run.nworkers; i++) {
        struct st_worker *w = &st_run.workers[i];
        for (int op = 0; op < ST_OP__COUNT; op++)
            st_rep_hist_merge(&c->hist[op], &w->hist[op]);
        c->failures_injected += w->failures_injected;
        c->refusals += w->refusals;
    }
    c->ops = 0;
    for (int op = 0; op < ST_OP__COUNT; op++)
        c->ops += c->hist[op].n;
}

static void
set_faults(struct st_campaign *c, int on, uint64_t round)
{
    double r = on ? c->fault_rate : 0.0;

    atomic_store(&st_run.faults_on, on && r > 0);
    pymodrt_mem_fail_rate(r, st_run.seed ^ (round * 0x9E3779B97F4A7C15ull));
    pymodrt_fault_exec_rate(r * 20 > 1 ? 1 : r * 20, st_run.seed + round);
}

/* GIL invariants at the end of a campaign, before interpreters end. */
static void
check_gil(struct st_campaign *c)
{
    pymodrt_gil_stats gs;
    int any_gil_user = 0, gil_user_imported = 0, all_bundled = 1;

    pymodrt_gil_get_stats(&gs);
    c->stop_the_world = gs.stop_the_world;
    c->nswitch = pymodrt_gil_switches(c->switches, 16);
    if (c->nswitch > 16)
        c->nswitch = 16;
    for (int k = 0; k < c->nmods; k++) {
        const struct st_module *m = &st_run.mods[c->mods[k]];
        if (m->expect == NULL)
            all_bundled = 0;
        if (m->expect != NULL && !m->expect->gil_free) {
            any_gil_user = 1;
            if (st_run.interp[0]->slot[c->mods[k]].rec_obj != NULL)
                gil_user_imported = 1;
        }
    }
    if (c->gil == 0) {
        if (gs.enabled || gs.switches_on || c->nswitch)
            st_chk_violation("gil", -1, -1, 0, "mode off, yet the GIL was switched on");
        return;
    }
    if (c->gil == 1) {
        if (!gs.enabled)
            st_chk_violation("gil", -1, -1, 0, "mode on, yet the GIL is not enabled");
        return;
    }
    for (int i = 0; i < c->nmods; i++)
        st_run.mods[c->mods[i]].gil_known = 1;
    for (int i = 0; i < c->nswitch; i++) {
        int mi = -1;
        for (int k = 0; k < c->nmods; k++)
            if (strcmp(st_run.mods[c->mods[k]].name, c->switches[i].module) == 0)
                mi = c->mods[k];
        if (mi < 0) {
            st_chk_violation("gil", -1, -1, c->switches[i].interpreter_id,
                             "the GIL was switched on by '%s', which no one imported",
                             c->switches[i].module);
            continue;
        }
        struct st_module *m = &st_run.mods[mi];
        m->gil_switched = 1;
        if (m->expect != NULL) {
            if (m->expect->gil_free)
                st_chk_violation("gil", mi, -1, c->switches[i].interpreter_id,
                                 "a module that declares Py_MOD_GIL_NOT_USED switched the GIL on");
        } else if (!st_run.allow_gil) {
            st_chk_violation("gil", mi, -1, c->switches[i].interpreter_id,
                             "switched the GIL on in mode auto: the module does not declare "
                             "Py_MOD_GIL_NOT_USED (use --allow-gil to accept)");
        }
    }
    if (all_bundled && !any_gil_user && (gs.stop_the_world || gs.enabled || c->nswitch))
        st_chk_violation("gil", -1, -1, 0,
                         "a campaign of GIL-free modules enabled the GIL (%llu stop-the-world "
                         "events, %d switches)", (unsigned long long)gs.stop_the_world, c->nswitch);
    if (gil_user_imported && !gs.enabled)
        st_chk_violation("gil", -1, -1, 0,
                         "a module that needs the GIL was imported, yet the GIL stayed off");
}

/* Runs one campaign; returns -1 on a setup error. */
static int
run_campaign(struct st_campaign *c, int cindex)
{
    PyStatus s;
    PyThreadState *main_ts, *save;
    int nint, rc = 0;
    double t0, share;
    uint64_t per_worker_done = 0;

    st_run.cur = c;
    st_run.campaign_index = cindex;
    c->mem_before = pymodrt_mem_allocated();
    main_doing("Py_InitializeFromConfig");
    s = runtime_start(c->gil);
    if (PyStatus_Exception(s)) {
        fprintf(stderr, "pymodrt-stress: cannot start the runtime: %s\n",
                s.err_msg ? s.err_msg : "?");
        return -1;
    }
    main_ts = PyThreadState_Get();

    /* interpreters */
    nint = 1 + (st_run.subinterps_available ? c->interps : 0);
    st_run.ninterps = 0;
    for (int i = 0; i < nint; i++) {
        struct st_interp *ip = calloc(1, sizeof *ip);
        ip->index = i;
        slots_init(ip);
        if (i == 0) {
            ip->ts = main_ts;
        } else {
            PyInterpreterConfig cfg = _PyInterpreterConfig_INIT;
            cfg.gil = c->own_gil ? PyInterpreterConfig_OWN_GIL : PyInterpreterConfig_SHARED_GIL;
            main_doing("Py_NewInterpreterFromConfig");
            s = Py_NewInterpreterFromConfig(&ip->ts, &cfg);
            if (PyStatus_Exception(s)) {
                fprintf(stderr, "pymodrt-stress: cannot create a sub-interpreter: %s\n",
                        s.err_msg ? s.err_msg : "?");
                slots_fini(ip);
                free(ip);
                PyThreadState_Swap(main_ts);
                rc = -1;
                break;
            }
            ip->own_gil = c->own_gil;
        }
        ip->id = PyInterpreterState_GetID(PyThreadState_GetInterpreter(ip->ts));
        st_run.interp[st_run.ninterps++] = ip;
        main_doing("probing the modules");
        if (probe_interp(c, ip) < 0)
            rc = -1;
        PyThreadState_Swap(main_ts);
        if (rc < 0)
            break;
    }

    /* workers */
    pthread_mutex_lock(&st_run.workers_mu);
    st_run.nworkers = st_run.threads;
    st_run.workers = calloc((size_t)st_run.nworkers, sizeof(struct st_worker));
    pthread_mutex_unlock(&st_run.workers_mu);
    atomic_store(&st_run.cur_shown, c);
    atomic_store(&st_run.stop, rc < 0);
    pthread_barrier_init(&st_run.start, NULL, (unsigned)st_run.nworkers + 1);
    pthread_barrier_init(&st_run.end, NULL, (unsigned)st_run.nworkers + 1);
    for (int i = 0; i < st_run.nworkers; i++) {
        struct st_worker *w = &st_run.workers[i];
        w->index = i;
        w->ip = st_run.interp[i % st_run.ninterps];
        w->rng = st_run.seed ^ ((uint64_t)(cindex + 1) * 0xD1B54A32D192ED03ull) ^
                 ((uint64_t)(i + 1) * 0x8CB92BA72F3D8DD7ull);
        pthread_create(&w->thread, NULL, st_work_thread, w);
    }

    share = st_run.duration > 0 ? st_run.duration / st_run.ncampaigns : 0;
    t0 = st_now();
    for (uint64_t round = 0; rc == 0; round++) {
        int faulty = (round & 1) && c->fault_rate > 0;
        if (share > 0 ? (round > 0 && st_now() - t0 >= share)
                      : per_worker_done >= st_run.iterations)
            break;
        if (st_chk_count() > 0 && !st_run.forever && round > 1)
            break;
        if (atomic_load(&st_run.stop))
            break;
        st_run.round_ops = 256;
        if (share <= 0 && st_run.iterations - per_worker_done < st_run.round_ops)
            st_run.round_ops = st_run.iterations - per_worker_done;
        set_faults(c, faulty, round);
        main_doing(NULL);
        save = PyEval_SaveThread();
        pthread_barrier_wait(&st_run.start);
        pthread_barrier_wait(&st_run.end);
        PyEval_RestoreThread(save);
        set_faults(c, 0, round);
        per_worker_done += st_run.round_ops;
        c->rounds++;
        main_doing("checking the quiescent state");
        st_chk_quiescent();
        st_dog_tsan_collect();
        main_doing(NULL);
    }
    atomic_store(&st_run.stop, 1);
    save = PyEval_SaveThread();
    pthread_barrier_wait(&st_run.start);
    for (int i = 0; i < st_run.nworkers; i++)
        pthread_join(st_run.workers[i].thread, NULL);
    PyEval_RestoreThread(save);
    c->seconds = st_now() - t0;
    worker_totals(c);
    atomic_fetch_add(&st_run.ops_total, c->ops);

    /* GIL, then the interpreters, then the runtime. */
    main_doing("checking the GIL");
    check_gil(c);
    for (int i = 1; i < st_run.ninterps; i++) {
        struct st_interp *ip = st_run.interp[i];
        PyThreadState_Swap(ip->ts);
        if (ip->own_gil && c->gil < 0) {
            pymodrt_gil_stats gs;
            pymodrt_gil_get_stats(&gs);
            c->stop_the_world += gs.stop_the_world;
        }
        main_doing("Py_EndInterpreter");
        Py_EndInterpreter(ip->ts);
        PyThreadState_Swap(main_ts);
    }
    pymodrt_get_import_stats(&c->imports);
    st_dog_tsan_collect();   /* while the module files are still mapped */
    main_doing("Py_FinalizeEx");
    if (Py_FinalizeEx() < 0)
        st_chk_violation("finalize", -1, -1, 0, "Py_FinalizeEx failed");
    main_doing(NULL);
    c->mem_after = pymodrt_mem_allocated();
    if (c->mem_after != c->mem_before)
        st_chk_violation("memory", -1, -1, 0,
                         "%lld bytes allocated before Py_InitializeFromConfig, %lld after "
                         "Py_FinalizeEx (%+lld)", (long long)c->mem_before,
                         (long long)c->mem_after, (long long)(c->mem_after - c->mem_before));
    for (int i = 0; i < st_run.ninterps; i++) {
        slots_fini(st_run.interp[i]);
        free(st_run.interp[i]);
        st_run.interp[i] = NULL;
    }
    st_run.ninterps = 0;
    pthread_barrier_destroy(&st_run.start);
    pthread_barrier_destroy(&st_run.end);
    pthread_mutex_lock(&st_run.workers_mu);
    free(st_run.workers);
    st_run.workers = NULL;
    st_run.nworkers = 0;
    pthread_mutex_unlock(&st_run.workers_mu);
    return rc;
}

/* ---------------------------------------------------------------- scaling */

struct scale_arg {
    struct st_worker *w;
    enum st_op op;
    int mi;
    uint64_t iters;
    pthread_barrier_t *bar;
};

static void *
scale_thread(void *p)
{
    struct scale_arg *a = p;
    PyThreadState *ts = PyThreadState_New(PyThreadState_GetInterpreter(st_run.interp[0]->ts));

    PyThreadState_Swap(ts);
    PyThreadState *save = PyEval_SaveThread();
    pthread_barrier_wait(a->bar);
    PyEval_RestoreThread(save);
    atomic_store(&a->w->started, 1);
    for (uint64_t i = 0; i < a->iters; i++)
        st_work_op(a->w, a->op, a->mi);
    save = PyEval_SaveThread();
    pthread_barrier_wait(a->bar);
    PyEval_RestoreThread(save);
    for (int k = 0; k < ST_MAX_MODULES; k++)
        Py_CLEAR(a->w->held[k]);
    atomic_store(&a->w->started, 0);
    PyThreadState_Clear(ts);
    PyThreadState_DeleteCurrent();
    return NULL;
}

/* Time for 'n' threads each doing 'iters' operations, from the release of
 * the start barrier to the last thread's arrival at the end barrier. */
static double
scale_time(int n, enum st_op op, int mi, uint64_t iters)
{
    struct scale_arg *a = calloc((size_t)n, sizeof *a);
    struct st_worker *ws = calloc((size_t)n, sizeof *ws);
    pthread_t *t = calloc((size_t)n, sizeof *t);
    pthread_barrier_t bar;
    PyThreadState *save;
    double t0, t1;

    pthread_barrier_init(&bar, NULL, (unsigned)n + 1);
    for (int i = 0; i < n; i++) {
        a[i].w = &ws[i];
        ws[i].index = i;
        ws[i].ip = st_run.interp[0];
        ws[i].rng = st_run.seed + (uint64_t)i;
        a[i].op = op;
        a[i].mi = mi;
        a[i].iters = iters;
        a[i].bar = &bar;
        pthread_create(&t[i], NULL, scale_thread, &a[i]);
        ws[i].thread = t[i];
    }
    /* The watchdog watches these threads as workers. */
    pthread_mutex_lock(&st_run.workers_mu);
    st_run.workers = ws;
    st_run.nworkers = n;
    pthread_mutex_unlock(&st_run.workers_mu);
    save = PyEval_SaveThread();
    pthread_barrier_wait(&bar);
    t0 = st_now();
    pthread_barrier_wait(&bar);
    t1 = st_now();
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    PyEval_RestoreThread(save);
    pthread_mutex_lock(&st_run.workers_mu);
    st_run.workers = NULL;
    st_run.nworkers = 0;
    pthread_mutex_unlock(&st_run.workers_mu);
    pthread_barrier_destroy(&bar);
    free(ws);
    free(a);
    free(t);
    return t1 - t0;
}

static void
run_scaling(void)
{
    static const enum st_op ops[] = {ST_OP_IMPORT, ST_OP_ATTR, ST_OP_CALL, ST_OP_STATE,
                                     ST_OP_REIMPORT};
    struct st_campaign c = {.gil = -1};
    int mi = -1;
    PyStatus s;

    /* The first GIL-free module (the first module if none is known). */
    for (int i = 0; i < st_run.nmods && mi < 0; i++)
        if (st_run.mods[i].expect == NULL ? !st_run.mods[i].gil_switched
                                          : st_run.mods[i].expect->gil_free)
            mi = i;
    if (mi < 0)
        mi = 0;
    snprintf(c.name, sizeof c.name, "scaling");
    c.nmods = 1;
    c.mods[0] = mi;
    st_run.cur = &c;
    c.mem_before = pymodrt_mem_allocated();
    s = runtime_start(st_run.gil == -2 ? -1 : st_run.gil);
    if (PyStatus_Exception(s))
        return;
    struct st_interp *ip = calloc(1, sizeof *ip);
    slots_init(ip);
    ip->ts = PyThreadState_Get();
    ip->id = PyInterpreterState_GetID(PyInterpreterState_Get());
    st_run.interp[0] = ip;
    st_run.ninterps = 1;
    PyObject *m = st_main_import(mi);
    if (m == NULL) {
        PyErr_Clear();
    } else {
        Py_DECREF(m);
        for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
            uint64_t iters = 200;
            double t1;
            main_doing("scaling");
            /* calibrate: about 30 ms on one thread */
            for (;;) {
                t1 = scale_time(1, ops[k], mi, iters);
                if (t1 >= 0.01 || iters > (1u << 24))
                    break;
                iters *= 4;
            }
            if (t1 < 0.03)
                iters = (uint64_t)((double)iters * 0.03 / (t1 > 0 ? t1 : 1e-6));
            t1 = scale_time(1, ops[k], mi, iters);
            double tn = scale_time(st_run.threads, ops[k], mi, iters);
            struct st_scaling *sc = &st_run.scaling[st_run.nscaling++];
            sc->op = st_op_names[ops[k]];
            sc->speedup = tn > 0 ? t1 * st_run.threads / tn : 0;
            sc->ops_per_s_1 = (double)iters / t1;
            sc->ops_per_s_n = (double)iters * st_run.threads / tn;
        }
    }
    main_doing(NULL);
    st_chk_quiescent();
    st_dog_tsan_collect();
    Py_FinalizeEx();
    c.mem_after = pymodrt_mem_allocated();
    if (c.mem_after != c.mem_before)
        st_chk_violation("memory", -1, -1, 0, "scaling run: %+lld bytes after Py_FinalizeEx",
                         (long long)(c.mem_after - c.mem_before));
    slots_fini(ip);
    free(ip);
    st_run.interp[0] = NULL;
    st_run.ninterps = 0;
    st_run.cur = NULL;
}

/* ---------------------------------------------------------------- main */

static volatile sig_atomic_t interrupted;

static void
on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
    atomic_store(&st_run.stop, 1);
    st_run.forever = 0;
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"threads", required_argument, NULL, 't'},
        {"interpreters", required_argument, NULL, 'i'},
        {"own-gil", no_argument, NULL, 'o'},
        {"gil", required_argument, NULL, 'g'},
        {"duration", required_argument, NULL, 'd'},
        {"iterations", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {"fault-rate", required_argument, NULL, 'f'},
        {"call", required_argument, NULL, 'c'},
        {"forever", no_argument, NULL, 'F'},
        {"allow-gil", no_argument, NULL, 'A'},
        {"json", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"module-dir", required_argument, NULL, 'M'},
        {"stall-seconds", required_argument, NULL, 'S'},
        {"no-scaling", no_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t u;
    double d;
    int opt, exit_code, li = 0;

    st_run.threads = (int)(ncpu > 0 ? 2 * ncpu : 4);
    st_run.interps = 4;
    st_run.gil = -2;
    st_run.duration = -1;
    st_run.fault_rate = -1;
    st_run.stall_seconds = 10;
    {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        st_run.seed = ((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid()) %
                      1000000000u;
    }
    while ((opt = getopt_long(argc, argv, "hVq", longopts, &li)) != -1) {
        switch (opt) {
        case 't':
            if (parse_u64(optarg, &u) < 0 || u < 1 || u > ST_MAX_WORKERS)
                goto bad;
            st_run.threads = (int)u;
            break;
        case 'i':
            if (parse_u64(optarg, &u) < 0 || u > ST_MAX_INTERPS - 1)
                goto bad;
            st_run.interps = (int)u;
            break;
        case 'o': st_run.own_gil = 1; break;
        case 'g':
            if (strcmp(optarg, "auto") == 0) st_run.gil = -1;
            else if (strcmp(optarg, "on") == 0 || strcmp(optarg, "1") == 0) st_run.gil = 1;
            else if (strcmp(optarg, "off") == 0 || strcmp(optarg, "0") == 0) st_run.gil = 0;
            else goto bad;
            break;
        case 'd':
            if (parse_double(optarg, &d) < 0 || !(d > 0))
                goto bad;
            st_run.duration = d;
            break;
        case 'n':
            if (parse_u64(optarg, &u) < 0 || u < 1)
                goto bad;
            st_run.iterations = u;
            break;
        case 's':
            if (parse_u64(optarg, &u) < 0)
                goto bad;
            st_run.seed = u;
            break;
        case 'f':
            if (parse_double(optarg, &d) < 0 || d < 0 || d > 1)
                goto bad;
            st_run.fault_rate = d;
            break;
        case 'c': st_run.call = optarg; break;
        case 'F': st_run.forever = 1; break;
        case 'A': st_run.allow_gil = 1; break;
        case 'j': st_run.json = optarg; break;
        case 'q': st_run.quiet = 1; break;
        case 'M': st_run.module_dir = optarg; break;
        case 'S':
            if (parse_double(optarg, &d) < 0 || !(d > 0))
                goto bad;
            st_run.stall_seconds = d;
            break;
        case 'N': st_run.no_scaling = 1; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("pymodrt-stress %s\n", PYMODRT_VERSION); return 0;
        default: usage(stderr); return 2;
        bad:
            fprintf(stderr, "pymodrt-stress: bad value '%s' for --%s\n", optarg, longopts[li].name);
            usage(stderr);
            return 2;
        }
    }
    if (st_run.duration < 0)
        st_run.duration = st_run.iterations ? 0 : 8;
    else if (st_run.iterations)
        st_run.iterations = 0;   /* --duration wins */
    if (optind == argc) {
        const char *dir = find_module_dir();
        if (dir == NULL) {
            fprintf(stderr, "pymodrt-stress: cannot find the bundled modules; use --module-dir "
                            "or PYMODRT_STRESS_MODULE_DIR\n");
            return 2;
        }
        st_run.module_dir = dir;
        st_run.default_campaign = 1;
        for (int i = 0; i < NBUNDLED; i++) {
            struct st_module *m = &st_run.mods[st_run.nmods++];
            memset(m, 0, sizeof *m);
            snprintf(m->name, sizeof m->name, "%s", bundled[i].name);
            m->expect = &bundled[i];
        }
    } else {
        for (int i = optind; i < argc; i++)
            if (add_module(argv[i]) < 0)
                return 2;
    }
    st_run.progress = !st_run.quiet && isatty(2);
    st_run.subinterps_available = 1;
    st_run.main_thread = pthread_self();
    pthread_mutex_init(&st_run.workers_mu, NULL);
    st_chk_init();
    signal(SIGINT, on_sigint);

    plan_campaigns();
    if (!st_run.quiet) {
        printf("pymodrt-stress %s: %d threads, %d sub-interpreters, seed %llu, %s\n",
               PYMODRT_VERSION, st_run.threads, st_run.interps, (unsigned long long)st_run.seed,
               pymodrt_mem_uses_jemalloc() ? "jemalloc" : "system allocator");
        printf("modules:");
        for (int i = 0; i < st_run.nmods; i++)
            printf(" %s", st_run.mods[i].name);
        printf("\n");
        fflush(stdout);
    }
    st_run.t_start = st_now();
    st_run.t_total = st_run.duration;
    st_dog_start();
    exit_code = 0;
    do {
        for (int i = 0; i < st_run.ncampaigns && exit_code == 0; i++) {
            struct st_campaign *c = &st_run.campaigns[i];
            struct st_campaign fresh = *c;
            /* Results of a previous loop of --forever start over. */
            memset(fresh.hist, 0, sizeof fresh.hist);
            fresh.ops = fresh.failures_injected = fresh.refusals = fresh.rounds = 0;
            *c = fresh;
            if (run_campaign(c, i) < 0)
                exit_code = 2;
            st_dog_tsan_collect();
            if (!st_run.quiet && exit_code == 0) {
                st_dog_progress_clear();
                st_rep_campaign(stdout, c);
                fflush(stdout);
            }
            if (interrupted)
                break;
        }
        if (st_chk_count() > 0)
            break;
        if (st_run.forever)
            st_run.t_start = st_now();
    } while (st_run.forever && !interrupted && exit_code == 0);
    if (exit_code == 0 && !st_run.no_scaling && !interrupted && st_chk_count() == 0) {
        run_scaling();
        st_dog_tsan_collect();
    }
    st_dog_stop();
    st_dog_tsan_collect();
    if (exit_code == 0)
        exit_code = st_chk_count() > 0 ? 1 : 0;
    if (exit_code != 2)
        st_rep_final(stdout);
    if (st_run.json != NULL && st_rep_json(st_run.json, exit_code) < 0 && exit_code == 0)
        exit_code = 2;
    fflush(stdout);
    return exit_code;
}
