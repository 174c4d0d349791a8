/* The value of one hexadecimal digit, for the parsers of escapes and encodings (properties
 * files, JDBC URLs, COPY rows, hex keys): 0..15, or -1 for any other character. */
#ifndef ALFWIPE_HEXDIGIT_H
#define ALFWIPE_HEXDIGIT_H

static inline int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif
