/* COPY text format: see pgcopy.h. The format (PostgreSQL documentation, COPY, "Text Format"):
 * columns separated by a tab, rows ended by a newline, NULL written as \N, and in data a
 * backslash escapes the next character: \b \f \n \r \t \v stand for those control characters,
 * \digits for one to three octal digits, \xdigits for one or two hex digits, and a backslash
 * followed by any other character stands for that character. The server escapes a backslash,
 * a tab, a newline and a carriage return in data, so a raw tab always ends a column. */
#include "pgcopy.h"

#include <stdbool.h>
#include <string.h>

#include "alfwipe/hexdigit.h"
#include "alfwipe/xalloc.h"

/* Unescape s[0..len) in place; returns the new length, or (size_t)-1 for a final lone
 * backslash. */
static size_t unescape(char *s, size_t len)
{
    char *bs = memchr(s, '\\', len);
    if (!bs)
        return len;
    size_t in = (size_t)(bs - s), out = in;
    while (in < len) {
        char c = s[in++];
        if (c != '\\') {
            s[out++] = c;
            continue;
        }
        if (in == len)
            return (size_t)-1;
        c = s[in++];
        switch (c) {
        case 'b': s[out++] = '\b'; break;
        case 'f': s[out++] = '\f'; break;
        case 'n': s[out++] = '\n'; break;
        case 'r': s[out++] = '\r'; break;
        case 't': s[out++] = '\t'; break;
        case 'v': s[out++] = '\v'; break;
        case 'x': {
            int v = in < len ? hex_digit(s[in]) : -1;
            if (v < 0) {            /* \x without a hex digit: the letter itself */
                s[out++] = 'x';
                break;
            }
            in++;
            int v2 = in < len ? hex_digit(s[in]) : -1;
            if (v2 >= 0) {
                v = v * 16 + v2;
                in++;
            }
            s[out++] = (char)v;
            break;
        }
        default:
            if (c >= '0' && c <= '7') {
                int v = c - '0';
                for (int k = 0; k < 2 && in < len && s[in] >= '0' && s[in] <= '7'; k++)
                    v = v * 8 + (s[in++] - '0');
                s[out++] = (char)(v & 0xff);
            } else {
                s[out++] = c;
            }
        }
    }
    return out;
}

int pgcopy_split(char *line, size_t len, struct db_value **cols, size_t *cap)
{
    if (len > 0 && line[len - 1] == '\n')
        len--;
    int n = 0;
    size_t pos = 0;
    for (;;) {
        char *start = line + pos;
        char *tab = memchr(start, '\t', len - pos);
        size_t flen = tab ? (size_t)(tab - start) : len - pos;
        *cols = xgrow(*cols, cap, (size_t)n + 1, sizeof **cols);
        struct db_value *v = &(*cols)[n++];
        if (flen == 2 && start[0] == '\\' && start[1] == 'N') {
            v->s = "";
            v->len = 0;
            v->null = true;
        } else {
            size_t ulen = unescape(start, flen);
            if (ulen == (size_t)-1)
                return -1;
            start[ulen] = '\0';
            v->s = start;
            v->len = ulen;
            v->null = false;
        }
        if (!tab)
            break;
        pos += flen + 1;
    }
    return n;
}
