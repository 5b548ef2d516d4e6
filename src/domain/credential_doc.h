/* Helpers of the credential documents (credential_pdf.c, badge.c) that the
 * pages share, so the PDF, the badge and the web pages word things alike.
 * The documents themselves are declared in credential.h. */
#ifndef CAMPUS_DOMAIN_CREDENTIAL_DOC_H
#define CAMPUS_DOMAIN_CREDENTIAL_DOC_H

#include <stdint.h>

struct buf;
struct ctx;

/* "1,5 punt", "12 punten": Dutch counts below two in the singular. */
void credential_points_text(int64_t tenths, char out[32]);
/* The Open Badges 3.0 issuer Profile of the campus as JSON, appended to out
 * (GET /issuer). */
int credential_issuer_profile(struct ctx *ctx, struct buf *out);

#endif
