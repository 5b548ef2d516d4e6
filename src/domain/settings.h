/* Sector-wide settings with defaults (organisations will override some of
 * them). Only known keys exist, each with its own validation. */
#ifndef CAMPUS_DOMAIN_SETTINGS_H
#define CAMPUS_DOMAIN_SETTINGS_H

#include <stdint.h>

struct ctx;

#define SETTING_BRAND_COLOR "brand.color"       /* #rrggbb */
#define SETTING_SECTOR_NAME "sector.name"       /* shown in the header */
#define SETTING_REVIEW_CHAIR "review.chair"     /* person id of the committee chair; "": none */
#define SETTING_REVIEW_POINTS_MIN "review.points_min" /* points a recognition gives at least: "0.5" */
#define SETTING_REVIEW_POINTS_MAX "review.points_max" /* and at most: "100" */

/* The stored value, or the default; CAMPUS_EINVAL for an unknown key. */
int settings_get(struct ctx *ctx, const char *key, const char **value);
/* Validates and stores (in its own write transaction). */
int settings_set(struct ctx *ctx, const char *key, const char *value);
/* Check a value without storing it. */
int settings_validate(const char *key, const char *value);
/* A setting holding an amount ("0.5", "0,5", "100") as tenths. */
int settings_get_tenths(struct ctx *ctx, const char *key, int64_t *tenths);

#endif
