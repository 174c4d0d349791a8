/* Secrets out of what is shown: a URL as it may appear in a message or in 'alfwipe check'. */
#ifndef ALFWIPE_REDACT_H
#define ALFWIPE_REDACT_H

/* A copy of url (owned by the caller) with the user information before '@' in its authority
 * ("user:password@") replaced by "***@", and the value of every query parameter named
 * password (any case) by "***". Anything else is kept as it is. */
char *url_redact(const char *url);

#endif
