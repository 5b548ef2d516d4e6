/* A manager's work on one member: add, change kind and roles, end. */
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "core/log.h"
#include "domain/auth.h"
#include "domain/people.h"
#include "http/req.h"
#include "web/web.h"

static const struct {
	const char *key;
	unsigned bit;
} role_keys[] = {
    {"lerende", ROLE_LEARNER},     {"manager", ROLE_MANAGER},     {"docent", ROLE_TEACHER},
    {"aanbieder", ROLE_PROVIDER_ADMIN}, {"commissie", ROLE_COMMITTEE}, {"beheerder", ROLE_CAMPUS_ADMIN},
};
static const char *const kinds[] = {"employee", "volunteer", "external"};

/* The roles this actor may hand out, each marked when set in `roles`. */
static json_t *role_choices(struct req *r, unsigned roles)
{
	unsigned grantable = r->actor.roles & ROLE_CAMPUS_ADMIN ? ROLE_ALL : ROLES_MANAGER_GRANTS;
	json_t *list = json_array();
	for (size_t i = 0; i < sizeof role_keys / sizeof role_keys[0]; i++)
		if (grantable & role_keys[i].bit)
			json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "key", role_keys[i].key,
			                                      "label", req_tr(r, role_label(role_keys[i].bit)),
			                                      "checked", (roles & role_keys[i].bit) != 0));
	return list;
}

static json_t *kind_choices(struct req *r, const char *kind)
{
	json_t *list = json_array();
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "key", kinds[i], "label",
		                                      req_tr(r, membership_kind_label(kinds[i])), "checked",
		                                      kind && !strcmp(kind, kinds[i])));
	return list;
}

/* Roles ticked in the form (field "rol", repeated); CAMPUS_EINVAL for an unknown one. */
static int form_roles(struct req *r, unsigned *roles)
{
	*roles = 0;
	for (const struct form_field *f = r->form.first; f; f = f->next) {
		if (strcmp(f->name, "rol") != 0 || !f->value)
			continue;
		size_t i = 0;
		while (i < sizeof role_keys / sizeof role_keys[0] && strcmp(role_keys[i].key, f->value))
			i++;
		if (i == sizeof role_keys / sizeof role_keys[0])
			return CAMPUS_EINVAL;
		*roles |= role_keys[i].bit;
	}
	return 0;
}

static json_t *page_base(struct req *r)
{
	const char *back = arena_printf(r->arena, "/b/%s/leden", r->org.slug);
	return json_pack("{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}]}", "org_name", r->org.name, "org_slug",
	                 r->org.slug, "breadcrumb", "href", "/mijn", "label", req_tr(r, "Mijn Campus"),
	                 "href", back ? back : "/mijn", "label", req_tr(r, "Leden"));
}

static int render_new(struct req *r, unsigned status, const char *error)
{
	json_t *data = page_base(r);
	const char *kind = req_form(r, "soort");
	unsigned roles = ROLE_LEARNER;
	if (r->method == HTTP_POST && form_roles(r, &roles) != 0)
		roles = 0;
	json_object_set_new(data, "kinds", kind_choices(r, kind ? kind : "volunteer"));
	json_object_set_new(data, "roles", role_choices(r, roles));
	json_object_set_new(data, "email", json_string(req_form(r, "email") ? req_form(r, "email") : ""));
	json_object_set_new(data, "name", json_string(req_form(r, "naam") ? req_form(r, "naam") : ""));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return reply_page(r, status, "lid-nieuw", data);
}

int page_member_new(struct req *r)
{
	if (r->method != HTTP_POST)
		return render_new(r, 200, NULL);
	unsigned roles;
	if (form_roles(r, &roles) != 0)
		return CAMPUS_EINVAL;
	struct ctx ctx;
	req_ctx(r, &ctx);
	int64_t id;
	bool created;
	const char *why;
	int rc = member_add(&ctx, r->org.id, req_form(r, "email"), req_form(r, "naam"),
	                    req_form(r, "soort"), roles, &id, &created, &why);
	if (why) {
		r->error = rc;
		return render_new(r, rc == CAMPUS_EFORBIDDEN ? 403 : rc == CAMPUS_ECONFLICT ? 409 : 400,
		                  req_tr(r, why));
	}
	if (rc)
		return rc;
	/* A new account gets its invitation at once: a link to choose a password. */
	if (created && auth_invite(&ctx, id) != 0)
		log_warn("msg=\"invitation not queued\" id=%s person=%lld", r->id, (long long)id);
	req_flash(r, created ? "lid_nieuw" : "lid_toegevoegd");
	const char *to = arena_printf(r->arena, "/b/%s/leden/%lld", r->org.slug, (long long)id);
	return to ? reply_redirect(r, to) : CAMPUS_ENOMEM;
}

/* The member named by :id, in this organisation only. */
static int load_member(struct req *r, struct ctx *ctx, struct member_row *m)
{
	const char *id_text = req_param(r, "id");
	int64_t id;
	if (!id_text || !str_to_int64(id_text, strlen(id_text), &id) || id <= 0)
		return CAMPUS_ENOTFOUND;
	req_ctx(r, ctx);
	return member_get(ctx, r->org.id, id, m);
}

static int render_member(struct req *r, const struct member_row *m, unsigned status,
                         const char *error)
{
	json_t *data = page_base(r);
	json_object_set_new(data, "member",
	                    json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)m->person_id, "name",
	                              m->name, "email", m->email, "kind",
	                              req_tr(r, membership_kind_label(m->kind))));
	json_object_set_new(data, "kinds", kind_choices(r, m->kind));
	json_object_set_new(data, "roles", role_choices(r, m->roles));
	json_object_set_new(data, "self", json_boolean(m->person_id == r->actor.person_id));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return reply_page(r, status, "lid", data);
}

int page_member(struct req *r)
{
	struct ctx ctx;
	struct member_row m;
	int rc = load_member(r, &ctx, &m);
	return rc ? rc : render_member(r, &m, 200, NULL);
}

int page_member_roles(struct req *r)
{
	struct ctx ctx;
	struct member_row m;
	int rc = load_member(r, &ctx, &m);
	if (rc)
		return rc;
	unsigned roles;
	if (form_roles(r, &roles) != 0)
		return CAMPUS_EINVAL;
	const char *why;
	rc = member_change(&ctx, r->org.id, m.person_id, req_form(r, "soort"), roles, &why);
	if (why) {
		r->error = rc;
		return render_member(r, &m, rc == CAMPUS_EFORBIDDEN ? 403 : 400, req_tr(r, why));
	}
	if (rc)
		return rc;
	req_flash(r, "lid_gewijzigd");
	const char *to = arena_printf(r->arena, "/b/%s/leden/%lld", r->org.slug, (long long)m.person_id);
	return to ? reply_redirect(r, to) : CAMPUS_ENOMEM;
}

int page_member_end(struct req *r)
{
	struct ctx ctx;
	struct member_row m;
	int rc = load_member(r, &ctx, &m);
	if (rc)
		return rc;
	const char *why;
	rc = member_end(&ctx, r->org.id, m.person_id, &why);
	if (why) {
		r->error = rc;
		return render_member(r, &m, 403, req_tr(r, why));
	}
	if (rc)
		return rc;
	req_flash(r, "lid_beeindigd");
	const char *to = arena_printf(r->arena, "/b/%s/leden", r->org.slug);
	return to ? reply_redirect(r, to) : CAMPUS_ENOMEM;
}
