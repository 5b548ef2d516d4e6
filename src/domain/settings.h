/* Sector-wide settings with defaults (organisations will override some of
 * them). Only known keys exist, each with its own validation. */
#ifndef CAMPUS_DOMAIN_SETTINGS_H
#define CAMPUS_DOMAIN_SETTINGS_H

struct ctx;

#define SETTING_BRAND_COLOR "brand.color"       /* #rrggbb */
#define SETTING_SECTOR_NAME "sector.name"       /* shown in the header */

/* The stored value, or the default; CAMPUS_EINVAL for an unknown key. */
int settings_get(struct ctx *ctx, const char *key, const char **value);
/* Validates and stores (in its own write transaction). */
int settings_set(struct ctx *ctx, const char *key, const char *value);
/* Check a value without storing it. */
int settings_validate(const char *key, const char *value);

#endif
