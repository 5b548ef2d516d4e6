#include "http/req.h"
#include "web/web.h"
#include "core/err.h"
int api_provider_editions(struct req *r) { (void)r; return CAMPUS_ENOTFOUND; }
int api_provider_edition(struct req *r) { (void)r; return CAMPUS_ENOTFOUND; }
int api_provider_edition_participants(struct req *r) { (void)r; return CAMPUS_ENOTFOUND; }
int api_provider_edition_attendance(struct req *r) { (void)r; return CAMPUS_ENOTFOUND; }
int api_provider_edition_results(struct req *r) { (void)r; return CAMPUS_ENOTFOUND; }
