/* inspect.c: pymodrt_inspect_file - what a module file declares, without
 * importing it.
 *
 * Step 1 reads the file's ELF header, its section headers, .dynsym and
 * .dynstr (bounds-checked: a truncated or hostile file gives an error, never
 * a read out of the buffer) and lists the defined global function symbols
 * named PyModExport_x, PyModExportU_x, PyInit_x, PyInitU_x.  Step 2, only
 * for export hooks, loads the library RTLD_LOCAL, calls the hook and walks
 * its PySlot array (nested arrays included) without validating, recording
 * what it declares; a slot the runtime would refuse, or a hook that fails,
 * is noted.  Calling a hook needs an attached thread state (hooks may use
 * the C API); the caller's error indicator is preserved.  The library
 * handle is closed again. */
#include "loader.h"
#include "punycode.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define INSPECT_MAX_FILE (512u << 20)

static int
fail(char *err, size_t n, const char *fmt, const char *arg)
{
    if (err != NULL && n > 0)
        snprintf(err, n, fmt, arg);
    return -1;
}

/* Reads the whole file into a buffer from the system heap. */
static unsigned char *
read_file(const char *path, size_t *size, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    unsigned char *buf;
    size_t got = 0;

    if (fd < 0) {
        fail(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr) ||
        (uint64_t)st.st_size > INSPECT_MAX_FILE) {
        close(fd);
        fail(err, errlen, "%s: not a regular file of a plausible size", path);
        return NULL;
    }
    buf = malloc((size_t)st.st_size);
    if (buf == NULL) {
        close(fd);
        fail(err, errlen, "%s", "out of memory");
        return NULL;
    }
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r <= 0) {
            free(buf);
            close(fd);
            fail(err, errlen, "%s: read error", path);
            return NULL;
        }
        got += (size_t)r;
    }
    close(fd);
    *size = got;
    return buf;
}

static int
in_bounds(size_t size, uint64_t off, uint64_t len)
{
    return off <= size && len <= size - off;
}

/* Classifies a symbol; fills kind, unicode and the encoded name part. */
static int
hook_kind(const char *sym, int *kind, int *unicode, const char **rest)
{
    static const struct { const char *prefix; int kind, unicode; } p[] = {
        {"PyModExportU_", PYMODRT_HOOK_EXPORT, 1}, {"PyModExport_", PYMODRT_HOOK_EXPORT, 0},
        {"PyInitU_", PYMODRT_HOOK_INIT, 1}, {"PyInit_", PYMODRT_HOOK_INIT, 0},
    };
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
        size_t n = strlen(p[i].prefix);
        if (strncmp(sym, p[i].prefix, n) == 0 && sym[n] != '\0') {
            *kind = p[i].kind;
            *unicode = p[i].unicode;
            *rest = sym + n;
            return 1;
        }
    }
    return 0;
}

/* The module name a hook stands for.  For a "U" hook the encoded name had
 * its '-' turned into '_'; the punycode delimiter is the last '-', so the
 * last '_' is turned back (SEMANTICS 2.3; names whose basic part itself
 * contains '_' or '-' cannot always be told apart). */
static void
decode_name(const char *rest, int unicode, char *out, size_t n)
{
    char enc[256];
    size_t len, outlen;
    char *last;

    snprintf(out, n, "%s", rest);
    if (!unicode)
        return;
    snprintf(enc, sizeof enc, "%s", rest);
    last = strrchr(enc, '_');
    if (last != NULL)
        *last = '-';
    len = strlen(enc);
    if (imp_punycode_decode(enc, len, out, n, &outlen) < 0)
        snprintf(out, n, "%s", rest);
}

struct slot_reader {
    pymodrt_module_info *info;
    int depth;
};

static void
read_slots(struct slot_reader *r, const PySlot *slots)
{
    pymodrt_module_info *info = r->info;

    if (r->depth++ >= 5) {
        snprintf(info->slot_error, sizeof info->slot_error, "too many levels of nested slots");
        return;
    }
    for (const PySlot *s = slots; s->sl_id != 0; s++) {
        unsigned id = s->sl_id >= 1 && s->sl_id <= 4 ? s->sl_id + 83u : s->sl_id;
        uint64_t v = (s->sl_flags & PySlot_INTPTR) ? (uint64_t)(uintptr_t)s->sl_ptr : s->sl_uint64;
        switch (id) {
        case 84: info->has_create = 1; break;
        case 85: info->has_exec = 1; break;
        case 86: info->multiple_interpreters = (int)v; break;
        case 87: info->gil_not_used = v == (uint64_t)(uintptr_t)Py_MOD_GIL_NOT_USED; break;
        case 101:
            if (s->sl_ptr != NULL)
                snprintf(info->doc, sizeof info->doc, "%s", (const char *)s->sl_ptr);
            break;
        case 102:
            info->state_size = (s->sl_flags & PySlot_INTPTR) ? (Py_ssize_t)(intptr_t)s->sl_ptr
                                                             : s->sl_size;
            break;
        case 103: info->has_methods = 1; break;
        case 109: info->has_abi = 1; break;
        case Py_slot_subslots:
            if (s->sl_ptr != NULL)
                read_slots(r, s->sl_ptr);
            break;
        case 100: case 104: case 105: case 106: case 110: case Py_mod_slots:
            break;
        default:
            if (!(s->sl_flags & PySlot_OPTIONAL) && info->slot_error[0] == '\0')
                snprintf(info->slot_error, sizeof info->slot_error,
                         "slot %u is not a module slot", (unsigned)s->sl_id);
        }
    }
    r->depth--;
}

