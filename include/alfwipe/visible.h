/* Server text made safe to show: on a terminal, in a text report, in a message. */
#ifndef ALFWIPE_VISIBLE_H
#define ALFWIPE_VISIBLE_H

#include <stddef.h>

/* At most max bytes of s into dst (cap bytes, always terminated), each control character
 * (below 0x20, and 0x7f) written as \n, \r, \t or \xHH: a terminal escape or a line break
 * taken from a server reply must not reach the terminal raw or forge a line of output. An
 * escape that does not fit is left out whole. */
void vis_copy(char *dst, size_t cap, const char *s, size_t max);

/* The same for the whole of s, into a copy the caller frees; NULL for NULL. */
char *vis_dup(const char *s);

#endif
