/* Test driver for the wipe certificate: the t_wipe_*.py tests build it against libalfwipe.a and
 * run cert_verify on a certificate alfwipe wrote. Prints one "key value" line per finding; exit
 * 0 intact, 1 a key is needed, 2 tampered, 3 unreadable or usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alfwipe/wipe_cert.h"

static int on_file(void *arg, long line, const json_t *rec, struct err *err)
{
    (void)arg;
    (void)err;
    printf("file %ld %s %s\n", line, json_string_value(json_object_get(rec, "status")),
           json_string_value(json_object_get(rec, "path")));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fputs("usage: certcheck CERTIFICATE [HMAC-KEY-FILE]\n", stderr);
        return 3;
    }
    uint8_t *key = NULL;
    size_t keylen = 0;
    if (argc == 3) {
        struct err kerr = ERR_INIT;
        if (cert_key_load(argv[2], 1, &key, &keylen, &kerr) != 0) {
            err_print(&kerr);
            return 3;
        }
    }
    struct cert_report rep;
    struct err err = ERR_INIT;
    int vrc = cert_verify(argv[1], key, keylen, on_file, NULL, &rep, &err);
    free(key);
    if (vrc != 0) {
        err_print(&err);
        return 3;
    }
    static const char *const states[] = {"intact", "tampered", "needs_key", "unreadable"};
    printf("state %s\nbad_line %ld\nproblem %s\nlines %ld\nruns %ld\ncomplete %ld\n"
           "incomplete %ld\nkeyed %ld\nERASED %ld\nFAILED %ld\nREFUSED %ld\nABORTED %ld\n",
           states[rep.state], rep.bad_line, rep.problem, rep.lines, rep.runs, rep.runs_complete,
           rep.runs_incomplete, rep.runs_keyed, rep.files[CERT_ERASED], rep.files[CERT_FAILED],
           rep.files[CERT_REFUSED], rep.files[CERT_ABORTED]);
    return rep.state == CERT_INTACT ? 0 : rep.state == CERT_NEEDS_KEY ? 1 : 2;
}
