/* Server text made safe to show (visible.h). */
#include "alfwipe/visible.h"

#include <stdio.h>
#include <string.h>

#include "alfwipe/xalloc.h"

void vis_copy(char *dst, size_t cap, const char *s, size_t max)
{
    if (cap == 0)
        return;
    size_t w = 0;
    for (size_t i = 0; s[i] && i < max; i++) {
        unsigned char ch = (unsigned char)s[i];
        char tmp[8];
        if (ch >= 0x20 && ch != 0x7f) {
            tmp[0] = (char)ch;
            tmp[1] = '\0';
        } else if (ch == '\n' || ch == '\r' || ch == '\t') {
            snprintf(tmp, sizeof tmp, "\\%c", ch == '\n' ? 'n' : ch == '\r' ? 'r' : 't');
        } else {
            snprintf(tmp, sizeof tmp, "\\x%02x", ch);
        }
        size_t n = strlen(tmp);
        if (w + n >= cap)
            break;
        memcpy(dst + w, tmp, n);
        w += n;
    }
    dst[w] = '\0';
}

char *vis_dup(const char *s)
{
    if (!s)
        return NULL;
    size_t len = strlen(s), cap = 4 * len + 1;   /* \xHH: four bytes at most for one */
    char *out = xmalloc(cap);
    vis_copy(out, cap, s, len);
    return out;
}
