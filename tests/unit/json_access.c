/* Unit tests for the JSON accessors the tools use instead of the value's
 * insides: jv_unset, jv_move_after, jv_len/jv_item/jv_key/jv_val, member and
 * number texts, jv_string, jv_member and jv_rebase.  Each edit is checked
 * by writing the record back out, the way a tool would. */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "xalloc.h"
#include "check.h"

/* Parse text, apply nothing, and compare its compact form with want. */
static int writes(const jv *v, const char *want)
{
	struct buf b = {0};
	int same;

	json_write(&b, v);
	same = strcmp(b.s, want) == 0;
	if (!same)
		printf("# wrote %s\n# want  %s\n", b.s, want);
	buf_free(&b);
	return same;
}

static jv *parse(struct arena *a, const char *text)
{
	char err[128];
	jv *v = json_parse(a, text, strlen(text), NULL, err, sizeof(err));

	if (v == NULL)
		printf("# parse: %s\n", err);
	return v;
}

int main(void)
{
	struct arena a = {0};
	const char *line = "{\"id\":\"a\",\"n\":1.50,\"arr\":[1,\"x\",null],\"response\":\"r\",\"z\":true}";
	jv *v = parse(&a, line), *arr;
	size_t len = 0;
	const char *t;
	char copy[128];

	check(v != NULL, "parse");
	check(jv_len(v) == 5, "jv_len(object) counts members");
	arr = jv_get(v, "arr");
	check(jv_len(arr) == 3 && jv_item(arr, 1) != NULL && strcmp(jv_typename(jv_item(arr, 1)), "a string") == 0,
	      "jv_item gives the array's items");
	check(jv_item(arr, 3) == NULL && jv_item(v, 0) == NULL, "jv_item: out of range or not an array is NULL");
	t = jv_key(v, 1, &len);
	check(t != NULL && len == 1 && strcmp(t, "n") == 0, "jv_key");
	check(jv_val(v, 1) == jv_get(v, "n") && jv_val(v, 9) == NULL, "jv_val");
	t = jv_numtext(jv_get(v, "n"), &len);
	check(t != NULL && len == 4 && memcmp(t, "1.50", 4) == 0, "jv_numtext keeps the number as written");
	check(jv_numtext(jv_num(&a, 2), NULL) == NULL, "a computed number has no text");
	t = jv_member_text(v, 2, &len);
	check(t != NULL && len == strlen("\"arr\":[1,\"x\",null]") && memcmp(t, "\"arr\":", 6) == 0,
	      "jv_member_text is the member as read");

	t = jv_string(jv_get(v, "id"), &len);
	check(t != NULL && len == 1 && strcmp(t, "a") == 0, "jv_string gives a string's bytes");
	check(jv_string(jv_get(v, "n"), &len) == NULL && jv_string(NULL, NULL) == NULL,
	      "jv_string of a number or of nothing is NULL");
	t = jv_string(jv_item(arr, 1), NULL);
	check(t != NULL && strcmp(t, "x") == 0, "jv_string of an array item");
	{
		jv *nul = parse(&a, "{\"s\":\"a\\u0000b\"}");

		t = jv_string(jv_get(nul, "s"), &len);
		check(t != NULL && len == 3 && t[1] == '\0' && t[2] == 'b', "jv_string counts a \\u0000");
	}
	check(jv_member(v, 3) != NULL && jv_member(v, 3)->val == jv_get(v, "response") &&
	      strcmp(jv_member(v, 3)->key, "response") == 0, "jv_member is the i-th member");
	check(jv_member(v, 5) == NULL && jv_member(arr, 0) == NULL, "jv_member: out of range or not an object is NULL");
	t = jv_numtext(jv_get(v, "n"), &len);
	check(t != NULL && t[len] == '\0', "jv_numtext is NUL-ended");

	/* jv_rebase: the member texts follow a copy of the line. */
	snprintf(copy, sizeof(copy), "%s", line);
	jv_rebase(v, line, strlen(line), copy);
	t = jv_member_text(v, 0, &len);
	check(t >= copy && t < copy + sizeof(copy), "jv_rebase points member texts into the copy");

	/* jv_move_after: after the named member, or first. */
	jv_set(&a, v, "thinking", jv_cstr(&a, "t"));
	jv_move_after(v, "thinking", "response");
	check(writes(v, "{\"id\":\"a\",\"n\":1.50,\"arr\":[1,\"x\",null],\"response\":\"r\",\"thinking\":\"t\",\"z\":true}"),
	      "jv_move_after moves a member back");
	jv_move_after(v, "id", "z");
	check(writes(v, "{\"n\":1.50,\"arr\":[1,\"x\",null],\"response\":\"r\",\"thinking\":\"t\",\"z\":true,\"id\":\"a\"}"),
	      "jv_move_after moves a member forward");
	jv_move_after(v, "id", NULL);
	check(writes(v, "{\"id\":\"a\",\"n\":1.50,\"arr\":[1,\"x\",null],\"response\":\"r\",\"thinking\":\"t\",\"z\":true}"),
	      "jv_move_after(NULL) moves it first");
	jv_move_after(v, "id", "absent");
	jv_move_after(v, "absent", "id");
	check(writes(v, "{\"id\":\"a\",\"n\":1.50,\"arr\":[1,\"x\",null],\"response\":\"r\",\"thinking\":\"t\",\"z\":true}"),
	      "jv_move_after with an absent name changes nothing");

	/* jv_unset */
	check(jv_unset(v, "thinking") == 1 && jv_unset(v, "thinking") == 0, "jv_unset counts what went");
	check(writes(v, "{\"id\":\"a\",\"n\":1.50,\"arr\":[1,\"x\",null],\"response\":\"r\",\"z\":true}"),
	      "jv_unset keeps the others in order");
	check(jv_unset(arr, "x") == 0 && jv_len(arr) == 3, "jv_unset on an array does nothing");

	arena_free(&a);
	return check_done();
}