static void
read_export_slots(const char *path, pymodrt_module_info *info)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    PySlot *(*hook)(void);
    PySlot *slots;

    if (h == NULL)
        return;
    *(void **)&hook = dlsym(h, info->hook);
    /* A hook may use the C API (to raise, say): it needs an attached
     * thread state, and must not disturb the caller's error indicator. */
    PyThreadState *ts = ts_get();
    if (hook == NULL || ts == NULL || !ts->attached) {
        snprintf(info->slot_error, sizeof info->slot_error,
                 "slots not read: no attached thread state");
        dlclose(h);
        return;
    }
    PyObject *saved = PyErr_GetRaisedException();
    slots = hook();
    if (slots == NULL || PyErr_Occurred()) {
        PyObject *exc = PyErr_GetRaisedException(), *text = exc ? PyObject_Str(exc) : NULL;
        snprintf(info->slot_error, sizeof info->slot_error, "export hook failed: %s%s%s",
                 exc ? Py_TYPE(exc)->tp_name : "returned NULL without an exception",
                 text ? ": " : "", text ? PyUnicode_AsUTF8(text) : "");
        Py_XDECREF(text);
        Py_XDECREF(exc);
        PyErr_Clear();
        slots = NULL;
    }
    PyErr_SetRaisedException(saved);
    if (slots != NULL) {
        struct slot_reader r = {info, 0};
        info->slots_known = 1;
        info->gil_not_used = 0;          /* the default when the slot is absent */
        info->multiple_interpreters = 1; /* the default when the slot is absent */
        info->state_size = 0;
        read_slots(&r, slots);
    }
    dlclose(h);
}

int
pymodrt_inspect_file(const char *path, pymodrt_module_info *out, int max, char *err,
                     size_t errlen)
{
    size_t size;
    unsigned char *buf = read_file(path, &size, err, errlen);
    const Elf64_Ehdr *eh;
    const Elf64_Shdr *sh;
    int found = 0;

    if (buf == NULL)
        return -1;
    eh = (const Elf64_Ehdr *)buf;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64) {
        free(buf);
        return fail(err, errlen, "%s: not a 64-bit ELF file", path);
    }
    if (eh->e_type != ET_DYN || eh->e_shentsize != sizeof(Elf64_Shdr) ||
        !in_bounds(size, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr))) {
        free(buf);
        return fail(err, errlen, "%s: not a shared object with readable sections", path);
    }
    sh = (const Elf64_Shdr *)(buf + eh->e_shoff);
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_DYNSYM)
            continue;
        if (sh[i].sh_link >= eh->e_shnum || sh[i].sh_entsize != sizeof(Elf64_Sym) ||
            !in_bounds(size, sh[i].sh_offset, sh[i].sh_size) ||
            !in_bounds(size, sh[sh[i].sh_link].sh_offset, sh[sh[i].sh_link].sh_size)) {
            free(buf);
            return fail(err, errlen, "%s: malformed dynamic symbol table", path);
        }
        const Elf64_Sym *syms = (const Elf64_Sym *)(buf + sh[i].sh_offset);
        const char *strtab = (const char *)buf + sh[sh[i].sh_link].sh_offset;
        size_t strsize = sh[sh[i].sh_link].sh_size, nsyms = sh[i].sh_size / sizeof(Elf64_Sym);
        for (size_t k = 0; k < nsyms; k++) {
            const Elf64_Sym *sym = &syms[k];
            int kind, unicode;
            const char *name, *rest;

            if (sym->st_shndx == SHN_UNDEF || ELF64_ST_TYPE(sym->st_info) != STT_FUNC ||
                (ELF64_ST_BIND(sym->st_info) != STB_GLOBAL &&
                 ELF64_ST_BIND(sym->st_info) != STB_WEAK) || sym->st_name >= strsize)
                continue;
            name = strtab + sym->st_name;
            if (memchr(name, '\0', strsize - sym->st_name) == NULL)
                continue;   /* unterminated: a hostile table */
            if (!hook_kind(name, &kind, &unicode, &rest) || strlen(name) >= 258)
                continue;
            if (found < max) {
                pymodrt_module_info *info = &out[found];
                memset(info, 0, sizeof *info);
                snprintf(info->hook, sizeof info->hook, "%s", name);
                decode_name(rest, unicode, info->module, sizeof info->module);
                info->kind = kind;
                info->gil_not_used = -1;
                info->multiple_interpreters = -1;
                info->state_size = -1;
            }
            found++;
        }
        break;
    }
    free(buf);
    for (int i = 0; i < found && i < max; i++)
        if (out[i].kind == PYMODRT_HOOK_EXPORT)
            read_export_slots(path, &out[i]);
    return found;
}
