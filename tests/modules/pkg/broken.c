/* pkg.broken: PyInit fails without an exception; the message names the
 * short name (item 18). */
#include <Python.h>

PyMODINIT_FUNC
PyInit_broken(void)
{
    return NULL;
}
