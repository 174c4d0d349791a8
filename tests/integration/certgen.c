/* Test program: writes wipe certificate runs with the real writer (cert_open / cert_append /
 * cert_close) so that 'alfwipe verify' can be tested before and independently of 'alfwipe wipe'.
 * The t_verify tests build it against libalfwipe.a.
 *
 * usage: certgen CERT [-k KEYFILE] RUNSPEC
 * RUNSPEC is a JSON object read from standard input:
 *   {"header": {...fields...}, "files": [{...}, ...], "footer": true|false}
 * The header gets "type":"header" and the run id; every file record "type":"file", the run id;
 * the footer "type":"footer", the run id, totals counted from the records, bytes and ended. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alfwipe/err.h"
#include "alfwipe/wipe_cert.h"

static int die(const struct err *err)
{
    err_print(err);
    return 3;
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 4) {
        fprintf(stderr, "usage: certgen CERT [-k KEYFILE] < RUNSPEC.json\n");
        return 3;
    }
    const char *path = argv[1];
    uint8_t key[4096];
    size_t keylen = 0;
    bool keyed = false;
    if (argc == 4 && strcmp(argv[2], "-k") == 0) {
        FILE *kf = fopen(argv[3], "r");
        if (!kf) {
            perror(argv[3]);
            return 3;
        }
        keylen = fread(key, 1, sizeof key, kf);
        fclose(kf);
        if (keylen && key[keylen - 1] == '\n')
            keylen--;
        keyed = true;
    }
    json_error_t je;
    json_t *spec = json_loadf(stdin, 0, &je);
    if (!spec) {
        fprintf(stderr, "certgen: bad spec: %s\n", je.text);
        return 3;
    }
    struct err err = ERR_INIT;
    struct cert_writer *w = NULL;
    if (cert_open(&w, path, keyed ? key : NULL, keylen, &err) != 0)
        return die(&err);
    const char *run = json_string_value(json_object_get(spec, "run"));
    if (!run)
        run = "0123456789abcdef0123456789abcdef";
    json_t *h = json_deep_copy(json_object_get(spec, "header"));
    json_t *hdr = json_object();
    json_object_set_new(hdr, "type", json_string("header"));
    json_object_set_new(hdr, "run", json_string(run));
    json_object_update(hdr, h);
    json_decref(h);
    if (cert_append(w, hdr, &err) != 0)
        return die(&err);
    json_decref(hdr);
    long totals[4] = {0, 0, 0, 0};
    long long bytes = 0;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(spec, "files"), i, f) {
        json_t *rec = json_object();
        json_object_set_new(rec, "type", json_string("file"));
        json_object_set_new(rec, "run", json_string(run));
        json_object_update(rec, f);
        int idx = cert_status_index(json_string_value(json_object_get(rec, "status")));
        if (idx >= 0)
            totals[idx]++;
        bytes += json_integer_value(json_object_get(rec, "bytes_written"));
        if (cert_append(w, rec, &err) != 0)
            return die(&err);
        json_decref(rec);
    }
    if (json_is_true(json_object_get(spec, "footer"))) {
        json_t *ft = json_object();
        json_object_set_new(ft, "type", json_string("footer"));
        json_object_set_new(ft, "run", json_string(run));
        json_t *t = json_object();
        json_object_set_new(t, "files", json_integer(totals[0] + totals[1] + totals[2] +
                                                     totals[3]));
        json_object_set_new(t, "ERASED", json_integer(totals[0]));
        json_object_set_new(t, "FAILED", json_integer(totals[1]));
        json_object_set_new(t, "REFUSED", json_integer(totals[2]));
        json_object_set_new(t, "ABORTED", json_integer(totals[3]));
        json_object_set_new(ft, "totals", t);
        json_object_set_new(ft, "bytes", json_integer(bytes));
        json_object_set_new(ft, "ended", json_string("2024-06-20T04:40:00Z"));
        if (cert_append(w, ft, &err) != 0)
            return die(&err);
        json_decref(ft);
    }
    json_decref(spec);
    if (cert_close(w, &err) != 0)
        return die(&err);
    return 0;
}
