/* Unit tests for src/util/redact.c: the password of a URL is masked, the rest kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alfwipe/redact.h"

static void same(const char *in, const char *want)
{
    char *got = url_redact(in);
    if (strcmp(got, want) != 0)
        fail_msg("url_redact('%s') = '%s', want '%s'", in, got, want);
    free(got);
}

static void url_redact__userinfo__masked(void **state)
{
    (void)state;
    same("http://user:pw@127.0.0.1:1/alfresco", "http://***@127.0.0.1:1/alfresco");
    same("https://a@b:pw@host/x?y=1", "https://***@host/x?y=1");
    same("https://host/alf@fresco", "https://host/alf@fresco");
    same("user:pw@host/alfresco", "user:***@host/alfresco");
    same("jdbc:oracle:thin:@localhost:1521:alfresco", "jdbc:oracle:thin:@localhost:1521:alfresco");
}

static void url_redact__password_parameter__masked(void **state)
{
    (void)state;
    same("jdbc:postgresql://h/d?user=u&password=s3&ssl=true",
         "jdbc:postgresql://h/d?user=u&password=***&ssl=true");
    same("jdbc:mysql://h/d?PASSWORD=x", "jdbc:mysql://h/d?PASSWORD=***");
    same("jdbc:mysql://h/d?passwordx=1&password=", "jdbc:mysql://h/d?passwordx=1&password=***");
    same("https://h/a#password=x", "https://h/a#password=x");
    same("", "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(url_redact__userinfo__masked),
        cmocka_unit_test(url_redact__password_parameter__masked),
    };
    return cmocka_run_group_tests_name("redact", tests, NULL, NULL);
}
