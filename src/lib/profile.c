/* profile.c - loading config/profiles.json and choosing a profile. */
#include "profile.h"
#include "config.h"
#include "diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GIB 1073741824.0

/* The checks below all complain the same way and give up. */
struct ctx {
	const char *path;
	const char *where;	/* "profile 3 (gpu-entry)" */
	int bad;
};

static void bad(struct ctx *c, const char *what, const char *key, const char *want, const jv *got)
{
	if (!c->bad)
		warn_at(c->path, 0, "%s: %s%s%s must be %s, not %s", c->where, what, *what ? "." : "",
			key, want, jv_typename(got));
	c->bad = 1;
}

/* The checks of profiles.json: each names the field and what it must be. */
static const char *need_str(struct ctx *c, const jv *obj, const char *what, const char *key)
{
	const jv *v = jv_get(obj, key);

	if (v == NULL || v->t != JSTR || v->n == 0) {
		bad(c, what, key, "a non-empty string", v);
		return NULL;
	}
	return v->u.s;
}

static double need_num(struct ctx *c, const jv *obj, const char *what, const char *key)
{
	const jv *v = jv_get(obj, key);

	if (v == NULL || v->t != JNUM || v->d < 0) {
		bad(c, what, key, "a number >= 0", v);
		return 0;
	}
	return v->d;
}

static int need_bool(struct ctx *c, const jv *obj, const char *what, const char *key)
{
	const jv *v = jv_get(obj, key);

	if (v == NULL || (v->t != JTRUE && v->t != JFALSE)) {
		bad(c, what, key, "true or false", v);
		return 0;
	}
	return v->t == JTRUE;
}

static const jv *need_strings(struct ctx *c, const jv *obj, const char *key)
{
	const jv *v = jv_get(obj, key);
	size_t i;

	if (v == NULL || v->t != JARR) {
		bad(c, "", key, "an array of strings", v);
		return NULL;
	}
	for (i = 0; i < v->n; i++)
		if (v->u.items[i]->t != JSTR)
			bad(c, "", key, "an array of strings", v->u.items[i]);
	return v;
}

/* Fill p from entry e of the file (index i), checking every field. */
static void load_one(struct ctx *c, const jv *e, size_t i, struct profile *p)
{
	char where[160];
	const jv *req;

	snprintf(where, sizeof(where), "profile %zu", i + 1);
	c->where = where;
	memset(p, 0, sizeof(*p));
	if (e->t != JOBJ) {
		bad(c, "", "entry", "an object", e);
		return;
	}
	p->name = need_str(c, e, "", "name");
	if (p->name == NULL)
		return;
	snprintf(where, sizeof(where), "profile %zu (%s)", i + 1, p->name);
	p->family = need_str(c, e, "", "family");
	p->description = need_str(c, e, "", "description");
	p->validation = need_str(c, e, "", "empirical_validation");
	p->scenarios = need_strings(c, e, "scenarios");
	p->models = need_strings(c, e, "models");
	req = p->requirements = jv_get(e, "requirements");
	if (req == NULL || req->t != JOBJ) {
		bad(c, "", "requirements", "an object", req);
		return;
	}
	p->min_disk_gb = need_num(c, req, "requirements", "min_disk_gb");
	if (p->family != NULL && strcmp(p->family, "apple") == 0) {
		p->chip = need_str(c, req, "requirements", "chip_brand_match");
		p->min_unified_gb = need_num(c, req, "requirements", "min_unified_memory_gb");
		p->unified_confirmed = need_bool(c, req, "requirements", "min_unified_memory_confirmed");
		p->min_ram_gb = p->min_unified_gb;
	} else if (p->family != NULL && strcmp(p->family, "standard") == 0) {
		p->min_ram_gb = need_num(c, req, "requirements", "min_ram_gb");
		p->gpu_required = need_bool(c, req, "requirements", "gpu_required");
		if (p->gpu_required)
			p->min_vram_gb = need_num(c, req, "requirements", "min_vram_gb");
	} else if (p->family != NULL && !c->bad) {
		warn_at(c->path, 0, "%s: family must be \"standard\" or \"apple\", not \"%s\"",
			where, p->family);
		c->bad = 1;
	}
}

