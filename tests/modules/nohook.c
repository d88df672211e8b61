/* nohook: a shared library that exports neither PyModExport_nohook nor
 * PyInit_nohook (SEMANTICS 2.4, item 5). */
int nohook_something_else(void);
int nohook_something_else(void) { return 1; }
