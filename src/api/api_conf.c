/* The api group of the configuration as client options, and the checks 'alfwipe purge' makes
 * of it before it sends anything; 'alfwipe check' runs the same ones. */
#include <string.h>

#include "alfwipe/api.h"
#include "alfwipe/conf.h"

void api_opts_from_conf(const struct conf *conf, struct api_opts *o)
{
    const struct conf_api *a = &conf->api;
    memset(o, 0, sizeof *o);
    o->url = a->url.val;
    o->user = a->user.val;
    o->password = a->password;
    o->ca_file = a->ca_file.val;
    o->timeout_seconds = a->timeout_seconds.src != SRC_UNSET ? (long)a->timeout_seconds.val : 0;
}

bool api_conf_present(const struct conf *conf)
{
    const struct conf_api *a = &conf->api;
    return a->url.src != SRC_UNSET || a->user.src != SRC_UNSET ||
           a->password_file.src != SRC_UNSET || a->ca_file.src != SRC_UNSET;
}

int api_check_conf(struct conf *conf, struct err *err)
{
    if (!conf->api.url.val) {
        err_set(err, ERR_CONFIG, "api.url is not set");
        return err_hint(err, "Set api.url in alfwipe.conf to the Alfresco webapp, e.g. "
                             "https://alfresco.example:8443/alfresco.");
    }
    if (conf->api.password_file.val && conf_load_api_password(conf, err) != 0)
        return -1;
    struct api_opts o;
    api_opts_from_conf(conf, &o);
    return api_check_opts(&o, err);
}