int profiles_load(struct arena *a, const char *path, struct profiles *ps)
{
	struct ctx c = {path, "top level", 0};
	const jv *root = json_load(a, path), *list;
	size_t i, j;

	memset(ps, 0, sizeof(*ps));
	if (root == NULL)
		return -1;
	if (root->t != JOBJ) {
		warn_at(path, 0, "must hold a JSON object, not %s", jv_typename(root));
		return -1;
	}
	ps->min_ram_gb = need_num(&c, root, "", "insufficient_below_ram_gb");
	list = jv_get(root, "profiles");
	if (!c.bad && (list == NULL || list->t != JARR || list->n == 0))
		bad(&c, "", "profiles", "a non-empty array", list);
	if (c.bad)
		return -1;
	ps->v = xcalloc(list->n, sizeof(*ps->v));
	ps->n = list->n;
	for (i = 0; i < list->n && !c.bad; i++)
		load_one(&c, list->u.items[i], i, &ps->v[i]);
	for (i = 0; i < ps->n && !c.bad; i++)
		for (j = 0; j < i; j++)
			if (strcmp(ps->v[i].name, ps->v[j].name) == 0 ||
			    (ps->v[i].chip && ps->v[j].chip && strcmp(ps->v[i].chip, ps->v[j].chip) == 0)) {
				warn_at(path, 0, "profiles %zu and %zu have the same %s", j + 1, i + 1,
					strcmp(ps->v[i].name, ps->v[j].name) == 0 ? "name" : "chip_brand_match");
				c.bad = 1;
				break;
			}
	if (c.bad) {
		profiles_free(ps);
		return -1;
	}
	return 0;
}

void profiles_free(struct profiles *ps)
{
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}

const struct profile *profiles_find(const struct profiles *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (strcmp(ps->v[i].name, name) == 0)
			return &ps->v[i];
	return NULL;
}

char *profiles_names(const struct profiles *ps)
{
	struct buf b = {0};
	size_t i;

	buf_add(&b, "", 0);
	for (i = 0; i < ps->n; i++) {
		if (i)
			buf_adds(&b, ", ");
		buf_adds(&b, ps->v[i].name);
	}
	return b.s;
}

/* A measured figure as the JSON prints it (16.0, 7.77); the result lives
 * until four more calls (messages use at most three at once). */
static const char *fig(double d)
{
	static char bufs[4][32];
	static unsigned k;
	char *b = bufs[k++ % 4];

	fmt_double(d, b);
	return b;
}

static int is_standard(const struct profile *p)
{
	return strcmp(p->family, "standard") == 0;
}

/* Warn about each requirement of the chosen profile that h misses: the
 * rules choose on VRAM alone, as PUMA does, so these are worth saying. */
static void check_requirements(const struct profile *p, struct hw *h, double best_vram)
{
	if (p->chip == NULL && h->ram_total >= 0 && hw_gib2(h->ram_total) < p->min_ram_gb)
		hw_problem(h, "warning", "%s asks for %g GiB of RAM; this machine has %s GiB",
			   p->name, p->min_ram_gb, fig(hw_gib2(h->ram_total)));
	if (h->disk_free >= 0 && hw_gib2(h->disk_free) < p->min_disk_gb)
		hw_problem(h, "warning", "%s asks for %g GiB of free disk for models; %s has %s GiB free",
			   p->name, p->min_disk_gb, h->dir, fig(hw_gib2(h->disk_free)));
	if (p->gpu_required && best_vram < p->min_vram_gb) {
		if (best_vram < 0)
			hw_problem(h, "warning", "%s needs a GPU with %g GiB of VRAM; none was found",
				   p->name, p->min_vram_gb);
		else
			hw_problem(h, "warning", "%s needs a GPU with %g GiB of VRAM; the largest has %s GiB",
				   p->name, p->min_vram_gb, fig(best_vram));
	}
	if (p->chip != NULL && (h->apple_chip == NULL || strcmp(h->apple_chip, p->chip) != 0))
		hw_problem(h, "warning", "%s is for the %s chip; this machine has %s", p->name, p->chip,
			   h->apple_chip ? h->apple_chip : "no Apple chip");
	else if (p->chip != NULL && h->apple_memsize >= 0 &&
		 (double)h->apple_memsize < p->min_unified_gb * GIB)
		hw_problem(h, "warning", "%s asks for %g GiB of unified memory; this machine has %s GiB",
			   p->name, p->min_unified_gb, fig(hw_gib2(h->apple_memsize)));
}

/* The Apple step: the profile whose chip is this machine's, if its
 * memory reaches the minimum.  Otherwise say why and fall through. */
static const struct profile *pick_apple(const struct profiles *ps, struct hw *h, struct pick *r)
{
	const struct profile *p = NULL;
	size_t i;

	if (!h->apple_silicon)
		return NULL;
	if (h->apple_chip == NULL) {
		hw_problem(h, "warning", "Apple chip brand unknown (sysctl gave none); using the general rules");
		return NULL;
	}
	for (i = 0; i < ps->n && p == NULL; i++)
		if (ps->v[i].chip != NULL && strcmp(ps->v[i].chip, h->apple_chip) == 0)
			p = &ps->v[i];
	r->apple = p;
	if (p == NULL) {
		hw_problem(h, "warning", "the %s chip has no profile in profiles.json; using the general "
			   "rules (docs/HARDWARE.md tells how to add one)", h->apple_chip);
		return NULL;
	}
	if (h->apple_memsize < 0) {
		hw_problem(h, "warning", "unified memory unknown: cannot check the %g GiB minimum of %s; "
			   "using the general rules", p->min_unified_gb, p->name);
		return NULL;
	}
	if ((double)h->apple_memsize < p->min_unified_gb * GIB) {
		hw_problem(h, "warning", "%s with %s GiB of unified memory is below the %g GiB minimum of %s; "
			   "using the general rules", h->apple_chip, fig((double)h->apple_memsize / GIB),
			   p->min_unified_gb, p->name);
		return NULL;
	}
	snprintf(r->reason, sizeof(r->reason), "%s with %s GiB of unified memory (at least %g GiB)",
		 h->apple_chip, fig(hw_gib2(h->apple_memsize)), p->min_unified_gb);
	return p;
}

void profile_pick(const struct profiles *ps, struct hw *h, const char *override, struct pick *r)
{
	const struct profile *best = NULL, *p;
	const struct hw_gpu *gpu = NULL;
	double vram = -1, ram;
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < h->ngpus; i++) {
		const struct hw_gpu *g = &h->gpus[i];

		if (!g->counts)
			continue;
		if (g->vram_bytes < 0) {
			hw_problem(h, "note", "GPU %zu (%s) reports no VRAM; it does not count for the profile",
				   i, g->name);
			continue;
		}
		if (hw_gib1(g->vram_bytes) > vram) {
			vram = hw_gib1(g->vram_bytes);
			gpu = g;
		}
	}
	r->status = PICK_CHOSEN;
	if (override != NULL) {
		r->p = profiles_find(ps, override);
		r->by = "override";
		snprintf(r->reason, sizeof(r->reason), "chosen by --profile");
		check_requirements(r->p, h, vram);
		return;
	}
	if ((r->p = pick_apple(ps, h, r)) != NULL) {
		r->by = "apple";
		if (!r->p->unified_confirmed)
			hw_problem(h, "note", "the %g GiB minimum of %s is provisional: not confirmed from "
				   "Apple's specifications (docs/HARDWARE.md)", r->p->min_unified_gb, r->p->name);
		check_requirements(r->p, h, vram);
		return;
	}
	if (h->ram_total < 0) {
		r->status = PICK_UNKNOWN;
		snprintf(r->reason, sizeof(r->reason), "RAM unknown, so no profile can be chosen");
		return;
	}
	ram = hw_gib2(h->ram_total);
	if (ram < ps->min_ram_gb) {
		r->status = PICK_INSUFFICIENT;
		snprintf(r->reason, sizeof(r->reason), "insufficient hardware: %s GiB of RAM, "
			 "PUMA needs at least %g GiB", fig(ram), ps->min_ram_gb);
		return;
	}
	/* The GPU profile with the highest VRAM floor the largest GPU reaches,
	 * else the CPU profile with the highest RAM floor the machine reaches. */
	for (i = 0; i < ps->n && gpu != NULL; i++) {
		p = &ps->v[i];
		if (is_standard(p) && p->gpu_required && p->min_vram_gb <= vram &&
		    (best == NULL || p->min_vram_gb > best->min_vram_gb))
			best = p;
	}
	if (best != NULL) {
		r->p = best;
		r->by = "gpu";
		snprintf(r->reason, sizeof(r->reason), "GPU %zu (%s) has %s GiB of VRAM (at least %g)",
			 (size_t)(gpu - h->gpus), gpu->name, fig(vram), best->min_vram_gb);
		check_requirements(best, h, vram);
		return;
	}
	for (i = 0; i < ps->n; i++) {
		p = &ps->v[i];
		if (is_standard(p) && !p->gpu_required && p->min_ram_gb <= ram &&
		    (best == NULL || p->min_ram_gb > best->min_ram_gb))
			best = p;
	}
	if (best == NULL) {
		r->status = PICK_INSUFFICIENT;
		snprintf(r->reason, sizeof(r->reason), "no CPU profile in profiles.json fits %s GiB of RAM", fig(ram));
		return;
	}
	r->p = best;
	r->by = "ram";
	if (gpu != NULL)
		snprintf(r->reason, sizeof(r->reason), "the largest GPU has %s GiB of VRAM, below every GPU "
			 "profile; %s GiB of RAM (at least %g)", fig(vram), fig(ram), best->min_ram_gb);
	else
		snprintf(r->reason, sizeof(r->reason), "no GPU with known VRAM; %s GiB of RAM (at least %g)",
			 fig(ram), best->min_ram_gb);
	check_requirements(best, h, vram);
}
